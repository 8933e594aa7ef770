#!/usr/bin/env bash
# Installs the Go toolchains the tests build samples with, side by side under /usr/lib/go-1.NN,
# from Debian's archive. Extra suites are added with pin priority 100 so that nothing else on the
# machine is upgraded from them. The mirror is derived from this machine's own apt sources.
# Idempotent: when every toolchain is already there it only checks and exits.
#
#   scripts/install-go-toolchains.sh            # every version the tests use
#   scripts/install-go-toolchains.sh 1.22 1.26  # only these
set -euo pipefail

# Go version → the Debian suite that carries golang-<version>-go.
declare -A suite_of=(
  [1.15]=bullseye
  [1.19]=bookworm
  [1.22]=bookworm-backports
  [1.24]=trixie
  [1.26]=sid
  [1.27]=sid
)
versions=("$@")
((${#versions[@]})) || versions=(1.15 1.19 1.22 1.24 1.26 1.27)

missing=()
for v in "${versions[@]}"; do
  [[ -n ${suite_of[$v]:-} ]] || { echo "install-go-toolchains: no Debian suite known for Go $v" >&2; exit 2; }
  [[ -x /usr/lib/go-$v/bin/go ]] || missing+=("$v")
done
if ((${#missing[@]} == 0)); then
  echo "install-go-toolchains: Go ${versions[*]} already installed"
  exit 0
fi
if [[ $(id -u) != 0 ]]; then
  echo "install-go-toolchains: Go ${missing[*]} missing and not root: cannot apt-get install" >&2
  exit 1
fi

# The Debian archive URI this machine already uses (never written into the project).
mirror=$( { sed -n 's#^[[:space:]]*URIs:[[:space:]]*\([^ ]*/debian\)/\?[[:space:]]*$#\1#p' /etc/apt/sources.list.d/*.sources 2>/dev/null
            sed -n 's#^deb[[:space:]]\+\(\[[^]]*\][[:space:]]*\)\?\([^ ]*/debian\)/\?[[:space:]].*#\2#p' /etc/apt/sources.list 2>/dev/null
            true
          } | head -1)
if [[ -z $mirror ]]; then
  echo "install-go-toolchains: no Debian archive found in /etc/apt/sources.list{,.d}" >&2
  exit 1
fi

list=/etc/apt/sources.list.d/goxray-extra-suites.sources
pin=/etc/apt/preferences.d/goxray-extra-suites
want_suites=$(for v in "${missing[@]}"; do echo "${suite_of[$v]}"; done | grep -vx bookworm | sort -u | tr '\n' ' ')
changed=0
for s in $want_suites; do
  if ! grep -qs "^Suites: $s\$" "$list"; then
    {
      echo "Types: deb"
      echo "URIs: $mirror"
      echo "Suites: $s"
      echo "Components: main"
      echo "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg"
      # sid's Release file is often older than its Valid-Until on mirrors and snapshots.
      [[ $s == sid ]] && echo "Check-Valid-Until: no"
      echo
    } >>"$list"
    changed=1
  fi
done
if [[ ! -f $pin ]] || ((changed)); then
  {
    for s in bullseye bookworm-backports trixie sid; do
      printf 'Package: *\nPin: release n=%s\nPin-Priority: 100\n\n' "$s"
    done
  } >"$pin"
fi

apt_opts=(-o Acquire::Check-Valid-Until=false -o Acquire::Retries=3)
if ((changed)) || [[ ! -e /var/lib/apt/periodic/goxray-updated ]]; then
  apt-get "${apt_opts[@]}" update -qq
  mkdir -p /var/lib/apt/periodic && touch /var/lib/apt/periodic/goxray-updated
fi
pkgs=()
for v in "${missing[@]}"; do pkgs+=("golang-$v-go/${suite_of[$v]}"); done
echo "install-go-toolchains: installing ${pkgs[*]}"
DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
for v in "${missing[@]}"; do
  /usr/lib/go-$v/bin/go version
done

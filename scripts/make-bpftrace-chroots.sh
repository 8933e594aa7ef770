#!/usr/bin/env bash
# Makes the newer bpftrace builds the tests run besides the host's own (Debian 12: 0.17): one
# debootstrap chroot (variant minbase) per Debian suite with its bpftrace package installed, and a
# wrapper per chroot that runs that bpftrace with the host's absolute paths.
#
#   scripts/make-bpftrace-chroots.sh               # trixie (0.23) and sid (0.27); fast when made
#   scripts/make-bpftrace-chroots.sh sid           # only these suites
#   scripts/make-bpftrace-chroots.sh --check       # exit 1 unless every chroot is made and answers
#   scripts/make-bpftrace-chroots.sh --remake sid  # throw the chroot away and make it again
#   scripts/make-bpftrace-chroots.sh --umount      # unmount anything left mounted in the chroots
#
# Layout, under ${GOXRAY_CACHE:-<repo>/.cache}/chroots/:
#   <suite>/                 the chroot; <suite>/.goxray-complete holds `bpftrace --version`,
#                            written last, so a chroot without it is half made and is remade
#   .<suite>.partial/        a chroot being made (renamed to <suite>/ when bpftrace answers)
#   <suite>.log              debootstrap and apt-get output of the last make
#   bin/bpftrace-<maj.min>   the wrapper: bin/bpftrace-0.23 -e '…' and bin/bpftrace-0.27 x.bt
#
# Each wrapper enters a private mount namespace (unshare --mount) and there mounts proc on
# <chroot>/proc, /sys and /dev as recursive slave binds, tracefs on <chroot>/sys/kernel/tracing
# when /sys has none there, and plain binds of /work, /tmp, the cache and each directory in
# GOXRAY_CHROOT_BINDS (colon-separated) at the same paths, so a probe on /work/x/bin names the
# same inode inside; then it execs chroot <chroot> bpftrace "$@" in the caller's directory.
# The mounts vanish with the namespace when bpftrace exits: nothing is left mounted on the host,
# so no `rm -rf .cache` can follow a bind of /work out of a chroot. Each mount is skipped when
# already there, so the wrapper also works in a namespace that has them.
# Binds are not recursive: the chroots live under /work, and a recursive bind would copy their
# own mounts into themselves.
# `--umount` unmounts anything still mounted below the chroots (from an interrupted make, or
# mounted by hand); it makes each mount a slave first, so no unmount reaches the host through
# mount propagation. Making and remaking a chroot unmount it the same way before deleting it.
# The mirror is derived from this machine's apt sources and never written into the project.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
cache=$(realpath -m "${GOXRAY_CACHE:-$repo/.cache}")
chroots=$cache/chroots
bindir=$chroots/bin
all_suites=(trixie sid)

mode="make"
suites=()
for arg in "$@"; do
  case $arg in
    --check) mode=check ;;
    --remake) mode=remake ;;
    --umount) mode=umount ;;
    -h | --help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    trixie | sid) suites+=("$arg") ;;
    *) echo "make-bpftrace-chroots: unknown argument '$arg' (suites: ${all_suites[*]})" >&2; exit 2 ;;
  esac
done
((${#suites[@]})) || suites=("${all_suites[@]}")

say() { echo "make-bpftrace-chroots: $*" >&2; }

# Mount points at or below $1, deepest first (mountinfo field 5, with \040-style escapes undone).
mounts_under() {
  local dir=$1
  awk -v d="$dir" '{ p = $5; gsub(/\\040/, " ", p); if (p == d || index(p, d "/") == 1) print p }' /proc/self/mountinfo |
    awk '{ print length($0) "\t" $0 }' | sort -rn | cut -f2-
}

# Unmounts everything at or below $1. Each mount is made a slave first: an rbind of a shared /dev
# would otherwise carry the unmount back to the host's /dev/pts.
umount_all() {
  local dir=$1 m
  while IFS= read -r m; do
    [[ -n $m ]] || continue
    mount --make-rslave "$m" 2>/dev/null || true
    umount -l "$m" 2>/dev/null || true
  done < <(mounts_under "$dir")
  if [[ -n $(mounts_under "$dir") ]]; then
    say "still mounted below $dir:"
    mounts_under "$dir" >&2
    return 1
  fi
}

# Deletes a chroot only when nothing is mounted in it: a bind of /work below it shares the
# filesystem, so rm --one-file-system alone would not stop at it.
remove_tree() {
  local dir=$1
  [[ -e $dir ]] || return 0
  umount_all "$dir" || { say "refusing to delete $dir while something is mounted in it"; exit 1; }
  rm -rf --one-file-system -- "$dir"
}

# `bpftrace --version` of a finished chroot, or nothing when it is half made or broken.
chroot_version() {
  local dir=$1 marker version
  [[ -f $dir/.goxray-complete && -x $dir/usr/bin/bpftrace ]] || return 0
  marker=$(<"$dir/.goxray-complete")
  version=$(timeout 60 chroot "$dir" /usr/bin/bpftrace --version 2>/dev/null) || return 0
  [[ $version == "$marker" ]] && echo "$version"
}

# "bpftrace v0.23.2" → "0.23"
major_minor() { sed -n 's/^bpftrace v\{0,1\}\([0-9]\+\.[0-9]\+\).*/\1/p' <<<"$1"; }

debian_mirror() {
  { sed -n 's#^[[:space:]]*URIs:[[:space:]]*\([^ ]*/debian\)/\?[[:space:]]*$#\1#p' /etc/apt/sources.list.d/*.sources 2>/dev/null
    sed -n 's#^deb[[:space:]]\+\(\[[^]]*\][[:space:]]*\)\?\([^ ]*/debian\)/\?[[:space:]].*#\2#p' /etc/apt/sources.list 2>/dev/null
    true
  } | head -1
}

write_wrapper() {
  local suite=$1 dir=$2 version=$3 mm name tmp w
  mm=$(major_minor "$version")
  [[ -n $mm ]] || { say "cannot read a version from '$version'"; exit 1; }
  name=bpftrace-$mm
  mkdir -p "$bindir"
  # A remade sid may carry a newer bpftrace: drop the wrapper that named the old one.
  for w in "$bindir"/bpftrace-*; do
    [[ -f $w && $w != "$bindir/$name" ]] || continue
    grep -qx "suite=$suite" "$w" && rm -f -- "$w"
  done
  tmp=$(mktemp "$bindir/.$name.XXXXXX")
  {
    cat <<EOF
#!/usr/bin/env bash
# $version from Debian $suite, in the chroot made by scripts/make-bpftrace-chroots.sh.
# Used like bpftrace, with the host's paths; its mounts live in a private namespace.
set -euo pipefail
suite=$suite
root=$(printf %q "$dir")
binds=(/work /tmp $(printf %q "$cache"))
EOF
    cat <<'EOF'
me=${0##*/}
[[ $(id -u) == 0 ]] || { echo "$me: needs root (unshare, mount, chroot)" >&2; exit 1; }
[[ -x $root/usr/bin/bpftrace ]] || { echo "$me: $root has no bpftrace: run scripts/make-bpftrace-chroots.sh $suite" >&2; exit 1; }
# Re-run this script in a private mount namespace; its mounts end with bpftrace. Every step
# execs, so the caller's child pid is bpftrace's pid.
if [[ ${GOXRAY_CHROOT_NS:-} != "$root" ]]; then
  GOXRAY_CHROOT_NS=$root exec unshare --mount --propagation private -- "$0" "$@"
fi
unset GOXRAY_CHROOT_NS
IFS=: read -r -a extra <<<"${GOXRAY_CHROOT_BINDS:-}"
binds+=("${extra[@]}")
mountpoint -q "$root/proc" || mount -t proc proc "$root/proc"
for d in /sys /dev; do
  mountpoint -q "$root$d" || { mount --rbind "$d" "$root$d" && mount --make-rslave "$root$d"; }
done
mountpoint -q "$root/sys/kernel/tracing" || mount -t tracefs tracefs "$root/sys/kernel/tracing"
for d in "${binds[@]}"; do
  [[ -n $d && -d $d ]] || continue
  mkdir -p "$root$d"
  mountpoint -q "$root$d" || mount --bind "$d" "$root$d"
done
# chroot(1) starts in /: go back to the caller's directory when the binds make it visible.
# shellcheck disable=SC2016 # $1 and $@ are the inner shell's
exec chroot "$root" /bin/sh -c 'cd -- "$1" 2>/dev/null || cd /; shift; exec /usr/bin/bpftrace "$@"' sh "$PWD" "$@"
EOF
  } >"$tmp"
  chmod 755 "$tmp"
  mv -f -- "$tmp" "$bindir/$name"
  echo "$bindir/$name"
}

make_chroot() {
  local suite=$1 dir=$chroots/$1 partial=$chroots/.$1.partial log=$chroots/$1.log mirror version
  local apt_opts=(-o Acquire::Check-Valid-Until=false -o Acquire::Retries=3 -o Dpkg::Use-Pty=0)
  mirror=$(debian_mirror)
  [[ -n $mirror ]] || { say "no Debian archive found in /etc/apt/sources.list{,.d}"; exit 1; }
  if ! command -v debootstrap >/dev/null; then
    say "installing debootstrap"
    DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" install -y -qq --no-install-recommends debootstrap >/dev/null
  fi
  remove_tree "$partial"
  say "making $suite in $dir (debootstrap minbase + bpftrace; a few minutes; log $log)"
  local start=$SECONDS
  : >"$log"
  # debootstrap checks the Release signature but not Valid-Until; apt below is told not to either
  # (sid's Release is often past Valid-Until on mirrors and snapshots).
  # The log names the archive as <mirror>, like every other file goxray writes.
  if ! debootstrap --variant=minbase --components=main "$suite" "$partial" "$mirror" 2>&1 | sed "s#$mirror#<mirror>#g" >>"$log"; then
    say "debootstrap $suite failed; last lines of $log:"; tail -20 "$log" >&2
    remove_tree "$partial"; exit 1
  fi
  cp /etc/resolv.conf "$partial/etc/resolv.conf"
  printf '#!/bin/sh\nexit 101\n' >"$partial/usr/sbin/policy-rc.d"
  chmod 755 "$partial/usr/sbin/policy-rc.d"
  # apt runs in a private mount namespace, so its /proc goes away with it, even on a kill.
  # shellcheck disable=SC2016 # $0 and $@ are the inner shell's
  local in_chroot=(unshare --mount --propagation private -- /bin/sh -c
    'mount -t proc proc "$0/proc" && exec chroot "$0" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 "$@"'
    "$partial")
  local ok=1
  { "${in_chroot[@]}" apt-get "${apt_opts[@]}" update -qq &&
    "${in_chroot[@]}" apt-get "${apt_opts[@]}" install -y -qq --no-install-recommends bpftrace &&
    "${in_chroot[@]}" apt-get clean; } 2>&1 | sed "s#$mirror#<mirror>#g" >>"$log" || ok=0
  if ((!ok)); then
    say "apt-get install bpftrace in $suite failed; last lines of $log:"; tail -20 "$log" >&2
    remove_tree "$partial"; exit 1
  fi
  # The chroot is never updated in place (it is remade), so it keeps no archive address.
  rm -f "$partial/etc/apt/sources.list" "$partial/etc/apt/sources.list.d/"*
  version=$(timeout 60 chroot "$partial" /usr/bin/bpftrace --version) || { say "bpftrace in $suite does not answer --version"; exit 1; }
  echo "$version" >"$partial/.goxray-complete"
  remove_tree "$dir"
  mv -- "$partial" "$dir"
  say "made $suite: $version in $((SECONDS - start))s"
}

if [[ $(id -u) != 0 ]]; then
  say "needs root (debootstrap, chroot, mount)"
  exit 1
fi
mkdir -p "$chroots"
exec 8>"$chroots/.lock"
flock 8

status=0
for suite in "${suites[@]}"; do
  dir=$chroots/$suite
  case $mode in
    umount)
      for d in "$dir" "$chroots/.$suite.partial"; do
        [[ -d $d ]] || continue
        umount_all "$d" || status=1
      done
      continue
      ;;
    check)
      version=$(chroot_version "$dir")
      if [[ -n $version && -x $bindir/bpftrace-$(major_minor "$version") ]]; then
        echo "$suite: $version ($bindir/bpftrace-$(major_minor "$version"))"
      else
        echo "$suite: not made (run scripts/make-bpftrace-chroots.sh $suite)"; status=1
      fi
      continue
      ;;
    remake)
      remove_tree "$dir"
      ;;
    make) ;;
  esac
  version=$(chroot_version "$dir")
  if [[ -z $version ]]; then
    [[ -e $dir ]] && say "$dir is half made or broken: making it again"
    make_chroot "$suite"
    version=$(chroot_version "$dir")
    [[ -n $version ]] || { say "$suite was made but its bpftrace does not answer"; exit 1; }
  fi
  wrapper=$(write_wrapper "$suite" "$dir" "$version")
  echo "$suite: $version ($wrapper)"
done
exit "$status"

#!/usr/bin/env bash
# Builds samples/<name>/ with each installed Go toolchain (/usr/lib/go-1.NN), for amd64 and arm64,
# with each flag set the tests use, into .cache/samples/<sample>/go<VER>-<arch>-<flagset>-<hash>/<sample>.
# <hash> covers the sample's go.mod, go.sum and *.go files, the toolchain's `go version`, the arch
# and the flag set's arguments; a build whose directory exists is skipped. test/support/samples.ts
# computes the same paths (keep the two in step: KEY_VERSION, the env and the flag sets).
#
#   scripts/build-samples.sh                     # every sample × toolchain × arch × flag set
#   scripts/build-samples.sh 1.22 1.26           # only these toolchains
#   scripts/build-samples.sh -s calls -a amd64 -f default,pie
#   scripts/build-samples.sh -a 386,s390x -f default   # any GOARCH (tests of byte order, word size)
#   scripts/build-samples.sh -j 2                # two builds at a time (no faster on 2 cores)
#   scripts/build-samples.sh --print-paths       # the cache path of each build; builds nothing
#
# A sample whose go.mod asks for a newer Go is skipped. A build that fails because the toolchain
# cannot build that combination at all (cannot_build_reason below; none in the default matrix) is
# recorded as <build dir>.cannot-build with go's reason and skipped from then on. Both are listed
# at the end. Any other failure is printed with go build's output and makes the exit status 1,
# after every other build has run.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# GOXRAY_CACHE moves the build cache out of the checkout (CI keeps it across clones).
cache=${GOXRAY_CACHE:-$root/.cache}
# Bump when the build recipe changes (env, common arguments, key text) so old outputs are not reused.
KEY_VERSION=1
ALL_ARCHES=(amd64 arm64)
ALL_FLAGSETS=(default noopt pie stripped nodwarf nocompress)

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
}

# The go build arguments of a flag set, one per line.
flagset_args() {
  case $1 in
    default) ;;
    noopt) echo "-gcflags=all=-N -l" ;;
    pie) echo "-buildmode=pie" ;;
    stripped) echo "-ldflags=-s -w" ;;
    nodwarf) echo "-ldflags=-w" ;;
    nocompress) echo "-ldflags=-compressdwarf=false" ;;
    *) return 1 ;;
  esac
}

# Why this toolchain must not build this sample, or nothing: the go line of its go.mod.
unsupported_reason() {
  local sample=$1 version=$2 need
  need=$(sed -n 's/^go \([0-9][0-9.]*\)[[:space:]]*$/\1/p' "$root/samples/$sample/go.mod")
  if [[ -n $need ]] && version_lt "$version" "$need"; then
    echo "go.mod needs go $need"
  fi
}

# version_lt 1.9 1.18: true when the first major.minor is older than the second.
version_lt() {
  local a=${1#go} b=${2#go}
  local a_major=${a%%.*} b_major=${b%%.*}
  local a_rest=${a#*.} b_rest=${b#*.}
  local a_minor=${a_rest%%.*} b_minor=${b_rest%%.*}
  ((a_major < b_major || (a_major == b_major && a_minor < b_minor)))
}

samples=() arches=() flagsets=() versions=() jobs=1 print_paths=0
split_into() { local -n into=$1; local IFS=,; for v in $2; do into+=("$v"); done; }
while (($#)); do
  case $1 in
    -s | --sample) split_into samples "$2"; shift 2 ;;
    -a | --arch) split_into arches "$2"; shift 2 ;;
    -f | --flags) split_into flagsets "$2"; shift 2 ;;
    -j | --jobs) jobs=$2; shift 2 ;;
    --print-paths) print_paths=1; shift ;;
    -h | --help) usage; exit 0 ;;
    -*) echo "build-samples: unknown option $1" >&2; usage >&2; exit 2 ;;
    *) versions+=("$1"); shift ;;
  esac
done

if ((${#samples[@]} == 0)); then
  for d in "$root"/samples/*/go.mod; do samples+=("$(basename "$(dirname "$d")")"); done
fi
((${#arches[@]})) || arches=("${ALL_ARCHES[@]}")
((${#flagsets[@]})) || flagsets=("${ALL_FLAGSETS[@]}")
if ((${#versions[@]} == 0)); then
  for g in /usr/lib/go-1.*/bin/go; do
    [[ -x $g ]] && versions+=("$(basename "$(dirname "$(dirname "$g")")" | sed 's/^go-//')")
  done
  ((${#versions[@]})) && mapfile -t versions < <(printf '%s\n' "${versions[@]}" | sort -t. -k1,1n -k2,2n)
fi
((${#versions[@]})) || { echo "build-samples: no Go toolchain in /usr/lib/go-1.*" >&2; exit 1; }
for s in "${samples[@]}"; do
  [[ -f $root/samples/$s/go.mod ]] || { echo "build-samples: no samples/$s/go.mod" >&2; exit 2; }
done
for a in "${arches[@]}"; do
  [[ $a =~ ^[a-z0-9]+$ ]] || { echo "build-samples: $a is not a GOARCH" >&2; exit 2; }
done
for f in "${flagsets[@]}"; do
  flagset_args "$f" >/dev/null || { echo "build-samples: unknown flag set $f" >&2; exit 2; }
done

declare -A full_version=() common_args=()
for v in "${versions[@]}"; do
  go=/usr/lib/go-$v/bin/go
  [[ -x $go ]] || { echo "build-samples: Go $v is not installed ($go)" >&2; exit 1; }
  full_version[$v]=$(env -i PATH=/usr/bin:/bin GOTOOLCHAIN=local "$go" version | awk '{print $3}')
  # Go 1.18+ stamps the git state into the binary unless told not to; the output must not depend
  # on uncommitted changes elsewhere in the repository. Older toolchains reject the flag.
  # (Captured first: `| grep -q` can end go with SIGPIPE, which pipefail turns into "no".)
  help=$(env -i PATH=/usr/bin:/bin HOME=/nonexistent GOTOOLCHAIN=local "$go" help build 2>&1)
  if [[ $help == *-buildvcs* ]]; then
    common_args[$v]=-buildvcs=false
  else
    common_args[$v]=
  fi
done

# "file NAME SHA256" for each go.mod, go.sum and *.go of each sample, in byte order of NAME.
declare -A file_lines=()
for s in "${samples[@]}"; do
  file_lines[$s]=$(
    cd "$root/samples/$s" &&
      find . -maxdepth 1 -type f \( -name go.mod -o -name go.sum -o -name '*.go' \) -printf '%f\n' |
      LC_ALL=C sort | while read -r f; do
        printf 'file %s %s\n' "$f" "$(sha256sum <"$f" | cut -d' ' -f1)"
      done
  )
done

# The text whose sha256 names a build; samples.ts writes the same lines.
key_text() {
  local sample=$1 version=$2 arch=$3 flagset=$4
  printf 'goxray-sample-build %s\n' "$KEY_VERSION"
  printf 'go %s\n' "${full_version[$version]}"
  printf 'arch %s\n' "$arch"
  printf 'flagset %s\n' "$flagset"
  flagset_args "$flagset" | sed 's/^/arg /'
  [[ -n ${common_args[$version]} ]] && printf 'arg %s\n' "${common_args[$version]}"
  printf '%s\n' "${file_lines[$sample]}"
}

build_dir() {
  local sample=$1 version=$2 arch=$3 flagset=$4 hash
  hash=$(key_text "$@" | sha256sum | cut -c1-16)
  echo "$cache/samples/$sample/go$version-$arch-$flagset-$hash"
}

seconds_since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }

# Why a failed build's output says this toolchain cannot build this combination at all, or
# nothing. Seen off the default matrix, with -buildmode=pie: "-buildmode=pie not supported on
# linux/mips", "-buildmode=pie requires external (cgo) linking, but cgo is not enabled" (386, arm,
# riscv64 with 1.27), and Go 1.15 trying the host gcc as external linker for 386, arm, s390x, ppc64le.
cannot_build_reason() {
  local output=$1
  if grep -qE 'not supported on |requires external \(cgo\) linking' "$output"; then
    grep -m1 -E 'not supported on |requires external \(cgo\) linking' "$output"
  elif grep -q 'running gcc failed' "$output"; then
    echo "needs external linking, and the host gcc cannot link for this arch"
  fi
}

# Builds one combination and prints its result as one write (so parallel jobs do not interleave);
# status 0 built, cached or recorded as impossible, 1 failed.
build_one() {
  local sample=$1 version=$2 arch=$3 flagset=$4
  local dir out tmp start args=() line reason
  dir=$(build_dir "$@")
  out=$dir/$sample
  local label="$sample go$version $arch $flagset"
  if [[ -x $out ]]; then
    printf 'cached  %-36s %s\n' "$label" "${out#"$root"/}"
    return 0
  fi
  if [[ -f $dir.cannot-build ]]; then
    printf '%s: %s (recorded in %s)\n' "$label" "$(cat "$dir.cannot-build")" "${dir#"$root"/}.cannot-build" >>"$cannot"
    return 0
  fi
  mkdir -p "$cache/samples/$sample"
  tmp=$(mktemp -d "$cache/samples/$sample/.tmp-XXXXXX")
  while IFS= read -r line; do args+=("$line"); done < <(flagset_args "$flagset")
  [[ -n ${common_args[$version]} ]] && args+=("${common_args[$version]}")
  start=$EPOCHREALTIME
  if (cd "$root/samples/$sample" && env -i \
    PATH=/usr/bin:/bin HOME="${HOME:-/root}" \
    GOTOOLCHAIN=local GOPROXY=off GOFLAGS=-mod=mod CGO_ENABLED=0 GO111MODULE=on GOWORK=off GOENV=off \
    GOOS=linux GOARCH="$arch" \
    GOCACHE="$cache/gocache/go$version" GOPATH="$cache/gopath" \
    "/usr/lib/go-$version/bin/go" build "${args[@]}" -o "$tmp/$sample" .) >"$tmp/output" 2>&1; then
    rm -f "$tmp/output"
    # Another builder may have finished the same directory first; either copy is the same build.
    mv -T "$tmp" "$dir" 2>/dev/null || rm -rf "$tmp"
    printf 'built   %-36s %5ss %s\n' "$label" "$(seconds_since "$start")" "${out#"$root"/}"
    return 0
  fi
  reason=$(cannot_build_reason "$tmp/output")
  if [[ -n $reason ]]; then
    # Recorded so later runs skip it without trying; the hash changes with the toolchain.
    echo "$reason" >"$dir.cannot-build"
    printf 'cannot  %-36s %5ss %s\n' "$label" "$(seconds_since "$start")" "$reason"
    printf '%s: %s\n' "$label" "$reason" >>"$cannot"
    rm -rf "$tmp"
    return 0
  fi
  printf 'FAILED  %-36s %5ss\n%s\n' "$label" "$(seconds_since "$start")" "$(sed 's/^/        | /' "$tmp/output")"
  rm -rf "$tmp"
  return 1
}

combos=() skipped=()
for s in "${samples[@]}"; do
  for v in "${versions[@]}"; do
    for a in "${arches[@]}"; do
      for f in "${flagsets[@]}"; do
        reason=$(unsupported_reason "$s" "$v")
        if [[ -n $reason ]]; then
          skipped+=("$s go$v $a $f: $reason")
        else
          combos+=("$s $v $a $f")
        fi
      done
    done
  done
done

if ((print_paths)); then
  for c in "${combos[@]}"; do
    read -r s v a f <<<"$c"
    echo "$(build_dir "$s" "$v" "$a" "$f")/$s"
  done
  exit 0
fi

start_all=$EPOCHREALTIME
failed=$(mktemp) cannot=$(mktemp)
trap 'rm -f "$failed" "$cannot"' EXIT
running=0
for c in "${combos[@]}"; do
  read -r s v a f <<<"$c"
  if ((jobs <= 1)); then
    build_one "$s" "$v" "$a" "$f" || echo "$c" >>"$failed"
    continue
  fi
  { build_one "$s" "$v" "$a" "$f" || echo "$c" >>"$failed"; } &
  if ((++running >= jobs)); then
    wait -n || true
    running=$((running - 1))
  fi
done
wait

for s in "${skipped[@]}"; do printf 'skipped %s\n' "$s"; done
sed 's/^/skipped /' "$cannot"
failures=$(wc -l <"$failed") impossible=$(wc -l <"$cannot")
printf 'build-samples: %d built or cached, %d failed, %d skipped (%d by go.mod, %d the toolchain cannot build), %ss\n' \
  "$((${#combos[@]} - failures - impossible))" "$failures" "$((${#skipped[@]} + impossible))" \
  "${#skipped[@]}" "$impossible" "$(seconds_since "$start_all")"
((failures == 0))

#!/usr/bin/env bash
# Installs the independent readers the tests compare goxray with, from Debian's archive:
# GNU binutils (readelf, objdump), LLVM (llvm-objdump for arm64), gdb and gdb-multiarch, and bpftrace (Debian 12's
# 0.17 on the host; 0.23 and 0.27 run in chroots made by scripts/make-bpftrace-chroots.sh).
# Fast when present.
set -euo pipefail
need=()
command -v readelf >/dev/null && command -v objdump >/dev/null || need+=(binutils)
command -v llvm-objdump >/dev/null || need+=(llvm)
command -v gdb >/dev/null || need+=(gdb)
# gdb-multiarch reads arm64 binaries' DWARF (test/gdb-scope.test.ts).
command -v gdb-multiarch >/dev/null || need+=(gdb-multiarch)
command -v bpftrace >/dev/null || need+=(bpftrace)
command -v debootstrap >/dev/null || need+=(debootstrap)
# bpftool: test/trace-run.test.ts lists the BPF links and perf events left after a live trace.
command -v bpftool >/dev/null || need+=(bpftool)
((${#need[@]})) || exit 0
if [[ $(id -u) != 0 ]]; then
  echo "install-test-tools: ${need[*]} missing and not root: tests that need them are skipped locally" >&2
  exit 0
fi
echo "install-test-tools: installing ${need[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null

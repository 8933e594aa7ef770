#!/usr/bin/env bash
# The README's test command (npm test): installs the Go toolchains the tests build samples with
# and the bpftrace versions the tests run (when root; Debian packages, side by side, and chroots),
# compiles goxray, and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-test-tools.sh
if [[ $(id -u) == 0 ]]; then
  bash scripts/install-go-toolchains.sh
  bash scripts/make-bpftrace-chroots.sh
else
  echo "test: not root, so Go toolchains are not installed; tests that need a missing one are skipped locally (and fail in CI)"
fi
npm run --silent build
npx vitest run "$@"

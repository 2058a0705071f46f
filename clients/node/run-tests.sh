#!/usr/bin/env bash
# Runs tests of the Node.js client for ctest (clients/node/CMakeLists.txt), or by hand:
#
#   clients/node/run-tests.sh test/client.test.js [more test files]
#
# Installs the locked dependencies (npm ci, package-lock.json) when node_modules is
# missing or was installed from another lock file, then runs `node --test` on the files
# (paths relative to clients/node). The server binary comes from $AGREEMENTS_SERVER_BIN
# (default: build/bin/agreements-server of this repository).
#
# Exit 77 (ctest: skipped), with the reason, when node or npm is missing or npm cannot
# reach the registry; otherwise node's exit status.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here" || exit 1

skip() {
  echo "SKIPPED: $*" >&2
  exit 77
}

command -v node >/dev/null 2>&1 || skip "node is not installed (deploy/install-deps.sh installs it)"
command -v npm >/dev/null 2>&1 || skip "npm is not installed (deploy/install-deps.sh installs it)"
major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$major" -ge 18 ] || skip "node $(node --version) is too old: the client needs node 18 or later"

stamp=node_modules/.agreements-lock-sha256

lock_sum() {
  sha256sum package-lock.json | cut -d' ' -f1
}

# npm ci unless node_modules was installed from this very lock file. Exits 77 when the
# registry cannot be reached.
install_dependencies() {
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$(lock_sum)" ]; then
    return 0
  fi
  echo "node_modules missing or stale: npm ci --no-audit --no-fund" >&2
  local log
  log="$(mktemp)"
  if npm ci --no-audit --no-fund >"$log" 2>&1; then
    lock_sum >"$stamp"
    rm -f "$log"
    return 0
  fi
  cat "$log" >&2
  if grep -qiE 'ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|network|proxy' "$log"; then
    rm -f "$log"
    skip "npm ci could not reach the npm registry (no network?)"
  fi
  rm -f "$log"
  echo "npm ci failed" >&2
  exit 1
}

# Tests run in parallel under ctest -j: one npm ci at a time, the others then find the
# stamp. Without flock (not Linux), the first run should be alone.
lock="${AGREEMENTS_NODE_LOCK:-${TMPDIR:-/tmp}/agreements-node-npm-ci.lock}"
if command -v flock >/dev/null 2>&1; then
  exec 9>"$lock"
  flock 9
  install_dependencies
  flock -u 9
  exec 9>&-
else
  install_dependencies
fi

[ "$#" -gt 0 ] || set -- test/
exec node --test --test-reporter=spec "$@"

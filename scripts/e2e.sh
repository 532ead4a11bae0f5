#!/bin/sh
# The page's end-to-end tests: Debian's chromium driven by playwright-core
# (tests/e2e, pinned in its package-lock.json; no browser download), each
# test file against its own throwaway PostgreSQL cluster and claimdb.
# Skipped, with the reason printed, only where chromium (or node) is absent.
# Usage: e2e.sh CLAIMDB_BIN [TEST_FILE...]
set -eu
bin=$1
shift
cd "$(dirname "$0")/.."
sh scripts/deps.sh e2e || true
chromium=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium" ]; then
  echo "e2e: SKIPPED: the page's browser tests need Debian's chromium, and $chromium is absent (apt-get install chromium)"
  exit 0
fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "e2e: SKIPPED: the page's browser tests need node and npm (apt-get install nodejs npm)"
  exit 0
fi
if [ ! -f tests/e2e/node_modules/playwright-core/package.json ] \
   || [ tests/e2e/package-lock.json -nt tests/e2e/node_modules/.package-lock.json ]; then
  npm ci --prefix tests/e2e --no-audit --no-fund
fi
[ $# -gt 0 ] || set -- tests/e2e/*.test.js
# One file at a time (each starts a cluster, a server and a browser); the
# flag is newer than Debian 12's node 18, whose runner is told nothing.
conc=""
node --test-concurrency=1 -e 0 2>/dev/null && conc=--test-concurrency=1
CLAIMDB_BIN=$bin CHROMIUM=$chromium exec node --test $conc "$@"

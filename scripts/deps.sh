#!/bin/sh
# Makes sure the Debian packages a target needs are installed: installs the
# missing ones when run as root, otherwise prints the apt-get line and fails.
# Usage: deps.sh build|run|test|lint|bench|e2e|fuzz
set -eu
build="gcc make libc6-dev libmicrohttpd-dev libjansson-dev libpq-dev libsodium-dev libutf8proc-dev"
server="postgresql-15 postgresql-client-15"
# node and npm from Debian unless a node with its own npm (e.g. NodeSource's,
# which conflicts with Debian's npm package) is installed already
node=""
command -v node >/dev/null && command -v npm >/dev/null || node="nodejs npm"
case "${1:-build}" in
  build) want="$build" ;;
  run)   want="$build $server curl jq" ;;
  test)  want="$build $server python3 python3-pytest python3-requests docker-compose nodejs prometheus clang libclang-rt-14-dev" ;;
  fuzz)  want="$build clang libclang-rt-14-dev" ;;
  lint)  want="$build cppcheck clang-format docker-compose" ;;
  bench) want="$build $server python3 wrk curl util-linux chromium $node" ;;
  e2e)   want="chromium $node" ;;
  *) echo "deps.sh: unknown target $1" >&2; exit 2 ;;
esac
missing=""
for p in $want; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian packages:$missing" >&2
  export DEBIAN_FRONTEND=noninteractive
  # A fresh machine has no package lists yet; refresh them when a package is unknown.
  if ! apt-get install -y -q --no-install-recommends --no-upgrade $missing >&2; then
    apt-get update -q >&2 && apt-get install -y -q --no-install-recommends --no-upgrade $missing >&2
  fi
else
  echo "claimdb needs these Debian packages:$missing" >&2
  echo "Install them with:  sudo apt-get install -y$missing" >&2
  exit 1
fi

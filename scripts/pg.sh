#!/bin/sh
# A private PostgreSQL cluster in a folder: scripts/pg.sh start|stop|status|url DIR [PORT]
# Listens on 127.0.0.1:PORT and on a socket inside DIR; trusts local connections only.
# As root, the cluster runs as the unprivileged `postgres` user (initdb refuses root).
set -eu
cmd=${1:?usage: pg.sh start|stop|status|url DIR [PORT]}
dir=$(mkdir -p "${2:?DIR}" && cd "$2" && pwd)
port=${3:-54329}
bindir=${PG_BINDIR:-$(ls -d /usr/lib/postgresql/15/bin 2>/dev/null || dirname "$(command -v initdb)")}
data="$dir/data"

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
start)
  if [ ! -f "$data/PG_VERSION" ]; then
    if [ "$(id -u)" = 0 ]; then
      chown postgres "$dir"
      # The cluster's owner must be able to reach its folder: open the
      # execute (traverse) bit on any ancestor that closes it, e.g. /root.
      p=$dir
      while [ "$p" != / ]; do
        p=$(dirname "$p")
        if ! runuser -u postgres -- test -x "$p"; then
          echo "pg.sh: allowing the postgres user to traverse $p (chmod o+x)" >&2
          chmod o+x "$p"
        fi
      done
    fi
    as_owner "$bindir/initdb" -D "$data" -U claimdb -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    cat >>"$data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
fsync = ${PG_FSYNC:-on}
max_connections = 200
shared_buffers = 256MB
CONF
  fi
  if ! as_owner "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    as_owner "$bindir/pg_ctl" -D "$data" -o "-p $port" -l "$dir/server.log" -w -t 60 start >/dev/null \
      || { tail -20 "$dir/server.log" >&2; exit 1; }
  fi
  "$bindir/psql" -h 127.0.0.1 -p "$port" -U claimdb -d postgres -Atqc \
    "SELECT 1 FROM pg_database WHERE datname='claimdb'" | grep -q 1 \
    || "$bindir/createdb" -h 127.0.0.1 -p "$port" -U claimdb claimdb
  ;;
stop)
  [ -f "$data/PG_VERSION" ] && as_owner "$bindir/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
  ;;
status)
  as_owner "$bindir/pg_ctl" -D "$data" status
  ;;
url)
  echo "postgresql://claimdb@127.0.0.1:$port/claimdb"
  ;;
*) echo "usage: pg.sh start|stop|status|url DIR [PORT]" >&2; exit 2 ;;
esac

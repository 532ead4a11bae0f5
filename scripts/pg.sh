#!/bin/sh
# A private PostgreSQL cluster in a folder:
#   scripts/pg.sh start|stop|status|url DIR [PORT]
#   scripts/pg.sh psql DIR PORT [psql arguments]      (as the cluster's superuser)
#   scripts/pg.sh createdb DIR PORT NAME              (a database owned by claimdb)
# Listens on 127.0.0.1:PORT (password: scram-sha-256) and on a socket inside
# DIR (peer: only the cluster owner's own account). The role claimdb uses is
# NOT a superuser (row-level security applies to it) and owns the database
# `claimdb`; its random password is kept in DIR/claimdb.password (mode 600)
# and `url` prints the connection URL with it.
# As root, the cluster runs as the unprivileged `postgres` user (initdb refuses root).
set -eu
cmd=${1:?usage: pg.sh start|stop|status|url|psql|createdb DIR [PORT]}
dir=$(mkdir -p "${2:?DIR}" && cd "$2" && pwd)
port=${3:-54329}
bindir=${PG_BINDIR:-$(ls -d /usr/lib/postgresql/15/bin 2>/dev/null || dirname "$(command -v initdb)")}
data="$dir/data"
pwfile="$dir/claimdb.password"

if [ "$(id -u)" = 0 ]; then superuser=postgres; else superuser=$(id -un); fi

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# psql as the superuser over the socket (peer authentication).
su_psql() {
  as_owner "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U "$superuser" "$@"
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
    as_owner "$bindir/initdb" -D "$data" -U "$superuser" --auth-local=peer --auth-host=scram-sha-256 \
      -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    cat >>"$data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
fsync = ${PG_FSYNC:-on}
max_connections = 200
shared_buffers = 256MB
CONF
  elif grep -q '^host.*trust' "$data/pg_hba.conf" 2>/dev/null; then
    echo "pg.sh: $data trusts every local user and claimdb is its superuser (made before accounts existed);" >&2
    echo "pg.sh: row-level security does not apply to a superuser. Start afresh with: make db-reset" >&2
  fi
  # A postmaster killed a moment ago (the fault tests do) stays a zombie until
  # something reaps it, and its pid file then still names a live process, so
  # pg_ctl would take it for running: wait (up to 15 s) until it is gone.
  if [ -f "$data/postmaster.pid" ]; then
    pid=$(head -1 "$data/postmaster.pid")
    i=0
    while [ "$i" -lt 75 ] && [ "$(cut -d')' -f2 "/proc/$pid/stat" 2>/dev/null | cut -c2)" = Z ]; do
      sleep 0.2
      i=$((i + 1))
    done
  fi
  if ! as_owner "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    as_owner "$bindir/pg_ctl" -D "$data" -o "-p $port" -l "$dir/server.log" -w -t 60 start >/dev/null \
      || { tail -20 "$dir/server.log" >&2; exit 1; }
  fi
  if [ ! -s "$pwfile" ]; then
    (umask 077 && od -An -tx1 -N18 /dev/urandom | tr -d ' \n' >"$pwfile")
  fi
  if [ -f "$data/PG_VERSION" ] && ! grep -q '^host.*trust' "$data/pg_hba.conf"; then
    pw=$(cat "$pwfile")
    su_psql -d postgres -v pw="$pw" <<'SQL'
SELECT format('CREATE ROLE claimdb LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS PASSWORD %L', :'pw')
  WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'claimdb') \gexec
SELECT format('ALTER ROLE claimdb PASSWORD %L', :'pw') \gexec
SELECT 'CREATE DATABASE claimdb OWNER claimdb' WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'claimdb') \gexec
SQL
    # Search keeps its indexes under row-level security (scripts/leakproof.sql):
    # in template1 for the databases made later (tests), and in claimdb. Once per
    # cluster (a marker remembers it), so that a restart, after a crash too, does
    # no more than start; a failure here only slows search, so it warns.
    if [ ! -f "$dir/leakproof.applied" ]; then
      if su_psql -d template1 <"$(dirname "$0")/leakproof.sql" && su_psql -d claimdb <"$(dirname "$0")/leakproof.sql"; then
        touch "$dir/leakproof.applied"
      else
        echo "pg.sh: could not apply scripts/leakproof.sql (search will not use its indexes under row-level security)" >&2
      fi
    fi
  else
    "$bindir/psql" -h 127.0.0.1 -p "$port" -U claimdb -d postgres -Atqc \
      "SELECT 1 FROM pg_database WHERE datname='claimdb'" | grep -q 1 \
      || "$bindir/createdb" -h 127.0.0.1 -p "$port" -U claimdb claimdb
  fi
  ;;
stop)
  [ -f "$data/PG_VERSION" ] && as_owner "$bindir/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
  ;;
status)
  as_owner "$bindir/pg_ctl" -D "$data" status
  ;;
url)
  if [ -s "$pwfile" ] && ! grep -q '^host.*trust' "$data/pg_hba.conf" 2>/dev/null; then
    echo "postgresql://claimdb:$(cat "$pwfile")@127.0.0.1:$port/claimdb"
  else
    echo "postgresql://claimdb@127.0.0.1:$port/claimdb"
  fi
  ;;
psql)
  shift 3
  su_psql "$@"
  ;;
createdb)
  name=${4:?usage: pg.sh createdb DIR PORT NAME}
  su_psql -d postgres -c "CREATE DATABASE \"$name\" OWNER claimdb"
  ;;
*) echo "usage: pg.sh start|stop|status|url|psql|createdb DIR [PORT]" >&2; exit 2 ;;
esac

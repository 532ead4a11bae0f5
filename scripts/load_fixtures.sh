#!/bin/sh
# Migrates the database and, on the first start only, loads the fixture
# dataset (a marker in DATA remembers it, so later edits made through the
# API are never overwritten) and creates the user "owner" (server admin,
# owner of the default project) with an API token kept in DATA/token and a
# password for the page kept in DATA/owner.password, both readable only by
# whoever ran it. Usage: load_fixtures.sh CLAIMDB_BIN DATA_DIR
set -eu
bin=$1
data=$2
"$bin" migrate
fixtures=fixtures/claimdb.ndjson
marker="$data/fixtures-loaded"
if [ -f "$fixtures" ] && [ ! -f "$marker" ]; then
  "$bin" import "$fixtures"
  sha256sum "$fixtures" > "$marker"
fi
token_file="$data/token"
if [ ! -s "$token_file" ]; then
  password_file="$data/owner.password"
  # 24 random characters from the kernel's generator: the page's sign-in
  (umask 077 && head -c 18 /dev/urandom | base64 | tr '+/' '-_' >"$password_file")
  "$bin" user add owner --admin 2>/dev/null || true
  "$bin" user password owner <"$password_file"
  "$bin" project member default owner owner
  (umask 077 && "$bin" token create --user owner --scope read,write,admin --name make-run >"$token_file")
  cat >&2 <<EOF

claimdb: first start. The user "owner" (server admin, owner of the project "default")
has an API token, kept in $token_file, and a password, kept in
$password_file (both readable only by you).

  The page: http://127.0.0.1:${PORT:-8080}/  (sign in as owner with that password)
  The API:  TOKEN=\$(cat $token_file)
            curl -H "Authorization: Bearer \$TOKEN" 127.0.0.1:${PORT:-8080}/v1/me

The command line (more users, tokens, projects; see README) reaches this database with
  export DATABASE_URL=\$(sh scripts/pg.sh url $data/pg ${DEV_PGPORT:-54329})
then e.g. build/claimdb user password owner  (another password, read from standard input).

EOF
fi

#!/bin/sh
# Migrates the database and, on the first start only, loads the fixture
# dataset (a marker in DATA remembers it, so later edits made through the
# API are never overwritten) and creates the user "owner" (server admin,
# owner of the default project) with an API token kept in DATA/token,
# readable only by whoever ran it. Usage: load_fixtures.sh CLAIMDB_BIN DATA_DIR
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
  "$bin" user add owner --admin 2>/dev/null || true
  "$bin" project member default owner owner
  (umask 077 && "$bin" token create --user owner --scope read,write,admin --name make-run >"$token_file")
  cat >&2 <<EOF

claimdb: first start. The user "owner" (server admin, owner of the project "default")
has an API token, kept in $token_file (readable only by you). Use it like this:

  TOKEN=\$(cat $token_file)
  curl -H "Authorization: Bearer \$TOKEN" 127.0.0.1:${PORT:-8080}/v1/me

More users, tokens and projects: build/claimdb user add / token create / project add (see README).

EOF
fi

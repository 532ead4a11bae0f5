#!/bin/sh
# Migrates the database and, on the first start only, loads the fixture
# dataset (a marker in DATA remembers it, so later edits made through the
# API are never overwritten). Usage: load_fixtures.sh CLAIMDB_BIN DATA_DIR
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

#!/bin/sh
# Prints the schema the migrations produce, in readable form, without the
# noise that varies between machines. schema/schema.sql is this output (a
# test keeps it current). Usage: dump_schema.sh DATABASE_URL
set -eu
pg_dump --schema-only --no-owner --no-privileges --exclude-table=schema_migrations "$1" \
  | grep -v -e '^--' -e '^SET ' -e '^SELECT pg_catalog.set_config' -e '^\\restrict' -e '^\\unrestrict' \
  | cat -s

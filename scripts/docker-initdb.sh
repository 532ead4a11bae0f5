#!/bin/sh
# Run once by the postgres image on an empty volume (/docker-entrypoint-initdb.d):
# claimdb's role is an ordinary one (not a superuser, no BYPASSRLS), so that
# row-level security applies to it, and it owns the claimdb database.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres -v pw="${CLAIMDB_DB_PASSWORD:-claimdb}" <<'SQL'
SELECT format('CREATE ROLE claimdb LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS PASSWORD %L', :'pw') \gexec
CREATE DATABASE claimdb OWNER claimdb ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8' TEMPLATE template0;
SQL
# Search keeps its indexes under row-level security: see scripts/leakproof.sql
# (the same three lines; this script is all the image mounts).
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname claimdb <<'SQL'
ALTER FUNCTION pg_catalog.ts_match_vq(tsvector, tsquery) LEAKPROOF;
ALTER FUNCTION pg_catalog.texticregexeq(text, text) LEAKPROOF;
ALTER FUNCTION pg_catalog.textcat(text, text) LEAKPROOF;
SQL

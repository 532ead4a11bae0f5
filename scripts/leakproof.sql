-- Run as a superuser in claimdb's database (scripts/pg.sh does, in template1
-- and claimdb, so that every database of the private cluster has it).
--
-- Row-level security (issue 10) lets PostgreSQL use a condition of a query
-- inside an index scan only when every function in it is LEAKPROOF: one that
-- is not might reveal, through an error, something of a row the policy hides.
-- The full-text match (@@), the case-insensitive regular expression (~*) and
-- text concatenation (||) are not marked so by PostgreSQL, although they
-- raise no error that depends on the row's data. Without these three lines
-- search falls back to reading every claim (a phrase over 100 000 claims:
-- 0.6 instead of ~18 requests a second in make bench). Idempotent.
ALTER FUNCTION pg_catalog.ts_match_vq(tsvector, tsquery) LEAKPROOF;
ALTER FUNCTION pg_catalog.texticregexeq(text, text) LEAKPROOF;
ALTER FUNCTION pg_catalog.textcat(text, text) LEAKPROOF;

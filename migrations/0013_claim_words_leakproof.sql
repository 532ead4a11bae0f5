-- The word-prefix index of 0012 again, over an expression PostgreSQL may use
-- under row-level security: coalesce() counts as a possible leak there (only
-- CASE, NULL tests, || and ~* marked LEAKPROOF by scripts/leakproof.sql are
-- let into an index scan of a table with policies), so the quote is joined
-- with a CASE instead. CLAIM_WORDS_SQL in server/db.h is the same expression.
DROP INDEX claims_words_trgm;
CREATE INDEX claims_words_trgm ON claims USING gin
  ((text || CASE WHEN exact IS NULL THEN '' ELSE ' ' || exact END) gin_trgm_ops);
COMMENT ON INDEX claims_words_trgm IS 'Word-prefix search (claimdb_prefix_regex) over a claim''s text and quote together.';

-- One trigram index for the word-prefix search of claims instead of two
-- (issue 13's claims_text_trgm and claims_exact_trgm): every claim written
-- maintained both GIN indexes, which made loading claims about twice as slow
-- (20 000 claims by COPY: 5.4 s with both, 2.7 s with neither). The queries
-- match the claim's text and quote as one string, CLAIM_WORDS in the C code:
-- (text || ' ' || coalesce(exact, '')).
DROP INDEX claims_text_trgm;
DROP INDEX claims_exact_trgm;
CREATE INDEX claims_words_trgm ON claims USING gin ((text || ' ' || coalesce(exact, '')) gin_trgm_ops);
COMMENT ON INDEX claims_words_trgm IS 'Word-prefix search (claimdb_prefix_regex) over a claim''s text and quote together.';

-- A phrase matches within one field, not across two (issue 13: "a phrase
-- finds only the phrase").
--
-- A claim's search vector is its text's vector followed by its quote's, and a
-- document's its title's followed by its text's (claimdb_tsvector). tsvector
-- concatenation numbers the second vector's words on from the first's last
-- one, so the last word of a claim's text and the first of its quote stood
-- side by side: "report rejected" found a claim whose text ends with "the
-- report" and whose quote begins with "Rejected", and the word pairs (0017)
-- held that pair too. Now ten positions stand between the fields: a marker
-- lexeme (a control character, which no parser emits and no query holds) is
-- concatenated between the two vectors at that distance and then removed, and
-- removing a lexeme keeps the others' positions. A phrase would need nine stop
-- words in a row to reach across. Ten, not more: ts_rank_cd divides by the
-- distance between a hit's words, and a hit with one word in each field must
-- still rank above a word-prefix-only hit (at most 0.01; such a two-word hit
-- went from 0.57 to 0.052; at a gap of 100 it fell to 0.0057). Past 16,383
-- words PostgreSQL clamps positions, so a first field that long can still
-- touch the second.
--
-- claimdb_tsvector was marked PARALLEL SAFE, but its EXCEPTION block starts a
-- subtransaction, which a parallel worker may not: PARALLEL UNSAFE now.
--
-- The claims with a quote (no other claim's vector changes) and every
-- document are written again, triggers off (no revision, no updated_at), as
-- 0017 did. The search configurations are unchanged.

CREATE OR REPLACE FUNCTION claimdb_tsvector(config regconfig, title text, body text) RETURNS tsvector
LANGUAGE plpgsql IMMUTABLE PARALLEL UNSAFE AS $$
DECLARE
  -- concatenated between the two fields' vectors, then deleted: ten
  -- positions from the title's last word to the body's first
  apart CONSTANT tsvector := ('''' || chr(1) || ''':10')::tsvector;
BEGIN
  RETURN ts_delete(setweight(to_tsvector(config, coalesce(title, '')), 'A') || apart
                   || setweight(to_tsvector(config, coalesce(body, '')), 'B'), chr(1));
EXCEPTION WHEN program_limit_exceeded THEN
  RETURN ts_delete(setweight(to_tsvector(config, coalesce(title, '')), 'A') || apart
                   || setweight(to_tsvector(config, left(coalesce(body, ''), 100000)), 'B'), chr(1));
END $$;
COMMENT ON FUNCTION claimdb_tsvector(regconfig, text, text) IS
  'Weighted search vector (title A, body B, ten positions apart so that no phrase spans both) that degrades instead of failing on huge texts.';

ALTER TABLE claims DISABLE TRIGGER USER;
UPDATE claims SET search = claimdb_claim_search(search_config, text, exact)
  WHERE exact IS NOT NULL AND exact <> '';
ALTER TABLE claims ENABLE TRIGGER USER;

-- A stored generated column is computed again by any UPDATE of its row.
ALTER TABLE documents DISABLE TRIGGER USER;
UPDATE documents SET title = title;
ALTER TABLE documents ENABLE TRIGGER USER;

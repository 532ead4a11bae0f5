-- A search query states each of its forms once (issue 13: the cost of a
-- phrase search).
--
-- claimdb_tsquery parses the query with every configuration in use and ORs
-- the results, so that one GIN lookup serves every language. Most words parse
-- the same in several of them: "human rights" became
--   'human' <-> 'rights' | 'human' <-> 'right' | 'human' <-> 'right' | 'human' <-> 'right'
-- (simple, english, french, german), and every row a search checks or ranks
-- evaluated each copy. Each distinct form is now kept once, in a fixed order:
-- the same rows match and ts_rank_cd gives the same ranks (checked on the
-- 1,820 matches of that phrase among the bench's 1,000,000 claims), at about
-- half the cost per row (ranking them: 12.7 -> 7.4 ms).

CREATE OR REPLACE FUNCTION claimdb_tsquery(q text) RETURNS tsquery
LANGUAGE sql STABLE PARALLEL SAFE
SET client_min_messages TO 'warning'
AS $$
  SELECT coalesce(string_agg(form, ' | ' ORDER BY form)::tsquery, ''::tsquery)
  FROM (SELECT DISTINCT websearch_to_tsquery(config, q)::text AS form FROM search_configs) s
  WHERE form <> ''
$$;
COMMENT ON FUNCTION claimdb_tsquery(q text) IS
  'A websearch query parsed with every configuration in use, each distinct form once, OR''ed: one GIN lookup for all languages.';

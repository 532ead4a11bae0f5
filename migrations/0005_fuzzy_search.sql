-- Finding existing actors and sources without knowing their exact spelling
-- (issue 12): ranked fuzzy search with pg_trgm over actor names and aliases
-- and over source titles and URLs, and the forwarding address of a merged
-- actor.

-- pg_trgm is a trusted extension (PostgreSQL 13+): a database owner that is
-- not a superuser may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Every name an actor goes by, lower-cased, one per line: what ?q= matches
-- (a line break cannot occur inside a trigram, so names do not run into each
-- other).
CREATE FUNCTION actor_search_text(name text, aliases text[]) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT lower(array_to_string(array_prepend(name, aliases), E'\n'))
$$;
COMMENT ON FUNCTION actor_search_text(text, text[]) IS 'Lower-cased name and aliases of an actor, one per line, for trigram search.';

-- How well query q names the text t (both lower-cased): 1 when t contains
-- q, else pg_trgm's word similarity (the best run of t's words).
CREATE FUNCTION search_score(q text, t text) RETURNS real
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN t IS NULL THEN 0 WHEN strpos(t, q) > 0 THEN 1 ELSE word_similarity(q, t) END
$$;
COMMENT ON FUNCTION search_score(text, text) IS 'Rank of a text for a search query: 1 for a substring, else trigram word similarity.';

-- A LIKE pattern matching q anywhere, its % _ \ taken literally.
CREATE FUNCTION like_anywhere(q text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT '%' || replace(replace(replace(q, '\', '\\'), '%', '\%'), '_', '\_') || '%'
$$;
COMMENT ON FUNCTION like_anywhere(text) IS 'LIKE pattern for q as a literal substring.';

CREATE INDEX actors_search ON actors USING gin (actor_search_text(name, aliases) gin_trgm_ops);

CREATE FUNCTION source_search_text(title text, url text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT lower(title || coalesce(E'\n' || url, ''))
$$;
COMMENT ON FUNCTION source_search_text(text, text) IS 'Lower-cased title and URL of a source, for trigram search.';
CREATE INDEX sources_search ON sources USING gin (source_search_text(title, url) gin_trgm_ops);

-- The actors and sources a query q (lower-cased) names, with their score:
-- the ones containing it, or whose words are similar enough (<%, answered
-- by the trigram indexes). pg_trgm's default threshold for <% (0.6) misses
-- a typo in a short query ("chinse misson" is 0.55 from "permanent mission
-- of china"); the functions set 0.3 for their own statement only, and the
-- caller ranks.
CREATE FUNCTION actor_matches(q text) RETURNS TABLE (id uuid, score real)
LANGUAGE sql STABLE PARALLEL SAFE SET pg_trgm.word_similarity_threshold = 0.3 AS $$
  SELECT a.id, search_score(q, actor_search_text(a.name, a.aliases)) FROM actors a
  WHERE actor_search_text(a.name, a.aliases) LIKE like_anywhere(q) OR q <% actor_search_text(a.name, a.aliases)
$$;
COMMENT ON FUNCTION actor_matches(text) IS 'Actors whose names or aliases contain or resemble q (lower-cased), with a score.';

CREATE FUNCTION source_matches(q text) RETURNS TABLE (id uuid, score real)
LANGUAGE sql STABLE PARALLEL SAFE SET pg_trgm.word_similarity_threshold = 0.3 AS $$
  SELECT s.id, search_score(q, source_search_text(s.title, s.url)) FROM sources s
  WHERE source_search_text(s.title, s.url) LIKE like_anywhere(q) OR q <% source_search_text(s.title, s.url)
$$;
COMMENT ON FUNCTION source_matches(text) IS 'Sources whose title or URL contain or resemble q (lower-cased), with a score.';

-- ---------------------------------------------------------------- actor_merges
CREATE TABLE actor_merges (
  merged_id  uuid PRIMARY KEY,
  into_id    uuid NOT NULL REFERENCES actors ON DELETE CASCADE,
  project_id uuid NOT NULL REFERENCES projects,
  merged_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE actor_merges IS 'Where merged actors went: GET /v1/actors/{merged_id} answers 308 to into_id.';
COMMENT ON COLUMN actor_merges.merged_id IS 'The id of the actor that was merged away (no longer a row of actors).';
COMMENT ON COLUMN actor_merges.into_id IS 'The actor it was merged into; kept current when that one is merged in turn.';
COMMENT ON COLUMN actor_merges.project_id IS 'Project of both actors.';
COMMENT ON COLUMN actor_merges.merged_at IS 'When the merge happened.';
CREATE INDEX actor_merges_into ON actor_merges (into_id);
-- Row-level security as on actors (0003_teams.sql): a merged id forwards only
-- for callers who may read its project; merges are recorded where the caller
-- writes (the merge itself is guarded by actors' claimdb_guard: curators).
ALTER TABLE actor_merges ENABLE ROW LEVEL SECURITY;
ALTER TABLE actor_merges FORCE ROW LEVEL SECURITY;
CREATE POLICY actor_merges_read ON actor_merges FOR SELECT
  USING (project_id = ANY ((SELECT claimdb_projects('read'))::uuid[]) OR (SELECT claimdb_is_admin()));
CREATE POLICY actor_merges_create ON actor_merges FOR INSERT
  WITH CHECK (project_id = ANY ((SELECT claimdb_projects('write'))::uuid[]) OR (SELECT claimdb_is_admin()));
CREATE POLICY actor_merges_change ON actor_merges FOR UPDATE
  USING (project_id = ANY ((SELECT claimdb_projects('write'))::uuid[]) OR (SELECT claimdb_is_admin()))
  WITH CHECK (project_id = ANY ((SELECT claimdb_projects('write'))::uuid[]) OR (SELECT claimdb_is_admin()));
CREATE POLICY actor_merges_delete ON actor_merges FOR DELETE
  USING (project_id = ANY ((SELECT claimdb_projects('write'))::uuid[]) OR (SELECT claimdb_is_admin()));

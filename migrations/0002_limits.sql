-- Every limit the API enforces is also a CHECK here, so that no path (the
-- import, the CLI, a direct INSERT) stores what the API refuses. The limits
-- are server/entities.c's max_len (in code points, as the API counts); a
-- test compares the two. Constraint names are <table>_<column>_length: the
-- error classifier (server/errors.c) names the field from them.

-- The longest item of a text array, in code points (0 for an empty array).
CREATE FUNCTION claimdb_longest(items text[]) RETURNS integer
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT coalesce(max(char_length(item)), 0) FROM unnest(items) AS item $$;
COMMENT ON FUNCTION claimdb_longest(text[]) IS 'The longest item of a text array in code points, for CHECKs on tags and aliases.';

ALTER TABLE projects
  ADD CONSTRAINT projects_slug_length CHECK (char_length(slug) <= 63),
  ADD CONSTRAINT projects_annotator_length CHECK (char_length(annotator) <= 200);

ALTER TABLE actors
  ADD CONSTRAINT actors_aliases_length CHECK (claimdb_longest(aliases) <= 500 AND '' <> ALL (aliases)),
  ADD CONSTRAINT actors_annotator_length CHECK (char_length(annotator) <= 200);

ALTER TABLE documents
  ADD CONSTRAINT documents_url_length CHECK (char_length(url) <= 2000),
  ADD CONSTRAINT documents_publisher_length CHECK (char_length(publisher) <= 500),
  ADD CONSTRAINT documents_author_length CHECK (char_length(author) <= 500),
  ADD CONSTRAINT documents_language_length CHECK (char_length(language) <= 35),
  ADD CONSTRAINT documents_external_id_length CHECK (char_length(external_id) <= 500),
  ADD CONSTRAINT documents_annotator_length CHECK (char_length(annotator) <= 200);

ALTER TABLE claims
  ADD CONSTRAINT claims_tags_length CHECK (claimdb_longest(tags) <= 200 AND '' <> ALL (tags)),
  ADD CONSTRAINT claims_annotator_length CHECK (char_length(annotator) <= 200);

ALTER TABLE sources
  ADD CONSTRAINT sources_url_length CHECK (char_length(url) <= 2000),
  ADD CONSTRAINT sources_annotator_length CHECK (char_length(annotator) <= 200);

ALTER TABLE attributions
  ADD CONSTRAINT attributions_role_length CHECK (char_length(role) <= 500),
  ADD CONSTRAINT attributions_cue_length CHECK (char_length(cue) <= 1000),
  ADD CONSTRAINT attributions_annotator_length CHECK (char_length(annotator) <= 200);

ALTER TABLE relations
  ADD CONSTRAINT relations_annotator_length CHECK (char_length(annotator) <= 200);

ALTER TABLE citations
  ADD CONSTRAINT citations_locator_length CHECK (char_length(locator) <= 1000),
  ADD CONSTRAINT citations_annotator_length CHECK (char_length(annotator) <= 200);

-- Full-text and trigram search over claims and documents (issue 13).
--
-- Each document is indexed with the text-search configuration of its
-- language (claimdb_ts_config; 'simple', which only lower-cases, when the
-- language is unknown or PostgreSQL has no stemmer for it); a claim takes
-- its document's. A query is parsed once with every configuration in use
-- (search_configs) and the parses are OR'ed (claimdb_tsquery), so that one
-- GIN index answers it whatever the mix of languages: "rejects" is stemmed
-- to 'reject' for English rows and stays 'rejects' for 'simple' ones.
-- pg_trgm indexes serve partial words and names as case-insensitive
-- substrings ("Wenb", "detain").

CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- The configuration for a BCP 47 language tag: its primary subtag mapped
-- to the stemmers PostgreSQL 15 ships. IMMUTABLE: the mapping is fixed
-- here, so generated columns and indexes may use it.
CREATE FUNCTION claimdb_ts_config(language text) RETURNS regconfig
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE split_part(lower(coalesce(language, '')), '-', 1)
    WHEN 'ar' THEN 'pg_catalog.arabic'::regconfig WHEN 'hy' THEN 'pg_catalog.armenian'
    WHEN 'eu' THEN 'pg_catalog.basque' WHEN 'ca' THEN 'pg_catalog.catalan'
    WHEN 'da' THEN 'pg_catalog.danish' WHEN 'nl' THEN 'pg_catalog.dutch'
    WHEN 'en' THEN 'pg_catalog.english' WHEN 'fi' THEN 'pg_catalog.finnish'
    WHEN 'fr' THEN 'pg_catalog.french' WHEN 'de' THEN 'pg_catalog.german'
    WHEN 'el' THEN 'pg_catalog.greek' WHEN 'hi' THEN 'pg_catalog.hindi'
    WHEN 'hu' THEN 'pg_catalog.hungarian' WHEN 'id' THEN 'pg_catalog.indonesian'
    WHEN 'ga' THEN 'pg_catalog.irish' WHEN 'it' THEN 'pg_catalog.italian'
    WHEN 'lt' THEN 'pg_catalog.lithuanian' WHEN 'ne' THEN 'pg_catalog.nepali'
    WHEN 'no' THEN 'pg_catalog.norwegian' WHEN 'nb' THEN 'pg_catalog.norwegian'
    WHEN 'nn' THEN 'pg_catalog.norwegian' WHEN 'pt' THEN 'pg_catalog.portuguese'
    WHEN 'ro' THEN 'pg_catalog.romanian' WHEN 'ru' THEN 'pg_catalog.russian'
    WHEN 'sr' THEN 'pg_catalog.serbian' WHEN 'es' THEN 'pg_catalog.spanish'
    WHEN 'sv' THEN 'pg_catalog.swedish' WHEN 'ta' THEN 'pg_catalog.tamil'
    WHEN 'tr' THEN 'pg_catalog.turkish' WHEN 'yi' THEN 'pg_catalog.yiddish'
    ELSE 'pg_catalog.simple' END
$$;
COMMENT ON FUNCTION claimdb_ts_config(text) IS 'Text-search configuration for a BCP 47 language tag; simple when unknown.';

-- A tsvector never fails an insert: PostgreSQL refuses vectors over 1 MB,
-- so a text that would make one is indexed on its first 100 000 code points
-- (positions past 16 383 are clamped by PostgreSQL anyway).
CREATE FUNCTION claimdb_tsvector(config regconfig, title text, body text) RETURNS tsvector
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
  RETURN setweight(to_tsvector(config, coalesce(title, '')), 'A')
      || setweight(to_tsvector(config, coalesce(body, '')), 'B');
EXCEPTION WHEN program_limit_exceeded THEN
  RETURN setweight(to_tsvector(config, coalesce(title, '')), 'A')
      || setweight(to_tsvector(config, left(coalesce(body, ''), 100000)), 'B');
END $$;
COMMENT ON FUNCTION claimdb_tsvector(regconfig, text, text) IS 'Weighted search vector (title A, body B) that degrades instead of failing on huge texts.';

-- The configurations in use: one row per configuration any document or
-- claim is indexed with ('simple' always, for claims without a document).
CREATE TABLE search_configs (
  config regconfig PRIMARY KEY
);
COMMENT ON TABLE search_configs IS 'Text-search configurations in use; a query is parsed once with each.';
COMMENT ON COLUMN search_configs.config IS 'A configuration some document or claim is indexed with.';
INSERT INTO search_configs VALUES ('pg_catalog.simple'), ('pg_catalog.english');

-- websearch_to_tsquery syntax ("a phrase", or, -word) parsed with every
-- configuration in use, OR'ed. The SET keeps PostgreSQL's notice about a
-- query of stop words only out of the server's log.
CREATE FUNCTION claimdb_tsquery(q text) RETURNS tsquery
LANGUAGE sql STABLE PARALLEL SAFE SET client_min_messages = warning AS $$
  SELECT coalesce(string_agg(websearch_to_tsquery(config, q)::text, ' | ')::tsquery, ''::tsquery)
  FROM (SELECT config FROM search_configs ORDER BY config) s
  WHERE websearch_to_tsquery(config, q) <> ''::tsquery
$$;
COMMENT ON FUNCTION claimdb_tsquery(text) IS 'A websearch query parsed with every configuration in use, OR''ed: one GIN lookup for all languages.';

-- Partial words and names: a case-insensitive regular expression matching
-- q at the start of a word ("Wenb" finds "Wang Wenbin", "detain" finds
-- "detained"), with q's characters taken literally. NULL when q is shorter
-- than 3 characters (a trigram index cannot help) or uses websearch syntax
-- (a "phrase", -word, or): such a query means its full-text reading only.
CREATE FUNCTION claimdb_prefix_regex(q text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT CASE WHEN char_length(btrim(q)) >= 3 AND q !~* '"|(^|\s)-|\sor\s'
    THEN '\m' || regexp_replace(btrim(q), '([.^$*+?()[\]{}|\\])', '\\\1', 'g') END
$$;
COMMENT ON FUNCTION claimdb_prefix_regex(text) IS 'Regular expression matching q literally at the start of a word, or NULL when q is too short or uses websearch operators.';

ALTER TABLE documents
  ADD COLUMN search tsvector GENERATED ALWAYS AS
    (claimdb_tsvector(claimdb_ts_config(language), title, text)) STORED;
COMMENT ON COLUMN documents.search IS 'Full-text vector of title (weight A) and text (B), in the configuration of language.';
CREATE INDEX documents_search ON documents USING gin (search);
CREATE INDEX documents_title_trgm ON documents USING gin (title gin_trgm_ops);

ALTER TABLE claims
  ADD COLUMN search_config regconfig NOT NULL DEFAULT 'pg_catalog.simple',
  ADD COLUMN search tsvector;
COMMENT ON COLUMN claims.search_config IS 'Text-search configuration of the claim''s document language (simple without one).';
COMMENT ON COLUMN claims.search IS 'Full-text vector of text (weight A) and exact (B), kept by a trigger.';

CREATE FUNCTION claims_search_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.search_config := coalesce((SELECT claimdb_ts_config(d.language) FROM documents d
                                 WHERE d.id = NEW.document_id), 'pg_catalog.simple');
  NEW.search := claimdb_tsvector(NEW.search_config, NEW.text, NEW.exact);
  RETURN NEW;
END $$;
COMMENT ON FUNCTION claims_search_update() IS 'Indexes a claim''s text and quote in its document''s language.';
CREATE TRIGGER claims_search BEFORE INSERT OR UPDATE OF text, exact, document_id ON claims
  FOR EACH ROW EXECUTE FUNCTION claims_search_update();

-- A document's language decides its claims' configuration too.
CREATE FUNCTION documents_search_config() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO search_configs VALUES (claimdb_ts_config(NEW.language)) ON CONFLICT DO NOTHING;
  IF TG_OP = 'UPDATE' AND claimdb_ts_config(NEW.language) IS DISTINCT FROM claimdb_ts_config(OLD.language) THEN
    UPDATE claims SET search_config = claimdb_ts_config(NEW.language),
                      search = claimdb_tsvector(claimdb_ts_config(NEW.language), text, exact)
    WHERE document_id = NEW.id;
  END IF;
  RETURN NULL;
END $$;
COMMENT ON FUNCTION documents_search_config() IS 'Records a document''s configuration as in use and re-indexes its claims when its language changes.';
CREATE TRIGGER documents_search_config AFTER INSERT OR UPDATE OF language ON documents
  FOR EACH ROW EXECUTE FUNCTION documents_search_config();

-- Index the rows already there without touching their updated_at.
INSERT INTO search_configs SELECT DISTINCT claimdb_ts_config(language) FROM documents ON CONFLICT DO NOTHING;
ALTER TABLE claims DISABLE TRIGGER claims_touch;
UPDATE claims c SET search_config = claimdb_ts_config(d.language) FROM documents d WHERE d.id = c.document_id;
UPDATE claims SET search = claimdb_tsvector(search_config, text, exact);
ALTER TABLE claims ENABLE TRIGGER claims_touch;
ALTER TABLE claims ALTER COLUMN search SET NOT NULL;
CREATE INDEX claims_search ON claims USING gin (search);
CREATE INDEX claims_text_trgm ON claims USING gin (text gin_trgm_ops);
CREATE INDEX claims_exact_trgm ON claims USING gin (exact gin_trgm_ops);

-- claimdb data model, version 1.
-- Applied by `claimdb migrate` inside one transaction; do not edit once applied
-- (the checksum recorded in schema_migrations would no longer match).

-- Time-ordered UUIDs (UUIDv7, RFC 9562, with the sub-millisecond fraction in
-- the 12 bits after the version, its "method 3"): globally unique, so datasets
-- from two installations merge, and ordered by creation time to a quarter of a
-- microsecond, so keyset pages by id follow the order rows were made and index
-- inserts stay local.
CREATE FUNCTION uuidv7() RETURNS uuid
LANGUAGE plpgsql VOLATILE PARALLEL SAFE AS $$
DECLARE
  epoch_ms numeric := extract(epoch FROM clock_timestamp()) * 1000;
  ms bigint := floor(epoch_ms);
  fraction int := floor((epoch_ms - ms) * 4096);
  bytes bytea := uuid_send(gen_random_uuid());
BEGIN
  bytes := overlay(bytes PLACING substring(int8send(ms) FROM 3) FROM 1 FOR 6);
  bytes := set_byte(bytes, 6, 112 + (fraction >> 8));
  bytes := set_byte(bytes, 7, fraction & 255);
  RETURN encode(bytes, 'hex')::uuid;
END $$;
COMMENT ON FUNCTION uuidv7() IS 'A UUIDv7: Unix time in milliseconds, 12 bits of sub-millisecond fraction, 62 random bits.';

DO $$
BEGIN
  IF pg_encoding_to_char((SELECT encoding FROM pg_database WHERE datname = current_database())) <> 'UTF8' THEN
    RAISE EXCEPTION 'claimdb needs a UTF8 database; this one is %',
      pg_encoding_to_char((SELECT encoding FROM pg_database WHERE datname = current_database()));
  END IF;
END $$;

-- Immutable because the database encoding is UTF8 (checked above), so the
-- conversion is the identity; generated columns need an immutable expression.
CREATE FUNCTION text_sha256(text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT encode(sha256(convert_to($1, 'UTF8')), 'hex')
$$;
COMMENT ON FUNCTION text_sha256(text) IS 'Hex SHA-256 of the UTF-8 bytes of a text.';

-- Every name an actor goes by, lower-cased: the key of the name-or-alias lookup.
CREATE FUNCTION actor_names(name text, aliases text[]) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT array_agg(lower(n)) FROM unnest(array_prepend(name, aliases)) AS n
$$;
COMMENT ON FUNCTION actor_names(text, text[]) IS 'Lower-cased name and aliases of an actor, for case-insensitive lookup.';

CREATE FUNCTION touch_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW IS DISTINCT FROM OLD THEN
    NEW.updated_at := now();
  END IF;
  RETURN NEW;
END $$;
COMMENT ON FUNCTION touch_updated_at() IS 'Sets updated_at on every UPDATE that changes the row.';

CREATE TYPE actor_kind AS ENUM ('person', 'organisation', 'government', 'intergovernmental', 'media', 'group', 'other');
CREATE TYPE claim_kind AS ENUM ('factual', 'statistical', 'evaluative', 'normative', 'causal', 'predictive', 'other');
CREATE TYPE attribution_mode AS ENUM ('direct_quote', 'indirect', 'paraphrase', 'endorsement', 'implicit');
CREATE TYPE relation_kind AS ENUM ('refutes', 'disputes', 'supports', 'restates', 'qualifies', 'responds_to');
CREATE TYPE source_kind AS ENUM ('report', 'statement', 'article', 'statistic', 'testimony', 'law', 'dataset', 'other');
COMMENT ON TYPE actor_kind IS 'What sort of party an actor is.';
COMMENT ON TYPE claim_kind IS 'What sort of proposition a claim is.';
COMMENT ON TYPE attribution_mode IS 'How the text conveys that the actor asserts the claim.';
COMMENT ON TYPE relation_kind IS 'How one claim bears on another, read as "from <kind> to".';
COMMENT ON TYPE source_kind IS 'What sort of evidence a source is.';

-- ---------------------------------------------------------------- projects
CREATE TABLE projects (
  id          uuid PRIMARY KEY DEFAULT uuidv7(),
  slug        text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 500),
  description text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  annotator   text
);
COMMENT ON TABLE projects IS 'A research project: the unit that owns every other row (access control will hang off it).';
COMMENT ON COLUMN projects.id IS 'Stable identifier (UUID).';
COMMENT ON COLUMN projects.slug IS 'Short URL-safe name, unique.';
COMMENT ON COLUMN projects.name IS 'Human-readable name.';
COMMENT ON COLUMN projects.description IS 'What the project studies.';
COMMENT ON COLUMN projects.created_at IS 'When the row was created.';
COMMENT ON COLUMN projects.updated_at IS 'When the row last changed.';
COMMENT ON COLUMN projects.annotator IS 'Who created the row (free text until accounts exist).';

INSERT INTO projects (id, slug, name, description, created_at, updated_at)
VALUES ('00000000-0000-7000-8000-000000000001', 'default', 'Default project',
        'The project every row belongs to unless another is named.',
        '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');

-- ---------------------------------------------------------------- documents
CREATE TABLE documents (
  id           uuid PRIMARY KEY DEFAULT uuidv7(),
  project_id   uuid NOT NULL DEFAULT '00000000-0000-7000-8000-000000000001' REFERENCES projects,
  title        text NOT NULL CHECK (length(title) BETWEEN 1 AND 1000),
  text         text NOT NULL,
  sha256       text NOT NULL GENERATED ALWAYS AS (text_sha256(text)) STORED,
  length       integer NOT NULL GENERATED ALWAYS AS (char_length(text)) STORED,
  url          text,
  publisher    text,
  author       text,
  published_at date,
  language     text CHECK (language ~ '^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$'),
  external_id  text,
  metadata     jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  annotator    text,
  UNIQUE (project_id, external_id),
  UNIQUE (id, project_id)
);
COMMENT ON TABLE documents IS 'A text as received, stored verbatim and never altered; claims point into it by code-point offsets.';
COMMENT ON COLUMN documents.id IS 'Stable identifier (UUID).';
COMMENT ON COLUMN documents.project_id IS 'Owning project.';
COMMENT ON COLUMN documents.title IS 'Title as the researcher records it.';
COMMENT ON COLUMN documents.text IS 'The full text, verbatim UTF-8, never normalised; immutable once created.';
COMMENT ON COLUMN documents.sha256 IS 'Hex SHA-256 of the UTF-8 bytes of text.';
COMMENT ON COLUMN documents.length IS 'Length of text in Unicode code points.';
COMMENT ON COLUMN documents.url IS 'Where the text was obtained.';
COMMENT ON COLUMN documents.publisher IS 'Publishing outlet or body, as written.';
COMMENT ON COLUMN documents.author IS 'Author(s), as written.';
COMMENT ON COLUMN documents.published_at IS 'Publication date.';
COMMENT ON COLUMN documents.language IS 'BCP 47 language tag of the text.';
COMMENT ON COLUMN documents.external_id IS 'Identifier in the researcher''s own corpus; unique within a project when given.';
COMMENT ON COLUMN documents.metadata IS 'Free-form JSON object for anything else (genre, collection, notes on noise).';
COMMENT ON COLUMN documents.created_at IS 'When the row was created.';
COMMENT ON COLUMN documents.updated_at IS 'When the metadata last changed.';
COMMENT ON COLUMN documents.annotator IS 'Who added the document.';

CREATE FUNCTION forbid_text_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.text IS DISTINCT FROM OLD.text THEN
    RAISE EXCEPTION 'document text is immutable' USING ERRCODE = 'P0001', HINT = 'text';
  END IF;
  RETURN NEW;
END $$;
COMMENT ON FUNCTION forbid_text_change() IS 'Keeps documents.text immutable: every offset into it must stay valid.';
CREATE TRIGGER documents_text_immutable BEFORE UPDATE OF text ON documents
  FOR EACH ROW EXECUTE FUNCTION forbid_text_change();
CREATE TRIGGER documents_touch BEFORE UPDATE ON documents
  FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

-- ---------------------------------------------------------------- actors
CREATE TABLE actors (
  id           uuid PRIMARY KEY DEFAULT uuidv7(),
  project_id   uuid NOT NULL DEFAULT '00000000-0000-7000-8000-000000000001' REFERENCES projects,
  name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 500),
  kind         actor_kind NOT NULL DEFAULT 'other',
  aliases      text[] NOT NULL DEFAULT '{}' CHECK (array_position(aliases, NULL) IS NULL),
  description  text,
  external_ids jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(external_ids) = 'object'),
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  annotator    text,
  UNIQUE (id, project_id)
);
COMMENT ON TABLE actors IS 'People, organisations, governments, media and groups who make, report or endorse claims.';
COMMENT ON COLUMN actors.id IS 'Stable identifier (UUID).';
COMMENT ON COLUMN actors.project_id IS 'Owning project.';
COMMENT ON COLUMN actors.name IS 'Canonical name.';
COMMENT ON COLUMN actors.kind IS 'person, organisation, government, intergovernmental, media, group or other.';
COMMENT ON COLUMN actors.aliases IS 'Other names and spellings; lookup by name or alias ignores case.';
COMMENT ON COLUMN actors.description IS 'Who the actor is.';
COMMENT ON COLUMN actors.external_ids IS 'Identifiers elsewhere, e.g. {"wikidata": "Q42"}.';
COMMENT ON COLUMN actors.created_at IS 'When the row was created.';
COMMENT ON COLUMN actors.updated_at IS 'When the row last changed.';
COMMENT ON COLUMN actors.annotator IS 'Who added the actor.';
CREATE INDEX actors_names ON actors USING gin (actor_names(name, aliases));
CREATE TRIGGER actors_touch BEFORE UPDATE ON actors
  FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

-- ---------------------------------------------------------------- claims
CREATE TABLE claims (
  id          uuid PRIMARY KEY DEFAULT uuidv7(),
  project_id  uuid NOT NULL DEFAULT '00000000-0000-7000-8000-000000000001' REFERENCES projects,
  document_id uuid,
  start       integer CHECK (start >= 0),
  "end"       integer,
  exact       text,
  prefix      text CHECK (char_length(prefix) <= 32),
  suffix      text CHECK (char_length(suffix) <= 32),
  text        text NOT NULL CHECK (length(text) >= 1),
  kind        claim_kind NOT NULL DEFAULT 'factual',
  tags        text[] NOT NULL DEFAULT '{}' CHECK (array_position(tags, NULL) IS NULL),
  note        text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  annotator   text,
  FOREIGN KEY (document_id, project_id) REFERENCES documents (id, project_id),
  UNIQUE (id, project_id),
  CHECK ((start IS NULL) = ("end" IS NULL) AND (start IS NULL) = (exact IS NULL)
         AND (start IS NULL OR (document_id IS NOT NULL AND "end" > start)))
);
COMMENT ON TABLE claims IS 'An assertion, anchored to a span of a document (W3C position and quote selectors) or, when known only through reports, to none.';
COMMENT ON COLUMN claims.id IS 'Stable identifier (UUID).';
COMMENT ON COLUMN claims.project_id IS 'Owning project.';
COMMENT ON COLUMN claims.document_id IS 'Document the claim is found in; null for a proposition known only through reports.';
COMMENT ON COLUMN claims.start IS 'Start of the span, in Unicode code points from the start of the text (inclusive).';
COMMENT ON COLUMN claims."end" IS 'End of the span, in code points (exclusive).';
COMMENT ON COLUMN claims.exact IS 'The quoted text of the span, exactly as in the document.';
COMMENT ON COLUMN claims.prefix IS 'Up to 32 code points of text just before the span.';
COMMENT ON COLUMN claims.suffix IS 'Up to 32 code points of text just after the span.';
COMMENT ON COLUMN claims.text IS 'The proposition in the researcher''s words; defaults to exact.';
COMMENT ON COLUMN claims.kind IS 'factual, statistical, evaluative, normative, causal, predictive or other.';
COMMENT ON COLUMN claims.tags IS 'Codebook tags such as topic/xinjiang.';
COMMENT ON COLUMN claims.note IS 'The annotator''s note.';
COMMENT ON COLUMN claims.created_at IS 'When the row was created.';
COMMENT ON COLUMN claims.updated_at IS 'When the row last changed.';
COMMENT ON COLUMN claims.annotator IS 'Who made the annotation.';
CREATE INDEX claims_document ON claims (document_id, start, id);
CREATE INDEX claims_project ON claims (project_id, id);
CREATE INDEX claims_tags ON claims USING gin (tags);
CREATE TRIGGER claims_touch BEFORE UPDATE ON claims
  FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

-- ---------------------------------------------------------------- attributions
CREATE TABLE attributions (
  id                 uuid PRIMARY KEY DEFAULT uuidv7(),
  project_id         uuid NOT NULL DEFAULT '00000000-0000-7000-8000-000000000001' REFERENCES projects,
  claim_id           uuid NOT NULL,
  actor_id           uuid NOT NULL,
  role               text,
  cue                text,
  mode               attribution_mode NOT NULL DEFAULT 'indirect',
  source_span        jsonb CHECK (jsonb_typeof(source_span) = 'object'),
  cue_span           jsonb CHECK (jsonb_typeof(cue_span) = 'object'),
  via_attribution_id uuid,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  annotator          text,
  FOREIGN KEY (claim_id, project_id) REFERENCES claims (id, project_id) ON DELETE CASCADE,
  FOREIGN KEY (actor_id, project_id) REFERENCES actors (id, project_id),
  FOREIGN KEY (via_attribution_id, project_id) REFERENCES attributions (id, project_id),
  UNIQUE (id, project_id),
  CHECK (via_attribution_id IS DISTINCT FROM id)
);
COMMENT ON TABLE attributions IS 'Who asserts a claim, in what role, through which cue and mode, and through whom it is reported.';
COMMENT ON COLUMN attributions.id IS 'Stable identifier (UUID).';
COMMENT ON COLUMN attributions.project_id IS 'Owning project.';
COMMENT ON COLUMN attributions.claim_id IS 'The claim asserted.';
COMMENT ON COLUMN attributions.actor_id IS 'The actor who asserts it.';
COMMENT ON COLUMN attributions.role IS 'Role or affiliation at the time, e.g. "foreign ministry spokesperson".';
COMMENT ON COLUMN attributions.cue IS 'The reporting verb or phrase as written, e.g. "slammed".';
COMMENT ON COLUMN attributions.mode IS 'direct_quote, indirect, paraphrase, endorsement or implicit.';
COMMENT ON COLUMN attributions.source_span IS 'Span of the mention of the actor in the claim''s document: {start,end,exact,prefix,suffix}.';
COMMENT ON COLUMN attributions.cue_span IS 'Span of the cue in the claim''s document: {start,end,exact,prefix,suffix}.';
COMMENT ON COLUMN attributions.via_attribution_id IS 'The attribution through which this one is reported (a report of a report).';
COMMENT ON COLUMN attributions.created_at IS 'When the row was created.';
COMMENT ON COLUMN attributions.updated_at IS 'When the row last changed.';
COMMENT ON COLUMN attributions.annotator IS 'Who made the annotation.';
CREATE INDEX attributions_claim ON attributions (claim_id, id);
CREATE INDEX attributions_actor ON attributions (actor_id, claim_id);
CREATE INDEX attributions_via ON attributions (via_attribution_id) WHERE via_attribution_id IS NOT NULL;
CREATE TRIGGER attributions_touch BEFORE UPDATE ON attributions
  FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

-- ---------------------------------------------------------------- relations
CREATE TABLE relations (
  id                   uuid PRIMARY KEY DEFAULT uuidv7(),
  project_id           uuid NOT NULL DEFAULT '00000000-0000-7000-8000-000000000001' REFERENCES projects,
  from_claim_id        uuid NOT NULL,
  to_claim_id          uuid NOT NULL,
  kind                 relation_kind NOT NULL,
  note                 text,
  asserted_by_actor_id uuid,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  annotator            text,
  FOREIGN KEY (from_claim_id, project_id) REFERENCES claims (id, project_id) ON DELETE CASCADE,
  FOREIGN KEY (to_claim_id, project_id) REFERENCES claims (id, project_id) ON DELETE CASCADE,
  FOREIGN KEY (asserted_by_actor_id, project_id) REFERENCES actors (id, project_id),
  CONSTRAINT relations_no_self CHECK (from_claim_id <> to_claim_id),
  CONSTRAINT relations_unique UNIQUE (from_claim_id, to_claim_id, kind)
);
COMMENT ON TABLE relations IS 'Claim-and-counterclaim structure between two claims, possibly in different documents: from <kind> to.';
COMMENT ON COLUMN relations.id IS 'Stable identifier (UUID).';
COMMENT ON COLUMN relations.project_id IS 'Owning project.';
COMMENT ON COLUMN relations.from_claim_id IS 'The claim that refutes, disputes, supports, restates, qualifies or responds.';
COMMENT ON COLUMN relations.to_claim_id IS 'The claim it bears on.';
COMMENT ON COLUMN relations.kind IS 'refutes, disputes, supports, restates, qualifies or responds_to.';
COMMENT ON COLUMN relations.note IS 'The annotator''s note.';
COMMENT ON COLUMN relations.asserted_by_actor_id IS 'The actor who puts the claims in this relation, when the text says.';
COMMENT ON COLUMN relations.created_at IS 'When the row was created.';
COMMENT ON COLUMN relations.updated_at IS 'When the row last changed.';
COMMENT ON COLUMN relations.annotator IS 'Who made the annotation.';
CREATE INDEX relations_to ON relations (to_claim_id, kind);
CREATE TRIGGER relations_touch BEFORE UPDATE ON relations
  FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

-- ---------------------------------------------------------------- sources
CREATE TABLE sources (
  id                 uuid PRIMARY KEY DEFAULT uuidv7(),
  project_id         uuid NOT NULL DEFAULT '00000000-0000-7000-8000-000000000001' REFERENCES projects,
  title              text NOT NULL CHECK (length(title) BETWEEN 1 AND 1000),
  kind               source_kind NOT NULL DEFAULT 'other',
  url                text,
  publisher_actor_id uuid,
  published_at       date,
  document_id        uuid,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  annotator          text,
  FOREIGN KEY (publisher_actor_id, project_id) REFERENCES actors (id, project_id),
  FOREIGN KEY (document_id, project_id) REFERENCES documents (id, project_id),
  UNIQUE (id, project_id)
);
COMMENT ON TABLE sources IS 'What claims cite as evidence: reports, statements, statistics, testimony, laws.';
COMMENT ON COLUMN sources.id IS 'Stable identifier (UUID).';
COMMENT ON COLUMN sources.project_id IS 'Owning project.';
COMMENT ON COLUMN sources.title IS 'Title of the source.';
COMMENT ON COLUMN sources.kind IS 'report, statement, article, statistic, testimony, law, dataset or other.';
COMMENT ON COLUMN sources.url IS 'Where the source can be found.';
COMMENT ON COLUMN sources.publisher_actor_id IS 'The actor who published it.';
COMMENT ON COLUMN sources.published_at IS 'Publication date.';
COMMENT ON COLUMN sources.document_id IS 'The source''s own text, when claimdb holds it.';
COMMENT ON COLUMN sources.created_at IS 'When the row was created.';
COMMENT ON COLUMN sources.updated_at IS 'When the row last changed.';
COMMENT ON COLUMN sources.annotator IS 'Who added the source.';
CREATE INDEX sources_publisher ON sources (publisher_actor_id) WHERE publisher_actor_id IS NOT NULL;
CREATE INDEX sources_document ON sources (document_id) WHERE document_id IS NOT NULL;
CREATE TRIGGER sources_touch BEFORE UPDATE ON sources
  FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

-- ---------------------------------------------------------------- citations
CREATE TABLE citations (
  id         uuid PRIMARY KEY DEFAULT uuidv7(),
  project_id uuid NOT NULL DEFAULT '00000000-0000-7000-8000-000000000001' REFERENCES projects,
  claim_id   uuid NOT NULL,
  source_id  uuid NOT NULL,
  locator    text,
  span       jsonb CHECK (jsonb_typeof(span) = 'object'),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  annotator  text,
  FOREIGN KEY (claim_id, project_id) REFERENCES claims (id, project_id) ON DELETE CASCADE,
  FOREIGN KEY (source_id, project_id) REFERENCES sources (id, project_id)
);
COMMENT ON TABLE citations IS 'A claim citing a source as evidence.';
COMMENT ON COLUMN citations.id IS 'Stable identifier (UUID).';
COMMENT ON COLUMN citations.project_id IS 'Owning project.';
COMMENT ON COLUMN citations.claim_id IS 'The citing claim.';
COMMENT ON COLUMN citations.source_id IS 'The source cited.';
COMMENT ON COLUMN citations.locator IS 'Where in the source, e.g. "para. 148".';
COMMENT ON COLUMN citations.span IS 'Span of the citation in the claim''s document: {start,end,exact,prefix,suffix}.';
COMMENT ON COLUMN citations.created_at IS 'When the row was created.';
COMMENT ON COLUMN citations.updated_at IS 'When the row last changed.';
COMMENT ON COLUMN citations.annotator IS 'Who made the annotation.';
CREATE INDEX citations_claim ON citations (claim_id, id);
CREATE INDEX citations_source ON citations (source_id);
CREATE TRIGGER citations_touch BEFORE UPDATE ON citations
  FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

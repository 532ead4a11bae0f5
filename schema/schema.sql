
CREATE TYPE public.actor_kind AS ENUM (
    'person',
    'organisation',
    'government',
    'intergovernmental',
    'media',
    'group',
    'other'
);

CREATE TYPE public.attribution_mode AS ENUM (
    'direct_quote',
    'indirect',
    'paraphrase',
    'endorsement',
    'implicit'
);

CREATE TYPE public.claim_kind AS ENUM (
    'factual',
    'statistical',
    'evaluative',
    'normative',
    'causal',
    'predictive',
    'other'
);

CREATE TYPE public.relation_kind AS ENUM (
    'refutes',
    'disputes',
    'supports',
    'restates',
    'qualifies',
    'responds_to'
);

CREATE TYPE public.source_kind AS ENUM (
    'report',
    'statement',
    'article',
    'statistic',
    'testimony',
    'law',
    'dataset',
    'other'
);

CREATE FUNCTION public.actor_names(name text, aliases text[]) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
  SELECT array_agg(lower(n)) FROM unnest(array_prepend(name, aliases)) AS n
$$;

CREATE FUNCTION public.forbid_text_change() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  IF NEW.text IS DISTINCT FROM OLD.text THEN
    RAISE EXCEPTION 'document text is immutable' USING ERRCODE = 'P0001', HINT = 'text';
  END IF;
  RETURN NEW;
END $$;

CREATE FUNCTION public.text_sha256(text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $_$
  SELECT encode(sha256(convert_to($1, 'UTF8')), 'hex')
$_$;

CREATE FUNCTION public.touch_updated_at() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  IF NEW IS DISTINCT FROM OLD THEN
    NEW.updated_at := now();
  END IF;
  RETURN NEW;
END $$;

CREATE FUNCTION public.uuidv7() RETURNS uuid
    LANGUAGE sql PARALLEL SAFE
    AS $$
  SELECT encode(
    set_bit(set_bit(
      overlay(uuid_send(gen_random_uuid())
              PLACING substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
              FROM 1 FOR 6),
      52, 1), 53, 1), 'hex')::uuid
$$;

CREATE TABLE public.actors (
    id uuid DEFAULT public.uuidv7() NOT NULL,
    project_id uuid DEFAULT '00000000-0000-7000-8000-000000000001'::uuid NOT NULL,
    name text NOT NULL,
    kind public.actor_kind DEFAULT 'other'::public.actor_kind NOT NULL,
    aliases text[] DEFAULT '{}'::text[] NOT NULL,
    description text,
    external_ids jsonb DEFAULT '{}'::jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    annotator text,
    CONSTRAINT actors_aliases_check CHECK ((array_position(aliases, NULL::text) IS NULL)),
    CONSTRAINT actors_external_ids_check CHECK ((jsonb_typeof(external_ids) = 'object'::text)),
    CONSTRAINT actors_name_check CHECK (((length(name) >= 1) AND (length(name) <= 500)))
);

CREATE TABLE public.attributions (
    id uuid DEFAULT public.uuidv7() NOT NULL,
    project_id uuid DEFAULT '00000000-0000-7000-8000-000000000001'::uuid NOT NULL,
    claim_id uuid NOT NULL,
    actor_id uuid NOT NULL,
    role text,
    cue text,
    mode public.attribution_mode DEFAULT 'indirect'::public.attribution_mode NOT NULL,
    source_span jsonb,
    cue_span jsonb,
    via_attribution_id uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    annotator text,
    CONSTRAINT attributions_check CHECK ((via_attribution_id IS DISTINCT FROM id)),
    CONSTRAINT attributions_cue_span_check CHECK ((jsonb_typeof(cue_span) = 'object'::text)),
    CONSTRAINT attributions_source_span_check CHECK ((jsonb_typeof(source_span) = 'object'::text))
);

CREATE TABLE public.citations (
    id uuid DEFAULT public.uuidv7() NOT NULL,
    project_id uuid DEFAULT '00000000-0000-7000-8000-000000000001'::uuid NOT NULL,
    claim_id uuid NOT NULL,
    source_id uuid NOT NULL,
    locator text,
    span jsonb,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    annotator text,
    CONSTRAINT citations_span_check CHECK ((jsonb_typeof(span) = 'object'::text))
);

CREATE TABLE public.claims (
    id uuid DEFAULT public.uuidv7() NOT NULL,
    project_id uuid DEFAULT '00000000-0000-7000-8000-000000000001'::uuid NOT NULL,
    document_id uuid,
    start integer,
    "end" integer,
    exact text,
    prefix text,
    suffix text,
    text text NOT NULL,
    kind public.claim_kind DEFAULT 'factual'::public.claim_kind NOT NULL,
    tags text[] DEFAULT '{}'::text[] NOT NULL,
    note text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    annotator text,
    CONSTRAINT claims_check CHECK ((((start IS NULL) = ("end" IS NULL)) AND ((start IS NULL) = (exact IS NULL)) AND ((start IS NULL) OR ((document_id IS NOT NULL) AND ("end" > start))))),
    CONSTRAINT claims_prefix_check CHECK ((char_length(prefix) <= 32)),
    CONSTRAINT claims_start_check CHECK ((start >= 0)),
    CONSTRAINT claims_suffix_check CHECK ((char_length(suffix) <= 32)),
    CONSTRAINT claims_tags_check CHECK ((array_position(tags, NULL::text) IS NULL)),
    CONSTRAINT claims_text_check CHECK ((length(text) >= 1))
);

CREATE TABLE public.documents (
    id uuid DEFAULT public.uuidv7() NOT NULL,
    project_id uuid DEFAULT '00000000-0000-7000-8000-000000000001'::uuid NOT NULL,
    title text NOT NULL,
    text text NOT NULL,
    sha256 text GENERATED ALWAYS AS (public.text_sha256(text)) STORED NOT NULL,
    length integer GENERATED ALWAYS AS (char_length(text)) STORED NOT NULL,
    url text,
    publisher text,
    author text,
    published_at date,
    language text,
    external_id text,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    annotator text,
    CONSTRAINT documents_language_check CHECK ((language ~ '^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$'::text)),
    CONSTRAINT documents_metadata_check CHECK ((jsonb_typeof(metadata) = 'object'::text)),
    CONSTRAINT documents_title_check CHECK (((length(title) >= 1) AND (length(title) <= 1000)))
);

CREATE TABLE public.projects (
    id uuid DEFAULT public.uuidv7() NOT NULL,
    slug text NOT NULL,
    name text NOT NULL,
    description text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    annotator text,
    CONSTRAINT projects_name_check CHECK (((length(name) >= 1) AND (length(name) <= 500))),
    CONSTRAINT projects_slug_check CHECK ((slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'::text))
);

CREATE TABLE public.relations (
    id uuid DEFAULT public.uuidv7() NOT NULL,
    project_id uuid DEFAULT '00000000-0000-7000-8000-000000000001'::uuid NOT NULL,
    from_claim_id uuid NOT NULL,
    to_claim_id uuid NOT NULL,
    kind public.relation_kind NOT NULL,
    note text,
    asserted_by_actor_id uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    annotator text,
    CONSTRAINT relations_no_self CHECK ((from_claim_id <> to_claim_id))
);

CREATE TABLE public.sources (
    id uuid DEFAULT public.uuidv7() NOT NULL,
    project_id uuid DEFAULT '00000000-0000-7000-8000-000000000001'::uuid NOT NULL,
    title text NOT NULL,
    kind public.source_kind DEFAULT 'other'::public.source_kind NOT NULL,
    url text,
    publisher_actor_id uuid,
    published_at date,
    document_id uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    annotator text,
    CONSTRAINT sources_title_check CHECK (((length(title) >= 1) AND (length(title) <= 1000)))
);

ALTER TABLE ONLY public.actors
    ADD CONSTRAINT actors_id_project_id_key UNIQUE (id, project_id);

ALTER TABLE ONLY public.actors
    ADD CONSTRAINT actors_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.attributions
    ADD CONSTRAINT attributions_id_project_id_key UNIQUE (id, project_id);

ALTER TABLE ONLY public.attributions
    ADD CONSTRAINT attributions_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.citations
    ADD CONSTRAINT citations_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.claims
    ADD CONSTRAINT claims_id_project_id_key UNIQUE (id, project_id);

ALTER TABLE ONLY public.claims
    ADD CONSTRAINT claims_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.documents
    ADD CONSTRAINT documents_id_project_id_key UNIQUE (id, project_id);

ALTER TABLE ONLY public.documents
    ADD CONSTRAINT documents_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.documents
    ADD CONSTRAINT documents_project_id_external_id_key UNIQUE (project_id, external_id);

ALTER TABLE ONLY public.projects
    ADD CONSTRAINT projects_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.projects
    ADD CONSTRAINT projects_slug_key UNIQUE (slug);

ALTER TABLE ONLY public.relations
    ADD CONSTRAINT relations_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.relations
    ADD CONSTRAINT relations_unique UNIQUE (from_claim_id, to_claim_id, kind);

ALTER TABLE ONLY public.sources
    ADD CONSTRAINT sources_id_project_id_key UNIQUE (id, project_id);

ALTER TABLE ONLY public.sources
    ADD CONSTRAINT sources_pkey PRIMARY KEY (id);

CREATE INDEX actors_names ON public.actors USING gin (public.actor_names(name, aliases));

CREATE INDEX attributions_actor ON public.attributions USING btree (actor_id, claim_id);

CREATE INDEX attributions_claim ON public.attributions USING btree (claim_id, id);

CREATE INDEX attributions_via ON public.attributions USING btree (via_attribution_id) WHERE (via_attribution_id IS NOT NULL);

CREATE INDEX citations_claim ON public.citations USING btree (claim_id, id);

CREATE INDEX citations_source ON public.citations USING btree (source_id);

CREATE INDEX claims_document ON public.claims USING btree (document_id, start, id);

CREATE INDEX claims_project ON public.claims USING btree (project_id, id);

CREATE INDEX claims_tags ON public.claims USING gin (tags);

CREATE INDEX relations_to ON public.relations USING btree (to_claim_id, kind);

CREATE INDEX sources_document ON public.sources USING btree (document_id) WHERE (document_id IS NOT NULL);

CREATE INDEX sources_publisher ON public.sources USING btree (publisher_actor_id) WHERE (publisher_actor_id IS NOT NULL);

CREATE TRIGGER actors_touch BEFORE UPDATE ON public.actors FOR EACH ROW EXECUTE FUNCTION public.touch_updated_at();

CREATE TRIGGER attributions_touch BEFORE UPDATE ON public.attributions FOR EACH ROW EXECUTE FUNCTION public.touch_updated_at();

CREATE TRIGGER citations_touch BEFORE UPDATE ON public.citations FOR EACH ROW EXECUTE FUNCTION public.touch_updated_at();

CREATE TRIGGER claims_touch BEFORE UPDATE ON public.claims FOR EACH ROW EXECUTE FUNCTION public.touch_updated_at();

CREATE TRIGGER documents_text_immutable BEFORE UPDATE OF text ON public.documents FOR EACH ROW EXECUTE FUNCTION public.forbid_text_change();

CREATE TRIGGER documents_touch BEFORE UPDATE ON public.documents FOR EACH ROW EXECUTE FUNCTION public.touch_updated_at();

CREATE TRIGGER relations_touch BEFORE UPDATE ON public.relations FOR EACH ROW EXECUTE FUNCTION public.touch_updated_at();

CREATE TRIGGER sources_touch BEFORE UPDATE ON public.sources FOR EACH ROW EXECUTE FUNCTION public.touch_updated_at();

ALTER TABLE ONLY public.actors
    ADD CONSTRAINT actors_project_id_fkey FOREIGN KEY (project_id) REFERENCES public.projects(id);

ALTER TABLE ONLY public.attributions
    ADD CONSTRAINT attributions_actor_id_project_id_fkey FOREIGN KEY (actor_id, project_id) REFERENCES public.actors(id, project_id);

ALTER TABLE ONLY public.attributions
    ADD CONSTRAINT attributions_claim_id_project_id_fkey FOREIGN KEY (claim_id, project_id) REFERENCES public.claims(id, project_id) ON DELETE CASCADE;

ALTER TABLE ONLY public.attributions
    ADD CONSTRAINT attributions_project_id_fkey FOREIGN KEY (project_id) REFERENCES public.projects(id);

ALTER TABLE ONLY public.attributions
    ADD CONSTRAINT attributions_via_attribution_id_project_id_fkey FOREIGN KEY (via_attribution_id, project_id) REFERENCES public.attributions(id, project_id);

ALTER TABLE ONLY public.citations
    ADD CONSTRAINT citations_claim_id_project_id_fkey FOREIGN KEY (claim_id, project_id) REFERENCES public.claims(id, project_id) ON DELETE CASCADE;

ALTER TABLE ONLY public.citations
    ADD CONSTRAINT citations_project_id_fkey FOREIGN KEY (project_id) REFERENCES public.projects(id);

ALTER TABLE ONLY public.citations
    ADD CONSTRAINT citations_source_id_project_id_fkey FOREIGN KEY (source_id, project_id) REFERENCES public.sources(id, project_id);

ALTER TABLE ONLY public.claims
    ADD CONSTRAINT claims_document_id_project_id_fkey FOREIGN KEY (document_id, project_id) REFERENCES public.documents(id, project_id);

ALTER TABLE ONLY public.claims
    ADD CONSTRAINT claims_project_id_fkey FOREIGN KEY (project_id) REFERENCES public.projects(id);

ALTER TABLE ONLY public.documents
    ADD CONSTRAINT documents_project_id_fkey FOREIGN KEY (project_id) REFERENCES public.projects(id);

ALTER TABLE ONLY public.relations
    ADD CONSTRAINT relations_asserted_by_actor_id_project_id_fkey FOREIGN KEY (asserted_by_actor_id, project_id) REFERENCES public.actors(id, project_id);

ALTER TABLE ONLY public.relations
    ADD CONSTRAINT relations_from_claim_id_project_id_fkey FOREIGN KEY (from_claim_id, project_id) REFERENCES public.claims(id, project_id) ON DELETE CASCADE;

ALTER TABLE ONLY public.relations
    ADD CONSTRAINT relations_project_id_fkey FOREIGN KEY (project_id) REFERENCES public.projects(id);

ALTER TABLE ONLY public.relations
    ADD CONSTRAINT relations_to_claim_id_project_id_fkey FOREIGN KEY (to_claim_id, project_id) REFERENCES public.claims(id, project_id) ON DELETE CASCADE;

ALTER TABLE ONLY public.sources
    ADD CONSTRAINT sources_document_id_project_id_fkey FOREIGN KEY (document_id, project_id) REFERENCES public.documents(id, project_id);

ALTER TABLE ONLY public.sources
    ADD CONSTRAINT sources_project_id_fkey FOREIGN KEY (project_id) REFERENCES public.projects(id);

ALTER TABLE ONLY public.sources
    ADD CONSTRAINT sources_publisher_actor_id_project_id_fkey FOREIGN KEY (publisher_actor_id, project_id) REFERENCES public.actors(id, project_id);


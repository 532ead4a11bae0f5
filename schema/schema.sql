
CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public;

COMMENT ON EXTENSION btree_gist IS 'support for indexing common datatypes in GiST';

CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;

COMMENT ON EXTENSION pg_trgm IS 'text similarity measurement and index searching based on trigrams';

CREATE TYPE public.actor_kind AS ENUM (
    'person',
    'organisation',
    'government',
    'intergovernmental',
    'media',
    'group',
    'other'
);

COMMENT ON TYPE public.actor_kind IS 'What sort of party an actor is.';

CREATE TYPE public.attribution_factuality AS ENUM (
    'certain',
    'probable',
    'possible'
);

COMMENT ON TYPE public.attribution_factuality IS 'How certain the source presents the content: certain, probable or possible ("may amount to").';

CREATE TYPE public.attribution_mode AS ENUM (
    'direct_quote',
    'indirect',
    'paraphrase',
    'endorsement',
    'implicit'
);

COMMENT ON TYPE public.attribution_mode IS 'How the text conveys that the actor asserts the claim.';

CREATE TYPE public.attribution_polarity AS ENUM (
    'positive',
    'negative'
);

COMMENT ON TYPE public.attribution_polarity IS 'positive: the source asserts the content; negative: the source denies it.';

CREATE TYPE public.claim_kind AS ENUM (
    'factual',
    'statistical',
    'evaluative',
    'normative',
    'causal',
    'predictive',
    'other'
);

COMMENT ON TYPE public.claim_kind IS 'What sort of proposition a claim is.';

CREATE TYPE public.member_role AS ENUM (
    'viewer',
    'annotator',
    'curator',
    'manager',
    'owner'
);

COMMENT ON TYPE public.member_role IS 'A member''s role, each including the ones before it.';

CREATE TYPE public.project_visibility AS ENUM (
    'private',
    'public'
);

COMMENT ON TYPE public.project_visibility IS 'private: members only; public: anyone may read, members write.';

CREATE TYPE public.relation_kind AS ENUM (
    'refutes',
    'disputes',
    'supports',
    'restates',
    'qualifies',
    'responds_to'
);

COMMENT ON TYPE public.relation_kind IS 'How one claim bears on another, read as "from <kind> to".';

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

COMMENT ON TYPE public.source_kind IS 'What sort of evidence a source is.';

CREATE FUNCTION public.actor_matches(q text) RETURNS TABLE(id uuid, score real)
    LANGUAGE sql STABLE PARALLEL SAFE
    SET "pg_trgm.word_similarity_threshold" TO '0.3'
    AS $$
  SELECT a.id, search_score(q, actor_search_text(a.name, a.aliases)) FROM actors a
  WHERE actor_search_text(a.name, a.aliases) LIKE like_anywhere(q) OR q <% actor_search_text(a.name, a.aliases)
$$;

COMMENT ON FUNCTION public.actor_matches(q text) IS 'Actors whose names or aliases contain or resemble q (lower-cased), with a score.';

CREATE FUNCTION public.actor_names(name text, aliases text[]) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
  SELECT array_agg(lower(n)) FROM unnest(array_prepend(name, aliases)) AS n
$$;

COMMENT ON FUNCTION public.actor_names(name text, aliases text[]) IS 'Lower-cased name and aliases of an actor, for case-insensitive lookup.';

CREATE FUNCTION public.actor_search_text(name text, aliases text[]) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
  SELECT lower(array_to_string(array_prepend(name, aliases), E'\n'))
$$;

COMMENT ON FUNCTION public.actor_search_text(name text, aliases text[]) IS 'Lower-cased name and aliases of an actor, one per line, for trigram search.';

CREATE FUNCTION public.claimdb_blind_projects() RETURNS uuid[]
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
  SELECT coalesce(claimdb_setting('claimdb.blind')::uuid[], claimdb_blind_projects_now())
$$;

COMMENT ON FUNCTION public.claimdb_blind_projects() IS 'The projects in which the current request sees only its own annotations on documents not yet done.';

CREATE FUNCTION public.claimdb_blind_projects_now() RETURNS uuid[]
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    AS $$
BEGIN
  RETURN (SELECT CASE WHEN claimdb_is_admin() THEN '{}'::uuid[] ELSE coalesce(array_agg(p.id), '{}') END
          FROM projects p
          WHERE p.settings @> '{"blind": true}' AND NOT p.id = ANY (claimdb_projects('curate')));
END
$$;

COMMENT ON FUNCTION public.claimdb_blind_projects_now() IS 'The blind projects of the current request, computed from its settings: the scope statement stores them as claimdb.blind.';

CREATE FUNCTION public.claimdb_claim_done(claim uuid) RETURNS boolean
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    AS $$
BEGIN
  RETURN coalesce((SELECT d.done FROM claims c JOIN documents d ON d.id = c.document_id WHERE c.id = claim), false);
END
$$;

COMMENT ON FUNCTION public.claimdb_claim_done(claim uuid) IS 'True when the document of the claim is marked done.';

CREATE FUNCTION public.claimdb_claim_search(config regconfig, text text, exact text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE
    AS $$
  SELECT v || claimdb_word_pairs(v) FROM claimdb_tsvector(config, text, exact) v
$$;

COMMENT ON FUNCTION public.claimdb_claim_search(config regconfig, text text, exact text) IS 'A claim''s search vector: claimdb_tsvector of text and quote, plus claimdb_word_pairs of it.';

CREATE FUNCTION public.claimdb_default_project() RETURNS uuid
    LANGUAGE plpgsql STABLE
    AS $$
DECLARE
  p text := claimdb_setting('claimdb.default_project');
BEGIN
  IF p IS NULL THEN
    RAISE EXCEPTION USING ERRCODE = '22023', COLUMN = 'project_id',
      MESSAGE = 'project_id is required: you can write to more than one project, or to none';
  END IF;
  RETURN p::uuid;
END $$;

COMMENT ON FUNCTION public.claimdb_default_project() IS 'The caller''s only writable project; raises 22023 naming project_id when there is not exactly one.';

CREATE FUNCTION public.claimdb_document_done(document uuid) RETURNS boolean
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    AS $$
BEGIN
  RETURN coalesce((SELECT d.done FROM documents d WHERE d.id = document), false);
END
$$;

COMMENT ON FUNCTION public.claimdb_document_done(document uuid) IS 'True when the document''s annotation is marked done.';

CREATE FUNCTION public.claimdb_feed_horizon() RETURNS xid8
    LANGUAGE sql STABLE
    AS $$
  SELECT coalesce((SELECT min(x.xid) FROM pg_snapshot_xip(s.snap) AS x(xid)
                   WHERE NOT EXISTS (SELECT 1 FROM pg_stat_activity a
                                     WHERE a.backend_xid = x.xid::xid
                                       AND (a.backend_type = 'autovacuum worker'
                                            OR a.datid IS DISTINCT FROM (SELECT d.oid FROM pg_database d
                                                                         WHERE d.datname = current_database())))),
                  pg_snapshot_xmax(s.snap))
  FROM (SELECT pg_current_snapshot() AS snap) s
$$;

COMMENT ON FUNCTION public.claimdb_feed_horizon() IS 'The change feed serves entries whose xid is below this: the oldest transaction of the snapshot that may still write this database''s revisions (other databases'' and autovacuum''s ignored), else the snapshot''s xmax.';

CREATE FUNCTION public.claimdb_guard() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
  pid uuid;
  level text := CASE TG_ARGV[0] WHEN 'manager' THEN 'manage' ELSE 'curate' END;
BEGIN
  IF TG_TABLE_NAME = 'projects' THEN
    pid := OLD.id;
  ELSE
    pid := OLD.project_id;
  END IF;
  IF NOT claimdb_is_admin()
     AND NOT pid = ANY (claimdb_projects(level))
     AND NOT (TG_ARGV[0] = 'curator' AND pid = ANY (claimdb_projects('write'))
              AND OLD.created_by = claimdb_user_id()) THEN
    RAISE EXCEPTION USING ERRCODE = '42501',
      MESSAGE = format('changing or deleting this %s needs the %s role in its project%s', rtrim(TG_TABLE_NAME, 's'),
                       TG_ARGV[0], CASE WHEN TG_ARGV[0] = 'curator' THEN ' (annotators change only their own rows)' ELSE '' END),
      HINT = TG_ARGV[0];
  END IF;
  IF TG_OP = 'UPDATE' THEN
    NEW.created_by := OLD.created_by;
    NEW.updated_by := claimdb_user_id();
    RETURN NEW;
  END IF;
  RETURN OLD;
END $$;

COMMENT ON FUNCTION public.claimdb_guard() IS 'Refuses (42501, HINT = the role needed) an update or delete the request''s roles do not allow; sets updated_by.';

CREATE FUNCTION public.claimdb_is_admin() RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT coalesce(claimdb_setting('claimdb.admin') = 'on', false) $$;

COMMENT ON FUNCTION public.claimdb_is_admin() IS 'True for a server admin''s request and for the command line.';

CREATE FUNCTION public.claimdb_longest(items text[]) RETURNS integer
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT coalesce(max(char_length(item)), 0) FROM unnest(items) AS item $$;

COMMENT ON FUNCTION public.claimdb_longest(items text[]) IS 'The longest item of a text array in code points, for CHECKs on tags and aliases.';

CREATE FUNCTION public.claimdb_prefix_regex(q text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $_$
  SELECT CASE WHEN char_length(btrim(q)) >= 3 AND q !~* '"|(^|\s)-|\sor\s'
    THEN '\m' || regexp_replace(btrim(q), '([.^$*+?()[\]{}|\\])', '\\\1', 'g') END
$_$;

COMMENT ON FUNCTION public.claimdb_prefix_regex(q text) IS 'Regular expression matching q literally at the start of a word, or NULL when q is too short or uses websearch operators.';

CREATE FUNCTION public.claimdb_projects(level text) RETURNS uuid[]
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT coalesce(claimdb_setting('claimdb.' || level), '{}')::uuid[] $$;

COMMENT ON FUNCTION public.claimdb_projects(level text) IS 'The projects the request may read, write, curate, manage or own (read|write|curate|manage|owner).';

CREATE FUNCTION public.claimdb_request_id() RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT claimdb_setting('claimdb.request_id') $$;

COMMENT ON FUNCTION public.claimdb_request_id() IS 'The X-Request-Id of the current request, or NULL.';

CREATE FUNCTION public.claimdb_setting(name text) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT nullif(current_setting(name, true), '') $$;

COMMENT ON FUNCTION public.claimdb_setting(name text) IS 'A claimdb.* request setting, NULL when unset or empty.';

CREATE FUNCTION public.claimdb_token_id() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT claimdb_setting('claimdb.token_id')::uuid $$;

COMMENT ON FUNCTION public.claimdb_token_id() IS 'The API token of the current request, or NULL (session, anonymous, CLI).';

CREATE FUNCTION public.claimdb_ts_config(language text) RETURNS regconfig
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
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

COMMENT ON FUNCTION public.claimdb_ts_config(language text) IS 'Text-search configuration for a BCP 47 language tag; simple when unknown.';

CREATE FUNCTION public.claimdb_tsquery(q text) RETURNS tsquery
    LANGUAGE sql STABLE PARALLEL SAFE
    SET client_min_messages TO 'warning'
    AS $$
  SELECT coalesce(string_agg(form, ' | ' ORDER BY form)::tsquery, ''::tsquery)
  FROM (SELECT DISTINCT websearch_to_tsquery(config, q)::text AS form FROM search_configs) s
  WHERE form <> ''
$$;

COMMENT ON FUNCTION public.claimdb_tsquery(q text) IS 'A websearch query parsed with every configuration in use, each distinct form once, OR''ed: one GIN lookup for all languages.';

CREATE FUNCTION public.claimdb_tsquery_pairs(q tsquery) RETURNS tsquery
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
DECLARE
  ops text[] := '{}';
  postfix text[] := '{}';
  -- the evaluation stack, one entry per operand: whether it is a chain of
  -- plain lexemes at distance 1, its lexemes then (a text[] literal), and
  -- its condition (tsquery text, NULL for none)
  kinds text[] := '{}';
  chains text[] := '{}';
  conds text[] := '{}';
  tok text;
  n int;
  k1 text; k2 text; n1 text; n2 text; chain text[]; kind text; cond text;
BEGIN
  FOR tok IN SELECT m[1] FROM regexp_matches(q::text, '(''(?:[^'']|'''')*''(?::[*A-D]+)?|<\d+>|<->|[&|!()])', 'g') m LOOP
    IF tok IN ('(', '!') THEN
      ops := array_append(ops, tok);
    ELSIF tok = ')' THEN
      WHILE ops[cardinality(ops)] <> '(' LOOP
        postfix := array_append(postfix, ops[cardinality(ops)]);
        ops := trim_array(ops, 1);
      END LOOP;
      ops := trim_array(ops, 1);
      WHILE cardinality(ops) > 0 AND ops[cardinality(ops)] = '!' LOOP
        postfix := array_append(postfix, '!');
        ops := trim_array(ops, 1);
      END LOOP;
    ELSIF tok IN ('&', '|') OR tok LIKE '<%' THEN
      WHILE cardinality(ops) > 0 AND ops[cardinality(ops)] <> '('
            AND (CASE ops[cardinality(ops)] WHEN '|' THEN 1 WHEN '&' THEN 2 ELSE 3 END)
                >= (CASE tok WHEN '|' THEN 1 WHEN '&' THEN 2 ELSE 3 END) LOOP
        postfix := array_append(postfix, ops[cardinality(ops)]);
        ops := trim_array(ops, 1);
      END LOOP;
      ops := array_append(ops, tok);
    ELSE
      postfix := array_append(postfix, tok);
      WHILE cardinality(ops) > 0 AND ops[cardinality(ops)] = '!' LOOP
        postfix := array_append(postfix, '!');
        ops := trim_array(ops, 1);
      END LOOP;
    END IF;
  END LOOP;
  WHILE cardinality(ops) > 0 LOOP
    postfix := array_append(postfix, ops[cardinality(ops)]);
    ops := trim_array(ops, 1);
  END LOOP;

  FOREACH tok IN ARRAY postfix LOOP
    n := cardinality(kinds);
    IF tok LIKE '''%''' THEN
      -- a plain lexeme: a chain of one, unquoted
      kinds := array_append(kinds, 'chain');
      chains := array_append(chains,
        ARRAY[regexp_replace(substr(tok, 2, length(tok) - 2), '([''\\])\1', '\1', 'g')]::text);
      conds := array_append(conds, NULL);
    ELSIF tok LIKE '''%' THEN
      kinds := array_append(kinds, 'other');
      chains := array_append(chains, NULL);
      conds := array_append(conds, NULL);
    ELSIF tok = '!' THEN
      kinds[n] := 'other';
      chains[n] := NULL;
      conds[n] := NULL;
    ELSE
      k1 := kinds[n - 1]; n1 := conds[n - 1];
      k2 := kinds[n]; n2 := conds[n];
      kind := 'other';
      chain := NULL;
      IF tok = '|' THEN
        cond := CASE WHEN n1 IS NOT NULL AND n2 IS NOT NULL THEN '(' || n1 || ') | (' || n2 || ')' END;
      ELSIF tok = '<->' AND k1 = 'chain' AND k2 = 'chain' THEN
        kind := 'chain';
        chain := chains[n - 1]::text[] || chains[n]::text[];
        SELECT string_agg('''' || replace(replace(chain[i] || ' ' || chain[i + 1], '\', '\\'), '''', '''''') || '''',
                          ' & ')
          INTO cond FROM generate_series(1, cardinality(chain) - 1) i;
      ELSE
        IF tok <> '&' THEN
          -- a phrase of other operands: only a chain's own pairs are certain
          n1 := CASE WHEN k1 = 'chain' THEN n1 END;
          n2 := CASE WHEN k2 = 'chain' THEN n2 END;
        END IF;
        cond := CASE WHEN n1 IS NULL THEN n2 WHEN n2 IS NULL THEN n1 ELSE '(' || n1 || ') & (' || n2 || ')' END;
      END IF;
      kinds := trim_array(kinds, 1);
      chains := trim_array(chains, 1);
      conds := trim_array(conds, 1);
      kinds[n - 1] := kind;
      chains[n - 1] := chain::text;
      conds[n - 1] := cond;
    END IF;
  END LOOP;
  RETURN conds[1]::tsquery;
END $$;

COMMENT ON FUNCTION public.claimdb_tsquery_pairs(q tsquery) IS 'A condition on claimdb_word_pairs lexemes that every vector matching q meets (its phrases'' adjacent pairs), or NULL when q has none.';

CREATE FUNCTION public.claimdb_tsvector(config regconfig, title text, body text) RETURNS tsvector
    LANGUAGE plpgsql IMMUTABLE
    AS $$
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

COMMENT ON FUNCTION public.claimdb_tsvector(config regconfig, title text, body text) IS 'Weighted search vector (title A, body B, ten positions apart so that no phrase spans both) that degrades instead of failing on huge texts.';

CREATE FUNCTION public.claimdb_user_id() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT claimdb_setting('claimdb.user_id')::uuid $$;

COMMENT ON FUNCTION public.claimdb_user_id() IS 'The authenticated user of the current request, or NULL (anonymous, CLI).';

CREATE FUNCTION public.claimdb_word_pairs(v tsvector) RETURNS tsvector
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
  SELECT array_to_tsvector(coalesce(array_agg(DISTINCT a.lexeme || ' ' || b.lexeme), '{}'))
  FROM (SELECT lexeme, unnest(positions) AS pos FROM unnest(v)) a
  JOIN (SELECT lexeme, unnest(positions) AS pos FROM unnest(v)) b ON b.pos = a.pos + 1
  WHERE octet_length(a.lexeme) + octet_length(b.lexeme) < 2047
$$;

COMMENT ON FUNCTION public.claimdb_word_pairs(v tsvector) IS 'The pairs "a b" of lexemes at adjacent positions of a vector, as positionless lexemes.';

CREATE FUNCTION public.claims_search_update() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  NEW.search_config := coalesce((SELECT claimdb_ts_config(d.language) FROM documents d
                                 WHERE d.id = NEW.document_id), 'pg_catalog.simple');
  NEW.search := claimdb_claim_search(NEW.search_config, NEW.text, NEW.exact);
  RETURN NEW;
END $$;

COMMENT ON FUNCTION public.claims_search_update() IS 'Indexes a claim''s text and quote in its document''s language.';

CREATE FUNCTION public.codebook_guard() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  IF NOT claimdb_is_admin() AND NOT OLD.project_id = ANY (claimdb_projects('curate')) THEN
    RAISE EXCEPTION USING ERRCODE = '42501',
      MESSAGE = 'changing or deleting a codebook entry needs the curator role in its project', HINT = 'curator';
  END IF;
  IF TG_OP = 'UPDATE' THEN
    NEW.created_by := OLD.created_by;
    NEW.updated_by := claimdb_user_id();
    RETURN NEW;
  END IF;
  RETURN OLD;
END $$;

COMMENT ON FUNCTION public.codebook_guard() IS 'Refuses (42501, HINT curator) a change or deletion of a codebook entry by a non-curator; sets updated_by.';

CREATE FUNCTION public.documents_search_config() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  INSERT INTO search_configs VALUES (claimdb_ts_config(NEW.language)) ON CONFLICT DO NOTHING;
  IF TG_OP = 'UPDATE' AND claimdb_ts_config(NEW.language) IS DISTINCT FROM claimdb_ts_config(OLD.language) THEN
    UPDATE claims SET search_config = claimdb_ts_config(NEW.language),
                      search = claimdb_claim_search(claimdb_ts_config(NEW.language), text, exact)
    WHERE document_id = NEW.id;
  END IF;
  RETURN NULL;
END $$;

COMMENT ON FUNCTION public.documents_search_config() IS 'Records a document''s configuration as in use and re-indexes its claims when its language changes.';

CREATE FUNCTION public.forbid_text_change() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  IF NEW.text IS DISTINCT FROM OLD.text THEN
    RAISE EXCEPTION 'document text is immutable' USING ERRCODE = 'P0001', HINT = 'text';
  END IF;
  RETURN NEW;
END $$;

COMMENT ON FUNCTION public.forbid_text_change() IS 'Keeps documents.text immutable: every offset into it must stay valid.';

CREATE FUNCTION public.history_after() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
  b jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) - history_derived_columns() END;
  a jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) - history_derived_columns() END;
  r jsonb := coalesce(a, b);
  project uuid := CASE WHEN TG_TABLE_NAME = 'projects' THEN (r->>'id')::uuid ELSE (r->>'project_id')::uuid END;
BEGIN
  -- An import restoring a log: the row's state is logged already.
  IF TG_OP <> 'DELETE' AND current_setting('claimdb.history_import', true) = 'on'
     AND EXISTS (SELECT 1 FROM revisions h WHERE h.resource = TG_TABLE_NAME::text AND h.id = (a->>'id')::uuid
                 AND h.rev = (a->>'rev')::bigint AND h.op IN ('create', 'update')) THEN
    RETURN NULL;
  END IF;
  INSERT INTO revisions (resource, id, project_id, rev, op, reason, user_id, token_id, request_id, before, after)
  VALUES (TG_TABLE_NAME, (r->>'id')::uuid, project,
          CASE WHEN TG_OP = 'DELETE' THEN (b->>'rev')::bigint + 1 ELSE (a->>'rev')::bigint END,
          CASE TG_OP WHEN 'INSERT' THEN 'create' WHEN 'UPDATE' THEN 'update' ELSE 'delete' END,
          nullif(current_setting('claimdb.reason', true), ''),
          nullif(current_setting('claimdb.user_id', true), '')::uuid,
          nullif(current_setting('claimdb.token_id', true), '')::uuid,
          nullif(current_setting('claimdb.request_id', true), ''),
          b, a);
  PERFORM pg_notify('claimdb_changes', coalesce(project::text, ''));
  RETURN NULL;
END $$;

COMMENT ON FUNCTION public.history_after() IS 'Appends the change to revisions and notifies claimdb_changes with the project id (nothing while an import restores a log that has the row''s state already).';

CREATE FUNCTION public.history_before() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
  expect text := current_setting('claimdb.if_match', true);
  restoring boolean := current_setting('claimdb.history_import', true) = 'on';
  project uuid;
  logged revisions;
BEGIN
  IF restoring AND TG_OP <> 'DELETE' THEN
    SELECT * INTO logged FROM revisions h WHERE h.resource = TG_TABLE_NAME::text AND h.id = NEW.id
      ORDER BY h.rev DESC, h.seq DESC LIMIT 1;
    IF FOUND AND logged.op IN ('create', 'update')
       AND (TG_OP = 'INSERT' OR logged.rev > OLD.rev) THEN
      NEW.rev := logged.rev;
      RETURN NEW;
    END IF;
  END IF;
  IF TG_OP = 'INSERT' THEN
    -- A restored row continues its old numbering.
    NEW.rev := coalesce((SELECT max(h.rev) FROM revisions h
                          WHERE h.resource = TG_TABLE_NAME::text AND h.id = NEW.id), 0) + 1;
    RETURN NEW;
  END IF;
  IF expect <> '' AND split_part(expect, '/', 1) = TG_TABLE_NAME
     AND split_part(expect, '/', 2) = OLD.id::text THEN
    IF split_part(expect, '/', 3) = '' THEN
      project := CASE WHEN TG_TABLE_NAME = 'projects' THEN OLD.id ELSE OLD.project_id END;
      IF EXISTS (SELECT 1 FROM projects p WHERE p.id = project AND p.settings @> '{"require_if_match": true}') THEN
        RAISE EXCEPTION 'this project requires If-Match on every change: send the ETag (or "<rev>") of the % you changed', rtrim(TG_TABLE_NAME, 's')
          USING ERRCODE = 'CD428', HINT = 'If-Match';
      END IF;
    ELSIF split_part(expect, '/', 3) <> OLD.rev::text THEN
      RAISE EXCEPTION 'the % changed since revision %', TG_TABLE_NAME, split_part(expect, '/', 3)
        USING ERRCODE = 'CD412', HINT = 'If-Match';
    END IF;
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  NEW.rev := OLD.rev;
  IF NEW IS DISTINCT FROM OLD THEN
    NEW.rev := OLD.rev + 1;
  END IF;
  RETURN NEW;
END $$;

COMMENT ON FUNCTION public.history_before() IS 'Checks claimdb.if_match ("<table>/<id>/<rev>": 412 when older; "<table>/<id>/": 428 when the project requires If-Match) and sets rev: 1 + the last logged revision on insert, +1 on an update that changes the row; while an import restores a log (claimdb.history_import), the revision of the row''s last imported create/update.';

CREATE FUNCTION public.history_columns(resource text) RETURNS text
    LANGUAGE sql STABLE
    AS $$
  SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum)
  FROM pg_attribute a
  WHERE a.attrelid = to_regclass(quote_ident(resource)) AND a.attnum > 0 AND NOT a.attisdropped
    AND a.attgenerated = '' AND a.attname <> 'rev' AND a.attname <> ALL (history_derived_columns())
$$;

COMMENT ON FUNCTION public.history_columns(resource text) IS 'The writable columns of an annotation table, for revert and restore.';

CREATE FUNCTION public.history_derived_columns() RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT ARRAY['search', 'search_config'] $$;

COMMENT ON FUNCTION public.history_derived_columns() IS 'Columns derived by other triggers: not logged, not written back by revert or restore.';

CREATE FUNCTION public.history_restore(resource text, row_id uuid) RETURNS jsonb
    LANGUAGE plpgsql
    AS $$
DECLARE
  root revisions;
  c record;
  back text[];
  restored jsonb := '[]';
  missing jsonb := '[]';
  progress boolean := true;
  new_rev bigint;
BEGIN
  SELECT * INTO root FROM revisions r WHERE r.resource = history_restore.resource AND r.id = row_id
    ORDER BY r.rev DESC, r.seq DESC LIMIT 1;
  IF NOT FOUND OR root.op <> 'delete' THEN
    RETURN NULL;
  END IF;
  new_rev := history_write(resource, row_id, root.before);
  back := ARRAY[row_id::text];
  restored := restored || jsonb_build_object('resource', resource, 'id', row_id, 'rev', new_rev);
  CREATE TEMP TABLE IF NOT EXISTS restore_candidates (resource text, id uuid, image jsonb, done boolean, error text)
    ON COMMIT DROP;
  TRUNCATE restore_candidates;
  INSERT INTO restore_candidates
    SELECT r.resource, r.id, r.before, false, NULL FROM revisions r
    WHERE r.xid = root.xid AND r.origin_txn IS NOT DISTINCT FROM root.origin_txn
      AND r.op = 'delete' AND r.seq <> root.seq
      AND NOT EXISTS (SELECT 1 FROM revisions n WHERE n.resource = r.resource AND n.id = r.id AND n.rev > r.rev);
  WHILE progress LOOP
    progress := false;
    FOR c IN SELECT * FROM restore_candidates rc WHERE NOT rc.done ORDER BY rc.resource, rc.id LOOP
      -- Only rows that point at a row brought back went with it.
      CONTINUE WHEN NOT EXISTS (SELECT 1 FROM jsonb_each_text(c.image) e
                                WHERE e.key LIKE '%_id' AND e.key <> 'project_id' AND e.value = ANY (back));
      BEGIN
        new_rev := history_write(c.resource, c.id, c.image);
        back := back || c.id::text;
        restored := restored || jsonb_build_object('resource', c.resource, 'id', c.id, 'rev', new_rev);
        UPDATE restore_candidates rc SET done = true, error = NULL WHERE rc.resource = c.resource AND rc.id = c.id;
        progress := true;
      EXCEPTION WHEN SQLSTATE 'CD409' THEN
        UPDATE restore_candidates rc SET error = SQLERRM WHERE rc.resource = c.resource AND rc.id = c.id;
      END;
    END LOOP;
  END LOOP;
  SELECT coalesce(jsonb_agg(jsonb_build_object('resource', rc.resource, 'id', rc.id, 'reason', rc.error)
                            ORDER BY rc.resource, rc.id), '[]')
    INTO missing FROM restore_candidates rc WHERE NOT rc.done AND rc.error IS NOT NULL;
  RETURN jsonb_build_object('restored', restored, 'missing', missing);
END $$;

COMMENT ON FUNCTION public.history_restore(resource text, row_id uuid) IS 'Restores a deleted row and the rows deleted with it (same xid and origin_txn) that point at it; reports what could not come back.';

CREATE FUNCTION public.history_revert(resource text, row_id uuid, to_rev bigint) RETURNS bigint
    LANGUAGE plpgsql
    AS $$
DECLARE
  h revisions;
BEGIN
  SELECT * INTO h FROM revisions r WHERE r.resource = history_revert.resource AND r.id = row_id AND r.rev = to_rev
    ORDER BY r.seq DESC LIMIT 1;
  IF NOT FOUND THEN
    IF NOT EXISTS (SELECT 1 FROM revisions r WHERE r.resource = history_revert.resource AND r.id = row_id) THEN
      RETURN NULL;
    END IF;
    RAISE EXCEPTION '% % has no revision %', resource, row_id, to_rev USING ERRCODE = 'CD422', HINT = 'to_rev';
  END IF;
  IF h.after IS NULL THEN
    RAISE EXCEPTION 'revision % of % % is its deletion; revert to a revision before it, or restore it from the trash',
      to_rev, resource, row_id USING ERRCODE = 'CD422', HINT = 'to_rev';
  END IF;
  RETURN history_write(resource, row_id, h.after);
END $$;

COMMENT ON FUNCTION public.history_revert(resource text, row_id uuid, to_rev bigint) IS 'Makes a new revision of a row equal to revision to_rev; NULL when the row never existed.';

CREATE FUNCTION public.history_write(resource text, row_id uuid, image jsonb) RETURNS bigint
    LANGUAGE plpgsql
    AS $_$
DECLARE
  cols text := history_columns(resource);
  new_rev bigint;
  detail text;
  constraint_name text;
  who text;
BEGIN
  IF resource NOT IN ('projects', 'documents', 'actors', 'claims', 'attributions', 'relations', 'sources', 'citations') THEN
    RAISE EXCEPTION 'no such resource %', resource USING ERRCODE = '22023';
  END IF;
  FOREACH who IN ARRAY ARRAY['created_by', 'updated_by'] LOOP
    IF image->>who IS NOT NULL AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = (image->>who)::uuid) THEN
      image := jsonb_set(image, ARRAY[who], 'null');
    END IF;
  END LOOP;
  BEGIN
    EXECUTE format('UPDATE %I t SET (%s) = (SELECT %s FROM jsonb_populate_record(NULL::%I, $1)) WHERE t.id = $2 RETURNING t.rev',
                   resource, cols, cols, resource) INTO new_rev USING image, row_id;
    IF new_rev IS NULL THEN
      EXECUTE format('INSERT INTO %I (%s) SELECT %s FROM jsonb_populate_record(NULL::%I, $1) RETURNING rev',
                     resource, cols, cols, resource) INTO new_rev USING image;
    END IF;
  EXCEPTION WHEN foreign_key_violation THEN
    GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL, constraint_name = CONSTRAINT_NAME;
    SELECT format('Key (%s)=(%s) is not present in table "%s".', a.attname, image->>a.attname::text,
                  ref.relname)
      INTO detail
      FROM pg_constraint c
      JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
      JOIN pg_class ref ON ref.oid = c.confrelid
     WHERE c.conname = constraint_name AND c.conrelid = resource::regclass;
    RAISE EXCEPTION '% % cannot come back: %', resource, row_id, detail
      USING ERRCODE = 'CD409', HINT = constraint_name;
  END;
  RETURN new_rev;
END $_$;

COMMENT ON FUNCTION public.history_write(resource text, row_id uuid, image jsonb) IS 'Writes a logged row image back (update or re-insert; a creator or editor unknown here as NULL); CD409 naming the missing row when a reference it needs is gone.';

CREATE FUNCTION public.like_anywhere(q text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
  SELECT '%' || replace(replace(replace(q, '\', '\\'), '%', '\%'), '_', '\_') || '%'
$$;

COMMENT ON FUNCTION public.like_anywhere(q text) IS 'LIKE pattern for q as a literal substring.';

CREATE FUNCTION public.revision_view(resource text, r jsonb) RETURNS jsonb
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
  SELECT CASE WHEN r IS NULL OR resource <> 'claims' THEN r
    ELSE (r - ARRAY['start', 'end', 'exact', 'prefix', 'suffix', 'segments'])
         || jsonb_build_object('target', CASE WHEN r->'start' = 'null'::jsonb OR r->'start' IS NULL THEN NULL
              ELSE jsonb_build_object('start', r->'start', 'end', r->'end', 'exact', r->'exact',
                                      'prefix', r->'prefix', 'suffix', r->'suffix')
                   || CASE WHEN r->'segments' IS NULL OR r->'segments' = 'null'::jsonb THEN '{}'::jsonb
                      ELSE jsonb_build_object('segments', r->'segments') END END)
  END
$$;

COMMENT ON FUNCTION public.revision_view(resource text, r jsonb) IS 'A logged row in the API''s shape (a claim''s span as target).';

CREATE FUNCTION public.revisions_append_only() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  RAISE EXCEPTION 'the revision log is append-only' USING ERRCODE = '42501';
END $$;

COMMENT ON FUNCTION public.revisions_append_only() IS 'Refuses UPDATE, DELETE and TRUNCATE of the revision log.';

CREATE FUNCTION public.search_score(q text, t text) RETURNS real
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
  SELECT CASE WHEN t IS NULL THEN 0 WHEN strpos(t, q) > 0 THEN 1 ELSE word_similarity(q, t) END
$$;

COMMENT ON FUNCTION public.search_score(q text, t text) IS 'Rank of a text for a search query: 1 for a substring, else trigram word similarity.';

CREATE FUNCTION public.source_matches(q text) RETURNS TABLE(id uuid, score real)
    LANGUAGE sql STABLE PARALLEL SAFE
    SET "pg_trgm.word_similarity_threshold" TO '0.3'
    AS $$
  SELECT s.id, search_score(q, source_search_text(s.title, s.url)) FROM sources s
  WHERE source_search_text(s.title, s.url) LIKE like_anywhere(q) OR q <% source_search_text(s.title, s.url)
$$;

COMMENT ON FUNCTION public.source_matches(q text) IS 'Sources whose title or URL contain or resemble q (lower-cased), with a score.';

CREATE FUNCTION public.source_search_text(title text, url text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
  SELECT lower(title || coalesce(E'\n' || url, ''))
$$;

COMMENT ON FUNCTION public.source_search_text(title text, url text) IS 'Lower-cased title and URL of a source, for trigram search.';

CREATE FUNCTION public.text_sha256(text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $_$
  SELECT encode(sha256(convert_to($1, 'UTF8')), 'hex')
$_$;

COMMENT ON FUNCTION public.text_sha256(text) IS 'Hex SHA-256 of the UTF-8 bytes of a text.';

CREATE FUNCTION public.touch_updated_at() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  IF NEW IS DISTINCT FROM OLD THEN
    NEW.updated_at := now();
  END IF;
  RETURN NEW;
END $$;

COMMENT ON FUNCTION public.touch_updated_at() IS 'Sets updated_at on every UPDATE that changes the row.';

CREATE FUNCTION public.uuidv7() RETURNS uuid
    LANGUAGE plpgsql PARALLEL SAFE
    AS $$
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

COMMENT ON FUNCTION public.uuidv7() IS 'A UUIDv7: Unix time in milliseconds, 12 bits of sub-millisecond fraction, 62 random bits.';

CREATE TABLE public.actor_merges (
    merged_id uuid NOT NULL,
    into_id uuid NOT NULL,
    project_id uuid NOT NULL,
    merged_at timestamp with time zone DEFAULT now() NOT NULL
);

ALTER TABLE ONLY public.actor_merges FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.actor_merges IS 'Where merged actors went: GET /v1/actors/{merged_id} answers 308 to into_id.';

COMMENT ON COLUMN public.actor_merges.merged_id IS 'The id of the actor that was merged away (no longer a row of actors).';

COMMENT ON COLUMN public.actor_merges.into_id IS 'The actor it was merged into; kept current when that one is merged in turn.';

COMMENT ON COLUMN public.actor_merges.project_id IS 'Project of both actors.';

COMMENT ON COLUMN public.actor_merges.merged_at IS 'When the merge happened.';

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
    created_by uuid DEFAULT public.claimdb_user_id(),
    updated_by uuid DEFAULT public.claimdb_user_id(),
    rev bigint DEFAULT 1 NOT NULL,
    CONSTRAINT actors_aliases_check CHECK ((array_position(aliases, NULL::text) IS NULL)),
    CONSTRAINT actors_aliases_length CHECK (((public.claimdb_longest(aliases) <= 500) AND (''::text <> ALL (aliases)))),
    CONSTRAINT actors_annotator_length CHECK ((char_length(annotator) <= 200)),
    CONSTRAINT actors_external_ids_check CHECK ((jsonb_typeof(external_ids) = 'object'::text)),
    CONSTRAINT actors_name_check CHECK (((length(name) >= 1) AND (length(name) <= 500))),
    CONSTRAINT actors_rev_check CHECK ((rev >= 1))
);

ALTER TABLE ONLY public.actors FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.actors IS 'People, organisations, governments, media and groups who make, report or endorse claims.';

COMMENT ON COLUMN public.actors.id IS 'Stable identifier (UUID).';

COMMENT ON COLUMN public.actors.project_id IS 'Owning project.';

COMMENT ON COLUMN public.actors.name IS 'Canonical name.';

COMMENT ON COLUMN public.actors.kind IS 'person, organisation, government, intergovernmental, media, group or other.';

COMMENT ON COLUMN public.actors.aliases IS 'Other names and spellings; lookup by name or alias ignores case.';

COMMENT ON COLUMN public.actors.description IS 'Who the actor is.';

COMMENT ON COLUMN public.actors.external_ids IS 'Identifiers elsewhere, e.g. {"wikidata": "Q42"}.';

COMMENT ON COLUMN public.actors.created_at IS 'When the row was created.';

COMMENT ON COLUMN public.actors.updated_at IS 'When the row last changed.';

COMMENT ON COLUMN public.actors.annotator IS 'Free-text provenance carried by imported datasets (who annotated it there); not an account.';

COMMENT ON COLUMN public.actors.created_by IS 'The user who created the row (set by the server; NULL: command line or before accounts).';

COMMENT ON COLUMN public.actors.updated_by IS 'The user who last changed the row (set by the server).';

COMMENT ON COLUMN public.actors.rev IS 'Revision number: 1 when created, one more on every change (the ETag); see revisions.';

CREATE TABLE public.api_tokens (
    id uuid DEFAULT public.uuidv7() NOT NULL,
    public_id text NOT NULL,
    secret_sha256 bytea NOT NULL,
    user_id uuid NOT NULL,
    name text,
    scopes text[] NOT NULL,
    project_ids uuid[],
    expires_at timestamp with time zone,
    revoked_at timestamp with time zone,
    last_used_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT api_tokens_name_check CHECK ((length(name) <= 200)),
    CONSTRAINT api_tokens_public_id_check CHECK ((public_id ~ '^[0-9a-f]{16}$'::text)),
    CONSTRAINT api_tokens_scopes_check CHECK (((scopes <@ ARRAY['read'::text, 'write'::text, 'admin'::text]) AND (cardinality(scopes) > 0))),
    CONSTRAINT api_tokens_secret_sha256_check CHECK ((length(secret_sha256) = 32))
);

COMMENT ON TABLE public.api_tokens IS 'API tokens (Authorization: Bearer cdb_…); the secret itself is never stored.';

COMMENT ON COLUMN public.api_tokens.id IS 'Stable identifier (UUID).';

COMMENT ON COLUMN public.api_tokens.public_id IS 'The greppable public part of the token (16 hex digits).';

COMMENT ON COLUMN public.api_tokens.secret_sha256 IS 'SHA-256 of the secret part; compared in constant time.';

COMMENT ON COLUMN public.api_tokens.user_id IS 'Whose token it is.';

COMMENT ON COLUMN public.api_tokens.name IS 'What the owner calls it.';

COMMENT ON COLUMN public.api_tokens.scopes IS 'read, write, admin.';

COMMENT ON COLUMN public.api_tokens.project_ids IS 'NULL: every project of the user; else only these.';

COMMENT ON COLUMN public.api_tokens.expires_at IS 'After this the token no longer works (NULL: never).';

COMMENT ON COLUMN public.api_tokens.revoked_at IS 'When the token was revoked (NULL: active).';

COMMENT ON COLUMN public.api_tokens.last_used_at IS 'Last authenticated use (to within the server''s 5 s credential cache).';

COMMENT ON COLUMN public.api_tokens.created_at IS 'When the row was created.';

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
    created_by uuid DEFAULT public.claimdb_user_id(),
    updated_by uuid DEFAULT public.claimdb_user_id(),
    rev bigint DEFAULT 1 NOT NULL,
    polarity public.attribution_polarity,
    factuality public.attribution_factuality,
    said_at text,
    CONSTRAINT attributions_annotator_length CHECK ((char_length(annotator) <= 200)),
    CONSTRAINT attributions_check CHECK ((via_attribution_id IS DISTINCT FROM id)),
    CONSTRAINT attributions_cue_length CHECK ((char_length(cue) <= 1000)),
    CONSTRAINT attributions_cue_span_check CHECK ((jsonb_typeof(cue_span) = 'object'::text)),
    CONSTRAINT attributions_rev_check CHECK ((rev >= 1)),
    CONSTRAINT attributions_role_length CHECK ((char_length(role) <= 500)),
    CONSTRAINT attributions_said_at_format CHECK ((said_at ~ '^[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$'::text)),
    CONSTRAINT attributions_source_span_check CHECK ((jsonb_typeof(source_span) = 'object'::text))
);

ALTER TABLE ONLY public.attributions FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.attributions IS 'Who asserts a claim, in what role, through which cue and mode, and through whom it is reported.';

COMMENT ON COLUMN public.attributions.id IS 'Stable identifier (UUID).';

COMMENT ON COLUMN public.attributions.project_id IS 'Owning project.';

COMMENT ON COLUMN public.attributions.claim_id IS 'The claim asserted.';

COMMENT ON COLUMN public.attributions.actor_id IS 'The actor who asserts it.';

COMMENT ON COLUMN public.attributions.role IS 'Role or affiliation at the time, e.g. "foreign ministry spokesperson".';

COMMENT ON COLUMN public.attributions.cue IS 'The reporting verb or phrase as written, e.g. "slammed".';

COMMENT ON COLUMN public.attributions.mode IS 'direct_quote, indirect, paraphrase, endorsement or implicit.';

COMMENT ON COLUMN public.attributions.source_span IS 'Span of the mention of the actor in the claim''s document: {start,end,exact,prefix,suffix}.';

COMMENT ON COLUMN public.attributions.cue_span IS 'Span of the cue in the claim''s document: {start,end,exact,prefix,suffix}.';

COMMENT ON COLUMN public.attributions.via_attribution_id IS 'The attribution through which this one is reported (a report of a report).';

COMMENT ON COLUMN public.attributions.created_at IS 'When the row was created.';

COMMENT ON COLUMN public.attributions.updated_at IS 'When the row last changed.';

COMMENT ON COLUMN public.attributions.annotator IS 'Free-text provenance carried by imported datasets (who annotated it there); not an account.';

COMMENT ON COLUMN public.attributions.created_by IS 'The user who created the row (set by the server; NULL: command line or before accounts).';

COMMENT ON COLUMN public.attributions.updated_by IS 'The user who last changed the row (set by the server).';

COMMENT ON COLUMN public.attributions.rev IS 'Revision number: 1 when created, one more on every change (the ETag); see revisions.';

COMMENT ON COLUMN public.attributions.polarity IS 'positive (the source asserts the content) or negative (denies it); null when not annotated.';

COMMENT ON COLUMN public.attributions.factuality IS 'certain, probable or possible; null when not annotated.';

COMMENT ON COLUMN public.attributions.said_at IS 'When it was said: YYYY-MM-DD, YYYY-MM or YYYY, as precise as the text.';

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
    created_by uuid DEFAULT public.claimdb_user_id(),
    updated_by uuid DEFAULT public.claimdb_user_id(),
    rev bigint DEFAULT 1 NOT NULL,
    CONSTRAINT citations_annotator_length CHECK ((char_length(annotator) <= 200)),
    CONSTRAINT citations_locator_length CHECK ((char_length(locator) <= 1000)),
    CONSTRAINT citations_rev_check CHECK ((rev >= 1)),
    CONSTRAINT citations_span_check CHECK ((jsonb_typeof(span) = 'object'::text))
);

ALTER TABLE ONLY public.citations FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.citations IS 'A claim citing a source as evidence.';

COMMENT ON COLUMN public.citations.id IS 'Stable identifier (UUID).';

COMMENT ON COLUMN public.citations.project_id IS 'Owning project.';

COMMENT ON COLUMN public.citations.claim_id IS 'The citing claim.';

COMMENT ON COLUMN public.citations.source_id IS 'The source cited.';

COMMENT ON COLUMN public.citations.locator IS 'Where in the source, e.g. "para. 148".';

COMMENT ON COLUMN public.citations.span IS 'Span of the citation in the claim''s document: {start,end,exact,prefix,suffix}.';

COMMENT ON COLUMN public.citations.created_at IS 'When the row was created.';

COMMENT ON COLUMN public.citations.updated_at IS 'When the row last changed.';

COMMENT ON COLUMN public.citations.annotator IS 'Free-text provenance carried by imported datasets (who annotated it there); not an account.';

COMMENT ON COLUMN public.citations.created_by IS 'The user who created the row (set by the server; NULL: command line or before accounts).';

COMMENT ON COLUMN public.citations.updated_by IS 'The user who last changed the row (set by the server).';

COMMENT ON COLUMN public.citations.rev IS 'Revision number: 1 when created, one more on every change (the ETag); see revisions.';

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
    created_by uuid DEFAULT public.claimdb_user_id(),
    updated_by uuid DEFAULT public.claimdb_user_id(),
    rev bigint DEFAULT 1 NOT NULL,
    segments jsonb,
    search_config regconfig DEFAULT 'simple'::regconfig NOT NULL,
    search tsvector NOT NULL,
    CONSTRAINT claims_annotator_length CHECK ((char_length(annotator) <= 200)),
    CONSTRAINT claims_check CHECK ((((start IS NULL) = ("end" IS NULL)) AND ((start IS NULL) = (exact IS NULL)) AND ((start IS NULL) OR ((document_id IS NOT NULL) AND ("end" > start))))),
    CONSTRAINT claims_prefix_check CHECK ((char_length(prefix) <= 32)),
    CONSTRAINT claims_rev_check CHECK ((rev >= 1)),
    CONSTRAINT claims_segments_check CHECK (((segments IS NULL) OR ((start IS NOT NULL) AND (jsonb_typeof(segments) = 'array'::text) AND ((jsonb_array_length(segments) >= 2) AND (jsonb_array_length(segments) <= 16))))),
    CONSTRAINT claims_start_check CHECK ((start >= 0)),
    CONSTRAINT claims_suffix_check CHECK ((char_length(suffix) <= 32)),
    CONSTRAINT claims_tags_check CHECK ((array_position(tags, NULL::text) IS NULL)),
    CONSTRAINT claims_tags_length CHECK (((public.claimdb_longest(tags) <= 200) AND (''::text <> ALL (tags)))),
    CONSTRAINT claims_text_check CHECK ((length(text) >= 1))
);

ALTER TABLE ONLY public.claims FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.claims IS 'An assertion, anchored to a span of a document (W3C position and quote selectors) or, when known only through reports, to none.';

COMMENT ON COLUMN public.claims.id IS 'Stable identifier (UUID).';

COMMENT ON COLUMN public.claims.project_id IS 'Owning project.';

COMMENT ON COLUMN public.claims.document_id IS 'Document the claim is found in; null for a proposition known only through reports.';

COMMENT ON COLUMN public.claims.start IS 'Start of the span, in Unicode code points from the start of the text (inclusive).';

COMMENT ON COLUMN public.claims."end" IS 'End of the span, in code points (exclusive).';

COMMENT ON COLUMN public.claims.exact IS 'The quoted text of the span, exactly as in the document.';

COMMENT ON COLUMN public.claims.prefix IS 'Up to 32 code points of text just before the span.';

COMMENT ON COLUMN public.claims.suffix IS 'Up to 32 code points of text just after the span.';

COMMENT ON COLUMN public.claims.text IS 'The proposition in the researcher''s words; defaults to exact.';

COMMENT ON COLUMN public.claims.kind IS 'factual, statistical, evaluative, normative, causal, predictive or other.';

COMMENT ON COLUMN public.claims.tags IS 'Codebook tags such as topic/xinjiang.';

COMMENT ON COLUMN public.claims.note IS 'The annotator''s note.';

COMMENT ON COLUMN public.claims.created_at IS 'When the row was created.';

COMMENT ON COLUMN public.claims.updated_at IS 'When the row last changed.';

COMMENT ON COLUMN public.claims.annotator IS 'Free-text provenance carried by imported datasets (who annotated it there); not an account.';

COMMENT ON COLUMN public.claims.created_by IS 'The user who created the row (set by the server; NULL: command line or before accounts).';

COMMENT ON COLUMN public.claims.updated_by IS 'The user who last changed the row (set by the server).';

COMMENT ON COLUMN public.claims.rev IS 'Revision number: 1 when created, one more on every change (the ETag); see revisions.';

COMMENT ON COLUMN public.claims.segments IS 'A discontinuous target''s pieces in text order, [{start,end,exact,prefix,suffix}] (2 to 16); null for a one-piece target.';

COMMENT ON COLUMN public.claims.search_config IS 'Text-search configuration of the claim''s document language (simple without one).';

COMMENT ON COLUMN public.claims.search IS 'Full-text vector of text (weight A) and exact (B), with the pairs of adjacent lexemes (claimdb_word_pairs) for phrases; kept by a trigger.';

CREATE TABLE public.codebook_entries (
    id uuid DEFAULT public.uuidv7() NOT NULL,
    project_id uuid NOT NULL,
    tag text NOT NULL,
    description text,
    parent text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    annotator text,
    created_by uuid DEFAULT public.claimdb_user_id(),
    updated_by uuid DEFAULT public.claimdb_user_id(),
    CONSTRAINT codebook_entries_annotator_check CHECK ((char_length(annotator) <= 200)),
    CONSTRAINT codebook_entries_check CHECK ((parent IS DISTINCT FROM tag)),
    CONSTRAINT codebook_entries_description_check CHECK ((char_length(description) <= 2000)),
    CONSTRAINT codebook_entries_parent_length CHECK ((char_length(parent) <= 200)),
    CONSTRAINT codebook_entries_tag_check CHECK ((((char_length(tag) >= 1) AND (char_length(tag) <= 200)) AND (tag !~ '(^/|/$|//)'::text)))
);

ALTER TABLE ONLY public.codebook_entries FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.codebook_entries IS 'The tags a project''s annotators use, with descriptions; hierarchical through parent.';

COMMENT ON COLUMN public.codebook_entries.id IS 'Stable identifier (UUID).';

COMMENT ON COLUMN public.codebook_entries.project_id IS 'Owning project.';

COMMENT ON COLUMN public.codebook_entries.tag IS 'The tag as claims carry it, e.g. topic/xinjiang; unique in the project.';

COMMENT ON COLUMN public.codebook_entries.description IS 'When to apply the tag.';

COMMENT ON COLUMN public.codebook_entries.parent IS 'The tag of the entry this one refines (topic for topic/xinjiang), or null.';

COMMENT ON COLUMN public.codebook_entries.created_at IS 'When the row was created.';

COMMENT ON COLUMN public.codebook_entries.updated_at IS 'When the row last changed.';

COMMENT ON COLUMN public.codebook_entries.annotator IS 'Free-text provenance (who wrote the entry, e.g. in another tool); not an account.';

COMMENT ON COLUMN public.codebook_entries.created_by IS 'The user who created the row (set by the server; NULL: command line or migration).';

COMMENT ON COLUMN public.codebook_entries.updated_by IS 'The user who last changed the row (set by the server).';

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
    created_by uuid DEFAULT public.claimdb_user_id(),
    updated_by uuid DEFAULT public.claimdb_user_id(),
    rev bigint DEFAULT 1 NOT NULL,
    search tsvector GENERATED ALWAYS AS (public.claimdb_tsvector(public.claimdb_ts_config(language), title, text)) STORED,
    done boolean DEFAULT false NOT NULL,
    CONSTRAINT documents_annotator_length CHECK ((char_length(annotator) <= 200)),
    CONSTRAINT documents_author_length CHECK ((char_length(author) <= 500)),
    CONSTRAINT documents_external_id_length CHECK ((char_length(external_id) <= 500)),
    CONSTRAINT documents_language_check CHECK ((language ~ '^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$'::text)),
    CONSTRAINT documents_language_length CHECK ((char_length(language) <= 35)),
    CONSTRAINT documents_metadata_check CHECK ((jsonb_typeof(metadata) = 'object'::text)),
    CONSTRAINT documents_publisher_length CHECK ((char_length(publisher) <= 500)),
    CONSTRAINT documents_rev_check CHECK ((rev >= 1)),
    CONSTRAINT documents_title_check CHECK (((length(title) >= 1) AND (length(title) <= 1000))),
    CONSTRAINT documents_url_length CHECK ((char_length(url) <= 2000))
);

ALTER TABLE ONLY public.documents FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.documents IS 'A text as received, stored verbatim and never altered; claims point into it by code-point offsets.';

COMMENT ON COLUMN public.documents.id IS 'Stable identifier (UUID).';

COMMENT ON COLUMN public.documents.project_id IS 'Owning project.';

COMMENT ON COLUMN public.documents.title IS 'Title as the researcher records it.';

COMMENT ON COLUMN public.documents.text IS 'The full text, verbatim UTF-8, never normalised; immutable once created.';

COMMENT ON COLUMN public.documents.sha256 IS 'Hex SHA-256 of the UTF-8 bytes of text.';

COMMENT ON COLUMN public.documents.length IS 'Length of text in Unicode code points.';

COMMENT ON COLUMN public.documents.url IS 'Where the text was obtained.';

COMMENT ON COLUMN public.documents.publisher IS 'Publishing outlet or body, as written.';

COMMENT ON COLUMN public.documents.author IS 'Author(s), as written.';

COMMENT ON COLUMN public.documents.published_at IS 'Publication date.';

COMMENT ON COLUMN public.documents.language IS 'BCP 47 language tag of the text.';

COMMENT ON COLUMN public.documents.external_id IS 'Identifier in the researcher''s own corpus; unique within a project when given.';

COMMENT ON COLUMN public.documents.metadata IS 'Free-form JSON object for anything else (genre, collection, notes on noise).';

COMMENT ON COLUMN public.documents.created_at IS 'When the row was created.';

COMMENT ON COLUMN public.documents.updated_at IS 'When the metadata last changed.';

COMMENT ON COLUMN public.documents.annotator IS 'Free-text provenance carried by imported datasets (who annotated it there); not an account.';

COMMENT ON COLUMN public.documents.created_by IS 'The user who created the row (set by the server; NULL: command line or before accounts).';

COMMENT ON COLUMN public.documents.updated_by IS 'The user who last changed the row (set by the server).';

COMMENT ON COLUMN public.documents.rev IS 'Revision number: 1 when created, one more on every change (the ETag); see revisions.';

COMMENT ON COLUMN public.documents.search IS 'Full-text vector of title (weight A) and text (B), in the configuration of language.';

COMMENT ON COLUMN public.documents.done IS 'Annotation of this document is finished: in a blind project, its annotators now see each other''s work.';

CREATE TABLE public.members (
    project_id uuid NOT NULL,
    user_id uuid NOT NULL,
    role public.member_role NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    id uuid DEFAULT public.uuidv7() NOT NULL,
    rev bigint DEFAULT 1 NOT NULL,
    CONSTRAINT members_rev_check CHECK ((rev >= 1))
);

COMMENT ON TABLE public.members IS 'Who belongs to a project, in which role.';

COMMENT ON COLUMN public.members.project_id IS 'The project.';

COMMENT ON COLUMN public.members.user_id IS 'The member.';

COMMENT ON COLUMN public.members.role IS 'viewer < annotator < curator < manager < owner.';

COMMENT ON COLUMN public.members.created_at IS 'When the row was created.';

COMMENT ON COLUMN public.members.updated_at IS 'When the row last changed.';

COMMENT ON COLUMN public.members.id IS 'The membership''s id (the revision log''s key for it).';

COMMENT ON COLUMN public.members.rev IS 'Revision number: 1 when created, one more on every change (the ETag); see revisions.';

CREATE TABLE public.projects (
    id uuid DEFAULT public.uuidv7() NOT NULL,
    slug text NOT NULL,
    name text NOT NULL,
    description text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    annotator text,
    visibility public.project_visibility DEFAULT 'private'::public.project_visibility NOT NULL,
    settings jsonb DEFAULT '{}'::jsonb NOT NULL,
    created_by uuid DEFAULT public.claimdb_user_id(),
    updated_by uuid DEFAULT public.claimdb_user_id(),
    rev bigint DEFAULT 1 NOT NULL,
    CONSTRAINT projects_annotator_length CHECK ((char_length(annotator) <= 200)),
    CONSTRAINT projects_name_check CHECK (((length(name) >= 1) AND (length(name) <= 500))),
    CONSTRAINT projects_rev_check CHECK ((rev >= 1)),
    CONSTRAINT projects_settings_blind_boolean CHECK (((NOT (settings ? 'blind'::text)) OR (jsonb_typeof((settings -> 'blind'::text)) = 'boolean'::text))),
    CONSTRAINT projects_settings_check CHECK ((jsonb_typeof(settings) = 'object'::text)),
    CONSTRAINT projects_settings_require_if_match_boolean CHECK (((NOT (settings ? 'require_if_match'::text)) OR (jsonb_typeof((settings -> 'require_if_match'::text)) = 'boolean'::text))),
    CONSTRAINT projects_slug_check CHECK ((slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'::text)),
    CONSTRAINT projects_slug_length CHECK ((char_length(slug) <= 63))
);

ALTER TABLE ONLY public.projects FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.projects IS 'A research project: the unit that owns every other row (access control will hang off it).';

COMMENT ON COLUMN public.projects.id IS 'Stable identifier (UUID).';

COMMENT ON COLUMN public.projects.slug IS 'Short URL-safe name, unique.';

COMMENT ON COLUMN public.projects.name IS 'Human-readable name.';

COMMENT ON COLUMN public.projects.description IS 'What the project studies.';

COMMENT ON COLUMN public.projects.created_at IS 'When the row was created.';

COMMENT ON COLUMN public.projects.updated_at IS 'When the row last changed.';

COMMENT ON COLUMN public.projects.annotator IS 'Who created the row (free text until accounts exist).';

COMMENT ON COLUMN public.projects.visibility IS 'private (default): only members read it; public: anyone may read it.';

COMMENT ON COLUMN public.projects.settings IS 'Project settings (e.g. blind, require_if_match, strict_tags), an object.';

COMMENT ON COLUMN public.projects.created_by IS 'The user who created the row (set by the server).';

COMMENT ON COLUMN public.projects.updated_by IS 'The user who last changed the row (set by the server).';

COMMENT ON COLUMN public.projects.rev IS 'Revision number: 1 when created, one more on every change (the ETag); see revisions.';

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
    created_by uuid DEFAULT public.claimdb_user_id(),
    updated_by uuid DEFAULT public.claimdb_user_id(),
    rev bigint DEFAULT 1 NOT NULL,
    CONSTRAINT relations_annotator_length CHECK ((char_length(annotator) <= 200)),
    CONSTRAINT relations_no_self CHECK ((from_claim_id <> to_claim_id)),
    CONSTRAINT relations_rev_check CHECK ((rev >= 1))
);

ALTER TABLE ONLY public.relations FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.relations IS 'Claim-and-counterclaim structure between two claims, possibly in different documents: from <kind> to.';

COMMENT ON COLUMN public.relations.id IS 'Stable identifier (UUID).';

COMMENT ON COLUMN public.relations.project_id IS 'Owning project.';

COMMENT ON COLUMN public.relations.from_claim_id IS 'The claim that refutes, disputes, supports, restates, qualifies or responds.';

COMMENT ON COLUMN public.relations.to_claim_id IS 'The claim it bears on.';

COMMENT ON COLUMN public.relations.kind IS 'refutes, disputes, supports, restates, qualifies or responds_to.';

COMMENT ON COLUMN public.relations.note IS 'The annotator''s note.';

COMMENT ON COLUMN public.relations.asserted_by_actor_id IS 'The actor who puts the claims in this relation, when the text says.';

COMMENT ON COLUMN public.relations.created_at IS 'When the row was created.';

COMMENT ON COLUMN public.relations.updated_at IS 'When the row last changed.';

COMMENT ON COLUMN public.relations.annotator IS 'Free-text provenance carried by imported datasets (who annotated it there); not an account.';

COMMENT ON COLUMN public.relations.created_by IS 'The user who created the row (set by the server; NULL: command line or before accounts).';

COMMENT ON COLUMN public.relations.updated_by IS 'The user who last changed the row (set by the server).';

COMMENT ON COLUMN public.relations.rev IS 'Revision number: 1 when created, one more on every change (the ETag); see revisions.';

CREATE TABLE public.revisions (
    seq bigint NOT NULL,
    xid xid8 DEFAULT pg_current_xact_id() NOT NULL,
    resource text NOT NULL,
    id uuid NOT NULL,
    project_id uuid,
    rev bigint NOT NULL,
    op text NOT NULL,
    reason text,
    user_id uuid,
    token_id uuid,
    request_id text,
    at timestamp with time zone DEFAULT now() NOT NULL,
    before jsonb,
    after jsonb,
    origin_txn bigint,
    CONSTRAINT revisions_op_check CHECK ((op = ANY (ARRAY['create'::text, 'update'::text, 'delete'::text, 'purge'::text]))),
    CONSTRAINT revisions_origin_txn_check CHECK ((origin_txn >= 1))
);

ALTER TABLE ONLY public.revisions FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.revisions IS 'Append-only log of every change to an annotation row, written by triggers in the changing transaction.';

COMMENT ON COLUMN public.revisions.seq IS 'Order of the entry within its transaction (and a unique key).';

COMMENT ON COLUMN public.revisions.xid IS 'The writing transaction; the change feed orders by (xid, seq) and serves only transactions older than every one still running.';

COMMENT ON COLUMN public.revisions.resource IS 'The table changed: projects, documents, actors, claims, attributions, relations, sources, citations or members.';

COMMENT ON COLUMN public.revisions.id IS 'The id of the row changed.';

COMMENT ON COLUMN public.revisions.project_id IS 'The project of the row (a project''s own id for projects).';

COMMENT ON COLUMN public.revisions.rev IS 'The row''s revision number after the change (a delete is a revision too).';

COMMENT ON COLUMN public.revisions.op IS 'create, update, delete, or purge (the deleted row may no longer be restored).';

COMMENT ON COLUMN public.revisions.reason IS 'The operation the change was made for (revert, restore, merge, import, purge), from claimdb.reason; NULL for a plain edit.';

COMMENT ON COLUMN public.revisions.user_id IS 'The authenticated user (claimdb.user_id), NULL when unknown.';

COMMENT ON COLUMN public.revisions.token_id IS 'The API token used (claimdb.token_id), NULL when none.';

COMMENT ON COLUMN public.revisions.request_id IS 'The HTTP request''s X-Request-Id (claimdb.request_id).';

COMMENT ON COLUMN public.revisions.at IS 'When the changing transaction started.';

COMMENT ON COLUMN public.revisions.before IS 'The row before the change (NULL for a create).';

COMMENT ON COLUMN public.revisions.after IS 'The row after the change (NULL for a delete).';

COMMENT ON COLUMN public.revisions.origin_txn IS 'For an entry restored by an import (history=true): the number of its transaction in the imported file (its `txn`); NULL for changes made here. (xid, origin_txn) groups the entries of one original transaction.';

ALTER TABLE public.revisions ALTER COLUMN seq ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.revisions_seq_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

CREATE TABLE public.search_configs (
    config regconfig NOT NULL
);

COMMENT ON TABLE public.search_configs IS 'Text-search configurations in use; a query is parsed once with each.';

COMMENT ON COLUMN public.search_configs.config IS 'A configuration some document or claim is indexed with.';

CREATE TABLE public.sessions (
    id uuid DEFAULT public.uuidv7() NOT NULL,
    public_id text NOT NULL,
    secret_sha256 bytea NOT NULL,
    user_id uuid NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT sessions_public_id_check CHECK ((public_id ~ '^[0-9a-f]{16}$'::text)),
    CONSTRAINT sessions_secret_sha256_check CHECK ((length(secret_sha256) = 32))
);

COMMENT ON TABLE public.sessions IS 'Browser sessions (the claimdb_session cookie); only the SHA-256 of the secret is kept.';

COMMENT ON COLUMN public.sessions.id IS 'Stable identifier (UUID).';

COMMENT ON COLUMN public.sessions.public_id IS 'The public part of the cookie value.';

COMMENT ON COLUMN public.sessions.secret_sha256 IS 'SHA-256 of the secret part.';

COMMENT ON COLUMN public.sessions.user_id IS 'Who signed in.';

COMMENT ON COLUMN public.sessions.expires_at IS 'When the session ends.';

COMMENT ON COLUMN public.sessions.created_at IS 'When the user signed in.';

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
    created_by uuid DEFAULT public.claimdb_user_id(),
    updated_by uuid DEFAULT public.claimdb_user_id(),
    rev bigint DEFAULT 1 NOT NULL,
    CONSTRAINT sources_annotator_length CHECK ((char_length(annotator) <= 200)),
    CONSTRAINT sources_rev_check CHECK ((rev >= 1)),
    CONSTRAINT sources_title_check CHECK (((length(title) >= 1) AND (length(title) <= 1000))),
    CONSTRAINT sources_url_length CHECK ((char_length(url) <= 2000))
);

ALTER TABLE ONLY public.sources FORCE ROW LEVEL SECURITY;

COMMENT ON TABLE public.sources IS 'What claims cite as evidence: reports, statements, statistics, testimony, laws.';

COMMENT ON COLUMN public.sources.id IS 'Stable identifier (UUID).';

COMMENT ON COLUMN public.sources.project_id IS 'Owning project.';

COMMENT ON COLUMN public.sources.title IS 'Title of the source.';

COMMENT ON COLUMN public.sources.kind IS 'report, statement, article, statistic, testimony, law, dataset or other.';

COMMENT ON COLUMN public.sources.url IS 'Where the source can be found.';

COMMENT ON COLUMN public.sources.publisher_actor_id IS 'The actor who published it.';

COMMENT ON COLUMN public.sources.published_at IS 'Publication date.';

COMMENT ON COLUMN public.sources.document_id IS 'The source''s own text, when claimdb holds it.';

COMMENT ON COLUMN public.sources.created_at IS 'When the row was created.';

COMMENT ON COLUMN public.sources.updated_at IS 'When the row last changed.';

COMMENT ON COLUMN public.sources.annotator IS 'Free-text provenance carried by imported datasets (who annotated it there); not an account.';

COMMENT ON COLUMN public.sources.created_by IS 'The user who created the row (set by the server; NULL: command line or before accounts).';

COMMENT ON COLUMN public.sources.updated_by IS 'The user who last changed the row (set by the server).';

COMMENT ON COLUMN public.sources.rev IS 'Revision number: 1 when created, one more on every change (the ETag); see revisions.';

CREATE TABLE public.users (
    id uuid DEFAULT public.uuidv7() NOT NULL,
    username text NOT NULL,
    display_name text,
    email text,
    password_hash text,
    disabled boolean DEFAULT false NOT NULL,
    server_admin boolean DEFAULT false NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT users_display_name_check CHECK ((length(display_name) <= 200)),
    CONSTRAINT users_email_check CHECK (((email ~ '^[^@\s]+@[^@\s]+$'::text) AND (length(email) <= 320))),
    CONSTRAINT users_username_check CHECK ((username ~ '^[a-z0-9][a-z0-9._-]{0,62}$'::text))
);

COMMENT ON TABLE public.users IS 'A person (or robot) who signs in or holds API tokens.';

COMMENT ON COLUMN public.users.id IS 'Stable identifier (UUID).';

COMMENT ON COLUMN public.users.username IS 'Sign-in name: lower-case letters, digits, . _ -; unique.';

COMMENT ON COLUMN public.users.display_name IS 'Name shown to others.';

COMMENT ON COLUMN public.users.email IS 'Optional contact address.';

COMMENT ON COLUMN public.users.password_hash IS 'Argon2id hash (libsodium crypto_pwhash_str format); NULL: token-only user. Never leaves the server.';

COMMENT ON COLUMN public.users.disabled IS 'A disabled user cannot sign in and their tokens and sessions stop working.';

COMMENT ON COLUMN public.users.server_admin IS 'Reads and manages every project and user.';

COMMENT ON COLUMN public.users.created_at IS 'When the row was created.';

COMMENT ON COLUMN public.users.updated_at IS 'When the row last changed.';

ALTER TABLE ONLY public.actor_merges
    ADD CONSTRAINT actor_merges_pkey PRIMARY KEY (merged_id);

ALTER TABLE ONLY public.actors
    ADD CONSTRAINT actors_id_project_id_key UNIQUE (id, project_id);

ALTER TABLE ONLY public.actors
    ADD CONSTRAINT actors_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.api_tokens
    ADD CONSTRAINT api_tokens_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.api_tokens
    ADD CONSTRAINT api_tokens_public_id_key UNIQUE (public_id);

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

ALTER TABLE ONLY public.codebook_entries
    ADD CONSTRAINT codebook_entries_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.codebook_entries
    ADD CONSTRAINT codebook_entries_project_id_tag_key UNIQUE (project_id, tag);

ALTER TABLE ONLY public.documents
    ADD CONSTRAINT documents_id_project_id_key UNIQUE (id, project_id);

ALTER TABLE ONLY public.documents
    ADD CONSTRAINT documents_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.documents
    ADD CONSTRAINT documents_project_id_external_id_key UNIQUE (project_id, external_id);

ALTER TABLE ONLY public.members
    ADD CONSTRAINT members_id_key UNIQUE (id);

ALTER TABLE ONLY public.members
    ADD CONSTRAINT members_pkey PRIMARY KEY (project_id, user_id);

ALTER TABLE ONLY public.projects
    ADD CONSTRAINT projects_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.projects
    ADD CONSTRAINT projects_slug_key UNIQUE (slug);

ALTER TABLE ONLY public.relations
    ADD CONSTRAINT relations_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.relations
    ADD CONSTRAINT relations_unique UNIQUE (from_claim_id, to_claim_id, kind);

ALTER TABLE ONLY public.revisions
    ADD CONSTRAINT revisions_one_project EXCLUDE USING gist (id WITH =, resource WITH =, project_id WITH <>);

ALTER TABLE ONLY public.revisions
    ADD CONSTRAINT revisions_pkey PRIMARY KEY (seq);

ALTER TABLE ONLY public.search_configs
    ADD CONSTRAINT search_configs_pkey PRIMARY KEY (config);

ALTER TABLE ONLY public.sessions
    ADD CONSTRAINT sessions_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.sessions
    ADD CONSTRAINT sessions_public_id_key UNIQUE (public_id);

ALTER TABLE ONLY public.sources
    ADD CONSTRAINT sources_id_project_id_key UNIQUE (id, project_id);

ALTER TABLE ONLY public.sources
    ADD CONSTRAINT sources_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_username_key UNIQUE (username);

CREATE INDEX actor_merges_into ON public.actor_merges USING btree (into_id);

CREATE INDEX actors_names ON public.actors USING gin (public.actor_names(name, aliases));

CREATE INDEX actors_search ON public.actors USING gin (public.actor_search_text(name, aliases) public.gin_trgm_ops);

CREATE INDEX api_tokens_user ON public.api_tokens USING btree (user_id);

CREATE INDEX attributions_actor ON public.attributions USING btree (actor_id, claim_id);

CREATE INDEX attributions_claim ON public.attributions USING btree (claim_id, id);

CREATE INDEX attributions_via ON public.attributions USING btree (via_attribution_id) WHERE (via_attribution_id IS NOT NULL);

CREATE INDEX citations_claim ON public.citations USING btree (claim_id, id);

CREATE INDEX citations_source ON public.citations USING btree (source_id);

CREATE INDEX claims_document ON public.claims USING btree (document_id, start, id);

CREATE INDEX claims_project ON public.claims USING btree (project_id, id);

CREATE INDEX claims_search ON public.claims USING gin (search);

CREATE INDEX claims_tags ON public.claims USING gin (tags);

CREATE INDEX claims_words_trgm ON public.claims USING gin (((text ||
CASE
    WHEN (exact IS NULL) THEN ''::text
    ELSE (' '::text || exact)
END)) public.gin_trgm_ops);

COMMENT ON INDEX public.claims_words_trgm IS 'Word-prefix search (claimdb_prefix_regex) over a claim''s text and quote together.';

CREATE INDEX codebook_entries_parent ON public.codebook_entries USING btree (project_id, parent) WHERE (parent IS NOT NULL);

CREATE INDEX codebook_entries_tag_trgm ON public.codebook_entries USING gin (tag public.gin_trgm_ops);

CREATE INDEX documents_search ON public.documents USING gin (search);

CREATE INDEX documents_title_trgm ON public.documents USING gin (title public.gin_trgm_ops);

CREATE INDEX members_user ON public.members USING btree (user_id);

CREATE INDEX relations_to ON public.relations USING btree (to_claim_id, kind);

CREATE INDEX revisions_all ON public.revisions USING btree (xid, seq);

CREATE INDEX revisions_deleted ON public.revisions USING btree (project_id, seq) WHERE (op = 'delete'::text);

CREATE INDEX revisions_feed ON public.revisions USING btree (project_id, xid, seq);

CREATE UNIQUE INDEX revisions_row ON public.revisions USING btree (id, resource, rev);

CREATE INDEX sessions_user ON public.sessions USING btree (user_id);

CREATE INDEX sources_document ON public.sources USING btree (document_id) WHERE (document_id IS NOT NULL);

CREATE INDEX sources_publisher ON public.sources USING btree (publisher_actor_id) WHERE (publisher_actor_id IS NOT NULL);

CREATE INDEX sources_search ON public.sources USING gin (public.source_search_text(title, url) public.gin_trgm_ops);

CREATE TRIGGER actors_guard BEFORE DELETE OR UPDATE ON public.actors FOR EACH ROW EXECUTE FUNCTION public.claimdb_guard('curator');

CREATE TRIGGER actors_touch BEFORE UPDATE ON public.actors FOR EACH ROW EXECUTE FUNCTION public.touch_updated_at();

CREATE TRIGGER attributions_guard BEFORE DELETE OR UPDATE ON public.attributions FOR EACH ROW EXECUTE FUNCTION public.claimdb_guard('curator');

CREATE TRIGGER attributions_touch BEFORE UPDATE ON public.attributions FOR EACH ROW EXECUTE FUNCTION public.touch_updated_at();

CREATE TRIGGER citations_guard BEFORE DELETE OR UPDATE ON public.citations FOR EACH ROW EXECUTE FUNCTION public.claimdb_guard('curator');

CREATE TRIGGER citations_touch BEFORE UPDATE ON public.citations FOR EACH ROW EXECUTE FUNCTION public.touch_updated_at();

CREATE TRIGGER claims_guard BEFORE DELETE OR UPDATE ON public.claims FOR EACH ROW EXECUTE FUNCTION public.claimdb_guard('curator');

CREATE TRIGGER claims_search BEFORE INSERT OR UPDATE OF text, exact, document_id ON public.claims FOR EACH ROW EXECUTE FUNCTION public.claims_search_update();

CREATE TRIGGER claims_touch BEFORE UPDATE ON public.claims FOR EACH ROW EXECUTE FUNCTION public.touch_updated_at();

CREATE TRIGGER codebook_entries_guard BEFORE DELETE OR UPDATE ON public.codebook_entries FOR EACH ROW EXECUTE FUNCTION public.codebook_guard();

CREATE TRIGGER codebook_entries_touch BEFORE UPDATE ON public.codebook_entries FOR EACH ROW EXECUTE FUNCTION public.touch_updated_at();

CREATE TRIGGER documents_guard BEFORE DELETE OR UPDATE ON public.documents FOR EACH ROW EXECUTE FUNCTION public.claimdb_guard('curator');

CREATE TRIGGER documents_search_config AFTER INSERT OR UPDATE OF language ON public.documents FOR EACH ROW EXECUTE FUNCTION public.documents_search_config();

CREATE TRIGGER documents_text_immutable BEFORE UPDATE OF text ON public.documents FOR EACH ROW EXECUTE FUNCTION public.forbid_text_change();

CREATE TRIGGER documents_touch BEFORE UPDATE ON public.documents FOR EACH ROW EXECUTE FUNCTION public.touch_updated_at();

CREATE TRIGGER history_after_update AFTER UPDATE ON public.actors FOR EACH ROW WHEN ((old.rev IS DISTINCT FROM new.rev)) EXECUTE FUNCTION public.history_after();

CREATE TRIGGER history_after_update AFTER UPDATE ON public.attributions FOR EACH ROW WHEN ((old.rev IS DISTINCT FROM new.rev)) EXECUTE FUNCTION public.history_after();

CREATE TRIGGER history_after_update AFTER UPDATE ON public.citations FOR EACH ROW WHEN ((old.rev IS DISTINCT FROM new.rev)) EXECUTE FUNCTION public.history_after();

CREATE TRIGGER history_after_update AFTER UPDATE ON public.claims FOR EACH ROW WHEN ((old.rev IS DISTINCT FROM new.rev)) EXECUTE FUNCTION public.history_after();

CREATE TRIGGER history_after_update AFTER UPDATE ON public.documents FOR EACH ROW WHEN ((old.rev IS DISTINCT FROM new.rev)) EXECUTE FUNCTION public.history_after();

CREATE TRIGGER history_after_update AFTER UPDATE ON public.members FOR EACH ROW WHEN ((old.rev IS DISTINCT FROM new.rev)) EXECUTE FUNCTION public.history_after();

CREATE TRIGGER history_after_update AFTER UPDATE ON public.projects FOR EACH ROW WHEN ((old.rev IS DISTINCT FROM new.rev)) EXECUTE FUNCTION public.history_after();

CREATE TRIGGER history_after_update AFTER UPDATE ON public.relations FOR EACH ROW WHEN ((old.rev IS DISTINCT FROM new.rev)) EXECUTE FUNCTION public.history_after();

CREATE TRIGGER history_after_update AFTER UPDATE ON public.sources FOR EACH ROW WHEN ((old.rev IS DISTINCT FROM new.rev)) EXECUTE FUNCTION public.history_after();

CREATE TRIGGER history_after_write AFTER INSERT OR DELETE ON public.actors FOR EACH ROW EXECUTE FUNCTION public.history_after();

CREATE TRIGGER history_after_write AFTER INSERT OR DELETE ON public.attributions FOR EACH ROW EXECUTE FUNCTION public.history_after();

CREATE TRIGGER history_after_write AFTER INSERT OR DELETE ON public.citations FOR EACH ROW EXECUTE FUNCTION public.history_after();

CREATE TRIGGER history_after_write AFTER INSERT OR DELETE ON public.claims FOR EACH ROW EXECUTE FUNCTION public.history_after();

CREATE TRIGGER history_after_write AFTER INSERT OR DELETE ON public.documents FOR EACH ROW EXECUTE FUNCTION public.history_after();

CREATE TRIGGER history_after_write AFTER INSERT OR DELETE ON public.members FOR EACH ROW EXECUTE FUNCTION public.history_after();

CREATE TRIGGER history_after_write AFTER INSERT OR DELETE ON public.projects FOR EACH ROW EXECUTE FUNCTION public.history_after();

CREATE TRIGGER history_after_write AFTER INSERT OR DELETE ON public.relations FOR EACH ROW EXECUTE FUNCTION public.history_after();

CREATE TRIGGER history_after_write AFTER INSERT OR DELETE ON public.sources FOR EACH ROW EXECUTE FUNCTION public.history_after();

CREATE TRIGGER history_before BEFORE INSERT OR DELETE OR UPDATE ON public.actors FOR EACH ROW EXECUTE FUNCTION public.history_before();

CREATE TRIGGER history_before BEFORE INSERT OR DELETE OR UPDATE ON public.attributions FOR EACH ROW EXECUTE FUNCTION public.history_before();

CREATE TRIGGER history_before BEFORE INSERT OR DELETE OR UPDATE ON public.citations FOR EACH ROW EXECUTE FUNCTION public.history_before();

CREATE TRIGGER history_before BEFORE INSERT OR DELETE OR UPDATE ON public.claims FOR EACH ROW EXECUTE FUNCTION public.history_before();

CREATE TRIGGER history_before BEFORE INSERT OR DELETE OR UPDATE ON public.documents FOR EACH ROW EXECUTE FUNCTION public.history_before();

CREATE TRIGGER history_before BEFORE INSERT OR DELETE OR UPDATE ON public.members FOR EACH ROW EXECUTE FUNCTION public.history_before();

CREATE TRIGGER history_before BEFORE INSERT OR DELETE OR UPDATE ON public.projects FOR EACH ROW EXECUTE FUNCTION public.history_before();

CREATE TRIGGER history_before BEFORE INSERT OR DELETE OR UPDATE ON public.relations FOR EACH ROW EXECUTE FUNCTION public.history_before();

CREATE TRIGGER history_before BEFORE INSERT OR DELETE OR UPDATE ON public.sources FOR EACH ROW EXECUTE FUNCTION public.history_before();

CREATE TRIGGER members_touch BEFORE UPDATE ON public.members FOR EACH ROW EXECUTE FUNCTION public.touch_updated_at();

CREATE TRIGGER projects_guard BEFORE UPDATE ON public.projects FOR EACH ROW EXECUTE FUNCTION public.claimdb_guard('manager');

CREATE TRIGGER relations_guard BEFORE DELETE OR UPDATE ON public.relations FOR EACH ROW EXECUTE FUNCTION public.claimdb_guard('curator');

CREATE TRIGGER relations_touch BEFORE UPDATE ON public.relations FOR EACH ROW EXECUTE FUNCTION public.touch_updated_at();

CREATE TRIGGER revisions_no_truncate BEFORE TRUNCATE ON public.revisions FOR EACH STATEMENT EXECUTE FUNCTION public.revisions_append_only();

CREATE TRIGGER revisions_no_update BEFORE DELETE OR UPDATE ON public.revisions FOR EACH ROW EXECUTE FUNCTION public.revisions_append_only();

CREATE TRIGGER sources_guard BEFORE DELETE OR UPDATE ON public.sources FOR EACH ROW EXECUTE FUNCTION public.claimdb_guard('curator');

CREATE TRIGGER sources_touch BEFORE UPDATE ON public.sources FOR EACH ROW EXECUTE FUNCTION public.touch_updated_at();

CREATE TRIGGER users_touch BEFORE UPDATE ON public.users FOR EACH ROW EXECUTE FUNCTION public.touch_updated_at();

ALTER TABLE ONLY public.actor_merges
    ADD CONSTRAINT actor_merges_into_id_fkey FOREIGN KEY (into_id) REFERENCES public.actors(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.actor_merges
    ADD CONSTRAINT actor_merges_project_id_fkey FOREIGN KEY (project_id) REFERENCES public.projects(id);

ALTER TABLE ONLY public.actors
    ADD CONSTRAINT actors_created_by_fkey FOREIGN KEY (created_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.actors
    ADD CONSTRAINT actors_project_id_fkey FOREIGN KEY (project_id) REFERENCES public.projects(id);

ALTER TABLE ONLY public.actors
    ADD CONSTRAINT actors_updated_by_fkey FOREIGN KEY (updated_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.api_tokens
    ADD CONSTRAINT api_tokens_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.attributions
    ADD CONSTRAINT attributions_actor_id_project_id_fkey FOREIGN KEY (actor_id, project_id) REFERENCES public.actors(id, project_id);

ALTER TABLE ONLY public.attributions
    ADD CONSTRAINT attributions_claim_id_project_id_fkey FOREIGN KEY (claim_id, project_id) REFERENCES public.claims(id, project_id) ON DELETE CASCADE;

ALTER TABLE ONLY public.attributions
    ADD CONSTRAINT attributions_created_by_fkey FOREIGN KEY (created_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.attributions
    ADD CONSTRAINT attributions_project_id_fkey FOREIGN KEY (project_id) REFERENCES public.projects(id);

ALTER TABLE ONLY public.attributions
    ADD CONSTRAINT attributions_updated_by_fkey FOREIGN KEY (updated_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.attributions
    ADD CONSTRAINT attributions_via_attribution_id_project_id_fkey FOREIGN KEY (via_attribution_id, project_id) REFERENCES public.attributions(id, project_id);

ALTER TABLE ONLY public.citations
    ADD CONSTRAINT citations_claim_id_project_id_fkey FOREIGN KEY (claim_id, project_id) REFERENCES public.claims(id, project_id) ON DELETE CASCADE;

ALTER TABLE ONLY public.citations
    ADD CONSTRAINT citations_created_by_fkey FOREIGN KEY (created_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.citations
    ADD CONSTRAINT citations_project_id_fkey FOREIGN KEY (project_id) REFERENCES public.projects(id);

ALTER TABLE ONLY public.citations
    ADD CONSTRAINT citations_source_id_project_id_fkey FOREIGN KEY (source_id, project_id) REFERENCES public.sources(id, project_id);

ALTER TABLE ONLY public.citations
    ADD CONSTRAINT citations_updated_by_fkey FOREIGN KEY (updated_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.claims
    ADD CONSTRAINT claims_created_by_fkey FOREIGN KEY (created_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.claims
    ADD CONSTRAINT claims_document_id_project_id_fkey FOREIGN KEY (document_id, project_id) REFERENCES public.documents(id, project_id);

ALTER TABLE ONLY public.claims
    ADD CONSTRAINT claims_project_id_fkey FOREIGN KEY (project_id) REFERENCES public.projects(id);

ALTER TABLE ONLY public.claims
    ADD CONSTRAINT claims_updated_by_fkey FOREIGN KEY (updated_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.codebook_entries
    ADD CONSTRAINT codebook_entries_created_by_fkey FOREIGN KEY (created_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.codebook_entries
    ADD CONSTRAINT codebook_entries_project_id_fkey FOREIGN KEY (project_id) REFERENCES public.projects(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.codebook_entries
    ADD CONSTRAINT codebook_entries_project_id_parent_fkey FOREIGN KEY (project_id, parent) REFERENCES public.codebook_entries(project_id, tag);

ALTER TABLE ONLY public.codebook_entries
    ADD CONSTRAINT codebook_entries_updated_by_fkey FOREIGN KEY (updated_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.documents
    ADD CONSTRAINT documents_created_by_fkey FOREIGN KEY (created_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.documents
    ADD CONSTRAINT documents_project_id_fkey FOREIGN KEY (project_id) REFERENCES public.projects(id);

ALTER TABLE ONLY public.documents
    ADD CONSTRAINT documents_updated_by_fkey FOREIGN KEY (updated_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.members
    ADD CONSTRAINT members_project_id_fkey FOREIGN KEY (project_id) REFERENCES public.projects(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.members
    ADD CONSTRAINT members_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.projects
    ADD CONSTRAINT projects_created_by_fkey FOREIGN KEY (created_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.projects
    ADD CONSTRAINT projects_updated_by_fkey FOREIGN KEY (updated_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.relations
    ADD CONSTRAINT relations_asserted_by_actor_id_project_id_fkey FOREIGN KEY (asserted_by_actor_id, project_id) REFERENCES public.actors(id, project_id);

ALTER TABLE ONLY public.relations
    ADD CONSTRAINT relations_created_by_fkey FOREIGN KEY (created_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.relations
    ADD CONSTRAINT relations_from_claim_id_project_id_fkey FOREIGN KEY (from_claim_id, project_id) REFERENCES public.claims(id, project_id) ON DELETE CASCADE;

ALTER TABLE ONLY public.relations
    ADD CONSTRAINT relations_project_id_fkey FOREIGN KEY (project_id) REFERENCES public.projects(id);

ALTER TABLE ONLY public.relations
    ADD CONSTRAINT relations_to_claim_id_project_id_fkey FOREIGN KEY (to_claim_id, project_id) REFERENCES public.claims(id, project_id) ON DELETE CASCADE;

ALTER TABLE ONLY public.relations
    ADD CONSTRAINT relations_updated_by_fkey FOREIGN KEY (updated_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.sessions
    ADD CONSTRAINT sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;

ALTER TABLE ONLY public.sources
    ADD CONSTRAINT sources_created_by_fkey FOREIGN KEY (created_by) REFERENCES public.users(id);

ALTER TABLE ONLY public.sources
    ADD CONSTRAINT sources_document_id_project_id_fkey FOREIGN KEY (document_id, project_id) REFERENCES public.documents(id, project_id);

ALTER TABLE ONLY public.sources
    ADD CONSTRAINT sources_project_id_fkey FOREIGN KEY (project_id) REFERENCES public.projects(id);

ALTER TABLE ONLY public.sources
    ADD CONSTRAINT sources_publisher_actor_id_project_id_fkey FOREIGN KEY (publisher_actor_id, project_id) REFERENCES public.actors(id, project_id);

ALTER TABLE ONLY public.sources
    ADD CONSTRAINT sources_updated_by_fkey FOREIGN KEY (updated_by) REFERENCES public.users(id);

ALTER TABLE public.actor_merges ENABLE ROW LEVEL SECURITY;

CREATE POLICY actor_merges_change ON public.actor_merges FOR UPDATE USING (((project_id = ANY (( SELECT public.claimdb_projects('write'::text) AS claimdb_projects)::uuid[])) OR ( SELECT public.claimdb_is_admin() AS claimdb_is_admin))) WITH CHECK (((project_id = ANY (( SELECT public.claimdb_projects('write'::text) AS claimdb_projects)::uuid[])) OR ( SELECT public.claimdb_is_admin() AS claimdb_is_admin)));

CREATE POLICY actor_merges_create ON public.actor_merges FOR INSERT WITH CHECK (((project_id = ANY (( SELECT public.claimdb_projects('write'::text) AS claimdb_projects)::uuid[])) OR ( SELECT public.claimdb_is_admin() AS claimdb_is_admin)));

CREATE POLICY actor_merges_delete ON public.actor_merges FOR DELETE USING (((project_id = ANY (( SELECT public.claimdb_projects('write'::text) AS claimdb_projects)::uuid[])) OR ( SELECT public.claimdb_is_admin() AS claimdb_is_admin)));

CREATE POLICY actor_merges_read ON public.actor_merges FOR SELECT USING (((project_id = ANY (( SELECT public.claimdb_projects('read'::text) AS claimdb_projects)::uuid[])) OR ( SELECT public.claimdb_is_admin() AS claimdb_is_admin)));

ALTER TABLE public.actors ENABLE ROW LEVEL SECURITY;

CREATE POLICY actors_change ON public.actors FOR UPDATE USING (((project_id = ANY (( SELECT public.claimdb_projects('read'::text) AS claimdb_projects)::uuid[])) OR ( SELECT public.claimdb_is_admin() AS claimdb_is_admin))) WITH CHECK (((project_id = ANY (( SELECT public.claimdb_projects('read'::text) AS claimdb_projects)::uuid[])) OR ( SELECT public.claimdb_is_admin() AS claimdb_is_admin)));

CREATE POLICY actors_create ON public.actors FOR INSERT WITH CHECK (((project_id = ANY (( SELECT public.claimdb_projects('write'::text) AS claimdb_projects)::uuid[])) OR ( SELECT public.claimdb_is_admin() AS claimdb_is_admin)));

CREATE POLICY actors_delete ON public.actors FOR DELETE USING (((project_id = ANY (( SELECT public.claimdb_projects('read'::text) AS claimdb_projects)::uuid[])) OR ( SELECT public.claimdb_is_admin() AS claimdb_is_admin)));

CREATE POLICY actors_read ON public.actors FOR SELECT USING (((project_id = ANY (( SELECT public.claimdb_projects('read'::text) AS claimdb_projects)::uuid[])) OR ( SELECT public.claimdb_is_admin() AS claimdb_is_admin)));

ALTER TABLE public.attributions ENABLE ROW LEVEL SECURITY;

CREATE POLICY attributions_change ON public.attributions FOR UPDATE USING ((((project_id = ANY (( SELECT public.claimdb_projects('read'::text) AS claimdb_projects)::uuid[])) OR ( SELECT public.claimdb_is_admin() AS claimdb_is_admin)) AND ((NOT (project_id = ANY (( SELECT public.claimdb_blind_projects() AS claimdb_blind_projects)::uuid[]))) OR (created_by = ( SELECT public.claimdb_user_id() AS claimdb_user_id)) OR public.claimdb_claim_done(claim_id)))) WITH CHECK (((project_id = ANY (( SELECT public.claimdb_projects('read'::text) AS claimdb_projects)::uuid[])) OR ( SELECT public.claimdb_is_admin() AS claimdb_is_admin)));

CREATE POLICY attributions_create ON public.attributions FOR INSERT WITH CHECK (((project_id = ANY (( SELECT public.claimdb_projects('write'::text) AS claimdb_projects)::uuid[])) OR ( SELECT public.claimdb_is_admin() AS claimdb_is_admin)));

CREATE POLICY attributions_delete ON public.attributions FOR DELETE USING ((((project_id = ANY (( SELECT public.claimdb_projects('read'::text) AS claimdb_projects)::uuid[])) OR ( SELECT public.claimdb_is_admin() AS claimdb_is_admin)) AND ((NOT (project_id = ANY (( SELECT public.claimdb_blind_projects() AS claimdb_blind_projects)::uuid[]))) OR (created_by = ( SELECT public.claimdb_user_id() AS claimdb_user_id)) OR public.claimdb_claim_done(claim_id))));

CREATE POLICY attributions_read ON public.attributions FOR SELECT USING ((((project_id = ANY (( SELECT public.claimdb_projects('read'::text) AS claimdb_projects)::uuid[])) OR ( SELECT public.claimdb_is_admin() AS claimdb_is_admin)) AND ((NOT (project_id = ANY (( SELECT public.claimdb_blind_projects() AS claimdb_blind_projects)::uuid[]))) OR (created_by = ( SELECT public.claimdb_user_id() AS claimdb_user_id)) OR public.claimdb_claim_done(claim_id))));

ALTER TABLE public.citations ENABLE ROW LEVEL SECURITY;

CREATE POLICY citations_change ON public.citations FOR UPDATE USING ((((project_id = ANY (( SELECT public.claimdb_projects('read'::text) AS claimdb_projects)::uuid[])) OR ( SELECT public.claimdb_is_admin() AS claimdb_is_admin)) AND ((NOT (project_id = ANY (( SELECT public.claimdb_blind_projects() AS claimdb_blind_projects)::uuid[]))) OR (created_by = ( SELECT public.claimdb_user_id() AS claimdb_user_id)) OR public.claimdb_claim_done(claim_id)))) WITH CHECK (((project_id = ANY (( SELECT public.claimdb_projects('read'::text) AS claimdb_projects)::uuid[])) OR ( SELECT public.claimdb_is_admin() AS claimdb_is_admin)));

CREATE POLICY citations_create ON public.citations FOR INSERT WITH CHECK (((project_id = ANY (( SELECT public.claimdb_projects('write'::text) AS claimdb_projects)::uuid[])) OR ( SELECT public.claimdb_is_admin() AS claimdb_is_admin)));

CREATE POLICY citations_delete ON public.citations FOR DELETE USING ((((project_id = ANY (( SELECT public.claimdb_projects('read'::text) AS claimdb_projects)::uuid[])) OR ( SELECT public.claimdb_is_admin() AS claimdb_is_admin)) AND ((NOT (project_id = ANY (( SELECT public.claimdb_blind_projects() AS claimdb_blind_projects)::uuid[]))) OR (created_by = ( SELECT public.claimdb_user_id() AS claimdb_user_id)) OR public.claimdb_claim_done(claim_id))));

CREATE POLICY citations_read ON public.citations FOR SELECT USING ((((project_id = ANY (( SELECT public.claimdb_projects('read'::text) AS claimdb_projects)::uuid[])) OR ( SELECT public.claimdb_is_admin() AS claimdb_is_admin)) AND ((NOT (project_id = ANY (( SELECT public.claimdb_blind_projects() AS claimdb_blind_projects)::uuid[]))) OR (created_by = ( SELECT public.claimdb_user_id() AS claimdb_user_id)) OR public.claimdb_claim_done(claim_id))));

ALTER TABLE public.claims ENABLE ROW LEVEL SECURITY;

CREATE POLICY claims_change ON public.claims FOR UPDATE USING ((((project_id = ANY (( SELECT public.claimdb_projects('read'::text) AS claimdb_projects)::uuid[])) OR ( SELECT public.claimdb_is_admin() AS claimdb_is_admin)) AND ((NOT (project_id = ANY (( SELECT public.claimdb_blind_projects() AS claimdb_blind_projects)::uuid[]))) OR (created_by = ( SELECT public.claimdb_user_id() AS claimdb_user_id)) OR public.claimdb_document_done(document_id)))) WITH CHECK (((project_id = ANY (( SELECT public.claimdb_projects('read'::text) AS claimdb_projects)::uuid[])) OR ( SELECT public.claimdb_is_admin() AS claimdb_is_admin)));

CREATE POLICY claims_create ON public.claims FOR INSERT WITH CHECK (((project_id = ANY (( SELECT public.claimdb_projects('write'::text) AS claimdb_projects)::uuid[])) OR ( SELECT public.claimdb_is_admin() AS claimdb_is_admin)));

CREATE POLICY claims_delete ON public.claims FOR DELETE USING ((((project_id = ANY (( SELECT public.claimdb_projects('read'::text) AS claimdb_projects)::uuid[])) OR ( SELECT public.claimdb_is_admin() AS claimdb_is_admin)) AND ((NOT (project_id = ANY (( SELECT public.claimdb_blind_projects() AS claimdb_blind_projects)::uuid[]))) OR (created_by = ( SELECT public.claimdb_user_id() AS claimdb_user_id)) OR public.claimdb_document_done(document_id))));

CREATE POLICY claims_read ON public.claims FOR SELECT USING ((((project_id = ANY (( SELECT public.claimdb_projects('read'::text) AS claimdb_projects)::uuid[])) OR ( SELECT public.claimdb_is_admin() AS claimdb_is_admin)) AND ((NOT (project_id = ANY (( SELECT public.claimdb_blind_projects() AS claimdb_blind_projects)::uuid[]))) OR (created_by = ( SELECT public.claimdb_user_id() AS claimdb_user_id)) OR public.claimdb_document_done(document_id))));

ALTER TABLE public.codebook_entries ENABLE ROW LEVEL SECURITY;

CREATE POLICY codebook_entries_change ON public.codebook_entries FOR UPDATE USING (((project_id = ANY (( SELECT public.claimdb_projects('read'::text) AS claimdb_projects)::uuid[])) OR ( SELECT public.claimdb_is_admin() AS claimdb_is_admin))) WITH CHECK (((project_id = ANY (( SELECT public.claimdb_projects('read'::text) AS claimdb_projects)::uuid[])) OR ( SELECT public.claimdb_is_admin() AS claimdb_is_admin)));

CREATE POLICY codebook_entries_create ON public.codebook_entries FOR INSERT WITH CHECK (((project_id = ANY (( SELECT public.claimdb_projects('curate'::text) AS claimdb_projects)::uuid[])) OR ( SELECT public.claimdb_is_admin() AS claimdb_is_admin)));

CREATE POLICY codebook_entries_delete ON public.codebook_entries FOR DELETE USING (((project_id = ANY (( SELECT public.claimdb_projects('read'::text) AS claimdb_projects)::uuid[])) OR ( SELECT public.claimdb_is_admin() AS claimdb_is_admin)));

CREATE POLICY codebook_entries_read ON public.codebook_entries FOR SELECT USING (((project_id = ANY (( SELECT public.claimdb_projects('read'::text) AS claimdb_projects)::uuid[])) OR ( SELECT public.claimdb_is_admin() AS claimdb_is_admin)));

ALTER TABLE public.documents ENABLE ROW LEVEL SECURITY;

CREATE POLICY documents_change ON public.documents FOR UPDATE USING (((project_id = ANY (( SELECT public.claimdb_projects('read'::text) AS claimdb_projects)::uuid[])) OR ( SELECT public.claimdb_is_admin() AS claimdb_is_admin))) WITH CHECK (((project_id = ANY (( SELECT public.claimdb_projects('read'::text) AS claimdb_projects)::uuid[])) OR ( SELECT public.claimdb_is_admin() AS claimdb_is_admin)));

CREATE POLICY documents_create ON public.documents FOR INSERT WITH CHECK (((project_id = ANY (( SELECT public.claimdb_projects('curate'::text) AS claimdb_projects)::uuid[])) OR ( SELECT public.claimdb_is_admin() AS claimdb_is_admin)));

CREATE POLICY documents_delete ON public.documents FOR DELETE USING (((project_id = ANY (( SELECT public.claimdb_projects('read'::text) AS claimdb_projects)::uuid[])) OR ( SELECT public.claimdb_is_admin() AS claimdb_is_admin)));

CREATE POLICY documents_read ON public.documents FOR SELECT USING (((project_id = ANY (( SELECT public.claimdb_projects('read'::text) AS claimdb_projects)::uuid[])) OR ( SELECT public.claimdb_is_admin() AS claimdb_is_admin)));

ALTER TABLE public.projects ENABLE ROW LEVEL SECURITY;

CREATE POLICY projects_change ON public.projects FOR UPDATE USING (((visibility = 'public'::public.project_visibility) OR (id = ANY (( SELECT public.claimdb_projects('read'::text) AS claimdb_projects)::uuid[])) OR ( SELECT public.claimdb_is_admin() AS claimdb_is_admin)));

CREATE POLICY projects_create ON public.projects FOR INSERT WITH CHECK (((( SELECT public.claimdb_user_id() AS claimdb_user_id) IS NOT NULL) OR ( SELECT public.claimdb_is_admin() AS claimdb_is_admin)));

CREATE POLICY projects_delete ON public.projects FOR DELETE USING (((id = ANY (( SELECT public.claimdb_projects('read'::text) AS claimdb_projects)::uuid[])) OR ( SELECT public.claimdb_is_admin() AS claimdb_is_admin)));

CREATE POLICY projects_read ON public.projects FOR SELECT USING (((visibility = 'public'::public.project_visibility) OR (id = ANY (( SELECT public.claimdb_projects('read'::text) AS claimdb_projects)::uuid[])) OR ( SELECT public.claimdb_is_admin() AS claimdb_is_admin) OR (created_by = ( SELECT public.claimdb_user_id() AS claimdb_user_id))));

ALTER TABLE public.relations ENABLE ROW LEVEL SECURITY;

CREATE POLICY relations_change ON public.relations FOR UPDATE USING ((((project_id = ANY (( SELECT public.claimdb_projects('read'::text) AS claimdb_projects)::uuid[])) OR ( SELECT public.claimdb_is_admin() AS claimdb_is_admin)) AND ((NOT (project_id = ANY (( SELECT public.claimdb_blind_projects() AS claimdb_blind_projects)::uuid[]))) OR (created_by = ( SELECT public.claimdb_user_id() AS claimdb_user_id)) OR public.claimdb_claim_done(from_claim_id)))) WITH CHECK (((project_id = ANY (( SELECT public.claimdb_projects('read'::text) AS claimdb_projects)::uuid[])) OR ( SELECT public.claimdb_is_admin() AS claimdb_is_admin)));

CREATE POLICY relations_create ON public.relations FOR INSERT WITH CHECK (((project_id = ANY (( SELECT public.claimdb_projects('write'::text) AS claimdb_projects)::uuid[])) OR ( SELECT public.claimdb_is_admin() AS claimdb_is_admin)));

CREATE POLICY relations_delete ON public.relations FOR DELETE USING ((((project_id = ANY (( SELECT public.claimdb_projects('read'::text) AS claimdb_projects)::uuid[])) OR ( SELECT public.claimdb_is_admin() AS claimdb_is_admin)) AND ((NOT (project_id = ANY (( SELECT public.claimdb_blind_projects() AS claimdb_blind_projects)::uuid[]))) OR (created_by = ( SELECT public.claimdb_user_id() AS claimdb_user_id)) OR public.claimdb_claim_done(from_claim_id))));

CREATE POLICY relations_read ON public.relations FOR SELECT USING ((((project_id = ANY (( SELECT public.claimdb_projects('read'::text) AS claimdb_projects)::uuid[])) OR ( SELECT public.claimdb_is_admin() AS claimdb_is_admin)) AND ((NOT (project_id = ANY (( SELECT public.claimdb_blind_projects() AS claimdb_blind_projects)::uuid[]))) OR (created_by = ( SELECT public.claimdb_user_id() AS claimdb_user_id)) OR public.claimdb_claim_done(from_claim_id))));

ALTER TABLE public.revisions ENABLE ROW LEVEL SECURITY;

CREATE POLICY revisions_append ON public.revisions FOR INSERT WITH CHECK (true);

CREATE POLICY revisions_read ON public.revisions FOR SELECT USING ((((project_id = ANY (( SELECT public.claimdb_projects('read'::text) AS claimdb_projects)::uuid[])) OR ( SELECT public.claimdb_is_admin() AS claimdb_is_admin)) AND ((resource <> ALL (ARRAY['claims'::text, 'attributions'::text, 'relations'::text, 'citations'::text])) OR (NOT (project_id = ANY (( SELECT public.claimdb_blind_projects() AS claimdb_blind_projects)::uuid[]))) OR (user_id = ( SELECT public.claimdb_user_id() AS claimdb_user_id)) OR (((COALESCE(after, before) ->> 'created_by'::text))::uuid = ( SELECT public.claimdb_user_id() AS claimdb_user_id)) OR
CASE resource
    WHEN 'claims'::text THEN public.claimdb_document_done(((COALESCE(after, before) ->> 'document_id'::text))::uuid)
    WHEN 'relations'::text THEN public.claimdb_claim_done(((COALESCE(after, before) ->> 'from_claim_id'::text))::uuid)
    ELSE public.claimdb_claim_done(((COALESCE(after, before) ->> 'claim_id'::text))::uuid)
END)));

ALTER TABLE public.sources ENABLE ROW LEVEL SECURITY;

CREATE POLICY sources_change ON public.sources FOR UPDATE USING (((project_id = ANY (( SELECT public.claimdb_projects('read'::text) AS claimdb_projects)::uuid[])) OR ( SELECT public.claimdb_is_admin() AS claimdb_is_admin))) WITH CHECK (((project_id = ANY (( SELECT public.claimdb_projects('read'::text) AS claimdb_projects)::uuid[])) OR ( SELECT public.claimdb_is_admin() AS claimdb_is_admin)));

CREATE POLICY sources_create ON public.sources FOR INSERT WITH CHECK (((project_id = ANY (( SELECT public.claimdb_projects('curate'::text) AS claimdb_projects)::uuid[])) OR ( SELECT public.claimdb_is_admin() AS claimdb_is_admin)));

CREATE POLICY sources_delete ON public.sources FOR DELETE USING (((project_id = ANY (( SELECT public.claimdb_projects('read'::text) AS claimdb_projects)::uuid[])) OR ( SELECT public.claimdb_is_admin() AS claimdb_is_admin)));

CREATE POLICY sources_read ON public.sources FOR SELECT USING (((project_id = ANY (( SELECT public.claimdb_projects('read'::text) AS claimdb_projects)::uuid[])) OR ( SELECT public.claimdb_is_admin() AS claimdb_is_admin)));


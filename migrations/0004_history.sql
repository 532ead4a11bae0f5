-- History (issue 11): a revision number on every annotation row, and an
-- append-only log of every create, update and delete, written by row triggers
-- in the same transaction as the change. Triggers rather than code in the
-- handlers because every path must be recorded alike: the API, the import,
-- actor merges and the rows a cascade deletes.
--
-- Who made a change comes from transaction-local settings every request sets
-- before its statements (the per-request database context): claimdb.user_id,
-- claimdb.token_id, claimdb.request_id; NULL when unset (the CLI, psql).
-- claimdb.reason labels a change made on behalf of another operation
-- ("revert", "restore", "merge", "import"); claimdb.if_match is the HTTP
-- If-Match precondition, "<table>/<id>/<rev>", checked against the row the
-- statement is about to change, under its row lock, so that of two clients
-- editing from the same revision exactly one wins.

-- ---------------------------------------------------------------- revisions
CREATE TABLE revisions (
  seq        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  xid        xid8 NOT NULL DEFAULT pg_current_xact_id(),
  resource   text NOT NULL,
  id         uuid NOT NULL,
  project_id uuid,
  rev        bigint NOT NULL,
  op         text NOT NULL CHECK (op IN ('create', 'update', 'delete', 'purge')),
  reason     text,
  user_id    uuid,
  token_id   uuid,
  request_id text,
  at         timestamptz NOT NULL DEFAULT now(),
  before     jsonb,
  after      jsonb
);
COMMENT ON TABLE revisions IS 'Append-only log of every change to an annotation row, written by triggers in the changing transaction.';
COMMENT ON COLUMN revisions.seq IS 'Order of the entry within its transaction (and a unique key).';
COMMENT ON COLUMN revisions.xid IS 'The writing transaction; the change feed orders by (xid, seq) and serves only transactions older than every one still running.';
COMMENT ON COLUMN revisions.resource IS 'The table changed: projects, documents, actors, claims, attributions, relations, sources or citations.';
COMMENT ON COLUMN revisions.id IS 'The id of the row changed.';
COMMENT ON COLUMN revisions.project_id IS 'The project of the row (a project''s own id for projects).';
COMMENT ON COLUMN revisions.rev IS 'The row''s revision number after the change (a delete is a revision too).';
COMMENT ON COLUMN revisions.op IS 'create, update, delete, or purge (the deleted row may no longer be restored).';
COMMENT ON COLUMN revisions.reason IS 'The operation the change was made for (revert, restore, merge, import, purge), from claimdb.reason; NULL for a plain edit.';
COMMENT ON COLUMN revisions.user_id IS 'The authenticated user (claimdb.user_id), NULL when unknown.';
COMMENT ON COLUMN revisions.token_id IS 'The API token used (claimdb.token_id), NULL when none.';
COMMENT ON COLUMN revisions.request_id IS 'The HTTP request''s X-Request-Id (claimdb.request_id).';
COMMENT ON COLUMN revisions.at IS 'When the changing transaction started.';
COMMENT ON COLUMN revisions.before IS 'The row before the change (NULL for a create).';
COMMENT ON COLUMN revisions.after IS 'The row after the change (NULL for a delete).';
-- By id first: ids are unique across tables, and a trigger's table name (type name,
-- collation "C") would not match an index on the text column's collation.
CREATE INDEX revisions_row ON revisions (id, rev);
CREATE INDEX revisions_feed ON revisions (project_id, xid, seq);
CREATE INDEX revisions_all ON revisions (xid, seq);
CREATE INDEX revisions_deleted ON revisions (project_id, seq) WHERE op = 'delete';

CREATE FUNCTION revisions_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the revision log is append-only' USING ERRCODE = '42501';
END $$;
COMMENT ON FUNCTION revisions_append_only() IS 'Refuses UPDATE, DELETE and TRUNCATE of the revision log.';
CREATE TRIGGER revisions_no_update BEFORE UPDATE OR DELETE ON revisions
  FOR EACH ROW EXECUTE FUNCTION revisions_append_only();
CREATE TRIGGER revisions_no_truncate BEFORE TRUNCATE ON revisions
  FOR EACH STATEMENT EXECUTE FUNCTION revisions_append_only();
REVOKE UPDATE, DELETE, TRUNCATE ON revisions FROM PUBLIC;
REVOKE UPDATE, DELETE, TRUNCATE ON revisions FROM CURRENT_USER;

-- Columns the log leaves out: derived from the others and kept by their own
-- triggers (full-text search), so neither worth storing nor to be written back.
CREATE FUNCTION history_derived_columns() RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT ARRAY['search', 'search_config'] $$;
COMMENT ON FUNCTION history_derived_columns() IS 'Columns derived by other triggers: not logged, not written back by revert or restore.';

-- ---------------------------------------------------------------- triggers
-- Before the change: the If-Match precondition, and the new revision number.
-- Named history_before so that it runs after the tables' *_touch triggers
-- (same-event triggers fire in name order) and sees the final updated_at.
CREATE FUNCTION history_before() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  expect text := current_setting('claimdb.if_match', true);
BEGIN
  IF TG_OP = 'INSERT' THEN
    -- A restored row continues its old numbering.
    NEW.rev := coalesce((SELECT max(h.rev) FROM revisions h
                          WHERE h.resource = TG_TABLE_NAME::text AND h.id = NEW.id), 0) + 1;
    RETURN NEW;
  END IF;
  IF expect <> '' AND split_part(expect, '/', 1) = TG_TABLE_NAME
     AND split_part(expect, '/', 2) = OLD.id::text
     AND split_part(expect, '/', 3) <> OLD.rev::text THEN
    RAISE EXCEPTION 'the % changed since revision %', TG_TABLE_NAME, split_part(expect, '/', 3)
      USING ERRCODE = 'CD412', HINT = 'If-Match';
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
COMMENT ON FUNCTION history_before() IS 'Checks claimdb.if_match and sets rev: 1 + the last logged revision on insert, +1 on an update that changes the row.';

-- After the change: the log entry, and a notification for change-feed
-- waiters (one per project per transaction: PostgreSQL folds duplicates).
CREATE FUNCTION history_after() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  b jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) - history_derived_columns() END;
  a jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) - history_derived_columns() END;
  r jsonb := coalesce(a, b);
  project uuid := CASE WHEN TG_TABLE_NAME = 'projects' THEN (r->>'id')::uuid ELSE (r->>'project_id')::uuid END;
BEGIN
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
COMMENT ON FUNCTION history_after() IS 'Appends the change to revisions and notifies claimdb_changes with the project id.';

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['projects', 'documents', 'actors', 'claims', 'attributions', 'relations',
                           'sources', 'citations'] LOOP
    EXECUTE format('ALTER TABLE %I ADD COLUMN rev bigint NOT NULL DEFAULT 1 CHECK (rev >= 1)', t);
    EXECUTE format('COMMENT ON COLUMN %I.rev IS %L', t,
                   'Revision number: 1 when created, one more on every change (the ETag); see revisions.');
    EXECUTE format('CREATE TRIGGER history_before BEFORE INSERT OR UPDATE OR DELETE ON %I'
                   ' FOR EACH ROW EXECUTE FUNCTION history_before()', t);
    EXECUTE format('CREATE TRIGGER history_after_write AFTER INSERT OR DELETE ON %I'
                   ' FOR EACH ROW EXECUTE FUNCTION history_after()', t);
    -- An UPDATE that changes nothing is no revision and costs no log entry.
    EXECUTE format('CREATE TRIGGER history_after_update AFTER UPDATE ON %I'
                   ' FOR EACH ROW WHEN (OLD.rev IS DISTINCT FROM NEW.rev) EXECUTE FUNCTION history_after()', t);
    -- The rows already there get their creation as revision 1, so that the
    -- change feed read from the start rebuilds the whole dataset.
    EXECUTE format('INSERT INTO revisions (resource, id, project_id, rev, op, reason, at, after)'
                   ' SELECT %L, x.id, %s, 1, ''create'', ''migration'', x.created_at, to_jsonb(x) - history_derived_columns()'
                   ' FROM %I x ORDER BY x.id', t, CASE WHEN t = 'projects' THEN 'x.id' ELSE 'x.project_id' END, t);
  END LOOP;
END $$;

-- ---------------------------------------------------------------- reading and undoing
-- A logged row as the API shows it: a claim's span columns become its
-- "target" object; other resources' rows are their API objects already.
CREATE FUNCTION revision_view(resource text, r jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN r IS NULL OR resource <> 'claims' THEN r
    ELSE (r - ARRAY['start', 'end', 'exact', 'prefix', 'suffix'])
         || jsonb_build_object('target', CASE WHEN r->'start' = 'null'::jsonb OR r->'start' IS NULL THEN NULL
              ELSE jsonb_build_object('start', r->'start', 'end', r->'end', 'exact', r->'exact',
                                      'prefix', r->'prefix', 'suffix', r->'suffix') END)
  END
$$;
COMMENT ON FUNCTION revision_view(text, jsonb) IS 'A logged row in the API''s shape (a claim''s span as target).';

-- The columns a revert or restore writes back: every stored column but the
-- generated ones and rev (the triggers number the new revision).
CREATE FUNCTION history_columns(resource text) RETURNS text
LANGUAGE sql STABLE AS $$
  SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum)
  FROM pg_attribute a
  WHERE a.attrelid = to_regclass(quote_ident(resource)) AND a.attnum > 0 AND NOT a.attisdropped
    AND a.attgenerated = '' AND a.attname <> 'rev' AND a.attname <> ALL (history_derived_columns())
$$;
COMMENT ON FUNCTION history_columns(text) IS 'The writable columns of an annotation table, for revert and restore.';

-- Writes a logged image back: an UPDATE of the row when it exists, else an
-- INSERT (the row comes back under its id). A reference the image needs that
-- is gone raises CD409 naming the field and the missing row.
CREATE FUNCTION history_write(resource text, row_id uuid, image jsonb) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  cols text := history_columns(resource);
  new_rev bigint;
  detail text;
  constraint_name text;
BEGIN
  IF resource NOT IN ('projects', 'documents', 'actors', 'claims', 'attributions', 'relations', 'sources', 'citations') THEN
    RAISE EXCEPTION 'no such resource %', resource USING ERRCODE = '22023';
  END IF;
  BEGIN
    EXECUTE format('UPDATE %I t SET (%s) = (SELECT %s FROM jsonb_populate_record(NULL::%I, $1)) WHERE t.id = $2 RETURNING t.rev',
                   resource, cols, cols, resource) INTO new_rev USING image, row_id;
    IF new_rev IS NULL THEN
      EXECUTE format('INSERT INTO %I (%s) SELECT %s FROM jsonb_populate_record(NULL::%I, $1) RETURNING rev',
                     resource, cols, cols, resource) INTO new_rev USING image;
    END IF;
  EXCEPTION WHEN foreign_key_violation THEN
    GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL, constraint_name = CONSTRAINT_NAME;
    RAISE EXCEPTION '% % cannot come back: %', resource, row_id, detail
      USING ERRCODE = 'CD409', HINT = constraint_name;
  END;
  RETURN new_rev;
END $$;
COMMENT ON FUNCTION history_write(text, uuid, jsonb) IS 'Writes a logged row image back (update or re-insert); CD409 when a reference it needs is gone.';

-- POST /v1/{resource}/{id}/revert: a new revision equal to revision to_rev.
CREATE FUNCTION history_revert(resource text, row_id uuid, to_rev bigint) RETURNS bigint
LANGUAGE plpgsql AS $$
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
COMMENT ON FUNCTION history_revert(text, uuid, bigint) IS 'Makes a new revision of a row equal to revision to_rev; NULL when the row never existed.';

-- The rows that went with a deleted row: deleted by the same transaction and
-- not back since. POST /v1/trash/{resource}/{id}/restore brings back the row
-- and, transitively, every such row that points at a row brought back (a
-- claim's attributions, citations and relations; a document's claims), as
-- far as their other references exist; it reports the others with the
-- reason. Returns {"restored": [...], "missing": [...]}, or NULL when the row
-- is not in the trash.
CREATE FUNCTION history_restore(resource text, row_id uuid) RETURNS jsonb
LANGUAGE plpgsql AS $$
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
    WHERE r.xid = root.xid AND r.op = 'delete' AND r.seq <> root.seq
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
COMMENT ON FUNCTION history_restore(text, uuid) IS 'Restores a deleted row and the rows deleted with it that point at it; reports what could not come back.';

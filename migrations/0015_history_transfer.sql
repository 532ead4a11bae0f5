-- History (issue 11): the revision log travels with an NDJSON export
-- (history=true) and an import restores it.

-- ---------------------------------------------------------------- origin_txn
-- An imported log is written by one transaction here (the import's), so its
-- xid no longer tells which entries were one change (a claim deleted with
-- its attributions and relations: restore brings back what went with it).
-- The file numbers the original transactions (`txn`); the import keeps that
-- number, and entries of one original transaction are those with the same
-- (xid, origin_txn).
ALTER TABLE revisions ADD COLUMN origin_txn bigint CHECK (origin_txn >= 1);
COMMENT ON COLUMN revisions.origin_txn IS 'For an entry restored by an import (history=true): the number of its transaction in the imported file (its `txn`); NULL for changes made here. (xid, origin_txn) groups the entries of one original transaction.';

-- ---------------------------------------------------------------- import mode
-- While an import restores a log (claimdb.history_import = 'on', set only
-- by the import engine after it has written the file's entries), a row the
-- log covers is written as the state its last create/update entry
-- describes: it takes that entry's revision and logs nothing more (the
-- imported log replaces the import's own entries). A row the log does not
-- cover is numbered and logged as on any import.
CREATE OR REPLACE FUNCTION history_before() RETURNS trigger
LANGUAGE plpgsql AS $$
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
COMMENT ON FUNCTION history_before() IS 'Checks claimdb.if_match ("<table>/<id>/<rev>": 412 when older; "<table>/<id>/": 428 when the project requires If-Match) and sets rev: 1 + the last logged revision on insert, +1 on an update that changes the row; while an import restores a log (claimdb.history_import), the revision of the row''s last imported create/update.';

CREATE OR REPLACE FUNCTION history_after() RETURNS trigger
LANGUAGE plpgsql AS $$
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
COMMENT ON FUNCTION history_after() IS 'Appends the change to revisions and notifies claimdb_changes with the project id (nothing while an import restores a log that has the row''s state already).';

-- ---------------------------------------------------------------- restore
-- As in 0004, but "deleted by the same transaction" is the same
-- (xid, origin_txn): an imported log's entries share the import's xid.
CREATE OR REPLACE FUNCTION history_restore(resource text, row_id uuid) RETURNS jsonb
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
COMMENT ON FUNCTION history_restore(text, uuid) IS 'Restores a deleted row and the rows deleted with it (same xid and origin_txn) that point at it; reports what could not come back.';

-- ---------------------------------------------------------------- writing an image back
-- As in 0009, but an image whose created_by or updated_by names a user this
-- database does not have (an imported log names the users of the database
-- it was exported from; accounts are not part of a dataset) writes NULL
-- there, as the import does for the rows themselves, instead of failing the
-- restore or revert on the users foreign key.
CREATE OR REPLACE FUNCTION history_write(resource text, row_id uuid, image jsonb) RETURNS bigint
LANGUAGE plpgsql AS $$
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
END $$;
COMMENT ON FUNCTION history_write(text, uuid, jsonb) IS 'Writes a logged row image back (update or re-insert; a creator or editor unknown here as NULL); CD409 naming the missing row when a reference it needs is gone.';

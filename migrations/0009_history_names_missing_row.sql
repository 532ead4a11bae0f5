-- history_write() names the missing row from the image it writes back, not
-- from PostgreSQL's foreign-key detail: with row-level security on (issue 10)
-- PostgreSQL leaves the key values out of that detail, and the 409 would no
-- longer say which row is gone. The id comes from the logged image, which the
-- caller may read.
CREATE OR REPLACE FUNCTION history_write(resource text, row_id uuid, image jsonb) RETURNS bigint
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
    -- The constraint's first column and the table it points at, with the
    -- image's value: "Key (actor_id)=(…) is not present in table "actors"."
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
COMMENT ON FUNCTION history_write(text, uuid, jsonb) IS 'Writes a logged row image back (update or re-insert); CD409 naming the missing row when a reference it needs is gone.';

-- The revision log is read under the same row-level security as the rows it
-- records (issue 10): revisions, the trash and the change feed show only
-- projects the request may read. Every writer may append (the triggers write
-- it for whoever changed the row); nobody may change it (0004's triggers).
ALTER TABLE revisions ENABLE ROW LEVEL SECURITY;
ALTER TABLE revisions FORCE ROW LEVEL SECURITY;
CREATE POLICY revisions_read ON revisions FOR SELECT
  USING (project_id = ANY ((SELECT claimdb_projects('read'))::uuid[]) OR (SELECT claimdb_is_admin()));
CREATE POLICY revisions_append ON revisions FOR INSERT WITH CHECK (true);

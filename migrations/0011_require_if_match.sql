-- require_if_match (issue 11, possible once issue 10 gave projects their
-- settings): a project whose settings hold "require_if_match": true refuses
-- a PATCH, DELETE or revert of one of its rows that names no revision
-- (If-Match), with 428, so that a team's clients cannot overwrite each
-- other's edits unknowingly. The server marks such a request by setting
-- claimdb.if_match to "<table>/<id>/" (no revision); cascades, imports and
-- merges set nothing and are not affected.

ALTER TABLE projects ADD CONSTRAINT projects_settings_require_if_match_boolean
  CHECK (NOT settings ? 'require_if_match' OR jsonb_typeof(settings -> 'require_if_match') = 'boolean');

CREATE OR REPLACE FUNCTION history_before() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  expect text := current_setting('claimdb.if_match', true);
  project uuid;
BEGIN
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
COMMENT ON FUNCTION history_before() IS 'Checks claimdb.if_match ("<table>/<id>/<rev>": 412 when older; "<table>/<id>/": 428 when the project requires If-Match) and sets rev: 1 + the last logged revision on insert, +1 on an update that changes the row.';

-- History (issue 11) for members: the issue lists members among the
-- resources whose every row has a revision number and whose every change is
-- in the revision log (who was given or lost which role, when, by whom).
-- The log keys a row by its id, and a membership had none (its key is
-- project_id, user_id): it gets one, time-ordered like every id. A member
-- removed and added again is a new membership (a new id, revision 1).
ALTER TABLE members ADD COLUMN id uuid NOT NULL DEFAULT uuidv7();
ALTER TABLE members ADD CONSTRAINT members_id_key UNIQUE (id);
COMMENT ON COLUMN members.id IS 'The membership''s id (the revision log''s key for it).';
ALTER TABLE members ADD COLUMN rev bigint NOT NULL DEFAULT 1 CHECK (rev >= 1);
COMMENT ON COLUMN members.rev IS 'Revision number: 1 when created, one more on every change (the ETag); see revisions.';

-- The same three triggers as the annotation tables (0004). members_touch
-- runs after history_before here (name order), which is harmless: it
-- changes updated_at only when something else changed, and then rev has
-- counted that change already; the log's image is the final row.
CREATE TRIGGER history_before BEFORE INSERT OR UPDATE OR DELETE ON members
  FOR EACH ROW EXECUTE FUNCTION history_before();
CREATE TRIGGER history_after_write AFTER INSERT OR DELETE ON members
  FOR EACH ROW EXECUTE FUNCTION history_after();
CREATE TRIGGER history_after_update AFTER UPDATE ON members
  FOR EACH ROW WHEN (OLD.rev IS DISTINCT FROM NEW.rev) EXECUTE FUNCTION history_after();

-- The memberships already there get their creation as revision 1, so that
-- the change feed read from the start rebuilds them.
INSERT INTO revisions (resource, id, project_id, rev, op, reason, at, after)
SELECT 'members', m.id, m.project_id, 1, 'create', 'migration', m.created_at, to_jsonb(m)
FROM members m ORDER BY m.created_at, m.id;

COMMENT ON COLUMN revisions.resource IS 'The table changed: projects, documents, actors, claims, attributions, relations, sources, citations or members.';

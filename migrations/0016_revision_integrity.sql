-- The revision log's own integrity, whoever appends to it (the triggers, an
-- import of a --history file). Constraints hold whatever row-level security
-- hides from the writer, so an import that cannot see another project's
-- entries still cannot add to them:
--  * one entry per revision of a row;
--  * every entry of a row in that row's one project (rows never move between
--    projects), so a file cannot plant entries on a row of a project it may
--    not write by naming its own project on the line.
CREATE EXTENSION IF NOT EXISTS btree_gist;

DROP INDEX revisions_row;
CREATE UNIQUE INDEX revisions_row ON revisions (id, resource, rev);

ALTER TABLE revisions ADD CONSTRAINT revisions_one_project
  EXCLUDE USING gist (id WITH =, resource WITH =, project_id WITH <>);

-- Blind annotation (issue 10): a project whose settings hold "blind": true
-- hides annotators' work from each other until the document is marked done,
-- as inter-annotator agreement studies need. Curators, managers, owners and
-- server admins see everything; everyone else (annotators, viewers, readers of
-- a public project) sees in a blind project only the claims, attributions,
-- citations and relations they created themselves, and everyone's once the
-- document is done. Documents, actors and sources stay shared: they are the
-- material, not the judgement being compared.
--
-- It is enforced where every other read rule is: in the row-level security
-- policies, so lists, searches, threads, networks, exports and the history
-- all follow it without a line of C.

ALTER TABLE documents ADD COLUMN done boolean NOT NULL DEFAULT false;
COMMENT ON COLUMN documents.done IS 'Annotation of this document is finished: in a blind project, its annotators now see each other''s work.';

ALTER TABLE projects ADD CONSTRAINT projects_settings_blind_boolean
  CHECK (NOT settings ? 'blind' OR jsonb_typeof(settings -> 'blind') = 'boolean');

-- The blind projects of the current request: those whose settings say blind
-- and where the caller is not a curator (or more). Called as an initplan,
-- (SELECT claimdb_blind_projects()), so once per statement, not per row.
CREATE FUNCTION claimdb_blind_projects() RETURNS uuid[]
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN claimdb_is_admin() THEN '{}'::uuid[]
              ELSE coalesce(array_agg(id), '{}') END
  FROM projects
  WHERE settings @> '{"blind": true}' AND NOT id = ANY (claimdb_projects('curate'))
$$;
COMMENT ON FUNCTION claimdb_blind_projects() IS 'The projects in which the current request sees only its own annotations on documents not yet done.';

-- Whether the document is done (for the policies of claims' children).
CREATE FUNCTION claimdb_document_done(document uuid) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT coalesce((SELECT done FROM documents WHERE id = document), false) $$;
COMMENT ON FUNCTION claimdb_document_done(uuid) IS 'True when the document''s annotation is marked done.';

CREATE FUNCTION claimdb_claim_done(claim uuid) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT coalesce((SELECT d.done FROM claims c JOIN documents d ON d.id = c.document_id WHERE c.id = claim), false)
$$;
COMMENT ON FUNCTION claimdb_claim_done(uuid) IS 'True when the document of the claim is marked done.';

-- The four annotation tables get their read (and change, delete) policies
-- again, with the blind rule: a row of a blind project is visible to its
-- creator, or once its document is done. Change and delete use the same
-- rule, so a hidden row answers 404 as if absent, never 403.
DO $$
DECLARE
  t text;
  readable text := '(project_id = ANY ((SELECT claimdb_projects(''read''))::uuid[]) OR (SELECT claimdb_is_admin()))';
  done text;
  visible text;
BEGIN
  FOREACH t IN ARRAY ARRAY['claims', 'attributions', 'relations', 'citations'] LOOP
    done := CASE t WHEN 'claims' THEN 'claimdb_document_done(document_id)'
                   WHEN 'relations' THEN 'claimdb_claim_done(from_claim_id)'
                   ELSE 'claimdb_claim_done(claim_id)' END;
    visible := format('(%s AND (NOT project_id = ANY ((SELECT claimdb_blind_projects())::uuid[])'
                      ' OR created_by = (SELECT claimdb_user_id()) OR %s))', readable, done);
    EXECUTE format('DROP POLICY %I ON %I', t || '_read', t);
    EXECUTE format('DROP POLICY %I ON %I', t || '_change', t);
    EXECUTE format('DROP POLICY %I ON %I', t || '_delete', t);
    EXECUTE format('CREATE POLICY %I ON %I FOR SELECT USING %s', t || '_read', t, visible);
    EXECUTE format('CREATE POLICY %I ON %I FOR UPDATE USING %s WITH CHECK %s', t || '_change', t, visible, readable);
    EXECUTE format('CREATE POLICY %I ON %I FOR DELETE USING %s', t || '_delete', t, visible);
  END LOOP;
END $$;

-- The revision log of those four tables follows the same rule: in a blind
-- project, only one's own changes (and those to one's own rows) until the document is done (read from
-- the logged image, which outlives the row).
DROP POLICY revisions_read ON revisions;
CREATE POLICY revisions_read ON revisions FOR SELECT
  USING ((project_id = ANY ((SELECT claimdb_projects('read'))::uuid[]) OR (SELECT claimdb_is_admin()))
         AND (resource NOT IN ('claims', 'attributions', 'relations', 'citations')
              OR NOT project_id = ANY ((SELECT claimdb_blind_projects())::uuid[])
              OR user_id = (SELECT claimdb_user_id())
              OR (coalesce(after, before) ->> 'created_by')::uuid = (SELECT claimdb_user_id())
              OR CASE resource
                   WHEN 'claims' THEN claimdb_document_done((coalesce(after, before) ->> 'document_id')::uuid)
                   WHEN 'relations' THEN claimdb_claim_done((coalesce(after, before) ->> 'from_claim_id')::uuid)
                   ELSE claimdb_claim_done((coalesce(after, before) ->> 'claim_id')::uuid) END));

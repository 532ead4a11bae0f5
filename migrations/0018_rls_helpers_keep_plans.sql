-- The read policies' helpers cost a little once per request instead of a lot
-- at every table a statement reads (issue 10: the cost of every read).
--
-- claimdb_blind_projects() runs in the read policy of claims, attributions,
-- relations and citations, as an initplan of every place a statement reads
-- one of them: five times in GET /v1/claims/{id}. As a LANGUAGE sql function
-- whose body reads a table it cannot be inlined, and PostgreSQL (up to 17)
-- parses and plans such a body again at each of those places, in every
-- statement: ~0.5 ms each, more than half of the database's work for one
-- claim.
--
-- Now the request's scope statement (server/db.c) computes the set once, as
-- the transaction-local setting claimdb.blind, after the project sets it
-- depends on; the policies read that setting, which the planner inlines. A
-- transaction whose scope did not set it (the command line, a session-wide
-- scope, an unscoped statement) computes the set as before, so a forgotten
-- setting can only cost time, never show a hidden row. The computation is
-- PL/pgSQL, which keeps the plan of its query for the session.
--
-- pgbench on the bench's 100,000 claims, 20 claim reads per transaction,
-- generic plans (as claimdb's prepared statements run): 45 transactions/s
-- with the SQL function, 95 with it in PL/pgSQL, 113 reading the setting.

CREATE FUNCTION claimdb_blind_projects_now() RETURNS uuid[]
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
  RETURN (SELECT CASE WHEN claimdb_is_admin() THEN '{}'::uuid[] ELSE coalesce(array_agg(p.id), '{}') END
          FROM projects p
          WHERE p.settings @> '{"blind": true}' AND NOT p.id = ANY (claimdb_projects('curate')));
END
$$;
COMMENT ON FUNCTION claimdb_blind_projects_now() IS 'The blind projects of the current request, computed from its settings: the scope statement stores them as claimdb.blind.';

CREATE OR REPLACE FUNCTION claimdb_blind_projects() RETURNS uuid[]
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT coalesce(claimdb_setting('claimdb.blind')::uuid[], claimdb_blind_projects_now())
$$;

-- The two "document done" helpers, called per row of a blind project, keep
-- their plans too. What each returns is unchanged; all of these still run as
-- the caller, under the same row-level security.
CREATE OR REPLACE FUNCTION claimdb_document_done(document uuid) RETURNS boolean
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
  RETURN coalesce((SELECT d.done FROM documents d WHERE d.id = document), false);
END
$$;

CREATE OR REPLACE FUNCTION claimdb_claim_done(claim uuid) RETURNS boolean
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
  RETURN coalesce((SELECT d.done FROM claims c JOIN documents d ON d.id = c.document_id WHERE c.id = claim), false);
END
$$;

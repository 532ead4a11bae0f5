-- Teams: users, project members and their roles, API tokens, browser sessions,
-- who created and changed each row, and row-level security by project.
--
-- The request's scope. Every statement the server runs for a request is
-- preceded, in the same transaction, by a statement that sets these
-- transaction-local settings (server/db.c, db_scope):
--   claimdb.user_id, claimdb.token_id   the caller (empty when anonymous)
--   claimdb.request_id                  the X-Request-Id
--   claimdb.read / write / curate / manage / owner
--                                       uuid[] literals: the projects where the
--                                       caller holds at least viewer (or the
--                                       project is public) / annotator /
--                                       curator / manager / owner, already cut
--                                       down by the token's scopes and projects
--   claimdb.admin                       'on' for a server admin (and the CLI)
--   claimdb.default_project             the caller's only writable project
-- Read them through the functions below: a setting a transaction set and
-- ended reads as '' afterwards, never NULL, and these say NULL for both.

CREATE FUNCTION claimdb_setting(name text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT nullif(current_setting(name, true), '') $$;
COMMENT ON FUNCTION claimdb_setting(text) IS 'A claimdb.* request setting, NULL when unset or empty.';

CREATE FUNCTION claimdb_user_id() RETURNS uuid
LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT claimdb_setting('claimdb.user_id')::uuid $$;
COMMENT ON FUNCTION claimdb_user_id() IS 'The authenticated user of the current request, or NULL (anonymous, CLI).';

CREATE FUNCTION claimdb_token_id() RETURNS uuid
LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT claimdb_setting('claimdb.token_id')::uuid $$;
COMMENT ON FUNCTION claimdb_token_id() IS 'The API token of the current request, or NULL (session, anonymous, CLI).';

CREATE FUNCTION claimdb_request_id() RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT claimdb_setting('claimdb.request_id') $$;
COMMENT ON FUNCTION claimdb_request_id() IS 'The X-Request-Id of the current request, or NULL.';

CREATE FUNCTION claimdb_projects(level text) RETURNS uuid[]
LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT coalesce(claimdb_setting('claimdb.' || level), '{}')::uuid[] $$;
COMMENT ON FUNCTION claimdb_projects(text) IS 'The projects the request may read, write, curate, manage or own (read|write|curate|manage|owner).';

CREATE FUNCTION claimdb_is_admin() RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT coalesce(claimdb_setting('claimdb.admin') = 'on', false) $$;
COMMENT ON FUNCTION claimdb_is_admin() IS 'True for a server admin''s request and for the command line.';

-- The project a row is created in when the body names none: the caller's
-- only writable project. With several (or none) the client must choose.
CREATE FUNCTION claimdb_default_project() RETURNS uuid
LANGUAGE plpgsql STABLE AS $$
DECLARE
  p text := claimdb_setting('claimdb.default_project');
BEGIN
  IF p IS NULL THEN
    RAISE EXCEPTION USING ERRCODE = '22023', COLUMN = 'project_id',
      MESSAGE = 'project_id is required: you can write to more than one project, or to none';
  END IF;
  RETURN p::uuid;
END $$;
COMMENT ON FUNCTION claimdb_default_project() IS 'The caller''s only writable project; raises 22023 naming project_id when there is not exactly one.';

-- ---------------------------------------------------------------- users
CREATE TABLE users (
  id            uuid PRIMARY KEY DEFAULT uuidv7(),
  username      text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9][a-z0-9._-]{0,62}$'),
  display_name  text CHECK (length(display_name) <= 200),
  email         text CHECK (email ~ '^[^@\s]+@[^@\s]+$' AND length(email) <= 320),
  password_hash text,
  disabled      boolean NOT NULL DEFAULT false,
  server_admin  boolean NOT NULL DEFAULT false,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE users IS 'A person (or robot) who signs in or holds API tokens.';
COMMENT ON COLUMN users.id IS 'Stable identifier (UUID).';
COMMENT ON COLUMN users.username IS 'Sign-in name: lower-case letters, digits, . _ -; unique.';
COMMENT ON COLUMN users.display_name IS 'Name shown to others.';
COMMENT ON COLUMN users.email IS 'Optional contact address.';
COMMENT ON COLUMN users.password_hash IS 'Argon2id hash (libsodium crypto_pwhash_str format); NULL: token-only user. Never leaves the server.';
COMMENT ON COLUMN users.disabled IS 'A disabled user cannot sign in and their tokens and sessions stop working.';
COMMENT ON COLUMN users.server_admin IS 'Reads and manages every project and user.';
COMMENT ON COLUMN users.created_at IS 'When the row was created.';
COMMENT ON COLUMN users.updated_at IS 'When the row last changed.';
CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

-- ---------------------------------------------------------------- projects
CREATE TYPE project_visibility AS ENUM ('private', 'public');
COMMENT ON TYPE project_visibility IS 'private: members only; public: anyone may read, members write.';
CREATE TYPE member_role AS ENUM ('viewer', 'annotator', 'curator', 'manager', 'owner');
COMMENT ON TYPE member_role IS 'A member''s role, each including the ones before it.';

ALTER TABLE projects
  ADD COLUMN visibility project_visibility NOT NULL DEFAULT 'private',
  ADD COLUMN settings jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(settings) = 'object'),
  ADD COLUMN created_by uuid REFERENCES users DEFAULT claimdb_user_id(),
  ADD COLUMN updated_by uuid REFERENCES users DEFAULT claimdb_user_id();
COMMENT ON COLUMN projects.visibility IS 'private (default): only members read it; public: anyone may read it.';
COMMENT ON COLUMN projects.settings IS 'Project settings (e.g. blind, require_if_match, strict_tags), an object.';
COMMENT ON COLUMN projects.created_by IS 'The user who created the row (set by the server).';
COMMENT ON COLUMN projects.updated_by IS 'The user who last changed the row (set by the server).';

CREATE TABLE members (
  project_id uuid NOT NULL REFERENCES projects ON DELETE CASCADE,
  user_id    uuid NOT NULL REFERENCES users ON DELETE CASCADE,
  role       member_role NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (project_id, user_id)
);
CREATE INDEX members_user ON members (user_id);
COMMENT ON TABLE members IS 'Who belongs to a project, in which role.';
COMMENT ON COLUMN members.project_id IS 'The project.';
COMMENT ON COLUMN members.user_id IS 'The member.';
COMMENT ON COLUMN members.role IS 'viewer < annotator < curator < manager < owner.';
COMMENT ON COLUMN members.created_at IS 'When the row was created.';
COMMENT ON COLUMN members.updated_at IS 'When the row last changed.';
CREATE TRIGGER members_touch BEFORE UPDATE ON members FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

-- ---------------------------------------------------------------- credentials
-- A token reads cdb_<public_id>_<secret>. Only the SHA-256 of the secret is
-- kept: a stolen database copy holds no usable token. The secret carries 256
-- random bits, so a fast hash is enough (no password to guess).
CREATE TABLE api_tokens (
  id            uuid PRIMARY KEY DEFAULT uuidv7(),
  public_id     text NOT NULL UNIQUE CHECK (public_id ~ '^[0-9a-f]{16}$'),
  secret_sha256 bytea NOT NULL CHECK (length(secret_sha256) = 32),
  user_id       uuid NOT NULL REFERENCES users ON DELETE CASCADE,
  name          text CHECK (length(name) <= 200),
  scopes        text[] NOT NULL CHECK (scopes <@ ARRAY['read', 'write', 'admin'] AND cardinality(scopes) > 0),
  project_ids   uuid[],
  expires_at    timestamptz,
  revoked_at    timestamptz,
  last_used_at  timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);
COMMENT ON TABLE api_tokens IS 'API tokens (Authorization: Bearer cdb_…); the secret itself is never stored.';
COMMENT ON COLUMN api_tokens.id IS 'Stable identifier (UUID).';
COMMENT ON COLUMN api_tokens.public_id IS 'The greppable public part of the token (16 hex digits).';
COMMENT ON COLUMN api_tokens.secret_sha256 IS 'SHA-256 of the secret part; compared in constant time.';
COMMENT ON COLUMN api_tokens.user_id IS 'Whose token it is.';
COMMENT ON COLUMN api_tokens.name IS 'What the owner calls it.';
COMMENT ON COLUMN api_tokens.scopes IS 'read, write, admin.';
COMMENT ON COLUMN api_tokens.project_ids IS 'NULL: every project of the user; else only these.';
COMMENT ON COLUMN api_tokens.expires_at IS 'After this the token no longer works (NULL: never).';
COMMENT ON COLUMN api_tokens.revoked_at IS 'When the token was revoked (NULL: active).';
COMMENT ON COLUMN api_tokens.last_used_at IS 'Last authenticated use (to within the server''s 5 s credential cache).';
COMMENT ON COLUMN api_tokens.created_at IS 'When the row was created.';

CREATE TABLE sessions (
  id            uuid PRIMARY KEY DEFAULT uuidv7(),
  public_id     text NOT NULL UNIQUE CHECK (public_id ~ '^[0-9a-f]{16}$'),
  secret_sha256 bytea NOT NULL CHECK (length(secret_sha256) = 32),
  user_id       uuid NOT NULL REFERENCES users ON DELETE CASCADE,
  expires_at    timestamptz NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sessions_user ON sessions (user_id);
COMMENT ON TABLE sessions IS 'Browser sessions (the claimdb_session cookie); only the SHA-256 of the secret is kept.';
COMMENT ON COLUMN sessions.id IS 'Stable identifier (UUID).';
COMMENT ON COLUMN sessions.public_id IS 'The public part of the cookie value.';
COMMENT ON COLUMN sessions.secret_sha256 IS 'SHA-256 of the secret part.';
COMMENT ON COLUMN sessions.user_id IS 'Who signed in.';
COMMENT ON COLUMN sessions.expires_at IS 'When the session ends.';
COMMENT ON COLUMN sessions.created_at IS 'When the user signed in.';

-- ---------------------------------------------------------------- row authorship
-- Set by the server from the request's user: the column defaults on insert,
-- claimdb_guard on update. Clients cannot name them (no statement takes them
-- from a body), so they cannot be forged.
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['documents', 'actors', 'claims', 'attributions', 'relations', 'sources', 'citations'] LOOP
    EXECUTE format('ALTER TABLE %I ADD COLUMN created_by uuid REFERENCES users DEFAULT claimdb_user_id(),'
                   ' ADD COLUMN updated_by uuid REFERENCES users DEFAULT claimdb_user_id()', t);
    EXECUTE format('COMMENT ON COLUMN %I.created_by IS %L', t, 'The user who created the row (set by the server; NULL: command line or before accounts).');
    EXECUTE format('COMMENT ON COLUMN %I.updated_by IS %L', t, 'The user who last changed the row (set by the server).');
    EXECUTE format('COMMENT ON COLUMN %I.annotator IS %L', t, 'Free-text provenance carried by imported datasets (who annotated it there); not an account.');
  END LOOP;
END $$;

-- ---------------------------------------------------------------- authorization in the database
-- Row-level security is the second line: the server already checks the
-- caller before a handler runs, but a statement that forgot its project
-- filter still sees and changes nothing outside the request's scope.
-- FORCE applies it to claimdb's own role, which owns the tables (claimdb's
-- role must not be a superuser, or BYPASSRLS: scripts/pg.sh makes it so).

-- Who may change or delete an existing annotation row: curators (and up)
-- anyone's, annotators their own; TG_ARGV[0] names the role that may change
-- anyone's ('curator'; 'manager' for projects). Keeps created_by and sets
-- updated_by on update.
CREATE FUNCTION claimdb_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
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
COMMENT ON FUNCTION claimdb_guard() IS 'Refuses (42501, HINT = the role needed) an update or delete the request''s roles do not allow; sets updated_by.';

DO $$
DECLARE
  t text;
  readable text := '(project_id = ANY ((SELECT claimdb_projects(''read''))::uuid[]) OR (SELECT claimdb_is_admin()))';
BEGIN
  FOREACH t IN ARRAY ARRAY['documents', 'actors', 'claims', 'attributions', 'relations', 'sources', 'citations'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %I ON %I FOR SELECT USING %s', t || '_read', t, readable);
    EXECUTE format('CREATE POLICY %I ON %I FOR INSERT WITH CHECK (project_id = ANY ((SELECT claimdb_projects(%L))::uuid[]) OR (SELECT claimdb_is_admin()))',
                   t || '_create', t, CASE WHEN t IN ('sources', 'documents') THEN 'curate' ELSE 'write' END);
    EXECUTE format('CREATE POLICY %I ON %I FOR UPDATE USING %s WITH CHECK %s', t || '_change', t, readable, readable);
    EXECUTE format('CREATE POLICY %I ON %I FOR DELETE USING %s', t || '_delete', t, readable);
    EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE OR DELETE ON %I FOR EACH ROW EXECUTE FUNCTION claimdb_guard(%L)',
                   t || '_guard', t, 'curator');
  END LOOP;
END $$;

-- Projects: anyone sees public ones; creating one needs a signed-in user
-- (the server makes them its owner); changing one needs manager.
ALTER TABLE projects ENABLE ROW LEVEL SECURITY;
ALTER TABLE projects FORCE ROW LEVEL SECURITY;
CREATE POLICY projects_read ON projects FOR SELECT
  USING (visibility = 'public' OR id = ANY ((SELECT claimdb_projects('read'))::uuid[]) OR (SELECT claimdb_is_admin())
         OR created_by = (SELECT claimdb_user_id()));
CREATE POLICY projects_create ON projects FOR INSERT
  WITH CHECK ((SELECT claimdb_user_id()) IS NOT NULL OR (SELECT claimdb_is_admin()));
CREATE POLICY projects_change ON projects FOR UPDATE
  USING (visibility = 'public' OR id = ANY ((SELECT claimdb_projects('read'))::uuid[]) OR (SELECT claimdb_is_admin()));
CREATE POLICY projects_delete ON projects FOR DELETE
  USING (id = ANY ((SELECT claimdb_projects('read'))::uuid[]) OR (SELECT claimdb_is_admin()));
CREATE TRIGGER projects_guard BEFORE UPDATE ON projects
  FOR EACH ROW EXECUTE FUNCTION claimdb_guard('manager');

/* /v1/me, /v1/session, /v1/tokens, /v1/users, /v1/projects and their
 * members: who may do what.
 *
 * Users, members, tokens and sessions have no row-level security (they are
 * not rows of a project): every statement here states its own condition,
 * using the request scope's functions (claimdb_user_id(),
 * claimdb_projects(level), claimdb_is_admin()). Projects do, so a project
 * the caller cannot read is 404 exactly as if it did not exist. These lists
 * are small (a team's projects, members, tokens): they come back whole,
 * as {"items": [...], "next": null}, at most 1000 items. */
#include "auth.h"
#include "config.h"
#include "db.h"
#include "reply.h"
#include "resource.h"
#include "registry.h"
#include "validate.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SESSION_DAYS 14
#define SESSION_COOKIE "claimdb_session"

#define PROJECT_JSON                                                                               \
    "json_build_object('id', p.id, 'slug', p.slug, 'name', p.name, 'description', p.description,"  \
    " 'visibility', p.visibility, 'settings', p.settings, 'role',"                                 \
    " (SELECT m.role FROM members m WHERE m.project_id = p.id AND m.user_id = claimdb_user_id())," \
    " 'created_by', p.created_by, 'created_at', p.created_at, 'updated_at', p.updated_at)"

#define USER_JSON                                                                           \
    "json_build_object('id', u.id, 'username', u.username, 'display_name', u.display_name," \
    " 'email', u.email, 'disabled', u.disabled, 'server_admin', u.server_admin,"            \
    " 'created_at', u.created_at, 'updated_at', u.updated_at)"

#define TOKEN_JSON                                                                                       \
    "json_build_object('id', t.id, 'prefix', 'cdb_' || t.public_id, 'name', t.name, 'scopes', t.scopes," \
    " 'project_ids', t.project_ids, 'expires_at', t.expires_at, 'revoked_at', t.revoked_at,"             \
    " 'last_used_at', t.last_used_at, 'created_at', t.created_at)"

#define MEMBER_JSON                                                                               \
    "json_build_object('project_id', m.project_id, 'user_id', m.user_id, 'username', u.username," \
    " 'display_name', u.display_name, 'role', m.role, 'rev', m.rev, 'created_at', m.created_at, " \
    "'updated_at', m.updated_at)"

#define ITEMS(json, from)                                                                                  \
    "SELECT json_build_object('items', coalesce(json_agg(" json "), '[]'), 'next', NULL) FROM (" from ") " \
    "AS r"

static const struct db_statement statements[] = {
    {"me", "SELECT json_build_object('user', " USER_JSON
           ", 'projects', coalesce((SELECT json_agg(json_build_object("
           "'project_id', m.project_id, 'slug', p.slug, 'name', p.name, 'role', m.role) ORDER BY p.slug)"
           " FROM members m JOIN projects p ON p.id = m.project_id WHERE m.user_id = u.id), '[]'))"
           " FROM users u WHERE u.id = claimdb_user_id()"},
    {"session_user", "SELECT id, password_hash, disabled FROM users WHERE username = $1"},
    {"session_create", "INSERT INTO sessions (public_id, secret_sha256, user_id, expires_at)"
                       " VALUES ($1, $2::bytea, $3::uuid, now() + interval '"
                       "14"
                       " days') RETURNING id"},
    {"session_delete", "DELETE FROM sessions WHERE id = $1::uuid RETURNING id"},
    /* Tokens: one's own; a server admin revokes anyone's. */
    {"token_list",
     ITEMS("r.j ORDER BY r.id",
           "SELECT t.id, " TOKEN_JSON
           " AS j FROM api_tokens t WHERE t.user_id = claimdb_user_id() ORDER BY t.id LIMIT 1000")},
    {"token_create",
     "INSERT INTO api_tokens AS t (public_id, secret_sha256, user_id, name, scopes, project_ids, expires_at)"
     " SELECT $1, $2::bytea, claimdb_user_id(), b->>'name',"
     "  coalesce(ARRAY(SELECT jsonb_array_elements_text(b->'scopes')), ARRAY['read', 'write']),"
     "  CASE WHEN b ? 'project_ids' THEN ARRAY(SELECT jsonb_array_elements_text(b->'project_ids'))::uuid[] "
     "END,"
     "  now() + make_interval(days => (b->>'expires_days')::int)"
     " FROM (SELECT $3::jsonb AS b) AS input RETURNING t.id, " TOKEN_JSON},
    {"token_projects_ok", "SELECT count(*) = jsonb_array_length($1::jsonb) FROM members m"
                          " WHERE m.user_id = claimdb_user_id() AND m.project_id::text IN (SELECT "
                          "jsonb_array_elements_text($1::jsonb))"},
    {"token_revoke",
     "UPDATE api_tokens SET revoked_at = coalesce(revoked_at, now())"
     " WHERE id = $1::uuid AND (user_id = claimdb_user_id() OR claimdb_is_admin()) RETURNING id"},
    /* Users: server admins only (the route says so). */
    {"user_list",
     ITEMS("r.j ORDER BY r.id", "SELECT u.id, " USER_JSON " AS j FROM users u ORDER BY u.id LIMIT 1000")},
    {"user_create", "INSERT INTO users AS u (username, display_name, email, password_hash, server_admin)"
                    " SELECT b->>'username', coalesce(b->>'display_name', b->>'username'), b->>'email', $2,"
                    "  coalesce((b->>'server_admin')::boolean, false)"
                    " FROM (SELECT $1::jsonb AS b) AS input RETURNING u.id, " USER_JSON},
    {"user_patch",
     "UPDATE users u SET"
     " display_name = CASE WHEN b ? 'display_name' THEN b->>'display_name' ELSE u.display_name END,"
     " email = CASE WHEN b ? 'email' THEN b->>'email' ELSE u.email END,"
     " disabled = CASE WHEN b ? 'disabled' THEN (b->>'disabled')::boolean ELSE u.disabled END,"
     " server_admin = CASE WHEN b ? 'server_admin' THEN (b->>'server_admin')::boolean ELSE u.server_admin "
     "END,"
     " password_hash = coalesce($3, u.password_hash)"
     " FROM (SELECT $2::jsonb AS b) AS input WHERE u.id = $1::uuid RETURNING " USER_JSON},
    /* Projects: row-level security shows only readable ones. */
    {"project_list", ITEMS("r.j ORDER BY r.slug", "SELECT p.slug, " PROJECT_JSON
                                                  " AS j FROM projects p ORDER BY p.slug LIMIT 1000")},
    {"project_get", "SELECT " PROJECT_JSON " FROM projects p WHERE p.id = $1::uuid"},
    {"project_create",
     "WITH p AS (INSERT INTO projects (slug, name, description, visibility, settings)"
     "  SELECT b->>'slug', coalesce(b->>'name', b->>'slug'), b->>'description',"
     "   coalesce(b->>'visibility', 'private')::project_visibility, coalesce(b->'settings', '{}')"
     "  FROM (SELECT $1::jsonb AS b) AS input RETURNING *),"
     " m AS (INSERT INTO members (project_id, user_id, role) SELECT p.id, claimdb_user_id(), 'owner' FROM p)"
     " SELECT p.id, json_build_object('id', p.id, 'slug', p.slug, 'name', p.name, 'description', "
     "p.description,"
     " 'visibility', p.visibility, 'settings', p.settings, 'role', 'owner', 'created_by', p.created_by,"
     " 'created_at', p.created_at, 'updated_at', p.updated_at) FROM p"},
    {"project_patch",
     "UPDATE projects p SET"
     " name = CASE WHEN b ? 'name' THEN b->>'name' ELSE p.name END,"
     " description = CASE WHEN b ? 'description' THEN b->>'description' ELSE p.description END,"
     " visibility = CASE WHEN b ? 'visibility' THEN (b->>'visibility')::project_visibility ELSE p.visibility "
     "END,"
     " settings = CASE WHEN b ? 'settings' THEN p.settings || (b->'settings') ELSE p.settings END"
     " FROM (SELECT $2::jsonb AS b) AS input WHERE p.id = $1::uuid RETURNING " PROJECT_JSON},
    {"project_delete",
     "WITH p AS (SELECT id, id = ANY (claimdb_projects('owner')) OR claimdb_is_admin() AS owns"
     "  FROM projects WHERE id = $1::uuid),"
     " d AS (DELETE FROM projects WHERE id IN (SELECT id FROM p WHERE owns) RETURNING id)"
     " SELECT (SELECT count(*) FROM p), coalesce((SELECT owns FROM p), false), (SELECT count(*) FROM d)"},
    /* Members: readable by whoever reads the project; changed by its managers
     * (owners alone make or unmake owners). */
    {"member_list",
     "SELECT (SELECT count(*) FROM projects p WHERE p.id = $1::uuid),"
     " (SELECT json_build_object('items', coalesce(json_agg(" MEMBER_JSON
     " ORDER BY u.username), '[]'), 'next', NULL)"
     "  FROM members m JOIN users u ON u.id = m.user_id"
     "  WHERE m.project_id = $1::uuid AND EXISTS (SELECT 1 FROM projects p WHERE p.id = $1::uuid))"},
    {"member_set",
     "WITH p AS (SELECT id, id = ANY (claimdb_projects('manage')) OR claimdb_is_admin() AS manages,"
     "   id = ANY (claimdb_projects('owner')) OR claimdb_is_admin() AS owns FROM projects WHERE id = "
     "$1::uuid),"
     " u AS (SELECT id, username, display_name FROM users WHERE username = $2 OR id::text = $2),"
     " old AS (SELECT m.role FROM members m, u WHERE m.project_id = $1::uuid AND m.user_id = u.id),"
     " allowed AS (SELECT p.id FROM p WHERE p.manages AND (p.owns OR ($3::member_role < 'owner'"
     "   AND coalesce((SELECT role FROM old), 'viewer') < 'owner'))),"
     " m AS (INSERT INTO members AS m (project_id, user_id, role) SELECT allowed.id, u.id, $3::member_role"
     "   FROM allowed, u WHERE $4::boolean OR EXISTS (SELECT 1 FROM old)"
     "   ON CONFLICT (project_id, user_id) DO UPDATE SET role = excluded.role RETURNING m.*)"
     " SELECT (SELECT count(*) FROM p), coalesce((SELECT manages FROM p), false), (SELECT count(*) FROM "
     "allowed),"
     " (SELECT count(*) FROM u), (SELECT count(*) FROM old),"
     " (SELECT " MEMBER_JSON " FROM m, u)"},
    {"member_remove",
     "WITH p AS (SELECT id, id = ANY (claimdb_projects('manage')) OR claimdb_is_admin() AS manages,"
     "   id = ANY (claimdb_projects('owner')) OR claimdb_is_admin() AS owns FROM projects WHERE id = "
     "$1::uuid),"
     " d AS (DELETE FROM members m USING p WHERE m.project_id = p.id AND m.user_id::text = $2 AND p.manages"
     "   AND (p.owns OR m.role < 'owner') RETURNING m.user_id)"
     " SELECT (SELECT count(*) FROM p), coalesce((SELECT manages FROM p), false), (SELECT count(*) FROM d)"},
    {NULL, NULL},
};

/* ---------------------------------------------------------------- me */

static void get_me(struct request *r)
{
    PGresult *res = db_run_or_reply(r, "me", 0, NULL);
    if (!res)
        return;
    json_t *me = PQntuples(res) ? json_loads(PQgetvalue(res, 0, 0), 0, NULL) : NULL;
    PQclear(res);
    if (!me) {
        reply_error(r, MHD_HTTP_UNAUTHORIZED, "unauthorized", NULL, "the user is gone");
        return;
    }
    const struct auth *a = r->auth;
    json_t *scopes = json_array();
    static const char *const names[] = {"read", "write", "admin"};
    for (unsigned i = 0; i < 3; i++)
        if (a->scopes & (1u << i))
            json_array_append_new(scopes, json_string(names[i]));
    json_object_set_new(me, "credential",
                        json_pack("{s:s, s:s?, s:o}", "kind", a->kind == AUTH_TOKEN ? "token" : "session",
                                  "token_id", a->token_id[0] ? a->token_id : NULL, "scopes", scopes));
    reply_json(r, MHD_HTTP_OK, me);
}

/* ---------------------------------------------------------------- sign-in throttling */

/* Failed sign-ins per user name and per client address, in this process:
 * after 5 failures each further attempt waits 2^(n-5) s (at most 5 min)
 * from the last failure, answered 429 with Retry-After meanwhile. */
#define THROTTLE_SLOTS 1024
#define THROTTLE_FREE 5
static struct {
    char key[96];
    unsigned failures;
    time_t last;
} throttle[THROTTLE_SLOTS];
static pthread_mutex_t throttle_lock = PTHREAD_MUTEX_INITIALIZER;

static unsigned throttle_slot(const char *key)
{
    unsigned h = 2166136261u;
    for (const char *p = key; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    return h % THROTTLE_SLOTS;
}

/* Seconds the caller must still wait for key, or 0. */
static long throttle_wait(const char *key)
{
    long wait = 0;
    pthread_mutex_lock(&throttle_lock);
    unsigned s = throttle_slot(key);
    if (strcmp(throttle[s].key, key) == 0 && throttle[s].failures >= THROTTLE_FREE) {
        unsigned shift = throttle[s].failures - THROTTLE_FREE;
        long delay = shift >= 8 ? 300 : 1L << shift;
        if (delay > 300)
            delay = 300;
        long passed = (long)(time(NULL) - throttle[s].last);
        wait = passed < delay ? delay - passed : 0;
    }
    pthread_mutex_unlock(&throttle_lock);
    return wait;
}

static void throttle_note(const char *key, bool failed)
{
    pthread_mutex_lock(&throttle_lock);
    unsigned s = throttle_slot(key);
    if (strcmp(throttle[s].key, key) != 0) {
        snprintf(throttle[s].key, sizeof throttle[s].key, "%s", key);
        throttle[s].failures = 0;
    }
    throttle[s].failures = failed ? throttle[s].failures + 1 : 0;
    throttle[s].last = time(NULL);
    pthread_mutex_unlock(&throttle_lock);
}

/* ---------------------------------------------------------------- session */

static const struct field_spec session_fields[] = {
    {.name = "username", .type = F_STRING, .required = true, .max_len = 64, .flags = FIELD_CREATE},
    {.name = "password", .type = F_STRING, .required = true, .max_len = 1024, .flags = FIELD_CREATE},
    {.name = NULL},
};

static void set_cookie(struct request *r, const char *value, long max_age)
{
    char cookie[256];
    snprintf(cookie, sizeof cookie, SESSION_COOKIE "=%s; Path=/; Max-Age=%ld; HttpOnly; SameSite=Strict%s",
             value, max_age, r->cfg->cookie_secure ? "; Secure" : "");
    reply_header(r, MHD_HTTP_HEADER_SET_COOKIE, cookie);
}

static void create_session(struct request *r)
{
    if (!fields_valid_or_reply(r, r->json, "", session_fields, VALIDATE_CREATE))
        return;
    const char *username = json_string_value(json_object_get(r->json, "username"));
    const char *password = json_string_value(json_object_get(r->json, "password"));
    char user_key[96], addr_key[96];
    snprintf(user_key, sizeof user_key, "u:%s", username);
    snprintf(addr_key, sizeof addr_key, "a:%s", r->client_ip);
    long wait = throttle_wait(user_key);
    long wait_addr = throttle_wait(addr_key);
    if (wait_addr > wait)
        wait = wait_addr;
    if (wait > 0) {
        char retry[24];
        snprintf(retry, sizeof retry, "%ld", wait);
        reply_error(r, MHD_HTTP_TOO_MANY_REQUESTS, "too_many_attempts", NULL,
                    "too many failed sign-ins for this user or address; retry in %ld s", wait);
        reply_header(r, MHD_HTTP_HEADER_RETRY_AFTER, retry);
        return;
    }
    PGconn *conn = db_conn_or_reply(r);
    const char *params[] = {username};
    PGresult *res = conn ? db_exec_or_reply(r, conn, "session_user", 1, params) : NULL;
    if (!res)
        return;
    bool ok = PQntuples(res) == 1 && PQgetvalue(res, 0, 2)[0] == 'f' && !PQgetisnull(res, 0, 1)
              && auth_check_password(password, PQgetvalue(res, 0, 1));
    char user_id[AUTH_ID_SIZE] = "";
    if (ok)
        snprintf(user_id, sizeof user_id, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    throttle_note(user_key, !ok);
    throttle_note(addr_key, !ok);
    if (!ok) {
        /* One answer for an unknown user, a wrong password and a disabled
         * account: the reply does not tell which names exist. */
        reply_error(r, MHD_HTTP_UNAUTHORIZED, "invalid_credentials", NULL, "wrong username or password");
        return;
    }
    char token[128], public_id[17], hash_hex[67];
    auth_new_credential("cdbs_", token, sizeof token, public_id, hash_hex);
    const char *sparams[] = {public_id, hash_hex, user_id};
    res = db_exec_or_reply(r, conn, "session_create", 3, sparams);
    if (res) {
        PQclear(res);
        reply_json(r, MHD_HTTP_CREATED,
                   json_pack("{s:s, s:s, s:i}", "user_id", user_id, "username", username, "expires_in",
                             SESSION_DAYS * 86400));
        set_cookie(r, token, (long)SESSION_DAYS * 86400);
    }
    sodium_memzero(token, sizeof token);
}

static void delete_session(struct request *r)
{
    if (r->auth->kind == AUTH_SESSION) {
        const char *params[] = {r->auth->session_id};
        PGresult *res = db_run_or_reply(r, "session_delete", 1, params);
        if (!res)
            return;
        PQclear(res);
        auth_cache_flush();
    }
    reply_no_content(r);
    set_cookie(r, "", 0);
}

/* ---------------------------------------------------------------- tokens */

static const char *const scope_names[] = {"read", "write", "admin", NULL};

static const struct field_spec token_fields[] = {
    {.name = "name", .type = F_STRING, .max_len = 200, .flags = FIELD_CREATE},
    {.name = "scopes", .type = F_STRING_ARRAY, .max_len = 10, .flags = FIELD_CREATE},
    {.name = "project_ids", .type = F_STRING_ARRAY, .max_len = 36, .flags = FIELD_CREATE},
    {.name = "expires_days", .type = F_INTEGER, .flags = FIELD_CREATE},
    {.name = NULL},
};

/* Runs a statement whose one row/column is a JSON reply. */
static void reply_statement(struct request *r, const char *name, int n, const char *const *params)
{
    PGresult *res = db_run_or_reply(r, name, n, params);
    if (res)
        reply_json_result(r, MHD_HTTP_OK, res, 0, 0);
}

static void list_tokens(struct request *r)
{
    reply_statement(r, "token_list", 0, NULL);
}

static void create_token(struct request *r)
{
    if (!fields_valid_or_reply(r, r->json, "", token_fields, VALIDATE_CREATE))
        return;
    const json_t *scopes = json_object_get(r->json, "scopes"),
                 *projects = json_object_get(r->json, "project_ids");
    size_t i;
    const json_t *v;
    json_array_foreach(scopes, i, v)
    {
        unsigned bit = 0;
        for (unsigned k = 0; scope_names[k]; k++)
            if (strcmp(json_string_value(v), scope_names[k]) == 0)
                bit = 1u << k;
        if (!bit || !(r->auth->scopes & bit)) {
            reply_error(r, 422, "invalid_scope", "scopes",
                        "scopes: each must be read, write or admin, and one the current credential holds");
            return;
        }
    }
    if (scopes && json_array_size(scopes) == 0) {
        reply_error(r, 422, "invalid_scope", "scopes", "scopes: name at least one of read, write, admin");
        return;
    }
    json_array_foreach(projects, i, v) if (!uuid_valid(json_string_value(v)))
    {
        reply_error(r, 400, "invalid_uuid", "project_ids", "project_ids: each must be a UUID");
        return;
    }
    json_int_t days = json_integer_value(json_object_get(r->json, "expires_days"));
    if (json_object_get(r->json, "expires_days") && (days < 1 || days > 3650)) {
        reply_error(r, 422, "invalid_value", "expires_days", "expires_days: between 1 and 3650");
        return;
    }
    PGconn *conn = db_conn_or_reply(r);
    if (!conn)
        return;
    if (projects) {
        char *text = json_text(projects);
        const char *params[] = {text};
        PGresult *res = db_exec_or_reply(r, conn, "token_projects_ok", 1, params);
        free(text);
        if (!res)
            return;
        bool ok = PQgetvalue(res, 0, 0)[0] == 't';
        PQclear(res);
        if (!ok) {
            reply_error(r, 422, "unknown_reference", "project_ids",
                        "project_ids: each must be a project you are a member of");
            return;
        }
    }
    char token[128], public_id[17], hash_hex[67];
    auth_new_credential("cdb_", token, sizeof token, public_id, hash_hex);
    char *body = json_text(r->json);
    const char *params[] = {public_id, hash_hex, body};
    PGresult *res = db_exec_or_reply(r, conn, "token_create", 3, params);
    free(body);
    if (res) {
        json_t *obj = json_loads(PQgetvalue(res, 0, 1), 0, NULL);
        char location[96];
        snprintf(location, sizeof location, "/v1/tokens/%s", PQgetvalue(res, 0, 0));
        PQclear(res);
        /* The token itself: here, once, and nowhere else. */
        json_object_set_new(obj, "token", json_string(token));
        reply_json(r, MHD_HTTP_CREATED, obj);
        reply_header(r, MHD_HTTP_HEADER_LOCATION, location);
    }
    sodium_memzero(token, sizeof token);
}

static void revoke_token(struct request *r)
{
    const char *id = uuid_param_or_reply(r, "id");
    if (!id)
        return;
    const char *params[] = {id};
    PGresult *res = db_run_or_reply(r, "token_revoke", 1, params);
    if (!res)
        return;
    auth_cache_flush();
    reply_deleted_or_404(r, res, "token", id);
}

/* ---------------------------------------------------------------- users */

static const struct field_spec user_fields[] = {
    {.name = "username", .type = F_STRING, .required = true, .max_len = 63, .flags = FIELD_CREATE},
    {.name = "password",
     .type = F_STRING,
     .nullable = true,
     .max_len = 1024,
     .flags = FIELD_CREATE | FIELD_PATCH},
    {.name = "display_name",
     .type = F_STRING,
     .nullable = true,
     .max_len = 200,
     .flags = FIELD_CREATE | FIELD_PATCH},
    {.name = "email",
     .type = F_STRING,
     .nullable = true,
     .max_len = 320,
     .flags = FIELD_CREATE | FIELD_PATCH},
    {.name = "server_admin", .type = F_BOOLEAN, .flags = FIELD_CREATE | FIELD_PATCH},
    {.name = "disabled", .type = F_BOOLEAN, .flags = FIELD_CREATE | FIELD_PATCH},
    {.name = NULL},
};

/* Hashes body.password into hash (when present and long enough); replies
 * and returns false otherwise. *has says whether there was one. */
static bool password_or_reply(struct request *r, char *hash, size_t size, bool *has)
{
    const char *pw = json_string_value(json_object_get(r->json, "password"));
    *has = pw != NULL;
    if (!pw)
        return true;
    if (strlen(pw) < 8) {
        reply_error(r, 422, "weak_password", "password", "password: at least 8 characters");
        return false;
    }
    if (auth_hash_password(pw, hash, size) != 0) {
        reply_error(r, MHD_HTTP_SERVICE_UNAVAILABLE, "out_of_memory", NULL,
                    "cannot hash the password now; retry");
        return false;
    }
    return true;
}

/* The body without its password (it goes to PostgreSQL only hashed). */
static char *body_without_password(const json_t *body)
{
    json_t *copy = json_copy((json_t *)body);
    json_object_del(copy, "password");
    char *text = json_text(copy);
    json_decref(copy);
    return text;
}

static void list_users(struct request *r)
{
    reply_statement(r, "user_list", 0, NULL);
}

static void create_user(struct request *r)
{
    char hash[crypto_pwhash_STRBYTES];
    bool has;
    if (!fields_valid_or_reply(r, r->json, "", user_fields, VALIDATE_CREATE)
        || !password_or_reply(r, hash, sizeof hash, &has))
        return;
    char *body = body_without_password(r->json);
    const char *params[] = {body, has ? hash : NULL};
    PGresult *res = db_run_or_reply(r, "user_create", 2, params);
    free(body);
    if (res)
        reply_created_row(r, res, "/v1/users");
}

static void patch_user(struct request *r)
{
    char hash[crypto_pwhash_STRBYTES];
    bool has;
    const char *id = uuid_param_or_reply(r, "id");
    if (!id || !fields_valid_or_reply(r, r->json, "", user_fields, VALIDATE_PATCH)
        || !password_or_reply(r, hash, sizeof hash, &has))
        return;
    if (json_object_get(r->json, "username")) {
        reply_error(r, MHD_HTTP_CONFLICT, "immutable", "username", "a username does not change");
        return;
    }
    char *body = body_without_password(r->json);
    const char *params[] = {id, body, has ? hash : NULL};
    PGresult *res = db_run_or_reply(r, "user_patch", 3, params);
    free(body);
    if (!res)
        return;
    auth_cache_flush(); /* a disabled user stops here at once */
    reply_object_or_404(r, res, 0, "user", id);
}

/* ---------------------------------------------------------------- projects */

static const char *const visibilities[] = {"private", "public", NULL};

static const struct field_spec project_fields[] = {
    {.name = "slug", .type = F_STRING, .required = true, .max_len = 63, .flags = FIELD_CREATE},
    {.name = "name", .type = F_STRING, .max_len = 500, .flags = FIELD_CREATE | FIELD_PATCH},
    {.name = "description",
     .type = F_STRING,
     .nullable = true,
     .max_len = 10000,
     .flags = FIELD_CREATE | FIELD_PATCH},
    {.name = "visibility", .type = F_STRING, .allowed = visibilities, .flags = FIELD_CREATE | FIELD_PATCH},
    {.name = "settings", .type = F_OBJECT, .flags = FIELD_CREATE | FIELD_PATCH},
    {.name = NULL},
};

static void list_projects(struct request *r)
{
    reply_statement(r, "project_list", 0, NULL);
}

static void get_project(struct request *r)
{
    reply_get_by_id(r, "project_get", "project");
}

static void create_project(struct request *r)
{
    reply_create_from_body(r, "project_create", project_fields, "/v1/projects");
    if (r->status == MHD_HTTP_CREATED)
        auth_cache_flush(); /* the new owner's membership counts from the next request */
}

static void patch_project(struct request *r)
{
    const char *id = uuid_param_or_reply(r, "id");
    if (!id || !fields_valid_or_reply(r, r->json, "", project_fields, VALIDATE_PATCH))
        return;
    if (json_object_get(r->json, "slug")) {
        reply_error(r, MHD_HTTP_CONFLICT, "immutable", "slug", "a project's slug does not change");
        return;
    }
    PGconn *conn = db_conn_or_reply(r);
    PGresult *res = conn ? db_exec_with_body_or_reply(r, conn, "project_patch", id, r->json) : NULL;
    if (!res)
        return;
    auth_cache_flush(); /* visibility decides who reads it */
    reply_object_or_404(r, res, 0, "project", id);
}

static void delete_project(struct request *r)
{
    const char *id = uuid_param_or_reply(r, "id");
    const char *params[] = {id};
    PGresult *res = id ? db_run_or_reply(r, "project_delete", 1, params) : NULL;
    if (!res)
        return;
    if (strcmp(PQgetvalue(res, 0, 0), "0") == 0)
        reply_not_found(r, "project", id);
    else if (PQgetvalue(res, 0, 1)[0] != 't')
        reply_error_extra(r, MHD_HTTP_FORBIDDEN, "forbidden", NULL,
                          json_pack("{s:s}", "role_needed", "owner"),
                          "deleting a project needs the owner role in it");
    else {
        auth_cache_flush();
        reply_no_content(r);
    }
    PQclear(res);
}

/* ---------------------------------------------------------------- members */

static const char *const roles[] = {"viewer", "annotator", "curator", "manager", "owner", NULL};

static const struct field_spec member_fields[] = {
    {.name = "user", .type = F_STRING, .required = true, .max_len = 64, .flags = FIELD_CREATE},
    {.name = "role", .type = F_STRING, .required = true, .allowed = roles, .flags = FIELD_CREATE},
    {.name = NULL},
};

static const struct field_spec member_patch_fields[] = {
    {.name = "role", .type = F_STRING, .required = true, .allowed = roles, .flags = FIELD_CREATE},
    {.name = NULL},
};

static void list_members(struct request *r)
{
    const char *id = uuid_param_or_reply(r, "id");
    const char *params[] = {id};
    PGresult *res = id ? db_run_or_reply(r, "member_list", 1, params) : NULL;
    if (!res)
        return;
    if (strcmp(PQgetvalue(res, 0, 0), "0") == 0) {
        reply_not_found(r, "project", id);
        PQclear(res);
        return;
    }
    reply_json_result(r, MHD_HTTP_OK, res, 0, 1);
}

/* The first columns member_set and member_remove both return: whether the
 * project exists and whether the caller manages it. Returns true after
 * replying 404 or 403 when either is not so. */
static bool member_change_refused(struct request *r, const PGresult *res, const char *project)
{
    if (strcmp(PQgetvalue(res, 0, 0), "0") == 0)
        reply_not_found(r, "project", project);
    else if (PQgetvalue(res, 0, 1)[0] != 't')
        reply_error_extra(r, MHD_HTTP_FORBIDDEN, "forbidden", NULL,
                          json_pack("{s:s}", "role_needed", "manager"),
                          "changing a project's members needs the manager role in it");
    else
        return false;
    return true;
}

/* Adds (create) or changes a member; user is a username or a user id. */
static void set_member(struct request *r, const char *project, const char *user, const char *role,
                       bool create)
{
    const char *params[] = {project, user, role, create ? "t" : "f"};
    PGresult *res = db_run_or_reply(r, "member_set", 4, params);
    if (!res)
        return;
    if (member_change_refused(r, res, project)) {
        /* replied */
    } else if (strcmp(PQgetvalue(res, 0, 2), "0") == 0)
        reply_error_extra(r, MHD_HTTP_FORBIDDEN, "forbidden", "role",
                          json_pack("{s:s}", "role_needed", "owner"),
                          "only owners make, change or remove owners");
    else if (strcmp(PQgetvalue(res, 0, 3), "0") == 0)
        reply_error(r, create ? 422 : MHD_HTTP_NOT_FOUND, create ? "unknown_reference" : "not_found",
                    create ? "user" : "user_id", "no user %s", user);
    else if (PQgetisnull(res, 0, 5))
        reply_error(r, MHD_HTTP_NOT_FOUND, "not_found", "user_id", "%s is not a member of this project",
                    user);
    else {
        auth_cache_flush();
        reply_json_copy(r, create && strcmp(PQgetvalue(res, 0, 4), "0") == 0 ? MHD_HTTP_CREATED : MHD_HTTP_OK,
                        PQgetvalue(res, 0, 5), (size_t)PQgetlength(res, 0, 5));
    }
    PQclear(res);
}

static void add_member(struct request *r)
{
    const char *id = uuid_param_or_reply(r, "id");
    if (!id || !fields_valid_or_reply(r, r->json, "", member_fields, VALIDATE_CREATE))
        return;
    set_member(r, id, json_string_value(json_object_get(r->json, "user")),
               json_string_value(json_object_get(r->json, "role")), true);
}

static void patch_member(struct request *r)
{
    const char *id = uuid_param_or_reply(r, "id");
    const char *user = id ? uuid_param_or_reply(r, "user_id") : NULL;
    if (!user || !fields_valid_or_reply(r, r->json, "", member_patch_fields, VALIDATE_CREATE))
        return;
    set_member(r, id, user, json_string_value(json_object_get(r->json, "role")), false);
}

static void remove_member(struct request *r)
{
    const char *id = uuid_param_or_reply(r, "id");
    const char *user = id ? uuid_param_or_reply(r, "user_id") : NULL;
    const char *params[] = {id, user};
    PGresult *res = user ? db_run_or_reply(r, "member_remove", 2, params) : NULL;
    if (!res)
        return;
    if (member_change_refused(r, res, id)) {
        /* replied */
    } else if (strcmp(PQgetvalue(res, 0, 2), "0") == 0)
        reply_error(r, MHD_HTTP_NOT_FOUND, "not_found", "user_id",
                    "%s is not a member of this project (or is an owner, whom only owners remove)", user);
    else {
        auth_cache_flush(); /* a removed member loses access here at once, elsewhere within the cache time */
        reply_no_content(r);
    }
    PQclear(res);
}

/* clang-format off */
static const struct route routes[] = {
    {.method = "GET",    .pattern = "/v1/me",                              .handler = get_me,                            .access = ACCESS_USER},
    {.method = "POST",   .pattern = "/v1/session",                         .handler = create_session, .body = BODY_JSON, .access = ACCESS_PUBLIC},
    {.method = "DELETE", .pattern = "/v1/session",                         .handler = delete_session,                    .access = ACCESS_USER},
    {.method = "GET",    .pattern = "/v1/tokens",                          .handler = list_tokens,                       .access = ACCESS_USER},
    {.method = "POST",   .pattern = "/v1/tokens",                          .handler = create_token,   .body = BODY_JSON, .access = ACCESS_USER},
    {.method = "DELETE", .pattern = "/v1/tokens/{id}",                     .handler = revoke_token,                      .access = ACCESS_USER},
    {.method = "GET",    .pattern = "/v1/users",                           .handler = list_users,                        .access = ACCESS_ADMIN},
    {.method = "POST",   .pattern = "/v1/users",                           .handler = create_user,    .body = BODY_JSON, .access = ACCESS_ADMIN},
    {.method = "PATCH",  .pattern = "/v1/users/{id}",                      .handler = patch_user,     .body = BODY_JSON, .access = ACCESS_ADMIN},
    {.method = "GET",    .pattern = "/v1/projects",                        .handler = list_projects,                     .access = ACCESS_READ},
    {.method = "POST",   .pattern = "/v1/projects",                        .handler = create_project, .body = BODY_JSON, .access = ACCESS_USER},
    {.method = "GET",    .pattern = "/v1/projects/{id}",                   .handler = get_project,                       .access = ACCESS_READ},
    {.method = "PATCH",  .pattern = "/v1/projects/{id}",                   .handler = patch_project,  .body = BODY_JSON, .access = ACCESS_MANAGE},
    {.method = "DELETE", .pattern = "/v1/projects/{id}",                   .handler = delete_project,                    .access = ACCESS_OWN},
    {.method = "GET",    .pattern = "/v1/projects/{id}/members",           .handler = list_members,                      .access = ACCESS_READ},
    {.method = "POST",   .pattern = "/v1/projects/{id}/members",           .handler = add_member,     .body = BODY_JSON, .access = ACCESS_MANAGE},
    {.method = "PATCH",  .pattern = "/v1/projects/{id}/members/{user_id}", .handler = patch_member,   .body = BODY_JSON, .access = ACCESS_MANAGE},
    {.method = "DELETE", .pattern = "/v1/projects/{id}/members/{user_id}", .handler = remove_member,                     .access = ACCESS_MANAGE},
    {.method = NULL},
};
/* clang-format on */

const struct resource team_resource = {.name = "teams", .routes = routes, .statements = statements};

#include "auth.h"

#include "registry.h"
#include "reply.h"
#include "request.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PUBLIC_LEN 16
#define SECRET_BYTES 32
#define SECRET_LEN 43 /* base64url of 32 bytes, no padding */
#define CACHE_SLOTS 256

static const struct db_statement statements[] = {
    {"auth_token",
     "SELECT t.id, t.secret_sha256, array_to_string(t.scopes, ','), extract(epoch FROM t.expires_at)::bigint,"
     " u.id, u.username, u.server_admin,"
     " (SELECT coalesce(string_agg(m.project_id || ':' || m.role, ','), '') FROM members m"
     "  WHERE m.user_id = u.id AND (t.project_ids IS NULL OR m.project_id = ANY (t.project_ids))),"
     " (SELECT coalesce(string_agg(p.id::text, ','), '') FROM projects p"
     "  WHERE p.visibility = 'public' AND (t.project_ids IS NULL OR p.id = ANY (t.project_ids))),"
     " t.project_ids IS NOT NULL"
     " FROM api_tokens t JOIN users u ON u.id = t.user_id"
     " WHERE t.public_id = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())"
     " AND NOT u.disabled"},
    {"auth_session",
     "SELECT s.id, s.secret_sha256, 'read,write,admin', extract(epoch FROM s.expires_at)::bigint,"
     " u.id, u.username, u.server_admin,"
     " (SELECT coalesce(string_agg(m.project_id || ':' || m.role, ','), '') FROM members m WHERE m.user_id = "
     "u.id),"
     " (SELECT coalesce(string_agg(p.id::text, ','), '') FROM projects p WHERE p.visibility = 'public'),"
     " false"
     " FROM sessions s JOIN users u ON u.id = s.user_id"
     " WHERE s.public_id = $1 AND s.expires_at > now() AND NOT u.disabled"},
    {"auth_public",
     "SELECT coalesce(string_agg(p.id::text, ','), '') FROM projects p WHERE p.visibility = 'public'"},
    {"auth_token_used", "UPDATE api_tokens SET last_used_at = now() WHERE id = $1::uuid"},
    {NULL, NULL},
};

const struct resource auth_resource = {.name = "auth", .statements = statements};

/* One remembered credential. */
struct slot {
    bool used;
    enum auth_kind kind;
    char public_id[PUBLIC_LEN + 1];
    unsigned char hash[32];
    long long credential_expires; /* epoch seconds, 0 = never */
    struct timespec fetched;
    struct auth auth;
};

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct slot cache[CACHE_SLOTS];
static struct slot anonymous;
static unsigned long long generation; /* bumped by auth_cache_flush */

int auth_init(void)
{
    return sodium_init() < 0 ? -1 : 0;
}

const char *auth_role_name(enum role role)
{
    static const char *const names[] = {"none", "viewer", "annotator", "curator", "manager", "owner"};
    return (unsigned)role < sizeof names / sizeof *names ? names[role] : "none";
}

static enum role role_from_name(const char *s, size_t n)
{
    for (enum role r = ROLE_VIEWER; r <= ROLE_OWNER; r++)
        if (strlen(auth_role_name(r)) == n && strncmp(auth_role_name(r), s, n) == 0)
            return r;
    return ROLE_NONE;
}

static void free_sets(struct auth *a)
{
    for (int i = 0; i < SET_COUNT; i++) {
        free(a->sets[i]);
        a->sets[i] = NULL;
    }
}

void auth_clear(struct auth *a)
{
    if (a)
        free_sets(a);
}

static char *xstrdup(const char *s)
{
    char *d = strdup(s);
    if (!d)
        abort();
    return d;
}

/* Copies src into dst, duplicating the sets. */
static void copy_auth(struct auth *dst, const struct auth *src)
{
    *dst = *src;
    for (int i = 0; i < SET_COUNT; i++)
        dst->sets[i] = xstrdup(src->sets[i] ? src->sets[i] : "{}");
}

static double seconds_since(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

void auth_cache_flush(void)
{
    pthread_mutex_lock(&cache_lock);
    for (size_t i = 0; i < CACHE_SLOTS; i++)
        if (cache[i].used) {
            free_sets(&cache[i].auth);
            cache[i].used = false;
        }
    if (anonymous.used) {
        free_sets(&anonymous.auth);
        anonymous.used = false;
    }
    generation++;
    pthread_mutex_unlock(&cache_lock);
}

static size_t slot_of(enum auth_kind kind, const char *public_id)
{
    unsigned h = 2166136261u ^ (unsigned)kind;
    for (const char *p = public_id; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    return h % CACHE_SLOTS;
}

/* Looks the credential up in the cache; true with *out filled on a fresh hit. */
static bool cache_get(enum auth_kind kind, const char *public_id, const unsigned char hash[32],
                      struct auth *out, unsigned long long *gen)
{
    bool hit = false;
    pthread_mutex_lock(&cache_lock);
    *gen = generation;
    struct slot *s = kind == AUTH_ANONYMOUS ? &anonymous : &cache[slot_of(kind, public_id)];
    if (s->used && s->kind == kind && strcmp(s->public_id, public_id) == 0
        && seconds_since(&s->fetched) < AUTH_CACHE_SECONDS
        && (s->credential_expires == 0 || s->credential_expires > (long long)time(NULL))
        && (kind == AUTH_ANONYMOUS || sodium_memcmp(s->hash, hash, 32) == 0)) {
        copy_auth(out, &s->auth);
        hit = true;
    }
    pthread_mutex_unlock(&cache_lock);
    return hit;
}

static void cache_put(enum auth_kind kind, const char *public_id, const unsigned char hash[32],
                      long long credential_expires, const struct auth *a, unsigned long long gen)
{
    pthread_mutex_lock(&cache_lock);
    /* A flush happened while this lookup ran: its answer may predate the change. */
    if (gen == generation) {
        struct slot *s = kind == AUTH_ANONYMOUS ? &anonymous : &cache[slot_of(kind, public_id)];
        if (s->used)
            free_sets(&s->auth);
        s->used = true;
        s->kind = kind;
        snprintf(s->public_id, sizeof s->public_id, "%s", public_id);
        if (hash)
            memcpy(s->hash, hash, 32);
        s->credential_expires = credential_expires;
        clock_gettime(CLOCK_MONOTONIC, &s->fetched);
        copy_auth(&s->auth, a);
    }
    pthread_mutex_unlock(&cache_lock);
}

/* Appends "id" to a "{…}" literal being built in *lit (malloc'd). */
static void set_add(char **lit, const char *id, size_t n)
{
    size_t len = *lit ? strlen(*lit) : 0;
    char *grown = realloc(*lit, len + n + 3);
    if (!grown)
        abort();
    if (len == 0) {
        grown[0] = '{';
        len = 1;
    } else {
        grown[len - 1] = ','; /* over the closing brace */
    }
    memcpy(grown + len, id, n);
    grown[len + n] = '}';
    grown[len + n + 1] = '\0';
    *lit = grown;
}

static bool set_has(const char *lit, const char *id, size_t n)
{
    for (const char *p = lit; p && *p; p++)
        if ((*p == '{' || *p == ',') && strncmp(p + 1, id, n) == 0 && (p[n + 1] == ',' || p[n + 1] == '}'))
            return true;
    return false;
}

/* Fills the project sets from "uuid:role,…" (members) and "uuid,…"
 * (public projects), cut down by the credential's scopes. */
static void build_sets(struct auth *a, const char *members, const char *public_ids)
{
    int writable = 0;
    for (const char *p = members; *p;) {
        const char *colon = strchr(p, ':');
        if (!colon)
            break;
        const char *end = strchr(colon, ',');
        size_t idlen = (size_t)(colon - p);
        size_t rlen = end ? (size_t)(end - colon - 1) : strlen(colon + 1);
        enum role role = role_from_name(colon + 1, rlen);
        if (a->scopes & SCOPE_READ)
            set_add(&a->sets[SET_READ], p, idlen);
        bool write = a->scopes & SCOPE_WRITE, admin = a->scopes & SCOPE_ADMIN;
        enum role usable = role;
        if (!admin && usable > ROLE_CURATOR)
            usable = ROLE_CURATOR;
        if (!write && usable > ROLE_VIEWER)
            usable = ROLE_VIEWER;
        if (usable >= ROLE_ANNOTATOR) {
            set_add(&a->sets[SET_WRITE], p, idlen);
            if (writable++ == 0 && idlen < AUTH_ID_SIZE)
                snprintf(a->default_project, sizeof a->default_project, "%.*s", (int)idlen, p);
        }
        if (usable >= ROLE_CURATOR)
            set_add(&a->sets[SET_CURATE], p, idlen);
        if (usable >= ROLE_MANAGER)
            set_add(&a->sets[SET_MANAGE], p, idlen);
        if (usable >= ROLE_OWNER)
            set_add(&a->sets[SET_OWNER], p, idlen);
        if (usable > a->best_role)
            a->best_role = usable;
        p = end ? end + 1 : colon + 1 + rlen;
    }
    /* Several writable projects: the installation's default project if it is
     * one of them (so that clients written before projects keep working),
     * else none and the client must name project_id. */
    static const char default_id[] = DEFAULT_PROJECT_ID;
    if (writable != 1)
        snprintf(a->default_project, sizeof a->default_project, "%s",
                 set_has(a->sets[SET_WRITE], default_id, sizeof default_id - 1) ? default_id : "");
    for (const char *p = public_ids; *p && (a->scopes & SCOPE_READ);) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (!set_has(a->sets[SET_READ], p, n))
            set_add(&a->sets[SET_READ], p, n);
        p = end ? end + 1 : p + n;
    }
    for (int i = 0; i < SET_COUNT; i++)
        if (!a->sets[i])
            a->sets[i] = xstrdup("{}");
}

static unsigned scopes_from(const char *csv)
{
    unsigned s = 0;
    if (strstr(csv, "read"))
        s |= SCOPE_READ;
    if (strstr(csv, "write"))
        s |= SCOPE_WRITE;
    if (strstr(csv, "admin"))
        s |= SCOPE_ADMIN;
    return s;
}

/* Splits "<prefix><16 hex>_<43 base64url>" into the public id and the
 * SHA-256 of the secret. */
static bool parse_credential(const char *value, const char *prefix, char public_id[PUBLIC_LEN + 1],
                             unsigned char hash[32])
{
    size_t pl = strlen(prefix);
    if (strncmp(value, prefix, pl) != 0 || strlen(value) != pl + PUBLIC_LEN + 1 + SECRET_LEN
        || value[pl + PUBLIC_LEN] != '_')
        return false;
    for (size_t i = 0; i < PUBLIC_LEN; i++) {
        char c = value[pl + i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
        public_id[i] = c;
    }
    public_id[PUBLIC_LEN] = '\0';
    const char *secret = value + pl + PUBLIC_LEN + 1;
    for (size_t i = 0; i < SECRET_LEN; i++) {
        char c = secret[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-'
              || c == '_'))
            return false;
    }
    crypto_hash_sha256(hash, (const unsigned char *)secret, SECRET_LEN);
    return true;
}

/* The stored bytea (text form "\x<64 hex>") equals hash, in constant time. */
static bool hash_matches(const char *stored, const unsigned char hash[32])
{
    unsigned char bin[32];
    size_t n = 0;
    if (strncmp(stored, "\\x", 2) != 0
        || sodium_hex2bin(bin, sizeof bin, stored + 2, strlen(stored + 2), NULL, &n, NULL) != 0 || n != 32)
        return false;
    return sodium_memcmp(bin, hash, 32) == 0;
}

/* The value of cookie `name` in the Cookie header, copied into buf. */
static bool cookie_value(struct request *r, const char *name, char *buf, size_t size)
{
    const char *v = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
    if (!v || strlen(v) >= size)
        return false;
    snprintf(buf, size, "%s", v);
    return true;
}

static void invalid(struct auth *out, const char *why)
{
    out->invalid = true;
    out->invalid_reason = why;
}

bool auth_identify_or_reply(struct request *r, struct auth *out)
{
    memset(out, 0, sizeof *out);
    const char *header = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    char cookie[128];
    const char *credential = NULL;
    enum auth_kind kind = AUTH_ANONYMOUS;
    if (header) {
        if (strncasecmp(header, "Bearer ", 7) != 0) {
            invalid(out, "the Authorization header must be \"Bearer <token>\"");
            return true;
        }
        credential = header + 7;
        while (*credential == ' ')
            credential++;
        kind = AUTH_TOKEN;
    } else if (cookie_value(r, "claimdb_session", cookie, sizeof cookie)) {
        credential = cookie;
        kind = AUTH_SESSION;
    }

    char public_id[PUBLIC_LEN + 1] = "";
    unsigned char hash[32] = {0};
    if (kind != AUTH_ANONYMOUS
        && !parse_credential(credential, kind == AUTH_TOKEN ? "cdb_" : "cdbs_", public_id, hash)) {
        invalid(out, kind == AUTH_TOKEN ? "the token is not a claimdb token (cdb_…)"
                                        : "the session cookie is malformed");
        return true;
    }
    unsigned long long gen;
    if (cache_get(kind, public_id, hash, out, &gen))
        return true;
    /* A miss: only now take a pooled connection (db.c), so that a cached
     * credential costs none. */
    PGconn *conn = db_conn_or_reply(r);
    if (!conn)
        return false;

    if (kind == AUTH_ANONYMOUS) {
        PGresult *res = db_exec_or_reply(r, conn, "auth_public", 0, NULL);
        if (!res)
            return false;
        out->scopes = SCOPE_READ;
        build_sets(out, "", PQgetvalue(res, 0, 0));
        PQclear(res);
        cache_put(kind, "", NULL, 0, out, gen);
        return true;
    }

    const char *params[] = {public_id};
    PGresult *res = db_exec_or_reply(r, conn, kind == AUTH_TOKEN ? "auth_token" : "auth_session", 1, params);
    if (!res)
        return false;
    if (PQntuples(res) != 1 || !hash_matches(PQgetvalue(res, 0, 1), hash)) {
        PQclear(res);
        invalid(out, kind == AUTH_TOKEN ? "the token is unknown, expired or revoked, or its user is disabled"
                                        : "the session has ended; sign in again");
        return true;
    }
    out->kind = kind;
    snprintf(kind == AUTH_TOKEN ? out->token_id : out->session_id, AUTH_ID_SIZE, "%s", PQgetvalue(res, 0, 0));
    out->scopes = scopes_from(PQgetvalue(res, 0, 2));
    long long expires = PQgetisnull(res, 0, 3) ? 0 : atoll(PQgetvalue(res, 0, 3));
    snprintf(out->user_id, sizeof out->user_id, "%s", PQgetvalue(res, 0, 4));
    snprintf(out->username, sizeof out->username, "%s", PQgetvalue(res, 0, 5));
    bool restricted = PQgetvalue(res, 0, 9)[0] == 't';
    /* A server admin acts as one only with write and admin scopes and no
     * project restriction: a read-only or project token stays that. */
    out->server_admin = PQgetvalue(res, 0, 6)[0] == 't' && (out->scopes & SCOPE_WRITE)
                        && (out->scopes & SCOPE_ADMIN) && !restricted;
    build_sets(out, PQgetvalue(res, 0, 7), PQgetvalue(res, 0, 8));
    PQclear(res);
    if (kind == AUTH_TOKEN) {
        /* last_used_at, to within the cache's lifetime: once per lookup. */
        const char *id[] = {out->token_id};
        PGresult *used = db_exec_or_reply(r, conn, "auth_token_used", 1, id);
        if (!used)
            return false;
        PQclear(used);
    }
    cache_put(kind, public_id, hash, expires, out, gen);
    return true;
}

void auth_new_credential(const char *prefix, char *token, size_t token_size, char *public_id, char *hash_hex)
{
    unsigned char pub[PUBLIC_LEN / 2], secret[SECRET_BYTES], hash[32];
    randombytes_buf(pub, sizeof pub);
    randombytes_buf(secret, sizeof secret);
    sodium_bin2hex(public_id, PUBLIC_LEN + 1, pub, sizeof pub);
    char secret_text[SECRET_LEN + 1];
    sodium_bin2base64(secret_text, sizeof secret_text, secret, sizeof secret,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    snprintf(token, token_size, "%s%s_%s", prefix, public_id, secret_text);
    crypto_hash_sha256(hash, (const unsigned char *)secret_text, SECRET_LEN);
    hash_hex[0] = '\\';
    hash_hex[1] = 'x';
    sodium_bin2hex(hash_hex + 2, 65, hash, sizeof hash);
    sodium_memzero(secret, sizeof secret);
    sodium_memzero(secret_text, sizeof secret_text);
}

int auth_hash_password(const char *password, char *out, size_t out_size)
{
    if (out_size < crypto_pwhash_STRBYTES)
        return -1;
    return crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                             crypto_pwhash_MEMLIMIT_INTERACTIVE)
                   == 0
               ? 0
               : -1;
}

bool auth_check_password(const char *password, const char *hash)
{
    return hash && *hash && crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

/* auth: who is calling (API token, session cookie or nobody), what they may
 * do, and the credentials themselves (tokens, Argon2id passwords).
 *
 * Credentials are looked up once and kept for AUTH_CACHE_SECONDS in this
 * process, so that a read stays one round trip to PostgreSQL; a revoked
 * token, a disabled user or a removed member therefore loses access within
 * that time on every claimdb process (each has its own cache).
 *
 * Crypto is libsodium's: crypto_pwhash_str (Argon2id), crypto_hash_sha256,
 * randombytes_buf and sodium_memcmp (constant time). */
#ifndef CLAIMDB_AUTH_H
#define CLAIMDB_AUTH_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "db.h"

#define AUTH_CACHE_SECONDS 5
#define AUTH_ID_SIZE 40 /* a UUID and its NUL, with room */

struct request;

enum role { ROLE_NONE, ROLE_VIEWER, ROLE_ANNOTATOR, ROLE_CURATOR, ROLE_MANAGER, ROLE_OWNER };
enum scope { SCOPE_READ = 1, SCOPE_WRITE = 2, SCOPE_ADMIN = 4 };
enum auth_kind { AUTH_ANONYMOUS, AUTH_TOKEN, AUTH_SESSION };

/* The project sets of the request scope (migrations/0003_teams.sql). */
enum auth_set { SET_READ, SET_WRITE, SET_CURATE, SET_MANAGE, SET_OWNER, SET_COUNT };

struct auth {
    enum auth_kind kind;
    bool invalid;                  /* credentials were sent but are not valid: 401 */
    const char *invalid_reason;    /* static text for the 401 */
    char user_id[AUTH_ID_SIZE];    /* "" when anonymous */
    char token_id[AUTH_ID_SIZE];   /* the API token's id, "" otherwise */
    char session_id[AUTH_ID_SIZE]; /* the session's id, "" otherwise */
    char username[80];
    bool server_admin;                  /* a server admin acting with the admin scope */
    unsigned scopes;                    /* enum scope bits */
    enum role best_role;                /* the highest role in any project the credential reaches */
    char *sets[SET_COUNT];              /* uuid[] literals "{…}", owned */
    char default_project[AUTH_ID_SIZE]; /* the only writable project, or "" */
};

/* Initializes libsodium. Returns 0, or -1 when it cannot start. */
int auth_init(void);

/* Authenticates request r from its Authorization (Bearer) header or its
 * claimdb_session cookie, taking the request's pooled connection
 * (db_conn_or_reply) only on a cache miss. Fills *out (the caller frees it
 * with auth_clear). Returns false only when the database could not be
 * asked (then it has replied 503). */
bool auth_identify_or_reply(struct request *r, struct auth *out);

/* Frees what auth_identify_or_reply allocated. */
void auth_clear(struct auth *a);

/* Forgets every cached credential (after a change this process made, e.g.
 * a revoked token or a new member, so that it takes effect at once here). */
void auth_cache_flush(void);

/* The role's name ("viewer" … "owner"), or "none". */
const char *auth_role_name(enum role role);

/* Makes a new credential: writes "<prefix><public>_<secret>" to token
 * (size >= 96), the 16-hex-digit public id to public_id (size >= 17) and
 * the SHA-256 of the secret, hex-encoded for bytea input ("\\x…"), to
 * hash_hex (size >= 67). */
void auth_new_credential(const char *prefix, char *token, size_t token_size, char *public_id, char *hash_hex);

/* Hashes a password with Argon2id into out (crypto_pwhash_STRBYTES).
 * Returns 0, or -1 when out of memory. */
int auth_hash_password(const char *password, char *out, size_t out_size);

/* True when password matches the stored Argon2id hash. */
bool auth_check_password(const char *password, const char *hash);

#endif

/* claimdb user / token / project on the command line: accounts and access
 * for whoever holds the database URL (the server's operator). The forms are
 * fixed so that scripts can rely on them:
 *   claimdb user add NAME [--admin] [--password-stdin]
 *   claimdb user password NAME          (the new password on standard input)
 *   claimdb token create --user NAME [--project SLUG] [--scope read,write,admin] [--expires DAYS]
 *   claimdb token list [--user NAME]
 *   claimdb token revoke ID|PUBLIC_ID|TOKEN
 *   claimdb project add SLUG [--name NAME] [--owner NAME] [--public]
 *   claimdb project member SLUG NAME ROLE|none */
#include "auth.h"
#include "cli.h"
#include "db.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Runs sql with params; returns the result when it succeeded, else prints
 * PostgreSQL's message (never a parameter: they may hold secrets). */
static PGresult *run(PGconn *conn, const char *cmd, const char *sql, int n, const char *const *params)
{
    PGresult *res = PQexecParams(conn, sql, n, NULL, params, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
        return res;
    const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
    const char *detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
    fprintf(stderr, "claimdb %s: %s%s%s\n", cmd, msg ? msg : PQerrorMessage(conn), detail ? ": " : "",
            detail ? detail : "");
    PQclear(res);
    return NULL;
}

/* Reads one line (the password) from standard input, without its newline,
 * and hashes it into hash (crypto_pwhash_STRBYTES). The line is wiped once
 * hashed. Returns 0, or the command's exit status after saying why on
 * stderr: 2 when the password is missing or shorter than 8 characters
 * (`needs` completes "claimdb <command>: " in that message), 1 when it
 * cannot be hashed. */
static int hash_password_from_stdin(const char *command, const char *needs, char *hash, size_t hash_size)
{
    static char line[4096];
    if (!fgets(line, sizeof line, stdin))
        line[0] = '\0';
    line[strcspn(line, "\r\n")] = '\0';
    if (strlen(line) < 8) {
        fprintf(stderr, "claimdb %s: %s a password of at least 8 characters on standard input\n", command,
                needs);
        return 2;
    }
    int rc = auth_hash_password(line, hash, hash_size);
    sodium_memzero(line, sizeof line);
    if (rc != 0) {
        fprintf(stderr, "claimdb %s: cannot hash the password (out of memory)\n", command);
        return 1;
    }
    return 0;
}

static int user_add(int argc, char **argv)
{
    static const char usage[] =
        "usage: claimdb user add NAME [--admin] [--password-stdin] [--display-name TEXT] [--email ADDRESS]\n";
    if (argc < 1 || argv[0][0] == '-') {
        fputs(usage, stderr);
        return 2;
    }
    const char *name = argv[0], *display = NULL, *email = NULL;
    bool admin = false, password = false;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (strcmp(argv[i], "--admin") == 0)
            admin = true;
        else if (strcmp(argv[i], "--password-stdin") == 0)
            password = true;
        else if ((v = cli_option_value(argc, argv, &i, "--display-name")))
            display = v;
        else if ((v = cli_option_value(argc, argv, &i, "--email")))
            email = v;
        else {
            fprintf(stderr, "claimdb user add: unknown option %s\n%s", argv[i], usage);
            return 2;
        }
    }
    char hash[crypto_pwhash_STRBYTES] = "";
    if (password) {
        int rc = hash_password_from_stdin("user add", "--password-stdin needs", hash, sizeof hash);
        if (rc != 0)
            return rc;
    }
    PGconn *conn = cli_connect_or_say("user add");
    if (!conn)
        return 1;
    const char *params[] = {name, display, email, password ? hash : NULL, admin ? "t" : "f"};
    PGresult *res = run(conn, "user add",
                        "INSERT INTO users (username, display_name, email, password_hash, server_admin)"
                        " VALUES ($1, coalesce($2, $1), $3, $4, $5::boolean) RETURNING id",
                        5, params);
    int rc = res ? 0 : 1;
    if (res)
        fprintf(stderr, "claimdb: user %s created (%s)%s\n", name, PQgetvalue(res, 0, 0),
                admin ? ", server admin" : "");
    PQclear(res);
    PQfinish(conn);
    return rc;
}

/* Sets a user's password from standard input (one line, at least 8
 * characters), e.g. for the owner that `make run` creates, or a user who
 * forgot theirs. Sessions already open stay valid until they expire. */
static int user_password(int argc, char **argv)
{
    if (argc != 1 || argv[0][0] == '-') {
        fputs("usage: claimdb user password NAME   (the new password on standard input)\n", stderr);
        return 2;
    }
    char hash[crypto_pwhash_STRBYTES];
    int hashed = hash_password_from_stdin("user password", "needs", hash, sizeof hash);
    if (hashed != 0)
        return hashed;
    PGconn *conn = cli_connect_or_say("user password");
    if (!conn)
        return 1;
    const char *params[] = {argv[0], hash};
    PGresult *res =
        run(conn, "user password", "UPDATE users SET password_hash = $2 WHERE username = $1", 2, params);
    int rc = 1;
    if (res && strcmp(PQcmdTuples(res), "1") == 0) {
        fprintf(stderr, "claimdb: password of %s set\n", argv[0]);
        rc = 0;
    } else if (res) {
        fprintf(stderr, "claimdb user password: no user %s\n", argv[0]);
    }
    PQclear(res);
    PQfinish(conn);
    return rc;
}

static int token_create(int argc, char **argv)
{
    static const char usage[] =
        "usage: claimdb token create --user NAME [--project SLUG] [--scope read,write,admin]"
        " [--expires DAYS] [--name TEXT]\n";
    const char *user = NULL, *project = NULL, *scope = "read,write", *expires = NULL, *label = NULL;
    for (int i = 0; i < argc; i++) {
        const char *v;
        if ((v = cli_option_value(argc, argv, &i, "--user")))
            user = v;
        else if ((v = cli_option_value(argc, argv, &i, "--project")))
            project = v;
        else if ((v = cli_option_value(argc, argv, &i, "--scope")))
            scope = v;
        else if ((v = cli_option_value(argc, argv, &i, "--expires")))
            expires = v;
        else if ((v = cli_option_value(argc, argv, &i, "--name")))
            label = v;
        else {
            fprintf(stderr, "claimdb token create: unknown option %s\n%s", argv[i], usage);
            return 2;
        }
    }
    if (!user) {
        fputs(usage, stderr);
        return 2;
    }
    if (expires && (strspn(expires, "0123456789") != strlen(expires) || !*expires || strlen(expires) > 5)) {
        fputs("claimdb token create: --expires takes a whole number of days\n", stderr);
        return 2;
    }
    PGconn *conn = cli_connect_or_say("token create");
    if (!conn)
        return 1;
    char token[128], public_id[17], hash_hex[67];
    auth_new_credential("cdb_", token, sizeof token, public_id, hash_hex);
    const char *params[] = {public_id, hash_hex, user, scope, project, expires, label};
    PGresult *res = run(
        conn, "token create",
        "WITH u AS (SELECT id FROM users WHERE username = $3),"
        " p AS (SELECT id FROM projects WHERE slug = $5)"
        " INSERT INTO api_tokens (public_id, secret_sha256, user_id, scopes, project_ids, expires_at, name)"
        " SELECT $1, $2::bytea, u.id, string_to_array($4, ','),"
        "  CASE WHEN $5::text IS NULL THEN NULL ELSE ARRAY[(SELECT id FROM p)] END,"
        "  now() + make_interval(days => $6::int), $7"
        " FROM u WHERE $5::text IS NULL OR EXISTS (SELECT 1 FROM p) RETURNING id",
        7, params);
    int rc = 1;
    if (res && PQntuples(res) == 1) {
        puts(token); /* the token alone on stdout: TOKEN=$(claimdb token create …) */
        fprintf(stderr, "claimdb: token %s for %s created; it is shown only now\n", public_id, user);
        rc = 0;
    } else if (res) {
        fprintf(stderr, "claimdb token create: no user %s%s%s\n", user, project ? " or no project " : "",
                project ? project : "");
    }
    sodium_memzero(token, sizeof token);
    PQclear(res);
    PQfinish(conn);
    return rc;
}

static int token_list(int argc, char **argv)
{
    const char *user = NULL;
    for (int i = 0; i < argc; i++) {
        const char *v = cli_option_value(argc, argv, &i, "--user");
        if (!v) {
            fputs("usage: claimdb token list [--user NAME]\n", stderr);
            return 2;
        }
        user = v;
    }
    PGconn *conn = cli_connect_or_say("token list");
    if (!conn)
        return 1;
    const char *params[] = {user};
    PGresult *res = run(
        conn, "token list",
        "SELECT t.id, 'cdb_' || t.public_id || '_…', u.username, array_to_string(t.scopes, ','),"
        " coalesce((SELECT string_agg(p.slug, ',') FROM projects p WHERE p.id = ANY (t.project_ids)), '*'),"
        " coalesce(to_char(t.expires_at, 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), 'never'),"
        " CASE WHEN t.revoked_at IS NOT NULL THEN 'revoked' WHEN t.expires_at <= now() THEN 'expired'"
        "  ELSE 'active' END,"
        " coalesce(to_char(t.last_used_at, 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), 'never')"
        " FROM api_tokens t JOIN users u ON u.id = t.user_id"
        " WHERE $1::text IS NULL OR u.username = $1 ORDER BY t.id",
        1, params);
    if (res) {
        printf("%-36s  %-26s  %-16s  %-16s  %-12s  %-20s  %-7s  %s\n", "id", "token", "user", "scopes",
               "projects", "expires", "state", "last used");
        for (int i = 0; i < PQntuples(res); i++)
            printf("%-36s  %-26s  %-16s  %-16s  %-12s  %-20s  %-7s  %s\n", PQgetvalue(res, i, 0),
                   PQgetvalue(res, i, 1), PQgetvalue(res, i, 2), PQgetvalue(res, i, 3), PQgetvalue(res, i, 4),
                   PQgetvalue(res, i, 5), PQgetvalue(res, i, 6), PQgetvalue(res, i, 7));
    }
    int rc = res ? 0 : 1;
    PQclear(res);
    PQfinish(conn);
    return rc;
}

static int token_revoke(int argc, char **argv)
{
    if (argc != 1) {
        fputs("usage: claimdb token revoke ID|PUBLIC_ID|TOKEN\n", stderr);
        return 2;
    }
    /* Accept the whole token too (what a user holds), keeping only its public part. */
    char key[64];
    const char *arg = argv[0];
    if (strncmp(arg, "cdb_", 4) == 0 && strlen(arg) > 20)
        snprintf(key, sizeof key, "%.16s", arg + 4);
    else
        snprintf(key, sizeof key, "%s", arg);
    PGconn *conn = cli_connect_or_say("token revoke");
    if (!conn)
        return 1;
    const char *params[] = {key};
    PGresult *res = run(conn, "token revoke",
                        "UPDATE api_tokens SET revoked_at = coalesce(revoked_at, now())"
                        " WHERE public_id = $1 OR id::text = $1 RETURNING public_id",
                        1, params);
    int rc = 1;
    if (res && PQntuples(res) == 1) {
        fprintf(stderr, "claimdb: token %s revoked (servers stop accepting it within %d s)\n",
                PQgetvalue(res, 0, 0), AUTH_CACHE_SECONDS);
        rc = 0;
    } else if (res) {
        fprintf(stderr, "claimdb token revoke: no token %s\n", key);
    }
    PQclear(res);
    PQfinish(conn);
    return rc;
}

static int project_add(int argc, char **argv)
{
    static const char usage[] = "usage: claimdb project add SLUG [--name NAME] [--owner NAME] [--public]\n";
    if (argc < 1 || argv[0][0] == '-') {
        fputs(usage, stderr);
        return 2;
    }
    const char *slug = argv[0], *name = NULL, *owner = NULL;
    bool public = false;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if ((v = cli_option_value(argc, argv, &i, "--name")))
            name = v;
        else if ((v = cli_option_value(argc, argv, &i, "--owner")))
            owner = v;
        else if (strcmp(argv[i], "--public") == 0)
        public = true;
        else
        {
            fprintf(stderr, "claimdb project add: unknown option %s\n%s", argv[i], usage);
            return 2;
        }
    }
    PGconn *conn = cli_connect_or_say("project add");
    if (!conn)
        return 1;
    const char *params[] = {slug, name, owner, public ? "public" : "private"};
    PGresult *res =
        run(conn, "project add",
            "WITH p AS (INSERT INTO projects (slug, name, visibility)"
            "  VALUES ($1, coalesce($2, $1), $4::project_visibility) RETURNING id),"
            " m AS (INSERT INTO members (project_id, user_id, role)"
            "  SELECT p.id, u.id, 'owner' FROM p, users u WHERE u.username = $3 RETURNING user_id)"
            " SELECT p.id, (SELECT count(*) FROM m) FROM p",
            4, params);
    int rc = 1;
    if (res && owner && strcmp(PQgetvalue(res, 0, 1), "1") != 0) {
        fprintf(stderr, "claimdb project add: no user %s\n", owner);
    } else if (res) {
        printf("%s\n", PQgetvalue(res, 0, 0));
        fprintf(stderr, "claimdb: project %s created%s%s\n", slug, owner ? ", owned by " : "",
                owner ? owner : "");
        rc = 0;
    }
    if (rc != 0 && res) {
        PQclear(res);
        res = NULL;
    }
    PQclear(res);
    PQfinish(conn);
    return rc;
}

static int project_member(int argc, char **argv)
{
    if (argc != 3) {
        fputs("usage: claimdb project member SLUG NAME viewer|annotator|curator|manager|owner|none\n",
              stderr);
        return 2;
    }
    PGconn *conn = cli_connect_or_say("project member");
    if (!conn)
        return 1;
    const char *params[] = {argv[0], argv[1], argv[2]};
    PGresult *res;
    if (strcmp(argv[2], "none") == 0)
        res = run(
            conn, "project member",
            "DELETE FROM members m USING projects p, users u WHERE m.project_id = p.id AND m.user_id = u.id"
            " AND p.slug = $1 AND u.username = $2 AND $3 = 'none' RETURNING m.user_id",
            3, params);
    else
        res = run(conn, "project member",
                  "INSERT INTO members (project_id, user_id, role)"
                  " SELECT p.id, u.id, $3::member_role FROM projects p, users u WHERE p.slug = $1 AND "
                  "u.username = $2"
                  " ON CONFLICT (project_id, user_id) DO UPDATE SET role = excluded.role RETURNING user_id",
                  3, params);
    int rc = 1;
    if (res && PQntuples(res) == 1) {
        fprintf(stderr, "claimdb: %s is now %s in %s\n", argv[1], argv[2], argv[0]);
        rc = 0;
    } else if (res) {
        fprintf(stderr, "claimdb project member: no project %s, no user %s, or no such membership\n", argv[0],
                argv[1]);
    }
    PQclear(res);
    PQfinish(conn);
    return rc;
}

int cli_user(int argc, char **argv)
{
    static const struct cli_command commands[] = {
        {"add", user_add}, {"password", user_password}, {NULL, NULL}};
    return cli_dispatch(
        argc, argv, commands,
        "usage: claimdb user add NAME [--admin] [--password-stdin] | claimdb user password NAME\n");
}

int cli_token(int argc, char **argv)
{
    static const struct cli_command commands[] = {
        {"create", token_create}, {"list", token_list}, {"revoke", token_revoke}, {NULL, NULL}};
    return cli_dispatch(argc, argv, commands, "usage: claimdb token create|list|revoke ...\n");
}

int cli_project(int argc, char **argv)
{
    static const struct cli_command commands[] = {
        {"add", project_add}, {"member", project_member}, {NULL, NULL}};
    return cli_dispatch(argc, argv, commands, "usage: claimdb project add|member ...\n");
}

int cli_bootstrap_owner(void)
{
    const char *owner = getenv("CLAIMDB_OWNER");
    const char *token_file = getenv("CLAIMDB_OWNER_TOKEN_FILE");
    if (!owner || !*owner)
        return 0;
    PGconn *conn = cli_connect_or_say("serve");
    if (!conn)
        return 1;
    PGresult *res = run(conn, "serve", "SELECT count(*) FROM users", 0, NULL);
    bool empty = res && strcmp(PQgetvalue(res, 0, 0), "0") == 0;
    int rc = res ? 0 : 1;
    PQclear(res);
    if (!empty) {
        PQfinish(conn);
        return rc;
    }
    /* First start with no user at all: the owner of the default project. */
    char hash[crypto_pwhash_STRBYTES] = "";
    const char *password = getenv("CLAIMDB_OWNER_PASSWORD");
    if (password && *password && auth_hash_password(password, hash, sizeof hash) != 0) {
        PQfinish(conn);
        return 1;
    }
    char token[128], public_id[17], hash_hex[67];
    auth_new_credential("cdb_", token, sizeof token, public_id, hash_hex);
    const char *params[] = {owner, hash[0] ? hash : NULL, public_id, hash_hex};
    res = run(conn, "serve",
              "WITH u AS (INSERT INTO users (username, display_name, password_hash, server_admin)"
              "  VALUES ($1, $1, $2, true) RETURNING id),"
              " m AS (INSERT INTO members (project_id, user_id, role)"
              "  SELECT '" DEFAULT_PROJECT_ID "', id, 'owner' FROM u)"
              " INSERT INTO api_tokens (public_id, secret_sha256, user_id, scopes, name)"
              " SELECT $3, $4::bytea, id, ARRAY['read', 'write', 'admin'], 'first start' FROM u RETURNING id",
              4, params);
    PQfinish(conn);
    if (!res) {
        sodium_memzero(token, sizeof token);
        return 1;
    }
    PQclear(res);
    FILE *f = NULL;
    if (token_file && *token_file) {
        mode_t old = umask(077); /* readable by whoever runs claimdb only */
        f = fopen(token_file, "w");
        umask(old);
    }
    if (f) {
        fprintf(f, "%s\n", token);
        fclose(f);
        fprintf(stderr,
                "{\"level\":\"info\",\"event\":\"first_start\",\"owner\":\"%s\",\"token_file\":\"%s\"}\n",
                owner, token_file);
    } else {
        /* No file to keep it in: the operator's console is the one place. */
        fprintf(stderr,
                "{\"level\":\"info\",\"event\":\"first_start\",\"owner\":\"%s\",\"token_file\":null,"
                "\"note\":\"set CLAIMDB_OWNER_TOKEN_FILE to keep the token; make one with claimdb token "
                "create\"}\n",
                owner);
    }
    sodium_memzero(token, sizeof token);
    return 0;
}

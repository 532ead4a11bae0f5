#include "db.h"

#include "reply.h"

#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *db_conninfo = "";
static unsigned db_statement_timeout_ms;

/* Every thread connection, so that shutdown can close them all. */
struct conn_slot {
    PGconn *conn;
    struct conn_slot *next;
};
static pthread_mutex_t slots_lock = PTHREAD_MUTEX_INITIALIZER;
static struct conn_slot *slots;
static _Thread_local struct conn_slot *thread_slot;

void db_configure(const char *conninfo, unsigned statement_timeout_ms)
{
    db_conninfo = conninfo ? conninfo : "";
    db_statement_timeout_ms = statement_timeout_ms;
}

static bool prepare_all(PGconn *conn, const char **error)
{
    for (size_t s = 0; db_statement_sets[s]; s++)
        for (const struct db_statement *st = db_statement_sets[s]; st->name; st++) {
            PGresult *res = PQprepare(conn, st->name, st->sql, 0, NULL);
            bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
            if (!ok) {
                static _Thread_local char msg[512];
                snprintf(msg, sizeof msg, "preparing %s: %s", st->name, PQresultErrorMessage(res));
                *error = msg;
            }
            PQclear(res);
            if (!ok)
                return false;
        }
    return true;
}

PGconn *db_connect(bool prepare, const char **error)
{
    static const char *const keys[] = {"dbname", "application_name", "connect_timeout", "client_encoding", NULL};
    const char *const values[] = {db_conninfo, "claimdb", "5", "UTF8", NULL};
    PGconn *conn = PQconnectdbParams(keys, values, 1);
    if (!conn) {
        *error = "out of memory";
        return NULL;
    }
    if (PQstatus(conn) != CONNECTION_OK) {
        static _Thread_local char msg[512];
        snprintf(msg, sizeof msg, "%s", PQerrorMessage(conn));
        msg[strcspn(msg, "\n")] = '\0';
        *error = msg;
        PQfinish(conn);
        return NULL;
    }
    char settings[256];
    snprintf(settings, sizeof settings,
             "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'iso_8601';"
             " SET statement_timeout = %u", db_statement_timeout_ms);
    PGresult *res = PQexec(conn, settings);
    bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    PQclear(res);
    if (!ok) {
        *error = "cannot apply session settings";
        PQfinish(conn);
        return NULL;
    }
    if (prepare && !prepare_all(conn, error)) {
        PQfinish(conn);
        return NULL;
    }
    return conn;
}

static void reply_unavailable(struct request *r, const char *why)
{
    reply_error(r, MHD_HTTP_SERVICE_UNAVAILABLE, "database_unavailable", NULL,
                "the database is not reachable right now (%s); retry shortly", why);
    reply_header(r, MHD_HTTP_HEADER_RETRY_AFTER, "1");
}

/* True when the server has closed this idle connection (a restart, an
 * administrator's terminate): it sends a FATAL message and EOF, which sit
 * unread on the socket, and libpq only notices on the next query, which
 * would then fail. claimdb uses no LISTEN/NOTIFY, so an idle connection
 * with anything to read is taken as gone: one poll() per request lets every
 * thread heal before its first request instead of failing it. */
static bool dropped_while_idle(PGconn *conn)
{
    struct pollfd p = {.fd = PQsocket(conn), .events = POLLIN};
    return poll(&p, 1, 0) != 0;
}

PGconn *db_conn_or_reply(struct request *r)
{
    if (!thread_slot) {
        thread_slot = calloc(1, sizeof *thread_slot);
        if (!thread_slot)
            abort();
        pthread_mutex_lock(&slots_lock);
        thread_slot->next = slots;
        slots = thread_slot;
        pthread_mutex_unlock(&slots_lock);
    }
    PGconn *conn = thread_slot->conn;
    if (conn && (PQstatus(conn) != CONNECTION_OK || dropped_while_idle(conn))) {
        /* The server went away (restart, network); drop the connection and
         * make a fresh one below, with its statements prepared again. */
        PQfinish(conn);
        conn = thread_slot->conn = NULL;
    }
    if (!conn) {
        const char *error = NULL;
        conn = db_connect(true, &error);
        if (!conn) {
            fprintf(stderr, "{\"level\":\"error\",\"event\":\"db_connect\",\"message\":\"%s\"}\n", error);
            reply_unavailable(r, "cannot connect");
            return NULL;
        }
        thread_slot->conn = conn;
    }
    if (PQtransactionStatus(conn) != PQTRANS_IDLE) {
        /* A handler left a transaction open or failed inside one; never let
         * it leak into this request. */
        PGresult *res = PQexec(conn, "ROLLBACK");
        PQclear(res);
    }
    return conn;
}

PGresult *db_exec_or_reply(struct request *r, PGconn *conn, const char *name, int nparams,
                           const char *const *params)
{
    PGresult *res = PQexecPrepared(conn, name, nparams, params, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
        return res;
    db_reply_error(r, conn, res);
    PQclear(res);
    return NULL;
}

bool db_command_or_reply(struct request *r, PGconn *conn, const char *sql)
{
    PGresult *res = PQexec(conn, sql);
    bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    if (!ok)
        db_reply_error(r, conn, res);
    PQclear(res);
    return ok;
}

/* Constraints whose violation the client should read in the model's terms
 * rather than PostgreSQL's. */
static const struct {
    const char *constraint;
    unsigned status;
    const char *code, *field, *message;
} worded[] = {
    {"relations_no_self", 422, "self_relation", "to_claim_id",
     "a claim cannot be related to itself: from_claim_id and to_claim_id must differ"},
    {"relations_unique", MHD_HTTP_CONFLICT, "duplicate_relation", "kind",
     "a relation with the same from_claim_id, to_claim_id and kind already exists"},
};

/* The field a constraint guards, from PostgreSQL's default constraint names
 * ("attributions_actor_id_project_id_fkey" on table "attributions" →
 * "actor_id") or from the named ones below. Writes into buf. */
static const char *constraint_field(const char *table, const char *constraint, char *buf, size_t size)
{
    static const struct { const char *name, *field; } named[] = {
        {"documents_project_id_external_id_key", "external_id"},
        {"claims_check", "target"},
    };
    if (!constraint)
        return NULL;
    for (size_t i = 0; i < sizeof named / sizeof *named; i++)
        if (strcmp(named[i].name, constraint) == 0)
            return named[i].field;
    size_t tl = table ? strlen(table) : 0;
    const char *start = constraint;
    if (tl && strncmp(constraint, table, tl) == 0 && constraint[tl] == '_')
        start += tl + 1;
    snprintf(buf, size, "%s", start);
    static const char *const suffixes[] = {"_project_id_fkey", "_fkey", "_key", "_check"};
    for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++) {
        size_t bl = strlen(buf), sl = strlen(suffixes[i]);
        if (bl > sl && strcmp(buf + bl - sl, suffixes[i]) == 0) {
            buf[bl - sl] = '\0';
            break;
        }
    }
    return buf;
}

void db_reply_error(struct request *r, PGconn *conn, const PGresult *res)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    const char *table = res ? PQresultErrorField(res, PG_DIAG_TABLE_NAME) : NULL;
    const char *constraint = res ? PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME) : NULL;
    const char *column = res ? PQresultErrorField(res, PG_DIAG_COLUMN_NAME) : NULL;
    char buf[128];
    const char *field = constraint ? constraint_field(table, constraint, buf, sizeof buf) : column;
    if (!primary)
        primary = "database error";
    for (size_t i = 0; constraint && i < sizeof worded / sizeof *worded; i++)
        if (strcmp(worded[i].constraint, constraint) == 0) {
            reply_error(r, worded[i].status, worded[i].code, worded[i].field, "%s", worded[i].message);
            return;
        }

    if (!state || PQstatus(conn) != CONNECTION_OK || strncmp(state, "08", 2) == 0
        || strcmp(state, "57P01") == 0 || strcmp(state, "57P02") == 0 || strcmp(state, "57P03") == 0) {
        reply_unavailable(r, "connection lost");
    } else if (strcmp(state, "23505") == 0) {
        reply_error(r, MHD_HTTP_CONFLICT, "conflict", field, "%s already exists with that value",
                    field ? field : "a row");
    } else if (strcmp(state, "23503") == 0) {
        /* PostgreSQL words the two directions differently: a row that points
         * at nothing (the client's reference is wrong: 422), or a row still
         * pointed at by others (the delete conflicts with them: 409). */
        if (strncmp(primary, "insert or update", 16) == 0)
            reply_error(r, 422, "unknown_reference", field,
                        "%s does not name an existing row of this project", field ? field : "a reference");
        else
            reply_error(r, MHD_HTTP_CONFLICT, "still_referenced", NULL,
                        "the row is still referenced by %s; remove those first", table ? table : "other rows");
    } else if (strcmp(state, "23514") == 0 || strcmp(state, "23502") == 0 || strcmp(state, "22001") == 0
               || strcmp(state, "54000") == 0) {
        reply_error(r, 422, "invalid_value", field, "%s", primary);
    } else if (strncmp(state, "22", 2) == 0) {
        reply_error(r, MHD_HTTP_BAD_REQUEST, "invalid_value", field, "%s", primary);
    } else if (strcmp(state, "P0001") == 0) {
        const char *hint = PQresultErrorField(res, PG_DIAG_MESSAGE_HINT);
        reply_error(r, MHD_HTTP_CONFLICT, "immutable", hint, "%s", primary);
    } else if (strcmp(state, "57014") == 0 || strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0
               || strcmp(state, "55P03") == 0 || strcmp(state, "53300") == 0) {
        reply_error(r, MHD_HTTP_SERVICE_UNAVAILABLE, "busy", NULL,
                    "the database could not finish in time (%s); retry", primary);
        reply_header(r, MHD_HTTP_HEADER_RETRY_AFTER, "1");
    } else {
        fprintf(stderr, "{\"level\":\"error\",\"event\":\"sql\",\"sqlstate\":\"%s\"}\n%s", state,
                PQresultErrorMessage(res));
        reply_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal", NULL,
                    "unexpected database error %s", state);
    }
}

void db_close_all(void)
{
    pthread_mutex_lock(&slots_lock);
    while (slots) {
        struct conn_slot *next = slots->next;
        if (slots->conn)
            PQfinish(slots->conn);
        free(slots);
        slots = next;
    }
    pthread_mutex_unlock(&slots_lock);
}

#include "db.h"

#include "errors.h"
#include "registry.h"
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
    for (const struct resource *const *rs = resources; *rs; rs++)
        for (const struct db_statement *st = (*rs)->statements; st && st->name; st++) {
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
            db_reply_error(r, NULL, NULL); /* no connection: 503 database_unavailable */
            return NULL;
        }
        thread_slot->conn = conn;
    }
    if (PQtransactionStatus(conn) != PQTRANS_IDLE) {
        /* A handler left a transaction open or failed inside one; never let
         * it leak into this request. */
        db_rollback(conn);
    }
    return conn;
}

/* Sets the request's transaction-local settings, then runs the statement,
 * in one pipeline: one round trip, one (implicit or the caller's)
 * transaction, so that the history triggers see the settings. Returns the
 * statement's result, or the scope statement's error. */
static PGresult *exec_scoped(const struct request *r, PGconn *conn, const char *name, int nparams,
                             const char *const *params)
{
    static const char scope_sql[] = "SELECT set_config('claimdb.if_match', $1, true),"
                                    " set_config('claimdb.reason', $2, true)";
    const char *scope[] = {r->if_match, r->reason ? r->reason : ""};
    if (!PQenterPipelineMode(conn))
        return PQexecPrepared(conn, name, nparams, params, NULL, NULL, 0);
    PGresult *out = NULL;
    if (PQsendQueryParams(conn, scope_sql, 2, NULL, scope, NULL, NULL, 0)
        && PQsendQueryPrepared(conn, name, nparams, params, NULL, NULL, 0) && PQpipelineSync(conn)) {
        /* Two queries, each ending with a NULL result, then the sync. The
         * first failure wins (after it the statement is PIPELINE_ABORTED). */
        for (int query = 0; query < 2; query++) {
            PGresult *res;
            while ((res = PQgetResult(conn))) {
                ExecStatusType st = PQresultStatus(res);
                bool failed = st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK;
                if (!out && (query == 1 || failed)) {
                    out = res;
                } else {
                    PQclear(res);
                }
            }
        }
        PGresult *sync;
        while ((sync = PQgetResult(conn)) && PQresultStatus(sync) != PGRES_PIPELINE_SYNC)
            PQclear(sync);
        PQclear(sync);
    }
    PQexitPipelineMode(conn);
    return out;
}

PGresult *db_exec_or_reply(struct request *r, PGconn *conn, const char *name, int nparams,
                           const char *const *params)
{
    PGresult *res = r->if_match[0] || r->reason ? exec_scoped(r, conn, name, nparams, params)
                                                : PQexecPrepared(conn, name, nparams, params, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
        return res;
    db_reply_error(r, conn, res);
    PQclear(res);
    return NULL;
}

static bool command_or_reply(struct request *r, PGconn *conn, const char *sql)
{
    PGresult *res = PQexec(conn, sql);
    bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    if (!ok)
        db_reply_error(r, conn, res);
    PQclear(res);
    return ok;
}

bool db_begin_or_reply(struct request *r, PGconn *conn)
{
    return command_or_reply(r, conn, "BEGIN");
}

bool db_commit_or_reply(struct request *r, PGconn *conn)
{
    if (command_or_reply(r, conn, "COMMIT"))
        return true;
    db_rollback(conn);
    return false;
}

void db_rollback(PGconn *conn)
{
    if (PQtransactionStatus(conn) != PQTRANS_IDLE)
        PQclear(PQexec(conn, "ROLLBACK"));
}

void db_reply_error(struct request *r, PGconn *conn, const PGresult *res)
{
    struct db_error e;
    db_error_classify(res, PQstatus(conn) == CONNECTION_OK, &e);
    if (e.unexpected)
        db_error_log("sql", res);
    reply_error(r, e.status, e.code, e.field, "%s", e.message);
    if (e.retry)
        reply_header(r, MHD_HTTP_HEADER_RETRY_AFTER, "1");
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

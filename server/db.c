#include "db.h"

#include "errors.h"
#include "registry.h"
#include "auth.h"
#include "reply.h"

#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *db_conninfo = "";
static unsigned db_statement_timeout_ms;

/* The pool of connections serving short requests: a fixed number, so that
 * claimdb's share of PostgreSQL's max_connections is known in advance
 * (exports and imports have their own, capped by their own limits). A
 * request takes one on its first db_conn_or_reply and gives it back as soon
 * as its handler returns, before the reply goes out. */
struct pool_slot {
    PGconn *conn;
    bool busy;
};
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pool_freed;
static struct pool_slot *pool;
static unsigned pool_size, pool_in_use, pool_waiting, pool_wait_ms = 5000;
static unsigned long pool_timeouts;

void db_configure(const char *conninfo, unsigned statement_timeout_ms)
{
    db_conninfo = conninfo ? conninfo : "";
    db_statement_timeout_ms = statement_timeout_ms;
}

static bool prepare_all(PGconn *conn, char *error, size_t error_size)
{
    for (const struct resource *const *rs = resources; *rs; rs++)
        for (const struct db_statement *st = (*rs)->statements; st && st->name; st++) {
            PGresult *res = PQprepare(conn, st->name, st->sql, 0, NULL);
            bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
            if (!ok) {
                snprintf(error, error_size, "preparing %s: %s", st->name, PQresultErrorMessage(res));
                error[strcspn(error, "\n")] = '\0';
            }
            PQclear(res);
            if (!ok)
                return false;
        }
    return true;
}

PGconn *db_connect(bool prepare, char *error, size_t error_size)
{
    static const char *const keys[] = {"dbname", "application_name", "connect_timeout", "client_encoding",
                                       NULL};
    const char *const values[] = {db_conninfo, "claimdb", "5", "UTF8", NULL};
    PGconn *conn = PQconnectdbParams(keys, values, 1);
    if (!conn) {
        snprintf(error, error_size, "out of memory");
        return NULL;
    }
    if (PQstatus(conn) != CONNECTION_OK) {
        snprintf(error, error_size, "%s", PQerrorMessage(conn));
        error[strcspn(error, "\n")] = '\0';
        PQfinish(conn);
        return NULL;
    }
    /* The pool's connections (prepare) run requests, bounded by the statement
     * timeout, without JIT: PostgreSQL compiles a plan whose estimated cost
     * passes jit_above_cost, and a search's estimate grows with the tables
     * (at 1 000 000 claims: ~190 ms of compiling for a 40 ms statement). The
     * exports and the import turn it off for their transactions. */
    char settings[256];
    snprintf(settings, sizeof settings,
             "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'iso_8601';"
             " SET statement_timeout = %u%s",
             db_statement_timeout_ms, prepare ? "; SET jit = off" : "");
    PGresult *res = PQexec(conn, settings);
    bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    PQclear(res);
    if (!ok) {
        snprintf(error, error_size, "cannot apply session settings");
        PQfinish(conn);
        return NULL;
    }
    if (prepare && !prepare_all(conn, error, error_size)) {
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

int db_pool_init(unsigned size, unsigned wait_ms)
{
    pool = calloc(size ? size : 1, sizeof *pool);
    if (!pool)
        return -1;
    pool_size = size ? size : 1;
    pool_wait_ms = wait_ms;
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&pool_freed, &attr);
    pthread_condattr_destroy(&attr);
    return 0;
}

void db_pool_stats(struct db_pool_stats *out)
{
    pthread_mutex_lock(&pool_lock);
    *out = (struct db_pool_stats){pool_size, pool_in_use, pool_waiting, pool_timeouts};
    pthread_mutex_unlock(&pool_lock);
}

/* Takes a free slot, waiting up to pool_wait_ms. Returns NULL on timeout. */
static struct pool_slot *pool_take(void)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += pool_wait_ms / 1000;
    until.tv_nsec += (long)(pool_wait_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&pool_lock);
    pool_waiting++;
    struct pool_slot *slot = NULL;
    for (;;) {
        if (pool_in_use < pool_size) {
            /* prefer a slot that is already connected */
            for (unsigned i = 0; i < pool_size && !slot; i++)
                if (!pool[i].busy && pool[i].conn)
                    slot = &pool[i];
            for (unsigned i = 0; i < pool_size && !slot; i++)
                if (!pool[i].busy)
                    slot = &pool[i];
            slot->busy = true;
            pool_in_use++;
            break;
        }
        if (pthread_cond_timedwait(&pool_freed, &pool_lock, &until) != 0 && pool_in_use >= pool_size) {
            pool_timeouts++;
            break;
        }
    }
    pool_waiting--;
    pthread_mutex_unlock(&pool_lock);
    return slot;
}

void db_release(struct request *r)
{
    struct pool_slot *slot = r->db_slot;
    if (!slot)
        return;
    r->db_slot = NULL;
    if (r->body_cap >= (1u << 20) && slot->conn) {
        /* libpq keeps its buffers as large as the largest message the
         * connection ever carried: after a 15 MB body that was ~30 MB per
         * pooled connection, held for good. A fresh connection later costs
         * less than that memory. */
        PQfinish(slot->conn);
        slot->conn = NULL;
    }
    pthread_mutex_lock(&pool_lock);
    slot->busy = false;
    pool_in_use--;
    pthread_cond_signal(&pool_freed);
    pthread_mutex_unlock(&pool_lock);
}

PGconn *db_conn_or_reply(struct request *r)
{
    struct pool_slot *slot = r->db_slot;
    if (!slot) {
        slot = pool_take();
        if (!slot) {
            reply_error(r, MHD_HTTP_SERVICE_UNAVAILABLE, "busy", NULL,
                        "every database connection is busy; retry shortly");
            reply_header(r, MHD_HTTP_HEADER_RETRY_AFTER, "1");
            return NULL;
        }
        r->db_slot = slot;
    }
    PGconn *conn = slot->conn;
    if (conn
        && (PQstatus(conn) != CONNECTION_OK || PQpipelineStatus(conn) != PQ_PIPELINE_OFF
            || dropped_while_idle(conn))) {
        /* The server went away (restart, network); drop the connection and
         * make a fresh one below, with its statements prepared again. */
        PQfinish(conn);
        conn = slot->conn = NULL;
    }
    if (!conn) {
        char error[512];
        conn = db_connect(true, error, sizeof error);
        if (!conn) {
            fprintf(stderr, "{\"level\":\"error\",\"event\":\"db_connect\",\"message\":\"%s\"}\n", error);
            db_reply_error(r, NULL, NULL); /* no connection: 503 database_unavailable */
            return NULL;
        }
        slot->conn = conn;
    }
    if (PQtransactionStatus(conn) != PQTRANS_IDLE) {
        /* A handler left a transaction open or failed inside one; never let
         * it leak into this request. */
        db_rollback(conn);
    }
    return conn;
}

/* A statement to send: prepared (sql NULL: by name) or planned anew (sql:
 * sent with its values, see db_exec_replanned_or_reply). */
struct statement_ref {
    const char *name;
    const char *sql;
    const char
        *lock; /* a prepared statement run just before, with the same values (db_exec_locked_or_reply) */
};

/* Sets the request's transaction-local settings, then runs the statement,
 * in one pipeline: one round trip, one (implicit or the caller's)
 * transaction, so that the history triggers see the settings. Returns the
 * statement's result, or the scope statement's error. */
static PGresult *exec_scoped(const struct request *r, PGconn *conn, const struct statement_ref *stmt,
                             int nparams, const char *const *params)
{
    static const char scope_sql[] = "SELECT set_config('claimdb.if_match', $1, true),"
                                    " set_config('claimdb.reason', $2, true)";
    const char *scope[] = {r->if_match, r->reason ? r->reason : ""};
    if (!PQenterPipelineMode(conn))
        return stmt->sql ? PQexecParams(conn, stmt->sql, nparams, NULL, params, NULL, NULL, 0)
                         : PQexecPrepared(conn, stmt->name, nparams, params, NULL, NULL, 0);
    PGresult *out = NULL;
    if (PQsendQueryParams(conn, scope_sql, 2, NULL, scope, NULL, NULL, 0)
        && (stmt->sql ? PQsendQueryParams(conn, stmt->sql, nparams, NULL, params, NULL, NULL, 0)
                      : PQsendQueryPrepared(conn, stmt->name, nparams, params, NULL, NULL, 0))
        && PQpipelineSync(conn)) {
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

/* The scope statement: the request's identity and project sets as
 * transaction-local settings (migrations/0003_teams.sql explains each), and
 * last, once they are set (a target list is evaluated in order), the blind
 * projects they imply, which every read policy needs (migrations/0018_...). A
 * session-wide scope leaves claimdb.blind empty: computed at each use, as it
 * must be over a session in which project settings may change. */
#define SCOPE_SQL_AS(local, blind)                                                                        \
    "SELECT set_config('claimdb.user_id', $1, " local "), set_config('claimdb.token_id', $2, " local ")," \
    " set_config('claimdb.request_id', $3, " local "), set_config('claimdb.read', $4, " local "),"        \
    " set_config('claimdb.write', $5, " local "), set_config('claimdb.curate', $6, " local "),"           \
    " set_config('claimdb.manage', $7, " local "), set_config('claimdb.owner', $8, " local "),"           \
    " set_config('claimdb.admin', $9, " local "), set_config('claimdb.default_project', $10, " local ")," \
    " set_config('claimdb.if_match', $11, " local "), set_config('claimdb.reason', $12, " local "),"      \
    " set_config('claimdb.blind', " blind ", " local ")"
#define SCOPE_SQL SCOPE_SQL_AS("true", "claimdb_blind_projects_now()::text")
#define SCOPE_PARAMS 12

static const struct db_statement scope_statements[] = {
    {"claimdb_scope", SCOPE_SQL},
    {NULL, NULL},
};
const struct resource scope_resource = {.name = "scope", .statements = scope_statements};

/* Fills the scope statement's parameters from a request's identity;
 * import_only narrows writing to the projects the caller manages. */
static void scope_params(const struct request *r, bool import_only, const char *params[SCOPE_PARAMS])
{
    const struct auth *a = r->auth;
    params[0] = a->user_id;
    params[1] = a->token_id;
    params[2] = r->request_id;
    params[10] = r->if_match; /* history (issue 11): If-Match and the change's label */
    params[11] = r->reason ? r->reason : "";
    params[3] = a->sets[SET_READ] ? a->sets[SET_READ] : "{}";
    for (int i = SET_WRITE; i < SET_COUNT; i++) {
        const char *set = a->sets[import_only && i < SET_MANAGE ? SET_MANAGE : i];
        params[3 + i] = set ? set : "{}";
    }
    params[8] = a->server_admin ? "on" : "off";
    params[9] = import_only ? "" : a->default_project;
}

/* Sends each of n prepared statements (the first may be NULL: then it is
 * the command `first_sql`) in one pipeline ending with one Sync: one round
 * trip, and, outside an explicit transaction, one implicit transaction, so
 * that the scope's transaction-local settings hold for what follows.
 * Returns the last statement's result, or the first failed one. */
static PGresult *pipeline(PGconn *conn, const char *first_sql, const struct statement_ref *stmt, int nparams,
                          const char *const *params, const char *const *scope)
{
    if (!PQenterPipelineMode(conn))
        return NULL;
    const char *lock = first_sql ? NULL : stmt->lock;
    int queries = lock ? 3 : 2;
    bool sent = (first_sql ? PQsendQueryParams(conn, first_sql, 0, NULL, NULL, NULL, NULL, 0)
                           : PQsendQueryPrepared(conn, "claimdb_scope", SCOPE_PARAMS, scope, NULL, NULL, 0))
                && (!lock || PQsendQueryPrepared(conn, lock, nparams, params, NULL, NULL, 0))
                && (first_sql ? PQsendQueryPrepared(conn, "claimdb_scope", SCOPE_PARAMS, scope, NULL, NULL, 0)
                    : stmt->sql ? PQsendQueryParams(conn, stmt->sql, nparams, NULL, params, NULL, NULL, 0)
                                : PQsendQueryPrepared(conn, stmt->name, nparams, params, NULL, NULL, 0))
                && PQpipelineSync(conn);
    return db_pipeline_end(conn, sent, queries, NULL, NULL);
}

PGresult *db_pipeline_end(PGconn *conn, bool sent, int queries, bool (*ready)(PGconn *conn, void *ctx),
                          void *ctx)
{
    /* Keep the first error, else the last statement's result; a statement
     * after a failed one comes back PGRES_PIPELINE_ABORTED. */
    PGresult *kept = NULL;
    bool kept_error = false, kept_last = false;
    for (int q = 0; sent && q < queries; q++) {
        PGresult *x;
        while ((!ready || ready(conn, ctx)) && (x = PQgetResult(conn)) != NULL) {
            ExecStatusType st = PQresultStatus(x);
            if (st == PGRES_FATAL_ERROR && !kept_error) {
                PQclear(kept);
                kept = x;
                kept_error = true;
            } else if (q == queries - 1 && !kept_error && !kept_last && st != PGRES_PIPELINE_ABORTED) {
                PQclear(kept);
                kept = x;
                kept_last = true;
            } else {
                PQclear(x);
            }
        }
        if (PQstatus(conn) != CONNECTION_OK)
            break;
    }
    /* The Sync's own result, then the pipeline can end. */
    for (PGresult *x; sent && PQstatus(conn) == CONNECTION_OK && (x = PQgetResult(conn)) != NULL;) {
        bool sync = PQresultStatus(x) == PGRES_PIPELINE_SYNC;
        PQclear(x);
        if (sync)
            break;
    }
    if (!PQexitPipelineMode(conn)) {
        /* Something is still unread: this connection cannot be trusted to
         * line up replies with requests any more. db_conn_or_reply drops it. */
        PQclear(kept);
        return NULL;
    }
    return kept;
}

static PGresult *exec_or_reply(struct request *r, PGconn *conn, const struct statement_ref *stmt, int nparams,
                               const char *const *params)
{
    PGresult *res = NULL;
    if (r && r->auth && PQtransactionStatus(conn) == PQTRANS_IDLE) {
        /* The request's identity and history settings, then the statement. */
        const char *scope[SCOPE_PARAMS];
        scope_params(r, false, scope);
        res = pipeline(conn, NULL, stmt, nparams, params, scope);
    } else {
        /* Inside the caller's transaction (or without an identity): the
         * lock first, if any; res is its error when it fails. */
        res = stmt->lock ? PQexecPrepared(conn, stmt->lock, nparams, params, NULL, NULL, 0) : NULL;
        if (!res || PQresultStatus(res) == PGRES_TUPLES_OK) {
            PQclear(res);
            if (r && (r->if_match[0] || r->reason)) {
                /* Inside a transaction (its BEGIN carried the identity): the
                 * history settings of this statement alone. */
                res = exec_scoped(r, conn, stmt, nparams, params);
            } else if (stmt->sql) {
                res = PQexecParams(conn, stmt->sql, nparams, NULL, params, NULL, NULL, 0);
            } else {
                res = PQexecPrepared(conn, stmt->name, nparams, params, NULL, NULL, 0);
            }
        }
    }
    ExecStatusType status = PQresultStatus(res);
    if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK)
        return res;
    db_reply_error(r, conn, res);
    PQclear(res);
    return NULL;
}

PGresult *db_exec_or_reply(struct request *r, PGconn *conn, const char *name, int nparams,
                           const char *const *params)
{
    const struct statement_ref stmt = {name, NULL, NULL};
    return exec_or_reply(r, conn, &stmt, nparams, params);
}

PGresult *db_run_or_reply(struct request *r, const char *name, int nparams, const char *const *params)
{
    PGconn *conn = db_conn_or_reply(r);
    return conn ? db_exec_or_reply(r, conn, name, nparams, params) : NULL;
}

PGresult *db_exec_locked_or_reply(struct request *r, PGconn *conn, const char *lock, const char *name,
                                  int nparams, const char *const *params)
{
    const struct statement_ref stmt = {name, NULL, lock};
    return exec_or_reply(r, conn, &stmt, nparams, params);
}

PGresult *db_exec_replanned_or_reply(struct request *r, PGconn *conn, const struct db_statement *statement,
                                     int nparams, const char *const *params)
{
    const struct statement_ref stmt = {statement->name, statement->sql, NULL};
    return exec_or_reply(r, conn, &stmt, nparams, params);
}

static bool command_or_reply(struct request *r, PGconn *conn, const char *sql)
{
    PGresult *res;
    if (r && r->auth && strncmp(sql, "BEGIN", 5) == 0) {
        const char *scope[SCOPE_PARAMS];
        scope_params(r, false, scope);
        res = pipeline(conn, sql, NULL, 0, NULL, scope);
    } else {
        res = PQexec(conn, sql);
    }
    ExecStatusType st = PQresultStatus(res);
    bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    if (!ok)
        db_reply_error(r, conn, res);
    PQclear(res);
    return ok;
}

bool db_scope_apply(PGconn *conn, const struct request *r, bool import_only, bool session_wide)
{
    const char *scope[SCOPE_PARAMS] = {"", "", "", "{}", "{}", "{}", "{}", "{}", "on", "", "", ""};
    if (r && r->auth)
        scope_params(r, import_only, scope);
    PGresult *res = PQexecParams(conn, session_wide ? SCOPE_SQL_AS("false", "''") : SCOPE_SQL, SCOPE_PARAMS,
                                 NULL, scope, NULL, NULL, 0);
    bool ok = PQresultStatus(res) == PGRES_TUPLES_OK;
    PQclear(res);
    return ok;
}

bool db_scope_send(PGconn *conn, const struct request *r)
{
    if (!r->auth)
        return true;
    const char *scope[SCOPE_PARAMS];
    scope_params(r, false, scope);
    return PQsendQueryParams(conn, SCOPE_SQL, SCOPE_PARAMS, NULL, scope, NULL, NULL, 0) == 1;
}

bool db_scope_command_line(PGconn *conn)
{
    PGresult *res = PQexec(conn, "SELECT set_config('claimdb.admin', 'on', false)");
    bool ok = PQresultStatus(res) == PGRES_TUPLES_OK;
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
    if (e.status == HTTP_FORBIDDEN) {
        /* claimdb_guard names the role it wants; a row-level security check
         * on a new row does not, and then the route's declared access does. */
        enum route_access need = r && r->route ? r->route->access : ACCESS_ANNOTATE;
        const char *role = e.role_needed           ? e.role_needed
                           : need == ACCESS_CURATE ? "curator"
                           : need == ACCESS_MANAGE ? "manager"
                           : need == ACCESS_OWN    ? "owner"
                                                   : "annotator";
        if (!e.role_needed)
            snprintf(e.message, sizeof e.message, "writing in this project needs the %s role there", role);
        reply_error_extra(r, e.status, e.code, e.field, json_pack("{s:s}", "role_needed", role), "%s",
                          e.message);
        return;
    }
    reply_error(r, e.status, e.code, e.field, "%s", e.message);
    if (e.retry)
        reply_header(r, MHD_HTTP_HEADER_RETRY_AFTER, "1");
}

void db_close_all(void)
{
    pthread_mutex_lock(&pool_lock);
    for (unsigned i = 0; i < pool_size; i++)
        if (pool[i].conn)
            PQfinish(pool[i].conn);
    free(pool);
    pool = NULL;
    pool_size = 0;
    pthread_mutex_unlock(&pool_lock);
}

/* db: a bounded pool of PostgreSQL connections, with every statement
 * prepared at connect, and the API's side of the one SQLSTATE classifier
 * (errors.h).
 *
 * Statements are declared by the resource files in their struct resource
 * (registry.h); db_connect prepares every resource's statements. Handlers
 * execute them by name with text parameters; SQL is never built from input.
 *
 * PGresult ownership, the one rule every function in claimdb follows:
 *   - A function that RETURNS a PGresult gives it to the caller, who clears
 *     it (PQclear) on every path, or hands it on.
 *   - A function that TAKES a `PGresult *` (non-const) takes ownership: it
 *     clears it, now or later (reply_json_result clears it once the response
 *     is sent). The caller must not touch it afterwards.
 *   - A function that takes a `const PGresult *` only reads it; the caller
 *     still owns it.
 * So the constness of the parameter says who clears. */
#ifndef CLAIMDB_DB_H
#define CLAIMDB_DB_H

#include "request.h"

#include <libpq-fe.h>
#include <stdbool.h>

/* The default project (migrations/0001 creates it). The only place the
 * literal is written in C. */
#define DEFAULT_PROJECT_ID "00000000-0000-7000-8000-000000000001"
/* The project a row is created in when the body names none, as a SQL
 * expression: the caller's only writable project, or the default project
 * when it is one of several the caller writes (migrations/0003_teams.sql,
 * claimdb_default_project(); 400 naming project_id otherwise). */
#define DEFAULT_PROJECT_SQL "claimdb_default_project()"

/* A claim `c`'s text and quote as one string: the expression of the trigram
 * index claims_words_trgm (migration 0013), which a word-prefix search
 * (claimdb_prefix_regex) must repeat exactly for the index to serve it. A
 * CASE rather than coalesce(): under row-level security only an expression
 * PostgreSQL deems leakproof may drive an index scan (scripts/leakproof.sql). */
#define CLAIM_WORDS_SQL "(c.text || CASE WHEN c.exact IS NULL THEN '' ELSE ' ' || c.exact END)"

struct db_statement {
    const char *name;
    const char *sql;
};

/* Sets the connection string and statement timeout used by every connection
 * made afterwards. conninfo is borrowed and must outlive the server. */
void db_configure(const char *conninfo, unsigned statement_timeout_ms);

/* Opens a connection with the session settings claimdb relies on (UTF8,
 * UTC, ISO dates, statement timeout) and, when prepare is true (the pool's
 * connections), JIT off and every registered statement. Returns NULL on failure, with one line saying why
 * in error[0..error_size) (the caller's buffer: no thread-local storage,
 * which every connection thread would carry). The caller owns the
 * connection (PQfinish). */
PGconn *db_connect(bool prepare, char *error, size_t error_size);

/* Sizes the pool of connections that serve short requests (at least 1)
 * and how long a request waits for one (ms). Call once before serving.
 * Returns 0, or -1 when out of memory. */
int db_pool_init(unsigned size, unsigned wait_ms);

/* The request's pooled connection, ready for it: connected, statements
 * prepared, no transaction open (a leftover one is rolled back). The first
 * call takes a connection from the pool, waiting for one to be free; later
 * calls for the same request return the same one. Returns NULL after
 * replying 503 when none frees up in time or PostgreSQL cannot be reached.
 * The core gives it back with db_release when the handler returns. */
PGconn *db_conn_or_reply(struct request *r);

/* Returns the request's pooled connection, if it holds one. Idempotent. */
void db_release(struct request *r);

struct db_pool_stats {
    unsigned size, in_use, waiting;
    unsigned long timeouts; /* requests answered 503 for want of a connection */
};

/* A snapshot of the pool's counters. */
void db_pool_stats(struct db_pool_stats *out);

/* Executes prepared statement `name` with nparams text parameters (NULL
 * for SQL NULL). Returns the result (the caller PQclear()s it) when it is
 * PGRES_TUPLES_OK or PGRES_COMMAND_OK; otherwise clears it, replies with the
 * mapped error and returns NULL. */
PGresult *db_exec_or_reply(struct request *r, PGconn *conn, const char *name, int nparams,
                           const char *const *params);

/* As db_exec_or_reply, but the statement (one of a resource's, prepared at
 * connect, which checks its text) is sent with its SQL and planned for these
 * values on every execution. For heavy statements with optional filters
 * ("$n IS NULL OR ..."): PostgreSQL switches a prepared statement to its
 * generic plan after five executions when that plan's estimate looks
 * cheaper, and a generic plan cannot drop the filters that are off (the
 * whole-project actor network at 100,000 claims: 2.6 s with a plan for its
 * values, more than two minutes with the generic one). Planning again costs
 * a fraction of a millisecond: use it only where the statement takes far
 * longer. */
PGresult *db_exec_replanned_or_reply(struct request *r, PGconn *conn, const struct db_statement *statement,
                                     int nparams, const char *const *params);

/* The one statement most handlers run: db_conn_or_reply (the request's
 * pooled connection), then db_exec_or_reply on it. Returns the result (the
 * caller clears it) or NULL after replying. */
PGresult *db_run_or_reply(struct request *r, const char *name, int nparams, const char *const *params);

/* As db_exec_or_reply, with the prepared statement `lock` (taking the same
 * parameters) run first, in the same pipeline and transaction: a statement
 * taking a transaction-level advisory lock (pg_advisory_xact_lock), so that
 * `name`, whose snapshot is taken once the lock is granted, runs for one
 * request at a time per key and sees what the previous holder committed. No
 * round trip is added: scope, lock and statement go in one pipeline; inside
 * the caller's transaction the two run one after the other. */
PGresult *db_exec_locked_or_reply(struct request *r, PGconn *conn, const char *lock, const char *name,
                                  int nparams, const char *const *params);

/* Opens a transaction on conn. Returns true, or false after replying with
 * the classified error. */
bool db_begin_or_reply(struct request *r, PGconn *conn);

/* Commits the transaction. Returns true, or false after replying (the
 * transaction is then rolled back). */
bool db_commit_or_reply(struct request *r, PGconn *conn);

/* Rolls back the open transaction, if any, after a failure a reply has
 * already been given for; never replies. */
void db_rollback(PGconn *conn);

/* How the request's identity reaches PostgreSQL: db_exec_or_reply, outside
 * a transaction, sends the scope statement and the statement together in
 * one pipeline (one round trip, one implicit transaction); BEGIN through
 * db_begin_or_reply is pipelined with it the same way. Connections the
 * server opens for itself (export, import) call db_scope_apply after their
 * BEGIN: r's identity (import_only: write only where the caller is
 * manager), or the command line's full access when r is NULL; for the
 * transaction, or session_wide for a private connection used without one.
 * Returns false when the statement failed. */
bool db_scope_apply(PGconn *conn, const struct request *r, bool import_only, bool session_wide);

/* Queues r's scope statement (as db_exec_or_reply sends it: transaction-
 * local) on conn, which must be in pipeline mode, for a server-opened
 * connection that pipelines its own set-up (graph_stream.c). Queues nothing
 * when r has no identity. Returns false when it could not be queued. */
bool db_scope_send(PGconn *conn, const struct request *r);

/* Reads the results of a pipeline of `queries` statements ended by one Sync
 * (sent: whether all of it was queued; if not, nothing is read) and leaves
 * pipeline mode. `ready`, when not NULL, is called with ctx before each
 * result is read and may wait for it (graph_stream.c watches its client
 * meanwhile); it returns false when the connection failed. Returns the
 * first failed statement's result, else the last statement's (a statement
 * after a failed one comes back aborted), for the caller to clear; NULL when
 * the connection failed or something was left unread (the connection then
 * cannot line up replies with requests: drop it). */
PGresult *db_pipeline_end(PGconn *conn, bool sent, int queries, bool (*ready)(PGconn *conn, void *ctx),
                          void *ctx);

/* Gives a command-line connection (claimdb import/export/user/...)
 * full access for its session: the CLI's user holds the database URL. */
bool db_scope_command_line(PGconn *conn);

/* Replies with the HTTP error db_error_classify gives for a failed result
 * (res is only read: the caller still owns it). */
void db_reply_error(struct request *r, PGconn *conn, const PGresult *res);

/* Closes the pool's connections. Call once, after the HTTP daemon has
 * stopped. */
void db_close_all(void);

#endif

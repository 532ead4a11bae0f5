/* db: one PostgreSQL connection per server thread, with every statement
 * prepared at connect, and the one place SQLSTATEs become HTTP statuses.
 *
 * Statements are registered in statement sets (struct db_statement arrays
 * ending with {NULL}); db_registry.c lists the sets. Handlers execute them
 * by name with text parameters; SQL is never built from input. */
#ifndef CLAIMDB_DB_H
#define CLAIMDB_DB_H

#include "request.h"

#include <libpq-fe.h>
#include <stdbool.h>

struct db_statement {
    const char *name;
    const char *sql;
};

/* The NULL-terminated list of statement sets (db_registry.c). */
extern const struct db_statement *const db_statement_sets[];

/* Sets the connection string and statement timeout used by every connection
 * made afterwards. conninfo is borrowed and must outlive the server. */
void db_configure(const char *conninfo, unsigned statement_timeout_ms);

/* Opens a connection with the session settings claimdb relies on (UTF8,
 * UTC, ISO dates, statement timeout) and, when prepare is true, every
 * registered statement. Returns NULL with a message in *error (static or
 * owned by nobody; print it before the next call) on failure. The caller
 * owns the connection (PQfinish). */
PGconn *db_connect(bool prepare, const char **error);

/* This thread's connection, ready for a request: connected, statements
 * prepared, no transaction open (a leftover one is rolled back). Returns
 * NULL after replying 503 when PostgreSQL cannot be reached. */
PGconn *db_conn_or_reply(struct request *r);

/* Executes prepared statement `name` with nparams text parameters (NULL
 * for SQL NULL). Returns the result (the caller PQclear()s it) when it is
 * PGRES_TUPLES_OK or PGRES_COMMAND_OK; otherwise clears it, replies with the
 * mapped error and returns NULL. */
PGresult *db_exec_or_reply(struct request *r, PGconn *conn, const char *name, int nparams,
                           const char *const *params);

/* Runs a transaction-control command (BEGIN, COMMIT, ROLLBACK, or a
 * SAVEPOINT form). Returns true, or false after replying with the mapped
 * error. */
bool db_command_or_reply(struct request *r, PGconn *conn, const char *sql);

/* Replies with the HTTP error for a failed result (see the mapping in
 * db.c); does not clear it. */
void db_reply_error(struct request *r, PGconn *conn, const PGresult *res);

/* Closes every thread's connection. Call once, after the HTTP daemon has
 * stopped. */
void db_close_all(void);

#endif

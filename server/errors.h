/* errors: the one error body, and the one translation of PostgreSQL errors
 * into it.
 *
 * Every error claimdb sends, from the API, the import or the CLI, has the
 * shape
 *   {"error": {"status": 422, "code": "invalid_span", "message": "…", "field": "target.start"}}
 * with optional extra members (e.g. "candidates", "allowed", "lines"); it is
 * built by error_body() alone.
 *
 * A failed statement is classified by db_error_classify() from two tables in
 * errors.c: SQLSTATE (exact, or its two-character class) → status and code,
 * as PostgREST's table does; and constraint name → wording in the data
 * model's terms. Bodies never carry PostgreSQL's insides: no SQLSTATE, no
 * constraint or table name, no PostgreSQL message text (the server log
 * gets those for unexpected errors). The one exception is the text of
 * claimdb's own RAISE EXCEPTIONs (SQLSTATE P0001), which the migrations
 * write for clients to read. */
#ifndef CLAIMDB_ERRORS_H
#define CLAIMDB_ERRORS_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>

/* HTTP statuses the classifier gives besides the ones MHD names. */
#define HTTP_UNAUTHORIZED 401
#define HTTP_FORBIDDEN 403
#define HTTP_UNPROCESSABLE 422

/* A classified database error: what to tell the client. */
struct db_error {
    unsigned status;   /* HTTP status */
    const char *code;  /* the body's "code" */
    const char *field; /* the JSON field concerned, or NULL; points into field_buf or a static */
    char field_buf[128];
    char message[512];       /* in the data model's terms */
    bool retry;              /* transient: send Retry-After: 1 */
    bool unexpected;         /* no rule matched: log the full diagnostics server-side */
    const char *role_needed; /* 403 from claimdb_guard: the role it names (its HINT), else NULL */
};

/* Classifies the failed result res (NULL when there is none, e.g. the
 * connection broke; connection_ok false when PQstatus is not OK) into *out.
 * Never fails; unknown SQLSTATEs become 500 internal with unexpected set. */
void db_error_classify(const PGresult *res, bool connection_ok, struct db_error *out);

/* Writes a JSON log line on stderr with the SQLSTATE and PostgreSQL's
 * message of res (for errors classified as unexpected); `event` names the
 * context ("sql", "import_failed"). */
void db_error_log(const char *event, const PGresult *res);

/* The error body {"error": {"status", "code", "message"[, "field"], extra…}}.
 * message and field must be valid UTF-8 (reply_error scrubs client bytes);
 * field may be NULL; extra (an object or NULL) is stolen and its members
 * merged. Returns a new reference; aborts when out of memory. */
json_t *error_body(unsigned status, const char *code, const char *field, const char *message, json_t *extra);

#endif

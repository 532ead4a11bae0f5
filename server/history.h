/* history: what every request gets from the revision log (issue 11), hooked
 * into the core around the handler, and the endpoints that read and undo
 * it (ep_history.c).
 *
 * Before the handler: a PATCH or DELETE of /v1/{resource}/{id} (and POST
 * …/revert) with If-Match hands the precondition to the database
 * (claimdb.if_match), where the history_before() trigger compares it with
 * the row's revision under the row lock; a GET with ?at= answers from the
 * log instead of the table. After the handler: a 412 gets the current
 * representation as "current" in its error body, and its ETag. */
#ifndef CLAIMDB_HISTORY_H
#define CLAIMDB_HISTORY_H

#include "db.h"
#include "request.h"

#include <stdbool.h>

/* The table a route's resource lives in ("claims" for /v1/claims/{id} and
 * /v1/claims/{id}/revisions), or NULL when the route is not about one row
 * of an annotation table. */
const char *history_route_table(const struct route *rt);

/* The prepared statement that returns the JSON object of one row of
 * `table` by id ($1), or NULL. */
const char *history_get_statement(const char *table);

/* Runs before the handler. Returns false after replying (a malformed
 * If-Match, or a GET ?at= answered from the log). */
bool history_before_handler(struct request *r);

/* Runs after the handler: completes a 412 with the current representation. */
void history_after_handler(struct request *r);

#endif

/* reply: building the response a handler returns.
 *
 * Every reply function stores the response in r (r->response, r->status);
 * the core queues it after the handler returns. A handler replies exactly
 * once: after an *_or_reply helper has replied (returned false/NULL) it
 * returns without replying again. A second reply is a bug: it is logged and
 * dropped (the first stands), and debug builds abort on it. The body is
 * built by error_body() (errors.h).
 *
 * Errors have one shape:
 *   {"error": {"status": 422, "code": "invalid_span", "message": "…", "field": "target.start"}}
 * with optional extra members (e.g. "candidates"). */
#ifndef CLAIMDB_REPLY_H
#define CLAIMDB_REPLY_H

#include "request.h"

#include <jansson.h>
#include <libpq-fe.h>
#include <stddef.h>

/* Replies with `len` bytes of JSON text at `body`, taking ownership of the
 * malloc'd body. */
void reply_json_owned(struct request *r, unsigned status, char *body, size_t len);

/* Replies with a copy of `len` bytes of JSON text (e.g. from a PGresult). */
void reply_json_copy(struct request *r, unsigned status, const char *body, size_t len);

/* Replies with the JSON text in row `row`, column `col` of res without
 * copying it: takes ownership of res, which is cleared once the response
 * has been sent (or dropped). */
void reply_json_result(struct request *r, unsigned status, PGresult *res, int row, int col);

/* As reply_json_result for one resource's JSON object, with its ETag (see
 * etag.h); a GET whose If-None-Match holds that tag gets 304 without a body
 * (res is cleared then). */
void reply_object(struct request *r, unsigned status, PGresult *res, int row, int col);

/* Adds the ETag of the object in body[0..len) to the stored response (no-op
 * when the object has no "rev"). */
void reply_etag(struct request *r, const char *body, size_t len);

/* Replies with a JSON value; steals the reference to `value`. */
void reply_json(struct request *r, unsigned status, json_t *value);

/* Replies 201 with a Location header (`location` is copied) and JSON body text. */
void reply_created(struct request *r, const char *location, const char *body, size_t len);

/* Replies 204 No Content. */
void reply_no_content(struct request *r);

/* Replies with the error shape above; `field` may be NULL; message is a
 * printf format. */
void reply_error(struct request *r, unsigned status, const char *code, const char *field, const char *fmt,
                 ...) __attribute__((format(printf, 5, 6)));

/* As reply_error, with extra members merged into the error object; steals
 * `extra` (an object, may be NULL). */
void reply_error_extra(struct request *r, unsigned status, const char *code, const char *field, json_t *extra,
                       const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Replies with several problems at once: errors is an array (stolen) of
 * error objects as error_body() makes them ({"status", "code", "message",
 * "field"?, extras}), at least one. The body is {"error": errors[0],
 * "errors": errors} with the status of the first. While collecting (below)
 * they are recorded instead. */
void reply_errors(struct request *r, json_t *errors);

/* Collecting a request's problems, so that a body with several gets them
 * all in one response (issue 12, "errors come one at a time"). Between
 * reply_collect_begin and reply_collect_end, every client error (4xx) that
 * reply_error, reply_error_extra or reply_errors would send — so every
 * *_or_reply helper's — is recorded instead: the helper still returns
 * false, and the caller goes on with the checks that do not depend on the
 * one that failed (and writes nothing). A server error (5xx) is replied at
 * once, and what was or will be recorded is then dropped. Collections do
 * not nest. reply_collect_end stops collecting and returns true when
 * nothing was recorded or replied; otherwise it replies with every
 * recorded problem in the order recorded (reply_errors: the first is also
 * "error" and gives the status) unless a server error was already replied,
 * and returns false. */
void reply_collect_begin(struct request *r);
bool reply_collect_end(struct request *r);

/* Whether a caller whose last check gave ok may go on to the next check:
 * always after a success, and after a failure only while collecting (the
 * failure was recorded, not replied). */
static inline bool reply_go_on(const struct request *r, bool ok)
{
    return ok || r->collecting;
}

/* Drops the stored reply, for the core's after-handler step that replaces
 * an error with a fuller one (history.c: a 412 with the current row);
 * handlers never reply twice. */
void reply_drop(struct request *r);

/* Adds a header to the stored response (no-op if there is none). */
void reply_header(struct request *r, const char *name, const char *value);

/* Replaces the stored response with `response` (owned from now on). */
void reply_response(struct request *r, unsigned status, struct MHD_Response *response);

#endif

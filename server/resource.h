/* resource: the replies every resource file gives the same way — one object
 * or 404, 201 with Location, 204 or 404 — so that handlers stay
 * parse → db → reply. Each function takes ownership of `res` and clears it. */
#ifndef CLAIMDB_RESOURCE_H
#define CLAIMDB_RESOURCE_H

#include "db.h"
#include "request.h"
#include "validate.h"

/* Replies 404 not_found: "no <what> with id <id>", field "id". */
void reply_not_found(struct request *r, const char *what, const char *id);

/* Replies 200 with the JSON object the statement built (row 0, column
 * `col`), or 404 for `what`/`id` when res has no row. */
void reply_object_or_404(struct request *r, PGresult *res, int col, const char *what, const char *id);

/* Replies 201 Created with Location "<collection>/<row 0, column 0>" and
 * the JSON object in row 0, column 1. */
void reply_created_row(struct request *r, PGresult *res, const char *collection);

/* Replies 204 No Content, or 404 for `what`/`id` when the DELETE … RETURNING
 * matched no row. */
void reply_deleted_or_404(struct request *r, PGresult *res, const char *what, const char *id);

/* GET …/{id} in full: validates the path id, runs `statement` with it and
 * replies as reply_object_or_404 (column 0). */
void reply_get_by_id(struct request *r, const char *statement, const char *what);

/* DELETE …/{id} in full, the one way every resource deletes: validates the
 * path id, runs `statement` (a DELETE … RETURNING) with it and replies as
 * reply_deleted_or_404. A delete that rows still point at gets the 409 the
 * constraint table in errors.c words for that foreign key. */
void reply_delete_by_id(struct request *r, const char *statement, const char *what);

/* POST to a collection whose `statement` takes the body as its one jsonb
 * parameter and returns (id, JSON object): validates r->json against specs,
 * runs it, and replies 201 with Location "<collection>/<id>". */
void reply_create_from_body(struct request *r, const char *statement, const struct field_spec *specs,
                            const char *collection);

/* PATCH …/{id} once the body is checked: runs `statement` ($1 the id, $2
 * the body as jsonb, returning the JSON object) and replies as
 * reply_object_or_404 (column 0). */
void reply_patched_or_404(struct request *r, const char *statement, const char *id, const char *what);

/* PATCH …/{id} in full, for a resource whose body the description checks
 * alone: validates the path id and r->json against specs (VALIDATE_PATCH:
 * a field set once answers 409 immutable), then reply_patched_or_404. */
void reply_patch_from_body(struct request *r, const char *statement, const struct field_spec *specs,
                           const char *what);

/* Runs `statement` with $1 = id (may be NULL when the statement takes the
 * body alone) and then the JSON body as a jsonb parameter. Returns the
 * result (the caller clears it) or NULL after replying. */
PGresult *db_exec_with_body_or_reply(struct request *r, PGconn *conn, const char *statement, const char *id,
                                     const json_t *body);

#endif

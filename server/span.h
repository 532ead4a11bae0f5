/* span: reading a span from a request body ({"start","end"} and/or
 * {"exact","prefix","suffix"}, or {"segments": [such spans...]} for a
 * discontinuous one), resolving it against a document's text with anchor.h
 * (and segments.h), and writing the stored form
 * {"start","end","exact","prefix","suffix"[,"segments"]}. */
#ifndef CLAIMDB_SPAN_H
#define CLAIMDB_SPAN_H

#include "anchor.h"
#include "db.h"
#include "entities.h"
#include "request.h"
#include "validate.h"

#include <jansson.h>
#include <stdbool.h>

/* Sets req's options from a validated span object: "match": "normalized"
 * and "allow_grapheme_split": true. */
void span_options(const json_t *span, struct anchor_request *req);

/* The stored form {"start","end","exact","prefix","suffix"} of a resolved
 * span of text (a new object). */
json_t *span_stored_json(const char *text, const struct anchor_span *sp);

/* What a failed resolution adds to its error (a new object, or NULL):
 * "occurrences" and "candidates" [{start,end,exact,prefix,suffix,differs}]
 * for ambiguous, not found and mismatched quotes; "boundaries" {start:
 * {before, after}, end: {...}} for a span cutting a grapheme cluster. The
 * API's 422 and the import's errors carry the same. */
json_t *span_error_details(const char *text, const struct anchor_result *res);

/* Validates a span object named `field` ("target", "cue_span") and fills
 * req (pointing into `span`, which must outlive req). Returns false after
 * replying 400 (unknown member, wrong type, start without end, …). */
bool span_parse_or_reply(struct request *r, const json_t *span, const char *field,
                         struct anchor_request *req);

/* Resolves req against text[0..len). Returns a new object {"start","end",
 * "exact","prefix","suffix"} (caller owns it), or NULL after replying 422
 * with the anchor error code and span_error_details. */
json_t *span_resolve_or_reply(struct request *r, const char *field, const char *text, size_t len,
                              const struct anchor_request *req);

/* Parses and resolves in one step: the common case for a body member. A
 * span with "segments" is discontinuous: each segment is parsed and resolved
 * like a one-piece span named "<field>.segments[i]", in text order without
 * overlap (422 segments_out_of_order / segments_overlap naming the segment),
 * SEGMENTS_MIN to SEGMENTS_MAX of them (400); the result is
 * segments_stored_json's. Returns a new object, or NULL after replying. */
json_t *span_from_body_or_reply(struct request *r, const json_t *span, const char *field, const char *text,
                                size_t len);

/* Fetches the text of document `document_id` (in the default project or
 * `project_id` when non-NULL). Returns the result (caller PQclear()s; text
 * is column 0) or NULL after replying: 422 unknown_reference naming
 * `field` when there is no such document, or a database error. */
PGresult *span_document_text_or_reply(struct request *r, PGconn *conn, const char *document_id,
                                      const char *project_id, const char *field);

/* The claim that attributions and citations hang on, with what their spans
 * resolve against: its project in column 0 and, when with_text, its
 * document's text in column 1 (NULL when the claim has no document). Returns
 * the result (the caller clears it) or NULL after replying: 404 when there
 * is no such claim, or a database error. */
PGresult *span_claim_or_reply(struct request *r, PGconn *conn, const char *claim_id, bool with_text);

#endif

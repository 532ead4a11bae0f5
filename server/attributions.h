/* attributions: creating an attribution (who asserts a claim), shared by
 * POST /v1/claims/{id}/attributions and the inline "attributions" of
 * POST /v1/claims. */
#ifndef CLAIMDB_ATTRIBUTIONS_H
#define CLAIMDB_ATTRIBUTIONS_H

#include "request.h"

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

/* A body's spans resolved by attribution_check_or_reply: each the stored
 * span as JSON text (malloc'd), or NULL when the body has none. */
struct attribution_spans {
    char *source_span;
    char *cue_span;
};

/* Checks one attribution of a claim described by `body`, an object in the
 * POST /v1/claims/{id}/attributions shape ({"actor_id", "role"?, "cue"?,
 * "mode"?, "polarity"?, "factuality"?, "said_at"?, "source_span"?,
 * "cue_span"?, "via_attribution_id"?, "annotator"?}): its fields (400),
 * and, when check_spans, source_span and cue_span resolved against
 * doc_text[0..doc_len), the text of the claim's document (doc_text NULL:
 * the claim has none, and a span is 422 no_document). Error fields carry
 * `prefix` ("" or "attributions[1]."). Pure (no database). While the
 * request collects its problems (reply.h) every one is recorded, the fields'
 * and each span's. Returns true with *out filled (free it with
 * attribution_spans_free), or false after replying (*out empty). */
bool attribution_check_or_reply(struct request *r, const json_t *body, const char *prefix,
                                const char *doc_text, size_t doc_len, bool check_spans,
                                struct attribution_spans *out);

/* Frees what attribution_check_or_reply resolved; s is empty after. */
void attribution_spans_free(struct attribution_spans *s);

/* Inserts the attribution checked above as one of claim `claim_id` (of
 * project `project_id`), with its resolved spans, checking that actor_id
 * names an actor of the project and via_attribution_id an attribution of
 * the same claim (422 unknown_reference, field with `prefix`). Runs in the
 * caller's transaction, if any, and leaves it open either way. Returns true
 * once the row is inserted (its id copied to id_out when non-NULL), or
 * false after replying with the error. */
bool attribution_insert_or_reply(struct request *r, PGconn *conn, const char *claim_id,
                                 const char *project_id, const json_t *body, const char *prefix,
                                 const struct attribution_spans *spans, char id_out[37]);

#endif

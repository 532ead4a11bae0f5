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

/* Inserts one attribution of claim `claim_id` (of project `project_id`)
 * described by `body`, an object in the POST /v1/claims/{id}/attributions
 * shape ({"actor_id", "role"?, "cue"?, "mode"?, "source_span"?, "cue_span"?,
 * "via_attribution_id"?, "annotator"?}).
 *
 * Validates the body (error fields carry `prefix`, "" or "attributions[1]."),
 * resolves source_span and cue_span against doc_text[0..doc_len), the text of
 * the claim's document (doc_text NULL: the claim has none, and a span is 422
 * no_document), and checks that actor_id names an actor of the project and
 * via_attribution_id an attribution of the same claim (422
 * unknown_reference). Runs in the caller's transaction, if any, and leaves
 * it open either way. Returns true once the row is inserted (its id copied
 * to id_out when non-NULL), or false after replying with the error. */
bool attribution_insert_or_reply(struct request *r, PGconn *conn, const char *claim_id,
                                 const char *project_id, const json_t *body, const char *prefix,
                                 const char *doc_text, size_t doc_len, char id_out[37]);

#endif

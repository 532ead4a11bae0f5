/* citations: inserting a citation (a claim citing a source), shared by
 * POST /v1/claims/{id}/citations (ep_sources.c) and the inline "citations"
 * array of POST /v1/claims (ep_claims.c). */
#ifndef CLAIMDB_CITATIONS_H
#define CLAIMDB_CITATIONS_H

#include "request.h"

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

/* Inserts one citation of claim `claim_id` (of project `project_id`) from
 * `body`, an object {"source_id", "locator"?, "span"?, "annotator"?} that
 * need not be validated yet: this validates it (400), resolves "span"
 * against doc_text[0..doc_len) (422 invalid span / ambiguous quote with
 * candidates), and checks that the source exists in the same project (422
 * unknown_reference, field "source_id"). Field names in errors are prefixed
 * with `prefix` ("" or "citations[0]."). doc_text is NULL when the claim has
 * no document: a span is then refused with 422 naming "<prefix>span".
 * Runs on conn inside the caller's transaction and neither begins nor
 * commits one. Returns true, or false after replying (the caller should
 * ROLLBACK and return). */
bool citation_insert_or_reply(struct request *r, PGconn *conn, const char *claim_id,
                              const char *project_id, const json_t *body, const char *prefix,
                              const char *doc_text, size_t doc_len);

#endif

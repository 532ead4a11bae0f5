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

/* Checks one citation of a claim from `body`, an object {"source_id",
 * "locator"?, "span"?, "annotator"?}: its fields (400) and, when
 * check_span, its span resolved against doc_text[0..doc_len) (422 invalid
 * span / ambiguous quote with candidates; doc_text NULL: the claim has no
 * document, and a span is 422 no_document naming "<prefix>span"). Field
 * names in errors are prefixed with `prefix` ("" or "citations[0]."). Pure
 * (no database); while the request collects its problems (reply.h) every
 * one is recorded. Returns true with *span_out the stored span as JSON text
 * (malloc'd, the caller frees it; NULL when none), or false after replying
 * (*span_out NULL). */
bool citation_check_or_reply(struct request *r, const json_t *body, const char *prefix, const char *doc_text,
                             size_t doc_len, bool check_span, char **span_out);

/* Inserts the citation checked above as one of claim `claim_id` (of project
 * `project_id`) with its resolved span (or NULL), checking that the source
 * exists in the same project (422 unknown_reference, field
 * "<prefix>source_id"). Runs on conn inside the caller's transaction and
 * neither begins nor commits one. Returns true, or false after replying
 * (the caller should ROLLBACK and return). */
bool citation_insert_or_reply(struct request *r, PGconn *conn, const char *claim_id, const char *project_id,
                              const json_t *body, const char *prefix, const char *span);

#endif

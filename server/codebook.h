/* codebook: the per-project tag codebook (/v1/codebook, ep_codebook.c) and
 * the check that claims use its tags when the project says strict_tags. */
#ifndef CLAIMDB_CODEBOOK_H
#define CLAIMDB_CODEBOOK_H

#include "db.h"
#include "request.h"

#include <jansson.h>
#include <stdbool.h>

/* Checks `tags` (a JSON array of strings, or NULL/absent: nothing to check)
 * against the codebook of the claim's project — project_id when non-NULL,
 * else the project of claim claim_id, else the default project — when that
 * project's settings have strict_tags. Returns true, or false after replying
 * 422 unknown_tag naming the first unknown tag (field "tags[i]") with the
 * most similar entries in "suggestions" and every unknown tag in "unknown",
 * or after replying a database error. */
bool codebook_tags_ok_or_reply(struct request *r, PGconn *conn, const char *project_id, const char *claim_id,
                               const json_t *tags);

#endif

/* codebook: the per-project tag codebook (/v1/codebook, ep_codebook.c) and
 * the check that claims use its tags when the project says strict_tags. */
#ifndef CLAIMDB_CODEBOOK_H
#define CLAIMDB_CODEBOOK_H

#include "db.h"
#include "request.h"

#include <jansson.h>
#include <stdbool.h>

/* SQL: whether the project row `p` asks for strict tags (projects.settings,
 * set with PATCH /v1/projects/{id}); anything but JSON true is off. The API
 * (codebook_tags_ok_or_reply) and the import check the same. */
#define CODEBOOK_STRICT_TAGS_SQL(p) "coalesce(" p ".settings->'strict_tags' = 'true'::jsonb, false)"

/* The message of an unknown tag under strict_tags (printf: the field
 * "tags[i]" and the tag), the same from the API and the import. */
#define CODEBOOK_UNKNOWN_TAG_MESSAGE                                                          \
    "%s: %s is not in the project's codebook, and the project has strict_tags (add it to the" \
    " codebook, or use one of the suggestions)"

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

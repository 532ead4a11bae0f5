/* GET /v1/tags: the tags in use on claims, with how many claims carry each,
 * a page at a time (keyset on count, tag).
 *
 * One aggregate query; the rows are serialized here (no json_agg). */
#include "db.h"
#include "jsonbuf.h"
#include "page.h"
#include "registry.h"
#include "reply.h"
#include "rowjson.h"
#include "validate.h"

#include <string.h>

/* Ties sort by tag in byte order (COLLATE "C") so that the order does not
 * depend on the database's locale. */
static const struct db_statement statements[] = {
    {"tag_counts", "SELECT tag, n FROM (SELECT t.tag, count(*) AS n FROM claims c CROSS JOIN LATERAL "
                   "unnest(c.tags) AS t(tag)"
                   " WHERE ($1::text IS NULL OR starts_with(t.tag, $1::text))"
                   " AND ($2::uuid IS NULL OR c.project_id = $2::uuid)"
                   " GROUP BY t.tag) s"
                   " WHERE $3::bigint IS NULL OR n < $3::bigint OR (n = $3::bigint AND tag COLLATE \"C\" > "
                   "$4::text COLLATE \"C\")"
                   " ORDER BY n DESC, tag COLLATE \"C\" LIMIT $5::int"},
    {NULL, NULL},
};

static const struct col tag_cols[] = {
    {"tag", COL_STRING},
    {"count", COL_NUMBER},
    {NULL, COL_END},
};

static void list_tags(struct request *r)
{
    static const char *const known[] = {"prefix", "project_id", "limit", "after", NULL};
    static const int keys[] = {1, 0}; /* count, tag */
    const char *project_id;
    struct page pg;
    if (!query_known_or_reply(r, known) || !query_uuid_or_reply(r, "project_id", &project_id)
        || !page_or_reply(r, &pg, 2))
        return;
    if (pg.after[0]
        && (!*pg.after[0] || strspn(pg.after[0], "0123456789") != strlen(pg.after[0])
            || strlen(pg.after[0]) > 18)) {
        reply_error(r, MHD_HTTP_BAD_REQUEST, "invalid_cursor", "after", "after is not a cursor of this list");
        return;
    }
    const char *params[] = {request_query(r, "prefix"), project_id, pg.after[0], pg.after[1], pg.fetch};
    reply_page_of(r, "tag_counts", 5, params, &pg, tag_cols, keys, 2);
}

/* clang-format off */
static const struct route routes[] = {
    {.method = "GET", .pattern = "/v1/tags", .handler = list_tags, .access = ACCESS_READ},
    {.method = NULL},
};
/* clang-format on */

const struct resource tag_resource = {.name = "tags", .routes = routes, .statements = statements};

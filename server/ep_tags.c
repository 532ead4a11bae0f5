/* GET /v1/tags: the tags in use on claims, with how many claims carry each.
 *
 * One aggregate query; the rows are serialized here (no json_agg). */
#include "db.h"
#include "jsonbuf.h"
#include "registry.h"
#include "reply.h"
#include "rowjson.h"
#include "validate.h"

/* Ties sort by tag in byte order (COLLATE "C") so that the order does not
 * depend on the database's locale. */
static const struct db_statement statements[] = {
    {"tag_counts",
     "SELECT t.tag, count(*) FROM claims c CROSS JOIN LATERAL unnest(c.tags) AS t(tag)"
     " WHERE ($1::text IS NULL OR starts_with(t.tag, $1::text))"
     " AND ($2::uuid IS NULL OR c.project_id = $2::uuid)"
     " GROUP BY t.tag ORDER BY count(*) DESC, t.tag COLLATE \"C\""},
    {NULL, NULL},
};

static const struct col tag_cols[] = {
    {"tag", COL_STRING}, {"count", COL_NUMBER}, {NULL, COL_END},
};

static void list_tags(struct request *r)
{
    static const char *const known[] = {"prefix", "project_id", NULL};
    const char *project_id;
    if (!query_known_or_reply(r, known) || !query_uuid_or_reply(r, "project_id", &project_id))
        return;
    PGconn *conn = db_conn_or_reply(r);
    if (!conn)
        return;
    const char *params[] = {request_query(r, "prefix"), project_id};
    PGresult *res = db_exec_or_reply(r, conn, "tag_counts", 2, params);
    if (!res)
        return;
    struct jsonbuf jb = {0};
    jb_cstr(&jb, "{\"items\":[");
    for (int i = 0, n = PQntuples(res); i < n; i++) {
        if (i)
            jb_raw(&jb, ",", 1);
        rowjson_write(&jb, res, i, tag_cols);
    }
    jb_cstr(&jb, "]}");
    PQclear(res);
    size_t len;
    char *text = jb_steal(&jb, &len);
    reply_json_owned(r, MHD_HTTP_OK, text, len);
}

static const struct route routes[] = {
    {.method = "GET", .pattern = "/v1/tags", .handler = list_tags, .access = ACCESS_READ},
    {.method = NULL},
};

const struct resource tag_resource = {.name = "tags", .routes = routes, .statements = statements};

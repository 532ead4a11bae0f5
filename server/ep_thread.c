/* GET /v1/claims/{id}/thread: the debate around a claim — every claim
 * reachable from it through relations followed in either direction, up to
 * `depth` steps, with the relations between them — in one statement.
 *
 * The walk is a breadth-first search in a recursive CTE: one row per level
 * holding that level's claims (the frontier) and every claim seen so far,
 * so a claim already seen is never expanded again (cycles end there) and
 * each claim shows at its shortest distance. (Recursing over (claim, depth)
 * pairs with UNION is cycle-safe too, but expands a claim again at every
 * depth a path reaches it.) Both directions use an index with
 * = ANY (frontier): relations_unique (from_claim_id, …) and relations_to
 * (to_claim_id, kind). Edges are every relation (of the chosen kinds) whose
 * two ends are both in the thread, looked up the same way with the thread's
 * ids as one array: joined to the nodes CTE instead, the planner hashed the
 * whole relations table (a seq scan, 33 of 160 ms at 25 000 relations, and
 * growing with the table). An edge reads "source <kind> target", as
 * relations do. */
#include "db.h"
#include "graph_reply.h"
#include "registry.h"
#include "reply.h"
#include "resource.h"
#include "validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define THREAD_DEFAULT_DEPTH 3
#define THREAD_MAX_DEPTH 10

#define KIND_FILTER "($3::relation_kind[] IS NULL OR r.kind = ANY ($3::relation_kind[]))"

/* $1 claim, $2 depth, $3 relation kinds (NULL: all). No rows: no such claim. */
static const struct db_statement statements[] = {
    {"claim_thread",
     "WITH RECURSIVE bfs(frontier, visited, depth) AS ("
     " SELECT ARRAY[c.id], ARRAY[c.id], 0 FROM claims c WHERE c.id = $1::uuid"
     " UNION ALL"
     " SELECT step.ids, bfs.visited || step.ids, bfs.depth + 1 FROM bfs CROSS JOIN LATERAL ("
     "  SELECT array_agg(DISTINCT x.other) AS ids FROM ("
     "   SELECT r.to_claim_id AS other FROM relations r WHERE r.from_claim_id = ANY (bfs.frontier) "
     "AND " KIND_FILTER "   UNION ALL"
     "   SELECT r.from_claim_id FROM relations r WHERE r.to_claim_id = ANY (bfs.frontier) AND " KIND_FILTER
     "  ) x WHERE x.other <> ALL (bfs.visited)) step"
     " WHERE bfs.depth < $2::int AND step.ids IS NOT NULL),"
     " nodes AS (SELECT unnest(frontier) AS id, depth FROM bfs)"
     " SELECT 'n' AS part, c.id, c.text, c.exact,"
     "  CASE WHEN d.id IS NULL THEN NULL ELSE json_build_object('id', d.id, 'title', d.title) END,"
     "  d.id, d.title, sp.speakers, sp.names, n.depth, NULL::uuid, NULL::uuid, NULL::relation_kind, c.rev"
     " FROM nodes n JOIN claims c ON c.id = n.id LEFT JOIN documents d ON d.id = c.document_id"
     " CROSS JOIN LATERAL (SELECT coalesce(json_agg(json_build_object('id', a.id, 'name', a.name)"
     "   ORDER BY a.name, a.id), '[]') AS speakers, string_agg(a.name, '; ' ORDER BY a.name, a.id) AS names"
     "  FROM (SELECT DISTINCT t.actor_id AS id, (SELECT ac.name FROM actors ac WHERE ac.id = t.actor_id) AS "
     "name"
     "   FROM attributions t WHERE t.claim_id = c.id) a) sp"
     " UNION ALL"
     " SELECT 'e', r.id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, r.from_claim_id, r.to_claim_id, "
     "r.kind, r.rev"
     " FROM relations r WHERE r.from_claim_id = ANY ((SELECT array_agg(id) FROM nodes)::uuid[])"
     " AND r.to_claim_id = ANY ((SELECT array_agg(id) FROM nodes)::uuid[]) AND " KIND_FILTER
     " ORDER BY 1 DESC, 10, 2"},
    {NULL, NULL},
};

enum {
    T_PART,
    T_ID,
    T_TEXT,
    T_EXACT,
    T_DOCUMENT,
    T_DOCUMENT_ID,
    T_DOCUMENT_TITLE,
    T_SPEAKERS,
    T_SPEAKER_NAMES,
    T_DEPTH,
    T_SOURCE,
    T_TARGET,
    T_KIND,
    T_REV
};

static const struct graph_col thread_nodes[] = {
    {"id", T_ID, G_STRING, G_IN_ALL},
    {"rev", T_REV, G_INT, G_IN_JSON},
    {"text", T_TEXT, G_STRING, G_IN_ALL},
    {"exact", T_EXACT, G_STRING, G_IN_ALL},
    {"document", T_DOCUMENT, G_JSON, G_IN_JSON},
    {"document_id", T_DOCUMENT_ID, G_STRING, G_IN_FLAT},
    {"document_title", T_DOCUMENT_TITLE, G_STRING, G_IN_FLAT},
    {"speakers", T_SPEAKERS, G_JSON, G_IN_JSON},
    {"speakers", T_SPEAKER_NAMES, G_STRING, G_IN_FLAT},
    {"depth", T_DEPTH, G_INT, G_IN_ALL},
    {NULL, 0, G_STRING, 0},
};

static const struct graph_col thread_edges[] = {
    {"id", T_ID, G_STRING, G_IN_ALL},         {"rev", T_REV, G_INT, G_IN_JSON},
    {"source", T_SOURCE, G_STRING, G_IN_ALL}, {"target", T_TARGET, G_STRING, G_IN_ALL},
    {"kind", T_KIND, G_STRING, G_IN_ALL},     {NULL, 0, G_STRING, 0},
};

static const struct graph_shape thread_shape = {"thread", T_PART, thread_nodes, thread_edges};

static void get_thread(struct request *r)
{
    static const char *const known[] = {"depth", "kinds", "format", "part", NULL};
    enum graph_format format;
    unsigned depth;
    char kinds[256];
    const char *id = uuid_param_or_reply(r, "id");
    if (!id || !query_known_or_reply(r, known) || !graph_format_or_reply(r, &format)
        || !query_uint_or_reply(r, "depth", THREAD_DEFAULT_DEPTH, 0, THREAD_MAX_DEPTH, &depth)
        || !query_enum_list_or_reply(r, "kinds", RELATION_KINDS, kinds, sizeof kinds))
        return;
    char depth_text[16];
    snprintf(depth_text, sizeof depth_text, "%u", depth);
    const char *params[] = {id, depth_text, kinds[0] ? kinds : NULL};
    PGresult *res = db_run_or_reply(r, "claim_thread", 3, params);
    if (!res)
        return;
    if (PQntuples(res) == 0)
        reply_not_found(r, "claim", id);
    else
        reply_graph(r, res, PQntuples(res), &thread_shape, format);
    PQclear(res);
}

/* clang-format off */
static const struct route routes[] = {
    {.method = "GET", .pattern = "/v1/claims/{id}/thread", .handler = get_thread, .access = ACCESS_READ},
    {.method = NULL},
};
/* clang-format on */

const struct resource thread_resource = {.name = "threads", .routes = routes, .statements = statements};

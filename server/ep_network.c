/* GET /v1/network/actors and GET /v1/network/claims: who bears on whom.
 *
 * The actor network has an edge A -> B of kind k for each relation "x <k> y"
 * where x is spoken by A and y by B; weight is the number of such
 * relations, relation_ids the first five by id. Who speaks a claim is a
 * documented choice (README, OpenAPI):
 *  - every actor attributed the claim, except a reporter: an attribution
 *    that another attribution of the same claim is reported through (its
 *    via target, when that other one is not an endorsement) is the news
 *    outlet or author relaying the claim, not its speaker. An endorsement's
 *    via names the initiator it endorses, who stays a speaker.
 *  - endorsements count (the endorser makes the claim its own), unless
 *    endorsements=false.
 * Aggregation happens in PostgreSQL: it returns the actors and the
 * weighted edges, whatever the number of claims behind them.
 *
 * The claim network is the relations in scope and the claims at their ends.
 *
 * Both are streamed (graph_stream.h): a cursor on a connection of the
 * request's own, a batch of rows at a time, so a whole project's network
 * costs the server one batch of memory and holds no pooled connection while
 * the client reads; a document's network, when it fits in one batch, is
 * answered from the pool instead, taking no slot of slow work. The statements order nodes before edges, which lets
 * each format be written in one pass. */
#include "db.h"
#include "graph_reply.h"
#include "graph_stream.h"
#include "registry.h"
#include "reply.h"
#include "validate.h"

/* Parameters of both statements: $1 project_id, $2 relation kinds (NULL:
 * all), $3 document_id (a relation with a claim of it at either end), $4 tag
 * (likewise), $5 from and $6 to (dates: the publication date of the
 * document of the relation's from-claim, inclusive), $7 endorsements. */
#define RELATIONS_IN_SCOPE                                                                       \
    " rel AS MATERIALIZED (SELECT r.id, r.from_claim_id, r.to_claim_id, r.kind FROM relations r" \
    "  JOIN claims cf ON cf.id = r.from_claim_id JOIN claims ct ON ct.id = r.to_claim_id"        \
    "  LEFT JOIN documents df ON df.id = cf.document_id"                                         \
    "  WHERE ($1::uuid IS NULL OR r.project_id = $1::uuid)"                                      \
    "  AND ($2::relation_kind[] IS NULL OR r.kind = ANY ($2::relation_kind[]))"                  \
    "  AND ($3::uuid IS NULL OR cf.document_id = $3::uuid OR ct.document_id = $3::uuid)"         \
    "  AND ($4::text IS NULL OR cf.tags @> ARRAY[$4::text] OR ct.tags @> ARRAY[$4::text])"       \
    "  AND ($5::date IS NULL OR df.published_at >= $5::date)"                                    \
    "  AND ($6::date IS NULL OR df.published_at <= $6::date))"

/* The speakers of the claims at the ends of rel (the choice above). */
#define SPEAKERS                                                                              \
    " ends AS (SELECT from_claim_id AS claim_id FROM rel UNION SELECT to_claim_id FROM rel)," \
    " speaker AS MATERIALIZED (SELECT DISTINCT t.claim_id, t.actor_id FROM ends"              \
    "  JOIN attributions t ON t.claim_id = ends.claim_id"                                     \
    "  WHERE ($7::boolean OR t.mode <> 'endorsement')"                                        \
    "  AND NOT EXISTS (SELECT 1 FROM attributions x WHERE x.via_attribution_id = t.id"        \
    "   AND x.claim_id = t.claim_id AND x.mode <> 'endorsement'))"

static const struct db_statement statements[] = {
    {"network_actors",
     "WITH" RELATIONS_IN_SCOPE "," SPEAKERS ","
     " edge AS (SELECT sa.actor_id AS source, sb.actor_id AS target, rel.kind, count(*) AS weight,"
     "  array_to_string((array_agg(rel.id ORDER BY rel.id))[1:5], ' ') AS relation_ids"
     "  FROM rel JOIN speaker sa ON sa.claim_id = rel.from_claim_id"
     "  JOIN speaker sb ON sb.claim_id = rel.to_claim_id GROUP BY 1, 2, 3),"
     " node AS (SELECT actor_id, count(*) AS claims FROM speaker GROUP BY actor_id)"
     " SELECT 'n' AS part, a.id, a.name, a.kind::text, node.claims,"
     "  NULL::uuid, NULL::uuid, NULL::bigint, NULL::text"
     " FROM node JOIN actors a ON a.id = node.actor_id"
     " UNION ALL"
     " SELECT 'e', NULL, NULL, edge.kind::text, NULL, edge.source, edge.target, edge.weight, "
     "edge.relation_ids"
     " FROM edge"
     " ORDER BY 1 DESC, 2, 6, 7, 4"},
    {"network_claims",
     "WITH" RELATIONS_IN_SCOPE ","
     " node AS (SELECT from_claim_id AS id FROM rel UNION SELECT to_claim_id FROM rel)"
     " SELECT 'n' AS part, c.id, c.text, c.exact, c.kind::text AS kind, c.document_id, d.title,"
     "  NULL::uuid AS source, NULL::uuid AS target"
     " FROM node JOIN claims c ON c.id = node.id LEFT JOIN documents d ON d.id = c.document_id"
     " UNION ALL"
     " SELECT 'e', rel.id, NULL, NULL, rel.kind::text, NULL, NULL, rel.from_claim_id, rel.to_claim_id FROM "
     "rel"
     " ORDER BY 1 DESC, 2"},
    {NULL, NULL},
};

enum { A_PART, A_ID, A_NAME, A_KIND, A_CLAIMS, A_SOURCE, A_TARGET, A_WEIGHT, A_RELATION_IDS };

static const struct graph_col actor_nodes[] = {
    {"id", A_ID, G_STRING, G_IN_ALL},
    {"name", A_NAME, G_STRING, G_IN_ALL},
    {"kind", A_KIND, G_STRING, G_IN_ALL},
    {"claims", A_CLAIMS, G_INT, G_IN_ALL},
    {NULL, 0, G_STRING, 0},
};

static const struct graph_col actor_edges[] = {
    {"source", A_SOURCE, G_STRING, G_IN_ALL},
    {"target", A_TARGET, G_STRING, G_IN_ALL},
    {"kind", A_KIND, G_STRING, G_IN_ALL},
    {"weight", A_WEIGHT, G_INT, G_IN_ALL},
    {"relation_ids", A_RELATION_IDS, G_IDS, G_IN_ALL},
    {NULL, 0, G_STRING, 0},
};

static const struct graph_shape actor_shape = {"actors", A_PART, actor_nodes, actor_edges};

enum { C_PART, C_ID, C_TEXT, C_EXACT, C_KIND, C_DOCUMENT_ID, C_DOCUMENT_TITLE, C_SOURCE, C_TARGET };

static const struct graph_col claim_nodes[] = {
    {"id", C_ID, G_STRING, G_IN_ALL},
    {"text", C_TEXT, G_STRING, G_IN_ALL},
    {"exact", C_EXACT, G_STRING, G_IN_ALL},
    {"kind", C_KIND, G_STRING, G_IN_ALL},
    {"document_id", C_DOCUMENT_ID, G_STRING, G_IN_ALL},
    {"document_title", C_DOCUMENT_TITLE, G_STRING, G_IN_ALL},
    {NULL, 0, G_STRING, 0},
};

static const struct graph_col claim_edges[] = {
    {"id", C_ID, G_STRING, G_IN_ALL},
    {"source", C_SOURCE, G_STRING, G_IN_ALL},
    {"target", C_TARGET, G_STRING, G_IN_ALL},
    {"kind", C_KIND, G_STRING, G_IN_ALL},
    {NULL, 0, G_STRING, 0},
};

static const struct graph_shape claim_shape = {"claims", C_PART, claim_nodes, claim_edges};

/* The filters shared by both networks, as the statements' parameters. */
struct network_filters {
    const char *project_id, *document_id, *tag, *from, *to;
    char kinds[256];
    bool endorsements;
};

static bool date_or_reply(struct request *r, const char *name, const char **out)
{
    *out = request_query(r, name);
    if (!*out || date_text_valid(*out))
        return true;
    reply_error(r, MHD_HTTP_BAD_REQUEST, "invalid_date", name, "%s must be a date YYYY-MM-DD", name);
    return false;
}

static bool filters_or_reply(struct request *r, struct network_filters *f)
{
    f->tag = request_query(r, "tag");
    return query_uuid_or_reply(r, "project_id", &f->project_id)
           && query_uuid_or_reply(r, "document_id", &f->document_id)
           && query_enum_list_or_reply(r, "kinds", RELATION_KINDS, f->kinds, sizeof f->kinds)
           && date_or_reply(r, "from", &f->from) && date_or_reply(r, "to", &f->to)
           && query_bool_or_reply(r, "endorsements", true, &f->endorsements);
}

static void network(struct request *r, const struct db_statement *statement, const struct graph_shape *shape)
{
    static const char *const known[] = {"project_id", "kinds",        "document_id", "tag",  "from",
                                        "to",         "endorsements", "format",      "part", NULL};
    struct network_filters f = {0};
    enum graph_format format;
    if (!query_known_or_reply(r, known) || !filters_or_reply(r, &f) || !graph_format_or_reply(r, &format))
        return;
    const char *params[] = {f.project_id, f.kinds[0] ? f.kinds : NULL,      f.document_id, f.tag, f.from,
                            f.to,         f.endorsements ? "true" : "false"};
    /* Planned for its values (sent with its SQL): see db_exec_replanned_or_reply.
     * A document's network is small, and the page asks for one per document
     * it opens: it is served from the pool unless it turns out large. */
    reply_graph_query(r, statement, shape == &claim_shape ? 6 : 7, params, shape, format,
                      f.document_id != NULL);
}

static void actor_network(struct request *r)
{
    network(r, &statements[0], &actor_shape);
}

static void claim_network(struct request *r)
{
    network(r, &statements[1], &claim_shape);
}

/* clang-format off */
static const struct route routes[] = {
    {.method = "GET", .pattern = "/v1/network/actors", .handler = actor_network, .access = ACCESS_READ},
    {.method = "GET", .pattern = "/v1/network/claims", .handler = claim_network, .access = ACCESS_READ},
    {.method = NULL},
};
/* clang-format on */

const struct resource network_resource = {.name = "networks", .routes = routes, .statements = statements};

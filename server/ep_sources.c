/* /v1/sources and citations: what claims cite as evidence, and the links
 * from a claim to a source (with a locator and an optional span of the
 * claim's document).
 *
 * Follows ep_documents.c: validated body as one jsonb parameter, single
 * objects built by json_build_object, lists serialized in C. */
#include "citations.h"
#include "db.h"
#include "entities.h"
#include "entity_sql.h"
#include "page.h"
#include "registry.h"
#include "reply.h"
#include "resource.h"
#include "rowjson.h"
#include "span.h"
#include "validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The members every source object has; `s` is the row (entity_sql.h). */
#define SOURCE_MEMBERS SOURCE_SQL_MEMBERS("s")

#define SOURCE_JSON "json_build_object(" SOURCE_MEMBERS ")"

/* GET /v1/sources/{id} also names the publisher and counts the citations. */
#define SOURCE_DETAIL_JSON                                                              \
    "json_build_object(" SOURCE_MEMBERS ","                                             \
    " 'publisher', (SELECT json_build_object('id', p.id, 'name', p.name) FROM actors p" \
    "  WHERE p.id = s.publisher_actor_id),"                                             \
    " 'citation_count', (SELECT count(*) FROM citations c WHERE c.source_id = s.id))"

#define SOURCE_LIST_COLUMNS SOURCE_SQL_LIST("s")

static const struct col source_cols[] = {SOURCE_LIST_COLS, {NULL, COL_END}};

/* Search results: source_cols and the rank. */
static const struct col source_search_cols[] = {SOURCE_LIST_COLS, {"score", COL_NUMBER}, {NULL, COL_END}};

/* The citation as the API shows it, with its source's id, title and kind;
 * `c` is the citation, `s` its source. */
#define CITATION_JSON                          \
    "json_build_object(" CITATION_SQL_MEMBERS( \
        "c") ","                               \
             " 'source', json_build_object('id', s.id, 'title', s.title, 'kind', s.kind))"

static const struct col citation_cols[] = {
    CITATION_LIST_COLS,   {"source", COL_OBJECT}, {"id", COL_STRING}, {"title", COL_STRING},
    {"kind", COL_STRING}, {NULL, COL_END},        {NULL, COL_END},
};

static const struct db_statement statements[] = {
    {"source_create", "INSERT INTO sources AS s (" SOURCE_SQL_INSERT_COLUMNS ")"
                      " SELECT " SOURCE_SQL_INSERT_VALUES " FROM (SELECT $1::jsonb AS b) AS input"
                      " RETURNING s.id, " SOURCE_JSON},
    {"source_get", "SELECT " SOURCE_DETAIL_JSON " FROM sources s WHERE s.id = $1::uuid"},
    {"source_list", "SELECT " SOURCE_LIST_COLUMNS " FROM sources s"
                    " WHERE ($1::uuid IS NULL OR s.id > $1::uuid)"
                    " AND ($2::uuid IS NULL OR s.project_id = $2::uuid)"
                    " AND ($3::source_kind IS NULL OR s.kind = $3::source_kind)"
                    " AND ($4::uuid IS NULL OR s.publisher_actor_id = $4::uuid)"
                    " AND ($5::uuid IS NULL OR s.document_id = $5::uuid)"
                    " ORDER BY s.id LIMIT $6::int"},
    /* Ranked fuzzy search (?q=) over title and URL (source_matches) and the
     * publisher's name and aliases (actor_matches), through trigram indexes:
     * the best score of the three, then by id. $7 q; the other filters as
     * source_list ($1 after is unused: ranked lists have no next page). */
    {"source_search",
     "WITH found AS MATERIALIZED (SELECT m.id, m.score FROM source_matches(lower($7::text)) m"
     "  UNION ALL SELECT s.id, p.score FROM actor_matches(lower($7::text)) p"
     "  JOIN sources s ON s.publisher_actor_id = p.id),"
     " best AS (SELECT id, max(score) AS score FROM found GROUP BY id)"
     " SELECT " SOURCE_LIST_COLUMNS
     ", round(best.score::numeric, 3) FROM best JOIN sources s ON s.id = best.id"
     " WHERE ($2::uuid IS NULL OR s.project_id = $2::uuid)"
     " AND ($3::source_kind IS NULL OR s.kind = $3::source_kind)"
     " AND ($4::uuid IS NULL OR s.publisher_actor_id = $4::uuid)"
     " AND ($5::uuid IS NULL OR s.document_id = $5::uuid)"
     " AND ($1::uuid IS NULL OR true)"
     " ORDER BY best.score DESC, s.id LIMIT $6::int"},
    {"source_patch", "UPDATE sources s SET " SOURCE_SQL_UPDATE(
                         "s") " FROM (SELECT $2::jsonb AS b) AS input WHERE s.id = $1::uuid"
                              " RETURNING " SOURCE_JSON},
    {"source_delete", "DELETE FROM sources WHERE id = $1::uuid RETURNING id"},

    /* $1 claim, $2 its project (NULL: the claim's), $3 the body, $4 the
     * resolved span. No row when the source is not one of the claim's
     * project: the caller names the field. */
    {"citation_insert",
     "WITH ins AS (INSERT INTO citations (project_id, claim_id, source_id, locator, span, annotator)"
     " SELECT k.project_id, k.id, src.id, b->>'locator', $4::jsonb, b->>'annotator'"
     " FROM (SELECT $3::jsonb AS b) AS input"
     " JOIN claims k ON k.id = $1::uuid AND ($2::uuid IS NULL OR k.project_id = $2::uuid)"
     " JOIN sources src ON src.id = (b->>'source_id')::uuid AND src.project_id = k.project_id"
     " RETURNING *)"
     " SELECT c.id, " CITATION_JSON " FROM ins c JOIN sources s ON s.id = c.source_id"},
    {"citation_get", "SELECT " CITATION_JSON " FROM citations c JOIN sources s ON s.id = c.source_id"
                     " WHERE c.id = $1::uuid"},
    {"citation_delete", "DELETE FROM citations WHERE id = $1::uuid RETURNING id"},
    /* The claim's row comes back even without citations (then with a NULL
     * citation), so one round trip tells an unknown claim (no row) apart. */
    {"citation_list_of_claim",
     "SELECT " CITATION_SQL_LIST(
         "c") ", s.id, s.title, s.kind"
              " FROM claims k LEFT JOIN (citations c JOIN sources s ON s.id = c.source_id)"
              "  ON c.claim_id = k.id AND ($2::uuid IS NULL OR c.id > $2::uuid)"
              " WHERE k.id = $1::uuid ORDER BY c.id LIMIT $3::int"},
    {NULL, NULL},
};

/* ---------------------------------------------------------------- sources */

static void create_source(struct request *r)
{
    reply_create_from_body(r, "source_create", ENTITY_SOURCE.fields, "/v1/sources");
}

static void get_source(struct request *r)
{
    reply_get_by_id(r, "source_get", "source");
}

static void list_sources(struct request *r)
{
    static const char *const known[] = {"limit",       "after", "project_id", "kind", "publisher_actor_id",
                                        "document_id", "q",     NULL};
    struct page pg;
    const char *project_id, *kind, *publisher, *document_id;
    if (!query_known_or_reply(r, known) || !page_by_id_or_reply(r, &pg)
        || !query_uuid_or_reply(r, "project_id", &project_id)
        || !query_enum_or_reply(r, "kind", SOURCE_KINDS, &kind)
        || !query_uuid_or_reply(r, "publisher_actor_id", &publisher)
        || !query_uuid_or_reply(r, "document_id", &document_id))
        return;
    const char *q = request_query(r, "q");
    if (q && (!q[0] || pg.after[0])) {
        reply_error(r, MHD_HTTP_BAD_REQUEST, "invalid_parameter", "q",
                    "q must not be empty, and is ranked (the best `limit` matches, no next page): it does"
                    " not combine with after");
        return;
    }
    const char *params[] = {pg.after[0], project_id, kind, publisher, document_id, pg.fetch, q};
    if (!q) {
        reply_page_of(r, "source_list", 6, params, &pg, source_cols, PAGE_KEY_ID, 1);
        return;
    }
    PGresult *res = db_run_or_reply(r, "source_search", 7, params);
    if (!res)
        return;
    reply_ranked_page(r, res, &pg, source_search_cols);
    PQclear(res);
}

static void patch_source(struct request *r)
{
    reply_patch_from_body(r, "source_patch", ENTITY_SOURCE.fields, "source");
}

static void delete_source(struct request *r)
{
    reply_delete_by_id(r, "source_delete", "source");
}

/* ---------------------------------------------------------------- citations */

bool citation_check_or_reply(struct request *r, const json_t *body, const char *prefix, const char *doc_text,
                             size_t doc_len, bool check_span, char **span_out)
{
    char field[256];
    *span_out = NULL;
    if (!json_is_object(body)) {
        /* "citations[0]." names the element "citations[0]". */
        size_t n = strlen(prefix);
        snprintf(field, sizeof field, "%.*s", (int)(n && prefix[n - 1] == '.' ? n - 1 : n), prefix);
        reply_error(r, MHD_HTTP_BAD_REQUEST, "invalid_type", n ? field : NULL,
                    "a citation must be an object");
        return false;
    }
    bool ok = fields_valid_or_reply(r, body, prefix, ENTITY_CITATION.fields, VALIDATE_CREATE);
    const json_t *span = json_object_get(body, "span");
    if (!reply_go_on(r, ok) || !check_span || !json_is_object(span)
        || !fields_member_ok(body, "span", ENTITY_CITATION.fields, VALIDATE_CREATE))
        return ok;
    snprintf(field, sizeof field, "%sspan", prefix);
    if (!doc_text) {
        reply_error(r, 422, "no_document", field,
                    "%s: the claim has no document, so a citation of it cannot have a span", field);
        return false;
    }
    json_t *resolved = span_from_body_or_reply(r, span, field, doc_text, doc_len);
    if (!resolved)
        return false;
    if (ok)
        *span_out = json_text(resolved);
    json_decref(resolved);
    return ok;
}

/* Inserts a checked citation; returns the result (column 0 the id, 1 the
 * JSON; the caller clears it) or NULL after replying. See citations.h. */
static PGresult *citation_insert(struct request *r, PGconn *conn, const char *claim_id,
                                 const char *project_id, const json_t *body, const char *prefix,
                                 const char *span)
{
    char *body_text = json_text(body);
    const char *params[] = {claim_id, project_id, body_text, span};
    PGresult *res = db_exec_or_reply(r, conn, "citation_insert", 4, params);
    free(body_text);
    if (res && PQntuples(res) == 0) {
        PQclear(res);
        char field[256];
        snprintf(field, sizeof field, "%ssource_id", prefix);
        reply_error(r, 422, "unknown_reference", field, "%s does not name a source of the claim's project",
                    field);
        return NULL;
    }
    return res;
}

bool citation_insert_or_reply(struct request *r, PGconn *conn, const char *claim_id, const char *project_id,
                              const json_t *body, const char *prefix, const char *span)
{
    PGresult *res = citation_insert(r, conn, claim_id, project_id, body, prefix, span);
    bool inserted = res != NULL;
    PQclear(res);
    return inserted;
}

static void create_citation(struct request *r)
{
    const char *claim_id = uuid_param_or_reply(r, "id");
    if (!claim_id || !fields_valid_or_reply(r, r->json, "", ENTITY_CITATION.fields, VALIDATE_CREATE))
        return;
    PGconn *conn = db_conn_or_reply(r);
    if (!conn)
        return;
    const json_t *span = json_object_get(r->json, "span");
    PGresult *claim = span_claim_or_reply(r, conn, claim_id, json_is_object(span));
    if (!claim)
        return;
    char *span_text = NULL;
    reply_collect_begin(r);
    citation_check_or_reply(r, r->json, "", PQgetisnull(claim, 0, 1) ? NULL : PQgetvalue(claim, 0, 1),
                            (size_t)PQgetlength(claim, 0, 1), true, &span_text);
    PGresult *res = reply_collect_end(r)
                        ? citation_insert(r, conn, claim_id, PQgetvalue(claim, 0, 0), r->json, "", span_text)
                        : NULL;
    free(span_text);
    PQclear(claim);
    if (res)
        reply_created_row(r, res, "/v1/citations");
}

static void list_claim_citations(struct request *r)
{
    reply_child_page(r, "citation_list_of_claim", "claim", citation_cols);
}

static void get_citation(struct request *r)
{
    reply_get_by_id(r, "citation_get", "citation");
}

static void delete_citation(struct request *r)
{
    reply_delete_by_id(r, "citation_delete", "citation");
}

/* clang-format off */
static const struct route routes[] = {
    {.method = "POST",   .pattern = "/v1/sources",               .handler = create_source,        .body = BODY_JSON, .access = ACCESS_CURATE},
    {.method = "GET",    .pattern = "/v1/sources",               .handler = list_sources,                            .access = ACCESS_READ},
    {.method = "GET",    .pattern = "/v1/sources/{id}",          .handler = get_source,                              .access = ACCESS_READ},
    {.method = "PATCH",  .pattern = "/v1/sources/{id}",          .handler = patch_source,         .body = BODY_JSON, .access = ACCESS_CURATE},
    {.method = "DELETE", .pattern = "/v1/sources/{id}",          .handler = delete_source,                           .access = ACCESS_CURATE},
    {.method = "POST",   .pattern = "/v1/claims/{id}/citations", .handler = create_citation,      .body = BODY_JSON, .access = ACCESS_ANNOTATE},
    {.method = "GET",    .pattern = "/v1/claims/{id}/citations", .handler = list_claim_citations,                    .access = ACCESS_READ},
    {.method = "GET",    .pattern = "/v1/citations/{id}",        .handler = get_citation,                            .access = ACCESS_READ},
    {.method = "DELETE", .pattern = "/v1/citations/{id}",        .handler = delete_citation,                         .access = ACCESS_ANNOTATE},
    {.method = NULL},
};
/* clang-format on */

const struct resource source_resource = {.name = "sources", .routes = routes, .statements = statements};

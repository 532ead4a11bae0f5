/* /v1/claims/{id}/attributions and /v1/attributions: who asserts a claim, in
 * what role, with which cue and mode, and through whom it is reported (via).
 * GET /v1/attributions lists them across claims (who said what, with which
 * cue), each with its actor and its claim's text.
 *
 * Spans (source_span, cue_span) are resolved against the claim's document
 * and stored whole. References are checked inside the insert/update
 * statement itself, so an unknown actor or via is reported with the field as
 * the client named it (inline attributions carry "attributions[i].") rather
 * than as a bare constraint. */
#include "attributions.h"

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

/* The attribution with its actor and, when reported through another
 * attribution, that one's actor; `a` the row, `ac` its actor, `v` the via
 * row and `va` the via's actor (both LEFT JOINed). */
#define ATTRIBUTION_JSON                                                                   \
    "json_build_object(" ATTRIBUTION_SQL_MEMBERS(                                          \
        "a") ","                                                                           \
             " 'actor', json_build_object('id', ac.id, 'name', ac.name, 'kind', ac.kind)," \
             " 'via', CASE WHEN v.id IS NULL THEN NULL"                                    \
             " ELSE json_build_object('id', v.id, 'actor_id', v.actor_id, 'actor_name', va.name) END)"

#define ATTRIBUTION_JOINS                                      \
    " LEFT JOIN actors ac ON ac.id = a.actor_id"               \
    " LEFT JOIN attributions v ON v.id = a.via_attribution_id" \
    " LEFT JOIN actors va ON va.id = v.actor_id"

/* Does the via chain starting at the attribution named in b reach $1? (A
 * PATCH must not close a loop of reports.) */
#define VIA_REACHES_SELF                                                                           \
    "EXISTS (WITH RECURSIVE chain(id, via) AS ("                                                   \
    " SELECT x.id, x.via_attribution_id FROM attributions x"                                       \
    " WHERE x.id = (b->>'via_attribution_id')::uuid"                                               \
    " UNION SELECT x.id, x.via_attribution_id FROM attributions x JOIN chain ON x.id = chain.via)" \
    " SELECT 1 FROM chain WHERE chain.id = $1::uuid)"

/* List columns, in list_cols order. */
#define ATTRIBUTION_LIST_COLUMNS ATTRIBUTION_SQL_LIST("a") ", ac.id AS actor_key, ac.name, ac.kind"

static const struct col list_cols[] = {
    ATTRIBUTION_LIST_COLS, {"actor", COL_OBJECT}, {"id", COL_STRING}, {"name", COL_STRING},
    {"kind", COL_STRING},  {NULL, COL_END},       {NULL, COL_END},
};

/* GET /v1/attributions items: list_cols plus the claim, in search_cols order. */
#define ATTRIBUTION_SEARCH_COLUMNS ATTRIBUTION_LIST_COLUMNS ", c.id AS claim_key, c.text, c.document_id"

static const struct col search_cols[] = {
    ATTRIBUTION_LIST_COLS,       {"actor", COL_OBJECT}, {"id", COL_STRING},
    {"name", COL_STRING},        {"kind", COL_STRING},  {NULL, COL_END},
    {"claim", COL_OBJECT},       {"id", COL_STRING},    {"text", COL_STRING},
    {"document_id", COL_STRING}, {NULL, COL_END},       {NULL, COL_END},
};

/* GET /v1/attributions: the joined rows (named by search_cols) ... */
#define ATTRIBUTION_ROWS                                        \
    "SELECT " ATTRIBUTION_SEARCH_COLUMNS " FROM attributions a" \
    " JOIN actors ac ON ac.id = a.actor_id JOIN claims c ON c.id = a.claim_id"

/* ... filtered and paged. Parameters, the same in every variant: $1 after,
 * $2 limit, $3 actor_id, $4 claim_id, $5 document_id, $6 mode, $7 role,
 * $8 actor_kind, $9 project_id, $10 polarity, $11 factuality, $12 said_at
 * (a prefix: 2022 gives every date in 2022). role is matched with strpos rather than
 * LIKE so that % _ \ in it are plain characters. */
#define ATTRIBUTION_FILTERS                                                                    \
    " WHERE ($1::uuid IS NULL OR r.id > $1::uuid)"                                             \
    " AND ($3::uuid IS NULL OR r.actor_id = $3::uuid)"                                         \
    " AND ($4::uuid IS NULL OR r.claim_id = $4::uuid)"                                         \
    " AND ($5::uuid IS NULL OR r.document_id = $5::uuid)"                                      \
    " AND ($6::attribution_mode IS NULL OR r.mode = $6::attribution_mode)"                     \
    " AND ($7::text IS NULL OR strpos(lower(r.role), lower($7::text)) > 0)"                    \
    " AND ($8::actor_kind IS NULL OR r.kind = $8::actor_kind)"                                 \
    " AND ($9::uuid IS NULL OR r.project_id = $9::uuid)"                                       \
    " AND ($10::attribution_polarity IS NULL OR r.polarity = $10::attribution_polarity)"       \
    " AND ($11::attribution_factuality IS NULL OR r.factuality = $11::attribution_factuality)" \
    " AND ($12::text IS NULL OR starts_with(r.said_at, $12::text))"                            \
    " ORDER BY r.id LIMIT $2::int"

/* The variant for a named claim, actor or document: its rows first, found
 * with a plain equality on attributions_claim, attributions_actor or
 * claims_document and planned on their own (MATERIALIZED). Inline, a generic
 * plan, whose estimates the optional filters shrink to one row, reads every
 * attribution or probes an index once per actor or claim (0.3 s to 3 s
 * instead of 5 ms at 150k attributions). */
#define ATTRIBUTION_ROWS_FIRST(condition) \
    "WITH r AS MATERIALIZED (" ATTRIBUTION_ROWS " WHERE " condition ") SELECT * FROM r" ATTRIBUTION_FILTERS

static const struct db_statement statements[] = {
    /* $1 claim, $2 project, $3 body, $4 resolved source_span, $5 resolved
     * cue_span. Returns one row: the new attribution (id, JSON) or NULLs,
     * and whether actor and via name rows of the project. */
    {"attribution_create",
     "WITH input AS (SELECT $3::jsonb AS b, $4::jsonb AS source_in, $5::jsonb AS cue_in),"
     " checks AS (SELECT"
     "  EXISTS (SELECT 1 FROM actors x WHERE x.id = (b->>'actor_id')::uuid AND x.project_id = $2::uuid) AS "
     "actor_ok,"
     "  (b->>'via_attribution_id') IS NULL OR EXISTS (SELECT 1 FROM attributions x"
     "   WHERE x.id = (b->>'via_attribution_id')::uuid AND x.project_id = $2::uuid"
     "   AND x.claim_id = $1::uuid) AS via_ok"
     "  FROM input),"
     " created AS (INSERT INTO attributions (project_id, claim_id, " ATTRIBUTION_SQL_INSERT_COLUMNS ")"
     "  SELECT $2::uuid, $1::uuid, " ATTRIBUTION_SQL_INSERT_VALUES
     "  FROM input, checks WHERE actor_ok AND via_ok"
     "  RETURNING *)"
     " SELECT a.id, " ATTRIBUTION_JSON ", checks.actor_ok, checks.via_ok"
     " FROM checks LEFT JOIN created a ON true" ATTRIBUTION_JOINS},
    {"attribution_get",
     "SELECT " ATTRIBUTION_JSON " FROM attributions a" ATTRIBUTION_JOINS " WHERE a.id = $1::uuid"},
    /* The claim's project and, when $2, its document's text (NULL when the
     * claim has no document). No row: no such claim. */
    /* As span_claim (span.c), reached from an attribution. */
    {"attribution_document", "SELECT c.project_id, CASE WHEN $2::bool THEN d.text END"
                             " FROM attributions a JOIN claims c ON c.id = a.claim_id"
                             " LEFT JOIN documents d ON d.id = c.document_id WHERE a.id = $1::uuid"},
    /* A claim's attributions by id; one row of NULLs when the claim has none,
     * no row when there is no such claim. */
    {"attribution_list",
     "SELECT page.* FROM claims c LEFT JOIN LATERAL ("
     " SELECT " ATTRIBUTION_LIST_COLUMNS " FROM attributions a JOIN actors ac ON ac.id = a.actor_id"
     " WHERE a.claim_id = c.id AND ($2::uuid IS NULL OR a.id > $2::uuid)"
     " ORDER BY a.id LIMIT $3::int) page ON true"
     " WHERE c.id = $1::uuid ORDER BY page.id"},
    {"attribution_search", "SELECT * FROM (" ATTRIBUTION_ROWS ") r" ATTRIBUTION_FILTERS},
    {"attribution_search_by_claim", ATTRIBUTION_ROWS_FIRST("a.claim_id = $4::uuid")},
    {"attribution_search_by_actor", ATTRIBUTION_ROWS_FIRST("a.actor_id = $3::uuid")},
    {"attribution_search_by_document", ATTRIBUTION_ROWS_FIRST("c.document_id = $5::uuid")},
    /* $1 id, $2 body, $3/$4 resolved spans. No row: no such attribution;
     * otherwise the updated row (or NULLs) and the reference checks. */
    {"attribution_patch",
     "WITH input AS (SELECT $2::jsonb AS b, $3::jsonb AS source_in, $4::jsonb AS cue_in),"
     " existing AS (SELECT x.project_id, x.claim_id FROM attributions x WHERE x.id = $1::uuid),"
     " checks AS (SELECT"
     "  NOT (b ? 'actor_id') OR EXISTS (SELECT 1 FROM actors x"
     "   WHERE x.id = (b->>'actor_id')::uuid AND x.project_id = existing.project_id) AS actor_ok,"
     "  (b->>'via_attribution_id') IS NULL OR EXISTS (SELECT 1 FROM attributions x"
     "   WHERE x.id = (b->>'via_attribution_id')::uuid AND x.project_id = existing.project_id"
     "   AND x.claim_id = existing.claim_id) AS via_ok,"
     "  (b->>'via_attribution_id') IS NULL OR NOT " VIA_REACHES_SELF " AS acyclic"
     "  FROM input, existing),"
     " updated AS (UPDATE attributions t SET " ATTRIBUTION_SQL_UPDATE(
         "t") "  FROM input, checks WHERE t.id = $1::uuid AND actor_ok AND via_ok AND acyclic"
              "  RETURNING t.*)"
              " SELECT a.id, " ATTRIBUTION_JSON ", checks.actor_ok, checks.via_ok, checks.acyclic"
              " FROM checks LEFT JOIN updated a ON true" ATTRIBUTION_JOINS},
    {"attribution_delete", "DELETE FROM attributions WHERE id = $1::uuid RETURNING id"},
    {NULL, NULL},
};

static bool has_span(const json_t *body)
{
    return json_is_object(json_object_get(body, "source_span"))
           || json_is_object(json_object_get(body, "cue_span"));
}

/* Resolves body member `name` (a span or null) against the claim's
 * document; *out gets the stored span as JSON text (caller frees), or NULL
 * when the member is absent or null. Returns false after replying. */
static bool span_param_or_reply(struct request *r, const json_t *body, const char *name, const char *prefix,
                                const char *doc_text, size_t doc_len, char **out)
{
    const json_t *given = json_object_get(body, name);
    *out = NULL;
    if (!json_is_object(given))
        return true;
    char field[160];
    snprintf(field, sizeof field, "%s%s", prefix, name);
    if (!doc_text) {
        reply_error(r, 422, "no_document", field,
                    "%s: the claim is not anchored in a document, so it has no text to point into", field);
        return false;
    }
    json_t *span = span_from_body_or_reply(r, given, field, doc_text, doc_len);
    if (!span)
        return false;
    *out = json_text(span);
    json_decref(span);
    return true;
}

/* Replies 422 for the first failed reference check among columns
 * [first, first + 2) of row 0 (actor_ok, via_ok) and returns false; true
 * when both hold. */
static bool references_ok_or_reply(struct request *r, const PGresult *res, int first, const char *prefix)
{
    static const char *const fields[] = {"actor_id", "via_attribution_id"};
    static const char *const what[] = {"an actor of this project", "an attribution of the same claim"};
    for (int i = 0; i < 2; i++) {
        if (PQgetvalue(res, 0, first + i)[0] == 't')
            continue;
        char field[160];
        snprintf(field, sizeof field, "%s%s", prefix, fields[i]);
        reply_error(r, 422, "unknown_reference", field, "%s does not name %s", field, what[i]);
        return false;
    }
    return true;
}

bool attribution_check_or_reply(struct request *r, const json_t *body, const char *prefix,
                                const char *doc_text, size_t doc_len, bool check_spans,
                                struct attribution_spans *out)
{
    out->source_span = out->cue_span = NULL;
    if (!json_is_object(body)) {
        /* Name the item itself: prefix "attributions[1]." gives "attributions[1]". */
        char field[160];
        snprintf(field, sizeof field, "%s", prefix[0] ? prefix : "body.");
        field[strlen(field) - 1] = '\0';
        reply_error(r, MHD_HTTP_BAD_REQUEST, "invalid_type", field, "%s must be an object", field);
        return false;
    }
    bool ok = fields_valid_or_reply(r, body, prefix, ENTITY_ATTRIBUTION.fields, VALIDATE_CREATE);
    if (!reply_go_on(r, ok) || !check_spans)
        return ok;
    /* Each span on its own: a bad one does not hide the other's problem. */
    static const char *const spans[] = {"source_span", "cue_span"};
    char **dest[] = {&out->source_span, &out->cue_span};
    for (size_t i = 0; i < 2; i++) {
        if (!fields_member_ok(body, spans[i], ENTITY_ATTRIBUTION.fields, VALIDATE_CREATE))
            continue; /* its problem is reported already */
        bool resolved = span_param_or_reply(r, body, spans[i], prefix, doc_text, doc_len, dest[i]);
        ok = ok && resolved;
        if (!reply_go_on(r, ok))
            break;
    }
    if (!ok)
        attribution_spans_free(out);
    return ok;
}

void attribution_spans_free(struct attribution_spans *s)
{
    free(s->source_span);
    free(s->cue_span);
    s->source_span = s->cue_span = NULL;
}

/* The insert of a checked body: returns the attribution_create result (id,
 * JSON) or NULL after replying. */
static PGresult *insert_attribution(struct request *r, PGconn *conn, const char *claim_id,
                                    const char *project_id, const json_t *body, const char *prefix,
                                    const struct attribution_spans *spans)
{
    char *text = json_text(body);
    const char *params[] = {claim_id, project_id, text, spans->source_span, spans->cue_span};
    PGresult *res = db_exec_or_reply(r, conn, "attribution_create", 5, params);
    free(text);
    if (res && !references_ok_or_reply(r, res, 2, prefix)) {
        PQclear(res);
        return NULL;
    }
    return res;
}

bool attribution_insert_or_reply(struct request *r, PGconn *conn, const char *claim_id,
                                 const char *project_id, const json_t *body, const char *prefix,
                                 const struct attribution_spans *spans, char id_out[37])
{
    PGresult *res = insert_attribution(r, conn, claim_id, project_id, body, prefix, spans);
    if (res && id_out)
        snprintf(id_out, 37, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    return res != NULL;
}

/* The claim (or attribution) row an attribution hangs on: project in column
 * 0, the document text in column 1 when fetched. NULL after replying 404. */
static PGresult *anchor_row_or_reply(struct request *r, PGconn *conn, const char *statement, const char *id,
                                     bool with_text, const char *what)
{
    const char *params[] = {id, with_text ? "true" : "false"};
    PGresult *res = db_exec_or_reply(r, conn, statement, 2, params);
    if (res && PQntuples(res) == 0) {
        PQclear(res);
        reply_not_found(r, what, id);
        return NULL;
    }
    return res;
}

static void create_attribution(struct request *r)
{
    const char *claim_id = uuid_param_or_reply(r, "id");
    PGconn *conn = claim_id ? db_conn_or_reply(r) : NULL;
    if (!conn)
        return;
    PGresult *claim = span_claim_or_reply(r, conn, claim_id, has_span(r->json));
    if (!claim)
        return;
    bool no_text = PQgetisnull(claim, 0, 1);
    struct attribution_spans spans;
    reply_collect_begin(r);
    attribution_check_or_reply(r, r->json, "", no_text ? NULL : PQgetvalue(claim, 0, 1),
                               (size_t)PQgetlength(claim, 0, 1), true, &spans);
    PGresult *res = reply_collect_end(r)
                        ? insert_attribution(r, conn, claim_id, PQgetvalue(claim, 0, 0), r->json, "", &spans)
                        : NULL;
    attribution_spans_free(&spans);
    PQclear(claim);
    if (res)
        reply_created_row(r, res, "/v1/attributions");
}

static void list_claim_attributions(struct request *r)
{
    reply_child_page(r, "attribution_list", "claim", list_cols);
}

static void list_attributions(struct request *r)
{
    static const char *const known[] = {"limit",      "after",   "actor_id",   "claim_id",   "document_id",
                                        "mode",       "role",    "actor_kind", "project_id", "polarity",
                                        "factuality", "said_at", NULL};
    struct page pg;
    const char *actor_id, *claim_id, *document_id, *mode, *actor_kind, *project_id, *polarity, *factuality;
    if (!query_known_or_reply(r, known) || !page_by_id_or_reply(r, &pg)
        || !query_uuid_or_reply(r, "actor_id", &actor_id) || !query_uuid_or_reply(r, "claim_id", &claim_id)
        || !query_uuid_or_reply(r, "document_id", &document_id)
        || !query_enum_or_reply(r, "mode", ATTRIBUTION_MODES, &mode)
        || !query_enum_or_reply(r, "actor_kind", ACTOR_KINDS, &actor_kind)
        || !query_enum_or_reply(r, "polarity", ATTRIBUTION_POLARITIES, &polarity)
        || !query_enum_or_reply(r, "factuality", ATTRIBUTION_FACTUALITIES, &factuality)
        || !query_uuid_or_reply(r, "project_id", &project_id))
        return;
    const char *params[] = {pg.after[0],
                            pg.fetch,
                            actor_id,
                            claim_id,
                            document_id,
                            mode,
                            request_query(r, "role"),
                            actor_kind,
                            project_id,
                            polarity,
                            factuality,
                            request_query(r, "said_at")};
    const char *statement = claim_id      ? "attribution_search_by_claim"
                            : actor_id    ? "attribution_search_by_actor"
                            : document_id ? "attribution_search_by_document"
                                          : "attribution_search";
    reply_page_of(r, statement, 12, params, &pg, search_cols, PAGE_KEY_ID, 1);
}

static void get_attribution(struct request *r)
{
    reply_get_by_id(r, "attribution_get", "attribution");
}

static void patch_attribution(struct request *r)
{
    const char *id = uuid_param_or_reply(r, "id");
    if (!id)
        return;
    /* claim_id and project_id are set once: 409 immutable (fields_check). */
    if (!fields_valid_or_reply(r, r->json, "", ENTITY_ATTRIBUTION.fields, VALIDATE_PATCH))
        return;
    PGconn *conn = db_conn_or_reply(r);
    if (!conn)
        return;
    char *source_span = NULL, *cue_span = NULL;
    if (has_span(r->json)) {
        PGresult *claim = anchor_row_or_reply(r, conn, "attribution_document", id, true, "attribution");
        if (!claim)
            return;
        const char *doc_text = PQgetisnull(claim, 0, 1) ? NULL : PQgetvalue(claim, 0, 1);
        size_t doc_len = (size_t)PQgetlength(claim, 0, 1);
        bool ok = span_param_or_reply(r, r->json, "source_span", "", doc_text, doc_len, &source_span)
                  && span_param_or_reply(r, r->json, "cue_span", "", doc_text, doc_len, &cue_span);
        PQclear(claim);
        if (!ok) {
            free(source_span);
            return;
        }
    }
    char *body = json_text(r->json);
    const char *params[] = {id, body, source_span, cue_span};
    PGresult *res = db_exec_or_reply(r, conn, "attribution_patch", 4, params);
    free(body);
    free(source_span);
    free(cue_span);
    if (!res)
        return;
    if (PQntuples(res) == 0)
        reply_not_found(r, "attribution", id);
    else if (!references_ok_or_reply(r, res, 2, ""))
        ;
    else if (PQgetvalue(res, 0, 4)[0] != 't')
        reply_error(r, 422, "via_cycle", "via_attribution_id",
                    "via_attribution_id would make the attribution reported through itself");
    else {
        reply_json_copy(r, MHD_HTTP_OK, PQgetvalue(res, 0, 1), (size_t)PQgetlength(res, 0, 1));
        reply_etag(r, PQgetvalue(res, 0, 1), (size_t)PQgetlength(res, 0, 1));
    }
    PQclear(res);
}

static void delete_attribution(struct request *r)
{
    /* Rows still pointing at it give 409 still_referenced, worded in errors.c. */
    reply_delete_by_id(r, "attribution_delete", "attribution");
}

/* clang-format off */
static const struct route routes[] = {
    {.method = "POST",   .pattern = "/v1/claims/{id}/attributions", .handler = create_attribution,      .body = BODY_JSON, .access = ACCESS_ANNOTATE},
    {.method = "GET",    .pattern = "/v1/claims/{id}/attributions", .handler = list_claim_attributions,                    .access = ACCESS_READ},
    {.method = "GET",    .pattern = "/v1/attributions",             .handler = list_attributions,                          .access = ACCESS_READ},
    {.method = "GET",    .pattern = "/v1/attributions/{id}",        .handler = get_attribution,                            .access = ACCESS_READ},
    {.method = "PATCH",  .pattern = "/v1/attributions/{id}",        .handler = patch_attribution,       .body = BODY_JSON, .access = ACCESS_ANNOTATE},
    {.method = "DELETE", .pattern = "/v1/attributions/{id}",        .handler = delete_attribution,                         .access = ACCESS_ANNOTATE},
    {.method = NULL},
};
/* clang-format on */

const struct resource attribution_resource = {
    .name = "attributions", .routes = routes, .statements = statements};

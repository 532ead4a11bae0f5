/* /v1/claims and /v1/documents/{id}/claims: assertions anchored to a span of
 * a document (or, known only through reports, to none).
 *
 * A claim's target is resolved against its document's text with span.h and
 * stored whole ({start,end,exact,prefix,suffix}, and the segments of a
 * discontinuous one). POST may carry the claim's
 * attributions and citations inline; they are created in the same
 * transaction. GET /v1/claims/{id} is the claim as a researcher reads it:
 * one statement embedding its document, attributions with actors, citations
 * with sources, and the relations in both directions with the other claim's
 * text and speakers. */
#include "attributions.h"
#include "citations.h"
#include "codebook.h"
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

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define UUID_TEXT_SIZE 37

/* The actors asserting the claim with id `claim`, each once. */
#define SPEAKERS_JSON(claim)                                                               \
    "coalesce((SELECT json_agg(json_build_object('id', sp.id, 'name', sp.name)"            \
    " ORDER BY sp.name, sp.id) FROM (SELECT DISTINCT sa.id, sa.name FROM attributions sat" \
    " JOIN actors sa ON sa.id = sat.actor_id WHERE sat.claim_id = " claim ") sp), '[]')"

/* A relation `rel` with the claim `o` at its other end. */
#define RELATION_JSON                                                                                  \
    "json_build_object(" RELATION_SQL_MEMBERS(                                                         \
        "rel") ","                                                                                     \
               " 'claim', json_build_object('id', o.id, 'text', o.text, 'document_id', o.document_id," \
               " 'speakers', " SPEAKERS_JSON("o.id") "))"

/* The claim `c` with everything a reader needs, in one object. */
#define CLAIM_JSON                                                                                           \
    "json_build_object(" CLAIM_SQL_MEMBERS(                                                                  \
        "c") ","                                                                                             \
             " 'document', (SELECT json_build_object('id', d.id, 'title', d.title)"                          \
             "  FROM documents d WHERE d.id = c.document_id),"                                               \
             " 'attributions', coalesce((SELECT json_agg(json_build_object(" ATTRIBUTION_SQL_MEMBERS(        \
                 "a") ","                                                                                    \
                      "  'actor', json_build_object('id', ac.id, 'name', ac.name, 'kind', ac.kind)) ORDER "  \
                      "BY a.id)"                                                                             \
                      "  FROM attributions a JOIN actors ac ON ac.id = a.actor_id WHERE a.claim_id = "       \
                      "c.id), '[]'),"                                                                        \
                      " 'citations', coalesce((SELECT json_agg(json_build_object(" CITATION_SQL_MEMBERS(     \
                          "ci") ","                                                                          \
                                "  'source', json_build_object('id', s.id, 'title', s.title, 'kind', "       \
                                "s.kind)) ORDER BY ci.id)"                                                   \
                                "  FROM citations ci JOIN sources s ON s.id = ci.source_id WHERE "           \
                                "ci.claim_id = c.id), '[]'),"                                                \
                                " 'relations', json_build_object("                                           \
                                "  'outgoing', coalesce((SELECT json_agg(" RELATION_JSON " ORDER BY rel.id)" \
                                "   FROM relations rel JOIN claims o ON o.id = rel.to_claim_id"              \
                                "   WHERE rel.from_claim_id = c.id), '[]'),"                                 \
                                "  'incoming', coalesce((SELECT json_agg(" RELATION_JSON " ORDER BY rel.id)" \
                                "   FROM relations rel JOIN claims o ON o.id = rel.from_claim_id"            \
                                "   WHERE rel.to_claim_id = c.id), '[]')))"

/* List items: the flat claim (every stored field, entity_sql.h), in list_cols order. */
#define CLAIM_LIST_COLUMNS CLAIM_SQL_LIST("c")

static const struct col list_cols[] = {CLAIM_LIST_COLS, {NULL, COL_END}};

/* GET /v1/claims filters. Parameters, the same in every variant: $1 after,
 * $2 limit, $3 document_id, $4 actor_id, $5 tag, $6 kind, $7 relation,
 * $8 annotator, $9 created_after, $10 created_before, $11 project_id, $12 q,
 * $13 tag_prefix (a tag starting with it: topic/ gives every topic tag).
 * q matches as GET /v1/search does (ep_search.c): full text in websearch
 * syntax, or as the start of a word ignoring case; the list keeps its id
 * order. */
#define CLAIM_FILTERS_REST                                                                            \
    " AND ($1::uuid IS NULL OR c.id > $1::uuid)"                                                      \
    " AND ($5::text IS NULL OR c.tags @> ARRAY[$5::text])"                                            \
    " AND ($13::text IS NULL OR EXISTS (SELECT 1 FROM unnest(c.tags) AS ct(tag)"                      \
    "  WHERE starts_with(ct.tag, $13::text)))"                                                        \
    " AND ($6::claim_kind IS NULL OR c.kind = $6::claim_kind)"                                        \
    " AND ($7::relation_kind IS NULL OR EXISTS (SELECT 1 FROM relations rel"                          \
    "  WHERE rel.kind = $7::relation_kind AND (rel.from_claim_id = c.id OR rel.to_claim_id = c.id)))" \
    " AND ($8::text IS NULL OR c.annotator = $8::text)"                                               \
    " AND ($9::timestamptz IS NULL OR c.created_at >= $9::timestamptz)"                               \
    " AND ($10::timestamptz IS NULL OR c.created_at < $10::timestamptz)"                              \
    " AND ($11::uuid IS NULL OR c.project_id = $11::uuid)"                                            \
    " AND ($12::text IS NULL OR c.search @@ (SELECT claimdb_tsquery($12::text))"                      \
    "  OR " CLAIM_WORDS_SQL " ~* (SELECT claimdb_prefix_regex($12::text)))"                           \
    " ORDER BY c.id LIMIT $2::int"

#define DOCUMENT_FILTER_OPTIONAL " AND ($3::uuid IS NULL OR c.document_id = $3::uuid)"
#define ACTOR_FILTER_OPTIONAL                                        \
    " AND ($4::uuid IS NULL OR EXISTS (SELECT 1 FROM attributions a" \
    "  WHERE a.claim_id = c.id AND a.actor_id = $4::uuid))"

/* A document's claims in text order; claims with the document but no span
 * follow, by id. $1 document, ($2 start, $3 id) the last spanned claim seen,
 * $4 the last unspanned claim seen, $5 limit. No row: no such document; one
 * row of NULLs: no claims (left). */
#define DOCUMENT_CLAIMS_SQL                                                             \
    "SELECT page.* FROM documents d LEFT JOIN LATERAL ("                                \
    " (SELECT " CLAIM_LIST_COLUMNS " FROM claims c WHERE c.document_id = $1::uuid"      \
    "  AND (c.start, c.id) > ($2::int, $3::uuid) ORDER BY c.start, c.id LIMIT $5::int)" \
    " UNION ALL"                                                                        \
    " (SELECT " CLAIM_LIST_COLUMNS " FROM claims c WHERE c.document_id = $1::uuid"      \
    "  AND c.start IS NULL AND c.id > $4::uuid ORDER BY c.id LIMIT $5::int)"            \
    " LIMIT $5::int) page ON true"                                                      \
    " WHERE d.id = $1::uuid ORDER BY page.start, page.id"

static const struct db_statement statements[] = {
    /* $1 body, $2 resolved target (or NULL). */
    {"claim_create",
     "INSERT INTO claims (" CLAIM_SQL_INSERT_COLUMNS ")"
     " SELECT " CLAIM_SQL_INSERT_VALUES " FROM (SELECT $1::jsonb AS b, $2::jsonb AS s) AS input"
     " RETURNING id, project_id"},
    {"claim_get", "SELECT " CLAIM_JSON " FROM claims c WHERE c.id = $1::uuid"},
    /* The claim's document and its text, for re-anchoring. */
    {"claim_anchor",
     "SELECT c.document_id, d.text FROM claims c LEFT JOIN documents d ON d.id = c.document_id"
     " WHERE c.id = $1::uuid"},
    {"claim_list",
     "SELECT " CLAIM_LIST_COLUMNS
     " FROM claims c WHERE true" DOCUMENT_FILTER_OPTIONAL ACTOR_FILTER_OPTIONAL CLAIM_FILTERS_REST},
    /* The same list when a document is named: a plain equality lets even a
     * generic plan use the claims_document index. */
    {"claim_list_by_document",
     "SELECT " CLAIM_LIST_COLUMNS
     " FROM claims c WHERE c.document_id = $3::uuid" ACTOR_FILTER_OPTIONAL CLAIM_FILTERS_REST},
    /* ... and when an actor is named: start from the actor's attributions
     * (the attributions_actor index gives their claim ids in order). */
    {"claim_list_by_actor",
     "SELECT " CLAIM_LIST_COLUMNS " FROM claims c JOIN (SELECT DISTINCT a.claim_id FROM attributions a"
     "  WHERE a.actor_id = $4::uuid AND ($1::uuid IS NULL OR a.claim_id > $1::uuid)) spoken"
     " ON spoken.claim_id = c.id WHERE true" DOCUMENT_FILTER_OPTIONAL CLAIM_FILTERS_REST},
    {"claim_list_of_document", DOCUMENT_CLAIMS_SQL},
    /* $1 id, $2 body, $3 resolved target (NULL with "target": null). */
    {"claim_patch", "UPDATE claims c SET " CLAIM_SQL_UPDATE(
                        "c") " FROM (SELECT $2::jsonb AS b, $3::jsonb AS s) AS input WHERE c.id = $1::uuid"
                             " RETURNING " CLAIM_JSON},
    {"claim_delete", "DELETE FROM claims WHERE id = $1::uuid RETURNING id"},
    /* The inline attributions' actors and citations' sources that are not
     * rows of project $1 (NULL: the default): $2 a JSON array of {"what":
     * "actor"|"source", "i": the item's index, "id"}. Each missing one. */
    {"claim_inline_references",
     "SELECT k.what, k.i FROM jsonb_to_recordset($2::jsonb) AS k(what text, i int, id uuid)"
     " WHERE NOT CASE WHEN k.what = 'actor'"
     " THEN EXISTS (SELECT 1 FROM actors x WHERE x.id = k.id"
     "  AND x.project_id = coalesce($1::uuid, " DEFAULT_PROJECT_SQL "))"
     " ELSE EXISTS (SELECT 1 FROM sources x WHERE x.id = k.id"
     "  AND x.project_id = coalesce($1::uuid, " DEFAULT_PROJECT_SQL ")) END"
     " ORDER BY k.what, k.i"},
    {NULL, NULL},
};

static const char *string_member(const json_t *obj, const char *name)
{
    return json_string_value(json_object_get(obj, name));
}

static bool text_not_empty_or_reply(struct request *r, const json_t *body)
{
    const char *text = string_member(body, "text");
    if (!text || text[0])
        return true;
    reply_error(r, MHD_HTTP_BAD_REQUEST, "invalid_value", "text", "text must not be empty");
    return false;
}

/* What a new claim must say beyond the field types: a target lives in a
 * document, and a claim without a target needs its proposition in words.
 * Records each problem when the request collects them. */
static bool claim_complete_or_reply(struct request *r, const json_t *body)
{
    bool has_target = json_is_object(json_object_get(body, "target"));
    bool ok = true;
    const json_t *document = json_object_get(body, "document_id");
    if (has_target && (!document || json_is_null(document))) {
        reply_error(r, MHD_HTTP_BAD_REQUEST, "missing_field", "document_id",
                    "a claim with a target needs the document_id the target points into");
        ok = false;
    }
    if (reply_go_on(r, ok) && !has_target && !json_object_get(body, "text")) {
        reply_error(r, MHD_HTTP_BAD_REQUEST, "missing_field", "text",
                    "a claim without a target needs its text");
        ok = false;
    }
    return reply_go_on(r, ok) ? text_not_empty_or_reply(r, body) && ok : ok;
}

/* The index of the inline attribution that item i's "via": "#n" names (the
 * n-th of the same request, which must come before it), -1 in *n when it
 * has none. An inline attribution cannot name a stored one with
 * via_attribution_id: no attribution of a claim not yet created exists.
 * Returns false after replying 400/422. Pure. */
static bool via_index_or_reply(struct request *r, const json_t *item, size_t i, const char *prefix, long *n)
{
    *n = -1;
    const json_t *via = json_object_get(item, "via");
    const json_t *stored = json_object_get(item, "via_attribution_id");
    char field[96];
    if (!via) {
        if (!json_is_string(stored) || !uuid_valid(json_string_value(stored)))
            return true; /* absent, null, or reported with the fields */
        snprintf(field, sizeof field, "%svia_attribution_id", prefix);
        reply_error(r, 422, "unknown_reference", field,
                    "%s does not name an attribution of the same claim (inline attributions of a new claim"
                    " name each other with \"via\": \"#n\")",
                    field);
        return false;
    }
    snprintf(field, sizeof field, "%svia", prefix);
    const char *s = json_string_value(via);
    char *end = NULL;
    long k = s && s[0] == '#' && s[1] >= '0' && s[1] <= '9' ? strtol(s + 1, &end, 10) : -1;
    if (k < 0 || *end) {
        reply_error(r, MHD_HTTP_BAD_REQUEST, "invalid_value", field,
                    "%s must be \"#n\": the n-th attribution of this request (from 0) that reports this one",
                    field);
        return false;
    }
    if ((size_t)k >= i) {
        reply_error(r, 422, "unknown_reference", field,
                    "%s must name an attribution given before this one in the same request (#0 to #%zu)",
                    field, i ? i - 1 : 0);
        return false;
    }
    if (stored) {
        reply_error(r, MHD_HTTP_BAD_REQUEST, "conflicting_fields", field,
                    "%s and via_attribution_id name the same thing: give one", field);
        return false;
    }
    *n = k;
    return true;
}

/* What the check phase of POST /v1/claims resolved of the inline items. */
struct inline_items {
    const json_t *attributions, *citations; /* the body's arrays, or NULL when not valid arrays */
    size_t n_attributions, n_citations;
    struct attribution_spans *attribution_spans;
    long *via; /* per attribution: the index its "via" names, or -1 */
    char **citation_spans;
};

static void inline_items_free(struct inline_items *in)
{
    for (size_t i = 0; i < in->n_attributions; i++)
        attribution_spans_free(&in->attribution_spans[i]);
    for (size_t i = 0; i < in->n_citations; i++)
        free(in->citation_spans[i]);
    free(in->attribution_spans);
    free(in->via);
    free(in->citation_spans);
}

/* Checks every inline attribution and citation (fields, spans against the
 * document's text when check_spans, via), recording each problem (the
 * request collects them). */
static void inline_items_check(struct request *r, const char *doc_text, size_t doc_len, bool check_spans,
                               struct inline_items *in)
{
    const struct field_spec *spec = ENTITY_CLAIM.fields;
    in->attributions = fields_member_ok(r->json, "attributions", spec, VALIDATE_CREATE)
                           ? json_object_get(r->json, "attributions")
                           : NULL;
    in->citations = fields_member_ok(r->json, "citations", spec, VALIDATE_CREATE)
                        ? json_object_get(r->json, "citations")
                        : NULL;
    in->n_attributions = json_array_size(in->attributions);
    in->n_citations = json_array_size(in->citations);
    in->attribution_spans = calloc(in->n_attributions + 1, sizeof *in->attribution_spans);
    in->via = calloc(in->n_attributions + 1, sizeof *in->via);
    in->citation_spans = calloc(in->n_citations + 1, sizeof *in->citation_spans);
    if (!in->attribution_spans || !in->via || !in->citation_spans)
        abort();
    char prefix[64];
    size_t i;
    const json_t *item;
    json_array_foreach(in->attributions, i, item)
    {
        snprintf(prefix, sizeof prefix, "attributions[%zu].", i);
        /* "via" is the inline form of via_attribution_id, not a field of its own */
        json_t *fields = json_is_object(item) ? json_copy((json_t *)item) : json_incref((json_t *)item);
        if (json_is_object(fields))
            json_object_del(fields, "via");
        bool ok = attribution_check_or_reply(r, fields, prefix, doc_text, doc_len, check_spans,
                                             &in->attribution_spans[i]);
        json_decref(fields);
        if (json_is_object(item) && reply_go_on(r, ok))
            via_index_or_reply(r, item, i, prefix, &in->via[i]);
    }
    json_array_foreach(in->citations, i, item)
    {
        snprintf(prefix, sizeof prefix, "citations[%zu].", i);
        citation_check_or_reply(r, item, prefix, doc_text, doc_len, check_spans, &in->citation_spans[i]);
    }
}

/* Records 422 unknown_reference for each inline attribution's actor_id and
 * citation's source_id (well-formed ones) that is not a row of the claim's
 * project (project_id, NULL: the default), as the inserts would answer, so
 * that they come with the body's other problems. */
static void inline_references_check(struct request *r, PGconn *conn, const char *project_id,
                                    const struct inline_items *in)
{
    static const struct {
        const char *array, *member, *what, *wording;
    } kinds[] = {
        {"attributions", "actor_id", "actor", "an actor of this project"},
        {"citations", "source_id", "source", "a source of the claim's project"},
    };
    const json_t *arrays[] = {in->attributions, in->citations};
    json_t *refs = json_array();
    for (size_t k = 0; k < 2; k++) {
        size_t i;
        const json_t *item;
        json_array_foreach(arrays[k], i, item)
        {
            const char *id = string_member(item, kinds[k].member);
            if (id && uuid_valid(id))
                json_array_append_new(
                    refs, json_pack("{s:s, s:I, s:s}", "what", kinds[k].what, "i", (json_int_t)i, "id", id));
        }
    }
    if (json_array_size(refs) > 0) {
        char *text = json_text(refs);
        const char *params[] = {project_id, text};
        PGresult *res = db_exec_or_reply(r, conn, "claim_inline_references", 2, params);
        free(text);
        for (int row = 0; res && row < PQntuples(res); row++) {
            size_t k = strcmp(PQgetvalue(res, row, 0), "actor") == 0 ? 0 : 1;
            char field[96];
            snprintf(field, sizeof field, "%s[%s].%s", kinds[k].array, PQgetvalue(res, row, 1),
                     kinds[k].member);
            reply_error(r, 422, "unknown_reference", field, "%s does not name %s", field, kinds[k].wording);
        }
        PQclear(res);
    }
    json_decref(refs);
}

/* Inserts the claim and its checked inline attributions and citations in
 * one transaction; id gets the new claim's id. Returns false after replying
 * (the transaction rolled back). */
static bool insert_claim_or_reply(struct request *r, PGconn *conn, const char *target,
                                  const struct inline_items *in, char id[UUID_TEXT_SIZE])
{
    if (!db_begin_or_reply(r, conn))
        return false;
    char *body = json_text(r->json);
    const char *params[] = {body, target};
    PGresult *res = db_exec_or_reply(r, conn, "claim_create", 2, params);
    free(body);
    bool ok = res != NULL;
    char prefix[64];
    size_t i;
    const json_t *item;
    char(*made)[UUID_TEXT_SIZE] = calloc(in->n_attributions + 1, sizeof *made);
    if (!made)
        abort();
    json_array_foreach(in->attributions, i, item)
    {
        if (!ok)
            break;
        snprintf(prefix, sizeof prefix, "attributions[%zu].", i);
        json_t *resolved = json_incref((json_t *)item);
        if (in->via[i] >= 0) {
            /* "via": "#n" becomes the id the n-th one got */
            json_decref(resolved);
            resolved = json_deep_copy(item);
            json_object_del(resolved, "via");
            json_object_set_new(resolved, "via_attribution_id", json_string(made[in->via[i]]));
        }
        ok = attribution_insert_or_reply(r, conn, PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1), resolved,
                                         prefix, &in->attribution_spans[i], made[i]);
        json_decref(resolved);
    }
    free(made);
    json_array_foreach(in->citations, i, item)
    {
        snprintf(prefix, sizeof prefix, "citations[%zu].", i);
        ok = ok
             && citation_insert_or_reply(r, conn, PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1), item, prefix,
                                         in->citation_spans[i]);
    }
    if (ok)
        snprintf(id, UUID_TEXT_SIZE, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    if (ok && db_commit_or_reply(r, conn))
        return true;
    db_rollback(conn);
    return false;
}

/* The resolved `target` of body as JSON text for a jsonb parameter (caller
 * frees), NULL when absent or null; false after replying. */
static bool target_or_reply(struct request *r, const json_t *body, const char *doc_text, size_t doc_len,
                            char **out)
{
    const json_t *given = json_object_get(body, "target");
    *out = NULL;
    if (!json_is_object(given))
        return true;
    json_t *span = span_from_body_or_reply(r, given, "target", doc_text, doc_len);
    if (!span)
        return false;
    *out = json_text(span);
    json_decref(span);
    return true;
}

static void reply_claim(struct request *r, PGconn *conn, const char *id, bool created)
{
    const char *params[] = {id};
    PGresult *res = db_exec_or_reply(r, conn, "claim_get", 1, params);
    if (!res)
        return;
    if (PQntuples(res) == 0) {
        reply_not_found(r, "claim", id);
        PQclear(res);
    } else if (created) {
        char location[64];
        snprintf(location, sizeof location, "/v1/claims/%s", id);
        reply_created(r, location, PQgetvalue(res, 0, 0), (size_t)PQgetlength(res, 0, 0));
        PQclear(res);
    } else {
        reply_object(r, MHD_HTTP_OK, res, 0, 0); /* the response owns res now */
    }
}

/* POST /v1/claims: every problem of the body — its fields, the inline
 * attributions' and citations', their spans and the target's, via, unknown
 * tags under strict_tags, unknown document, actors and sources — is
 * collected (reply.h) and reported in one response; only a body without any
 * is written. */
static void create_claim(struct request *r)
{
    const struct field_spec *spec = ENTITY_CLAIM.fields;
    reply_collect_begin(r);
    fields_valid_or_reply(r, r->json, "", spec, VALIDATE_CREATE);
    claim_complete_or_reply(r, r->json);
    PGconn *conn = db_conn_or_reply(r);
    if (!conn) {
        reply_collect_end(r);
        return;
    }
    /* Later checks use only the values that passed their own. */
    bool project_ok = fields_member_ok(r->json, "project_id", spec, VALIDATE_CREATE);
    bool document_ok = fields_member_ok(r->json, "document_id", spec, VALIDATE_CREATE);
    const char *project_id = string_member(r->json, "project_id");
    const char *document_id = string_member(r->json, "document_id");
    PGresult *doc = NULL;
    if (project_ok && document_ok && document_id)
        doc = span_document_text_or_reply(r, conn, document_id, project_id, "document_id");
    /* Spans are checked against the document's text, or refused for a claim
     * with none; not when the document is unknown (that is the problem). */
    bool spans_checkable = project_ok && document_ok && (doc || !document_id);
    const char *doc_text = doc ? PQgetvalue(doc, 0, 0) : NULL;
    size_t doc_len = doc ? (size_t)PQgetlength(doc, 0, 0) : 0;
    if (project_ok && fields_member_ok(r->json, "tags", spec, VALIDATE_CREATE))
        codebook_tags_ok_or_reply(r, conn, project_id, NULL, json_object_get(r->json, "tags"));
    char *target = NULL, id[UUID_TEXT_SIZE];
    if (doc && fields_member_ok(r->json, "target", spec, VALIDATE_CREATE))
        target_or_reply(r, r->json, doc_text, doc_len, &target);
    struct inline_items in = {0};
    inline_items_check(r, doc_text, doc_len, spans_checkable, &in);
    if (project_ok)
        inline_references_check(r, conn, project_id, &in);
    if (reply_collect_end(r) && insert_claim_or_reply(r, conn, target, &in, id))
        reply_claim(r, conn, id, true);
    inline_items_free(&in);
    free(target);
    PQclear(doc);
}

static void get_claim(struct request *r)
{
    const char *id = uuid_param_or_reply(r, "id");
    PGconn *conn = id ? db_conn_or_reply(r) : NULL;
    if (conn)
        reply_claim(r, conn, id, false);
}

static void list_claims(struct request *r)
{
    static const char *const known[] = {
        "limit",     "after",         "document_id",    "actor_id",   "tag", "kind",       "relation",
        "annotator", "created_after", "created_before", "project_id", "q",   "tag_prefix", NULL};
    struct page pg;
    const char *document_id, *actor_id, *kind, *relation, *after, *before, *project_id;
    if (!query_known_or_reply(r, known) || !page_by_id_or_reply(r, &pg)
        || !query_uuid_or_reply(r, "document_id", &document_id)
        || !query_uuid_or_reply(r, "actor_id", &actor_id)
        || !query_enum_or_reply(r, "kind", CLAIM_KINDS, &kind)
        || !query_enum_or_reply(r, "relation", RELATION_KINDS, &relation)
        || !query_timestamp_or_reply(r, "created_after", &after)
        || !query_timestamp_or_reply(r, "created_before", &before)
        || !query_uuid_or_reply(r, "project_id", &project_id))
        return;
    const char *params[] = {pg.after[0],
                            pg.fetch,
                            document_id,
                            actor_id,
                            request_query(r, "tag"),
                            kind,
                            relation,
                            request_query(r, "annotator"),
                            after,
                            before,
                            project_id,
                            request_query(r, "q"),
                            request_query(r, "tag_prefix")};
    const char *statement = document_id ? "claim_list_by_document"
                            : actor_id  ? "claim_list_by_actor"
                                        : "claim_list";
    reply_page_of(r, statement, 13, params, &pg, list_cols, PAGE_KEY_ID, 1);
}

static void list_document_claims(struct request *r)
{
    static const char *const known[] = {"limit", "after", NULL};
    static const char *const nil = "00000000-0000-0000-0000-000000000000";
    struct page pg;
    const char *document_id = uuid_param_or_reply(r, "id");
    if (!document_id || !query_known_or_reply(r, known) || !page_or_reply(r, &pg, 2))
        return;
    /* The cursor is (start, id) of the last claim shown; start is "" once
     * the walk has reached the claims without a span. */
    const char *start = "-1", *id = nil, *unspanned_id = nil;
    if (pg.after[0]) {
        char *end;
        long s = strtol(pg.after[0], &end, 10);
        bool in_tail = pg.after[0][0] == '\0';
        if (!uuid_valid(pg.after[1]) || (!in_tail && (*end || s < 0 || s > INT_MAX))) {
            reply_error(r, MHD_HTTP_BAD_REQUEST, "invalid_cursor", "after",
                        "after is not a cursor of this list");
            return;
        }
        if (in_tail) {
            start = "2147483647";
            id = "ffffffff-ffff-ffff-ffff-ffffffffffff";
            unspanned_id = pg.after[1];
        } else {
            start = pg.after[0];
            id = pg.after[1];
        }
    }
    const char *params[] = {document_id, start, id, unspanned_id, pg.fetch};
    PGresult *res = db_run_or_reply(r, "claim_list_of_document", 5, params);
    if (!res)
        return;
    if (PQntuples(res) == 0)
        reply_not_found(r, "document", document_id);
    else {
        static const int start_id_key[] = {CLAIM_LIST_COL_START, CLAIM_LIST_COL_ID};
        reply_page_n(r, res, PQgetisnull(res, 0, 0) ? 0 : PQntuples(res), &pg, list_cols, start_id_key, 2);
    }
    PQclear(res);
}

/* Whether a PATCH's document_id (a string or null) names the claim's
 * current document (NULL when it has none). */
static bool same_document(const char *current, const json_t *given)
{
    if (!current)
        return json_is_null(given);
    return json_is_string(given) && strcasecmp(current, json_string_value(given)) == 0;
}

/* Checks a PATCH's document_id against the claim's and resolves a new
 * target against its document. *target gets the stored span (caller frees)
 * or NULL. Returns false after replying. */
static bool reanchor_or_reply(struct request *r, PGconn *conn, const char *id, char **target)
{
    *target = NULL;
    const json_t *document = json_object_get(r->json, "document_id");
    bool new_target = json_is_object(json_object_get(r->json, "target"));
    if (!document && !new_target)
        return true;
    const char *params[] = {id};
    PGresult *res = db_exec_or_reply(r, conn, "claim_anchor", 1, params);
    if (!res)
        return false;
    bool found = PQntuples(res) > 0;
    const char *current = found && !PQgetisnull(res, 0, 0) ? PQgetvalue(res, 0, 0) : NULL;
    bool ok = false;
    if (!found)
        reply_not_found(r, "claim", id);
    else if (document && !same_document(current, document))
        reply_error(r, MHD_HTTP_CONFLICT, "immutable", "document_id",
                    "a claim cannot move to another document; create a new claim instead");
    else if (new_target && !current)
        reply_error(r, 422, "no_document", "target",
                    "the claim is not in a document, so a target has nothing to point into");
    else
        ok = target_or_reply(r, r->json, current ? PQgetvalue(res, 0, 1) : NULL,
                             (size_t)PQgetlength(res, 0, 1), target);
    PQclear(res);
    return ok;
}

/* PATCH /v1/claims/{id}: the body's problems (fields, unknown tags under
 * strict_tags, the document and the new target) collected into one
 * response, as for POST. */
static void patch_claim(struct request *r)
{
    const struct field_spec *spec = ENTITY_CLAIM.fields;
    const char *id = uuid_param_or_reply(r, "id");
    if (!id)
        return;
    reply_collect_begin(r);
    fields_valid_or_reply(r, r->json, "", spec, VALIDATE_PATCH);
    text_not_empty_or_reply(r, r->json);
    PGconn *conn = db_conn_or_reply(r);
    char *target = NULL;
    if (conn && fields_member_ok(r->json, "tags", spec, VALIDATE_PATCH))
        codebook_tags_ok_or_reply(r, conn, NULL, id, json_object_get(r->json, "tags"));
    if (conn && fields_member_ok(r->json, "document_id", spec, VALIDATE_PATCH)
        && fields_member_ok(r->json, "target", spec, VALIDATE_PATCH))
        reanchor_or_reply(r, conn, id, &target);
    if (!reply_collect_end(r)) {
        free(target);
        return;
    }
    char *body = json_text(r->json);
    const char *params[] = {id, body, target};
    PGresult *res = db_exec_or_reply(r, conn, "claim_patch", 3, params);
    free(body);
    free(target);
    if (!res)
        return;
    reply_object_or_404(r, res, 0, "claim", id);
}

static void delete_claim(struct request *r)
{
    /* Rows still pointing at it give 409 still_referenced, worded in errors.c. */
    reply_delete_by_id(r, "claim_delete", "claim");
}

/* clang-format off */
static const struct route routes[] = {
    {.method = "POST",   .pattern = "/v1/claims",                .handler = create_claim,         .body = BODY_JSON, .access = ACCESS_ANNOTATE},
    {.method = "GET",    .pattern = "/v1/claims",                .handler = list_claims,                             .access = ACCESS_READ},
    {.method = "GET",    .pattern = "/v1/claims/{id}",           .handler = get_claim,                               .access = ACCESS_READ},
    {.method = "PATCH",  .pattern = "/v1/claims/{id}",           .handler = patch_claim,          .body = BODY_JSON, .access = ACCESS_ANNOTATE},
    {.method = "DELETE", .pattern = "/v1/claims/{id}",           .handler = delete_claim,                            .access = ACCESS_ANNOTATE},
    {.method = "GET",    .pattern = "/v1/documents/{id}/claims", .handler = list_document_claims,                    .access = ACCESS_READ},
    {.method = NULL},
};
/* clang-format on */

const struct resource claim_resource = {.name = "claims", .routes = routes, .statements = statements};

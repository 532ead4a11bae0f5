#include "span.h"

#include "registry.h"
#include "reply.h"
#include "segments.h"
#include "validate.h"

#include <stdio.h>
#include <string.h>

static const struct db_statement statements[] = {
    {"span_document_text", "SELECT text FROM documents WHERE id = $1::uuid"
                           " AND project_id = coalesce($2::uuid, " DEFAULT_PROJECT_SQL ")"},
    {"span_claim", "SELECT c.project_id, CASE WHEN $2::bool THEN d.text END"
                   " FROM claims c LEFT JOIN documents d ON d.id = c.document_id WHERE c.id = $1::uuid"},
    {NULL, NULL},
};

static void string_member(const json_t *span, const char *name, const char **s, size_t *len)
{
    const json_t *v = json_object_get(span, name);
    *s = json_is_string(v) ? json_string_value(v) : NULL;
    *len = *s ? json_string_length(v) : 0;
}

void span_options(const json_t *span, struct anchor_request *req)
{
    const char *match = json_string_value(json_object_get(span, "match"));
    req->normalized = match && strcmp(match, "normalized") == 0;
    req->allow_split = json_is_true(json_object_get(span, "allow_grapheme_split"));
}

bool span_parse_or_reply(struct request *r, const json_t *span, const char *field, struct anchor_request *req)
{
    char prefix[128];
    snprintf(prefix, sizeof prefix, "%s.", field);
    if (!json_is_object(span)) {
        reply_error(r, MHD_HTTP_BAD_REQUEST, "invalid_type", field, "%s must be a span object", field);
        return false;
    }
    if (!fields_valid_or_reply(r, span, prefix, span_fields, VALIDATE_PATCH))
        return false;
    if (json_object_get(span, "segments")) {
        char which[160];
        snprintf(which, sizeof which, "%s.segments", field);
        reply_error(r, MHD_HTTP_BAD_REQUEST, "invalid_value", which, "%s: a segment is a one-piece span",
                    field);
        return false;
    }
    const json_t *start = json_object_get(span, "start"), *end = json_object_get(span, "end");
    if ((start == NULL) != (end == NULL)) {
        char which[160];
        snprintf(which, sizeof which, "%s.%s", field, start ? "end" : "start");
        reply_error(r, MHD_HTTP_BAD_REQUEST, "missing_field", which, "%s: start and end go together", field);
        return false;
    }
    memset(req, 0, sizeof *req);
    req->has_position = start != NULL;
    req->start = start ? json_integer_value(start) : 0;
    req->end = end ? json_integer_value(end) : 0;
    string_member(span, "exact", &req->exact, &req->exact_len);
    string_member(span, "prefix", &req->prefix, &req->prefix_len);
    string_member(span, "suffix", &req->suffix, &req->suffix_len);
    span_options(span, req);
    if (!req->has_position && !req->exact) {
        reply_error(r, MHD_HTTP_BAD_REQUEST, "missing_field", field,
                    "%s needs start and end, or exact (with optional prefix/suffix)", field);
        return false;
    }
    return true;
}

json_t *span_stored_json(const char *text, const struct anchor_span *sp)
{
    return segment_json(text, sp);
}

json_t *span_error_details(const char *text, const struct anchor_result *res)
{
    if (res->status == ANCHOR_SPLITS_GRAPHEME) {
        const struct anchor_boundaries *b = &res->boundaries;
        return json_pack("{s:{s:{s:I, s:I}, s:{s:I, s:I}}}", "boundaries", "start", "before",
                         (json_int_t)b->start_before, "after", (json_int_t)b->start_after, "end", "before",
                         (json_int_t)b->end_before, "after", (json_int_t)b->end_after);
    }
    if (res->status != ANCHOR_AMBIGUOUS && res->status != ANCHOR_NOT_FOUND && res->status != ANCHOR_MISMATCH)
        return NULL;
    json_t *list = json_array();
    size_t shown = res->n_candidates < ANCHOR_MAX_CANDIDATES ? res->n_candidates : ANCHOR_MAX_CANDIDATES;
    for (size_t i = 0; i < shown; i++) {
        const struct anchor_span *sp = &res->candidates[i];
        json_t *c = segment_json(text, sp), *differs = json_array();
        for (int k = 0; k < ANCHOR_DIFF_COUNT; k++)
            if (sp->differs & (1u << k))
                json_array_append_new(differs, json_string(anchor_diff_name(k)));
        json_object_set_new(c, "differs", differs);
        json_array_append_new(list, c);
    }
    return json_pack("{s:I, s:o}", "occurrences", (json_int_t)res->n_candidates, "candidates", list);
}

json_t *span_resolve_or_reply(struct request *r, const char *field, const char *text, size_t len,
                              const struct anchor_request *req)
{
    struct anchor_result res;
    anchor_resolve(text, len, req, &res);
    if (res.status == ANCHOR_OK)
        return segment_json(text, &res.span);
    reply_error_extra(r, 422, anchor_status_code(res.status), field, span_error_details(text, &res), "%s: %s",
                      field, anchor_message(req, &res));
    return NULL;
}

/* A discontinuous span: each of span's segments parsed and resolved like a
 * one-piece span named "<field>.segments[i]" (inheriting match and
 * allow_grapheme_split from span unless it says otherwise), then checked
 * for order and overlap. start, end, exact, prefix and suffix beside the
 * segments are derived from them: accepted only when they agree (a client
 * may send back the target it read). */
static json_t *segments_from_body_or_reply(struct request *r, const json_t *span, const char *field,
                                           const char *text, size_t len)
{
    char name[160], prefix[160];
    snprintf(prefix, sizeof prefix, "%s.", field);
    if (!fields_valid_or_reply(r, span, prefix, span_fields, VALIDATE_PATCH))
        return NULL;
    const json_t *list = json_object_get(span, "segments");
    snprintf(name, sizeof name, "%s.segments", field);
    size_t n = json_array_size(list);
    if (n < SEGMENTS_MIN || n > SEGMENTS_MAX) {
        reply_error(r, MHD_HTTP_BAD_REQUEST, "invalid_value", name,
                    "%s: %d to %d spans in text order (a one-piece span is {start, end} or {exact})", name,
                    SEGMENTS_MIN, SEGMENTS_MAX);
        return NULL;
    }
    struct anchor_span sp[SEGMENTS_MAX];
    bool all_resolved = true; /* while collecting, every bad segment is reported */
    for (size_t i = 0; i < n; i++) {
        const json_t *seg = json_array_get(list, i);
        snprintf(name, sizeof name, "%s.segments[%zu]", field, i);
        struct anchor_request req;
        if (!span_parse_or_reply(r, seg, name, &req)) {
            if (!reply_go_on(r, false))
                return NULL;
            all_resolved = false;
            continue;
        }
        struct anchor_request whole;
        span_options(span, &whole);
        if (!json_object_get(seg, "match"))
            req.normalized = whole.normalized;
        if (!json_object_get(seg, "allow_grapheme_split"))
            req.allow_split = whole.allow_split;
        struct anchor_result res;
        anchor_resolve(text, len, &req, &res);
        if (res.status != ANCHOR_OK) {
            reply_error_extra(r, 422, anchor_status_code(res.status), name, span_error_details(text, &res),
                              "%s: %s", name, anchor_message(&req, &res));
            if (!reply_go_on(r, false))
                return NULL;
            all_resolved = false;
            continue;
        }
        sp[i] = res.span;
    }
    if (!all_resolved)
        return NULL; /* order and overlap need every piece */
    size_t bad = 0;
    enum segments_status status = segments_check(sp, n, &bad);
    if (status != SEGMENTS_OK) {
        snprintf(name, sizeof name, "%s.segments[%zu]", field, bad);
        reply_error(
            r, 422, segments_status_code(status), name,
            "%s (%zu..%zu) %s segments[%zu] (%zu..%zu): segments are given in text order and do not overlap",
            name, sp[bad].start, sp[bad].end, status == SEGMENTS_OVERLAP ? "overlaps" : "comes before",
            bad - 1, sp[bad - 1].start, sp[bad - 1].end);
        return NULL;
    }
    json_t *stored = segments_stored_json(text, sp, n);
    static const char *const derived[] = {"start", "end", "exact", "prefix", "suffix", NULL};
    for (size_t k = 0; derived[k]; k++) {
        const json_t *given = json_object_get(span, derived[k]);
        if (given && !json_is_null(given) && !json_equal(given, json_object_get(stored, derived[k]))) {
            snprintf(name, sizeof name, "%s.%s", field, derived[k]);
            reply_error(r, 422, "invalid_value", name,
                        "%s is derived from the segments and differs from theirs; leave it out", name);
            json_decref(stored);
            return NULL;
        }
    }
    return stored;
}

json_t *span_from_body_or_reply(struct request *r, const json_t *span, const char *field, const char *text,
                                size_t len)
{
    if (json_is_object(span) && json_object_get(span, "segments"))
        return segments_from_body_or_reply(r, span, field, text, len);
    struct anchor_request req;
    if (!span_parse_or_reply(r, span, field, &req))
        return NULL;
    return span_resolve_or_reply(r, field, text, len, &req);
}

PGresult *span_document_text_or_reply(struct request *r, PGconn *conn, const char *document_id,
                                      const char *project_id, const char *field)
{
    const char *params[] = {document_id, project_id};
    PGresult *res = db_exec_or_reply(r, conn, "span_document_text", 2, params);
    if (res && PQntuples(res) == 0) {
        PQclear(res);
        reply_error(r, 422, "unknown_reference", field, "%s does not name a document of this project", field);
        return NULL;
    }
    return res;
}

PGresult *span_claim_or_reply(struct request *r, PGconn *conn, const char *claim_id, bool with_text)
{
    const char *params[] = {claim_id, with_text ? "true" : "false"};
    PGresult *res = db_exec_or_reply(r, conn, "span_claim", 2, params);
    if (res && PQntuples(res) == 0) {
        PQclear(res);
        reply_error(r, MHD_HTTP_NOT_FOUND, "not_found", "id", "no claim with id %s", claim_id);
        return NULL;
    }
    return res;
}

const struct resource span_resource = {.name = "spans", .statements = statements};

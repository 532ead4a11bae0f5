#include "history.h"

#include "etag.h"
#include "reply.h"
#include "resource.h"
#include "validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The annotation tables with routes /v1/<table>/{id}, and the statement
 * that reads one row of each as the API shows it. */
static const struct {
    const char *table, *get;
} tables[] = {
    {"documents", "document_get"},       {"actors", "actor_get"},       {"claims", "claim_get"},
    {"attributions", "attribution_get"}, {"relations", "relation_get"}, {"sources", "source_get"},
    {"citations", "citation_get"},
};

const char *history_route_table(const struct route *rt)
{
    const char *p = rt && rt->pattern ? rt->pattern : "";
    if (strncmp(p, "/v1/", 4) != 0)
        return NULL;
    p += 4;
    size_t n = strcspn(p, "/");
    if (strncmp(p + n, "/{id}", 5) != 0)
        return NULL;
    for (size_t i = 0; i < sizeof tables / sizeof *tables; i++)
        if (strlen(tables[i].table) == n && strncmp(tables[i].table, p, n) == 0)
            return tables[i].table;
    return NULL;
}

const char *history_get_statement(const char *table)
{
    for (size_t i = 0; table && i < sizeof tables / sizeof *tables; i++)
        if (strcmp(tables[i].table, table) == 0)
            return tables[i].get;
    return NULL;
}

/* Whether the route is the row itself (/v1/x/{id}) or its revert. */
static bool row_route(const struct route *rt, const char *suffix)
{
    size_t n = strlen(rt->pattern), s = strlen(suffix);
    return n >= s && strcmp(rt->pattern + n - s, suffix) == 0;
}

/* GET /v1/{resource}/{id}?at=<rev or timestamp>: the row as it was, from
 * the log (the after-image of the newest revision at that point). */
static void reply_at(struct request *r, const char *table, const char *at)
{
    const char *id = uuid_param_or_reply(r, "id");
    if (!id)
        return;
    bool by_rev = at[0] && strspn(at, "0123456789") == strlen(at) && strlen(at) < 16;
    if (!by_rev && !timestamp_text_valid(at)) {
        reply_error(r, MHD_HTTP_BAD_REQUEST, "invalid_value", "at",
                    "at must be a revision number or an ISO 8601 timestamp with a time zone");
        return;
    }
    const char *params[] = {table, id, at};
    PGresult *res = db_run_or_reply(r, by_rev ? "history_at_rev" : "history_at_time", 3, params);
    if (!res)
        return;
    if (PQntuples(res) == 0) {
        reply_error(r, MHD_HTTP_NOT_FOUND, "not_found", "at", "%s %s has no revision %s %s", table, id,
                    by_rev ? "numbered" : "at or before", at);
        PQclear(res);
    } else if (PQgetisnull(res, 0, 0)) {
        reply_error(r, MHD_HTTP_NOT_FOUND, "deleted", "at", "%s %s was deleted at revision %s", table, id,
                    PQgetvalue(res, 0, 1));
        PQclear(res);
    } else {
        reply_object(r, MHD_HTTP_OK, res, 0, 0);
    }
}

/* The trigger compares text with the lower-case id PostgreSQL prints. */
static void lowercase(char *s)
{
    for (char *p = s; *p; p++)
        if (*p >= 'A' && *p <= 'F')
            *p = (char)(*p - 'A' + 'a');
}

bool history_before_handler(struct request *r)
{
    const char *table = history_route_table(r->route);
    if (!table)
        return true;
    bool get = strcmp(r->method, "GET") == 0;
    if (get && row_route(r->route, "/{id}")) {
        const char *at = request_query(r, "at");
        if (at) {
            reply_at(r, table, at);
            return false;
        }
        return true;
    }
    bool write = strcmp(r->method, "PATCH") == 0 || strcmp(r->method, "DELETE") == 0;
    if (!(write && row_route(r->route, "/{id}"))
        && !(strcmp(r->method, "POST") == 0 && row_route(r->route, "/revert")))
        return true;
    const char *header = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_MATCH);
    const char *id = request_param(r, "id");
    long long rev;
    if (!id || !uuid_valid(id))
        return true; /* a malformed id is the handler's to refuse */
    if (!header) {
        /* No precondition: "<table>/<id>/" lets the trigger answer 428 when
         * the row's project requires one (settings.require_if_match). */
        snprintf(r->if_match, sizeof r->if_match, "%s/%s/", table, id);
        lowercase(r->if_match);
        return true;
    }
    if (strcmp(header, "*") == 0)
        return true; /* any current revision: a precondition that always holds */
    if (!etag_parse_rev(header, &rev)) {
        reply_error(
            r, MHD_HTTP_BAD_REQUEST, "invalid_header", "If-Match",
            "If-Match must hold one ETag as sent by claimdb, e.g. \"3-…\", or a revision, e.g. \"3\"");
        return false;
    }
    snprintf(r->if_match, sizeof r->if_match, "%s/%s/%lld", table, id, rev);
    lowercase(r->if_match);
    return true;
}

void history_after_handler(struct request *r)
{
    if (r->status != MHD_HTTP_PRECONDITION_FAILED || !r->if_match[0])
        return;
    const char *table = history_route_table(r->route);
    const char *statement = history_get_statement(table);
    const char *id = request_param(r, "id");
    if (!statement)
        return;
    /* The trigger's 412 is replaced by one that carries the row (or by a
     * 503 when the database went away meanwhile). */
    reply_drop(r);
    const char *params[] = {id};
    /* With the request's scope (row-level security shows the row only to
     * whoever may read it); on a database error that error is the reply. */
    PGresult *res = db_run_or_reply(r, statement, 1, params);
    if (!res)
        return;
    if (PQntuples(res) == 1) {
        const char *body = PQgetvalue(res, 0, 0);
        size_t len = (size_t)PQgetlength(res, 0, 0);
        json_t *current = json_loadb(body, len, 0, NULL);
        long long rev = etag_rev_of_json(body, len);
        char tag[ETAG_MAX];
        etag_make(rev, body, len, tag);
        reply_error_extra(
            r, MHD_HTTP_PRECONDITION_FAILED, "precondition_failed", "If-Match",
            json_pack("{s:o*, s:I}", "current", current, "current_rev", (json_int_t)rev),
            "the %s changed since the revision in If-Match; it is now at revision %lld (in \"current\"):"
            " reapply the change to it, with If-Match: %s",
            table, rev, tag);
        reply_header(r, MHD_HTTP_HEADER_ETAG, tag);
    } else {
        reply_error(r, MHD_HTTP_PRECONDITION_FAILED, "precondition_failed", "If-Match",
                    "the %s changed since the revision in If-Match; fetch it again and reapply the change",
                    table);
    }
    PQclear(res);
}

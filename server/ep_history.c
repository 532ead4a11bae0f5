/* The revision log's endpoints (issue 11):
 *   GET  /v1/{resource}/{id}/revisions     a row's revisions, newest first
 *   POST /v1/{resource}/{id}/revert        {"to_rev": n}: a new revision equal to revision n
 *   GET  /v1/trash?project_id=             deleted rows that can be restored, newest first
 *   POST /v1/trash/{resource}/{id}/restore a deleted row and what was deleted with it
 *   DELETE /v1/trash/{resource}/{id}       purge: the row can no longer be restored (recorded)
 *   GET  /v1/changes?after=&wait=          every change in commit order, long-polled
 * (GET /v1/{resource}/{id}?at= and the If-Match checks are in history.c.)
 * The log is written by triggers (migrations/0004_history.sql); these
 * handlers only read it, or write rows back through history_write(). */
#include "config.h"
#include "db.h"
#include "feed.h"
#include "history.h"
#include "page.h"
#include "reply.h"
#include "resource.h"
#include "rowjson.h"
#include "registry.h"
#include "validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ANNOTATION_TABLES \
    "('projects', 'documents', 'actors', 'claims', 'attributions', 'relations', 'sources', 'citations')"

/* A log entry, in entry_cols order. */
#define ENTRY_COLUMNS                                                                                   \
    "h.resource, h.id, h.project_id, h.rev, h.op, h.reason, h.user_id, h.token_id, h.request_id, h.at," \
    " revision_view(h.resource, h.before), revision_view(h.resource, h.after)"

static const struct col entry_cols[] = {
    {"resource", COL_STRING}, {"id", COL_STRING},       {"project_id", COL_STRING},
    {"rev", COL_NUMBER},      {"op", COL_STRING},       {"reason", COL_STRING},
    {"user_id", COL_STRING},  {"token_id", COL_STRING}, {"request_id", COL_STRING},
    {"at", COL_TIMESTAMP},    {"before", COL_JSON},     {"after", COL_JSON},
    {NULL, COL_END},
};

/* Change-feed items: the entry and the cursor columns (xid, seq) after it. */
static const struct col change_cols[] = {
    {"resource", COL_STRING}, {"id", COL_STRING},       {"project_id", COL_STRING},
    {"rev", COL_NUMBER},      {"op", COL_STRING},       {"reason", COL_STRING},
    {"user_id", COL_STRING},  {"token_id", COL_STRING}, {"request_id", COL_STRING},
    {"at", COL_TIMESTAMP},    {"before", COL_JSON},     {"after", COL_JSON},
    {"", COL_SKIP},           {"", COL_SKIP},           {NULL, COL_END},
};

/* Entries that are not the last word on their row. */
#define SUPERSEDED(h)                                                                                        \
    "EXISTS (SELECT 1 FROM revisions n WHERE n.resource = " h ".resource AND n.id = " h ".id AND n.rev > " h \
    ".rev)"

static const struct db_statement statements[] = {
    {"history_at_rev",
     "SELECT revision_view(h.resource, h.after), h.rev FROM revisions h"
     " WHERE h.resource = $1 AND h.id = $2::uuid AND h.rev = $3::bigint AND h.op <> 'purge'"},
    {"history_at_time",
     "SELECT revision_view(h.resource, h.after), h.rev FROM revisions h"
     " WHERE h.resource = $1 AND h.id = $2::uuid AND h.at <= $3::timestamptz AND h.op <> 'purge'"
     " ORDER BY h.rev DESC LIMIT 1"},
    {"history_revisions",
     "SELECT " ENTRY_COLUMNS " FROM revisions h WHERE h.resource = $1 AND h.id = $2::uuid"
     " AND ($3::bigint IS NULL OR h.rev < $3::bigint) ORDER BY h.rev DESC LIMIT $4::int"},
    {"history_revert", "SELECT history_revert($1, $2::uuid, $3::bigint)"},
    {"history_trash",
     "SELECT " ENTRY_COLUMNS ", h.seq FROM revisions h"
     " WHERE h.op = 'delete' AND h.resource <> 'members' AND ($1::uuid IS NULL OR h.project_id = $1::uuid)"
     " AND ($2::bigint IS NULL OR h.seq < $2::bigint) AND NOT " SUPERSEDED(
         "h") " ORDER BY h.seq DESC LIMIT $3::int"},
    {"history_restore", "SELECT history_restore($1, $2::uuid)"},
    /* Purging is the owner's: a row of a project the caller reads but does
     * not own is found (purged NULL, 403) and left; one it cannot read is
     * not found (404). The log's own insert policy lets any change append,
     * so the role is checked here. */
    {"history_purge",
     "WITH deleted AS (SELECT h.resource, h.id, h.project_id, h.rev FROM revisions h"
     "  WHERE h.resource = $1 AND h.id = $2::uuid AND h.op = 'delete' AND NOT " SUPERSEDED(
         "h") "),"
              " purged AS (INSERT INTO revisions (resource, id, project_id, rev, op, reason, user_id, "
              "token_id, request_id)"
              "  SELECT d.resource, d.id, d.project_id, d.rev + 1, 'purge', 'purge',"
              "  nullif(current_setting('claimdb.user_id', true), '')::uuid,"
              "  nullif(current_setting('claimdb.token_id', true), '')::uuid,"
              "  nullif(current_setting('claimdb.request_id', true), '')"
              "  FROM deleted d WHERE d.project_id = ANY ((SELECT claimdb_projects('owner'))::uuid[])"
              "  OR (SELECT claimdb_is_admin()) RETURNING rev)"
              " SELECT (SELECT count(*) FROM deleted), (SELECT rev FROM purged)"},
    /* Only transactions older than every one still running that may write
     * this database (claimdb_feed_horizon, migration 0015): none of those
     * can still add an entry, so a cursor never passes a change that
     * commits later (xids are assigned in order; commits are not). */
    {"history_changes", "SELECT " ENTRY_COLUMNS ", h.xid::text, h.seq FROM revisions h"
                        " WHERE ($1::uuid IS NULL OR h.project_id = $1::uuid)"
                        " AND (h.xid, h.seq) > ($2::xid8, $3::bigint)"
                        " AND h.xid < (SELECT claimdb_feed_horizon())"
                        " ORDER BY h.xid, h.seq LIMIT $4::int"},
    /* Whether changes past the cursor exist that are not servable yet. */
    {"history_changes_pending",
     "SELECT EXISTS (SELECT 1 FROM revisions h WHERE ($1::uuid IS NULL OR h.project_id = $1::uuid)"
     " AND (h.xid, h.seq) > ($2::xid8, $3::bigint))"},
    {NULL, NULL},
};

/* The table of a /v1/trash/{resource}/{id} path, or NULL after replying. */
static const char *trash_table_or_reply(struct request *r)
{
    static const char *const known[] = {"projects",  "documents", "actors",    "claims", "attributions",
                                        "relations", "sources",   "citations", NULL};
    const char *resource = request_param(r, "resource");
    for (size_t i = 0; resource && known[i]; i++)
        if (strcmp(known[i], resource) == 0)
            return known[i];
    reply_error(r, MHD_HTTP_NOT_FOUND, "not_found", "resource",
                "no resource named %s; one of projects, documents, actors, claims, attributions, relations,"
                " sources, citations",
                resource ? resource : "");
    return NULL;
}

/* A cursor holding one whole number (a revision or a log position). */
static bool number_cursor_or_reply(struct request *r, const struct page *pg)
{
    const char *v = pg->after[0];
    if (v && (!v[0] || strspn(v, "0123456789") != strlen(v) || strlen(v) > 18)) {
        reply_error(r, MHD_HTTP_BAD_REQUEST, "invalid_cursor", "after", "after is not a cursor of this list");
        return false;
    }
    return true;
}

static void list_revisions(struct request *r)
{
    static const char *const known[] = {"limit", "after", NULL};
    const char *table = history_route_table(r->route);
    struct page pg;
    const char *id = uuid_param_or_reply(r, "id");
    if (!id || !query_known_or_reply(r, known) || !page_or_reply(r, &pg, 1)
        || !number_cursor_or_reply(r, &pg))
        return;
    const char *params[] = {table, id, pg.after[0], pg.fetch};
    PGresult *res = db_run_or_reply(r, "history_revisions", 4, params);
    if (!res)
        return;
    if (PQntuples(res) == 0 && !pg.after[0]) {
        reply_error(r, MHD_HTTP_NOT_FOUND, "not_found", "id", "%s has no row with id %s, now or ever", table,
                    id);
    } else {
        static const int rev_key[] = {3};
        reply_page(r, res, &pg, entry_cols, rev_key, 1);
    }
    PQclear(res);
}

/* The row as it is now, as the API shows it: 200 with its ETag. */
static void reply_current(struct request *r, PGconn *conn, const char *table, const char *id)
{
    const char *statement = history_get_statement(table);
    const char *params[] = {id};
    PGresult *res = statement ? db_exec_or_reply(r, conn, statement, 1, params) : NULL;
    if (res)
        reply_object_or_404(r, res, 0, table, id);
}

static void revert(struct request *r)
{
    const char *table = history_route_table(r->route);
    const char *id = uuid_param_or_reply(r, "id");
    if (!id)
        return;
    const json_t *to = json_object_get(r->json, "to_rev");
    if (json_object_size(r->json) != 1 || !json_is_integer(to) || json_integer_value(to) < 1) {
        reply_error(r, MHD_HTTP_BAD_REQUEST, "invalid_value", "to_rev",
                    "the body must be {\"to_rev\": n} with n a revision number (1 or more) of this row");
        return;
    }
    char rev[24];
    snprintf(rev, sizeof rev, "%lld", (long long)json_integer_value(to));
    PGconn *conn = db_conn_or_reply(r);
    if (!conn)
        return;
    r->reason = "revert";
    const char *params[] = {table, id, rev};
    PGresult *res = db_exec_or_reply(r, conn, "history_revert", 3, params);
    r->reason = NULL;
    if (!res)
        return;
    bool never = PQgetisnull(res, 0, 0);
    PQclear(res);
    if (never)
        reply_error(r, MHD_HTTP_NOT_FOUND, "not_found", "id", "%s has no row with id %s, now or ever", table,
                    id);
    else
        reply_current(r, conn, table, id);
}

static void list_trash(struct request *r)
{
    static const char *const known[] = {"limit", "after", "project_id", NULL};
    struct page pg;
    const char *project_id;
    if (!query_known_or_reply(r, known) || !page_or_reply(r, &pg, 1) || !number_cursor_or_reply(r, &pg)
        || !query_uuid_or_reply(r, "project_id", &project_id))
        return;
    const char *params[] = {project_id, pg.after[0], pg.fetch};
    static const int seq_key[] = {12};
    static const struct col trash_cols[] = {
        {"resource", COL_STRING},
        {"id", COL_STRING},
        {"project_id", COL_STRING},
        {"rev", COL_NUMBER},
        {"op", COL_STRING},
        {"reason", COL_STRING},
        {"user_id", COL_STRING},
        {"token_id", COL_STRING},
        {"request_id", COL_STRING},
        {"deleted_at", COL_TIMESTAMP},
        {"row", COL_JSON},
        {"", COL_SKIP},
        {"", COL_SKIP},
        {NULL, COL_END},
    };
    reply_page_of(r, "history_trash", 3, params, &pg, trash_cols, seq_key, 1);
}

static void restore(struct request *r)
{
    const char *table = trash_table_or_reply(r);
    const char *id = table ? uuid_param_or_reply(r, "id") : NULL;
    if (!id)
        return;
    r->reason = "restore";
    const char *params[] = {table, id};
    PGresult *res = db_run_or_reply(r, "history_restore", 2, params);
    r->reason = NULL;
    if (!res)
        return;
    if (PQgetisnull(res, 0, 0)) {
        reply_error(r, MHD_HTTP_NOT_FOUND, "not_in_trash", "id",
                    "%s %s is not in the trash (it exists, was never deleted, was restored or purged)", table,
                    id);
        PQclear(res);
        return;
    }
    reply_json_result(r, MHD_HTTP_OK, res, 0, 0);
}

static void purge(struct request *r)
{
    const char *table = trash_table_or_reply(r);
    const char *id = table ? uuid_param_or_reply(r, "id") : NULL;
    if (!id)
        return;
    const char *params[] = {table, id};
    PGresult *res = db_run_or_reply(r, "history_purge", 2, params);
    if (!res)
        return;
    if (strcmp(PQgetvalue(res, 0, 0), "0") == 0)
        reply_error(r, MHD_HTTP_NOT_FOUND, "not_in_trash", "id", "%s %s is not in the trash", table, id);
    else if (PQgetisnull(res, 0, 1))
        reply_error_extra(r, MHD_HTTP_FORBIDDEN, "forbidden", NULL,
                          json_pack("{s:s}", "role_needed", "owner"),
                          "purging the trash of this project needs the owner role there");
    else
        reply_no_content(r);
    PQclear(res);
}

#define FEED_MAX_WAIT 60

/* GET /v1/changes. The cursor is the (xid, seq) of the last change shown;
 * "next" is always a cursor to continue from (the one given when nothing
 * is new), so a follower polls with whatever it got last. */
static void list_changes(struct request *r)
{
    static const char *const known[] = {"limit", "after", "project_id", "wait", NULL};
    struct page pg;
    const char *project_id, *wait = request_query(r, "wait");
    unsigned wait_s = 0;
    if (!query_known_or_reply(r, known) || !page_or_reply(r, &pg, 2)
        || !query_uuid_or_reply(r, "project_id", &project_id))
        return;
    for (size_t i = 0; i < 2; i++)
        if (pg.after[i]
            && (!pg.after[i][0] || strspn(pg.after[i], "0123456789") != strlen(pg.after[i])
                || strlen(pg.after[i]) > 19)) {
            reply_error(r, MHD_HTTP_BAD_REQUEST, "invalid_cursor", "after",
                        "after is not a cursor of this feed");
            return;
        }
    if (wait && (config_parse_uint(wait, FEED_MAX_WAIT, &wait_s) != 0)) {
        reply_error(r, MHD_HTTP_BAD_REQUEST, "invalid_value", "wait",
                    "wait must be a whole number of seconds from 0 to %d", FEED_MAX_WAIT);
        return;
    }
    if (!r->waited) {
        clock_gettime(CLOCK_MONOTONIC, &r->wait_until);
        r->wait_until.tv_sec += wait_s;
        r->waited = true;
    } else if (feed_time_is_up(r))
        wait_s = 0; /* run again after the wait: reply with what there is */
    const char *xid = pg.after[0] ? pg.after[0] : "0", *seq = pg.after[1] ? pg.after[1] : "0";
    PGconn *conn = db_conn_or_reply(r);
    if (!conn)
        return;
    unsigned long seen = feed_generation();
    const char *params[] = {project_id, xid, seq, pg.fetch};
    PGresult *res = db_exec_or_reply(r, conn, "history_changes", 4, params);
    if (!res)
        return;
    if (PQntuples(res) > 0 || wait_s == 0) {
        struct jsonbuf jb = {0};
        int n = PQntuples(res), shown = n > (int)pg.limit ? (int)pg.limit : n;
        page_begin(&jb);
        for (int i = 0; i < shown; i++) {
            if (i)
                jb_raw(&jb, ",", 1);
            rowjson_write(&jb, res, i, change_cols);
        }
        const char *last[2] = {shown ? PQgetvalue(res, shown - 1, 12) : xid,
                               shown ? PQgetvalue(res, shown - 1, 13) : seq};
        /* next: always a cursor; "more" tells whether to ask at once. */
        page_end(&jb, true, last, 2);
        jb.len--; /* reopen the envelope for "more" */
        jb_cstr(&jb, n > shown ? ",\"more\":true}" : ",\"more\":false}");
        PQclear(res);
        size_t len;
        char *text = jb_steal(&jb, &len);
        reply_json_owned(r, MHD_HTTP_OK, text, len);
        return;
    }
    PQclear(res);
    /* Nothing servable: is a change written but held back behind an
     * older transaction still running? Then look again shortly. */
    const char *pending_params[] = {project_id, xid, seq};
    res = db_exec_or_reply(r, conn, "history_changes_pending", 3, pending_params);
    if (!res)
        return;
    bool pending = PQgetvalue(res, 0, 0)[0] == 't';
    PQclear(res);
    /* http.c sleeps until a change, the retry or the deadline, then
     * runs this handler again (feed.h) */
    feed_ask_wait(r, seen, pending ? 50 : 0);
}

/* clang-format off */
static const struct route routes[] = {
    {.method = "GET",    .pattern = "/v1/documents/{id}/revisions",      .handler = list_revisions,                    .access = ACCESS_READ},
    {.method = "POST",   .pattern = "/v1/documents/{id}/revert",         .handler = revert,         .body = BODY_JSON, .access = ACCESS_ANNOTATE},
    {.method = "GET",    .pattern = "/v1/actors/{id}/revisions",         .handler = list_revisions,                    .access = ACCESS_READ},
    {.method = "POST",   .pattern = "/v1/actors/{id}/revert",            .handler = revert,         .body = BODY_JSON, .access = ACCESS_ANNOTATE},
    {.method = "GET",    .pattern = "/v1/claims/{id}/revisions",         .handler = list_revisions,                    .access = ACCESS_READ},
    {.method = "POST",   .pattern = "/v1/claims/{id}/revert",            .handler = revert,         .body = BODY_JSON, .access = ACCESS_ANNOTATE},
    {.method = "GET",    .pattern = "/v1/attributions/{id}/revisions",   .handler = list_revisions,                    .access = ACCESS_READ},
    {.method = "POST",   .pattern = "/v1/attributions/{id}/revert",      .handler = revert,         .body = BODY_JSON, .access = ACCESS_ANNOTATE},
    {.method = "GET",    .pattern = "/v1/relations/{id}/revisions",      .handler = list_revisions,                    .access = ACCESS_READ},
    {.method = "POST",   .pattern = "/v1/relations/{id}/revert",         .handler = revert,         .body = BODY_JSON, .access = ACCESS_ANNOTATE},
    {.method = "GET",    .pattern = "/v1/sources/{id}/revisions",        .handler = list_revisions,                    .access = ACCESS_READ},
    {.method = "POST",   .pattern = "/v1/sources/{id}/revert",           .handler = revert,         .body = BODY_JSON, .access = ACCESS_ANNOTATE},
    {.method = "GET",    .pattern = "/v1/citations/{id}/revisions",      .handler = list_revisions,                    .access = ACCESS_READ},
    {.method = "POST",   .pattern = "/v1/citations/{id}/revert",         .handler = revert,         .body = BODY_JSON, .access = ACCESS_ANNOTATE},
    {.method = "GET",    .pattern = "/v1/trash",                         .handler = list_trash,                        .access = ACCESS_READ},
    {.method = "POST",   .pattern = "/v1/trash/{resource}/{id}/restore", .handler = restore,                           .access = ACCESS_CURATE},
    {.method = "DELETE", .pattern = "/v1/trash/{resource}/{id}",         .handler = purge,                             .access = ACCESS_OWN},
    {.method = "GET",    .pattern = "/v1/changes",                       .handler = list_changes,                      .access = ACCESS_READ},
    {.method = NULL},
};
/* clang-format on */

const struct resource history_resource = {.name = "history", .routes = routes, .statements = statements};

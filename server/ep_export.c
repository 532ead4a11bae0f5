/* /v1/export: the dataset as NDJSON, one CSV table, or W3C Web Annotation
 * JSON-LD, streamed from PostgreSQL (export_engine.h) through a callback
 * response: the export has its own connection, so it never holds a request
 * thread's, and memory stays constant whatever its size. */
#include "auth.h"
#include "db.h"
#include "export_engine.h"
#include "guard.h"
#include "metrics.h"
#include "registry.h"
#include "reply.h"
#include "slow.h"
#include "validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct export_stream {
    struct export *ex; /* NULL once finished */
    struct request *r; /* for the byte count; valid while MHD reads the response */
};

unsigned export_running(void)
{
    return slow_running(SLOW_EXPORT);
}

/* Ends the export and frees its slot under the cap. At the end of the data
 * this runs before the last chunk goes out, so a client that starts its
 * next export on seeing the end finds the slot free. */
static void finish_export(struct export_stream *st)
{
    if (!st->ex)
        return;
    export_close(st->ex);
    st->ex = NULL;
    slow_give(SLOW_EXPORT);
}

static ssize_t read_export(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    struct export_stream *st = cls;
    char err[512];
    /* No deadline while PostgreSQL produces rows (the statement has its
     * own); once a chunk is handed over, the client must take it within the
     * send timeout or the watchdog cuts the connection, which ends the
     * export and closes its transaction (free_export). */
    guard_busy(st->r->guard);
    ssize_t n = export_read(st->ex, buf, max, err, sizeof err);
    guard_streaming(st->r->guard);
    if (n > 0) {
        st->r->bytes_out += (size_t)n;
        return n;
    }
    finish_export(st);
    if (n == 0)
        return MHD_CONTENT_READER_END_OF_STREAM;
    /* Headers are gone: ending without the last chunk tells the client the
     * body is incomplete. */
    fprintf(stderr, "{\"level\":\"error\",\"event\":\"export_failed\"}\n%s\n", err);
    return MHD_CONTENT_READER_END_WITH_ERROR;
}

/* Runs when MHD drops the response: at the end, or as soon as the client
 * goes away mid-export (then the COPY is cancelled and the connection freed). */
static void free_export(void *cls)
{
    struct export_stream *st = cls;
    finish_export(st);
    free(st);
}

static bool format_or_reply(struct request *r, enum export_format *format, const char **table)
{
    static const char *const formats[] = {"ndjson", "csv", "w3c", NULL};
    const char *name;
    if (!query_enum_or_reply(r, "format", formats, &name)
        || !query_enum_or_reply(r, "table", EXPORT_CSV_TABLES, table))
        return false;
    *format = !name || strcmp(name, "ndjson") == 0 ? EXPORT_NDJSON
              : strcmp(name, "csv") == 0           ? EXPORT_CSV
                                                   : EXPORT_W3C;
    if (*format == EXPORT_CSV && !*table) {
        reply_error_extra(r, MHD_HTTP_BAD_REQUEST, "missing_parameter", "table",
                          json_pack("{s:[s,s,s,s,s,s,s,s]}", "allowed", "documents", "actors", "claims",
                                    "attributions", "relations", "sources", "citations", "claims_flat"),
                          "format=csv exports one table: name it with ?table=");
        return false;
    }
    if (*format != EXPORT_CSV && *table) {
        reply_error(r, MHD_HTTP_BAD_REQUEST, "invalid_parameter", "table",
                    "table applies to format=csv only");
        return false;
    }
    return true;
}

static bool filters_or_reply(struct request *r, struct export_filters *f)
{
    return query_uuid_or_reply(r, "document_id", &f->document_id)
           && query_uuid_or_reply(r, "actor_id", &f->actor_id)
           && query_enum_or_reply(r, "kind", CLAIM_KINDS, &f->kind)
           && query_timestamp_or_reply(r, "created_after", &f->created_after)
           && query_timestamp_or_reply(r, "created_before", &f->created_before)
           && ((f->tag = request_query(r, "tag")) || true) && ((f->q = request_query(r, "q")) || true);
}

/* Exports are per project unless the caller is a server admin: others name
 * the project with ?project_id=, or have it chosen for them when they can
 * read exactly one. A project they cannot read is 404 (401 for anonymous
 * callers), as a row of it would be. On success f->project_id is set (NULL
 * for an admin who named none: everything). */
static bool project_or_reply(struct request *r, struct export_filters *f, char chosen[AUTH_ID_SIZE])
{
    const struct auth *a = r->auth;
    const char *readable = a && a->sets[SET_READ] ? a->sets[SET_READ] : "{}";
    if (a && a->server_admin)
        return true;
    if (!f->project_id) {
        /* "{uuid}" holds one project: 36 characters between the braces */
        size_t n = strlen(readable);
        if (n == 38 && readable[0] == '{' && readable[37] == '}') {
            memcpy(chosen, readable + 1, 36);
            chosen[36] = '\0';
            f->project_id = chosen;
            return true;
        }
        reply_error(r, MHD_HTTP_BAD_REQUEST, "missing_parameter", "project_id",
                    "exports are per project: name one with ?project_id= (GET /v1/projects lists those you "
                    "can read)");
        return false;
    }
    if (!strstr(readable, f->project_id)) {
        reply_error(r, MHD_HTTP_NOT_FOUND, "not_found", "project_id",
                    "no project %s among those you can read", f->project_id);
        return false;
    }
    return true;
}

/* history=true (issue 11): the revision log holds every past state of the
 * rows, deleted ones included, with who changed them: a project's owner may
 * export it (a server admin, everything). Only whole-dataset NDJSON exports
 * carry it: a filtered file would hold the history of rows it leaves out. */
static bool history_or_reply(struct request *r, struct export_filters *f, enum export_format format)
{
    if (!query_bool_or_reply(r, "history", false, &f->history))
        return false;
    if (!f->history)
        return true;
    if (format != EXPORT_NDJSON || f->document_id || f->actor_id || f->tag || f->kind || f->created_after
        || f->created_before || f->q) {
        reply_error(
            r, MHD_HTTP_BAD_REQUEST, "invalid_parameter", "history",
            "history=true exports a whole project as NDJSON: it does not combine with format=csv or w3c,"
            " or with claim filters");
        return false;
    }
    const struct auth *a = r->auth;
    if (a && a->server_admin)
        return true;
    /* project_or_reply has chosen the one project (a non-admin exports one) */
    if (!a || !f->project_id || !a->sets[SET_OWNER] || !strstr(a->sets[SET_OWNER], f->project_id)) {
        reply_error_extra(
            r, MHD_HTTP_FORBIDDEN, "forbidden", "history", json_pack("{s:s}", "role_needed", "owner"),
            "exporting a project's revision log needs the owner role in it (with a token of the admin"
            " scope)");
        return false;
    }
    return true;
}

static void export_dataset(struct request *r)
{
    static const char *const known[] = {"format",         "table", "project_id", "document_id",
                                        "actor_id",       "tag",   "kind",       "created_after",
                                        "created_before", "q",     "history",    NULL};
    enum export_format format;
    const char *table;
    struct export_filters filters = {0};
    char chosen[AUTH_ID_SIZE];
    if (!query_known_or_reply(r, known) || !format_or_reply(r, &format, &table)
        || !query_uuid_or_reply(r, "project_id", &filters.project_id) || !filters_or_reply(r, &filters)
        || !project_or_reply(r, &filters, chosen) || !history_or_reply(r, &filters, format))
        return;
    if (!slow_slot_or_reply(r, SLOW_EXPORT))
        return;
    char err[512];
    bool unavailable = false;
    struct export_stream *st = calloc(1, sizeof *st);
    filters.request = r; /* the export reads only what the caller may read */
    if (st)
        st->ex = export_open(format, table, &filters, err, sizeof err, &unavailable);
    if (!st || !st->ex) {
        free(st);
        slow_give(SLOW_EXPORT);
        if (st && unavailable) {
            db_reply_error(r, NULL, NULL); /* no connection: 503 database_unavailable */
        } else {
            fprintf(stderr, "{\"level\":\"error\",\"event\":\"export_open\"}\n%s\n",
                    st ? err : "out of memory");
            reply_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal", NULL, "the export could not start");
        }
        return;
    }
    st->r = r;
    slow_small_send_buffer(r);
    struct MHD_Response *resp =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 32 * 1024, read_export, st, free_export);
    if (!resp) {
        free_export(st);
        reply_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal", NULL, "the export could not start");
        return;
    }
    char disposition[96];
    snprintf(disposition, sizeof disposition, "attachment; filename=\"claimdb%s%s.%s\"", table ? "-" : "",
             table ? table : "",
             format == EXPORT_CSV   ? "csv"
             : format == EXPORT_W3C ? "jsonld"
                                    : "ndjson");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, export_content_type(format));
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_DISPOSITION, disposition);
    reply_response(r, MHD_HTTP_OK, resp);
}

/* clang-format off */
static const struct route routes[] = {
    {.method = "GET", .pattern = "/v1/export", .handler = export_dataset, .access = ACCESS_READ},
    {.method = NULL},
};
/* clang-format on */

const struct resource export_resource = {.name = "export", .routes = routes};

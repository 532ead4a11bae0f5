/* /v1/import: an NDJSON dataset, consumed as it arrives (a BODY_STREAM
 * route) by the import engine (import_engine.h): all or nothing, idempotent
 * by id, every bad line listed. */
#include "db.h"
#include "import_engine.h"
#include "registry.h"
#include "reply.h"
#include "validate.h"

#include <stdio.h>

/* Runs with the request's headers: reads the options and opens the import
 * (its own connection and transaction), or replies and returns NULL. */
static void *import_start(struct request *r)
{
    static const char *const known[] = {"dry_run", "on_conflict", NULL};
    static const char *const conflict_modes[] = {"error", "update", NULL};
    struct import_options opt = {0};
    const char *on_conflict;
    if (!query_known_or_reply(r, known) || !query_bool_or_reply(r, "dry_run", false, &opt.dry_run)
        || !query_enum_or_reply(r, "on_conflict", conflict_modes, &on_conflict))
        return NULL;
    opt.update = on_conflict && on_conflict[0] == 'u';
    opt.request = r; /* writes only where the caller is manager */
    char err[512];
    struct import *im = import_begin(&opt, err, sizeof err);
    if (!im) {
        fprintf(stderr, "{\"level\":\"error\",\"event\":\"import_begin\"}\n%s\n", err);
        db_reply_error(r, NULL, NULL); /* no connection: 503 database_unavailable */
    }
    return im;
}

static int import_chunk(struct request *r, void *state, const char *data, size_t len)
{
    (void)r;
    import_feed(state, data, len);
    return 0;
}

static void import_release(void *state)
{
    import_free(state);
}

static const struct body_stream import_stream = {import_start, import_chunk, import_release};

static void import_dataset(struct request *r)
{
    json_t *body = NULL;
    unsigned status = import_finish(r->stream_state, &body);
    reply_json(r, status, body);
    if (status == MHD_HTTP_SERVICE_UNAVAILABLE)
        reply_header(r, MHD_HTTP_HEADER_RETRY_AFTER, "1");
}

static const struct route routes[] = {
    {.method = "POST", .pattern = "/v1/import", .handler = import_dataset, .body = BODY_STREAM, .stream = &import_stream, .access = ACCESS_MANAGE},
    {.method = NULL},
};

const struct resource import_resource = {.name = "import", .routes = routes};

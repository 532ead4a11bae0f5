/* /v1/import: an NDJSON dataset, consumed as it arrives (a BODY_STREAM
 * route) by the import engine (import_engine.h): all or nothing, idempotent
 * by id, every bad line listed. */
#include "db.h"
#include "import_engine.h"
#include "metrics.h"
#include "registry.h"
#include "reply.h"
#include "slow.h"
#include "validate.h"

#include "config.h"

#include <stdatomic.h>
#include <stdio.h>

/* Imports running now, against cfg->max_imports: each holds two database
 * connections once its data arrives. */
static atomic_uint running_imports;

unsigned import_running(void)
{
    return atomic_load(&running_imports);
}

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
    /* no line may be larger than the largest body the API takes */
    opt.max_line = r->cfg->body_limit;
    if (!slow_cap_or_reply(r, &running_imports, r->cfg->max_imports, REJECT_TOO_MANY_IMPORTS,
                           "too_many_imports", "imports"))
        return NULL;
    struct import *im = import_begin(&opt);
    if (!im) {
        atomic_fetch_sub(&running_imports, 1);
        reply_error(r, MHD_HTTP_SERVICE_UNAVAILABLE, "out_of_memory", NULL,
                    "the import could not start; retry shortly");
        reply_header(r, MHD_HTTP_HEADER_RETRY_AFTER, "1");
    }
    return im;
}

static int import_chunk(struct request *r, void *state, const char *data, size_t len)
{
    (void)r;
    return import_feed(state, data, len);
}

static void import_release(void *state)
{
    import_free(state);
    atomic_fetch_sub(&running_imports, 1);
}

static const struct body_stream import_stream = {import_start, import_chunk, import_release};

static void import_dataset(struct request *r)
{
    json_t *body = NULL;
    unsigned status = import_finish(r->stream_state, &body);
    if (status == MHD_HTTP_CONTENT_TOO_LARGE)
        metrics_reject(REJECT_LINE_TOO_LONG);
    reply_json(r, status, body);
    if (status == MHD_HTTP_SERVICE_UNAVAILABLE)
        reply_header(r, MHD_HTTP_HEADER_RETRY_AFTER, "1");
}

/* clang-format off */
static const struct route routes[] = {
    {.method = "POST", .pattern = "/v1/import", .handler = import_dataset, .body = BODY_STREAM, .stream = &import_stream, .access = ACCESS_MANAGE},
    {.method = NULL},
};
/* clang-format on */

const struct resource import_resource = {.name = "import", .routes = routes};

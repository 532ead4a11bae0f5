/* GET /healthz, GET /readyz, GET /v1: liveness, readiness and the API root. */
#include "db.h"
#include "migrate.h"
#include "registry.h"
#include "reply.h"

#include <string.h>

#ifndef CLAIMDB_VERSION
#define CLAIMDB_VERSION "dev"
#endif

static const struct db_statement statements[] = {
    {"health_schema", "SELECT max(name) FROM schema_migrations"},
    {NULL, NULL},
};

static void get_healthz(struct request *r)
{
    static const char body[] = "{\"status\":\"ok\"}";
    reply_json_copy(r, MHD_HTTP_OK, body, sizeof body - 1);
}

static void get_readyz(struct request *r)
{
    PGresult *res = db_run_or_reply(r, "health_schema", 0, NULL);
    if (!res)
        return;
    const char *at = PQgetisnull(res, 0, 0) ? "" : PQgetvalue(res, 0, 0);
    if (strcmp(at, migrate_latest()) == 0) {
        reply_json(r, MHD_HTTP_OK, json_pack("{s:s, s:s}", "status", "ready", "schema", at));
    } else {
        reply_error_extra(r, MHD_HTTP_SERVICE_UNAVAILABLE, "schema_not_current", NULL,
                          json_pack("{s:s, s:s}", "schema", at, "expected", migrate_latest()),
                          "the database schema is at \"%s\", this server needs \"%s\"; run claimdb migrate",
                          at, migrate_latest());
        reply_header(r, MHD_HTTP_HEADER_RETRY_AFTER, "5");
    }
    PQclear(res);
}

static void get_root(struct request *r)
{
    reply_json(r, MHD_HTTP_OK,
               json_pack("{s:s, s:s, s:s, s:{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}}", "name",
                         "claimdb", "version", CLAIMDB_VERSION, "description",
                         "claim-and-counterclaim annotation database", "links", "documents", "/v1/documents",
                         "actors", "/v1/actors", "claims", "/v1/claims", "relations", "/v1/relations",
                         "sources", "/v1/sources", "tags", "/v1/tags", "export", "/v1/export", "import",
                         "/v1/import", "health", "/healthz"));
}

/* clang-format off */
static const struct route routes[] = {
    {.method = "GET", .pattern = "/healthz", .handler = get_healthz, .access = ACCESS_PUBLIC},
    {.method = "GET", .pattern = "/readyz",  .handler = get_readyz,  .access = ACCESS_PUBLIC},
    {.method = "GET", .pattern = "/v1",      .handler = get_root,    .access = ACCESS_PUBLIC},
    {.method = NULL},
};
/* clang-format on */

const struct resource health_resource = {.name = "health", .routes = routes, .statements = statements};

/* GET /v1/openapi.json: the API's OpenAPI 3.1 description (schema/openapi.json,
 * embedded at build time so the binary always serves its own contract). */
#include "openapi.h"
#include "registry.h"
#include "reply.h"

#include <stdio.h>
#include <stdlib.h>

static void get_openapi(struct request *r)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(openapi_json_size, (void *)openapi_json, MHD_RESPMEM_PERSISTENT);
    if (!resp) {
        fputs("claimdb: cannot create a response\n", stderr);
        abort();
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json; charset=utf-8");
    reply_response(r, MHD_HTTP_OK, resp);
    r->bytes_out = openapi_json_size;
}

/* clang-format off */
static const struct route routes[] = {
    {.method = "GET", .pattern = "/v1/openapi.json", .handler = get_openapi, .access = ACCESS_PUBLIC},
    {.method = NULL},
};
/* clang-format on */

const struct resource openapi_resource = {.name = "openapi", .routes = routes};

/* GET / and GET /ui/{file}: the page (web/), embedded in the binary at build
 * time (scripts/embed_web.sh), so that one process serves the API and the
 * page from one origin and the page works offline.
 *
 * Every reply carries a strict Content-Security-Policy: scripts, styles and
 * requests only from this origin, no inline script or style, no framing.
 * Files are revalidated on each load (Cache-Control: no-cache) against a
 * strong ETag derived from their content, so a new binary's page is never
 * mixed with an old cached one, and an unchanged file costs a 304. */
#include "registry.h"
#include "reply.h"
#include "web_files.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char csp[] = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                          "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; "
                          "frame-ancestors 'none'";

static const struct web_file *find_file(const char *name)
{
    for (size_t i = 0; i < web_files_count; i++)
        if (strcmp(web_files[i].name, name) == 0)
            return &web_files[i];
    return NULL;
}

/* True when the If-None-Match header lists etag (or is "*"). */
static bool etag_matches(struct request *r, const char *etag)
{
    const char *inm = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
    if (!inm)
        return false;
    if (strcmp(inm, "*") == 0)
        return true;
    size_t n = strlen(etag);
    for (const char *p = strstr(inm, etag); p; p = strstr(p + 1, etag)) {
        /* a whole list member: preceded by start, ',', ' ' or "W/" and followed by end, ',' or ' ' */
        bool start_ok =
            p == inm || p[-1] == ',' || p[-1] == ' ' || (p - inm >= 2 && p[-1] == '/' && p[-2] == 'W');
        bool end_ok = p[n] == '\0' || p[n] == ',' || p[n] == ' ';
        if (start_ok && end_ok)
            return true;
    }
    return false;
}

static void serve_file(struct request *r, const struct web_file *f)
{
    bool not_modified = etag_matches(r, f->etag);
    struct MHD_Response *resp =
        not_modified ? MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT)
                     : MHD_create_response_from_buffer(f->size, (void *)f->data, MHD_RESPMEM_PERSISTENT);
    if (!resp) {
        fputs("claimdb: cannot create a response\n", stderr);
        abort();
    }
    if (!not_modified)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, f->content_type);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, f->etag);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
    MHD_add_response_header(resp, "Content-Security-Policy", csp);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    reply_response(r, not_modified ? MHD_HTTP_NOT_MODIFIED : MHD_HTTP_OK, resp);
    r->bytes_out = not_modified ? 0 : f->size;
}

static void get_index(struct request *r)
{
    const struct web_file *f = find_file("index.html");
    if (!f) {
        reply_error(r, MHD_HTTP_NOT_FOUND, "not_found", NULL, "this build has no page");
        return;
    }
    serve_file(r, f);
}

static void get_ui_file(struct request *r)
{
    const char *name = request_param(r, "file");
    const struct web_file *f = name ? find_file(name) : NULL;
    if (!f) {
        reply_error(r, MHD_HTTP_NOT_FOUND, "not_found", NULL, "no such file of the page: %s", r->url);
        return;
    }
    serve_file(r, f);
}

/* clang-format off */
static const struct route routes[] = {
    {.method = "GET", .pattern = "/",          .handler = get_index,   .access = ACCESS_PUBLIC},
    {.method = "GET", .pattern = "/ui/{file}", .handler = get_ui_file, .access = ACCESS_PUBLIC},
    {.method = NULL},
};
/* clang-format on */

const struct resource web_resource = {.name = "page", .routes = routes};

/* router: the route table's path matching, pure and unit-tested.
 *
 * Patterns are literal segments and "{name}" parameters, e.g.
 * "/v1/claims/{id}/attributions". A path that matches some pattern with
 * another method gives 405 with the methods that would match in Allow. */
#ifndef CLAIMDB_ROUTER_H
#define CLAIMDB_ROUTER_H

#include <stddef.h>

#define ROUTER_MAX_PARAMS 4
#define ROUTER_MAX_PATH 1024

struct request;
typedef void (*route_handler)(struct request *r);

/* How the core treats a request body for a route. */
enum route_body {
    BODY_NONE,   /* a body is read and ignored */
    BODY_JSON,   /* buffered up to the body limit, parsed with jansson, then the handler runs */
    BODY_STREAM, /* handed to the route's stream callbacks as it arrives */
};

/* Callbacks for BODY_STREAM routes. begin runs on the first call with the
 * request's headers; feed with each chunk (return non-zero to stop reading:
 * the handler then replies with what the stream recorded); the handler runs
 * once the body is complete; release frees the stream state on every path. */
struct body_stream {
    void *(*begin)(struct request *r);
    int (*feed)(struct request *r, void *state, const char *data, size_t len);
    void (*release)(void *state);
};

/* The access a route needs, checked in one place (http.c) before the
 * handler runs. Each level includes the ones before it, as the project
 * roles do (viewer < annotator < curator < manager < owner); server admins
 * have every level. ACCESS_UNSET (0) is what a route entry that forgets the
 * field gets: routes_init() refuses it, so every route states its access.
 * Until the teams issue enforces them, the levels document intent only. */
enum route_access {
    ACCESS_UNSET = 0,
    ACCESS_PUBLIC,   /* anyone, without credentials (health, the API description) */
    ACCESS_USER,     /* any signed-in identity, no project role (e.g. /v1/me) */
    ACCESS_READ,     /* viewer of the row's project (anyone, for public projects) */
    ACCESS_ANNOTATE, /* annotator: create annotations, edit and delete their own */
    ACCESS_CURATE,   /* curator: edit anyone's annotations, merge actors, sources and documents */
    ACCESS_MANAGE,   /* manager: members, settings, import */
    ACCESS_OWN,      /* owner: delete or transfer the project */
    ACCESS_ADMIN,    /* server administrator */
};

/* A route table entry. Written with designated initializers:
 *   {.method = "GET", .pattern = "/v1/claims/{id}", .handler = get_claim, .access = ACCESS_READ}
 * (body defaults to BODY_NONE, stream to NULL). */
struct route {
    const char *method;
    const char *pattern;
    route_handler handler;
    enum route_body body;
    const struct body_stream *stream;
    enum route_access access;
};

struct route_params {
    size_t count;
    const char *names[ROUTER_MAX_PARAMS];
    const char *values[ROUTER_MAX_PARAMS]; /* point into the caller's buffer */
};

enum route_status { ROUTE_FOUND, ROUTE_NOT_FOUND, ROUTE_METHOD_NOT_ALLOWED };

/* Matches method + path against table[0..n). path is copied into buf
 * (ROUTER_MAX_PATH bytes), which the parameter values then point into. On
 * ROUTE_FOUND *found and params are set; on ROUTE_METHOD_NOT_ALLOWED allow
 * holds the comma-separated methods that match the path. A trailing slash is
 * ignored. Paths longer than the buffer are ROUTE_NOT_FOUND. */
enum route_status router_match(const struct route *table, size_t n, const char *method, const char *path,
                               char buf[ROUTER_MAX_PATH], const struct route **found,
                               struct route_params *params, char *allow, size_t allow_size);

#endif

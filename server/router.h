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

struct route {
    const char *method;
    const char *pattern;
    route_handler handler;
    enum route_body body;
    const struct body_stream *stream;
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
enum route_status router_match(const struct route *table, size_t n, const char *method,
                               const char *path, char buf[ROUTER_MAX_PATH],
                               const struct route **found, struct route_params *params,
                               char *allow, size_t allow_size);

#endif

/* request: the per-request context (MHD's req_cls) that handlers receive,
 * and what a handler reads of the request: path parameters and query
 * arguments (request.c). */
#ifndef CLAIMDB_REQUEST_H
#define CLAIMDB_REQUEST_H

#include "router.h"

#include <jansson.h>
#include <microhttpd.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct auth;
struct config;
struct guard;

struct request {
    struct MHD_Connection *conn;
    const struct config *cfg;
    const char *method; /* owned by MHD, valid for the request */
    const char *url;
    const struct route *route;
    struct route_params params;

    /* Body (BODY_JSON): the bytes read so far, never more than the limit. */
    char *body;
    size_t body_len;
    size_t body_cap;
    size_t body_limit;
    bool body_too_large;
    json_t *json; /* the parsed body, owned here; handlers borrow it */

    void *stream_state; /* BODY_STREAM state, released at completion */
    bool stream_stopped;

    /* The reply, queued by the core once the handler returns. */
    struct MHD_Response *response;
    unsigned status;
    size_t bytes_out; /* for the access log; streamed replies add to it */

    struct timespec started;

    /* History (history.c): the If-Match precondition handed to the database
     * as claimdb.if_match ("<table>/<id>/<rev>", "" when none), the label
     * of the change (claimdb.reason, NULL for a plain edit), and the state
     * of a long poll (GET /v1/changes?wait=). */
    char if_match[96];
    const char *reason;
    bool waited;                /* the long poll has been registered once */
    struct timespec wait_until; /* CLOCK_MONOTONIC deadline of the long poll */
    bool wait_asked;            /* the handler asks to sleep, then run again (feed.h) */
    unsigned long wait_seen;    /* the feed generation it saw before querying */
    unsigned wait_retry_ms;     /* 0, or look again this soon */
    /* Who is calling (auth.h), set before the handler runs; NULL for the
     * requests answered before identification (404, 405, 413). */
    struct auth *auth;
    char request_id[65]; /* X-Request-Id, sent back and passed to PostgreSQL */
    char client_ip[48];  /* for the access log and sign-in throttling */
    char *query;         /* the decoded query arguments, for the access log; owned */

    struct guard *guard;  /* the connection's deadlines (guard.h); may be NULL */
    void *db_slot;        /* the pooled database connection held, if any (db.c) */
    bool begun;           /* the first access-handler call has run */
    bool too_many_params; /* the query string was cut before MHD parsed it */
    /* Errors recorded between reply_collect_begin and reply_collect_end
     * (reply.h): a JSON array, or NULL; owned. */
    bool collecting;
    json_t *collected;

    /* Last, and not zeroed when the request is allocated (the router writes
     * it before anything reads it): 1 KiB of memset per request for nothing. */
    char path_buf[ROUTER_MAX_PATH];
};

/* The value of path parameter `name` ("id"), or NULL. */
const char *request_param(const struct request *r, const char *name);

/* The value of query argument `name`, or NULL when absent. */
const char *request_query(const struct request *r, const char *name);

#endif

/* metrics: the server's counters, rendered in the Prometheus text format
 * for GET /metrics (ep_metrics.c). Recording is lock-free (atomics), so
 * every request can record without contention. */
#ifndef CLAIMDB_METRICS_H
#define CLAIMDB_METRICS_H

#include "jsonbuf.h"

#include <stdatomic.h>
#include <stddef.h>

/* Why a request was turned away before (or instead of) being served. */
enum metrics_rejection {
    REJECT_TOO_MANY_EXPORTS,
    REJECT_TOO_MANY_IMPORTS,
    REJECT_TOO_MANY_PARAMETERS,
    REJECT_BAD_FRAMING, /* Host, Content-Length, Transfer-Encoding */
    REJECT_BODY_TOO_LARGE,
    REJECT_LINE_TOO_LONG, /* an import line longer than the largest record */
    REJECT_REASONS
};

/* Long polls waiting now (issue 11's change feed adds and subtracts). */
extern atomic_int metrics_long_polls;

/* Exports and imports running now (ep_export.c, ep_import.c keep them). */
unsigned export_running(void);
unsigned import_running(void);

/* Sizes the per-route tables for `routes` routes. Returns 0, or -1 when out
 * of memory (the server then runs without per-route metrics). */
int metrics_init(size_t routes);

/* Frees the tables. */
void metrics_free(void);

/* One finished request: route index (routes_table), or (size_t)-1 when no
 * route matched; HTTP status (0 when none was sent); duration in seconds. */
void metrics_request(size_t route, unsigned status, double seconds);

/* A request turned away for `reason`. */
void metrics_reject(enum metrics_rejection reason);

/* Appends every metric in the text exposition format (version 0.0.4). */
void metrics_render(struct jsonbuf *out);

#endif

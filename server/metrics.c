#include "metrics.h"

#include "db.h"
#include "guard.h"
#include "registry.h"
#include "slow.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

atomic_int metrics_long_polls;

/* The statuses claimdb sends, each with its own counter; anything else
 * counts under "other" (index STATUSES). */
static const unsigned statuses[] = {200, 201, 204, 304, 400, 401, 403, 404, 405, 409,
                                    412, 413, 414, 415, 422, 428, 429, 500, 501, 503};
#define STATUSES (sizeof statuses / sizeof *statuses)

/* Latency buckets in seconds: short requests should sit in the first few,
 * exports and imports in the last. */
static const double buckets[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
#define BUCKETS (sizeof buckets / sizeof *buckets)

struct route_metrics {
    atomic_ulong by_status[STATUSES + 1];
    atomic_ulong le[BUCKETS]; /* non-cumulative here; summed when rendered */
    atomic_ulong count;
    atomic_ullong micros; /* sum of durations */
};

static struct route_metrics *per_route; /* routes + 1 (the last: no route) */
static size_t n_routes;
static atomic_ulong rejections[REJECT_REASONS];

static const char *const rejection_names[REJECT_REASONS] = {
    "too_many_exports", "too_many_imports", "too_many_parameters",
    "bad_framing",      "body_too_large",   "line_too_long",
};

int metrics_init(size_t routes)
{
    per_route = calloc(routes + 1, sizeof *per_route);
    if (!per_route)
        return -1;
    n_routes = routes;
    return 0;
}

void metrics_free(void)
{
    free(per_route);
    per_route = NULL;
    n_routes = 0;
}

void metrics_request(size_t route, unsigned status, double seconds)
{
    if (!per_route)
        return;
    struct route_metrics *m = &per_route[route < n_routes ? route : n_routes];
    size_t s = 0;
    while (s < STATUSES && statuses[s] != status)
        s++;
    atomic_fetch_add_explicit(&m->by_status[s], 1, memory_order_relaxed);
    size_t b = 0;
    while (b < BUCKETS && seconds > buckets[b])
        b++;
    if (b < BUCKETS)
        atomic_fetch_add_explicit(&m->le[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->count, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->micros, (unsigned long long)(seconds * 1e6), memory_order_relaxed);
}

void metrics_reject(enum metrics_rejection reason)
{
    atomic_fetch_add_explicit(&rejections[reason], 1, memory_order_relaxed);
}

static void printf_to(struct jsonbuf *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void printf_to(struct jsonbuf *out, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n > 0)
        jb_raw(out, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

/* The route label: "GET /v1/claims/{id}", or "none". Patterns hold no
 * character that needs escaping in a label value ('"', '\\', newline). */
static void route_label(size_t i, char *buf, size_t size)
{
    if (i < n_routes)
        snprintf(buf, size, "%s %s", routes_table[i].method, routes_table[i].pattern);
    else
        snprintf(buf, size, "none");
}

void metrics_render(struct jsonbuf *out)
{
    char route[160];
    jb_cstr(out, "# HELP claimdb_http_requests_total Requests answered, by route and status.\n"
                 "# TYPE claimdb_http_requests_total counter\n");
    for (size_t i = 0; per_route && i <= n_routes; i++)
        for (size_t s = 0; s <= STATUSES; s++) {
            unsigned long n = atomic_load(&per_route[i].by_status[s]);
            if (!n)
                continue;
            route_label(i, route, sizeof route);
            if (s < STATUSES)
                printf_to(out, "claimdb_http_requests_total{route=\"%s\",status=\"%u\"} %lu\n", route,
                          statuses[s], n);
            else
                printf_to(out, "claimdb_http_requests_total{route=\"%s\",status=\"other\"} %lu\n", route, n);
        }
    jb_cstr(
        out,
        "# HELP claimdb_http_request_duration_seconds Time from the request line to the end of the reply.\n"
        "# TYPE claimdb_http_request_duration_seconds histogram\n");
    for (size_t i = 0; per_route && i <= n_routes; i++) {
        unsigned long count = atomic_load(&per_route[i].count);
        if (!count)
            continue;
        route_label(i, route, sizeof route);
        unsigned long cumulative = 0;
        for (size_t b = 0; b < BUCKETS; b++) {
            cumulative += atomic_load(&per_route[i].le[b]);
            printf_to(out, "claimdb_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %lu\n",
                      route, buckets[b], cumulative);
        }
        printf_to(out, "claimdb_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %lu\n", route,
                  count);
        printf_to(out, "claimdb_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n", route,
                  (double)atomic_load(&per_route[i].micros) / 1e6);
        printf_to(out, "claimdb_http_request_duration_seconds_count{route=\"%s\"} %lu\n", route, count);
    }
    struct db_pool_stats pool;
    db_pool_stats(&pool);
    printf_to(out,
              "# HELP claimdb_db_connections Connections of the pool serving short requests.\n"
              "# TYPE claimdb_db_connections gauge\n"
              "claimdb_db_connections{state=\"in_use\"} %u\n"
              "claimdb_db_connections{state=\"idle_or_unopened\"} %u\n"
              "# HELP claimdb_db_connection_waiters Requests waiting for a pooled connection now.\n"
              "# TYPE claimdb_db_connection_waiters gauge\n"
              "claimdb_db_connection_waiters %u\n",
              pool.in_use, pool.size - pool.in_use, pool.waiting);
    printf_to(out,
              "# HELP claimdb_in_flight Long-running requests in progress.\n"
              "# TYPE claimdb_in_flight gauge\n"
              "claimdb_in_flight{kind=\"export\"} %u\n"
              "claimdb_in_flight{kind=\"network\"} %u\n"
              "claimdb_in_flight{kind=\"import\"} %u\n"
              "claimdb_in_flight{kind=\"long_poll\"} %d\n",
              export_running(), slow_running(SLOW_NETWORK), import_running(),
              atomic_load(&metrics_long_polls));
    jb_cstr(out, "# HELP claimdb_rejected_total Requests and connections turned away, by reason.\n"
                 "# TYPE claimdb_rejected_total counter\n");
    for (size_t r = 0; r < REJECT_REASONS; r++)
        printf_to(out, "claimdb_rejected_total{reason=\"%s\"} %lu\n", rejection_names[r],
                  atomic_load(&rejections[r]));
    printf_to(out, "claimdb_rejected_total{reason=\"db_pool_timeout\"} %lu\n", pool.timeouts);
    for (int g = 0; g < GUARD_REASONS; g++)
        printf_to(out, "claimdb_rejected_total{reason=\"%s\"} %lu\n", guard_reason_names[g],
                  guard_cut_count((enum guard_reason)g));
}

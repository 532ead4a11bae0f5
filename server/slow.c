#include "slow.h"

#include "config.h"
#include "db.h"
#include "metrics.h"
#include "reply.h"

#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>

/* Slots taken, in total (against the cap) and per kind (for the metrics). */
static atomic_uint running_total;
static atomic_uint running[SLOW_KINDS];

bool slow_cap_or_reply(struct request *r, atomic_uint *taken, unsigned cap, enum metrics_rejection why,
                       const char *code, const char *what)
{
    if (atomic_fetch_add(taken, 1) < cap)
        return true;
    atomic_fetch_sub(taken, 1);
    metrics_reject(why);
    reply_error(r, MHD_HTTP_SERVICE_UNAVAILABLE, code, NULL,
                "%u %s are running, the most this server allows; retry shortly", cap, what);
    reply_header(r, MHD_HTTP_HEADER_RETRY_AFTER, "5");
    return false;
}

/* Idle connections kept for the next export or streamed network. Only a
 * slot's holder gives one back (the one it took or made), and an export
 * trims them as it takes its slot, so that the slots taken and the
 * connections kept together stay within the cap: claimdb's share of
 * PostgreSQL stays the one it states at start. */
#define KEPT_MAX 64
static pthread_mutex_t kept_lock = PTHREAD_MUTEX_INITIALIZER;
static PGconn *kept[KEPT_MAX];
static unsigned kept_count;

/* Closes kept connections beyond what the slots not taken leave room for. */
static void trim_kept(unsigned cap)
{
    PGconn *drop[KEPT_MAX];
    unsigned n = 0, taken = atomic_load(&running_total), room = cap > taken ? cap - taken : 0;
    pthread_mutex_lock(&kept_lock);
    while (kept_count > room)
        drop[n++] = kept[--kept_count];
    pthread_mutex_unlock(&kept_lock);
    while (n)
        PQfinish(drop[--n]);
}

bool slow_slot_or_reply(struct request *r, enum slow_kind kind)
{
    if (!slow_cap_or_reply(r, &running_total, r->cfg->max_exports, REJECT_TOO_MANY_EXPORTS,
                           "too_many_exports", "exports or streamed networks"))
        return false;
    atomic_fetch_add(&running[kind], 1);
    if (kind == SLOW_EXPORT)
        trim_kept(r->cfg->max_exports);
    return true;
}

void slow_give(enum slow_kind kind)
{
    atomic_fetch_sub(&running[kind], 1);
    atomic_fetch_sub(&running_total, 1);
}

unsigned slow_running(enum slow_kind kind)
{
    return atomic_load(&running[kind]);
}

/* Healthy, idle, and nothing unread: an idle connection with bytes to read
 * was closed by the server (a restart, a terminate), as db.c explains. */
static bool reusable(PGconn *conn)
{
    if (PQstatus(conn) != CONNECTION_OK || PQtransactionStatus(conn) != PQTRANS_IDLE
        || PQpipelineStatus(conn) != PQ_PIPELINE_OFF)
        return false;
    struct pollfd p = {.fd = PQsocket(conn), .events = POLLIN};
    return poll(&p, 1, 0) == 0;
}

PGconn *slow_conn(char *error, size_t error_size)
{
    for (;;) {
        pthread_mutex_lock(&kept_lock);
        PGconn *conn = kept_count ? kept[--kept_count] : NULL;
        pthread_mutex_unlock(&kept_lock);
        if (!conn)
            return db_connect(false, error, error_size);
        if (reusable(conn))
            return conn;
        PQfinish(conn);
    }
}

void slow_conn_keep(PGconn *conn)
{
    if (!conn)
        return;
    if (reusable(conn)) {
        pthread_mutex_lock(&kept_lock);
        bool room = kept_count < KEPT_MAX;
        if (room)
            kept[kept_count++] = conn;
        pthread_mutex_unlock(&kept_lock);
        if (room)
            return;
    }
    PQfinish(conn);
}

void slow_close_all(void)
{
    pthread_mutex_lock(&kept_lock);
    while (kept_count)
        PQfinish(kept[--kept_count]);
    pthread_mutex_unlock(&kept_lock);
}

void slow_small_send_buffer(struct request *r)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (ci) {
        int sndbuf = 256 * 1024;
        setsockopt(ci->connect_fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
    }
}

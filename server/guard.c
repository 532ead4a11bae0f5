#include "guard.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

enum phase { PHASE_HEADERS, PHASE_BODY, PHASE_BUSY, PHASE_STREAMING };

struct guard {
    int fd;
    atomic_int phase;
    atomic_llong since_ns; /* when the phase began, or the last progress while streaming */
    atomic_ullong bytes;   /* body bytes received in PHASE_BODY */
    bool cut;              /* under list_lock: cut once, counted once */
    atomic_int cut_reason; /* enum guard_reason, or -1 */
    struct guard *prev, *next;
};

const char *const guard_reason_names[GUARD_REASONS] = {"header_timeout", "body_too_slow", "send_stalled"};

static pthread_mutex_t list_lock = PTHREAD_MUTEX_INITIALIZER;
static struct guard *head;
static const struct config *limits;
static atomic_ulong cuts[GUARD_REASONS];

static pthread_t watchdog;
static bool running;
static pthread_mutex_t stop_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t stop_cond;
static bool stopping;

static long long now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void set_phase(struct guard *g, enum phase p)
{
    if (!g)
        return;
    atomic_store(&g->since_ns, now_ns());
    atomic_store(&g->bytes, 0);
    atomic_store(&g->phase, (int)p);
}

struct guard *guard_open(int fd)
{
    struct guard *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->fd = fd;
    atomic_store(&g->cut_reason, -1);
    set_phase(g, PHASE_HEADERS);
    pthread_mutex_lock(&list_lock);
    g->next = head;
    if (head)
        head->prev = g;
    head = g;
    pthread_mutex_unlock(&list_lock);
    return g;
}

void guard_close(struct guard *g)
{
    if (!g)
        return;
    pthread_mutex_lock(&list_lock);
    if (g->prev)
        g->prev->next = g->next;
    else
        head = g->next;
    if (g->next)
        g->next->prev = g->prev;
    pthread_mutex_unlock(&list_lock);
    free(g);
}

void guard_await_headers(struct guard *g)
{
    set_phase(g, PHASE_HEADERS);
}
void guard_await_body(struct guard *g)
{
    set_phase(g, PHASE_BODY);
}
void guard_busy(struct guard *g)
{
    set_phase(g, PHASE_BUSY);
}
void guard_streaming(struct guard *g)
{
    set_phase(g, PHASE_STREAMING);
}

void guard_body_bytes(struct guard *g, size_t n)
{
    if (g)
        atomic_fetch_add(&g->bytes, n);
}

int guard_cut_reason(const struct guard *g)
{
    return g ? atomic_load(&g->cut_reason) : -1;
}

unsigned long guard_cut_count(enum guard_reason reason)
{
    return atomic_load(&cuts[reason]);
}

/* The reason g is past its deadline at `now`, or -1 when it is not. */
static int overdue(const struct guard *g, long long now)
{
    long long elapsed = now - atomic_load(&g->since_ns);
    long long header_ns = (long long)limits->header_timeout * 1000000000LL;
    switch ((enum phase)atomic_load(&g->phase)) {
    case PHASE_HEADERS: return elapsed > header_ns ? GUARD_HEADER_TIMEOUT : -1;
    case PHASE_BODY:
        /* bytes / seconds < rate, in integers: bytes * 1e9 < rate * ns */
        if (elapsed > header_ns && limits->min_body_rate
            && (long double)atomic_load(&g->bytes) * 1e9L < (long double)limits->min_body_rate * elapsed)
            return GUARD_BODY_TOO_SLOW;
        return -1;
    case PHASE_STREAMING:
        return limits->send_timeout && elapsed > (long long)limits->send_timeout * 1000000000LL
                   ? GUARD_SEND_STALLED
                   : -1;
    case PHASE_BUSY: return -1;
    }
    return -1;
}

static void sweep(void)
{
    long long now = now_ns();
    pthread_mutex_lock(&list_lock);
    for (struct guard *g = head; g; g = g->next) {
        if (g->cut)
            continue;
        int why = overdue(g, now);
        if (why < 0)
            continue;
        /* The socket stays open until MHD's cleanup, which calls guard_close
         * (and so takes list_lock) first: fd is this connection's here. */
        g->cut = true;
        atomic_store(&g->cut_reason, why); /* before the cut: the access log reads it */
        shutdown(g->fd, SHUT_RDWR);
        atomic_fetch_add(&cuts[why], 1);
        fprintf(stderr, "{\"level\":\"warn\",\"event\":\"connection_cut\",\"reason\":\"%s\"}\n",
                guard_reason_names[why]);
    }
    pthread_mutex_unlock(&list_lock);
}

static void *watch(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&stop_lock);
    while (!stopping) {
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        t.tv_nsec += 250 * 1000000L; /* a quarter second: deadlines are whole seconds */
        if (t.tv_nsec >= 1000000000L) {
            t.tv_sec++;
            t.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&stop_cond, &stop_lock, &t);
        if (stopping)
            break;
        pthread_mutex_unlock(&stop_lock);
        sweep();
        pthread_mutex_lock(&stop_lock);
    }
    pthread_mutex_unlock(&stop_lock);
    return NULL;
}

int guard_start(const struct config *cfg)
{
    limits = cfg;
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&stop_cond, &attr);
    pthread_condattr_destroy(&attr);
    stopping = false;
    if (pthread_create(&watchdog, NULL, watch, NULL) != 0)
        return -1;
    running = true;
    return 0;
}

void guard_stop(void)
{
    if (!running)
        return;
    pthread_mutex_lock(&stop_lock);
    stopping = true;
    pthread_cond_signal(&stop_cond);
    pthread_mutex_unlock(&stop_lock);
    pthread_join(watchdog, NULL);
    pthread_cond_destroy(&stop_cond);
    running = false;
}

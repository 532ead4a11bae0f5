#include "feed.h"

#include "db.h"
#include "metrics.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

/* A waiting request's thread sleeps on its own condition variable; the
 * waiter lives on that thread's stack. */
struct waiter {
    pthread_cond_t cond;       /* CLOCK_MONOTONIC */
    bool woken;                /* under lock: taken off the list and signalled */
    struct timespec resume_at; /* CLOCK_MONOTONIC */
    struct waiter *next;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct waiter *waiters; /* under lock */
static bool stopping;          /* under lock */
static atomic_ulong generation;
static int wake_fd = -1; /* eventfd: a new waiter, or stop */
static pthread_t thread;
static bool running;

unsigned long feed_generation(void)
{
    return atomic_load(&generation);
}

static long long ms_until(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)(t->tv_sec - now.tv_sec) * 1000 + (t->tv_nsec - now.tv_nsec) / 1000000;
}

static void poke(void)
{
    uint64_t one = 1;
    ssize_t w = write(wake_fd, &one, sizeof one);
    (void)w;
}

void feed_ask_wait(struct request *r, unsigned long seen, unsigned retry_ms)
{
    r->wait_asked = true;
    r->wait_seen = seen;
    r->wait_retry_ms = retry_ms;
}

bool feed_time_is_up(const struct request *r)
{
    return ms_until(&r->wait_until) <= 0;
}

/* Gives back to the kernel the whole pages of this thread's stack more
 * than 256 bytes below a local of this function (noinline: its frame is
 * its own, about 110 bytes with the madvise call; the waiting that follows
 * happens from the caller's frame, above it). A sleeping thread otherwise keeps every page its
 * request touched on the way down (libpq, jansson, the router); they come
 * back zeroed, on demand, when the woken handler goes deep again. Below
 * the stack pointer nothing is live. */
__attribute__((noinline)) static void stack_trim(void)
{
    char marker; /* where this frame is */
    pthread_attr_t attr;
    if (pthread_getattr_np(pthread_self(), &attr) != 0)
        return;
    void *low = NULL;
    size_t size = 0;
    int got = pthread_attr_getstack(&attr, &low, &size);
    pthread_attr_destroy(&attr);
    long page = sysconf(_SC_PAGESIZE);
    if (got != 0 || page <= 0)
        return;
    uintptr_t mask = ~((uintptr_t)page - 1);
    uintptr_t bottom = ((uintptr_t)low + (uintptr_t)page - 1) & mask;
    uintptr_t here = (uintptr_t)&marker;
    if (here < bottom + (uintptr_t)page || here > (uintptr_t)low + size)
        return; /* not on this stack (a sanitizer's fake frame): keep it all */
    uintptr_t top = (here - 256) & mask;
    if (top > bottom)
        (void)madvise((void *)bottom, top - bottom, MADV_DONTNEED);
}

bool feed_wait_if_asked(struct request *r)
{
    if (!r->wait_asked)
        return false;
    r->wait_asked = false;
    if (atomic_load(&generation) != r->wait_seen || feed_time_is_up(r))
        return true; /* something changed already, or time is up: run again now */
    struct waiter w = {.woken = false, .resume_at = r->wait_until};
    if (r->wait_retry_ms) {
        struct timespec retry;
        clock_gettime(CLOCK_MONOTONIC, &retry);
        retry.tv_sec += r->wait_retry_ms / 1000;
        retry.tv_nsec += (long)(r->wait_retry_ms % 1000) * 1000000;
        if (retry.tv_nsec >= 1000000000) {
            retry.tv_sec++;
            retry.tv_nsec -= 1000000000;
        }
        if (ms_until(&retry) < ms_until(&w.resume_at))
            w.resume_at = retry;
    }
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&w.cond, &attr);
    pthread_condattr_destroy(&attr);
    db_release(r); /* a waiting long poll holds no pooled connection */
    stack_trim();
    pthread_mutex_lock(&lock);
    /* Checked again under the lock: the thread bumps the generation and
     * then takes the lock to wake, so a waiter added after the bump is
     * refused here rather than missed. */
    bool can_wait = running && !stopping;
    if (can_wait && atomic_load(&generation) == r->wait_seen) {
        w.next = waiters;
        waiters = &w;
        atomic_fetch_add(&metrics_long_polls, 1);
        /* The listener wakes it on a notification or at shutdown; its own
         * deadline it keeps itself. */
        while (!w.woken) {
            if (pthread_cond_timedwait(&w.cond, &lock, &w.resume_at) == ETIMEDOUT && !w.woken) {
                for (struct waiter **p = &waiters; *p; p = &(*p)->next)
                    if (*p == &w) {
                        *p = w.next;
                        break;
                    }
                break;
            }
        }
        atomic_fetch_sub(&metrics_long_polls, 1);
    }
    pthread_mutex_unlock(&lock);
    pthread_cond_destroy(&w.cond);
    if (!can_wait) /* no feed to wait on: the next run replies with what there is */
        clock_gettime(CLOCK_MONOTONIC, &r->wait_until);
    return true;
}

/* Wakes the waiters that are due, or all of them; returns the ms until
 * the next one is due (at most 1000). Called with the lock held. */
static int resume_due(bool all)
{
    long long next = 1000;
    for (struct waiter **p = &waiters; *p;) {
        struct waiter *w = *p;
        long long left = ms_until(&w->resume_at);
        if (all || left <= 0) {
            *p = w->next;
            w->woken = true;
            pthread_cond_signal(&w->cond);
            continue;
        }
        if (left < next)
            next = left;
        p = &w->next;
    }
    return (int)next;
}

/* One LISTEN connection, made again when it breaks. */
static PGconn *listen_connection(void)
{
    char error[512];
    PGconn *conn = db_connect(false, error, sizeof error);
    if (!conn) {
        fprintf(stderr, "{\"level\":\"error\",\"event\":\"feed_connect\",\"message\":\"%s\"}\n", error);
        return NULL;
    }
    PGresult *res = PQexec(conn, "LISTEN claimdb_changes");
    bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    PQclear(res);
    if (!ok) {
        PQfinish(conn);
        return NULL;
    }
    return conn;
}

static void *listen_loop(void *arg)
{
    (void)arg;
    PGconn *conn = NULL;
    int timeout = 0;
    for (;;) {
        if (!conn) {
            conn = listen_connection();
            /* Whatever was committed while there was no listener: wake all. */
            atomic_fetch_add(&generation, 1);
            pthread_mutex_lock(&lock);
            resume_due(true);
            pthread_mutex_unlock(&lock);
        }
        struct pollfd fds[2] = {{.fd = wake_fd, .events = POLLIN},
                                {.fd = conn ? PQsocket(conn) : -1, .events = POLLIN}};
        int n = poll(fds, 2, conn ? timeout : 1000);
        if (n < 0 && errno != EINTR)
            break;
        if (fds[0].revents & POLLIN) {
            uint64_t v;
            ssize_t rd = read(wake_fd, &v, sizeof v);
            (void)rd;
        }
        bool notified = false;
        if (conn && (fds[1].revents & (POLLIN | POLLERR | POLLHUP))) {
            if (!PQconsumeInput(conn) || PQstatus(conn) != CONNECTION_OK) {
                PQfinish(conn);
                conn = NULL;
            } else {
                PGnotify *note;
                while ((note = PQnotifies(conn))) {
                    notified = true;
                    PQfreemem(note);
                }
            }
        }
        if (notified)
            atomic_fetch_add(&generation, 1);
        pthread_mutex_lock(&lock);
        bool stop = stopping;
        timeout = resume_due(notified || stop);
        pthread_mutex_unlock(&lock);
        if (stop)
            break;
    }
    if (conn)
        PQfinish(conn);
    return NULL;
}

int feed_start(void)
{
    wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wake_fd < 0)
        return -1;
    if (pthread_create(&thread, NULL, listen_loop, NULL) != 0) {
        close(wake_fd);
        wake_fd = -1;
        return -1;
    }
    running = true;
    return 0;
}

void feed_stop(void)
{
    if (!running)
        return;
    pthread_mutex_lock(&lock);
    stopping = true;
    pthread_mutex_unlock(&lock);
    poke();
}

void feed_join(void)
{
    if (!running)
        return;
    feed_stop();
    pthread_join(thread, NULL);
    running = false;
    close(wake_fd);
    wake_fd = -1;
}

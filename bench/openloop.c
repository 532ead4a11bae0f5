/* openloop: an open-loop HTTP/1.1 load generator for make bench.
 *
 * Requests are scheduled at a fixed rate, whatever the server does, and
 * each one's latency is taken from its SCHEDULED send time: a request that
 * waits for a free connection (because the server is slow) counts that wait.
 * A closed loop (wrk) only sends when a reply comes back, so a slow server
 * is asked less and its queueing never shows (coordinated omission).
 *
 * usage: openloop HOST PORT RATE SECONDS CONNECTIONS IDS_FILE TEMPLATE [AUTHORIZATION]
 * TEMPLATE is a path with {id} replaced by a random line of IDS_FILE;
 * AUTHORIZATION, when given, is sent as that header (e.g. "Bearer cdb_…"). Prints
 * one line: BENCH requests=… duration_us=… rate=… status_errors=…
 * socket_errors=… unsent=… p50_us=… p99_us=… max_us=… (bench/bench.py). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct conn {
    int fd;
    int busy;
    long long sched_us; /* scheduled send time of the request in flight */
    char *buf; /* a whole response: GET /v1/claims/{id} embeds everything about the claim */
    size_t len, cap;
};

static long long now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

static int cmp_ll(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

static int connect_to(const char *host, int port)
{
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
    inet_pton(AF_INET, host, &addr.sin_addr);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        perror("openloop: connect");
        exit(1);
    }
    fcntl(fd, F_SETFL, O_NONBLOCK);
    return fd;
}

/* Length of a complete response at the start of buf, 0 if incomplete, -1 if unusable. */
static long response_length(const char *buf, size_t len, int *status)
{
    const char *end = memmem(buf, len, "\r\n\r\n", 4);
    if (!end)
        return 0;
    *status = atoi(buf + 9);
    const char *cl = memmem(buf, (size_t)(end - buf), "\r\nContent-Length:", 17);
    if (!cl)
        cl = memmem(buf, (size_t)(end - buf), "\r\ncontent-length:", 17);
    if (!cl)
        return -1;
    long total = (end - buf) + 4 + atol(cl + 17);
    return (size_t)total <= len ? total : 0;
}

int main(int argc, char **argv)
{
    if (argc != 8 && argc != 9) {
        fputs("usage: openloop HOST PORT RATE SECONDS CONNECTIONS IDS_FILE TEMPLATE [AUTHORIZATION]\n", stderr);
        return 2;
    }
    char auth[512] = "";
    if (argc == 9 && snprintf(auth, sizeof auth, "Authorization: %s\r\n", argv[8]) >= (int)sizeof auth) {
        fputs("openloop: AUTHORIZATION is too long\n", stderr);
        return 2;
    }
    const char *host = argv[1];
    int port = atoi(argv[2]), nconn = atoi(argv[5]);
    double rate = atof(argv[3]), seconds = atof(argv[4]);
    FILE *f = fopen(argv[6], "r");
    if (!f || rate <= 0 || nconn <= 0) {
        fputs("openloop: bad arguments\n", stderr);
        return 2;
    }
    size_t nids = 0, cap = 1024;
    char **ids = malloc(cap * sizeof *ids), line[256];
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!*line)
            continue;
        if (nids == cap)
            ids = realloc(ids, (cap *= 2) * sizeof *ids);
        ids[nids++] = strdup(line);
    }
    fclose(f);
    if (!nids)
        return 2;

    size_t total = (size_t)(rate * seconds);
    long long *lat = calloc(total + 1, sizeof *lat), *queue = calloc(total + 1, sizeof *queue);
    size_t done = 0, qhead = 0, qtail = 0, status_errors = 0, socket_errors = 0;
    struct conn *c = calloc((size_t)nconn, sizeof *c);
    int ep = epoll_create1(0);
    for (int i = 0; i < nconn; i++) {
        c[i].fd = connect_to(host, port);
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (unsigned)i};
        epoll_ctl(ep, EPOLL_CTL_ADD, c[i].fd, &ev);
    }
    srand(42);
    const char *tmpl = argv[7], *hole = strstr(tmpl, "{id}");
    long long start = now_us(), interval = (long long)(1e6 / rate), deadline = start + (long long)(seconds * 1e6);
    size_t scheduled = 0;
    for (;;) {
        long long now = now_us();
        while (scheduled < total && start + (long long)scheduled * interval <= now)
            queue[qtail++] = start + (long long)(scheduled++) * interval;
        for (int i = 0; i < nconn && qhead < qtail; i++) {
            if (c[i].busy)
                continue;
            char req[2048];
            int n = hole ? snprintf(req, sizeof req, "GET %.*s%s%s HTTP/1.1\r\nHost: %s\r\n%s\r\n", (int)(hole - tmpl),
                                    tmpl, ids[(size_t)rand() % nids], hole + 4, host, auth)
                         : snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: %s\r\n%s\r\n", tmpl, host, auth);
            if (n < 0 || n >= (int)sizeof req || write(c[i].fd, req, (size_t)n) != n) {
                socket_errors++;
                qhead++;
                continue;
            }
            c[i].busy = 1;
            c[i].sched_us = queue[qhead++];
            c[i].len = 0;
        }
        if (scheduled >= total && qhead == qtail) {
            int busy = 0;
            for (int i = 0; i < nconn; i++)
                busy += c[i].busy;
            if (!busy || now > deadline + 5000000)
                break;
        }
        long long next = scheduled < total ? start + (long long)scheduled * interval : now + 1000;
        int wait_ms = next > now ? (int)((next - now + 999) / 1000) : 0;
        struct epoll_event evs[64];
        int k = epoll_wait(ep, evs, 64, wait_ms);
        for (int e = 0; e < k; e++) {
            struct conn *x = &c[evs[e].data.u32];
            if (x->len == x->cap && !(x->buf = realloc(x->buf, x->cap = x->cap ? 2 * x->cap : 65536)))
                return 1;
            ssize_t r = read(x->fd, x->buf + x->len, x->cap - x->len);
            if (r <= 0) {
                if (r < 0 && errno == EAGAIN)
                    continue;
                socket_errors++;
                x->busy = 0;
                close(x->fd);
                x->fd = connect_to(host, port);
                struct epoll_event ev = {.events = EPOLLIN, .data.u32 = evs[e].data.u32};
                epoll_ctl(ep, EPOLL_CTL_ADD, x->fd, &ev);
                continue;
            }
            x->len += (size_t)r;
            int status = 0;
            long n = response_length(x->buf, x->len, &status);
            if (n == 0)
                continue;
            if (n < 0 || status < 200 || status >= 300)
                status_errors++;
            if (x->busy && done < total)
                lat[done++] = now_us() - x->sched_us;
            x->busy = 0;
            x->len = 0;
        }
    }
    long long end = now_us();
    size_t unsent = qtail - qhead + (total - scheduled);
    qsort(lat, done, sizeof *lat, cmp_ll);
    printf("BENCH requests=%zu duration_us=%lld rate=%.0f status_errors=%zu socket_errors=%zu unsent=%zu "
           "p50_us=%lld p99_us=%lld max_us=%lld\n",
           done, end - start, rate, status_errors, socket_errors, unsent, done ? lat[done / 2] : 0,
           done ? lat[(size_t)((double)done * 0.99)] : 0, done ? lat[done - 1] : 0);
    return 0;
}

#include "http.h"

#include "db.h"
#include "feed.h"
#include "history.h"
#include "jsonbuf.h"
#include "reply.h"
#include "request.h"
#include "registry.h"
#include "utf8.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <unistd.h>

static atomic_int in_flight;

/* Appends v in decimal. */
static void put_uint(struct jsonbuf *jb, unsigned long long v)
{
    char digits[24], *p = digits + sizeof digits;
    do
        *--p = (char)('0' + v % 10);
    while (v /= 10);
    jb_raw(jb, p, (size_t)(digits + sizeof digits - p));
}

/* Appends a string the client sent (it may hold any byte) as a JSON string,
 * or "(not UTF-8)". */
static void put_client_string(struct jsonbuf *jb, const char *s)
{
    size_t n = strlen(s), bad;
    if (utf8_valid(s, n, &bad))
        jb_string(jb, s, n);
    else
        jb_cstr(jb, "\"(not UTF-8)\"");
}

/* One JSON line per request, written by hand (a jansson object and its
 * json_dumps cost more than the rest of a GET): {"method", "path", "status",
 * "bytes", "duration_ms"} with the duration to the microsecond. */
static void access_log(const struct request *r)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long long us = ((long long)(now.tv_sec - r->started.tv_sec) * 1000000000LL
                    + (now.tv_nsec - r->started.tv_nsec)) / 1000;
    if (us < 0)
        us = 0;
    struct jsonbuf line = {0};
    jb_grow(&line, 192 + strlen(r->url ? r->url : ""));
    jb_cstr(&line, "{\"method\":");
    put_client_string(&line, r->method);
    jb_cstr(&line, ",\"path\":");
    if (r->url)
        put_client_string(&line, r->url);
    else
        jb_cstr(&line, "null");
    jb_cstr(&line, ",\"status\":");
    put_uint(&line, r->status);
    jb_cstr(&line, ",\"bytes\":");
    put_uint(&line, r->bytes_out);
    jb_cstr(&line, ",\"duration_ms\":");
    put_uint(&line, (unsigned long long)us / 1000);
    char frac[5] = {'.', (char)('0' + us / 100 % 10), (char)('0' + us / 10 % 10), (char)('0' + us % 10), '}'};
    jb_raw(&line, frac, sizeof frac);
    jb_raw(&line, "\n", 1);
    /* one write() per line keeps lines whole across threads */
    ssize_t w = write(STDERR_FILENO, line.data, line.len);
    (void)w;
    jb_free(&line);
}

static void request_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                              enum MHD_RequestTerminationCode toe)
{
    (void)conn;
    (void)toe;
    const struct config *cfg = cls;
    struct request *r = *req_cls;
    if (!r)
        return;
    if (cfg->access_log)
        access_log(r);
    if (r->stream_state && r->route && r->route->stream)
        r->route->stream->release(r->stream_state);
    if (r->response)
        MHD_destroy_response(r->response);
    json_decref(r->json);
    free(r->body);
    free(r);
    *req_cls = NULL;
    atomic_fetch_sub(&in_flight, 1);
}

static enum MHD_Result queue(struct request *r)
{
    if (!r->response)
        reply_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal", NULL, "the handler gave no reply");
    enum MHD_Result ret = MHD_queue_response(r->conn, r->status, r->response);
    MHD_destroy_response(r->response);
    r->response = NULL;
    return ret;
}

/* The first call for a request: route it and check what can be checked
 * from the headers alone. Returns true when the request should read on. */
static bool begin(struct request *r)
{
    char allow[64];
    const struct route *found = NULL;
    enum route_status st = router_match(routes_table, routes_count, r->method, r->url, r->path_buf,
                                        &found, &r->params, allow, sizeof allow);
    if (st == ROUTE_NOT_FOUND) {
        reply_error(r, MHD_HTTP_NOT_FOUND, "not_found", NULL, "no such resource: %s", r->url);
        return false;
    }
    if (st == ROUTE_METHOD_NOT_ALLOWED) {
        reply_error(r, MHD_HTTP_METHOD_NOT_ALLOWED, "method_not_allowed", NULL,
                    "%s is not allowed here; allowed: %s", r->method, allow);
        reply_header(r, MHD_HTTP_HEADER_ALLOW, allow);
        return false;
    }
    r->route = found;
    /* found->access is the access the route needs (router.h): the one place
     * it is checked, before any body is read or handler runs, is here. */
    r->body_limit = found->body == BODY_STREAM ? r->cfg->import_limit : r->cfg->body_limit;
    const char *cl = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    size_t declared;
    if (cl && config_parse_size(cl, &declared) == 0 && declared > r->body_limit) {
        reply_error(r, MHD_HTTP_CONTENT_TOO_LARGE, "body_too_large", NULL,
                    "the request body is larger than the limit of %zu bytes", r->body_limit);
        return false;
    }
    if (found->body == BODY_STREAM) {
        r->stream_state = found->stream->begin(r);
        if (r->response)
            return false;
    }
    return true;
}

static void take_body(struct request *r, const char *data, size_t size)
{
    if (r->body_too_large || r->stream_stopped)
        return; /* discard the rest: memory stays bounded */
    if (r->body_len + size > r->body_limit) {
        r->body_too_large = true;
        return;
    }
    if (r->route->body == BODY_STREAM) {
        r->body_len += size;
        if (r->route->stream->feed(r, r->stream_state, data, size) != 0)
            r->stream_stopped = true;
        return;
    }
    if (r->route->body == BODY_NONE)
        return;
    if (r->body_len + size + 1 > r->body_cap) {
        size_t cap = r->body_cap ? r->body_cap : 4096;
        while (cap < r->body_len + size + 1)
            cap *= 2;
        char *grown = realloc(r->body, cap);
        if (!grown) {
            r->body_too_large = true;
            return;
        }
        r->body = grown;
        r->body_cap = cap;
    }
    memcpy(r->body + r->body_len, data, size);
    r->body_len += size;
    r->body[r->body_len] = '\0';
}

static void parse_json_body(struct request *r)
{
    if (r->body_len == 0) {
        reply_error(r, MHD_HTTP_BAD_REQUEST, "missing_body", NULL, "this request needs a JSON body");
        return;
    }
    size_t bad_byte;
    if (!utf8_valid(r->body, r->body_len, &bad_byte)) {
        reply_error_extra(r, MHD_HTTP_BAD_REQUEST, "invalid_utf8", NULL, json_pack("{s:I}", "byte", (json_int_t)bad_byte),
                          "the body is not valid UTF-8 (byte %zu)", bad_byte);
        return;
    }
    json_error_t err;
    r->json = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &err);
    if (!r->json) {
        reply_error_extra(r, MHD_HTTP_BAD_REQUEST, "invalid_json", NULL,
                          json_pack("{s:i, s:i, s:i}", "line", err.line, "column", err.column,
                                    "position", err.position),
                          "the body is not valid JSON: %s", err.text);
        return;
    }
    if (!json_is_object(r->json))
        reply_error(r, MHD_HTTP_BAD_REQUEST, "invalid_json", NULL, "the body must be a JSON object");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **req_cls)
{
    (void)version;
    struct request *r = *req_cls;
    if (!r) {
        r = malloc(sizeof *r);
        if (!r)
            return MHD_NO;
        memset(r, 0, offsetof(struct request, path_buf));
        atomic_fetch_add(&in_flight, 1);
        clock_gettime(CLOCK_MONOTONIC, &r->started);
        r->conn = conn;
        r->cfg = cls;
        r->url = url;
        r->method = method;
        *req_cls = r;
        if (!begin(r))
            return queue(r);
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        take_body(r, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (r->body_too_large)
        reply_error(r, MHD_HTTP_CONTENT_TOO_LARGE, "body_too_large", NULL,
                    "the request body is larger than the limit of %zu bytes", r->body_limit);
    else if (r->route->body == BODY_JSON)
        parse_json_body(r);
    r->suspended = false;
    if (!r->response && history_before_handler(r))
        r->route->handler(r);
    if (r->suspended)
        return MHD_YES; /* a long poll: on_request runs again when it is resumed */
    history_after_handler(r);
    return queue(r);
}

/* MHD's own %HH decoding, except that "%00" stays as it is: a NUL would cut
 * the path or argument short in every C string after this, so that
 * GET /v1/claims/%00 became the list of claims. Left encoded, it is rejected
 * as the malformed id or value it is. */
static size_t unescape_keeping_nul(void *cls, struct MHD_Connection *c, char *s)
{
    (void)cls;
    (void)c;
    char *out = s;
    for (char *piece = s;;) {
        char *nul = strstr(piece, "%00");
        if (nul)
            *nul = '\0';
        size_t n = MHD_http_unescape(piece);
        memmove(out, piece, n);
        out += n;
        if (!nul)
            break;
        memcpy(out, "%00", 3); /* out <= nul: never past what is still to read */
        out += 3;
        piece = nul + 3;
    }
    *out = '\0';
    return (size_t)(out - s);
}

static struct MHD_Daemon *start_daemon(const struct config *cfg)
{
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)cfg->port)};
    if (inet_pton(AF_INET, cfg->listen, &addr.sin_addr) != 1) {
        fprintf(stderr, "claimdb: LISTEN must be an IPv4 address, got \"%s\"\n", cfg->listen);
        return NULL;
    }
    unsigned threads = cfg->threads;
    if (threads == 0) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        threads = cores > 0 ? (unsigned)cores : 1;
    }
    return MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG
            | MHD_ALLOW_SUSPEND_RESUME,
        (uint16_t)cfg->port, NULL, NULL, on_request, (void *)cfg,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_THREAD_POOL_SIZE, threads,
        MHD_OPTION_CONNECTION_TIMEOUT, cfg->timeout,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, cfg->per_ip_limit,
        MHD_OPTION_CONNECTION_LIMIT, 4096u,
        /* MHD zeroes a connection's whole pool after every request (and the
         * unused half of its read buffer before that): 128 KiB cost ~1 µs and
         * 192 KiB of cache per request on the core PostgreSQL shares. 32 KiB
         * still holds ~16 KiB of request line and headers and lets exports
         * send chunks of about their 32 KiB block. */
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(32 * 1024),
        MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u,
        MHD_OPTION_NOTIFY_COMPLETED, request_completed, (void *)cfg,
        MHD_OPTION_UNESCAPE_CALLBACK, unescape_keeping_nul, NULL,
        MHD_OPTION_END);
}

int http_serve(const struct config *cfg)
{
    if (feed_start() != 0)
        fprintf(stderr, "{\"level\":\"error\",\"event\":\"feed\",\"message\":\"no change-feed thread: wait= answers at once\"}\n");
    struct MHD_Daemon *daemon = start_daemon(cfg);
    if (!daemon) {
        fprintf(stderr, "claimdb: cannot listen on %s:%u\n", cfg->listen, cfg->port);
        feed_join();
        return 1;
    }
    fprintf(stderr, "{\"level\":\"info\",\"event\":\"listening\",\"address\":\"%s\",\"port\":%u}\n",
            cfg->listen, cfg->port);

    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    int sig = 0;
    sigwait(&set, &sig);
    fprintf(stderr, "{\"level\":\"info\",\"event\":\"stopping\",\"signal\":%d,\"in_flight\":%d}\n", sig,
            atomic_load(&in_flight));

    MHD_socket listener = MHD_quiesce_daemon(daemon);
    feed_stop(); /* long polls answer now rather than hold the shutdown */
    for (unsigned waited = 0; atomic_load(&in_flight) > 0 && waited < cfg->shutdown_grace * 20; waited++)
        usleep(50 * 1000);
    MHD_stop_daemon(daemon);
    feed_join();
    if (listener != MHD_INVALID_SOCKET)
        close(listener);
    db_close_all();
    fprintf(stderr, "{\"level\":\"info\",\"event\":\"stopped\"}\n");
    return 0;
}

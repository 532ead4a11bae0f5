#include "http.h"

#include "auth.h"
#include "config.h"
#include "db.h"
#include "feed.h"
#include "guard.h"
#include "ep_metrics.h"
#include "history.h"
#include "jsonbuf.h"
#include "metrics.h"
#include "query.h"
#include "reply.h"
#include "request.h"
#include "registry.h"
#include "slow.h"
#include "utf8.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <malloc.h>
#include <strings.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sodium.h>
#include <unistd.h>

static atomic_int in_flight;

/* A request body this large is followed by malloc_trim: glibc keeps freed
 * memory otherwise, and a few 15 MB bodies left the server at 171 MB. */
#define TRIM_AFTER_BYTES (1u << 20)

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

/* Appends the wall-clock time as "2026-12-01T21:50:08.123Z". */
static void put_time(struct jsonbuf *jb)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    struct tm tm;
    gmtime_r(&now.tv_sec, &tm);
    char buf[40];
    size_t n = strftime(buf, sizeof buf, "\"%Y-%m-%dT%H:%M:%S", &tm);
    n += (size_t)snprintf(buf + n, sizeof buf - n, ".%03ldZ\"", now.tv_nsec / 1000000);
    jb_raw(jb, buf, n);
}

/* One JSON line per request, written by hand (a jansson object and its
 * json_dumps cost more than the rest of a GET): {"time", "client",
 * "request_id", "user_id", "method", "path", "query", "status", "bytes",
 * "duration_ms"} with the duration to the microsecond. Credentials never
 * appear: they travel in headers, which are not logged. */
static void access_log(const struct request *r, enum MHD_RequestTerminationCode toe)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long long us =
        ((long long)(now.tv_sec - r->started.tv_sec) * 1000000000LL + (now.tv_nsec - r->started.tv_nsec))
        / 1000;
    if (us < 0)
        us = 0;
    struct jsonbuf line = {0};
    jb_grow(&line, 320 + strlen(r->url ? r->url : "") + (r->query ? strlen(r->query) : 0));
    jb_cstr(&line, "{\"time\":");
    put_time(&line);
    jb_cstr(&line, ",\"client\":");
    put_client_string(&line, r->client_ip);
    jb_cstr(&line, ",\"request_id\":");
    put_client_string(&line, r->request_id);
    jb_cstr(&line, ",\"user_id\":");
    if (r->auth && r->auth->user_id[0])
        put_client_string(&line, r->auth->user_id);
    else
        jb_cstr(&line, "null");
    jb_cstr(&line, ",\"method\":");
    if (r->method)
        put_client_string(&line, r->method);
    else
        jb_cstr(&line, "null");
    jb_cstr(&line, ",\"path\":");
    if (r->url)
        put_client_string(&line, r->url);
    else
        jb_cstr(&line, "null");
    jb_cstr(&line, ",\"query\":");
    if (r->query)
        put_client_string(&line, r->query);
    else
        jb_cstr(&line, "null");
    jb_cstr(&line, ",\"status\":");
    put_uint(&line, r->status);
    if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK) {
        /* the reply did not go out whole: say why, so that a cut export is
         * not read as a 200 */
        static const char *const why[] = {"completed", "error",      "idle_timeout",
                                          "shutdown",  "read_error", "client_abort"};
        int cut = guard_cut_reason(r->guard);
        jb_cstr(&line, ",\"terminated\":\"");
        jb_cstr(&line, cut >= 0 ? guard_reason_names[cut] : (unsigned)toe < 6 ? why[toe] : "other");
        jb_cstr(&line, "\"");
    }
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
    const struct config *cfg = cls;
    struct request *r = *req_cls;
    if (!r)
        return;
    if (r->begun) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        double seconds =
            (double)(now.tv_sec - r->started.tv_sec) + (double)(now.tv_nsec - r->started.tv_nsec) / 1e9;
        metrics_request(r->route ? (size_t)(r->route - routes_table) : (size_t)-1, r->status, seconds);
        if (cfg->access_log)
            access_log(r, toe);
    }
    db_release(r);
    if (r->stream_state && r->route && r->route->stream)
        r->route->stream->release(r->stream_state);
    if (r->response)
        MHD_destroy_response(r->response);
    json_decref(r->json);
    json_decref(r->collected);
    bool large = r->body_cap >= TRIM_AFTER_BYTES || r->body_len >= TRIM_AFTER_BYTES;
    free(r->body);
    free(r->query);
    if (r->auth) {
        auth_clear(r->auth);
        free(r->auth);
    }
    guard_await_headers(r->guard); /* the next request on this connection, if any */
    free(r);
    *req_cls = NULL;
    atomic_fetch_sub(&in_flight, 1);
    if (large)
        malloc_trim(0);
}

/* MHD calls this when the request line has arrived, before it parses the
 * query string: the request context is made here (MHD hands the returned
 * pointer to on_request as *req_cls), and a query with more than
 * QUERY_MAX_PARAMS parameters is cut at its '?' so that MHD parses none;
 * on_request then answers 414. `uri` points into MHD's read buffer, which
 * MHD itself rewrites in place while parsing, so writing there is safe. */
static void *on_request_line(void *cls, const char *uri, struct MHD_Connection *conn)
{
    struct request *r = malloc(sizeof *r);
    if (!r)
        return NULL;
    memset(r, 0, offsetof(struct request, path_buf));
    atomic_fetch_add(&in_flight, 1);
    clock_gettime(CLOCK_MONOTONIC, &r->started);
    r->conn = conn;
    r->cfg = cls;
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    r->guard = ci ? ci->socket_context : NULL;
    char *query = strchr(uri, '?');
    if (query) {
        if (query_param_count(query + 1) > QUERY_MAX_PARAMS) {
            r->too_many_params = true;
            query[1] = '\0';
        }
    }
    return r;
}

/* Connection opened and closed: its guard (deadlines, guard.h). */
static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    (void)cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        *socket_context = ci ? guard_open(ci->connect_fd) : NULL;
    } else {
        guard_close(*socket_context);
        *socket_context = NULL;
    }
}

static void reply_unauthorized(struct request *r, const char *why);

/* The configured origin the request comes from, or NULL: CORS is off
 * unless CLAIMDB_CORS_ORIGINS names origins, and then allows exactly those. */
static const char *allowed_origin(const struct request *r)
{
    const char *list = r->cfg->cors_origins;
    const char *origin = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Origin");
    if (!list || !*list || !origin || !*origin)
        return NULL;
    size_t n = strlen(origin);
    for (const char *p = list; *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t len = strcspn(p, ", ");
        if (len == n && strncmp(p, origin, n) == 0)
            return origin;
        p += len;
    }
    return NULL;
}

static enum MHD_Result queue(struct request *r)
{
    if (!r->response)
        reply_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal", NULL, "the handler gave no reply");
    /* Anonymous callers read public projects only; for them a row that is
     * not there may be a private project's: ask for credentials (the same
     * answer whether or not it exists, so nothing is revealed). */
    if (r->status == MHD_HTTP_NOT_FOUND && r->route && r->auth && r->auth->kind == AUTH_ANONYMOUS
        && !r->auth->invalid) {
        MHD_destroy_response(r->response); /* the 404 is replaced, not replied over */
        r->response = NULL;
        reply_unauthorized(
            r, "no such row among public projects; send Authorization: Bearer <token> or sign in");
    }
    reply_header(r, "X-Request-Id", r->request_id);
    const char *origin = allowed_origin(r);
    if (origin) {
        reply_header(r, "Access-Control-Allow-Origin", origin);
        reply_header(r, "Access-Control-Allow-Credentials", "true");
        reply_header(r, "Access-Control-Expose-Headers",
                     "X-Request-Id, Location, ETag, Retry-After, WWW-Authenticate");
        reply_header(r, "Vary", "Origin");
    }
    db_release(r); /* before the reply goes out: a slow reader holds no connection */
    enum MHD_Result ret = MHD_queue_response(r->conn, r->status, r->response);
    MHD_destroy_response(r->response);
    r->response = NULL;
    return ret;
}

/* The X-Request-Id: the client's when it is 1..64 characters of
 * [A-Za-z0-9._-] (so that it can be logged and echoed safely), else new. */
static void take_request_id(struct request *r)
{
    const char *given = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "X-Request-Id");
    size_t n = given ? strlen(given) : 0;
    bool ok = n > 0 && n < sizeof r->request_id;
    for (size_t i = 0; ok && i < n; i++)
        ok = (given[i] >= 'a' && given[i] <= 'z') || (given[i] >= 'A' && given[i] <= 'Z')
             || (given[i] >= '0' && given[i] <= '9') || given[i] == '.' || given[i] == '_' || given[i] == '-';
    if (ok) {
        memcpy(r->request_id, given, n + 1);
        return;
    }
    unsigned char bytes[16];
    randombytes_buf(bytes, sizeof bytes);
    sodium_bin2hex(r->request_id, sizeof r->request_id, bytes, sizeof bytes);
}

static enum MHD_Result add_query_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    struct jsonbuf *jb = cls;
    if (jb->len)
        jb_raw(jb, "&", 1);
    jb_cstr(jb, key);
    if (value) {
        jb_raw(jb, "=", 1);
        jb_cstr(jb, value);
    }
    return MHD_YES;
}

struct length_headers {
    unsigned count;
    bool differ;
    const char *first;
};

static enum MHD_Result count_length(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    struct length_headers *l = cls;
    if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0) {
        if (l->count++ == 0)
            l->first = value;
        else if (strcmp(l->first, value) != 0)
            l->differ = true;
    }
    return MHD_YES;
}

/* The query string for the access log, as the decoded arguments. */
static void take_query(struct request *r)
{
    struct jsonbuf jb = {0};
    MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, add_query_arg, &jb);
    if (jb.len) {
        jb_raw(&jb, "", 0);
        r->query = strndup(jb.data, jb.len);
    }
    jb_free(&jb);
}

static void take_client_address(struct request *r)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = info ? info->client_addr : NULL;
    if (sa && sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, r->client_ip,
                  sizeof r->client_ip);
    else if (sa && sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, r->client_ip,
                  sizeof r->client_ip);
}

static void reply_unauthorized(struct request *r, const char *why)
{
    reply_error(r, MHD_HTTP_UNAUTHORIZED, "unauthorized", NULL, "%s", why);
    reply_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
                 r->auth && r->auth->invalid ? "Bearer realm=\"claimdb\", error=\"invalid_token\""
                                             : "Bearer realm=\"claimdb\"");
}

static void reply_forbidden(struct request *r, const char *role, const char *msg)
{
    reply_error_extra(r, MHD_HTTP_FORBIDDEN, "forbidden", NULL,
                      role ? json_pack("{s:s}", "role_needed", role) : NULL, "%s", msg);
}

/* The one place a route's declared access is checked, before its handler
 * runs (and before its body is read). Per-project roles are checked again
 * by the database for the project each row belongs to. Returns true when
 * the request may go on. */
static bool authorize(struct request *r)
{
    enum route_access need = r->route->access;
    if (need == ACCESS_PUBLIC)
        return true;
    struct auth *a = calloc(1, sizeof *a);
    if (!a) {
        reply_error(r, MHD_HTTP_SERVICE_UNAVAILABLE, "out_of_memory", NULL, "the server is out of memory");
        return false;
    }
    bool known = auth_identify_or_reply(r, a);
    /* A cache miss took a pooled connection: give it back before the body
     * is read (a slow upload must hold none); the handler takes one again. */
    db_release(r);
    if (!known) {
        free(a);
        return false;
    }
    r->auth = a;
    if (a->invalid) {
        reply_unauthorized(r, a->invalid_reason);
        return false;
    }
    bool anonymous = a->kind == AUTH_ANONYMOUS;
    if (need == ACCESS_READ) {
        if (!(a->scopes & SCOPE_READ)) {
            reply_forbidden(r, NULL, "this token lacks the read scope");
            return false;
        }
        return true;
    }
    if (anonymous) {
        reply_unauthorized(r, "this needs an identity: send Authorization: Bearer <token> or sign in");
        return false;
    }
    if (need == ACCESS_USER)
        return true;
    if (need == ACCESS_ADMIN) {
        if (!a->server_admin) {
            reply_forbidden(r, "server_admin",
                            "this needs a server admin (with a token that has the write and admin scopes)");
            return false;
        }
        return true;
    }
    unsigned scope = need >= ACCESS_MANAGE ? SCOPE_ADMIN : SCOPE_WRITE;
    if (!(a->scopes & scope)) {
        reply_forbidden(r, NULL,
                        scope == SCOPE_ADMIN ? "this token lacks the admin scope"
                                             : "this token lacks the write scope");
        return false;
    }
    enum role role = need == ACCESS_ANNOTATE ? ROLE_ANNOTATOR
                     : need == ACCESS_CURATE ? ROLE_CURATOR
                     : need == ACCESS_MANAGE ? ROLE_MANAGER
                                             : ROLE_OWNER;
    if (a->best_role < role && !a->server_admin) {
        char msg[96];
        snprintf(msg, sizeof msg, "this needs the %s role in a project", auth_role_name(role));
        reply_forbidden(r, auth_role_name(role), msg);
        return false;
    }
    return true;
}

/* Replies with a framing error and closes the connection after it: once
 * the body's length is in doubt, nothing after it on the connection can be
 * trusted to be a request of its own (request smuggling). */
static void reply_framing(struct request *r, unsigned status, const char *code, const char *message)
{
    metrics_reject(REJECT_BAD_FRAMING);
    reply_error(r, status, code, NULL, "%s", message);
    reply_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
}

/* What libmicrohttpd does not check about the request's framing: a
 * missing Host in HTTP/1.1, several Content-Length headers that differ,
 * Transfer-Encoding together with Content-Length or other than chunked
 * (MHD would wait for a body it cannot delimit). Returns false after
 * replying. */
static bool framing_or_reply(struct request *r, const char *version)
{
    struct MHD_Connection *c = r->conn;
    if (r->too_many_params) {
        metrics_reject(REJECT_TOO_MANY_PARAMETERS);
        reply_error(r, MHD_HTTP_URI_TOO_LONG, "too_many_parameters", NULL,
                    "the query string has more than %d parameters", QUERY_MAX_PARAMS);
        return false;
    }
    if (version && strcmp(version, MHD_HTTP_VERSION_1_1) == 0
        && !MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST)) {
        reply_framing(r, MHD_HTTP_BAD_REQUEST, "missing_host", "an HTTP/1.1 request needs a Host header");
        return false;
    }
    struct length_headers l = {0};
    MHD_get_connection_values(c, MHD_HEADER_KIND, count_length, &l);
    if (l.differ) {
        reply_framing(r, MHD_HTTP_BAD_REQUEST, "conflicting_content_length",
                      "the request has Content-Length headers that differ");
        return false;
    }
    const char *te = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);
    if (te && l.count) {
        reply_framing(r, MHD_HTTP_BAD_REQUEST, "conflicting_framing",
                      "the request has both Transfer-Encoding and Content-Length");
        return false;
    }
    if (te && strcasecmp(te, "chunked") != 0) {
        reply_framing(r, MHD_HTTP_NOT_IMPLEMENTED, "unsupported_transfer_encoding",
                      "Transfer-Encoding must be chunked (or absent)");
        return false;
    }
    return true;
}

/* JSON routes take only application/json bodies: a browser sends text/plain
 * or form bodies across sites without asking first, JSON it does not. */
static bool json_content_type(struct request *r)
{
    if (r->route->body != BODY_JSON)
        return true;
    const char *ct = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    size_t n = strlen("application/json");
    if (ct && strncasecmp(ct, "application/json", n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' '))
        return true;
    reply_error(r, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", NULL,
                "the body must be sent with Content-Type: application/json");
    return false;
}

/* A CORS preflight from a configured origin: which methods and headers
 * it may use. Others get the router's answer (no CORS headers). */
static bool preflight(struct request *r)
{
    if (strcmp(r->method, "OPTIONS") != 0 || !allowed_origin(r))
        return false;
    reply_response(r, MHD_HTTP_NO_CONTENT, MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT));
    reply_header(r, "Access-Control-Allow-Methods", "GET, POST, PATCH, PUT, DELETE");
    reply_header(r, "Access-Control-Allow-Headers",
                 "Authorization, Content-Type, If-Match, If-None-Match, X-Request-Id");
    reply_header(r, "Access-Control-Max-Age", "600");
    return true;
}

/* The first call for a request: route it and check what can be checked
 * from the headers alone. Returns true when the request should read on. */
static bool begin(struct request *r, const char *version)
{
    take_request_id(r);
    take_client_address(r);
    if (r->cfg->access_log)
        take_query(r);
    if (!framing_or_reply(r, version) || preflight(r))
        return false;
    char allow[64];
    const struct route *found = NULL;
    /* HEAD is a GET whose body MHD leaves out */
    const char *method = strcmp(r->method, MHD_HTTP_METHOD_HEAD) == 0 ? MHD_HTTP_METHOD_GET : r->method;
    enum route_status st = router_match(routes_table, routes_count, method, r->url, r->path_buf, &found,
                                        &r->params, allow, sizeof allow);
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
    if (!authorize(r) || !json_content_type(r))
        return false;
    r->body_limit = found->body == BODY_STREAM ? r->cfg->import_limit : r->cfg->body_limit;
    const char *cl = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    size_t declared;
    if (cl && config_parse_size(cl, &declared) == 0 && declared > r->body_limit) {
        metrics_reject(REJECT_BODY_TOO_LARGE);
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
    guard_body_bytes(r->guard, size);
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
        reply_error_extra(r, MHD_HTTP_BAD_REQUEST, "invalid_utf8", NULL,
                          json_pack("{s:I}", "byte", (json_int_t)bad_byte),
                          "the body is not valid UTF-8 (byte %zu)", bad_byte);
        return;
    }
    json_error_t err;
    r->json = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &err);
    if (!r->json) {
        reply_error_extra(
            r, MHD_HTTP_BAD_REQUEST, "invalid_json", NULL,
            json_pack("{s:i, s:i, s:i}", "line", err.line, "column", err.column, "position", err.position),
            "the body is not valid JSON: %s", err.text);
        return;
    }
    if (!json_is_object(r->json))
        reply_error(r, MHD_HTTP_BAD_REQUEST, "invalid_json", NULL, "the body must be a JSON object");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **req_cls)
{
    struct request *r = *req_cls;
    if (!r) /* on_request_line ran out of memory */
        return MHD_NO;
    if (!r->begun) {
        (void)cls;
        r->begun = true;
        r->conn = conn;
        r->url = url;
        r->method = method;
        if (!begin(r, version))
            return queue(r);
        guard_await_body(r->guard);
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        take_body(r, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (r->body_too_large) {
        metrics_reject(REJECT_BODY_TOO_LARGE);
        reply_error(r, MHD_HTTP_CONTENT_TOO_LARGE, "body_too_large", NULL,
                    "the request body is larger than the limit of %zu bytes", r->body_limit);
    } else if (r->route->body == BODY_JSON)
        parse_json_body(r);
    guard_busy(r->guard);
    if (!r->response && history_before_handler(r)) {
        r->route->handler(r);
        /* A long poll that found nothing asks to wait (feed.h). It sleeps
         * here, in the shallowest frame of ours, so that 1,000 idle waiters
         * keep as few stack pages as can be, then the handler runs again. */
        while (!r->response && feed_wait_if_asked(r))
            r->route->handler(r);
    }
    history_after_handler(r);
    return queue(r);
}

/* MHD's unescaping, keeping "%00" (query.h). */
static size_t unescape_keeping_nul(void *cls, struct MHD_Connection *c, char *s)
{
    (void)cls;
    (void)c;
    return query_unescape(s);
}

static struct MHD_Daemon *start_daemon(const struct config *cfg)
{
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)cfg->port)};
    if (inet_pton(AF_INET, cfg->listen, &addr.sin_addr) != 1) {
        fprintf(stderr, "claimdb: LISTEN must be an IPv4 address, got \"%s\"\n", cfg->listen);
        return NULL;
    }
    /* A thread per connection: a request that waits (for a database
     * connection, a slow statement, an export's rows, an upload) blocks no
     * other. The database connections are the bounded resource instead
     * (db_pool_init), and guard.c's deadlines bound how long a connection
     * and its thread live without progress. A long poll sleeps in its own
     * thread (feed.h) rather than suspending the connection. */
    return MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL
                                | MHD_USE_ITC | MHD_USE_ERROR_LOG,
                            (uint16_t)cfg->port, NULL, NULL, on_request, (void *)cfg, MHD_OPTION_SOCK_ADDR,
                            (struct sockaddr *)&addr, MHD_OPTION_CONNECTION_TIMEOUT, cfg->timeout,
                            MHD_OPTION_PER_IP_CONNECTION_LIMIT, cfg->per_ip_limit,
                            MHD_OPTION_CONNECTION_LIMIT, cfg->max_connections,
                            /* 1 MiB of address space per connection thread; only touched pages
         * cost memory (jansson's parser recursion is the deepest user) */
                            MHD_OPTION_THREAD_STACK_SIZE, (size_t)(1024 * 1024), MHD_OPTION_NOTIFY_CONNECTION,
                            on_connection, NULL, MHD_OPTION_URI_LOG_CALLBACK, on_request_line, (void *)cfg,
                            /* MHD zeroes a connection's whole pool after every request (and the
         * unused half of its read buffer before that): 128 KiB cost ~1 µs and
         * 192 KiB of cache per request on the core PostgreSQL shares. 32 KiB
         * still holds ~16 KiB of request line and headers and lets exports
         * send chunks of about their 32 KiB block. */
                            MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(32 * 1024),
                            MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u, MHD_OPTION_NOTIFY_COMPLETED,
                            request_completed, (void *)cfg, MHD_OPTION_UNESCAPE_CALLBACK,
                            unescape_keeping_nul, NULL, MHD_OPTION_END);
}

int http_serve(const struct config *cfg)
{
    unsigned pool = config_pool_size(cfg);
    if (db_pool_init(pool, cfg->pool_wait_ms) != 0 || metrics_init(routes_count) != 0
        || guard_start(cfg) != 0) {
        fprintf(stderr, "claimdb: out of memory\n");
        return 1;
    }
    /* glibc makes an arena per thread up to 8 per core; with a thread per
     * connection that is memory held for nothing */
    mallopt(M_ARENA_MAX, 4);
    if (feed_start() != 0)
        fprintf(stderr, "{\"level\":\"error\",\"event\":\"feed\",\"message\":\"no change-feed thread: wait= "
                        "answers at once\"}\n");
    struct MHD_Daemon *daemon = start_daemon(cfg);
    struct MHD_Daemon *metrics = metrics_port_start(cfg);
    if (!daemon || (cfg->metrics_port && !metrics)) {
        if (daemon)
            MHD_stop_daemon(daemon);
        if (metrics)
            MHD_stop_daemon(metrics);
        guard_stop();
        metrics_free();
        fprintf(stderr, "claimdb: cannot listen on %s:%u\n", daemon ? cfg->metrics_listen : cfg->listen,
                daemon ? cfg->metrics_port : cfg->port);
        feed_join();
        return 1;
    }
    fprintf(stderr,
            "{\"level\":\"info\",\"event\":\"listening\",\"address\":\"%s\",\"port\":%u,"
            "\"db_connections\":{\"requests\":%u,\"exports\":%u,\"imports\":%u,\"feed\":1}}\n",
            cfg->listen, cfg->port, pool, cfg->max_exports, 2 * cfg->max_imports);

    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    int sig = 0;
    sigwait(&set, &sig);
    fprintf(stderr, "{\"level\":\"info\",\"event\":\"stopping\",\"signal\":%d,\"in_flight\":%d}\n", sig,
            atomic_load(&in_flight));

    /* Close the listening socket at once: left open, the kernel kept
     * accepting connections into its backlog that nobody would serve, and
     * clients hung for the whole grace period instead of being refused. */
    MHD_socket listener = MHD_quiesce_daemon(daemon);
    if (listener != MHD_INVALID_SOCKET)
        close(listener);
    feed_stop(); /* long polls answer now rather than hold the shutdown */
    for (unsigned waited = 0; atomic_load(&in_flight) > 0 && waited < cfg->shutdown_grace * 20; waited++)
        usleep(50 * 1000);
    MHD_stop_daemon(daemon);
    feed_join();
    if (metrics)
        MHD_stop_daemon(metrics);
    guard_stop();
    metrics_free();
    db_close_all();
    slow_close_all();
    fprintf(stderr, "{\"level\":\"info\",\"event\":\"stopped\"}\n");
    return 0;
}

/* GET /metrics: the Prometheus text format (metrics.h), for operators only:
 * on the public port it needs CLAIMDB_METRICS_TOKEN as a bearer token (and
 * is 404 when no token is set); CLAIMDB_METRICS_PORT serves it on a port
 * of its own without a token, to keep off the public one. */
#include "ep_metrics.h"

#include "config.h"
#include "metrics.h"
#include "reply.h"
#include "registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

/* Compares in time independent of where the strings differ. */
static bool same_secret(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    unsigned char diff = la != lb;
    for (size_t i = 0; i < la; i++)
        diff |= (unsigned char)(a[i] ^ b[i % (lb ? lb : 1)]);
    return diff == 0;
}

static struct MHD_Response *render(void)
{
    struct jsonbuf jb = {0};
    metrics_render(&jb);
    size_t len;
    char *text = jb_steal(&jb, &len);
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
    if (resp)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
    else
        free(text);
    return resp;
}

static void get_metrics(struct request *r)
{
    const char *token = r->cfg->metrics_token;
    if (!token || !*token) {
        reply_error(r, MHD_HTTP_NOT_FOUND, "not_found", NULL, "no such resource: /metrics");
        return;
    }
    const char *auth = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    if (!auth || strncmp(auth, "Bearer ", 7) != 0 || !same_secret(auth + 7, token)) {
        reply_error(r, MHD_HTTP_UNAUTHORIZED, "unauthorized", NULL, "/metrics needs the metrics bearer token");
        reply_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
        return;
    }
    struct MHD_Response *resp = render();
    if (!resp) {
        reply_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal", NULL, "out of memory");
        return;
    }
    reply_response(r, MHD_HTTP_OK, resp);
}

static const struct route routes[] = {
    /* the handler checks the metrics token itself: operators, not API accounts */
    {.method = "GET", .pattern = "/metrics", .handler = get_metrics, .access = ACCESS_PUBLIC},
    {.method = NULL},
};

const struct resource metrics_resource = {.name = "metrics", .routes = routes};

/* The metrics port: GET /metrics and nothing else, no token. */
static enum MHD_Result on_metrics_port(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                       const char *version, const char *upload_data, size_t *upload_data_size,
                                       void **req_cls)
{
    (void)cls, (void)version, (void)upload_data, (void)upload_data_size, (void)req_cls;
    static const char missing[] = "{\"error\":{\"status\":404,\"code\":\"not_found\","
                                  "\"message\":\"this port serves GET /metrics only\"}}";
    bool ok = strcmp(url, "/metrics") == 0 && (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0);
    struct MHD_Response *resp =
        ok ? render() : MHD_create_response_from_buffer(sizeof missing - 1, (void *)missing, MHD_RESPMEM_PERSISTENT);
    if (!resp)
        return MHD_NO;
    if (!ok)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json; charset=utf-8");
    enum MHD_Result ret = MHD_queue_response(conn, ok ? MHD_HTTP_OK : MHD_HTTP_NOT_FOUND, resp);
    MHD_destroy_response(resp);
    return ret;
}

struct MHD_Daemon *metrics_port_start(const struct config *cfg)
{
    if (!cfg->metrics_port)
        return NULL;
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)cfg->metrics_port)};
    if (inet_pton(AF_INET, cfg->listen, &addr.sin_addr) != 1)
        return NULL;
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ERROR_LOG, (uint16_t)cfg->metrics_port, NULL,
        NULL, on_metrics_port, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_CONNECTION_LIMIT, 16u, MHD_OPTION_END);
    if (d)
        fprintf(stderr, "{\"level\":\"info\",\"event\":\"metrics_listening\",\"address\":\"%s\",\"port\":%u}\n",
                cfg->listen, cfg->metrics_port);
    return d;
}

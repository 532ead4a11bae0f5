/* GET /metrics: the Prometheus text format (metrics.h), for operators only.
 * On the API port it is a server-admin route like /v1/users: authorize()
 * checks the caller's credential before the handler runs (401 anonymous,
 * 403 anyone else), so there is no second credential to keep. A scraper
 * that should not hold an admin token uses CLAIMDB_METRICS_PORT instead: a
 * listener of its own, serving /metrics and nothing else, without
 * credentials, bound to CLAIMDB_METRICS_LISTEN (127.0.0.1 unless
 * configured): who can reach that address is the access control. */
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

static struct MHD_Response *render(void)
{
    struct jsonbuf jb = {0};
    metrics_render(&jb);
    size_t len;
    char *text = jb_steal(&jb, &len);
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
    if (resp)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                                "text/plain; version=0.0.4; charset=utf-8");
    else
        free(text);
    return resp;
}

static void get_metrics(struct request *r)
{
    struct MHD_Response *resp = render();
    if (!resp) {
        reply_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal", NULL, "out of memory");
        return;
    }
    reply_response(r, MHD_HTTP_OK, resp);
}

/* clang-format off */
static const struct route routes[] = {
    {.method = "GET", .pattern = "/metrics", .handler = get_metrics, .access = ACCESS_ADMIN},
    {.method = NULL},
};
/* clang-format on */

const struct resource metrics_resource = {.name = "metrics", .routes = routes};

/* The metrics port: GET /metrics and nothing else, no credentials (its
 * address, CLAIMDB_METRICS_LISTEN, is what keeps it private). */
static enum MHD_Result on_metrics_port(void *cls, struct MHD_Connection *conn, const char *url,
                                       const char *method, const char *version, const char *upload_data,
                                       size_t *upload_data_size, void **req_cls)
{
    (void)cls, (void)version, (void)upload_data, (void)upload_data_size, (void)req_cls;
    static const char missing[] = "{\"error\":{\"status\":404,\"code\":\"not_found\","
                                  "\"message\":\"this port serves GET /metrics only\"}}";
    bool ok = strcmp(url, "/metrics") == 0 && (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0);
    struct MHD_Response *resp =
        ok ? render()
           : MHD_create_response_from_buffer(sizeof missing - 1, (void *)missing, MHD_RESPMEM_PERSISTENT);
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
    if (inet_pton(AF_INET, cfg->metrics_listen, &addr.sin_addr) != 1)
        return NULL;
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ERROR_LOG, (uint16_t)cfg->metrics_port, NULL,
        NULL, on_metrics_port, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_CONNECTION_LIMIT, 16u, MHD_OPTION_END);
    if (d)
        fprintf(stderr,
                "{\"level\":\"info\",\"event\":\"metrics_listening\",\"address\":\"%s\",\"port\":%u}\n",
                cfg->metrics_listen, cfg->metrics_port);
    return d;
}

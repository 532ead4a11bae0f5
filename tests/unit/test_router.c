#include "router.h"
#include "unit.h"

static void h1(struct request *r)
{
    (void)r;
}
static void h2(struct request *r)
{
    (void)r;
}

static const struct route table[] = {
    {.method = "GET", .pattern = "/v1/claims", .handler = h1, .access = ACCESS_READ},
    {.method = "POST", .pattern = "/v1/claims", .handler = h2, .body = BODY_JSON, .access = ACCESS_READ},
    {.method = "GET", .pattern = "/v1/claims/{id}", .handler = h1, .access = ACCESS_READ},
    {.method = "DELETE", .pattern = "/v1/claims/{id}", .handler = h2, .access = ACCESS_READ},
    {.method = "POST",
     .pattern = "/v1/claims/{id}/attributions",
     .handler = h2,
     .body = BODY_JSON,
     .access = ACCESS_READ},
    {.method = "GET", .pattern = "/v1/claims/{id}/relations/{kind}", .handler = h1, .access = ACCESS_READ},
    {.method = "GET", .pattern = "/", .handler = h2, .access = ACCESS_READ},
};

static enum route_status match(const char *method, const char *path, const struct route **found,
                               struct route_params *p, char *allow)
{
    static char buf[ROUTER_MAX_PATH];
    return router_match(table, sizeof table / sizeof *table, method, path, buf, found, p, allow, 64);
}

void test_router(void)
{
    const struct route *found = NULL;
    struct route_params p;
    char allow[64];
    CHECK(match("GET", "/v1/claims", &found, &p, allow) == ROUTE_FOUND && found == &table[0] && p.count == 0);
    CHECK(match("POST", "/v1/claims/", &found, &p, allow) == ROUTE_FOUND && found == &table[1]);
    CHECK(match("GET", "/v1/claims/abc", &found, &p, allow) == ROUTE_FOUND && found == &table[2]);
    CHECK(p.count == 1 && strcmp(p.values[0], "abc") == 0 && strncmp(p.names[0], "id}", 3) == 0);
    CHECK(match("GET", "/v1/claims/a/relations/refutes", &found, &p, allow) == ROUTE_FOUND);
    CHECK(p.count == 2 && strcmp(p.values[0], "a") == 0 && strcmp(p.values[1], "refutes") == 0);
    CHECK(match("PATCH", "/v1/claims/abc", &found, &p, allow) == ROUTE_METHOD_NOT_ALLOWED);
    CHECK(strcmp(allow, "GET, DELETE") == 0);
    CHECK(match("PUT", "/v1/claims", &found, &p, allow) == ROUTE_METHOD_NOT_ALLOWED);
    CHECK(strcmp(allow, "GET, POST") == 0);
    CHECK(match("GET", "/v1/claim", &found, &p, allow) == ROUTE_NOT_FOUND);
    CHECK(match("GET", "/v1/claims/abc/extra/deep", &found, &p, allow) == ROUTE_NOT_FOUND);
    CHECK(match("GET", "/v1/claims//attributions", &found, &p, allow) == ROUTE_NOT_FOUND);
    CHECK(match("GET", "", &found, &p, allow) == ROUTE_NOT_FOUND);
    CHECK(match("GET", "relative", &found, &p, allow) == ROUTE_NOT_FOUND);
    /* "/" is the root only, not a prefix of every path */
    CHECK(match("GET", "/", &found, &p, allow) == ROUTE_FOUND && found == &table[6] && p.count == 0);
    CHECK(match("POST", "/", &found, &p, allow) == ROUTE_METHOD_NOT_ALLOWED && strcmp(allow, "GET") == 0);
    CHECK(match("GET", "/x", &found, &p, allow) == ROUTE_NOT_FOUND);
    char longpath[ROUTER_MAX_PATH + 10];
    memset(longpath, 'a', sizeof longpath - 1);
    longpath[0] = '/';
    longpath[sizeof longpath - 1] = '\0';
    CHECK(match("GET", longpath, &found, &p, allow) == ROUTE_NOT_FOUND);
    /* more segments than the router keeps (every byte a '/'): not found, not an overflow */
    char slashes[ROUTER_MAX_PATH];
    memset(slashes, '/', sizeof slashes - 1);
    slashes[sizeof slashes - 1] = '\0';
    CHECK(match("GET", slashes, &found, &p, allow) == ROUTE_NOT_FOUND);
    slashes[sizeof slashes - 2] = 'x';
    CHECK(match("GET", slashes, &found, &p, allow) == ROUTE_NOT_FOUND);
}

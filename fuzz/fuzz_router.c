/* The router against the server's whole route table: the first byte picks
 * the method, the rest is the path. */
#include "fuzz.h"
#include "router.h"
#include "registry.h"

#include <stdbool.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool ready;
    if (!ready) {
        FUZZ_ASSERT(routes_init() == 0);
        ready = true;
    }
    static const char *const methods[] = {"GET", "POST", "PATCH", "DELETE", "PUT", "HEAD", "OPTIONS", "get"};
    if (size < 1)
        return 0;
    char *path = malloc(size);
    if (!path)
        return 0;
    memcpy(path, data + 1, size - 1);
    path[size - 1] = '\0';
    char buf[ROUTER_MAX_PATH], allow[64];
    const struct route *found = NULL;
    struct route_params params;
    enum route_status st = router_match(routes_table, routes_count, methods[data[0] % 8], path, buf, &found,
                                        &params, allow, sizeof allow);
    if (st == ROUTE_FOUND) {
        FUZZ_ASSERT(found && strcmp(found->method, methods[data[0] % 8]) == 0);
        FUZZ_ASSERT(params.count <= ROUTER_MAX_PARAMS);
        for (size_t i = 0; i < params.count; i++)
            FUZZ_ASSERT(params.values[i] >= buf && params.values[i] < buf + ROUTER_MAX_PATH
                        && strlen(params.values[i]) > 0 && !strchr(params.values[i], '/'));
    } else if (st == ROUTE_METHOD_NOT_ALLOWED) {
        FUZZ_ASSERT(strlen(allow) > 0 && strlen(allow) < sizeof allow);
    }
    free(path);
    return 0;
}

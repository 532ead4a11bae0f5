#include "routes.h"

#include <stdlib.h>
#include <string.h>

const struct route *routes_table;
size_t routes_count;

static const struct route *const resource_tables[] = {
    health_routes, document_routes, actor_routes, claim_routes, attribution_routes,
    relation_routes, source_routes, export_routes, import_routes,
    tag_routes, openapi_routes, search_routes,
};

int routes_init(void)
{
    size_t n = 0;
    for (size_t t = 0; t < sizeof resource_tables / sizeof *resource_tables; t++)
        for (const struct route *rt = resource_tables[t]; rt->method; rt++)
            n++;
    struct route *table = calloc(n ? n : 1, sizeof *table);
    if (!table)
        return -1;
    size_t i = 0;
    for (size_t t = 0; t < sizeof resource_tables / sizeof *resource_tables; t++)
        for (const struct route *rt = resource_tables[t]; rt->method; rt++)
            table[i++] = *rt;
    routes_table = table;
    routes_count = n;
    return 0;
}

void routes_free(void)
{
    free((void *)routes_table);
    routes_table = NULL;
    routes_count = 0;
}

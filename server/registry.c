#include "registry.h"

#include <stdio.h>
#include <stdlib.h>

const struct resource *const resources[] = {
    &health_resource,
    &document_resource,
    &actor_resource,
    &claim_resource,
    &attribution_resource,
    &relation_resource,
    &source_resource,
    &span_resource,
    &export_resource,
    &import_resource,
    &tag_resource,
    &search_resource,
    &thread_resource,
    &network_resource,
    &openapi_resource,
    &history_resource,
    &web_resource,
    &team_resource,
    &auth_resource,
    &scope_resource,
    &codebook_resource,
    &metrics_resource,
    NULL,
};

const struct route *routes_table;
size_t routes_count;

int routes_init(void)
{
    size_t n = 0;
    for (const struct resource *const *rs = resources; *rs; rs++)
        for (const struct route *rt = (*rs)->routes; rt && rt->method; rt++) {
            if (rt->access == ACCESS_UNSET) {
                fprintf(stderr, "claimdb: route %s %s (%s) does not state its access\n", rt->method,
                        rt->pattern, (*rs)->name);
                return -1;
            }
            n++;
        }
    struct route *table = calloc(n ? n : 1, sizeof *table);
    if (!table)
        return -1;
    size_t i = 0;
    for (const struct resource *const *rs = resources; *rs; rs++)
        for (const struct route *rt = (*rs)->routes; rt && rt->method; rt++)
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

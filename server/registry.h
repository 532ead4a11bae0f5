/* registry: every resource of the API, each described once.
 *
 * A resource file (server/ep_*.c, span.c) exports one struct resource: its
 * routes and the prepared statements its handlers run. registry.c lists
 * them; the router's table and the statements db_connect prepares both
 * come from that one list. Adding a resource: write its file, export its
 * struct resource, add it to `resources` in registry.c (DEVELOPERS.md). */
#ifndef CLAIMDB_REGISTRY_H
#define CLAIMDB_REGISTRY_H

#include "db.h"
#include "router.h"

#include <stddef.h>

struct resource {
    const char *name;                      /* for messages: "documents" */
    const struct route *routes;            /* ends with an entry whose method is NULL; NULL for none */
    const struct db_statement *statements; /* ends with {NULL}; NULL for none */
};

extern const struct resource health_resource, document_resource, actor_resource, claim_resource,
    attribution_resource, relation_resource, source_resource, span_resource, tag_resource, search_resource,
    thread_resource, network_resource, export_resource, import_resource, openapi_resource, history_resource,
    web_resource, team_resource, auth_resource, scope_resource, codebook_resource, metrics_resource;

/* Every resource, NULL-terminated. */
extern const struct resource *const resources[];

/* The whole route table, built once by routes_init(); routes_count entries. */
extern const struct route *routes_table;
extern size_t routes_count;

/* Concatenates the resources' routes. Returns 0, or -1 after printing why
 * (out of memory, or a route whose access is ACCESS_UNSET). */
int routes_init(void);

/* Frees the table. */
void routes_free(void);

#endif

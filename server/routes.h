/* routes: the route table, assembled from one table per resource file. */
#ifndef CLAIMDB_ROUTES_H
#define CLAIMDB_ROUTES_H

#include "router.h"

#include <stddef.h>

/* Each resource file exports a route table ending with {NULL}. */
extern const struct route health_routes[];
extern const struct route document_routes[];
extern const struct route actor_routes[];
extern const struct route claim_routes[];
extern const struct route attribution_routes[];
extern const struct route relation_routes[];
extern const struct route source_routes[];
extern const struct route export_routes[];
extern const struct route import_routes[];
extern const struct route tag_routes[];
extern const struct route openapi_routes[];
extern const struct route search_routes[];

/* The whole table, built once by routes_init(); routes_count entries. */
extern const struct route *routes_table;
extern size_t routes_count;

/* Concatenates the resource tables. Returns 0, or -1 if out of memory. */
int routes_init(void);
/* Frees the table. */
void routes_free(void);

#endif

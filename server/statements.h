/* statements: each resource file's prepared statements, registered at
 * connect by db.c through db_statement_sets (db_registry.c). */
#ifndef CLAIMDB_STATEMENTS_H
#define CLAIMDB_STATEMENTS_H

#include "db.h"

extern const struct db_statement health_statements[];
extern const struct db_statement document_statements[];
extern const struct db_statement actor_statements[];
extern const struct db_statement claim_statements[];
extern const struct db_statement attribution_statements[];
extern const struct db_statement relation_statements[];
extern const struct db_statement source_statements[];
extern const struct db_statement tag_statements[];
extern const struct db_statement search_statements[];

#endif

#include "span.h"
#include "statements.h"

const struct db_statement *const db_statement_sets[] = {
    health_statements, document_statements, actor_statements, claim_statements,
    attribution_statements, relation_statements, source_statements, span_statements,
    tag_statements, search_statements, NULL,
};

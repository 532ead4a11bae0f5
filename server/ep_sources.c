/* /v1/sources: not written yet (issue 3). */
#include "routes.h"
#include "statements.h"

const struct db_statement source_statements[] = {
    {NULL, NULL},
};

const struct route source_routes[] = {
    {NULL, NULL, NULL, BODY_NONE, NULL},
};

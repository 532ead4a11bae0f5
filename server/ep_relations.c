/* /v1/relations: not written yet (issue 3). */
#include "routes.h"
#include "statements.h"

const struct db_statement relation_statements[] = {
    {NULL, NULL},
};

const struct route relation_routes[] = {
    {NULL, NULL, NULL, BODY_NONE, NULL},
};

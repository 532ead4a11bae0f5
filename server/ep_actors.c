/* /v1/actors: not written yet (issue 3). */
#include "routes.h"
#include "statements.h"

const struct db_statement actor_statements[] = {
    {NULL, NULL},
};

const struct route actor_routes[] = {
    {NULL, NULL, NULL, BODY_NONE, NULL},
};

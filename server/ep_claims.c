/* /v1/claims: not written yet (issue 3). */
#include "routes.h"
#include "statements.h"

const struct db_statement claim_statements[] = {
    {NULL, NULL},
};

const struct route claim_routes[] = {
    {NULL, NULL, NULL, BODY_NONE, NULL},
};

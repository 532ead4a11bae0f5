/* /v1/attributions: not written yet (issue 3). */
#include "routes.h"
#include "statements.h"

const struct db_statement attribution_statements[] = {
    {NULL, NULL},
};

const struct route attribution_routes[] = {
    {NULL, NULL, NULL, BODY_NONE, NULL},
};

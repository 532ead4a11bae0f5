/* /v1/import: not written yet (issue 4). */
#include "routes.h"

const struct route import_routes[] = {
    {NULL, NULL, NULL, BODY_NONE, NULL},
};

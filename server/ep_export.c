/* /v1/export: not written yet (issue 4). */
#include "routes.h"

const struct route export_routes[] = {
    {NULL, NULL, NULL, BODY_NONE, NULL},
};

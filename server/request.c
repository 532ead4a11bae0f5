#include "request.h"

#include <string.h>

const char *request_param(const struct request *r, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < r->params.count; i++)
        if (strncmp(r->params.names[i], name, n) == 0 && r->params.names[i][n] == '}')
            return r->params.values[i];
    return NULL;
}

const char *request_query(const struct request *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

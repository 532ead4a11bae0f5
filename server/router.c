#include "router.h"

#include <stdbool.h>
#include <string.h>

/* Matches one pattern against the path in buf (segments separated by NUL
 * bytes after splitting). Returns true and fills params on a match. */
static bool match_pattern(const char *pattern, char *const *segs, size_t nsegs,
                          struct route_params *params)
{
    size_t i = 0;
    params->count = 0;
    const char *p = pattern;
    while (*p == '/') {
        p++;
        const char *end = strchr(p, '/');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (i >= nsegs)
            return false;
        if (len >= 2 && p[0] == '{' && p[len - 1] == '}') {
            if (segs[i][0] == '\0' || params->count == ROUTER_MAX_PARAMS)
                return false;
            params->names[params->count] = p + 1; /* up to '}'; callers compare by prefix */
            params->values[params->count++] = segs[i];
        } else if (strlen(segs[i]) != len || memcmp(segs[i], p, len) != 0) {
            return false;
        }
        i++;
        p += len;
    }
    return i == nsegs;
}

enum route_status router_match(const struct route *table, size_t n, const char *method,
                               const char *path, char buf[ROUTER_MAX_PATH],
                               const struct route **found, struct route_params *params,
                               char *allow, size_t allow_size)
{
    size_t len = strlen(path);
    if (len == 0 || path[0] != '/' || len >= ROUTER_MAX_PATH)
        return ROUTE_NOT_FOUND;
    memcpy(buf, path, len + 1);
    if (len > 1 && buf[len - 1] == '/')
        buf[--len] = '\0';

    char *segs[ROUTER_MAX_PATH / 2];
    size_t nsegs = 0;
    if (len > 1)
        for (char *s = buf; s && *s == '/';) {
            *s = '\0';
            segs[nsegs++] = s + 1;
            s = strchr(s + 1, '/');
        }

    bool path_known = false;
    struct route_params scratch;
    if (allow_size)
        allow[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (!match_pattern(table[i].pattern, segs, nsegs, &scratch))
            continue;
        if (strcmp(table[i].method, method) == 0) {
            *found = &table[i];
            *params = scratch;
            return ROUTE_FOUND;
        }
        path_known = true;
        size_t used = strlen(allow);
        size_t need = strlen(table[i].method) + (used ? 2 : 0);
        if (!strstr(allow, table[i].method) && used + need < allow_size) {
            if (used)
                strcat(allow, ", ");
            strcat(allow, table[i].method);
        }
    }
    return path_known ? ROUTE_METHOD_NOT_ALLOWED : ROUTE_NOT_FOUND;
}

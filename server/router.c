#include "router.h"

#include <stdbool.h>
#include <string.h>

/* Matches one pattern against the path in buf (segments separated by NUL
 * bytes after splitting). Returns true and fills params on a match. Walks
 * pattern and segment together, without strchr/strlen: every request tries
 * the patterns in table order until one matches. */
static bool match_pattern(const char *pattern, char *const *segs, size_t nsegs, struct route_params *params)
{
    size_t i = 0;
    params->count = 0;
    const char *p = pattern;
    if (p[0] == '/' && p[1] == '\0') /* "/" is the root alone */
        return nsegs == 0;
    while (*p == '/') {
        p++;
        if (i >= nsegs)
            return false;
        const char *s = segs[i];
        if (p[0] == '{') {
            const char *end = p;
            while (*end && *end != '/')
                end++;
            if (end - p >= 2 && end[-1] == '}') {
                if (s[0] == '\0' || params->count == ROUTER_MAX_PARAMS)
                    return false;
                params->names[params->count] = p + 1; /* up to '}'; callers compare by prefix */
                params->values[params->count++] = s;
                i++;
                p = end;
                continue;
            }
        }
        while (*p && *p != '/' && *p == *s) {
            p++;
            s++;
        }
        if (*s != '\0' || (*p && *p != '/'))
            return false;
        i++;
    }
    return i == nsegs;
}

enum route_status router_match(const struct route *table, size_t n, const char *method, const char *path,
                               char buf[ROUTER_MAX_PATH], const struct route **found,
                               struct route_params *params, char *allow, size_t allow_size)
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
            /* "/" x 600 has more segments than segs holds (found by
             * fuzz/fuzz_router.c: a stack overflow any client could cause);
             * no route is that deep */
            if (nsegs == sizeof segs / sizeof *segs)
                return ROUTE_NOT_FOUND;
            *s = '\0';
            segs[nsegs++] = s + 1;
            s = strchr(s + 1, '/');
        }

    if (allow_size)
        allow[0] = '\0';
    /* The first route in table order with this method and a matching
     * pattern; only a request that finds none pays for trying the others
     * (for 405's Allow). */
    struct route_params scratch;
    for (size_t i = 0; i < n; i++)
        if (strcmp(table[i].method, method) == 0 && match_pattern(table[i].pattern, segs, nsegs, &scratch)) {
            *found = &table[i];
            *params = scratch;
            return ROUTE_FOUND;
        }

    bool path_known = false;
    for (size_t i = 0; i < n; i++) {
        if (!match_pattern(table[i].pattern, segs, nsegs, &scratch))
            continue;
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

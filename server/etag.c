#include "etag.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A scan of the object's top level only: strings are skipped whole (a
 * "rev" inside a text is not a key), nested values by depth. */
long long etag_rev_of_json(const char *json, size_t len)
{
    int depth = 0;
    for (size_t i = 0; i < len; i++) {
        char c = json[i];
        if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            depth--;
        } else if (c == '"') {
            size_t start = i + 1;
            for (i = start; i < len && json[i] != '"'; i++)
                if (json[i] == '\\')
                    i++;
            if (depth != 1 || i - start != 3 || memcmp(json + start, "rev", 3) != 0)
                continue;
            size_t j = i + 1;
            while (j < len && (json[j] == ' ' || json[j] == ':'))
                j++;
            if (j >= len || !isdigit((unsigned char)json[j]))
                return -1;
            long long rev = 0;
            for (; j < len && isdigit((unsigned char)json[j]) && rev < 1000000000000000LL; j++)
                rev = rev * 10 + (json[j] - '0');
            return rev;
        }
    }
    return -1;
}

void etag_make(long long rev, const char *body, size_t len, char out[ETAG_MAX])
{
    uint64_t h = 14695981039346656037ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)body[i];
        h *= 1099511628211ULL;
    }
    snprintf(out, ETAG_MAX, "\"%lld-%016llx\"", rev, (unsigned long long)h);
}

bool etag_parse_rev(const char *header, long long *rev)
{
    const char *p = header;
    while (*p == ' ')
        p++;
    if (strncmp(p, "W/", 2) == 0)
        p += 2;
    if (*p++ != '"' || !isdigit((unsigned char)*p))
        return false;
    long long v = 0;
    for (; isdigit((unsigned char)*p); p++) {
        if (v > 100000000000000LL)
            return false;
        v = v * 10 + (*p - '0');
    }
    if (*p == '-') {
        p++;
        while (isxdigit((unsigned char)*p))
            p++;
    }
    if (*p++ != '"')
        return false;
    while (*p == ' ')
        p++;
    if (*p)
        return false;
    *rev = v;
    return true;
}

bool etag_none_match(const char *header, const char *etag)
{
    size_t n = strlen(etag);
    for (const char *p = header; *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        if (*p == '*')
            return true;
        if (strncmp(p, "W/", 2) == 0)
            p += 2;
        if (strncmp(p, etag, n) == 0 && (p[n] == '\0' || p[n] == ',' || p[n] == ' '))
            return true;
        while (*p && *p != ',')
            p++;
    }
    return false;
}

/* Query-string handling: the parameter count the server checks before MHD
 * parses the query, the unescaping that keeps "%00", and the validators
 * the routes apply to values (UUID, date, time, whole number, size,
 * cursor, UTF-8). */
#include "config.h"
#include "cursor.h"
#include "fuzz.h"
#include "query.h"
#include "utf8.h"
#include "validate.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *q = fuzz_string(data, size);
    if (!q)
        return 0;
    size_t len = strlen(q);
    unsigned count = query_param_count(q);
    FUZZ_ASSERT(count >= 1 && count <= len + 1);
    char *save = NULL;
    for (char *arg = strtok_r(q, "&;", &save); arg; arg = strtok_r(NULL, "&;", &save)) {
        char *value = strchr(arg, '=');
        if (value)
            *value++ = '\0';
        size_t before = strlen(arg);
        size_t n = query_unescape(arg);
        FUZZ_ASSERT(n <= before && strlen(arg) == n); /* no NUL smuggled in */
        if (!value)
            continue;
        before = strlen(value);
        n = query_unescape(value);
        FUZZ_ASSERT(n <= before && strlen(value) == n);
        size_t bad;
        if (!utf8_valid(value, n, &bad))
            continue;
        (void)uuid_valid(value);
        (void)date_text_valid(value);
        (void)timestamp_text_valid(value);
        unsigned u;
        if (config_parse_uint(value, 1000, &u) == 0)
            FUZZ_ASSERT(u <= 1000);
        size_t z;
        (void)config_parse_size(value, &z);
        char buf[CURSOR_MAX_LEN];
        const char *values[CURSOR_MAX_PARTS];
        (void)cursor_decode(value, 2, buf, values);
    }
    free(q);
    return 0;
}

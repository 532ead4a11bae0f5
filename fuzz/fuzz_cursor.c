/* Cursors: any text decodes or is refused without harm; values split on
 * 0x1f from the input round-trip through encode and decode. */
#include "cursor.h"
#include "fuzz.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_string(data, size);
    if (!s)
        return 0;
    char buf[CURSOR_MAX_LEN];
    const char *values[CURSOR_MAX_PARTS];
    for (size_t n = 1; n <= CURSOR_MAX_PARTS; n++)
        if (cursor_decode(s, n, buf, values))
            for (size_t i = 0; i < n; i++)
                FUZZ_ASSERT(values[i] >= buf && values[i] < buf + CURSOR_MAX_LEN);
    /* round trip: s cut into up to 4 values at 0x1f (NULs end the last) */
    const char *parts[CURSOR_MAX_PARTS];
    size_t n = 0;
    char *p = s;
    while (n < CURSOR_MAX_PARTS) {
        parts[n++] = p;
        char *sep = strchr(p, '\x1f');
        if (!sep || n == CURSOR_MAX_PARTS) {
            if (sep)
                *sep = '\0';
            break;
        }
        *sep = '\0';
        p = sep + 1;
    }
    char out[CURSOR_MAX_LEN];
    if (cursor_encode(parts, n, out)) {
        FUZZ_ASSERT(strlen(out) < CURSOR_MAX_LEN);
        FUZZ_ASSERT(cursor_decode(out, n, buf, values));
        for (size_t i = 0; i < n; i++)
            FUZZ_ASSERT(strcmp(values[i], parts[i]) == 0);
    }
    free(s);
    return 0;
}

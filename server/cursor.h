/* cursor: opaque keyset-pagination cursors.
 *
 * A cursor carries the sort key of the last row a page returned (one or
 * more text values, e.g. a start offset and an id) as unpadded base64url of
 * "c1" + '\x1f'-separated values. Clients treat it as opaque. */
#ifndef CLAIMDB_CURSOR_H
#define CLAIMDB_CURSOR_H

#include <stdbool.h>
#include <stddef.h>

#define CURSOR_MAX_PARTS 4
#define CURSOR_MAX_LEN 512

/* Encodes n values (none may contain '\x1f') into out (CURSOR_MAX_LEN
 * bytes). Returns false when they do not fit. */
bool cursor_encode(const char *const *values, size_t n, char out[CURSOR_MAX_LEN]);

/* Decodes a cursor into exactly n values pointing into buf (CURSOR_MAX_LEN
 * bytes). Returns false when the text is not a cursor of n values. */
bool cursor_decode(const char *cursor, size_t n, char buf[CURSOR_MAX_LEN], const char **values);

#endif

/* utf8: validation and code-point arithmetic on UTF-8 byte strings.
 *
 * Offsets in claimdb count Unicode code points (W3C TextPositionSelector);
 * PostgreSQL and the wire carry UTF-8 bytes. These functions convert. */
#ifndef CLAIMDB_UTF8_H
#define CLAIMDB_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* True when s[0..n) is well-formed UTF-8 (no overlong forms, no surrogates,
 * nothing above U+10FFFF, no NUL). Otherwise false, with *bad_byte set to the
 * byte offset of the first offending sequence. */
bool utf8_valid(const char *s, size_t n, size_t *bad_byte);

/* Number of code points in s[0..n); s must be valid UTF-8. */
size_t utf8_count(const char *s, size_t n);

/* Byte offset of code point number cp in s[0..n), or (size_t)-1 when
 * cp > utf8_count(s, n). cp == count gives n. */
size_t utf8_byte_offset(const char *s, size_t n, size_t cp);

/* Byte offset reached by stepping back at most cps code points from byte
 * offset at. */
size_t utf8_back(const char *s, size_t at, size_t cps);

/* Byte offset reached by stepping forward at most cps code points from byte
 * offset at, not past n. */
size_t utf8_forward(const char *s, size_t n, size_t at, size_t cps);

#endif

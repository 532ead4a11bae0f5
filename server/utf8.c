#include "utf8.h"

static bool is_cont(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}

bool utf8_valid(const char *str, size_t n, size_t *bad_byte)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        size_t len;
        unsigned cp;
        if (c == 0)
            goto bad;
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            cp = c & 0x07;
        } else {
            goto bad;
        }
        if (i + len > n)
            goto bad;
        for (size_t k = 1; k < len; k++) {
            if (!is_cont(s[i + k]))
                goto bad;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF
            || (cp >= 0xD800 && cp <= 0xDFFF))
            goto bad;
        i += len;
    }
    return true;
bad:
    if (bad_byte)
        *bad_byte = i;
    return false;
}

size_t utf8_count(const char *s, size_t n)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        count += !is_cont((unsigned char)s[i]);
    return count;
}

size_t utf8_byte_offset(const char *s, size_t n, size_t cp)
{
    size_t seen = 0;
    for (size_t i = 0; i < n; i++) {
        if (!is_cont((unsigned char)s[i])) {
            if (seen == cp)
                return i;
            seen++;
        }
    }
    return seen == cp ? n : (size_t)-1;
}

size_t utf8_back(const char *s, size_t at, size_t cps)
{
    while (cps > 0 && at > 0) {
        at--;
        while (at > 0 && is_cont((unsigned char)s[at]))
            at--;
        cps--;
    }
    return at;
}

size_t utf8_forward(const char *s, size_t n, size_t at, size_t cps)
{
    while (cps > 0 && at < n) {
        at++;
        while (at < n && is_cont((unsigned char)s[at]))
            at++;
        cps--;
    }
    return at;
}

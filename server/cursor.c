#include "cursor.h"

#include <string.h>

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
#define MAGIC "c1"
#define SEP '\x1f'

bool cursor_encode(const char *const *values, size_t n, char out[CURSOR_MAX_LEN])
{
    char raw[CURSOR_MAX_LEN];
    size_t len = strlen(MAGIC);
    memcpy(raw, MAGIC, len);
    for (size_t i = 0; i < n; i++) {
        size_t vl = strlen(values[i]);
        if (memchr(values[i], SEP, vl) || len + 1 + vl > sizeof raw)
            return false;
        raw[len++] = SEP;
        memcpy(raw + len, values[i], vl);
        len += vl;
    }
    if ((len + 2) / 3 * 4 + 1 > CURSOR_MAX_LEN)
        return false;
    size_t o = 0;
    for (size_t i = 0; i < len; i += 3) {
        unsigned v = (unsigned char)raw[i] << 16;
        if (i + 1 < len)
            v |= (unsigned char)raw[i + 1] << 8;
        if (i + 2 < len)
            v |= (unsigned char)raw[i + 2];
        out[o++] = alphabet[(v >> 18) & 63];
        out[o++] = alphabet[(v >> 12) & 63];
        if (i + 1 < len)
            out[o++] = alphabet[(v >> 6) & 63];
        if (i + 2 < len)
            out[o++] = alphabet[v & 63];
    }
    out[o] = '\0';
    return true;
}

static int sextet(char c)
{
    const char *p = c ? strchr(alphabet, c) : NULL;
    return p ? (int)(p - alphabet) : -1;
}

bool cursor_decode(const char *cursor, size_t n, char buf[CURSOR_MAX_LEN], const char **values)
{
    size_t clen = strlen(cursor);
    if (clen == 0 || clen >= CURSOR_MAX_LEN || clen % 4 == 1)
        return false;
    size_t o = 0;
    for (size_t i = 0; i < clen; i += 4) {
        int s[4] = {0, 0, 0, 0};
        size_t k, chunk = clen - i < 4 ? clen - i : 4;
        for (k = 0; k < chunk; k++)
            if ((s[k] = sextet(cursor[i + k])) < 0)
                return false;
        unsigned v = (unsigned)s[0] << 18 | (unsigned)s[1] << 12 | (unsigned)s[2] << 6 | (unsigned)s[3];
        buf[o++] = (char)(v >> 16);
        if (chunk > 2)
            buf[o++] = (char)(v >> 8);
        if (chunk > 3)
            buf[o++] = (char)v;
    }
    buf[o] = '\0';
    if (memchr(buf, '\0', o) || strncmp(buf, MAGIC, strlen(MAGIC)) != 0)
        return false;
    char *p = buf + strlen(MAGIC);
    for (size_t i = 0; i < n; i++) {
        if (*p != SEP)
            return false;
        *p++ = '\0';
        values[i] = p;
        char *next = strchr(p, SEP);
        p = next ? next : p + strlen(p);
    }
    return *p == '\0';
}

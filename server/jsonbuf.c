#include "jsonbuf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

void jb_grow(struct jsonbuf *jb, size_t extra)
{
    if (jb->len + extra + 1 <= jb->cap)
        return;
    size_t cap = jb->cap ? jb->cap : 256;
    while (cap < jb->len + extra + 1)
        cap *= 2;
    char *p = realloc(jb->data, cap);
    if (!p) {
        fputs("claimdb: out of memory\n", stderr);
        abort();
    }
    jb->data = p;
    jb->cap = cap;
}

#ifdef __SSE2__
/* Bit k set when byte k of the 16 at s needs an escape. */
static inline unsigned special16(const char *s)
{
    const __m128i below = _mm_set1_epi8(0x1f), quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\');
    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)s);
    __m128i special = _mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(x, below), x),
                                   _mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, backslash)));
    return (unsigned)_mm_movemask_epi8(special);
}
#endif

/* Non-zero when one of the 8 bytes at s needs an escape (< 0x20, '"', '\\'):
 * the usual has-zero-byte tests. Their false positives only ever sit above
 * (in value) a true hit, so the lowest flagged byte is exact. */
static inline uint64_t special8(const char *s)
{
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    uint64_t x, q, b;
    memcpy(&x, s, 8);
    q = x ^ (ones * '"');
    b = x ^ (ones * '\\');
    return ((x - ones * 0x20) & ~x & highs) | ((q - ones) & ~q & highs) | ((b - ones) & ~b & highs);
}

/* The end of the run of bytes from `start` that need no escape. Texts are
 * most of a list: 16 bytes at a time with SSE2 (else 8 in a word), the last
 * block overlapping bytes already found plain rather than ending in a byte
 * loop, and the first special byte found from the mask, not by rescanning. */
static inline size_t plain_run_end(const char *s, size_t start, size_t n)
{
    size_t i = start;
#ifdef __SSE2__
    if (n - start >= 16)
        for (;;) {
            size_t at = n - i >= 16 ? i : n - 16;
            unsigned mask = special16(s + at);
            if (mask)
                return at + (size_t)__builtin_ctz(mask);
            if (at + 16 == n)
                return n;
            i += 16;
        }
#endif
    if (n - start >= 8)
        for (;;) {
            size_t at = n - i >= 8 ? i : n - 8;
            uint64_t hit = special8(s + at);
            if (hit) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
                return at + (size_t)__builtin_ctzll(hit) / 8;
#else
                i = at; /* the exact byte is the lowest in value, not the first in memory */
                break;
#endif
            }
            if (at + 8 == n)
                return n;
            i += 8;
        }
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == '"' || c == '\\')
            break;
        i++;
    }
    return i;
}

static void escaped_byte(struct jsonbuf *jb, unsigned char c)
{
    static const char hex[] = "0123456789abcdef";
    char esc[6] = {'\\', 0, 0, 0, 0, 0};
    size_t elen = 2;
    switch (c) {
    case '"': esc[1] = '"'; break;
    case '\\': esc[1] = '\\'; break;
    case '\n': esc[1] = 'n'; break;
    case '\r': esc[1] = 'r'; break;
    case '\t': esc[1] = 't'; break;
    case '\b': esc[1] = 'b'; break;
    case '\f': esc[1] = 'f'; break;
    default:
        esc[1] = 'u';
        esc[2] = '0';
        esc[3] = '0';
        esc[4] = hex[c >> 4];
        esc[5] = hex[c & 15];
        elen = 6;
    }
    jb_raw(jb, esc, elen);
}

void jb_string(struct jsonbuf *jb, const char *s, size_t n)
{
    jb_reserve(jb, n + 2);
    jb->data[jb->len++] = '"';
    size_t i = 0;
    for (;;) {
        size_t run = plain_run_end(s, i, n);
        jb_raw(jb, s + i, run - i);
        if (run == n)
            break;
        escaped_byte(jb, (unsigned char)s[run]);
        i = run + 1;
    }
    jb_raw(jb, "\"", 1);
}

void jb_key(struct jsonbuf *jb, const char *key)
{
    size_t n = strlen(key);
    jb_reserve(jb, n + 3);
    char *w = jb->data + jb->len;
    *w++ = '"';
    memcpy(w, key, n);
    w += n;
    *w++ = '"';
    *w++ = ':';
    *w = '\0';
    jb->len = (size_t)(w - jb->data);
}

void jb_timestamp_n(struct jsonbuf *jb, const char *s, size_t n)
{
    jb_reserve(jb, n + 6);
    char *w = jb->data + jb->len;
    *w++ = '"';
    size_t i = 0;
    while (i < n && s[i] != ' ')
        *w++ = s[i++];
    if (i < n) {
        *w++ = 'T';
        i++;
        while (i < n && s[i] != '+' && s[i] != '-' && s[i] != ' ')
            *w++ = s[i++];
        size_t zone = i;
        while (i < n && s[i] != ' ')
            *w++ = s[i++];
        if (i - zone == 3) { /* "+hh": to_json writes "+hh:00" */
            memcpy(w, ":00", 3);
            w += 3;
        }
        while (i < n) /* " BC" */
            *w++ = s[i++];
    }
    *w++ = '"';
    *w = '\0';
    jb->len = (size_t)(w - jb->data);
}

void jb_timestamp(struct jsonbuf *jb, const char *pg)
{
    jb_timestamp_n(jb, pg, strlen(pg));
}

void jb_pg_array(struct jsonbuf *jb, const char *s, size_t n)
{
    size_t i = 0;
    if (n && s[0] == '[') { /* "[1:2]={...}": bounds other than 1.. */
        const char *eq = memchr(s, '=', n);
        i = eq ? (size_t)(eq - s) + 1 : n;
    }
    while (i < n) {
        char c = s[i];
        if (c == '{' || c == '}' || c == ',') {
            jb_raw(jb, c == '{' ? "[" : c == '}' ? "]" : ",", 1);
            i++;
        } else if (c == '"') {
            jb_raw(jb, "\"", 1);
            for (i++; i < n && s[i] != '"'; i++) {
                if (s[i] == '\\' && i + 1 < n)
                    i++;
                if ((unsigned char)s[i] < 0x20 || s[i] == '"' || s[i] == '\\')
                    escaped_byte(jb, (unsigned char)s[i]);
                else
                    jb_raw(jb, s + i, 1);
            }
            jb_raw(jb, "\"", 1);
            i++;
        } else {
            size_t end = i;
            while (end < n && s[end] != ',' && s[end] != '}')
                end++;
            if (end - i == 4 && strncasecmp(s + i, "NULL", 4) == 0)
                jb_raw(jb, "null", 4);
            else
                jb_string(jb, s + i, end - i);
            i = end;
        }
    }
}

void jb_string_or_null(struct jsonbuf *jb, const char *s, int is_null)
{
    if (is_null)
        jb_raw(jb, "null", 4);
    else
        jb_string(jb, s, strlen(s));
}

void jb_json_or_null(struct jsonbuf *jb, const char *s, int is_null)
{
    if (is_null)
        jb_raw(jb, "null", 4);
    else
        jb_cstr(jb, s);
}

void jb_free(struct jsonbuf *jb)
{
    free(jb->data);
    jb->data = NULL;
    jb->len = jb->cap = 0;
}

char *jb_steal(struct jsonbuf *jb, size_t *len)
{
    if (!jb->data)
        jb_grow(jb, 0);
    char *p = jb->data;
    *len = jb->len;
    jb->data = NULL;
    jb->len = jb->cap = 0;
    return p;
}

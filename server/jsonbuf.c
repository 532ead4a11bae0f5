#include "jsonbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void reserve(struct jsonbuf *jb, size_t extra)
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

void jb_raw(struct jsonbuf *jb, const char *s, size_t n)
{
    reserve(jb, n);
    memcpy(jb->data + jb->len, s, n);
    jb->len += n;
    jb->data[jb->len] = '\0';
}

void jb_cstr(struct jsonbuf *jb, const char *s)
{
    jb_raw(jb, s, strlen(s));
}

void jb_string(struct jsonbuf *jb, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    reserve(jb, n + 2);
    jb->data[jb->len++] = '"';
    size_t run = 0; /* start of the pending run of bytes that need no escape */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        jb_raw(jb, s + run, i - run);
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
            esc[1] = 'u'; esc[2] = '0'; esc[3] = '0';
            esc[4] = hex[c >> 4]; esc[5] = hex[c & 15];
            elen = 6;
        }
        jb_raw(jb, esc, elen);
        run = i + 1;
    }
    jb_raw(jb, s + run, n - run);
    jb_raw(jb, "\"", 1);
}

void jb_key(struct jsonbuf *jb, const char *key)
{
    size_t n = strlen(key);
    reserve(jb, n + 3);
    jb->data[jb->len++] = '"';
    memcpy(jb->data + jb->len, key, n);
    jb->len += n;
    jb->data[jb->len++] = '"';
    jb->data[jb->len++] = ':';
    jb->data[jb->len] = '\0';
}

void jb_timestamp(struct jsonbuf *jb, const char *pg)
{
    size_t n = strlen(pg);
    reserve(jb, n + 6);
    jb->data[jb->len++] = '"';
    for (size_t i = 0; i < n; i++)
        jb->data[jb->len++] = (i == 10 && pg[i] == ' ') ? 'T' : pg[i];
    /* PostgreSQL abbreviates a whole-hour offset to "+00"; JSON/ISO 8601 as
     * to_json() writes it has "+00:00". */
    if (n >= 3 && (pg[n - 3] == '+' || pg[n - 3] == '-')) {
        memcpy(jb->data + jb->len, ":00", 3);
        jb->len += 3;
    }
    jb->data[jb->len++] = '"';
    jb->data[jb->len] = '\0';
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
        reserve(jb, 0);
    char *p = jb->data;
    *len = jb->len;
    jb->data = NULL;
    jb->len = jb->cap = 0;
    return p;
}

#include "import_util.h"

#include "hex.h"

#include <stdlib.h>
#include <string.h>

bool uuid_parse(const char *s, unsigned char out[16])
{
    size_t byte = 0;
    for (size_t i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-')
                return false;
            continue;
        }
        int hi = hex_value(s[i]);
        int lo = hi < 0 ? -1 : hex_value(s[i + 1]);
        if (lo < 0)
            return false;
        out[byte++] = (unsigned char)(hi << 4 | lo);
        i++;
    }
    return s[36] == '\0';
}

static size_t slot_of(const unsigned char key[16], size_t cap)
{
    /* UUIDv7 starts with a timestamp: hash the random tail, mixed. */
    uint64_t h;
    memcpy(&h, key + 8, sizeof h);
    uint64_t t;
    memcpy(&t, key, sizeof t);
    h ^= t * 0x9E3779B97F4A7C15u;
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9u;
    h ^= h >> 32;
    return (size_t)h & (cap - 1);
}

static bool grow(struct uuid_map *m)
{
    size_t cap = m->cap ? m->cap * 2 : 1024;
    unsigned char(*keys)[16] = malloc(cap * sizeof *keys);
    uint32_t *values = calloc(cap, sizeof *values);
    if (!keys || !values) {
        free(keys);
        free(values);
        return false;
    }
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->values[i])
            continue;
        size_t j = slot_of(m->keys[i], cap);
        while (values[j])
            j = (j + 1) & (cap - 1);
        memcpy(keys[j], m->keys[i], 16);
        values[j] = m->values[i];
    }
    free(m->keys);
    free(m->values);
    m->keys = keys;
    m->values = values;
    m->cap = cap;
    return true;
}

bool uuid_map_put(struct uuid_map *m, const unsigned char key[16], uint32_t value)
{
    if (value == UINT32_MAX)
        return false;
    if ((m->count + 1) * 4 > m->cap * 3 && !grow(m))
        return false;
    size_t i = slot_of(key, m->cap);
    while (m->values[i] && memcmp(m->keys[i], key, 16) != 0)
        i = (i + 1) & (m->cap - 1);
    if (!m->values[i]) {
        memcpy(m->keys[i], key, 16);
        m->count++;
    }
    m->values[i] = value + 1;
    return true;
}

bool uuid_map_get(const struct uuid_map *m, const unsigned char key[16], uint32_t *value)
{
    if (!m->cap)
        return false;
    for (size_t i = slot_of(key, m->cap); m->values[i]; i = (i + 1) & (m->cap - 1))
        if (memcmp(m->keys[i], key, 16) == 0) {
            *value = m->values[i] - 1;
            return true;
        }
    return false;
}

void uuid_map_free(struct uuid_map *m)
{
    free(m->keys);
    free(m->values);
    memset(m, 0, sizeof *m);
}

static void emit(const char *line, size_t len, line_fn fn, void *cls)
{
    if (len && line[len - 1] == '\r')
        len--;
    fn(cls, line, len);
}

static bool keep(struct line_splitter *ls, const char *data, size_t len)
{
    if (ls->len + len > ls->cap) {
        size_t cap = ls->cap ? ls->cap : 4096;
        while (cap < ls->len + len)
            cap *= 2;
        char *p = realloc(ls->partial, cap);
        if (!p) {
            ls->failed = true;
            return false;
        }
        ls->partial = p;
        ls->cap = cap;
    }
    memcpy(ls->partial + ls->len, data, len);
    ls->len += len;
    return true;
}

/* Handles the bytes [data, data + n) of a line that the splitter is already
 * skipping or that takes it past ls->max. Returns false when the line is
 * (now) being skipped, true when the bytes were kept. */
static bool keep_bounded(struct line_splitter *ls, const char *data, size_t n, line_fn fn, void *cls)
{
    if (ls->skipping)
        return false;
    if (ls->max && ls->len + n > ls->max) {
        /* refused as soon as it is seen: the line's bytes go no further */
        ls->skipping = true;
        fn(cls, NULL, ls->len + n);
        ls->len = 0;
        if (ls->cap > 65536) { /* give back what an earlier long line grew */
            free(ls->partial);
            ls->partial = NULL;
            ls->cap = 0;
        }
        return false;
    }
    return keep(ls, data, n);
}

void lines_feed(struct line_splitter *ls, const char *data, size_t len, line_fn fn, void *cls)
{
    if (ls->failed)
        return;
    const char *end = data + len;
    while (data < end) {
        const char *nl = memchr(data, '\n', (size_t)(end - data));
        if (!nl) {
            keep_bounded(ls, data, (size_t)(end - data), fn, cls);
            return;
        }
        size_t n = (size_t)(nl - data);
        if (ls->skipping) {
            ls->skipping = false; /* the overlong line ends here */
        } else if (ls->len || (ls->max && n > ls->max)) {
            /* the line began in an earlier chunk, or is too long on its own */
            if (keep_bounded(ls, data, n, fn, cls)) {
                emit(ls->partial, ls->len, fn, cls);
                ls->len = 0;
            } else if (ls->failed) {
                return;
            } else {
                ls->skipping = false;
            }
        } else {
            emit(data, n, fn, cls);
        }
        data = nl + 1;
    }
}

void lines_end(struct line_splitter *ls, line_fn fn, void *cls)
{
    if (ls->len && !ls->failed && !ls->skipping)
        emit(ls->partial, ls->len, fn, cls);
    ls->len = 0;
    ls->skipping = false;
}

void lines_free(struct line_splitter *ls)
{
    free(ls->partial);
    memset(ls, 0, sizeof *ls);
}

/* jsonbuf: a growable byte buffer for writing JSON text quickly.
 *
 * Lists are serialized in C from plain rows (see DEVELOPERS.md: json_agg in
 * PostgreSQL costs the database several times the CPU), so this is on the hot
 * path. Allocation failure aborts the process: there is no sensible partial
 * JSON to return. */
#ifndef CLAIMDB_JSONBUF_H
#define CLAIMDB_JSONBUF_H

#include <stddef.h>
#include <string.h>

struct jsonbuf {
    char *data;
    size_t len;
    size_t cap;
};

/* Makes room for `extra` more bytes and the terminating NUL (the slow path
 * of jb_reserve). */
void jb_grow(struct jsonbuf *jb, size_t extra);

/* Makes room for `extra` more bytes and the terminating NUL. Inline: it is
 * called for every value of every row of a list. */
static inline void jb_reserve(struct jsonbuf *jb, size_t extra)
{
    if (jb->len + extra + 1 > jb->cap)
        jb_grow(jb, extra);
}

/* Appends raw bytes (already valid JSON, or structure like "{" or ","). */
static inline void jb_raw(struct jsonbuf *jb, const char *s, size_t n)
{
    jb_reserve(jb, n);
    memcpy(jb->data + jb->len, s, n);
    jb->len += n;
    jb->data[jb->len] = '\0';
}

/* Appends a NUL-terminated string verbatim (inline, so that the length of a
 * literal is known at compile time). */
static inline void jb_cstr(struct jsonbuf *jb, const char *s)
{
    jb_raw(jb, s, strlen(s));
}
/* Appends s (n bytes of UTF-8) as a quoted, escaped JSON string. */
void jb_string(struct jsonbuf *jb, const char *s, size_t n);
/* Appends "key": — key must need no escaping. */
void jb_key(struct jsonbuf *jb, const char *key);
/* Appends a PostgreSQL timestamptz text value ("2026-11-24 10:00:00.5+00",
 * session TimeZone UTC) as the JSON string to_json() would produce
 * ("2026-11-24T10:00:00.5+00:00"). */
void jb_timestamp(struct jsonbuf *jb, const char *pg);
/* jb_timestamp for n bytes at s; also writes the zone of a whole-hour offset
 * in full and keeps a " BC" suffix, as to_json does. */
void jb_timestamp_n(struct jsonbuf *jb, const char *s, size_t n);
/* Appends the text form of a one- or more-dimensional text[] ({a,"b c",NULL},
 * maybe with a "[1:2]=" bounds prefix) as array_to_json writes it:
 * ["a","b c",null]. */
void jb_pg_array(struct jsonbuf *jb, const char *s, size_t n);
/* Appends a text value that may be NULL as a JSON string or null. */
void jb_string_or_null(struct jsonbuf *jb, const char *s, int is_null);
/* Appends an already-JSON text value (a number or a json column) or null. */
void jb_json_or_null(struct jsonbuf *jb, const char *s, int is_null);
/* Releases the buffer; the struct may be reused afterwards. */
void jb_free(struct jsonbuf *jb);
/* Transfers ownership of the bytes to the caller (free() them); *len gets
 * the length. The buffer is left empty. Never returns NULL. */
char *jb_steal(struct jsonbuf *jb, size_t *len);

#endif

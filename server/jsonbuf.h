/* jsonbuf: a growable byte buffer for writing JSON text quickly.
 *
 * Lists are serialized in C from plain rows (see DEVELOPERS.md: json_agg in
 * PostgreSQL costs the database several times the CPU), so this is on the hot
 * path. Allocation failure aborts the process: there is no sensible partial
 * JSON to return. */
#ifndef CLAIMDB_JSONBUF_H
#define CLAIMDB_JSONBUF_H

#include <stddef.h>

struct jsonbuf {
    char *data;
    size_t len;
    size_t cap;
};

/* Appends raw bytes (already valid JSON, or structure like "{" or ","). */
void jb_raw(struct jsonbuf *jb, const char *s, size_t n);
/* Appends a NUL-terminated string verbatim. */
void jb_cstr(struct jsonbuf *jb, const char *s);
/* Appends s (n bytes of UTF-8) as a quoted, escaped JSON string. */
void jb_string(struct jsonbuf *jb, const char *s, size_t n);
/* Appends "key": — key must need no escaping. */
void jb_key(struct jsonbuf *jb, const char *key);
/* Appends a PostgreSQL timestamptz text value ("2026-11-24 10:00:00.5+00",
 * session TimeZone UTC) as the JSON string to_json() would produce
 * ("2026-11-24T10:00:00.5+00:00"). */
void jb_timestamp(struct jsonbuf *jb, const char *pg);
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

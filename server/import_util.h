/* import_util: the pure pieces of the NDJSON import (no I/O), unit-tested:
 * splitting a byte stream into lines, and a map from UUIDs to small
 * integers (which document a claim is in, where a document's text is). */
#ifndef CLAIMDB_IMPORT_UTIL_H
#define CLAIMDB_IMPORT_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Parses a UUID in 8-4-4-4-12 hex form (either case) into 16 bytes.
 * Returns false when s is not one. */
bool uuid_parse(const char *s, unsigned char out[16]);

/* An open-addressing hash map from UUIDs to uint32 values. Zero-initialise
 * to get an empty map. */
struct uuid_map {
    unsigned char (*keys)[16];
    uint32_t *values; /* stored + 1; 0 marks an empty slot */
    size_t cap;
    size_t count;
};

/* Sets key → value (replacing). Returns false when out of memory or value
 * is UINT32_MAX. */
bool uuid_map_put(struct uuid_map *m, const unsigned char key[16], uint32_t value);
/* Looks key up; true with *value set when present. */
bool uuid_map_get(const struct uuid_map *m, const unsigned char key[16], uint32_t *value);
/* Frees the map's memory; it is empty (and reusable) afterwards. */
void uuid_map_free(struct uuid_map *m);

/* Splits a stream into lines. Holds only the unfinished last line, which
 * grows to at most `max` bytes (set it before feeding; 0 = no limit). */
struct line_splitter {
    size_t max;
    char *partial;
    size_t len;
    size_t cap;
    bool skipping; /* inside a line longer than max: dropped up to its newline */
    bool failed;   /* out of memory: the rest of the stream is dropped */
};

/* Called once per complete line, without its "\n" (and without a "\r"
 * before it). A line longer than max is reported once, as soon as its
 * first max + 1 bytes have arrived, with line == NULL and len the bytes seen
 * so far; the rest of it is dropped. */
typedef void (*line_fn)(void *cls, const char *line, size_t len);

/* Feeds len bytes; calls fn for each line they complete. */
void lines_feed(struct line_splitter *ls, const char *data, size_t len, line_fn fn, void *cls);
/* Ends the stream: a last line without a newline is passed to fn. */
void lines_end(struct line_splitter *ls, line_fn fn, void *cls);
/* Frees the splitter's buffer. */
void lines_free(struct line_splitter *ls);

#endif

/* etag: entity tags of single-resource replies, pure and unit-tested.
 *
 * A row's ETag is "<rev>-<hash>": rev is the row's revision number (the
 * "rev" member of its JSON object, which the database bumps on every
 * change); hash is a 64-bit FNV-1a of the reply's bytes, so that a claim
 * whose embedded attributions changed gets a new tag for If-None-Match even
 * though its own revision did not. If-Match compares the rev part alone:
 * what a write must not overwrite is a revision of the row, and a client
 * holding a list item (which has "rev" but no ETag) may send If-Match: "7". */
#ifndef CLAIMDB_ETAG_H
#define CLAIMDB_ETAG_H

#include <stdbool.h>
#include <stddef.h>

#define ETAG_MAX 48

/* The value of the top-level "rev" member of the JSON object in json[0..len)
 * (nested objects' "rev" members are skipped), or -1 when there is none. */
long long etag_rev_of_json(const char *json, size_t len);

/* Writes the quoted ETag of a reply body whose row has revision rev into
 * out (ETAG_MAX bytes). */
void etag_make(long long rev, const char *body, size_t len, char out[ETAG_MAX]);

/* Parses an If-Match value holding one entity tag, "<rev>" or "<rev>-…"
 * (a W/ prefix is tolerated), into *rev. Returns false for anything else
 * (a list, "*", garbage). */
bool etag_parse_rev(const char *header, long long *rev);

/* Whether an If-None-Match value ("*", or a comma-separated list of tags,
 * weak or strong) matches etag. */
bool etag_none_match(const char *header, const char *etag);

#endif

/* import_engine: loading an NDJSON dataset (schema/ndjson.md), all or nothing.
 *
 * The body is consumed as it arrives: each line is parsed and validated
 * (the API's rules: types, enumerations, spans resolved against the
 * document text with anchor.h) and, when valid, streamed by COPY into a
 * TEMP staging table on the import's own connection. At the end, one query
 * checks references, conflicts and duplicates for every staged line at
 * once, and one set-based statement per record type writes them, all in one
 * transaction: nothing is written unless every line is good, and there is
 * never one round trip per record. Used by POST /v1/import (ep_import.c)
 * and `claimdb import` (cli_transfer.c). */
#ifndef CLAIMDB_IMPORT_ENGINE_H
#define CLAIMDB_IMPORT_ENGINE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct request;

struct import_options {
    bool dry_run; /* validate (and run the writes) but roll back */
    bool update;  /* on_conflict=update: records whose id exists with other content replace it */
    const struct request *request; /* whose scope the import writes with; NULL: the command line */
    size_t max_line;               /* longest line accepted (the largest record), 0 = no limit */
};

struct import;

/* Starts an import. It connects (its own connection, transaction and
 * staging COPY) only when the first bytes arrive. Returns NULL when out of
 * memory. */
struct import *import_begin(const struct import_options *opt);

/* Consumes len more bytes of the NDJSON stream. Returns 0, or -1 once a
 * line longer than opt->max_line has been seen: the import is refused
 * (import_finish says so) and the rest of the stream need not be read. */
int import_feed(struct import *im, const char *data, size_t len);

/* Records (non-blank lines) read so far, for progress reports. */
size_t import_records(const struct import *im);

/* Ends the stream, checks, writes and commits (or rolls back). Returns the
 * HTTP status (200, 413 for a line too long, 422 with every bad line,
 * 503/500 on database trouble)
 * and sets *body to the response object (caller owns it). */
unsigned import_finish(struct import *im, json_t **body);

/* Frees the import and closes its connections; an unfinished import is
 * rolled back. im may be NULL. */
void import_free(struct import *im);

#endif

/* export_engine: a whole-dataset export streamed straight from PostgreSQL.
 *
 * An export runs on its own connection (never a request thread's), inside
 * one READ ONLY REPEATABLE READ transaction, so it is one consistent
 * snapshot however long it takes. NDJSON reads plain columns through
 * cursors, a batch at a time, and writes the lines in C (building them in
 * PostgreSQL cost it 3-4 x a plain COPY of the rows); CSV and W3C are
 * `COPY (SELECT …) TO STDOUT` whose bytes the server passes through. Either
 * way memory stays constant whatever the size.
 * Used by GET /v1/export (ep_export.c) and `claimdb export` (cli_transfer.c). */
#ifndef CLAIMDB_EXPORT_ENGINE_H
#define CLAIMDB_EXPORT_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

enum export_format { EXPORT_NDJSON, EXPORT_CSV, EXPORT_W3C };

/* The claim-list filters; NULL when absent. An export with any filter holds
 * the matching claims and everything they reference (documents, actors,
 * sources, the attributions their via chains reach and those attributions'
 * claims), so that the file imports on its own. */
struct request;

struct export_filters {
    const char *project_id; /* one project's rows only (the scope is narrowed to it); NULL: all readable */
    const char *document_id;
    const char *actor_id;
    const char *tag;
    const char *kind;
    const char *created_after;
    const char *created_before;
    const char *q; /* search text, matched as GET /v1/search matches claims */
    bool history;  /* NDJSON only, no claim filter: the revision log after the rows (schema/ndjson.md) */
    const struct request *request; /* whose scope the export reads with; NULL: the command line */
};

/* The CSV tables, NULL-terminated (documents, actors, claims, ...). */
extern const char *const EXPORT_CSV_TABLES[];

struct export;

/* Connects (or takes a connection slow_conn kept), opens the snapshot and
 * starts the first COPY. `table` names a
 * CSV table (EXPORT_CSV=only; must be one of EXPORT_CSV_TABLES). With
 * filters->history the format must be NDJSON and no claim filter set (the
 * callers check and say so; here it is "history=true ..." in err). Returns the
 * export, or NULL with a message in err (and *unavailable set when the
 * database cannot be reached rather than the query failing). */
struct export *export_open(enum export_format format, const char *table, const struct export_filters *filters,
                           char *err, size_t err_size, bool *unavailable);

/* Writes up to `max` bytes of output into buf. Returns the count (> 0), 0 at
 * the end of the export, or -1 on a database error (message in err).
 * Blocks while PostgreSQL produces rows (the connection is the export's own). */
ssize_t export_read(struct export *ex, char *buf, size_t max, char *err, size_t err_size);

/* Ends the export: a COPY still running is cancelled so that PostgreSQL stops
 * at once, and the connection is closed; an export read to its end instead
 * ends its transaction and gives the connection to slow_conn_keep (slow.h),
 * so the caller must hold its slot of slow work until this returns. Safe at
 * any point; ex may be NULL. */
void export_close(struct export *ex);

/* The MIME type of a format's output. */
const char *export_content_type(enum export_format format);

#endif

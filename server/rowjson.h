/* rowjson: the one writer of PostgreSQL result rows as JSON objects in C,
 * driven by a column table: API lists (serialized here rather than with
 * json_agg; see DEVELOPERS.md) and the NDJSON export's lines, which differ
 * only in spacing (struct row_style). */
#ifndef CLAIMDB_ROWJSON_H
#define CLAIMDB_ROWJSON_H

#include "jsonbuf.h"

#include <libpq-fe.h>

enum col_kind {
    COL_STRING,    /* text → JSON string, NULL → null */
    COL_NUMBER,    /* integer or numeric text → bare number, NULL → null */
    COL_BOOL,      /* 't'/'f' → true/false */
    COL_JSON,      /* json/jsonb text copied as is, NULL → null */
    COL_TIMESTAMP, /* timestamptz → ISO 8601 string as to_json writes it */
    COL_OBJECT,    /* opens a nested object named key; it is null when the
                       next column is NULL; ends at COL_END */
    COL_END,       /* closes the nested object */
    COL_SKIP,      /* a column the JSON does not show (e.g. a sort key) */
    COL_PG_ARRAY,  /* text[] in PostgreSQL's text form → JSON array of strings */
    COL_JSON_OPT,  /* like COL_JSON, but NULL leaves the member out (a
                       discontinuous target's segments: a one-piece target
                       is written as before) */
};

struct col {
    const char *key;
    enum col_kind kind;
};

/* How members are separated: ROW_COMPACT ({"k":v,"k":v}, the API) or
 * ROW_SPACED ({"k" : v, "k" : v}, the NDJSON interchange format version 1,
 * as PostgreSQL's row_to_json once wrote it). */
struct row_style {
    const char *colon;
    const char *comma;
};
extern const struct row_style ROW_COMPACT, ROW_SPACED;

/* Writes row `row` of res as a JSON object: columns 0.. in order, described
 * by cols (terminated by {NULL, COL_END} at the top level), compact. */
void rowjson_write(struct jsonbuf *jb, const PGresult *res, int row, const struct col *cols);

/* rowjson_write with a style and, when lead is not NULL, a first member
 * written as is (`"type" : "claim"`). */
void rowjson_write_style(struct jsonbuf *jb, const PGresult *res, int row, const struct col *cols,
                         const struct row_style *style, const char *lead);

/* rowjson_write_style (compact), with cols describing the columns from
 * `first` on, and without the object's closing brace: the caller writes
 * more members (what the row alone cannot give, e.g. the speakers of a
 * counterclaim, gathered from several rows) and closes it. */
void rowjson_write_open(struct jsonbuf *jb, const PGresult *res, int row, int first, const struct col *cols,
                        const char *lead);

#endif

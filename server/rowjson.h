/* rowjson: writing PostgreSQL result rows as JSON objects in C, driven by a
 * column table (lists are serialized here rather than with json_agg; see
 * DEVELOPERS.md). */
#ifndef CLAIMDB_ROWJSON_H
#define CLAIMDB_ROWJSON_H

#include "jsonbuf.h"

#include <libpq-fe.h>

enum col_kind {
    COL_STRING,     /* text → JSON string, NULL → null */
    COL_NUMBER,     /* integer or numeric text → bare number, NULL → null */
    COL_BOOL,       /* 't'/'f' → true/false */
    COL_JSON,       /* json/jsonb text copied as is, NULL → null */
    COL_TIMESTAMP,  /* timestamptz → ISO 8601 string as to_json writes it */
    COL_OBJECT,     /* opens a nested object named key; it is null when the
                       next column is NULL; ends at COL_END */
    COL_END,        /* closes the nested object */
    COL_SKIP,       /* a column the JSON does not show (e.g. a sort key) */
};

struct col {
    const char *key;
    enum col_kind kind;
};

/* Writes row `row` of res as a JSON object: columns 0.. in order, described
 * by cols (terminated by {NULL, COL_END} at the top level). */
void rowjson_write(struct jsonbuf *jb, const PGresult *res, int row, const struct col *cols);

#endif

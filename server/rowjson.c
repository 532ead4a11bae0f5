#include "rowjson.h"

#include <stdbool.h>
#include <string.h>

const struct row_style ROW_COMPACT = {":", ","}, ROW_SPACED = {" : ", ", "};

static void key(struct jsonbuf *jb, const char *name, const struct row_style *style)
{
    if (style == &ROW_COMPACT) {
        jb_key(jb, name); /* the hot path of every list */
        return;
    }
    jb_raw(jb, "\"", 1);
    jb_cstr(jb, name);
    jb_raw(jb, "\"", 1);
    jb_cstr(jb, style->colon);
}

void rowjson_write(struct jsonbuf *jb, const PGresult *res, int row, const struct col *cols)
{
    rowjson_write_style(jb, res, row, cols, &ROW_COMPACT, NULL);
}

/* An object's opening brace and members, from column `field` on. */
static void write_open(struct jsonbuf *jb, const PGresult *res, int row, int field, const struct col *cols,
                       const struct row_style *style, const char *lead)
{
    int depth = 0;      /* nested objects open */
    int null_depth = 0; /* >0 while inside a nested object that is null */
    bool first[8] = {true};
    jb_raw(jb, "{", 1);
    if (lead) {
        jb_cstr(jb, lead);
        first[0] = false;
    }
    for (const struct col *c = cols; c->key || c->kind != COL_END || depth > 0; c++) {
        if (c->kind == COL_END) {
            if (null_depth == depth)
                null_depth = 0;
            else if (!null_depth)
                jb_raw(jb, "}", 1);
            depth--;
            continue;
        }
        if (c->kind == COL_SKIP) {
            field++;
            continue;
        }
        /* An optional member is left out, key and all, when NULL. */
        if (c->kind == COL_JSON_OPT && (null_depth || PQgetisnull(res, row, field))) {
            field++;
            continue;
        }
        if (null_depth) {
            if (c->kind == COL_OBJECT)
                depth++;
            else
                field++;
            continue;
        }
        if (!first[depth])
            jb_cstr(jb, style->comma);
        first[depth] = false;
        key(jb, c->key, style);
        if (c->kind == COL_OBJECT) {
            depth++;
            first[depth] = true;
            if (PQgetisnull(res, row, field)) {
                jb_raw(jb, "null", 4);
                null_depth = depth;
            } else {
                jb_raw(jb, "{", 1);
            }
            continue;
        }
        /* Only an empty value can be NULL: one libpq call fewer per value. */
        size_t len = (size_t)PQgetlength(res, row, field);
        const char *v = PQgetvalue(res, row, field);
        bool is_null = len == 0 && PQgetisnull(res, row, field);
        field++;
        if (is_null) {
            jb_raw(jb, "null", 4);
            continue;
        }
        switch (c->kind) {
        case COL_STRING: jb_string(jb, v, len); break;
        case COL_NUMBER:
        case COL_JSON:
        case COL_JSON_OPT: jb_raw(jb, v, len); break;
        case COL_BOOL: jb_cstr(jb, v[0] == 't' ? "true" : "false"); break;
        case COL_TIMESTAMP: jb_timestamp_n(jb, v, len); break;
        case COL_PG_ARRAY: jb_pg_array(jb, v, len); break;
        default: break;
        }
    }
}

void rowjson_write_style(struct jsonbuf *jb, const PGresult *res, int row, const struct col *cols,
                         const struct row_style *style, const char *lead)
{
    write_open(jb, res, row, 0, cols, style, lead);
    jb_raw(jb, "}", 1);
}

void rowjson_write_open(struct jsonbuf *jb, const PGresult *res, int row, int first, const struct col *cols,
                        const char *lead)
{
    write_open(jb, res, row, first, cols, &ROW_COMPACT, lead);
}

/* gen_entity_sql: writes build/entity_sql.h, the SQL that follows from the
 * entity descriptions (server/entities.c), as string-literal macros that the
 * statement tables concatenate at compile time — so the statements stay
 * static named prepared statements, exactly as if written by hand.
 *
 * Built and run by the Makefile before any server object. For every entity
 * E (its type upper-cased: CLAIM, DOCUMENT, …), the macros taking `a` take
 * the row alias as a string literal ("c"); those taking none read the
 * request body `b` (a jsonb) and, for a span stored in columns (sql_type
 * "span"), the resolved span `s`:
 *   E_SQL_MEMBERS(a)      json_build_object members of every stored field
 *   E_SQL_LIST(a)         the list columns of every stored field (but
 *                         FIELD_UNLISTED ones), and
 *   E_LIST_COLS           the matching rowjson column table initializers
 *                         (without the closing {NULL, COL_END}: a list
 *                         may add its own columns, e.g. a search score)
 *   E_SQL_EXPORT(a)       the NDJSON export's columns (exported fields)
 *   E_SQL_CSV(a)          the CSV export's select list (exported fields)
 *   E_SQL_INSERT_COLUMNS  the columns an API create writes (FIELD_CREATE),
 *   E_SQL_INSERT_VALUES   and their values from b (and s)
 *   E_SQL_UPDATE(a)       the SET clauses of an API PATCH (FIELD_PATCH, but
 *                         FIELD_PATCH_BY_HAND ones)
 *   E_SQL_IMPORT_ROWS     the import's typed rows from the staged record
 *                         (`s.rec`, references from their staged columns)
 *   E_SQL_IMPORT_COLUMNS(a)  the columns the import compares and writes,
 *                         each prefixed with a ("t.", "s." or "")
 * A field's kind decides its SQL (casts per sql_type: jsonb as ::text in
 * CSV, arrays through to_json, timestamps as to_json writes them);
 * field_spec's sql_value and sql_default override what a body gives. What
 * is not a field — joins, nested objects, filters — stays in the resource
 * files. Output: stdout. Exit status 1 on a description it cannot write. */
#include "entities.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* In the text being built: the row alias (a macro argument), and a place
 * where the emitted literal may break its line. */
#define ALIAS '\001'
#define BREAK '\002'

struct text {
    char buf[32768];
    size_t n;
};

static void add(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->buf + t->n, sizeof t->buf - t->n, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof t->buf - t->n) {
        fprintf(stderr, "gen_entity_sql: a macro is too long\n");
        exit(1);
    }
    t->n += (size_t)n;
}

/* A separator before every item but the first, and a possible line break. */
static void sep(struct text *t, const char *between)
{
    if (t->n)
        add(t, "%s%c", between, BREAK);
}

/* The column name as SQL writes it: quoted when it is a reserved word. */
static const char *ident(const char *name)
{
    static const char *const reserved[] = {
        "end",    "order", "user",  "default", "limit",   "offset",     "group",  "from", "to",   "table",
        "select", "where", "check", "all",     "and",     "or",         "not",    "null", "true", "false",
        "case",   "when",  "then",  "else",    "primary", "references", "unique", NULL};
    static char quoted[8][80];
    static int next;
    for (size_t i = 0; reserved[i]; i++)
        if (strcmp(reserved[i], name) == 0) {
            char *q = quoted[next++ % 8];
            snprintf(q, sizeof quoted[0], "\"%s\"", name);
            return q;
        }
    return name;
}

/* `a.column` */
static const char *qual(const char *name)
{
    static char out[8][100];
    static int next;
    char *q = out[next++ % 8];
    snprintf(q, sizeof out[0], "%c.%s", ALIAS, ident(name));
    return q;
}

static bool is(const struct field_spec *f, const char *sql_type)
{
    return f->sql_type && strcmp(f->sql_type, sql_type) == 0;
}

/* The columns of a span stored in place (a claim's target), in order. */
static const char *const SPAN_COLUMNS[] = {"start", "end", "exact", "prefix", "suffix", "segments", NULL};

/* Writes `#define NAME(a)` (or `#define NAME` when !alias) with t's text as
 * string literals, one piece per line. */
static void define(const char *name, bool alias, const struct text *t)
{
    printf("#define %s%s", name, alias ? "(a)" : "");
    if (t->n == 0) {
        printf(" \"\"\n\n");
        return;
    }
    printf(" \\\n    \"");
    size_t col = 5;
    for (size_t i = 0; i < t->n; i++) {
        char c = t->buf[i];
        if (c == ALIAS) {
            if (!alias) {
                fprintf(stderr, "gen_entity_sql: %s uses the alias but takes none\n", name);
                exit(1);
            }
            printf("\" a \"");
            col += 5;
        } else if (c == BREAK) {
            if (col > 80 && i + 1 < t->n) {
                printf("\" \\\n    \"");
                col = 5;
            }
        } else if (c == '"' || c == '\\') {
            printf("\\%c", c);
            col += 2;
        } else {
            putchar(c);
            col++;
        }
    }
    printf("\"\n\n");
}

static void upper(char *out, size_t size, const char *in)
{
    size_t i = 0;
    for (; in[i] && i + 1 < size; i++)
        out[i] = (char)toupper((unsigned char)in[i]);
    out[i] = '\0';
}

static bool stored(const struct field_spec *f)
{
    return f->sql_type != NULL;
}

static bool span_columns(const struct field_spec *f)
{
    return is(f, "span");
}

/* json_build_object members: a span as its object (with segments when it
 * has pieces), arrays through to_json, the rest as they are. */
static void members(struct text *t, const struct field_spec *fields)
{
    for (const struct field_spec *f = fields; f->name; f++) {
        if (!stored(f))
            continue;
        sep(t, ",");
        if (span_columns(f)) {
            add(t, " '%s', CASE WHEN %s IS NULL THEN NULL WHEN %s IS NULL THEN json_build_object(", f->name,
                qual("start"), qual("segments"));
            for (int piece = 0; piece < 2; piece++) {
                for (size_t i = 0; SPAN_COLUMNS[i + 1]; i++)
                    add(t, "%s'%s', %s", i ? ", " : "", SPAN_COLUMNS[i], qual(SPAN_COLUMNS[i]));
                if (piece == 0)
                    add(t, ")%c ELSE json_build_object(", BREAK);
                else
                    add(t, ", 'segments', %s) END", qual("segments"));
            }
        } else if (is(f, "text[]")) {
            add(t, " '%s', to_json(%s)", f->name, qual(f->name));
        } else {
            add(t, " '%s', %s", f->name, qual(f->name));
        }
    }
}

enum columns_use { USE_LIST, USE_EXPORT, USE_CSV };

/* Select lists: the lists (every stored field; arrays as JSON), the NDJSON
 * export (exported fields as stored), the CSV export (exported fields, as
 * text a spreadsheet reads). */
static void columns(struct text *t, const struct field_spec *fields, enum columns_use use)
{
    for (const struct field_spec *f = fields; f->name; f++) {
        if (!stored(f) || (use != USE_LIST && !(f->flags & FIELD_EXPORT))
            || (use == USE_LIST && (f->flags & FIELD_UNLISTED)))
            continue;
        sep(t, ",");
        if (span_columns(f)) {
            for (size_t i = 0; SPAN_COLUMNS[i]; i++)
                if (use == USE_CSV && strcmp(SPAN_COLUMNS[i], "segments") == 0)
                    add(t, "%s %s::text AS segments", i ? "," : "", qual("segments"));
                else
                    add(t, "%s %s", i ? "," : "", qual(SPAN_COLUMNS[i]));
        } else if (is(f, "text[]") && use == USE_LIST) {
            add(t, " array_to_json(%s) AS %s", qual(f->name), ident(f->name));
        } else if (is(f, "text[]") && use == USE_CSV) {
            add(t, " to_json(%s)::text AS %s", qual(f->name), ident(f->name));
        } else if (is(f, "jsonb") && use == USE_CSV) {
            add(t, " %s::text AS %s", qual(f->name), ident(f->name));
        } else if (is(f, "timestamptz") && use == USE_CSV) {
            /* ISO 8601 with a T, as the JSON representations write it */
            add(t, " (to_json(%s) #>> '{}') AS %s", qual(f->name), ident(f->name));
        } else {
            add(t, " %s", qual(f->name));
        }
    }
}

static const char *col_kind(const struct field_spec *f)
{
    if (is(f, "integer") || is(f, "bigint"))
        return "COL_NUMBER";
    if (is(f, "jsonb") || is(f, "text[]"))
        return "COL_JSON";
    if (is(f, "timestamptz"))
        return "COL_TIMESTAMP";
    if (is(f, "boolean"))
        return "COL_BOOL";
    return "COL_STRING";
}

/* The rowjson column table of E_SQL_LIST. */
static void list_cols(const struct field_spec *fields, const char *name)
{
    printf("#define %s", name);
    bool first = true;
    for (const struct field_spec *f = fields; f->name; f++) {
        if (!stored(f) || (f->flags & FIELD_UNLISTED))
            continue;
        if (span_columns(f))
            printf("%s \\\n    {\"%s\", COL_OBJECT}, {\"start\", COL_NUMBER}, {\"end\", COL_NUMBER},"
                   " {\"exact\", COL_STRING}, {\"prefix\", COL_STRING}, {\"suffix\", COL_STRING}, \\\n"
                   "    {\"segments\", COL_JSON_OPT}, {NULL, COL_END}",
                   first ? "" : ",", f->name);
        else
            printf("%s \\\n    {\"%s\", %s}", first ? "" : ",", f->name, col_kind(f));
        first = false;
    }
    printf("\n\n");
}

/* The position of each column in E_SQL_LIST's or E_SQL_EXPORT's result, as
 * E_LIST_COL_START or E_EXPORT_COL_DOCUMENT_ID: code that reads a column by
 * its index names it, so a field added before it moves the index too. */
static void positions(const char *prefix, const struct field_spec *fields, enum columns_use use)
{
    int i = 0;
    char name[64];
    for (const struct field_spec *f = fields; f->name; f++) {
        if (!stored(f) || (use != USE_LIST && !(f->flags & FIELD_EXPORT))
            || (use == USE_LIST && (f->flags & FIELD_UNLISTED)))
            continue;
        for (size_t k = 0; span_columns(f) ? SPAN_COLUMNS[k] != NULL : k == 0; k++) {
            upper(name, sizeof name, span_columns(f) ? SPAN_COLUMNS[k] : f->name);
            printf("#define %s_%s_COL_%s %d\n", prefix, use == USE_LIST ? "LIST" : "EXPORT", name, i++);
        }
    }
    printf("\n");
}

/* The value of a plain field read from the body b. */
static void body_value(struct text *t, const struct field_spec *f)
{
    if (f->sql_value)
        add(t, "%s", f->sql_value);
    else if (is(f, "text"))
        add(t, "b->>'%s'", f->name);
    else if (is(f, "jsonb"))
        add(t, "b->'%s'", f->name);
    else if (is(f, "text[]"))
        add(t, "ARRAY(SELECT jsonb_array_elements_text(b->'%s'))", f->name);
    else
        add(t, "(b->>'%s')::%s", f->name, f->sql_type);
}

/* A column of a span stored in place, from the resolved span s. */
static void span_value(struct text *t, const char *column)
{
    if (strcmp(column, "start") == 0 || strcmp(column, "end") == 0)
        add(t, "(s->>'%s')::int", column);
    else if (strcmp(column, "segments") == 0)
        add(t, "s->'segments'");
    else
        add(t, "s->>'%s'", column);
}

static bool created(const struct field_spec *f)
{
    return stored(f) && (f->flags & FIELD_CREATE) && !(f->flags & FIELD_SERVER);
}

static void insert_columns(struct text *t, const struct field_spec *fields)
{
    for (const struct field_spec *f = fields; f->name; f++) {
        if (!created(f))
            continue;
        if (span_columns(f))
            for (size_t i = 0; SPAN_COLUMNS[i]; i++) {
                sep(t, ",");
                add(t, " %s", ident(SPAN_COLUMNS[i]));
            }
        else {
            sep(t, ",");
            add(t, " %s", ident(f->name));
        }
    }
}

static void insert_values(struct text *t, const struct field_spec *fields)
{
    for (const struct field_spec *f = fields; f->name; f++) {
        if (!created(f))
            continue;
        if (span_columns(f)) {
            for (size_t i = 0; SPAN_COLUMNS[i]; i++) {
                sep(t, ",");
                add(t, " ");
                span_value(t, SPAN_COLUMNS[i]);
            }
            continue;
        }
        sep(t, ",");
        add(t, " ");
        if (f->sql_default) {
            add(t, "coalesce(");
            body_value(t, f);
            add(t, ", %s)", f->sql_default);
        } else {
            body_value(t, f);
        }
    }
}

/* `column = CASE WHEN b ? 'field' THEN <value> ELSE a.column END` */
static void updates(struct text *t, const struct field_spec *fields)
{
    for (const struct field_spec *f = fields; f->name; f++) {
        if (!stored(f) || !(f->flags & FIELD_PATCH) || (f->flags & FIELD_PATCH_BY_HAND))
            continue;
        if (span_columns(f)) {
            for (size_t i = 0; SPAN_COLUMNS[i]; i++) {
                sep(t, ",");
                add(t, " %s = CASE WHEN b ? '%s' THEN ", ident(SPAN_COLUMNS[i]), f->name);
                span_value(t, SPAN_COLUMNS[i]);
                add(t, " ELSE %s END", qual(SPAN_COLUMNS[i]));
            }
            continue;
        }
        sep(t, ",");
        add(t, " %s = CASE WHEN b ? '%s' THEN ", ident(f->name), f->name);
        body_value(t, f);
        add(t, " ELSE %s END", qual(f->name));
    }
}

/* What the import writes: exported fields that are not the server's. */
static bool imported(const struct field_spec *f)
{
    return stored(f) && (f->flags & FIELD_EXPORT) && !(f->flags & FIELD_SERVER);
}

/* The import's typed rows: the line and id, each imported field (a
 * reference from its staged uuid column, the rest from the record), and the
 * timestamps the line may give. */
static void import_rows(struct text *t, const struct field_spec *fields)
{
    add(t, " s.line, s.id");
    for (const struct field_spec *f = fields; f->name; f++) {
        bool timestamp = stored(f) && is(f, "timestamptz") && (f->flags & FIELD_EXPORT);
        if (!imported(f) && !timestamp)
            continue;
        if (span_columns(f)) {
            for (size_t i = 0; SPAN_COLUMNS[i]; i++) {
                const char *c = SPAN_COLUMNS[i];
                sep(t, ",");
                if (strcmp(c, "start") == 0 || strcmp(c, "end") == 0)
                    add(t, " (s.rec->'%s'->>'%s')::int AS %s", f->name, c, ident(c));
                else if (strcmp(c, "segments") == 0)
                    add(t, " s.rec->'%s'->'segments' AS segments", f->name);
                else
                    add(t, " s.rec->'%s'->>'%s' AS %s", f->name, c, ident(c));
            }
            continue;
        }
        sep(t, ",");
        if (is(f, "uuid"))
            add(t, " s.%s AS %s", f->name, ident(f->name)); /* staged (import_engine.c STAGE_REFERENCES) */
        else if (is(f, "text"))
            add(t, " (s.rec->>'%s') AS %s", f->name, ident(f->name));
        else if (is(f, "jsonb") && f->type == F_SPAN)
            add(t, " nullif(s.rec->'%s', 'null') AS %s", f->name, ident(f->name));
        else if (is(f, "jsonb"))
            add(t, " s.rec->'%s' AS %s", f->name, ident(f->name));
        else if (is(f, "text[]"))
            add(t, " ARRAY(SELECT jsonb_array_elements_text(s.rec->'%s')) AS %s", f->name, ident(f->name));
        else
            add(t, " (s.rec->>'%s')::%s AS %s", f->name, f->sql_type, ident(f->name));
    }
}

/* `a column` for each imported column (a is "t.", "s." or ""). */
static void import_columns(struct text *t, const struct field_spec *fields)
{
    for (const struct field_spec *f = fields; f->name; f++) {
        if (!imported(f))
            continue;
        if (span_columns(f))
            for (size_t i = 0; SPAN_COLUMNS[i]; i++) {
                sep(t, ",");
                add(t, " %c%s", ALIAS, ident(SPAN_COLUMNS[i]));
            }
        else {
            sep(t, ",");
            add(t, " %c%s", ALIAS, ident(f->name));
        }
    }
}

typedef void (*writer)(struct text *, const struct field_spec *);

static void emit(const char *prefix, const char *suffix, bool alias, const struct field_spec *fields,
                 writer w)
{
    struct text t = {.n = 0};
    char name[96];
    w(&t, fields);
    snprintf(name, sizeof name, "%s_%s", prefix, suffix);
    /* the lists' leading space is the separator's; drop it */
    if (t.n && t.buf[0] == ' ') {
        memmove(t.buf, t.buf + 1, t.n - 1);
        t.n--;
    }
    define(name, alias, &t);
}

static void members_w(struct text *t, const struct field_spec *f)
{
    members(t, f);
}
static void list_w(struct text *t, const struct field_spec *f)
{
    columns(t, f, USE_LIST);
}
static void export_w(struct text *t, const struct field_spec *f)
{
    columns(t, f, USE_EXPORT);
}
static void csv_w(struct text *t, const struct field_spec *f)
{
    columns(t, f, USE_CSV);
}

int main(void)
{
    printf("/* Generated by server/gen/gen_entity_sql.c from server/entities.c: do not edit.\n"
           " * The SQL each entity's description implies (see the generator's comment). */\n"
           "#ifndef CLAIMDB_ENTITY_SQL_H\n#define CLAIMDB_ENTITY_SQL_H\n\n");
    for (const struct entity *const *e = ENTITIES; *e; e++) {
        char prefix[64], cols[96];
        upper(prefix, sizeof prefix, (*e)->type);
        printf("/* ---- %s (%s) */\n\n", (*e)->type, (*e)->table);
        emit(prefix, "SQL_MEMBERS", true, (*e)->fields, members_w);
        emit(prefix, "SQL_LIST", true, (*e)->fields, list_w);
        snprintf(cols, sizeof cols, "%s_LIST_COLS", prefix);
        list_cols((*e)->fields, cols);
        positions(prefix, (*e)->fields, USE_LIST);
        positions(prefix, (*e)->fields, USE_EXPORT);
        emit(prefix, "SQL_EXPORT", true, (*e)->fields, export_w);
        emit(prefix, "SQL_CSV", true, (*e)->fields, csv_w);
        emit(prefix, "SQL_INSERT_COLUMNS", false, (*e)->fields, insert_columns);
        emit(prefix, "SQL_INSERT_VALUES", false, (*e)->fields, insert_values);
        emit(prefix, "SQL_UPDATE", true, (*e)->fields, updates);
        emit(prefix, "SQL_IMPORT_ROWS", false, (*e)->fields, import_rows);
        emit(prefix, "SQL_IMPORT_COLUMNS", true, (*e)->fields, import_columns);
    }
    printf("#endif\n");
    return ferror(stdout) ? 1 : 0;
}

#include "graph_format.h"

#include <stdio.h>
#include <string.h>

const char *graph_content_type(enum graph_format f)
{
    switch (f) {
    case GRAPH_GRAPHML: return "application/graphml+xml; charset=utf-8";
    case GRAPH_CSV_NODES:
    case GRAPH_CSV_EDGES: return "text/csv; charset=utf-8; header=present";
    case GRAPH_JSON: break;
    }
    return "application/json";
}

void graph_xml_escape(struct jsonbuf *jb, const char *s, size_t n)
{
    size_t run = 0; /* start of the bytes not yet copied */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *rep = NULL;
        switch (c) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\t':
        case '\n':
        case '\r': continue;
        default:
            if (c >= 0x20)
                continue;
            rep = ""; /* not allowed in XML 1.0, even as a reference */
        }
        jb_raw(jb, s + run, i - run);
        jb_cstr(jb, rep);
        run = i + 1;
    }
    jb_raw(jb, s + run, n - run);
}

void graph_csv_field(struct jsonbuf *jb, const char *s, size_t n)
{
    if (!memchr(s, ',', n) && !memchr(s, '"', n) && !memchr(s, '\n', n) && !memchr(s, '\r', n)) {
        jb_raw(jb, s, n);
        return;
    }
    jb_raw(jb, "\"", 1);
    size_t run = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] == '"') {
            jb_raw(jb, s + run, i + 1 - run); /* up to and including the quote */
            jb_raw(jb, "\"", 1);
            run = i + 1;
        }
    jb_raw(jb, s + run, n - run);
    jb_raw(jb, "\"", 1);
}

static bool is_part(const PGresult *res, int row, int col, char part)
{
    return !PQgetisnull(res, row, col) && PQgetvalue(res, row, col)[0] == part;
}

/* ---- JSON */

static void json_value(struct jsonbuf *jb, const PGresult *res, int row, const struct graph_col *c)
{
    int null = PQgetisnull(res, row, c->col);
    const char *v = PQgetvalue(res, row, c->col);
    if (c->type == G_STRING) {
        jb_string_or_null(jb, v, null);
    } else if (c->type == G_IDS && !null) {
        /* Ids hold no character JSON escapes: each is quoted as it is. */
        jb_raw(jb, "[", 1);
        for (const char *id = v; *id;) {
            size_t len = strcspn(id, " ");
            if (id != v)
                jb_raw(jb, ",", 1);
            jb_raw(jb, "\"", 1);
            jb_raw(jb, id, len);
            jb_raw(jb, "\"", 1);
            id += len + (id[len] == ' ');
        }
        jb_raw(jb, "]", 1);
    } else
        jb_json_or_null(jb, v, null);
}

static void json_object_write(struct jsonbuf *jb, const PGresult *res, int row, const struct graph_col *cols)
{
    jb_raw(jb, "{", 1);
    bool first = true;
    for (const struct graph_col *c = cols; c->name; c++) {
        if (!(c->in & G_IN_JSON))
            continue;
        if (!first)
            jb_raw(jb, ",", 1);
        first = false;
        jb_key(jb, c->name);
        json_value(jb, res, row, c);
    }
    jb_raw(jb, "}", 1);
}

/* ---- GraphML */

static const char *graphml_type(enum graph_type t)
{
    return t == G_INT ? "long" : t == G_DOUBLE ? "double" : "string";
}

static bool graphml_structural(const char *name, bool edge)
{
    return strcmp(name, "id") == 0 || (edge && (strcmp(name, "source") == 0 || strcmp(name, "target") == 0));
}

static void graphml_keys(struct jsonbuf *jb, const struct graph_col *cols, bool edge)
{
    for (const struct graph_col *c = cols; c->name; c++) {
        if (!(c->in & G_IN_FLAT) || graphml_structural(c->name, edge))
            continue;
        char line[256];
        int len = snprintf(line, sizeof line,
                           "  <key id=\"%s_%s\" for=\"%s\" attr.name=\"%s\" attr.type=\"%s\"/>\n",
                           edge ? "e" : "n", c->name, edge ? "edge" : "node", c->name, graphml_type(c->type));
        jb_raw(jb, line, (size_t)len);
    }
}

static void graphml_attr(struct jsonbuf *jb, const PGresult *res, int row, const struct graph_col *cols,
                         const char *name)
{
    for (const struct graph_col *c = cols; c->name; c++)
        if (strcmp(c->name, name) == 0) {
            jb_raw(jb, " ", 1);
            jb_cstr(jb, name);
            jb_raw(jb, "=\"", 2);
            graph_xml_escape(jb, PQgetvalue(res, row, c->col), (size_t)PQgetlength(res, row, c->col));
            jb_raw(jb, "\"", 1);
            return;
        }
}

static void graphml_element(struct jsonbuf *jb, const PGresult *res, int row, const struct graph_col *cols,
                            bool edge)
{
    jb_cstr(jb, edge ? "    <edge" : "    <node");
    graphml_attr(jb, res, row, cols, "id");
    if (edge) {
        graphml_attr(jb, res, row, cols, "source");
        graphml_attr(jb, res, row, cols, "target");
    }
    jb_raw(jb, ">", 1);
    for (const struct graph_col *c = cols; c->name; c++) {
        if (!(c->in & G_IN_FLAT) || graphml_structural(c->name, edge) || PQgetisnull(res, row, c->col))
            continue;
        jb_cstr(jb, "<data key=\"");
        jb_cstr(jb, edge ? "e_" : "n_");
        jb_cstr(jb, c->name);
        jb_raw(jb, "\">", 2);
        graph_xml_escape(jb, PQgetvalue(res, row, c->col), (size_t)PQgetlength(res, row, c->col));
        jb_cstr(jb, "</data>");
    }
    jb_cstr(jb, edge ? "</edge>\n" : "</node>\n");
}

/* ---- CSV */

/* One CSV line of the flat columns: their names when res is NULL (the
 * header), else row `row`'s values. */
static void csv_line(struct jsonbuf *jb, const PGresult *res, int row, const struct graph_col *cols)
{
    bool first = true;
    for (const struct graph_col *c = cols; c->name; c++)
        if (c->in & G_IN_FLAT) {
            if (!first)
                jb_raw(jb, ",", 1);
            first = false;
            if (!res)
                jb_cstr(jb, c->name);
            else if (!PQgetisnull(res, row, c->col)) /* NULL is an empty field, as in the CSV exports */
                graph_csv_field(jb, PQgetvalue(res, row, c->col), (size_t)PQgetlength(res, row, c->col));
        }
    jb_raw(jb, "\n", 1);
}

/* ---- the writer: one pass, nodes then edges */

void graph_writer_begin(struct graph_writer *w, struct jsonbuf *jb, const struct graph_shape *shape,
                        enum graph_format f)
{
    *w = (struct graph_writer){.shape = shape, .format = f};
    switch (f) {
    case GRAPH_JSON: jb_cstr(jb, "{\"nodes\":["); break;
    case GRAPH_GRAPHML:
        jb_cstr(jb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                    "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\""
                    " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\""
                    " xsi:schemaLocation=\"http://graphml.graphdrawing.org/xmlns"
                    " http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">\n");
        graphml_keys(jb, shape->nodes, false);
        graphml_keys(jb, shape->edges, true);
        jb_cstr(jb, "  <graph id=\"");
        jb_cstr(jb, shape->name);
        jb_cstr(jb, "\" edgedefault=\"directed\">\n");
        break;
    case GRAPH_CSV_NODES: csv_line(jb, NULL, 0, shape->nodes); break;
    case GRAPH_CSV_EDGES: csv_line(jb, NULL, 0, shape->edges); break;
    }
}

/* Leaves the nodes for the edges (JSON closes one array, opens the other). */
static void to_edges(struct graph_writer *w, struct jsonbuf *jb)
{
    if (w->in_edges)
        return;
    if (w->format == GRAPH_JSON)
        jb_cstr(jb, "],\"edges\":[");
    w->in_edges = true;
    w->any = false;
}

void graph_writer_rows(struct graph_writer *w, struct jsonbuf *jb, const PGresult *res, int from, int to,
                       char only)
{
    const struct graph_shape *shape = w->shape;
    for (int i = from; i < to; i++) {
        bool edge = is_part(res, i, shape->part_col, 'e');
        if ((!edge && !is_part(res, i, shape->part_col, 'n')) || (only && only != (edge ? 'e' : 'n'))
            || (!edge && w->in_edges))
            continue;
        if (edge)
            to_edges(w, jb);
        const struct graph_col *cols = edge ? shape->edges : shape->nodes;
        switch (w->format) {
        case GRAPH_JSON:
            if (w->any)
                jb_raw(jb, ",", 1);
            json_object_write(jb, res, i, cols);
            break;
        case GRAPH_GRAPHML: graphml_element(jb, res, i, cols, edge); break;
        case GRAPH_CSV_NODES:
            if (!edge)
                csv_line(jb, res, i, cols);
            break;
        case GRAPH_CSV_EDGES:
            if (edge)
                csv_line(jb, res, i, cols);
            break;
        }
        w->any = true;
    }
}

void graph_writer_end(struct graph_writer *w, struct jsonbuf *jb)
{
    to_edges(w, jb);
    if (w->format == GRAPH_JSON)
        jb_cstr(jb, "]}");
    else if (w->format == GRAPH_GRAPHML)
        jb_cstr(jb, "  </graph>\n</graphml>\n");
}

void graph_write(struct jsonbuf *jb, const PGresult *res, int n, const struct graph_shape *shape,
                 enum graph_format f)
{
    /* One allocation for the whole text, an overestimate (the values plus
     * room for names and markup per value): a graph's text can run to
     * megabytes, and growing it by doubling would copy it several times and
     * briefly hold two copies. Reserved pages never written are not
     * resident, so the overestimate costs no memory. */
    size_t estimate = 256;
    int ncols = PQnfields(res);
    for (int i = 0; i < n; i++)
        for (int c = 0; c < ncols; c++)
            estimate += (size_t)PQgetlength(res, i, c) * 2 + 48;
    jb_reserve(jb, estimate);
    struct graph_writer w;
    graph_writer_begin(&w, jb, shape, f);
    graph_writer_rows(&w, jb, res, 0, n, 'n');
    graph_writer_rows(&w, jb, res, 0, n, 'e');
    graph_writer_end(&w, jb);
}

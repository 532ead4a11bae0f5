/* graph_format: a graph (nodes and edges from one PostgreSQL result) written
 * as JSON, GraphML or CSV, for the debate thread and the two networks.
 *
 * The statement returns node rows and edge rows in one result (one round
 * trip), told apart by a column holding 'n' or 'e', nodes first. Column
 * tables say which result column becomes which attribute, its type, and
 * the formats that show it: JSON keeps nested values (a document object,
 * a speakers array) where GraphML and CSV, which are flat, take plain
 * columns (document_title, speaker names joined by "; "). */
#ifndef CLAIMDB_GRAPH_FORMAT_H
#define CLAIMDB_GRAPH_FORMAT_H

#include "jsonbuf.h"

#include <libpq-fe.h>
#include <stdbool.h>

enum graph_format { GRAPH_JSON, GRAPH_GRAPHML, GRAPH_CSV_NODES, GRAPH_CSV_EDGES };

enum graph_type {
    G_STRING, /* text; GraphML string */
    G_INT,    /* integer text; GraphML long */
    G_DOUBLE, /* float text; GraphML double */
    G_JSON,   /* JSON text, copied as is (JSON only) */
    G_IDS,    /* ids separated by single spaces: a JSON array of strings; the text as is elsewhere */
};

/* Which formats show an attribute. */
#define G_IN_JSON 1u
#define G_IN_FLAT 2u /* GraphML and CSV */
#define G_IN_ALL (G_IN_JSON | G_IN_FLAT)

struct graph_col {
    const char *name; /* attribute name; NULL ends a table */
    int col;          /* result column */
    enum graph_type type;
    unsigned in; /* G_IN_* */
};

/* How to read a graph out of a result. The first column of each table
 * (node or edge) with name "id" is the GraphML node/edge id; "source" and
 * "target" in the edge table are the GraphML edge ends. */
struct graph_shape {
    const char *name; /* GraphML graph id: "thread", "actors", "claims" */
    int part_col;     /* column holding 'n' (node) or 'e' (edge) */
    const struct graph_col *nodes;
    const struct graph_col *edges;
};

/* Writes rows [0, n) of res in format f into jb: the nodes, then the edges,
 * whatever their order in res. Rows whose part column is neither 'n' nor
 * 'e' are skipped. Never fails (allocation failure aborts, as jsonbuf
 * does). */
void graph_write(struct jsonbuf *jb, const PGresult *res, int n, const struct graph_shape *shape,
                 enum graph_format f);

/* A graph written a batch of rows at a time (a cursor's FETCHes), with the
 * same bytes graph_write gives for all the rows at once, provided every
 * node row comes before the first edge row (the network statements order
 * by their part column): a node row after an edge row is skipped. */
struct graph_writer {
    const struct graph_shape *shape;
    enum graph_format format;
    bool in_edges; /* an edge row has been written (or the nodes closed) */
    bool any;      /* an element of the current part has been written */
};

/* Writes what comes before the first row (JSON's opening, GraphML's header
 * and keys, CSV's header line) into jb and readies w. */
void graph_writer_begin(struct graph_writer *w, struct jsonbuf *jb, const struct graph_shape *shape,
                        enum graph_format f);

/* Writes rows [from, to) of res whose part is `only` ('n' or 'e'), or of
 * either part when only is 0, into jb. */
void graph_writer_rows(struct graph_writer *w, struct jsonbuf *jb, const PGresult *res, int from, int to,
                       char only);

/* Writes what comes after the last row. */
void graph_writer_end(struct graph_writer *w, struct jsonbuf *jb);

/* The Content-Type of format f. */
const char *graph_content_type(enum graph_format f);

/* Appends s (n bytes of UTF-8) escaped for XML character data and attribute
 * values; characters XML 1.0 does not allow (C0 controls other than tab,
 * newline and carriage return) are dropped. Exposed for unit tests. */
void graph_xml_escape(struct jsonbuf *jb, const char *s, size_t n);

/* Appends s as one CSV field (RFC 4180: quoted when it holds a comma, a
 * quote, CR or LF, with quotes doubled). Exposed for unit tests. */
void graph_csv_field(struct jsonbuf *jb, const char *s, size_t n);

#endif

/* graph_reply: the ?format= and ?part= arguments of graph endpoints (the
 * thread and the networks) and the reply that writes the graph in that
 * format (graph_format.h). */
#ifndef CLAIMDB_GRAPH_REPLY_H
#define CLAIMDB_GRAPH_REPLY_H

#include "graph_format.h"
#include "request.h"

#include <libpq-fe.h>
#include <stdbool.h>

/* Reads ?format=json|graphml|csv (json by default) and, for csv, the
 * required ?part=nodes|edges. Returns false after replying 400 naming the
 * parameter. */
bool graph_format_or_reply(struct request *r, enum graph_format *f);

/* Replies 200 with rows [0, n) of res written as the graph `shape` in format
 * f (CSV with a Content-Disposition naming `shape->name` and the part).
 * Does not clear res. */
void reply_graph(struct request *r, const PGresult *res, int n, const struct graph_shape *shape,
                 enum graph_format f);

/* Adds the headers of a graph reply in format f (Content-Type; for GraphML
 * and CSV a Content-Disposition naming `shape->name` and the part) to the
 * stored response. */
void graph_reply_headers(struct request *r, const struct graph_shape *shape, enum graph_format f);

#endif

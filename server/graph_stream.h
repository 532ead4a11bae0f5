/* graph_stream: a graph of any size streamed to the client (the networks).
 *
 * The statement runs behind a cursor on a database connection of the
 * request's own, under one of the slow-work slots (slow.h), in a READ ONLY
 * transaction with the request's scope, so row-level security applies as
 * on a pooled connection. The set-up and the first batch go in one round
 * trip, before any byte of the reply, so a failing statement still gets its
 * JSON error; the rest is FETCHed a batch at a time as the client reads,
 * written by graph_format's writer. Memory stays that of one batch whatever
 * the graph's size, and no pooled connection is held while a client reads:
 * short requests are served meanwhile. */
#ifndef CLAIMDB_GRAPH_STREAM_H
#define CLAIMDB_GRAPH_STREAM_H

#include "db.h"
#include "graph_format.h"
#include "request.h"

/* Replies 200 with the graph `statement` (one of a resource's, sent with its
 * SQL: planned for these nparams text values) yields, written as graph
 * `shape` in format f (its rows must come nodes first: graph_writer), or
 * replies the failure: 503 too_many_exports when every slow-work slot is
 * taken, 503 when PostgreSQL cannot be reached, or the statement's
 * classified error (a statement timeout among them).
 *
 * The graph streams from a connection of its own under a slow-work slot.
 * When the caller expects it to be small (`small`: one document's network,
 * which the page asks for each document it opens), it is first read on the
 * request's pooled connection under the statement timeout, with no slot: a
 * graph that fits in one batch is replied from memory, so readers of small
 * graphs never meet the slow-work cap; a larger one is then streamed as any
 * other (the pooled read's work, one batch, is done again). */
void reply_graph_query(struct request *r, const struct db_statement *statement, int nparams,
                       const char *const *params, const struct graph_shape *shape, enum graph_format f,
                       bool small);

#endif

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

struct graph_stream;

/* Opens a cursor over `statement` (one of a resource's, sent with its SQL:
 * planned for these nparams text values) and fetches its first batch.
 * Returns the stream, or NULL after replying: 503 too_many_exports when
 * every slow-work slot is taken, 503 when PostgreSQL cannot be reached, or
 * the statement's classified error (a statement timeout among them). */
struct graph_stream *graph_stream_open_or_reply(struct request *r, const struct db_statement *statement,
                                                int nparams, const char *const *params);

/* Replies 200 with the stream's rows written as graph `shape` in format f
 * (the rows must come nodes first: graph_writer). Takes gs: its connection
 * is closed and its slot given back once the last batch is written, or as
 * soon as the client goes away (which ends the transaction at once). */
void reply_graph_stream(struct request *r, struct graph_stream *gs, const struct graph_shape *shape,
                        enum graph_format f);

#endif

#include "graph_stream.h"

#include "errors.h"
#include "graph_reply.h"
#include "guard.h"
#include "reply.h"
#include "slow.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Rows per FETCH: a batch of the claim network (texts) stays near a
 * megabyte, of the actor network near a quarter of one; a whole-project
 * network at 100,000 claims is a few dozen round trips. */
#define GRAPH_BATCH 1000
#define STR(x) #x
#define XSTR(x) STR(x)
#define GRAPH_CURSOR "DECLARE graph_rows NO SCROLL CURSOR FOR "
#define GRAPH_FETCH "FETCH FORWARD " XSTR(GRAPH_BATCH) " FROM graph_rows"
/* Bytes written ahead of what MHD asks for: a few of its 32 KiB blocks. */
#define GRAPH_CHUNK (64 * 1024)

struct graph_stream {
    PGconn *conn;    /* NULL once the rows are all fetched or the client left */
    PGresult *batch; /* the rows fetched and not yet written */
    bool exhausted;  /* the cursor has no more rows */
    struct graph_writer w;
    bool begun, ended;  /* the writer's beginning and end are written */
    struct jsonbuf out; /* text written, not yet handed to MHD */
    size_t sent;
    struct request *r; /* for the byte count and the guard; valid while MHD reads */
};

/* Ends the transaction (and its cursor: nothing runs on the connection
 * between FETCHes, so this is at once), keeps the connection for the next
 * stream (slow_conn_keep closes it if unfit) and gives the slot back. */
static void stream_finish(struct graph_stream *gs)
{
    if (!gs->conn)
        return;
    db_rollback(gs->conn);
    slow_conn_keep(gs->conn);
    gs->conn = NULL;
    slow_give(SLOW_NETWORK);
}

static void stream_free(struct graph_stream *gs)
{
    stream_finish(gs);
    PQclear(gs->batch);
    jb_free(&gs->out);
    free(gs);
}

/* The client of a streamed network, watched while its first FETCH runs. */
struct client_watch {
    int fd;         /* the client's socket, -1 when unknown */
    bool cancelled; /* the statement was cancelled: stop watching */
};

/* db_pipeline_end's `ready` (ctx: a client_watch). Waits until a result can
 * be read without blocking, watching the client meanwhile: the first FETCH
 * does all of PostgreSQL's work (a whole project's network at a million
 * claims: seconds to tens of seconds), and a client that hangs up then gets
 * the statement cancelled at once instead of run to its end. Returns false
 * when the connection failed. */
static bool await_result(PGconn *conn, void *ctx)
{
    struct client_watch *w = ctx;
    while (PQisBusy(conn)) {
        struct pollfd p[2] = {{.fd = PQsocket(conn), .events = POLLIN},
                              {.fd = w->cancelled ? -1 : w->fd, .events = POLLRDHUP}};
        if (poll(p, 2, -1) < 0)
            continue; /* EINTR */
        if (p[1].revents & (POLLRDHUP | POLLHUP | POLLERR)) {
            PGcancel *cancel = PQgetCancel(conn);
            if (cancel) {
                char buf[256];
                PQcancel(cancel, buf, sizeof buf);
                PQfreeCancel(cancel);
            }
            w->cancelled = true;
        }
        if ((p[0].revents & (POLLIN | POLLHUP | POLLERR)) && !PQconsumeInput(conn))
            return false;
    }
    return true;
}

/* Sends the set-up and the first FETCH in one pipeline with one Sync:
 * BEGIN READ ONLY, the request's scope, a plan for all the rows, the cursor
 * over the statement with its values, the first batch. `unbounded` lifts
 * the statement timeout (as for an export: the work is under a slot, and a
 * client that leaves cancels it); a pooled connection keeps it. Returns the
 * batch, or the first failure (a statement after it comes back aborted);
 * NULL when the connection failed. */
static PGresult *open_cursor(PGconn *conn, const struct request *r, const char *declare, int nparams,
                             const char *const *params, bool unbounded)
{
    if (!PQenterPipelineMode(conn))
        return NULL;
    int queries = r->auth ? 5 : 4;
    bool sent = PQsendQueryParams(conn, "BEGIN READ ONLY", 0, NULL, NULL, NULL, NULL, 0)
                && db_scope_send(conn, r)
                /* The cursor is read to the end: plan it for all rows, as a
                 * plain statement is (the default plans for the first 10 %). */
                && PQsendQueryParams(conn,
                                     unbounded ? "SELECT set_config('statement_timeout', '0', true),"
                                                 " set_config('cursor_tuple_fraction', '1', true)"
                                               : "SELECT set_config('cursor_tuple_fraction', '1', true)",
                                     0, NULL, NULL, NULL, NULL, 0)
                && PQsendQueryParams(conn, declare, nparams, NULL, params, NULL, NULL, 0)
                && PQsendQueryParams(conn, GRAPH_FETCH, 0, NULL, NULL, NULL, NULL, 0) && PQpipelineSync(conn);
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    struct client_watch watch = {.fd = ci ? ci->connect_fd : -1};
    return db_pipeline_end(conn, sent, queries, await_result, &watch);
}

/* "DECLARE graph_rows … FOR " + the statement's SQL, or NULL when out of
 * memory (the caller frees it). */
static char *cursor_sql(const struct db_statement *statement)
{
    size_t len = strlen(GRAPH_CURSOR) + strlen(statement->sql) + 1;
    char *declare = malloc(len);
    if (declare)
        snprintf(declare, len, "%s%s", GRAPH_CURSOR, statement->sql);
    return declare;
}

/* Takes a slow-work slot and a connection for it, opens the cursor and
 * fetches its first batch. Returns the stream, or NULL after replying. */
static struct graph_stream *stream_open_or_reply(struct request *r, const char *declare, int nparams,
                                                 const char *const *params)
{
    if (!slow_slot_or_reply(r, SLOW_NETWORK))
        return NULL;
    struct graph_stream *gs = calloc(1, sizeof *gs);
    if (!gs) {
        slow_give(SLOW_NETWORK);
        reply_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal", NULL, "out of memory");
        return NULL;
    }
    char error[512];
    gs->conn = slow_conn(error, sizeof error);
    if (!gs->conn) {
        fprintf(stderr, "{\"level\":\"error\",\"event\":\"db_connect\",\"message\":\"%s\"}\n", error);
        slow_give(SLOW_NETWORK);
        free(gs);
        db_reply_error(r, NULL, NULL); /* no connection: 503 database_unavailable */
        return NULL;
    }
    PGresult *first = open_cursor(gs->conn, r, declare, nparams, params, true);
    if (PQresultStatus(first) != PGRES_TUPLES_OK) {
        db_reply_error(r, gs->conn, first);
        PQclear(first);
        stream_free(gs);
        return NULL;
    }
    gs->batch = first;
    gs->exhausted = PQntuples(first) < GRAPH_BATCH;
    return gs;
}

/* Reads the graph on the request's pooled connection, under the statement
 * timeout, as far as its first batch. Returns true when it has replied (the
 * whole graph from memory, or an error); false, with nothing replied and
 * the pooled connection given back, when the graph is larger than a batch. */
static bool small_graph_replied(struct request *r, const char *declare, int nparams,
                                const char *const *params, const struct graph_shape *shape,
                                enum graph_format f)
{
    PGconn *conn = db_conn_or_reply(r);
    if (!conn)
        return true;
    PGresult *first = open_cursor(conn, r, declare, nparams, params, false);
    if (PQresultStatus(first) != PGRES_TUPLES_OK) {
        db_reply_error(r, conn, first);
        PQclear(first);
        db_rollback(conn);
        return true;
    }
    db_rollback(conn); /* ends the cursor's transaction */
    int n = PQntuples(first);
    if (n < GRAPH_BATCH)
        reply_graph(r, first, n, shape, f);
    PQclear(first);
    /* A larger graph streams from a connection of its own: the pooled one
     * goes back now rather than wait through the whole stream's first batch. */
    if (n >= GRAPH_BATCH)
        db_release(r);
    return n < GRAPH_BATCH;
}

/* Writes text into gs->out until it holds `want` bytes or the graph ends.
 * Returns false on a database error (logged). */
static bool stream_fill(struct graph_stream *gs, size_t want)
{
    while (gs->out.len < want && !gs->ended) {
        if (gs->batch) {
            graph_writer_rows(&gs->w, &gs->out, gs->batch, 0, PQntuples(gs->batch), 0);
            PQclear(gs->batch);
            gs->batch = NULL;
        } else if (!gs->exhausted) {
            gs->batch = PQexec(gs->conn, GRAPH_FETCH);
            if (PQresultStatus(gs->batch) != PGRES_TUPLES_OK) {
                db_error_log("graph_stream", gs->batch);
                return false;
            }
            gs->exhausted = PQntuples(gs->batch) < GRAPH_BATCH;
        } else {
            /* Every row is written: end the transaction and free the slot
             * before the last bytes go out, so that a client that starts its
             * next request on seeing the end finds the slot free. */
            stream_finish(gs);
            graph_writer_end(&gs->w, &gs->out);
            gs->ended = true;
        }
    }
    return true;
}

static ssize_t read_graph(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    struct graph_stream *gs = cls;
    if (gs->sent == gs->out.len) {
        gs->out.len = gs->sent = 0;
        if (!gs->begun) {
            graph_writer_begin(&gs->w, &gs->out, gs->w.shape, gs->w.format);
            gs->begun = true;
        }
        /* No deadline while PostgreSQL produces rows; once a chunk is handed
         * over the client must take it within the send timeout, or the
         * watchdog cuts the connection and free_graph ends the transaction. */
        guard_busy(gs->r->guard);
        bool ok = stream_fill(gs, GRAPH_CHUNK);
        guard_streaming(gs->r->guard);
        if (!ok) {
            /* Headers are gone: ending without the last chunk tells the
             * client the body is incomplete. */
            stream_finish(gs);
            return MHD_CONTENT_READER_END_WITH_ERROR;
        }
    }
    size_t n = gs->out.len - gs->sent < max ? gs->out.len - gs->sent : max;
    if (n == 0)
        return MHD_CONTENT_READER_END_OF_STREAM;
    memcpy(buf, gs->out.data + gs->sent, n);
    gs->sent += n;
    gs->r->bytes_out += n;
    return (ssize_t)n;
}

/* Runs when MHD drops the response: after the end, or as soon as the client
 * goes away mid-stream. */
static void free_graph(void *cls)
{
    stream_free(cls);
}

/* Replies 200 with the stream's rows written as graph `shape` in format f
 * (the rows must come nodes first: graph_writer). Takes gs: its connection
 * is closed and its slot given back once the last batch is written, or as
 * soon as the client goes away (which ends the transaction at once). */
static void stream_reply(struct request *r, struct graph_stream *gs, const struct graph_shape *shape,
                         enum graph_format f)
{
    gs->r = r;
    gs->w.shape = shape; /* graph_writer_begin readies the rest with the first bytes */
    gs->w.format = f;
    struct MHD_Response *resp =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 32 * 1024, read_graph, gs, free_graph);
    if (!resp) {
        stream_free(gs);
        reply_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal", NULL, "the reply could not start");
        return;
    }
    slow_small_send_buffer(r);
    reply_response(r, MHD_HTTP_OK, resp);
    graph_reply_headers(r, shape, f);
}

void reply_graph_query(struct request *r, const struct db_statement *statement, int nparams,
                       const char *const *params, const struct graph_shape *shape, enum graph_format f,
                       bool small)
{
    char *declare = cursor_sql(statement);
    if (!declare) {
        reply_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal", NULL, "out of memory");
        return;
    }
    if (!small || !small_graph_replied(r, declare, nparams, params, shape, f)) {
        struct graph_stream *gs = stream_open_or_reply(r, declare, nparams, params);
        if (gs)
            stream_reply(r, gs, shape, f);
    }
    free(declare);
}

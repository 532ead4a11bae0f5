/* guard: deadlines for client connections, enforced by one watchdog thread.
 *
 * libmicrohttpd only knows an idle timeout, which a client that sends one
 * byte every few seconds (slowloris) or stops reading a streamed reply never
 * hits. Each connection has a guard that records which phase it is in; the
 * watchdog cuts (shutdown(2)) a connection whose phase has run past its
 * deadline, and MHD then closes it as a client that went away, which frees
 * whatever the request held (an export's transaction among them):
 *   - headers: complete within cfg->header_timeout of the connection's
 *     opening or of its previous response (so an idle keep-alive connection
 *     is closed after that long too);
 *   - body: after the header timeout, at least cfg->min_body_rate bytes per
 *     second on average since the headers ended;
 *   - streamed reply (exports): some progress every cfg->send_timeout s.
 * Handlers themselves have no deadline here: the statement timeout bounds
 * their SQL.
 *
 * The phase setters are called from the connection's own thread; guard_open
 * and guard_close from MHD's connection-notify callback. */
#ifndef CLAIMDB_GUARD_H
#define CLAIMDB_GUARD_H

#include "config.h"

#include <stddef.h>

struct guard;

/* Why the watchdog cut a connection (metrics count each). */
enum guard_reason { GUARD_HEADER_TIMEOUT, GUARD_BODY_TOO_SLOW, GUARD_SEND_STALLED, GUARD_REASONS };

/* Names of the reasons, for logs and metrics ("header_timeout", ...). */
extern const char *const guard_reason_names[GUARD_REASONS];

/* Starts the watchdog thread with cfg's deadlines (cfg must outlive it).
 * Returns 0, or -1 when the thread cannot start. */
int guard_start(const struct config *cfg);

/* Stops the watchdog thread; call after the HTTP daemon has stopped. */
void guard_stop(void);

/* A new connection on socket fd, in the headers phase from now. Returns
 * NULL when out of memory (the connection then runs unguarded). */
struct guard *guard_open(int fd);

/* The connection is closed (its socket is still open): forgets and frees g.
 * g may be NULL. */
void guard_close(struct guard *g);

/* Phase setters; each accepts g == NULL. */
void guard_await_headers(struct guard *g);        /* the next request's headers, from now */
void guard_await_body(struct guard *g);           /* headers done, a body is expected */
void guard_body_bytes(struct guard *g, size_t n); /* n more body bytes arrived */
void guard_busy(struct guard *g);                 /* the server is working: no deadline */
void guard_streaming(struct guard *g);            /* a streamed reply is being sent */

/* The reason the watchdog cut this connection, or -1 when it has not. */
int guard_cut_reason(const struct guard *g);

/* Connections cut for `reason` since start. */
unsigned long guard_cut_count(enum guard_reason reason);

#endif

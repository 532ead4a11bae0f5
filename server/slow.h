/* slow: the cap on slow work, i.e. requests that stream a long reply from a
 * database connection of their own (exports, streamed networks) instead of
 * a pooled one, so that short requests keep being served meanwhile.
 *
 * CLAIMDB_MAX_EXPORTS (cfg->max_exports) bounds them together: with the
 * pool (THREADS) and the imports (2 x CLAIMDB_MAX_IMPORTS) that keeps
 * claimdb's share of PostgreSQL's connections known at start. */
#ifndef CLAIMDB_SLOW_H
#define CLAIMDB_SLOW_H

#include "metrics.h"
#include "request.h"

#include <libpq-fe.h>

#include <stdatomic.h>
#include <stdbool.h>

/* A cap on work running at once, as exports, networks and imports have:
 * takes one of `cap` places counted by *taken, or, when all are taken,
 * counts the rejection (`why`) and replies 503 `code` ("<cap> <what> are
 * running, the most this server allows; retry shortly") with Retry-After.
 * Returns whether a place was taken; the caller gives it back by
 * decrementing *taken. */
bool slow_cap_or_reply(struct request *r, atomic_uint *taken, unsigned cap, enum metrics_rejection why,
                       const char *code, const char *what);

enum slow_kind { SLOW_EXPORT, SLOW_NETWORK, SLOW_KINDS };

/* Takes one slot of slow work of `kind`. Returns false after replying 503
 * too_many_exports (with Retry-After) when cfg->max_exports are taken. The
 * caller gives the slot back with slow_give once its work is over. */
bool slow_slot_or_reply(struct request *r, enum slow_kind kind);

/* Gives back a slot slow_slot_or_reply took. */
void slow_give(enum slow_kind kind);

/* Slots of `kind` taken now (metrics). */
unsigned slow_running(enum slow_kind kind);

/* A database connection for a slot's work: an idle one kept from earlier
 * slow work (its backend's caches warm: a new connection costs tens of
 * milliseconds), or a new one (db_connect, no statements prepared).
 * Returns NULL with a message in error[0..error_size) (as db_connect). The
 * caller owns it until slow_conn_keep. Streamed networks and exports use
 * these. */
PGconn *slow_conn(char *error, size_t error_size);

/* Takes back a connection slow_conn gave: kept for the next slow work when
 * it is healthy and outside any transaction (the caller ends its own
 * first), closed otherwise. conn may be NULL. */
void slow_conn_keep(PGconn *conn);

/* Closes the kept connections; call once the HTTP daemon has stopped. */
void slow_close_all(void);

/* Shrinks the kernel's send buffer of r's socket before a streamed reply: a
 * client that stops reading is seen as stalled (guard.h) after ~256 KiB
 * instead of after the few MB the kernel would otherwise take, and holds
 * less memory meanwhile. Best effort: a failure changes nothing else. */
void slow_small_send_buffer(struct request *r);

#endif

/* feed: the long poll of GET /v1/changes?wait=, without a database
 * connection per waiting client.
 *
 * Every client connection has a thread of its own (http.c), so a waiting
 * request simply sleeps in its handler, on a condition variable listed
 * here, after giving its pooled database connection back. One thread holds
 * one PostgreSQL connection that LISTENs on claimdb_changes (the
 * history_after() trigger NOTIFYs it in every writing transaction,
 * delivered at commit) and wakes every waiter when a notification arrives;
 * each also wakes at its own time (its deadline, or a short retry while a
 * change is written but not yet servable). A woken handler queries once
 * more. (MHD's suspend/resume is not used: with a thread per connection,
 * libmicrohttpd 0.9.75 wakes a suspended connection's thread through the
 * daemon's one shared event fd, which another thread may clear first, and
 * a long poll then hung for good.) */
#ifndef CLAIMDB_FEED_H
#define CLAIMDB_FEED_H

#include "request.h"

#include <stdbool.h>

/* Starts the listening thread. Returns 0, or -1 (the feed then answers
 * without waiting). */
int feed_start(void);

/* The count of notifications seen so far: read it before querying, and
 * pass it to feed_wait so that a change committed in between is not slept
 * through. */
unsigned long feed_generation(void);

/* Blocks the calling (request) thread until a change is notified, or
 * `retry_ms` (0: none) or r->wait_until passes, or the feed stops; r's
 * pooled database connection is given back first (db_release). Returns
 * true after such a wait (the handler queries again, taking a connection
 * anew), false without waiting when a notification came after `seen`, the
 * deadline has passed, or the feed is stopping: the handler should query
 * again or reply now. */
bool feed_wait(struct request *r, unsigned long seen, unsigned retry_ms);

/* Wakes every waiter and refuses new waits (shutdown, before the HTTP
 * daemon stops). */
void feed_stop(void);

/* Stops the thread and closes its connection (after the daemon stopped). */
void feed_join(void);

#endif

/* feed: the long poll of GET /v1/changes?wait=, without a database
 * connection or a server thread per waiting client.
 *
 * A waiting request's connection is suspended (MHD_suspend_connection) and
 * listed here. One thread holds one PostgreSQL connection that LISTENs on
 * claimdb_changes (the history_after() trigger NOTIFYs it in every writing
 * transaction, delivered at commit) and resumes every waiter when a
 * notification arrives, and each one at its own time (its deadline, or a
 * short retry while a change is written but not yet servable). A resumed
 * request runs its handler again, which queries once more. */
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

/* Suspends r's connection until a change is notified, or `retry_ms` (0:
 * none) or r->wait_until passes. Returns false without suspending when a
 * notification came after `seen`, the deadline has passed, or the feed is
 * stopping: the handler should query again or reply now. */
bool feed_wait(struct request *r, unsigned long seen, unsigned retry_ms);

/* Resumes every waiter and refuses new waits (shutdown, before the HTTP
 * daemon stops). */
void feed_stop(void);

/* Stops the thread and closes its connection (after the daemon stopped). */
void feed_join(void);

#endif

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
 * pass it to feed_ask_wait so that a change committed in between is not
 * slept through. */
unsigned long feed_generation(void);

/* For a handler that found nothing to reply with yet: asks the server to
 * sleep until a change is notified after `seen`, or `retry_ms` (0: none)
 * or r->wait_until passes, and then to run the handler again. The handler
 * returns at once without replying. The sleep happens in http.c's frame,
 * not the handler's, so that a waiting thread keeps as few stack pages as
 * it can (1,000 waiters are a benchmark row). */
void feed_ask_wait(struct request *r, unsigned long seen, unsigned retry_ms);

/* True once r's long poll is past its deadline (r->wait_until): the
 * handler then replies with what there is. */
bool feed_time_is_up(const struct request *r);

/* http.c's side of feed_ask_wait: when the handler asked and has not
 * replied, blocks the calling thread as asked, after giving r's pooled
 * database connection back (db_release) and the thread's unused stack
 * pages to the kernel, and returns true: run the handler again (it
 * queries anew). Returns false when nothing was asked. When the feed
 * cannot wait (it never started, or it is stopping), r's deadline is
 * moved to now instead, so that the handler's next run replies. */
bool feed_wait_if_asked(struct request *r);

/* Wakes every waiter and refuses new waits (shutdown, before the HTTP
 * daemon stops). */
void feed_stop(void);

/* Stops the thread and closes its connection (after the daemon stopped). */
void feed_join(void);

#endif

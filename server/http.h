/* http: the libmicrohttpd daemon, its per-request contexts and dispatch. */
#ifndef CLAIMDB_HTTP_H
#define CLAIMDB_HTTP_H

#include "config.h"

/* Serves until SIGTERM or SIGINT, then stops accepting, lets in-flight
 * requests finish (up to cfg->shutdown_grace seconds) and returns 0; returns
 * 1 when the daemon cannot start. The caller must have blocked SIGTERM and
 * SIGINT in every thread (so that they are taken by sigwait here). */
int http_serve(const struct config *cfg);

#endif

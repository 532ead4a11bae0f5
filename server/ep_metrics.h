/* The metrics port (ep_metrics.c). */
#ifndef CLAIMDB_EP_METRICS_H
#define CLAIMDB_EP_METRICS_H

#include "config.h"

#include <microhttpd.h>

/* Starts the metrics-only listener on cfg->metrics_listen:cfg->metrics_port.
 * Returns NULL when no port is configured or it cannot listen (the caller
 * tells which by cfg->metrics_port). Stop it with MHD_stop_daemon. */
struct MHD_Daemon *metrics_port_start(const struct config *cfg);

#endif

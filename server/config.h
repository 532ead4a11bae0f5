/* config: the server's settings, from defaults, then the environment, then
 * command-line flags (later wins). */
#ifndef CLAIMDB_CONFIG_H
#define CLAIMDB_CONFIG_H

#include <stddef.h>

struct config {
    const char *database_url; /* DATABASE_URL; libpq conninfo or URI */
    const char *listen;       /* LISTEN: IPv4 address to bind */
    unsigned port;            /* PORT */
    unsigned threads;        /* THREADS: database connections for short requests; 0 = one per CPU available */
    size_t body_limit;       /* CLAIMDB_BODY_LIMIT: bytes of a JSON body */
    size_t import_limit;     /* CLAIMDB_IMPORT_LIMIT: bytes of an import body */
    unsigned timeout;        /* CLAIMDB_TIMEOUT: idle connection timeout, s */
    unsigned header_timeout; /* CLAIMDB_HEADER_TIMEOUT: s to send complete headers */
    unsigned min_body_rate;  /* CLAIMDB_MIN_BODY_RATE: bytes/s a body must average (0 = none) */
    unsigned send_timeout;   /* CLAIMDB_SEND_TIMEOUT: s a streamed reply may make no progress */
    unsigned max_connections;      /* CLAIMDB_MAX_CONNECTIONS: client connections in total */
    unsigned pool_wait_ms;         /* CLAIMDB_POOL_WAIT: ms a request waits for a database connection */
    unsigned per_ip_limit;         /* CLAIMDB_PER_IP_LIMIT: connections per client IP */
    unsigned statement_timeout_ms; /* CLAIMDB_STATEMENT_TIMEOUT: ms, 0 = none */
    unsigned max_exports;          /* CLAIMDB_MAX_EXPORTS: concurrent exports */
    unsigned max_imports;          /* CLAIMDB_MAX_IMPORTS: concurrent imports */
    unsigned shutdown_grace;       /* CLAIMDB_SHUTDOWN_GRACE: s to finish in-flight requests */
    int access_log;                /* CLAIMDB_ACCESS_LOG: 0 disables */
    const char *cors_origins;      /* CLAIMDB_CORS_ORIGINS: comma-separated origins; unset = CORS off */
    int cookie_secure;             /* CLAIMDB_COOKIE_SECURE: 1 = session cookie only over HTTPS */
    unsigned metrics_port;         /* CLAIMDB_METRICS_PORT: a port serving only /metrics, 0 = none */
    const char *metrics_listen;    /* CLAIMDB_METRICS_LISTEN: its IPv4 address (default 127.0.0.1) */
    int migrate_on_start;          /* serve --no-migrate clears it */
};

/* Fills cfg with defaults overridden by the environment. Returns 0, or -1
 * after printing to stderr which variable is malformed. */
int config_from_env(struct config *cfg);

/* Applies one long option (name without "--", value) to cfg. Returns 0,
 * 1 when the option is unknown, or -1 after printing a malformed value. */
int config_set_option(struct config *cfg, const char *name, const char *value);

/* The settings table for --help: one line per setting. */
void config_print_help(void);

/* The CPUs this process may use: its affinity mask, lowered to a cgroup
 * (container) CPU quota when one is set; at least 1. */
unsigned config_available_cpus(void);

/* The number of database connections for short requests: cfg->threads, or
 * when 0 the available CPUs (at least 2). */
unsigned config_pool_size(const struct config *cfg);

/* Parses a size such as "1048576", "64k", "10M", "1G" into bytes.
 * Returns 0, or -1 on malformed input or overflow. */
int config_parse_size(const char *s, size_t *out);

/* Parses a non-negative decimal no larger than max. Returns 0 or -1. */
int config_parse_uint(const char *s, unsigned max, unsigned *out);

#endif

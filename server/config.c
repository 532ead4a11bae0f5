#include "config.h"

#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int config_parse_size(const char *s, size_t *out)
{
    if (!s || !*s || *s == '-')
        return -1;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s)
        return -1;
    unsigned long long mult = 1;
    switch (*end) {
    case '\0': break;
    case 'k':
    case 'K':
        mult = 1ULL << 10;
        end++;
        break;
    case 'm':
    case 'M':
        mult = 1ULL << 20;
        end++;
        break;
    case 'g':
    case 'G':
        mult = 1ULL << 30;
        end++;
        break;
    default: return -1;
    }
    if (*end == 'B' || *end == 'b')
        end++;
    if (*end != '\0' || (v && mult > SIZE_MAX / v))
        return -1;
    *out = (size_t)(v * mult);
    return 0;
}

int config_parse_uint(const char *s, unsigned max, unsigned *out)
{
    if (!s || *s < '0' || *s > '9')
        return -1;
    errno = 0;
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || *end != '\0' || v > max)
        return -1;
    *out = (unsigned)v;
    return 0;
}

enum kind { STR, UINT, SIZE, BOOL };

struct setting {
    const char *option; /* --option */
    const char *env;    /* environment variable */
    enum kind kind;
    size_t offset;
    unsigned max;
    const char *help;
};

#define AT(field) offsetof(struct config, field)
static const struct setting settings[] = {
    {"database-url", "DATABASE_URL", STR, AT(database_url), 0,
     "PostgreSQL connection (URI or key=value); libpq's PG* variables apply too"},
    {"listen", "LISTEN", STR, AT(listen), 0, "IPv4 address to listen on (default 127.0.0.1)"},
    {"port", "PORT", UINT, AT(port), 65535, "TCP port (default 8080)"},
    {"threads", "THREADS", UINT, AT(threads), 1024,
     "database connections serving short requests (default: one per CPU available, at least 2)"},
    {"body-limit", "CLAIMDB_BODY_LIMIT", SIZE, AT(body_limit), 0,
     "largest JSON request body, e.g. 8M (default 16M)"},
    {"import-limit", "CLAIMDB_IMPORT_LIMIT", SIZE, AT(import_limit), 0, "largest import body (default 4G)"},
    {"timeout", "CLAIMDB_TIMEOUT", UINT, AT(timeout), 86400,
     "seconds a client connection may stay silent mid-request (default 30)"},
    {"header-timeout", "CLAIMDB_HEADER_TIMEOUT", UINT, AT(header_timeout), 3600,
     "seconds from a connection's opening or previous reply to complete request headers (default 10)"},
    {"min-body-rate", "CLAIMDB_MIN_BODY_RATE", UINT, AT(min_body_rate), 1u << 30,
     "bytes per second a request body must average once the header timeout has passed, 0 = none (default "
     "1024)"},
    {"send-timeout", "CLAIMDB_SEND_TIMEOUT", UINT, AT(send_timeout), 3600,
     "seconds a streamed reply (export) may go without the client reading, 0 = none (default 10)"},
    {"max-connections", "CLAIMDB_MAX_CONNECTIONS", UINT, AT(max_connections), 65535,
     "client connections in total, each with its own thread (default 1024)"},
    {"pool-wait", "CLAIMDB_POOL_WAIT", UINT, AT(pool_wait_ms), 600000,
     "milliseconds a request waits for a free database connection before 503 (default 5000)"},
    {"per-ip-limit", "CLAIMDB_PER_IP_LIMIT", UINT, AT(per_ip_limit), 65535,
     "concurrent connections per client address (default 256)"},
    {"statement-timeout", "CLAIMDB_STATEMENT_TIMEOUT", UINT, AT(statement_timeout_ms), 86400000,
     "milliseconds a request's SQL statement may run, 0 = no limit (default 15000)"},
    {"max-exports", "CLAIMDB_MAX_EXPORTS", UINT, AT(max_exports), 1024,
     "concurrent exports and streamed networks before 503, one database connection each (default 4)"},
    {"max-imports", "CLAIMDB_MAX_IMPORTS", UINT, AT(max_imports), 1024,
     "concurrent imports before 503, two database connections each (default 2)"},
    {"shutdown-grace", "CLAIMDB_SHUTDOWN_GRACE", UINT, AT(shutdown_grace), 3600,
     "seconds to let in-flight requests finish on SIGTERM (default 30)"},
    {"access-log", "CLAIMDB_ACCESS_LOG", BOOL, AT(access_log), 1,
     "1 = one JSON line per request on stderr (default 1)"},
    {"cors-origins", "CLAIMDB_CORS_ORIGINS", STR, AT(cors_origins), 0,
     "origins allowed to call the API from a browser, comma-separated (default: none, CORS off)"},
    {"cookie-secure", "CLAIMDB_COOKIE_SECURE", BOOL, AT(cookie_secure), 1,
     "1 = mark the session cookie Secure (set it behind HTTPS) (default 0)"},
    {"metrics-port", "CLAIMDB_METRICS_PORT", UINT, AT(metrics_port), 65535,
     "a port of its own serving only GET /metrics, without credentials (default 0: none; on the API port "
     "/metrics needs a server admin)"},
    {"metrics-listen", "CLAIMDB_METRICS_LISTEN", STR, AT(metrics_listen), 0,
     "IPv4 address of the metrics port (default 127.0.0.1: only this machine)"},
};

static int apply(struct config *cfg, const struct setting *s, const char *value, const char *what)
{
    char *base = (char *)cfg + s->offset;
    unsigned u;
    size_t z;
    switch (s->kind) {
    case STR: *(const char **)(void *)base = value; return 0;
    case UINT:
    case BOOL:
        if (config_parse_uint(value, s->kind == BOOL ? 1 : s->max, &u) == 0) {
            if (s->kind == BOOL)
                *(int *)(void *)base = (int)u;
            else
                *(unsigned *)(void *)base = u;
            return 0;
        }
        fprintf(stderr, "claimdb: %s: expected %s, got \"%s\"\n", what,
                s->kind == BOOL ? "0 or 1" : "a whole number", value);
        return -1;
    case SIZE:
        if (config_parse_size(value, &z) == 0 && z > 0) {
            *(size_t *)(void *)base = z;
            return 0;
        }
        fprintf(stderr, "claimdb: %s: expected a size such as 16M, got \"%s\"\n", what, value);
        return -1;
    }
    return -1;
}

int config_from_env(struct config *cfg)
{
    *cfg = (struct config){
        .database_url = NULL,
        .listen = "127.0.0.1",
        .metrics_listen = "127.0.0.1",
        .port = 8080,
        .threads = 0,
        .body_limit = 16u << 20,
        .import_limit = (size_t)4 << 30,
        .timeout = 30,
        .header_timeout = 10,
        .min_body_rate = 1024,
        .send_timeout = 10,
        .max_connections = 1024,
        .pool_wait_ms = 5000,
        .per_ip_limit = 256,
        .statement_timeout_ms = 15000,
        .max_exports = 4,
        .max_imports = 2,
        .shutdown_grace = 30,
        .access_log = 1,
        .migrate_on_start = 1,
    };
    for (size_t i = 0; i < sizeof settings / sizeof *settings; i++) {
        const char *v = getenv(settings[i].env);
        if (v && *v && apply(cfg, &settings[i], v, settings[i].env) != 0)
            return -1;
    }
    return 0;
}

int config_set_option(struct config *cfg, const char *name, const char *value)
{
    for (size_t i = 0; i < sizeof settings / sizeof *settings; i++)
        if (strcmp(settings[i].option, name) == 0) {
            char what[64];
            snprintf(what, sizeof what, "--%s", name);
            return apply(cfg, &settings[i], value, what) == 0 ? 0 : -1;
        }
    return 1;
}

void config_print_help(void)
{
    for (size_t i = 0; i < sizeof settings / sizeof *settings; i++)
        printf("  --%-18s %-26s %s\n", settings[i].option, settings[i].env, settings[i].help);
}

unsigned config_available_cpus(void)
{
    unsigned cpus = 0;
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0)
        cpus = (unsigned)CPU_COUNT(&set);
    if (cpus == 0)
        cpus = 1;
    /* cgroup v2: "max 100000" or "<quota> <period>" (docker --cpus=1.5 gives
     * "150000 100000"): a container sees the host's cores but may use only
     * the quota, rounded up. */
    FILE *f = fopen("/sys/fs/cgroup/cpu.max", "r");
    if (f) {
        char quota[32];
        unsigned long period;
        if (fscanf(f, "%31s %lu", quota, &period) == 2 && quota[0] >= '0' && quota[0] <= '9' && period) {
            unsigned long q = strtoul(quota, NULL, 10);
            unsigned limit = (unsigned)((q + period - 1) / period);
            if (limit && limit < cpus)
                cpus = limit;
        }
        fclose(f);
    }
    return cpus;
}

unsigned config_pool_size(const struct config *cfg)
{
    if (cfg->threads)
        return cfg->threads;
    unsigned cpus = config_available_cpus();
    return cpus < 2 ? 2 : cpus;
}

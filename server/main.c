/* claimdb: command-line entry point (serve, migrate, import, export, describe). */
#include "auth.h"
#include "cli.h"
#include "config.h"
#include "db.h"
#include "http.h"
#include "entities.h"
#include "migrate.h"
#include "registry.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef CLAIMDB_VERSION
#define CLAIMDB_VERSION "dev"
#endif

static void usage(FILE *out)
{
    fputs("usage: claimdb [--help] [--version] COMMAND [options]\n"
          "\n"
          "claimdb records claims, who asserts them, and how they refute or support each other,\n"
          "anchored to exact spans of verbatim documents, and serves them as a JSON REST API.\n"
          "\n"
          "commands:\n"
          "  serve [--no-migrate]   apply pending migrations, then serve the API\n"
          "  migrate [--check]      apply pending migrations (--check: only verify) and exit\n"
          "  import FILE...         load NDJSON datasets (all or nothing per file)\n"
          "  export [filters]       write the dataset as NDJSON to standard output\n"
          "  describe               print the entity descriptions and the route table as JSON\n"
          "  user add NAME [--admin] [--password-stdin]\n"
          "  token create --user NAME [--project SLUG] [--scope read,write,admin] [--expires DAYS]\n"
          "                         print a new API token (alone) on standard output\n"
          "  token list [--user NAME] | token revoke ID|PUBLIC_ID|TOKEN\n"
          "  project add SLUG [--name NAME] [--owner NAME] [--public]\n"
          "  project member SLUG NAME viewer|annotator|curator|manager|owner|none\n"
          "\n"
          "settings (flag, environment variable, meaning):\n",
          out);
    if (out == stdout)
        config_print_help();
    fputs("\nDATABASE_URL unset: libpq's defaults (PGHOST, PGPORT, PGDATABASE, ...) apply.\n", out);
}

/* Applies --name=value / --name value options from argv[*i...] until a
 * non-option; returns 0, or 2 on an unknown or malformed option. Flags
 * named in `flags` (NULL-terminated) are returned in *flag_seen bits. */
static int parse_options(struct config *cfg, int argc, char **argv, int *i, const char *const *flags,
                         unsigned *flag_seen)
{
    for (; *i < argc && strncmp(argv[*i], "--", 2) == 0; (*i)++) {
        char *name = argv[*i] + 2;
        bool matched = false;
        for (unsigned f = 0; flags && flags[f]; f++)
            if (strcmp(name, flags[f]) == 0) {
                *flag_seen |= 1u << f;
                matched = true;
            }
        if (matched)
            continue;
        char *value = strchr(name, '=');
        char namebuf[64];
        if (value) {
            snprintf(namebuf, sizeof namebuf, "%.*s", (int)(value - name), name);
            name = namebuf;
            value++;
        } else if (*i + 1 < argc) {
            value = argv[++*i];
        } else {
            fprintf(stderr, "claimdb: --%s needs a value\n", name);
            return 2;
        }
        int rc = config_set_option(cfg, name, value);
        if (rc == 1)
            fprintf(stderr, "claimdb: unknown option --%s (see claimdb --help)\n", name);
        if (rc != 0)
            return 2;
    }
    return 0;
}

static int cmd_migrate(const struct config *cfg, bool apply)
{
    db_configure(cfg->database_url, 0);
    char error[512];
    PGconn *conn = db_connect(false, error, sizeof error);
    if (!conn) {
        fprintf(stderr, "claimdb: cannot connect to PostgreSQL: %s\n", error);
        return 1;
    }
    int applied = 0;
    /* Migrations see every row (row-level security would hide them all
     * from a connection without a request scope). */
    int rc = db_scope_command_line(conn) ? migrate_run(conn, apply, &applied) : 1;
    PQfinish(conn);
    if (rc != 0)
        return 1;
    fprintf(stderr, "{\"level\":\"info\",\"event\":\"schema_current\",\"schema\":\"%s\",\"applied\":%d}\n",
            migrate_latest(), applied);
    return 0;
}

static int cmd_serve(struct config *cfg)
{
    /* Block the stop signals before any thread exists: every thread inherits
     * the mask and http_serve takes them with sigwait. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    int rc = cmd_migrate(cfg, cfg->migrate_on_start);
    if (rc == 0)
        rc = cli_bootstrap_owner();
    if (rc != 0)
        return rc;
    db_configure(cfg->database_url, cfg->statement_timeout_ms);
    if (routes_init() != 0)
        return 1;
    rc = http_serve(cfg);
    routes_free();
    return rc;
}

/* claimdb describe: the entities (entities.c) and the routes (registry.c)
 * as JSON, for the tests that check the OpenAPI description, the schema and
 * the export against them. */
static int cmd_describe(void)
{
    static const char *const bodies[] = {"none", "json", "stream"};
    static const char *const access[] = {"unset",  "public", "user", "read", "annotate",
                                         "curate", "manage", "own",  "admin"};
    if (routes_init() != 0)
        return 1;
    json_t *routes = json_array();
    for (size_t i = 0; i < routes_count; i++)
        json_array_append_new(routes,
                              json_pack("{s:s, s:s, s:s, s:s}", "method", routes_table[i].method, "pattern",
                                        routes_table[i].pattern, "body", bodies[routes_table[i].body],
                                        "access", access[routes_table[i].access]));
    routes_free();
    json_t *all = entities_describe();
    json_object_set_new(all, "routes", routes);
    int rc = json_dumpf(all, stdout, JSON_INDENT(1)) == 0 && putchar('\n') != EOF ? 0 : 1;
    json_decref(all);
    return rc;
}

int main(int argc, char **argv)
{
    struct config cfg;
    if (config_from_env(&cfg) != 0)
        return 2;
    if (auth_init() != 0) {
        fputs("claimdb: libsodium cannot start\n", stderr);
        return 1;
    }
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("claimdb %s\n", CLAIMDB_VERSION);
        return 0;
    }
    int i = 2;
    if (strcmp(cmd, "serve") == 0) {
        static const char *const flags[] = {"no-migrate", NULL};
        unsigned seen = 0;
        if (parse_options(&cfg, argc, argv, &i, flags, &seen) != 0)
            return 2;
        cfg.migrate_on_start = !(seen & 1);
        return cmd_serve(&cfg);
    }
    if (strcmp(cmd, "migrate") == 0) {
        static const char *const flags[] = {"check", NULL};
        unsigned seen = 0;
        if (parse_options(&cfg, argc, argv, &i, flags, &seen) != 0)
            return 2;
        return cmd_migrate(&cfg, !(seen & 1));
    }
    if (strcmp(cmd, "describe") == 0)
        return cmd_describe();
    if (strcmp(cmd, "import") == 0 || strcmp(cmd, "export") == 0) {
        db_configure(cfg.database_url, 0);
        return strcmp(cmd, "import") == 0 ? cli_import(&cfg, argc - 2, argv + 2)
                                          : cli_export(&cfg, argc - 2, argv + 2);
    }
    if (strcmp(cmd, "user") == 0 || strcmp(cmd, "token") == 0 || strcmp(cmd, "project") == 0) {
        db_configure(cfg.database_url, 0);
        return cmd[0] == 'u'   ? cli_user(argc - 2, argv + 2)
               : cmd[0] == 't' ? cli_token(argc - 2, argv + 2)
                               : cli_project(argc - 2, argv + 2);
    }
    fprintf(stderr, "claimdb: unknown command \"%s\"\n\n", cmd);
    usage(stderr);
    return 2;
}

/* claimdb import / export on the command line: the same engines as
 * POST /v1/import and GET /v1/export, talking to DATABASE_URL directly. */
#include "cli.h"

#include "config.h"
#include "db.h"
#include "export_engine.h"
#include "import_engine.h"
#include "migrate.h"
#include "slow.h"
#include "validate.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void progress(const char *path, size_t records, double started, bool last)
{
    double elapsed = now_seconds() - started;
    fprintf(stderr, "\r%s: %zu records, %.0f records/s, %.1f s%s", path, records,
            elapsed > 0 ? (double)records / elapsed : 0.0, elapsed, last ? "\n" : "");
}

/* The database phase of an import (checks and writes, after the last
 * line): a line on stderr that keeps counting the seconds, so that a long
 * phase does not look like a hang. */
struct phase_ticker {
    const char *path;
    size_t records;
    double started;
    atomic_bool done;
};

static void *tick(void *arg)
{
    struct phase_ticker *t = arg;
    while (!atomic_load(&t->done)) {
        fprintf(stderr, "\r%s: %zu records read; checking and writing in the database, %.1f s", t->path,
                t->records, now_seconds() - t->started);
        usleep(250 * 1000);
    }
    return NULL;
}

/* Prints one import's outcome as one line of JSON on stdout (so that
 * `claimdb import FILE | jq` works): {"file": path, "status": HTTP-like
 * status, ...the report or the error}. */
static void print_outcome(const char *path, unsigned status, json_t *body)
{
    json_t *line = json_pack("{s:s, s:I}", "file", path, "status", (json_int_t)status);
    if (json_is_object(body))
        json_object_update(line, body);
    char *text = json_dumps(line, JSON_COMPACT);
    if (text)
        printf("%s\n", text);
    free(text);
    json_decref(line);
    fflush(stdout);
}

/* Imports one file, all or nothing. Prints the outcome (JSON) to stdout;
 * returns 0 when it was imported. */
static int import_file(const char *path, const struct import_options *opt, bool show_progress)
{
    FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!in) {
        fprintf(stderr, "claimdb import: cannot open %s\n", path);
        return 1;
    }
    struct import *im = import_begin(opt);
    if (!im) {
        fprintf(stderr, "claimdb import: out of memory\n");
        if (in != stdin)
            fclose(in);
        return 1;
    }
    static char buf[1 << 20];
    double started = now_seconds(), shown = started;
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0) {
        if (import_feed(im, buf, n) != 0)
            break; /* refused (a line too long): no need to read on */
        if (show_progress && now_seconds() - shown >= 0.25) {
            shown = now_seconds();
            progress(path, import_records(im), started, false);
        }
    }
    bool read_error = ferror(in);
    if (in != stdin)
        fclose(in);
    if (read_error) {
        fprintf(stderr, "claimdb import: error reading %s; nothing was imported\n", path);
        import_free(im);
        return 1;
    }
    struct phase_ticker ticker = {path, import_records(im), now_seconds(), false};
    pthread_t ticker_thread;
    bool ticking = show_progress && pthread_create(&ticker_thread, NULL, tick, &ticker) == 0;
    json_t *body = NULL;
    unsigned status = import_finish(im, &body);
    if (ticking) {
        atomic_store(&ticker.done, true);
        pthread_join(ticker_thread, NULL);
        fputs("\n", stderr);
    }
    if (show_progress)
        progress(path, import_records(im), started, true);
    print_outcome(path, status, body);
    if (status != 200) {
        json_t *error = json_object_get(body, "error");
        fprintf(stderr, "claimdb import: %s: %s\n", path,
                json_string_value(json_object_get(error, "message")) ?: "failed");
    }
    json_decref(body);
    import_free(im);
    return status == 200 ? 0 : 1;
}

/* Connects once before reading anything, to say plainly what is wrong
 * with the database: unreachable, or not (fully) migrated. Returns 0. */
static int database_ready(const char *command)
{
    char error[512];
    PGconn *conn = db_connect(false, error, sizeof error);
    if (!conn) {
        fprintf(stderr, "claimdb %s: cannot connect to PostgreSQL: %s\n", command, error);
        return 1;
    }
    PGresult *res = PQexec(conn, "SELECT max(name) FROM schema_migrations");
    const char *at =
        PQresultStatus(res) == PGRES_TUPLES_OK && !PQgetisnull(res, 0, 0) ? PQgetvalue(res, 0, 0) : "";
    int rc = 0;
    if (strcmp(at, migrate_latest()) != 0) {
        fprintf(stderr,
                "claimdb %s: the database is not migrated (schema at \"%s\", this claimdb needs \"%s\");"
                " run claimdb migrate first\n",
                command, *at ? at : "none", migrate_latest());
        rc = 1;
    }
    PQclear(res);
    PQfinish(conn);
    return rc;
}

static const char import_usage[] =
    "usage: claimdb import [--dry-run] [--on-conflict=error|update] FILE... (- for stdin)\n"
    "\n"
    "Loads NDJSON datasets (schema/ndjson.md) into DATABASE_URL, each file all or nothing and\n"
    "idempotent by id. Prints one JSON object per file on stdout ({\"file\", \"status\", \"counts\"\n"
    "or \"error\"}), progress on stderr when it is a terminal. Exits 1 when any file failed.\n"
    "  --dry-run               check and run the writes, then roll back\n"
    "  --on-conflict=update    records whose id exists with other content replace it\n"
    "                          (default: error)\n";

int cli_import(const struct config *cfg, int argc, char **argv)
{
    struct import_options opt = {.max_line = cfg->body_limit};
    int i = 0;
    for (; i < argc && strncmp(argv[i], "-", 1) == 0 && strcmp(argv[i], "-") != 0; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(import_usage, stdout);
            return 0;
        } else if (strcmp(argv[i], "--dry-run") == 0)
            opt.dry_run = true;
        else if (strcmp(argv[i], "--on-conflict=update") == 0)
            opt.update = true;
        else if (strcmp(argv[i], "--on-conflict=error") == 0)
            opt.update = false;
        else {
            fprintf(stderr, "claimdb import: unknown option %s\n%s", argv[i], import_usage);
            return 2;
        }
    }
    if (i == argc) {
        fputs(import_usage, stderr);
        return 2;
    }
    if (database_ready("import") != 0)
        return 1;
    bool show_progress = isatty(STDERR_FILENO);
    int failed = 0;
    for (; i < argc; i++)
        failed |= import_file(argv[i], &opt, show_progress);
    return failed;
}

/* The id of the project named by slug or id into id (37 bytes); prints
 * why and returns 1 when there is none. */
static int project_lookup(const char *name, char id[37])
{
    PGconn *conn = cli_connect_or_say("export");
    if (!conn)
        return 1;
    const char *params[] = {name};
    PGresult *res = PQexecParams(conn, "SELECT id FROM projects WHERE slug = $1 OR id::text = lower($1)", 1,
                                 NULL, params, NULL, NULL, 0);
    int rc = 0;
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        fprintf(stderr, "claimdb export: %s", PQerrorMessage(conn));
        rc = 1;
    } else if (PQntuples(res) != 1) {
        fprintf(stderr, "claimdb export: no project %s (give its slug or id)\n", name);
        rc = 1;
    } else {
        snprintf(id, 37, "%s", PQgetvalue(res, 0, 0));
    }
    PQclear(res);
    PQfinish(conn);
    return rc;
}

/* An option whose value is kept as given, and where. */
struct string_option {
    const char *name;
    const char **value;
};

/* Takes argv[*i] as one of options (ending {NULL, NULL}), keeping its value
 * (cli_option_value). Returns false when it is none of them. */
static bool string_option(int argc, char **argv, int *i, const struct string_option *options)
{
    for (const struct string_option *o = options; o->name; o++) {
        const char *v = cli_option_value(argc, argv, i, o->name);
        if (v) {
            *o->value = v;
            return true;
        }
    }
    return false;
}

int cli_export(const struct config *cfg, int argc, char **argv)
{
    (void)cfg;
    static const char usage[] =
        "usage: claimdb export [--project SLUG|ID] [--history] [--format ndjson|csv|w3c] [--table T]\n"
        "                      [--document-id ID] [--actor-id ID] [--tag TAG] [--kind KIND]\n"
        "                      [--created-after TS] [--created-before TS] > FILE\n"
        "\n"
        "Writes the dataset in DATABASE_URL to stdout as one consistent snapshot: NDJSON (default,\n"
        "lossless, what claimdb import reads), one CSV table (--format csv --table documents|actors|\n"
        "claims|attributions|relations|sources|citations|claims_flat) or W3C Web Annotation JSON-LD.\n"
        "The filters keep the matching claims and everything they reference.\n"
        "  --project SLUG|ID   one project's rows only (default: every project)\n"
        "  --history           NDJSON: add the revision log (every change, deleted rows' too);\n"
        "                      claimdb import restores it. Not with --format csv|w3c or filters.\n";
    enum export_format format = EXPORT_NDJSON;
    const char *table = NULL, *v, *project = NULL;
    struct export_filters f = {0};
    const struct string_option options[] = {
        {"--project", &project},
        {"--table", &table},
        {"--document-id", &f.document_id},
        {"--actor-id", &f.actor_id},
        {"--tag", &f.tag},
        {"--kind", &f.kind},
        {"--created-after", &f.created_after},
        {"--created-before", &f.created_before},
        {NULL, NULL},
    };
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(usage, stdout);
            return 0;
        }
        if ((v = cli_option_value(argc, argv, &i, "--format"))) {
            if (strcmp(v, "ndjson") == 0)
                format = EXPORT_NDJSON;
            else if (strcmp(v, "csv") == 0)
                format = EXPORT_CSV;
            else if (strcmp(v, "w3c") == 0)
                format = EXPORT_W3C;
            else {
                fputs(usage, stderr);
                return 2;
            }
        } else if (strcmp(argv[i], "--history") == 0) {
            f.history = true;
        } else if (!string_option(argc, argv, &i, options)) {
            fprintf(stderr, "claimdb export: unknown option %s\n%s", argv[i], usage);
            return 2;
        }
    }
    if ((f.document_id && !uuid_valid(f.document_id)) || (f.actor_id && !uuid_valid(f.actor_id))
        || (f.created_after && !timestamp_text_valid(f.created_after) && !date_text_valid(f.created_after))
        || (f.created_before && !timestamp_text_valid(f.created_before)
            && !date_text_valid(f.created_before))) {
        fputs("claimdb export: ids must be UUIDs and times ISO 8601\n", stderr);
        return 2;
    }
    if ((format == EXPORT_CSV) != (table != NULL)) {
        fputs("claimdb export: --table goes with --format csv (documents, actors, claims, attributions,\n"
              "relations, sources, citations, claims_flat)\n",
              stderr);
        return 2;
    }
    if (f.history
        && (format != EXPORT_NDJSON || f.document_id || f.actor_id || f.tag || f.kind || f.created_after
            || f.created_before)) {
        fputs("claimdb export: --history exports whole projects as NDJSON: not with --format csv|w3c or "
              "filters\n",
              stderr);
        return 2;
    }
    if (database_ready("export") != 0)
        return 1;
    char project_id[37];
    if (project) {
        if (project_lookup(project, project_id) != 0)
            return 1;
        f.project_id = project_id;
    }
    char err[512];
    bool unavailable;
    struct export *ex = export_open(format, table, &f, err, sizeof err, &unavailable);
    if (!ex) {
        fprintf(stderr, "claimdb export: %s\n", err);
        return 1;
    }
    static char buf[1 << 16];
    ssize_t n;
    while ((n = export_read(ex, buf, sizeof buf, err, sizeof err)) > 0)
        if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n)
            break;
    export_close(ex);
    slow_close_all(); /* the connection export_close kept */
    if (n < 0) {
        fprintf(stderr, "claimdb export: %s\n", err);
        return 1;
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fputs("claimdb export: cannot write the output\n", stderr);
        return 1;
    }
    return 0;
}

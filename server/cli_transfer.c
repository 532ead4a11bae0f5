/* claimdb import / export on the command line: the same engines as
 * POST /v1/import and GET /v1/export, talking to DATABASE_URL directly. */
#include "cli.h"

#include "export_engine.h"
#include "import_engine.h"
#include "validate.h"

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

/* Imports one file, all or nothing. Prints the outcome (JSON) to stdout;
 * returns 0 when it was imported. */
static int import_file(const char *path, const struct import_options *opt, bool show_progress)
{
    FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!in) {
        fprintf(stderr, "claimdb import: cannot open %s\n", path);
        return 1;
    }
    char err[512];
    struct import *im = import_begin(opt, err, sizeof err);
    if (!im) {
        fprintf(stderr, "claimdb import: cannot connect to PostgreSQL: %s\n", err);
        if (in != stdin)
            fclose(in);
        return 1;
    }
    static char buf[1 << 20];
    double started = now_seconds(), shown = started;
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0) {
        import_feed(im, buf, n);
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
    json_t *body = NULL;
    unsigned status = import_finish(im, &body);
    if (show_progress)
        progress(path, import_records(im), started, true);
    char *text = json_dumps(body, JSON_INDENT(2));
    fprintf(status == 200 ? stdout : stderr, "%s: %s\n", path, text ? text : "(no report)");
    free(text);
    json_decref(body);
    import_free(im);
    return status == 200 ? 0 : 1;
}

int cli_import(const struct config *cfg, int argc, char **argv)
{
    (void)cfg;
    struct import_options opt = {0};
    int i = 0;
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        if (strcmp(argv[i], "--dry-run") == 0)
            opt.dry_run = true;
        else if (strcmp(argv[i], "--on-conflict=update") == 0)
            opt.update = true;
        else if (strcmp(argv[i], "--on-conflict=error") == 0)
            opt.update = false;
        else {
            fprintf(stderr, "claimdb import: unknown option %s\n"
                            "usage: claimdb import [--dry-run] [--on-conflict=error|update] FILE...\n", argv[i]);
            return 2;
        }
    }
    if (i == argc) {
        fputs("usage: claimdb import [--dry-run] [--on-conflict=error|update] FILE... (- for stdin)\n", stderr);
        return 2;
    }
    bool show_progress = isatty(STDERR_FILENO);
    int failed = 0;
    for (; i < argc; i++)
        failed |= import_file(argv[i], &opt, show_progress);
    return failed;
}

static const char *option_value(int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n) != 0)
        return NULL;
    if (argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (argv[*i][n] == '\0' && *i + 1 < argc)
        return argv[++*i];
    return NULL;
}

int cli_export(const struct config *cfg, int argc, char **argv)
{
    (void)cfg;
    static const char usage[] =
        "usage: claimdb export [--format ndjson|csv|w3c] [--table T] [--document-id ID] [--actor-id ID]\n"
        "                      [--tag TAG] [--kind KIND] [--created-after TS] [--created-before TS] > FILE\n";
    enum export_format format = EXPORT_NDJSON;
    const char *table = NULL, *v;
    struct export_filters f = {0};
    for (int i = 0; i < argc; i++) {
        if ((v = option_value(argc, argv, &i, "--format"))) {
            if (strcmp(v, "ndjson") == 0) format = EXPORT_NDJSON;
            else if (strcmp(v, "csv") == 0) format = EXPORT_CSV;
            else if (strcmp(v, "w3c") == 0) format = EXPORT_W3C;
            else { fputs(usage, stderr); return 2; }
        } else if ((v = option_value(argc, argv, &i, "--table"))) table = v;
        else if ((v = option_value(argc, argv, &i, "--document-id"))) f.document_id = v;
        else if ((v = option_value(argc, argv, &i, "--actor-id"))) f.actor_id = v;
        else if ((v = option_value(argc, argv, &i, "--tag"))) f.tag = v;
        else if ((v = option_value(argc, argv, &i, "--kind"))) f.kind = v;
        else if ((v = option_value(argc, argv, &i, "--created-after"))) f.created_after = v;
        else if ((v = option_value(argc, argv, &i, "--created-before"))) f.created_before = v;
        else {
            fprintf(stderr, "claimdb export: unknown option %s\n%s", argv[i], usage);
            return 2;
        }
    }
    if ((f.document_id && !uuid_valid(f.document_id)) || (f.actor_id && !uuid_valid(f.actor_id))
        || (f.created_after && !timestamp_text_valid(f.created_after) && !date_text_valid(f.created_after))
        || (f.created_before && !timestamp_text_valid(f.created_before) && !date_text_valid(f.created_before))) {
        fputs("claimdb export: ids must be UUIDs and times ISO 8601\n", stderr);
        return 2;
    }
    if ((format == EXPORT_CSV) != (table != NULL)) {
        fputs("claimdb export: --table goes with --format csv (documents, actors, claims, attributions,\n"
              "relations, sources, citations, claims_flat)\n", stderr);
        return 2;
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

#include "migrate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Any fixed number: "claimdb migrations" lock key. */
#define MIGRATION_LOCK_KEY "7234601883516235001"

static PGresult *exec(PGconn *conn, const char *sql, int n, const char *const *params)
{
    return PQexecParams(conn, sql, n, NULL, params, NULL, NULL, 0);
}

static bool ok(PGresult *res, const char *what)
{
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
        return true;
    fprintf(stderr, "claimdb migrate: %s: %s", what, PQresultErrorMessage(res));
    return false;
}

/* Runs one statement that returns no rows; false (message printed) on error. */
static bool run(PGconn *conn, const char *sql, const char *what)
{
    PGresult *res = PQexec(conn, sql);
    bool good = ok(res, what);
    PQclear(res);
    return good;
}

const char *migrate_latest(void)
{
    return migrations_count ? migrations[migrations_count - 1].name : "";
}

static int apply_one(PGconn *conn, const struct migration *m)
{
    if (!run(conn, "BEGIN", "begin"))
        return -1;
    /* The file is trusted code shipped in the binary, not input; it may hold
     * many statements, hence the simple-query protocol. */
    PGresult *res = PQexec(conn, m->sql);
    bool good = ok(res, m->name);
    PQclear(res);
    if (good) {
        const char *params[] = {m->name, m->sql};
        res = exec(conn,
                   "INSERT INTO schema_migrations (name, checksum) "
                   "VALUES ($1, encode(sha256(convert_to($2, 'UTF8')), 'hex'))",
                   2, params);
        good = ok(res, "recording the migration");
        PQclear(res);
    }
    if (!good || !run(conn, "COMMIT", "commit")) {
        run(conn, "ROLLBACK", "rollback");
        return -1;
    }
    fprintf(stderr, "{\"level\":\"info\",\"event\":\"migrated\",\"migration\":\"%s\"}\n", m->name);
    return 0;
}

int migrate_run(PGconn *conn, bool apply, int *applied)
{
    int count = 0, status = -1;
    if (applied)
        *applied = 0;
    if (!run(conn, "SET client_min_messages = warning", "settings")
        || !run(conn, "SELECT pg_advisory_lock(" MIGRATION_LOCK_KEY ")", "taking the migration lock"))
        return -1;
    if (!run(conn,
             "CREATE TABLE IF NOT EXISTS schema_migrations ("
             " name text PRIMARY KEY,"
             " checksum text NOT NULL,"
             " applied_at timestamptz NOT NULL DEFAULT now())",
             "creating schema_migrations"))
        goto unlock;

    PGresult *res = exec(conn, "SELECT name, checksum FROM schema_migrations ORDER BY name", 0, NULL);
    if (!ok(res, "reading schema_migrations")) {
        PQclear(res);
        goto unlock;
    }
    int rows = PQntuples(res);
    bool bad = false;
    for (int i = 0; i < rows; i++) {
        const char *name = PQgetvalue(res, i, 0);
        const struct migration *m = NULL;
        for (size_t k = 0; k < migrations_count; k++)
            if (strcmp(migrations[k].name, name) == 0)
                m = &migrations[k];
        if (!m) {
            fprintf(stderr,
                    "claimdb migrate: the database has migration %s, which this claimdb does not"
                    " know: it is newer than this binary\n",
                    name);
            bad = true;
            continue;
        }
        const char *params[] = {m->sql};
        PGresult *sum = exec(conn, "SELECT encode(sha256(convert_to($1, 'UTF8')), 'hex')", 1, params);
        if (ok(sum, "checksum") && strcmp(PQgetvalue(sum, 0, 0), PQgetvalue(res, i, 1)) != 0) {
            fprintf(stderr,
                    "claimdb migrate: migration %s was changed after it was applied"
                    " (checksum %s in the database, %s in this binary); refusing to start."
                    " Add a new migration instead of editing an applied one.\n",
                    name, PQgetvalue(res, i, 1), PQgetvalue(sum, 0, 0));
            bad = true;
        }
        PQclear(sum);
    }
    if (bad) {
        PQclear(res);
        goto unlock;
    }
    for (size_t k = 0; k < migrations_count; k++) {
        bool done = false;
        for (int i = 0; i < rows && !done; i++)
            done = strcmp(migrations[k].name, PQgetvalue(res, i, 0)) == 0;
        if (done)
            continue;
        if (!apply) {
            fprintf(stderr, "claimdb migrate: migration %s is pending\n", migrations[k].name);
            PQclear(res);
            goto unlock;
        }
        if (apply_one(conn, &migrations[k]) != 0) {
            PQclear(res);
            goto unlock;
        }
        count++;
    }
    PQclear(res);
    status = 0;
    if (applied)
        *applied = count;
unlock:
    run(conn, "SELECT pg_advisory_unlock(" MIGRATION_LOCK_KEY ")", "releasing the migration lock");
    return status;
}

/* migrate: applying migrations/NNNN_name.sql (embedded in the binary at
 * build time) to the database, each in its own transaction, recorded with
 * a SHA-256 checksum in schema_migrations. */
#ifndef CLAIMDB_MIGRATE_H
#define CLAIMDB_MIGRATE_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

struct migration {
    const char *name; /* file name, "0001_data_model.sql" */
    const char *sql;
    size_t len;
};

/* The embedded migrations in order (generated build/migrations.c). */
extern const struct migration migrations[];
extern const size_t migrations_count;

/* Brings the database up to date. Holds an advisory lock while it works so
 * that concurrent migrators apply each migration once. Refuses (returns -1
 * with a message on stderr) when an applied migration's checksum differs
 * from the embedded file, or the database has migrations this binary does
 * not know. With apply false it only checks, failing when any is pending.
 * Returns 0 on success; *applied (may be NULL) gets how many it applied. */
int migrate_run(PGconn *conn, bool apply, int *applied);

/* The version the database should be at: the last embedded file's name. */
const char *migrate_latest(void);

#endif

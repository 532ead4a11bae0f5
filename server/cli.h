/* cli: the command-line commands besides serve and migrate. */
#ifndef CLAIMDB_CLI_H
#define CLAIMDB_CLI_H

#include "config.h"

#include <libpq-fe.h>

/* The value of option `name` at argv[*i], given as "--name value" (then *i
 * moves to the value) or "--name=value"; NULL when argv[*i] is another
 * option or the value is missing. */
const char *cli_option_value(int argc, char **argv, int *i, const char *name);

/* A subcommand: its name and what runs it (with the arguments after it). */
struct cli_command {
    const char *name;
    int (*run)(int argc, char **argv);
};

/* Runs the one of commands (ending {NULL, NULL}) that argv[0] names, with
 * the arguments after it, and returns its exit code; prints usage to stderr
 * and returns 2 when argv[0] names none. */
int cli_dispatch(int argc, char **argv, const struct cli_command *commands, const char *usage);

/* A command-line connection with full access (db_scope_command_line: whoever
 * holds the database URL is trusted), or NULL after printing why, prefixed
 * "claimdb <command>: ". The caller PQfinish()es it. */
PGconn *cli_connect_or_say(const char *command);

/* claimdb import FILE…: loads NDJSON files. Returns the process exit code. */
int cli_import(const struct config *cfg, int argc, char **argv);
/* claimdb export [filters] > FILE: writes NDJSON. Returns the exit code. */
int cli_export(const struct config *cfg, int argc, char **argv);

/* claimdb user add …: creates an account. Returns the exit code. */
int cli_user(int argc, char **argv);
/* claimdb token create|list|revoke …: API tokens. Returns the exit code. */
int cli_token(int argc, char **argv);
/* claimdb project add|member …: projects and their members. Returns the exit code. */
int cli_project(int argc, char **argv);

/* claimdb serve on a database without users, with CLAIMDB_OWNER set: creates
 * that user (server admin, owner of the default project; password from
 * CLAIMDB_OWNER_PASSWORD if set) and an API token written to
 * CLAIMDB_OWNER_TOKEN_FILE (mode 600). Does nothing otherwise. Returns 0, or 1
 * after printing why. */
int cli_bootstrap_owner(void);

#endif

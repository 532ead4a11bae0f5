/* cli: the command-line commands besides serve and migrate. */
#ifndef CLAIMDB_CLI_H
#define CLAIMDB_CLI_H

#include "config.h"

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

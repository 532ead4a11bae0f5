/* cli: the `claimdb import` and `claimdb export` commands. */
#ifndef CLAIMDB_CLI_H
#define CLAIMDB_CLI_H

#include "config.h"

/* claimdb import FILE…: loads NDJSON files. Returns the process exit code. */
int cli_import(const struct config *cfg, int argc, char **argv);
/* claimdb export [filters] > FILE: writes NDJSON. Returns the exit code. */
int cli_export(const struct config *cfg, int argc, char **argv);

#endif

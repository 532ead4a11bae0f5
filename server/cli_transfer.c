/* claimdb import / export on the command line: not written yet (issue 4). */
#include "cli.h"

#include <stdio.h>

int cli_import(const struct config *cfg, int argc, char **argv)
{
    (void)cfg; (void)argc; (void)argv;
    fputs("claimdb import: not available yet\n", stderr);
    return 2;
}

int cli_export(const struct config *cfg, int argc, char **argv)
{
    (void)cfg; (void)argc; (void)argv;
    fputs("claimdb export: not available yet\n", stderr);
    return 2;
}

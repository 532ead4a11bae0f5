/* What every command-line command shares: reading its options and opening
 * its connection. */
#include "cli.h"
#include "db.h"

#include <stdio.h>
#include <string.h>

const char *cli_option_value(int argc, char **argv, int *i, const char *name)
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

int cli_dispatch(int argc, char **argv, const struct cli_command *commands, const char *usage)
{
    for (const struct cli_command *c = commands; argc >= 1 && c->name; c++)
        if (strcmp(argv[0], c->name) == 0)
            return c->run(argc - 1, argv + 1);
    fputs(usage, stderr);
    return 2;
}

PGconn *cli_connect_or_say(const char *command)
{
    char error[512];
    PGconn *conn = db_connect(false, error, sizeof error);
    if (!conn) {
        fprintf(stderr, "claimdb %s: cannot connect to PostgreSQL: %s\n", command, error);
        return NULL;
    }
    if (!db_scope_command_line(conn)) {
        fprintf(stderr, "claimdb %s: %s", command, PQerrorMessage(conn));
        PQfinish(conn);
        return NULL;
    }
    return conn;
}

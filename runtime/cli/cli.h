/* The ptk command: one entry per subcommand (runtime/cli/main.c holds the
 * table). Every subcommand returns the process exit status: 0 ok, 1 user
 * error (diagnostics printed), 2 usage error. */
#ifndef PTK_CLI_H
#define PTK_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "lang/diag.h"

enum { PTK_EXIT_OK = 0, PTK_EXIT_ERROR = 1, PTK_EXIT_USAGE = 2 };

typedef struct ptk_cmd {
  const char *name;
  const char *summary; /* one line for `ptk --help` */
  const char *usage;   /* full text for `ptk CMD --help` */
  int (*run)(int argc, char **argv); /* argv[0] is the subcommand name */
} ptk_cmd;

int ptk_cmd_check(int argc, char **argv);
int ptk_cmd_parse(int argc, char **argv);
int ptk_cmd_fmt(int argc, char **argv);
int ptk_cmd_run(int argc, char **argv);
extern const char ptk_cmd_check_usage[];
extern const char ptk_cmd_parse_usage[];
extern const char ptk_cmd_fmt_usage[];
extern const char ptk_cmd_run_usage[];

/* Shared helpers. */
bool ptk_cli_is_help(const char *arg);
int ptk_cli_usage_error(const char *cmd, const char *fmt, ...) PTK_PRINTF(2, 3);
/* Load FILE ("-" = stdin). On failure emits "FILE: error: cannot read …". */
ptk_source *ptk_cli_load(const char *path, ptk_diags *d);
bool ptk_cli_has_ext(const char *path, const char *ext);

#endif

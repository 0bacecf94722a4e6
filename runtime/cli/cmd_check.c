#include <string.h>

#include "parser/parse.h"
#include "runtime/cli/cli.h"

const char ptk_cmd_check_usage[] =
    "usage: ptk check FILE...\n"
    "\n"
    "Check kernel files and print diagnostics to stderr; nothing else is printed.\n"
    "  FILE.ptk   lex and parse the kernel language\n"
    "FILE may be '-' for standard input (read as .ptk).\n"
    "Exit status: 0 when every file is clean, 1 when any has errors.\n";

static int check_ptk(const char *path, ptk_diags *d) {
  ptk_source *src = ptk_cli_load(path, d);
  if (!src) return PTK_EXIT_ERROR;
  ptk_arena *arena = ptk_arena_new();
  size_t before = ptk_diags_errors(d);
  ptk_parse(src, d, arena);
  ptk_arena_free(arena);
  ptk_source_free(src);
  return ptk_diags_errors(d) > before ? PTK_EXIT_ERROR : PTK_EXIT_OK;
}

int ptk_cmd_check(int argc, char **argv) {
  int nfiles = 0;
  for (int i = 1; i < argc; i++) {
    if (argv[i][0] == '-' && argv[i][1])
      return ptk_cli_usage_error("check", "unknown option '%s'", argv[i]);
    if (!strcmp(argv[i], "-") || ptk_cli_has_ext(argv[i], ".ptk")) {
      nfiles++;
      continue;
    }
    return ptk_cli_usage_error("check", "'%s': unknown file type (expected .ptk)", argv[i]);
  }
  if (!nfiles) return ptk_cli_usage_error("check", "missing FILE");
  int rc = PTK_EXIT_OK;
  for (int i = 1; i < argc; i++) {
    ptk_diags *d = ptk_diags_new();
    if (check_ptk(argv[i], d) != PTK_EXIT_OK) rc = PTK_EXIT_ERROR;
    ptk_diags_print(d, stderr);
    ptk_diags_free(d);
  }
  return rc;
}

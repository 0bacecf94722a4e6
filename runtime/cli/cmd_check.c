#include <string.h>

#include "backend/verify.h"
#include "parser/parse.h"
#include "parser/pto_read.h"
#include "runtime/cli/cli.h"

const char ptk_cmd_check_usage[] =
    "usage: ptk check FILE...\n"
    "\n"
    "Check kernel files and print diagnostics to stderr; nothing else is printed.\n"
    "  FILE.ptk   lex and parse the kernel language\n"
    "  FILE.pto   read the PTO IR and verify it\n"
    "FILE may be '-' for standard input (read as .ptk).\n"
    "Exit status: 0 when every file is clean, 1 when any has errors.\n";

static void check_ptk(const ptk_source *src, ptk_diags *d) {
  ptk_arena *arena = ptk_arena_new();
  ptk_parse(src, d, arena);
  ptk_arena_free(arena);
}

static void check_pto(const ptk_source *src, ptk_diags *d) {
  ptk_module *m = ptk_pto_read(src, d);
  if (m) ptk_verify_module(m, d);
  ptk_module_free(m);
}

int ptk_cmd_check(int argc, char **argv) {
  int nfiles = 0;
  for (int i = 1; i < argc; i++) {
    if (argv[i][0] == '-' && argv[i][1])
      return ptk_cli_usage_error("check", "unknown option '%s'", argv[i]);
    if (strcmp(argv[i], "-") && !ptk_cli_has_ext(argv[i], ".ptk") &&
        !ptk_cli_has_ext(argv[i], ".pto"))
      return ptk_cli_usage_error("check", "'%s': unknown file type (expected .ptk or .pto)",
                                 argv[i]);
    nfiles++;
  }
  if (!nfiles) return ptk_cli_usage_error("check", "missing FILE");
  int rc = PTK_EXIT_OK;
  for (int i = 1; i < argc; i++) {
    ptk_diags *d = ptk_diags_new();
    ptk_source *src = ptk_cli_load(argv[i], d);
    if (src) {
      if (ptk_cli_has_ext(argv[i], ".pto"))
        check_pto(src, d);
      else
        check_ptk(src, d);
    }
    if (ptk_diags_errors(d)) rc = PTK_EXIT_ERROR;
    ptk_diags_print(d, stderr);
    ptk_diags_free(d);
    ptk_source_free(src);
  }
  return rc;
}

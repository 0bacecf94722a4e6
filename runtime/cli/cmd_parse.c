#include <string.h>

#include "parser/parse.h"
#include "runtime/cli/cli.h"

const char ptk_cmd_parse_usage[] =
    "usage: ptk parse [--dump-ast] FILE.ptk\n"
    "\n"
    "Parse a .ptk file and report syntax errors. With --dump-ast, print the\n"
    "syntax tree as an S-expression with source locations (line:col) to stdout.\n"
    "FILE may be '-' for standard input.\n";

int ptk_cmd_parse(int argc, char **argv) {
  bool dump = false;
  const char *path = NULL;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--dump-ast"))
      dump = true;
    else if (argv[i][0] == '-' && argv[i][1])
      return ptk_cli_usage_error("parse", "unknown option '%s'", argv[i]);
    else if (path)
      return ptk_cli_usage_error("parse", "expected one FILE, got '%s' and '%s'", path, argv[i]);
    else
      path = argv[i];
  }
  if (!path) return ptk_cli_usage_error("parse", "missing FILE");
  ptk_diags *d = ptk_diags_new();
  ptk_source *src = ptk_cli_load(path, d);
  int rc = PTK_EXIT_ERROR;
  if (src) {
    ptk_arena *arena = ptk_arena_new();
    ptk_ast_file *f = ptk_parse(src, d, arena);
    if (!ptk_diags_errors(d)) {
      rc = PTK_EXIT_OK;
      if (dump) {
        ptk_buf out = {0};
        ptk_ast_dump(f, &out);
        fputs(ptk_buf_cstr(&out), stdout);
        ptk_buf_free(&out);
      }
    }
    ptk_arena_free(arena);
  }
  ptk_diags_print(d, stderr);
  ptk_diags_free(d);
  ptk_source_free(src);
  return rc;
}

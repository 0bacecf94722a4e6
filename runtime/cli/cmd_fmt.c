/* ptk fmt FILE|-: print the canonical .pto text of a .pto file. */
#include <stdio.h>
#include <string.h>

#include "parser/pto_print.h"
#include "parser/pto_read.h"
#include "runtime/cli/cli.h"

const char ptk_cmd_fmt_usage[] =
    "usage: ptk fmt [--help] FILE|-\n"
    "\n"
    "Read a .pto file ('-' = standard input) and print its canonical text to\n"
    "stdout: one op per line, two-space indentation, tile_buf types in the\n"
    "compact spelling with defaults omitted, values renumbered (%argN, %N,\n"
    "constants %c32 / %c0_i32 / %true / %cst), attributes sorted.\n"
    "`ptk fmt x.pto | ptk fmt -` prints the same text again.\n"
    "Exit status: 0 ok, 1 the file has errors (diagnostics on stderr), 2 usage.\n";

int ptk_cmd_fmt(int argc, char **argv) {
  const char *path = NULL;
  for (int i = 1; i < argc; i++) {
    if (ptk_cli_is_help(argv[i])) {
      fputs(ptk_cmd_fmt_usage, stdout);
      return PTK_EXIT_OK;
    }
    if (argv[i][0] == '-' && argv[i][1]) return ptk_cli_usage_error("fmt", "unknown option '%s'", argv[i]);
    if (path) return ptk_cli_usage_error("fmt", "expected one FILE");
    path = argv[i];
  }
  if (!path) return ptk_cli_usage_error("fmt", "missing FILE");
  ptk_diags *d = ptk_diags_new();
  ptk_source *src = ptk_cli_load(path, d);
  int rc = PTK_EXIT_ERROR;
  if (src) {
    ptk_module *m = ptk_pto_read(src, d);
    if (m) {
      ptk_buf out = {0};
      ptk_pto_print(m, &out);
      fwrite(ptk_buf_cstr(&out), 1, out.len, stdout);
      fflush(stdout);
      ptk_buf_free(&out);
      ptk_module_free(m);
      rc = PTK_EXIT_OK;
    }
  }
  ptk_diags_print(d, stderr);
  ptk_diags_free(d);
  ptk_source_free(src);
  return rc;
}

/* ptk fmt FILE|-: print canonical .pto text (of a .pto file, or of the IR
 * traced from a .ptk kernel). */
#include <stdio.h>
#include <string.h>

#include "parser/pto_print.h"
#include "parser/pto_read.h"
#include "runtime/cli/cli.h"
#include "runtime/kernel.h"
#include "runtime/program/program.h"

const char ptk_cmd_fmt_usage[] =
    "usage: ptk fmt [--entry NAME] [--const NAME=VALUE]... [-I DIR]... FILE|-\n"
    "\n"
    "Print canonical .pto text to stdout: one op per line, two-space indentation,\n"
    "tile_buf types in the compact spelling with defaults omitted, values\n"
    "renumbered (%argN, %N, constants %c32 / %c0_i32 / %true / %cst), attributes\n"
    "sorted. `ptk fmt x.pto | ptk fmt -` prints the same text again.\n"
    "  FILE.pto   the module as read ('-' = standard input, read as .pto)\n"
    "  FILE.ptk   the IR traced from the kernel (--entry NAME when the file has\n"
    "             several), before any pass; --const binds const parameters,\n"
    "             -I DIR adds an import search folder; for a program (the only\n"
    "             one, or --entry NAME) its orchestration IR, verified\n"
    "             (docs/programs-ir.md)\n"
    "Exit status: 0 ok, 1 the file has errors (diagnostics on stderr), 2 usage.\n";

static void print_module(const ptk_module *m) {
  ptk_buf out = {0};
  ptk_pto_print(m, &out);
  fwrite(ptk_buf_cstr(&out), 1, out.len, stdout);
  fflush(stdout);
  ptk_buf_free(&out);
}

int ptk_cmd_fmt(int argc, char **argv) {
  const char *path = NULL;
  ptk_cli_kopts k = {0};
  int rc = PTK_EXIT_OK;
  for (int i = 1; i < argc && rc == PTK_EXIT_OK; i++) {
    int r = ptk_cli_kopt(&k, "fmt", argc, argv, &i);
    if (r < 0) rc = PTK_EXIT_USAGE;
    if (r) continue;
    if (argv[i][0] == '-' && argv[i][1])
      rc = ptk_cli_usage_error("fmt", "unknown option '%s'", argv[i]);
    else if (path)
      rc = ptk_cli_usage_error("fmt", "expected one FILE");
    else
      path = argv[i];
  }
  if (rc == PTK_EXIT_OK && !path) rc = ptk_cli_usage_error("fmt", "missing FILE");
  if (rc != PTK_EXIT_OK) {
    ptk_cli_kopts_free(&k);
    return rc;
  }
  bool is_ptk = ptk_cli_has_ext(path, ".ptk");
  ptk_diags *d = ptk_diags_new();
  ptk_source *src = ptk_cli_load(path, d);
  rc = PTK_EXIT_ERROR;
  if (src && is_ptk && ptk_program_in_source(src, k.entry)) {
    /* a program: its orchestration IR as traced (docs/programs-ir.md) */
    ptk_trace_opts o = ptk_cli_trace_opts(&k);
    ptk_program_opts po = {0};
    po.entry = k.entry;
    po.trace = &o;
    po.consts = k.consts.data;
    po.nconsts = k.consts.len;
    ptk_program *p = ptk_program_load(path, src, &po, d);
    if (p) {
      print_module(ptk_program_orchestration(p));
      rc = PTK_EXIT_OK;
    }
    ptk_program_free(p);
  } else if (src && is_ptk) {
    ptk_trace_opts o = ptk_cli_trace_opts(&k);
    ptk_loaded *l = ptk_kernel_load_ex(path, src, k.entry, k.consts.data, k.consts.len, &o,
                                       PTK_LOAD_NO_PASSES, d);
    if (l) {
      print_module(ptk_loaded_module(l));
      rc = PTK_EXIT_OK;
    }
    ptk_loaded_free(l);
  } else if (src) {
    if (k.entry || k.consts.len || k.includes.len) {
      ptk_error_file(d, path, "--entry, --const and -I apply to .ptk files only");
    } else {
      ptk_module *m = ptk_pto_read(src, d);
      if (m) {
        print_module(m);
        rc = PTK_EXIT_OK;
      }
      ptk_module_free(m);
    }
  }
  ptk_diags_print(d, stderr);
  ptk_diags_free(d);
  ptk_source_free(src);
  ptk_cli_kopts_free(&k);
  return rc;
}

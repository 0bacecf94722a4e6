#include <string.h>

#include "backend/passes/passes.h"
#include "backend/verify.h"
#include "parser/parse.h"
#include "parser/pto_read.h"
#include "runtime/cli/cli.h"
#include "runtime/kernel.h"

const char ptk_cmd_check_usage[] =
    "usage: ptk check [--entry NAME] [--const NAME=VALUE]... [-I DIR]... [--strict-sync] FILE...\n"
    "\n"
    "Check kernel files and print diagnostics to stderr; nothing else is printed.\n"
    "  FILE.ptk   parse, trace every kernel of the file (only NAME with --entry)\n"
    "             with its const bindings, and verify the traced IR\n"
    "  FILE.pto   read the PTO IR and verify every function\n"
    "FILE may be '-' for standard input (read as .ptk).\n"
    "  --entry NAME          check only kernel NAME\n"
    "  --const NAME=VALUE    bind a const parameter (default: its declared default)\n"
    "  -I DIR                search DIR for imports (after the importing file's folder)\n"
    "  --strict-sync         also check the synchronization the author wrote (functions\n"
    "                        with sync ops; every function of an explicit-address\n"
    "                        .pto file): findings are errors\n"
    "Exit status: 0 when every file is clean, 1 when any has errors, 2 usage error.\n";

static bool strict_sync;

static void check_kernel(const char *path, const ptk_source *src, const char *entry,
                         const ptk_cli_kopts *k, ptk_diags *d) {
  ptk_trace_opts o = ptk_cli_trace_opts(k);
  ptk_loaded *l = ptk_kernel_load_ex(path, src, entry, k->consts.data, k->consts.len, &o,
                                     PTK_LOAD_NO_PASSES | (strict_sync ? PTK_LOAD_STRICT_SYNC : 0),
                                     d);
  ptk_loaded_free(l);
}

static void check_ptk(const char *path, const ptk_source *src, const ptk_cli_kopts *k,
                      ptk_diags *d) {
  if (k->entry) {
    check_kernel(path, src, k->entry, k, d);
    return;
  }
  /* Without --entry every kernel of the file is traced; a file with no
   * kernel (a library of fn helpers) is only parsed. */
  ptk_arena *a = ptk_arena_new();
  enum { MAX = 256 };
  const char *names[MAX];
  size_t before = ptk_diags_errors(d);
  size_t n = ptk_trace_list_kernels(src, a, d, names, MAX);
  if (ptk_diags_errors(d) == before)
    for (size_t i = 0; i < n && i < MAX; i++) check_kernel(path, src, names[i], k, d);
  ptk_arena_free(a);
}

/* A .pto file that places any tile itself is an explicit-mode kernel. */
static bool no_addr(ptk_op *op, void *unused) {
  (void)unused;
  uint32_t n = 0;
  if (op->kind == PTK_OP_ALLOC_TILE) ptk_op_segment(op, 0, &n);
  return n == 0;
}

static void check_pto(const ptk_source *src, ptk_diags *d) {
  ptk_module *m = ptk_pto_read(src, d);
  if (m && ptk_verify_module(m, d) && strict_sync)
    ptk_check_sync_as_written(m, !ptk_walk_module(ptk_module_top(m), no_addr, NULL), d);
  ptk_module_free(m);
}

int ptk_cmd_check(int argc, char **argv) {
  ptk_cli_kopts k = {0};
  PTK_VEC(const char *) files = {0};
  int rc = PTK_EXIT_OK;
  strict_sync = false;
  for (int i = 1; i < argc && rc == PTK_EXIT_OK; i++) {
    int r = ptk_cli_kopt(&k, "check", argc, argv, &i);
    if (r < 0) rc = PTK_EXIT_USAGE;
    if (r) continue;
    if (!strcmp(argv[i], "--strict-sync"))
      strict_sync = true;
    else if (argv[i][0] == '-' && argv[i][1])
      rc = ptk_cli_usage_error("check", "unknown option '%s'", argv[i]);
    else if (strcmp(argv[i], "-") && !ptk_cli_has_ext(argv[i], ".ptk") &&
             !ptk_cli_has_ext(argv[i], ".pto"))
      rc = ptk_cli_usage_error("check", "'%s': unknown file type (expected .ptk or .pto)",
                               argv[i]);
    else
      ptk_vec_push(&files, argv[i]);
  }
  if (rc == PTK_EXIT_OK && !files.len) rc = ptk_cli_usage_error("check", "missing FILE");
  for (size_t i = 0; rc != PTK_EXIT_USAGE && i < files.len; i++) {
    const char *path = files.data[i];
    ptk_diags *d = ptk_diags_new();
    ptk_source *src = ptk_cli_load_as(path, "<stdin>.ptk", d);
    if (src) {
      if (ptk_cli_has_ext(path, ".pto"))
        check_pto(src, d);
      else
        check_ptk(src->path, src, &k, d);
    }
    if (ptk_diags_errors(d)) rc = PTK_EXIT_ERROR;
    ptk_diags_print(d, stderr);
    ptk_diags_free(d);
    ptk_source_free(src);
  }
  ptk_vec_free(&files);
  ptk_cli_kopts_free(&k);
  return rc;
}

#include <string.h>

#include "backend/passes/passes.h"
#include "backend/verify.h"
#include "parser/parse.h"
#include "parser/pto_read.h"
#include "runtime/cli/cli.h"
#include "runtime/program/orch_ir.h"
#include "runtime/program/program.h"
#include "runtime/kernel.h"

const char ptk_cmd_check_usage[] =
    "usage: ptk check [--entry NAME] [--const NAME=VALUE]... [-I DIR]... [--target a2|a3|a5]\n"
    "                 [--mode auto|explicit] [--strict-sync]\n"
    "                 FILE...\n"
    "\n"
    "Check kernel files and print diagnostics to stderr; nothing else is printed.\n"
    "  FILE.ptk   parse, trace every kernel of the file (only NAME with --entry)\n"
    "             with its const bindings, verify the traced IR and run the pass\n"
    "             pipeline `ptk run` runs before a launch (shape checks, argument\n"
    "             directions, memory planning, sync check)\n"
    "  FILE.pto   read the PTO IR, verify every function and run the same pipeline\n"
    "             for every function with a body (only NAME with --entry); a file\n"
    "             holding a program function (an orchestration IR, {ptk.program})\n"
    "             is checked by the orchestration verifier instead\n"
    "Exit status 0 means every checked kernel passes everything `ptk run` checks\n"
    "before it launches.\n"
    "FILE may be '-' for standard input (read as .ptk).\n"
    "  --entry NAME          check only kernel (.pto: function) NAME\n"
    "  --const NAME=VALUE    bind a const parameter (default: its declared default)\n"
    "  -I DIR                search DIR for imports (after the importing file's folder)\n"
    "  --target a2|a3|a5     .pto: judge the module as this target (ptoas --pto-arch): the\n"
    "                        verifier's per-target rules and the on-chip memory sizes;\n"
    "                        default: its pto.target_arch, else a3. a2 is judged as a3:\n"
    "                        ptoas gives A2 and A3 the same rules and memories\n"
    "  --mode auto|explicit  .pto: judge the module as compiled in this mode (ptoas\n"
    "                        --pto-level=level2|level3): explicit places every tile itself\n"
    "                        (alloc_tile / alloc_multi_tile need addr) and may tassign; auto\n"
    "                        plans multi-buffers; default: explicit when the file places a tile\n"
    "  --strict-sync         also check the synchronization the author wrote (functions\n"
    "                        with sync ops; every function of an explicit-address\n"
    "                        .pto file): findings are errors\n"
    "Exit status: 0 when every file is clean, 1 when any has errors, 2 usage error.\n";

static bool strict_sync;
static const char *check_target; /* --target: NULL, "a2", "a3" or "a5" */
static const char *check_mode;   /* --mode: NULL, "auto" or "explicit" */

static void check_kernel(const char *path, const ptk_source *src, const char *entry,
                         const ptk_cli_kopts *k, ptk_diags *d) {
  ptk_trace_opts o = ptk_cli_trace_opts(k);
  ptk_loaded *l = ptk_kernel_load_ex(path, src, entry, k->consts.data, k->consts.len, &o,
                                     strict_sync ? PTK_LOAD_STRICT_SYNC : 0, d);
  ptk_loaded_free(l);
}

/* A program: loading it checks every launch against its kernel. */
static void check_program(const ptk_source *src, const char *name, const ptk_cli_kopts *k, ptk_diags *d) {
  ptk_trace_opts to = ptk_cli_trace_opts(k);
  ptk_program_opts po = {0};
  po.entry = name;
  po.trace = &to;
  po.load_flags = strict_sync ? PTK_LOAD_STRICT_SYNC : 0;
  ptk_program_free(ptk_program_load(src->path, src, &po, d));
}

static void check_ptk(const char *path, const ptk_source *src, const ptk_cli_kopts *k,
                      ptk_diags *d) {
  if (k->entry && ptk_program_in_source(src, k->entry)) {
    check_program(src, k->entry, k, d);
    return;
  }
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
  /* then every program (when its kernels are fine: their errors are reported once) */
  if (ptk_diags_errors(d) == before) {
    ptk_diags *pd = ptk_diags_new();
    ptk_ast_file *f = ptk_parse(src, pd, a);
    for (size_t i = 0; f && i < f->nitems; i++)
      if (f->items[i]->kind == PTK_ITEM_PROGRAM) check_program(src, f->items[i]->u.program.name, k, d);
    ptk_diags_free(pd);
  }
  ptk_arena_free(a);
}

typedef PTK_VEC(const char *) name_vec;

static void collect_defs(const ptk_module *m, name_vec *out) {
  for (uint32_t i = 0; i < m->nitems; i++) {
    if (m->items[i].kind == PTK_ITEM_MODULE)
      collect_defs(m->items[i].module, out);
    else if (m->items[i].func->body)
      ptk_vec_push(out, m->items[i].func->name);
  }
}

/* After the verifier, every function with a body (only --entry NAME when
 * given) goes through the pipeline `ptk run` runs before launching it, so
 * a clean check means the function launches. */
static void check_pto(const char *path, const ptk_source *src, const char *entry, ptk_diags *d) {
  ptk_module *m = ptk_pto_read(src, d);
  ptk_func *pf = m ? ptk_orch_find(m) : NULL;
  if (pf) {
    /* an orchestration IR (a program build's orchestration/NAME.pto): its kernels live in other files */
    ptk_orch_verify(pf, d);
    ptk_module_free(m);
    return;
  }
  if (m && check_target)
    ptk_module_set_attr(m, "pto.target_arch", ptk_attr_string(m, check_target, strlen(check_target)));
  ptk_mode forced = check_mode && !strcmp(check_mode, "explicit") ? PTK_MODE_EXPLICIT : PTK_MODE_AUTO;
  bool ok = m && ptk_verify_module_mode(m, check_mode ? &forced : NULL, d);
  name_vec names = {0};
  if (ok && entry)
    ptk_vec_push(&names, entry);
  else if (ok)
    collect_defs(m, &names);
  for (size_t i = 0; i < names.len; i++) {
    ptk_kernel_load_opts ko;
    memset(&ko, 0, sizeof ko);
    ko.entry = names.data[i];
    ko.flags = strict_sync ? PTK_LOAD_STRICT_SYNC : 0;
    ko.target = check_target;
    ko.mode = check_mode;
    ptk_diags *kd = ptk_diags_new(); /* a module-wide finding (plan-memory) comes with every function */
    ptk_loaded *l = ptk_kernel_load_with(path, src, &ko, kd);
    ptk_loaded_free(l);
    ptk_diags_append_unseen(d, kd);
    ptk_diags_free(kd);
  }
  ptk_vec_free(&names);
  ptk_module_free(m);
}

/* `NAME V` or `NAME=V`: true when argv[*i] is that option (*v = V, NULL
 * when missing). */
static bool opt_value(int argc, char **argv, int *i, const char *name, const char **v) {
  size_t n = strlen(name);
  if (strncmp(argv[*i], name, n) || (argv[*i][n] && argv[*i][n] != '=')) return false;
  *v = argv[*i][n] == '=' ? argv[*i] + n + 1 : *i + 1 < argc ? argv[++*i] : NULL;
  return true;
}

int ptk_cmd_check(int argc, char **argv) {
  ptk_cli_kopts k = {0};
  PTK_VEC(const char *) files = {0};
  int rc = PTK_EXIT_OK;
  strict_sync = false;
  check_target = NULL;
  check_mode = NULL;
  for (int i = 1; i < argc && rc == PTK_EXIT_OK; i++) {
    int r = ptk_cli_kopt(&k, "check", argc, argv, &i);
    if (r < 0) rc = PTK_EXIT_USAGE;
    if (r) continue;
    const char *v;
    if (opt_value(argc, argv, &i, "--target", &v)) {
      if (!ptk_cli_target_ok(v))
        rc = ptk_cli_usage_error("check", PTK_CLI_TARGET_ERR, v ? v : "");
      check_target = v;
      continue;
    }
    if (opt_value(argc, argv, &i, "--mode", &v)) {
      if (!v || (strcmp(v, "auto") && strcmp(v, "explicit")))
        rc = ptk_cli_usage_error("check", "--mode must be auto or explicit, got '%s'", v ? v : "");
      check_mode = v;
      continue;
    }
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
        check_pto(src->path, src, k.entry, d);
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

/* ptk compile FILE -o DIR: run the shared pass pipeline and write a build
 * folder (DESIGN §4; backend/build_dir.h, backend/config.h). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/build_dir.h"
#include "backend/c/emit.h"
#include "backend/config.h"
#include "backend/passes/pipeline.h"
#include "runtime/cli/cli.h"
#include "runtime/kernel.h"
#include "runtime/program/build.h"
#include "runtime/program/program.h"
#include "lang/sha256.h"
#include "trace/trace.h"


extern const char ptk_cmd_compile_usage[];

const char ptk_cmd_compile_usage[] =
    "usage: ptk compile FILE -o DIR [OPTIONS]\n"
    "       ptk compile --print-pipeline\n"
    "\n"
    "Run the pass pipeline over a kernel (.pto, or .ptk traced) and write a build\n"
    "folder:\n"
    "  DIR/kernel.pto                 the final PTO IR\n"
    "  DIR/kernel_config.json         symbol, core type, target, mode, every launch\n"
    "                                 parameter (position, name, kind, dtype, direction),\n"
    "                                 const bindings, source path + sha256, the passes\n"
    "  DIR/passes_dump/00_input.pto   with --dump-passes, then NN_after_<pass>.pto\n"
    "Files are written atomically; kernel_config.json is written last.\n"
    "\n"
    "A .ptk file that declares a program (the only one, or --entry NAME) builds the\n"
    "program instead:\n"
    "  DIR/orchestration/NAME.pto     the orchestration IR (docs/programs-ir.md)\n"
    "  DIR/orchestration/NAME.ptk     the program and its file's consts, verbatim\n"
    "  DIR/kernels/<aiv|aic>/S.pto    every kernel it launches (one per const\n"
    "                                 specialization), final PTO IR; S.c its C\n"
    "  DIR/passes_dump/S/             with --dump-passes, per kernel and for the\n"
    "                                 orchestration (S = the program: 00_input.pto,\n"
    "                                 01_after_verify.pto, 02_after_static-graph.pto)\n"
    "  DIR/kernel_config.json         orchestration (file, function, signature,\n"
    "                                 sha256), kernels (func_id, name, symbol, core type,\n"
    "                                 file, sha256, signature, params, consts, source),\n"
    "                                 runtime, the task graph of a run when no value\n"
    "                                 is known only at run time, and static_graph (the\n"
    "                                 static-graph pass: edges with kind and bytes)\n"
    "`ptk run NAME.ptk --save DIR` adds the program's inputs and outputs; `ptk replay\n"
    "DIR` re-runs the program from the folder, from its orchestration IR (hand-edited\n"
    "orchestration and kernel .pto files included).\n"
    "\n"
    "options:\n"
    "  -o DIR                 the build folder (created)\n"
    "  --entry NAME           the kernel (.ptk) or function (.pto) to compile (default:\n"
    "                         the only one, else the one marked pto.entry)\n"
    "  --target a2|a3|a5      on-chip memory sizes (default: @jit target, else the\n"
    "                         module's pto.target_arch, else a3; a2 has a3's, as in\n"
    "                         ptoas)\n"
    "  --mode auto|explicit   auto: plan tile addresses and insert sync; explicit (ptoas\n"
    "                         --pto-level=level3): keep the author's, so every tile of\n"
    "                         a .pto file needs an addr (default for .pto: explicit when\n"
    "                         any alloc_tile has an addr, else auto; .ptk: @jit mode)\n"
    "  --insert-sync, --no-insert-sync\n"
    "                         force insert-sync on or off (default: auto mode only)\n"
    "  --strict-sync          synchronization findings are errors (default: warnings),\n"
    "                         and kernels insert-sync does not run on are checked too\n"
    "  --dump-passes[=REGEX]  write the IR before the passes and after each pass whose\n"
    "                         name matches REGEX (PCRE2; default: every pass)\n"
    "  --verify-each          run the verifier after every pass (also PTK_VERIFY_EACH=1)\n"
    "  --no-optimize          skip the optimizing passes, canonicalize and cse (also\n"
    "                         PTK_NO_OPTIMIZE=1); results are the same bytes either way\n"
    "  --print-pipeline       list the passes in order and exit\n"
    "  --time-passes          print each pass's time and the peak memory to stderr\n"
    "  --stats                print what each pass did and the peak memory to stderr\n"
    "  --const NAME=VALUE     bind a const parameter (.ptk)\n"
    "  -I DIR                 import search folder (.ptk)\n"
    "\n"
    "Exit status: 0 success, 1 error (diagnostics on stderr), 2 usage error.\n";

typedef struct copts {
  const char *file, *out, *entry, *target, *mode, *dump_re;
  bool dump, verify_each, print_pipeline, time_passes, stats;
  int insert_sync; /* -1 default */
  bool strict_sync, no_optimize;
  PTK_VEC(ptk_const_binding) consts;
  PTK_VEC(const char *) incs;
} copts;

static const char *CMD = "compile";

static int parse_args(int argc, char **argv, copts *o) {
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
#define NEED_VALUE(flag)                                                                           \
  do {                                                                                             \
    if (i + 1 >= argc) return ptk_cli_usage_error(CMD, "%s needs a value", flag);                  \
  } while (0)
    if (!strcmp(a, "-o")) {
      NEED_VALUE("-o");
      o->out = argv[++i];
    } else if (!strncmp(a, "-o", 2) && a[2]) {
      o->out = a + 2;
    } else if (!strcmp(a, "--entry")) {
      NEED_VALUE("--entry");
      o->entry = argv[++i];
    } else if (!strncmp(a, "--entry=", 8)) {
      o->entry = a + 8;
    } else if (!strcmp(a, "--target")) {
      NEED_VALUE("--target");
      o->target = argv[++i];
    } else if (!strncmp(a, "--target=", 9)) {
      o->target = a + 9;
    } else if (!strcmp(a, "--mode")) {
      NEED_VALUE("--mode");
      o->mode = argv[++i];
    } else if (!strncmp(a, "--mode=", 7)) {
      o->mode = a + 7;
    } else if (!strcmp(a, "--dump-passes")) {
      o->dump = true;
    } else if (!strncmp(a, "--dump-passes=", 14)) {
      o->dump = true;
      o->dump_re = a + 14;
    } else if (!strcmp(a, "--verify-each")) {
      o->verify_each = true;
    } else if (!strcmp(a, "--no-optimize")) {
      o->no_optimize = true;
    } else if (!strcmp(a, "--print-pipeline")) {
      o->print_pipeline = true;
    } else if (!strcmp(a, "--time-passes")) {
      o->time_passes = true;
    } else if (!strcmp(a, "--stats")) {
      o->stats = true;
    } else if (!strcmp(a, "--insert-sync")) {
      o->insert_sync = 1;
    } else if (!strcmp(a, "--no-insert-sync")) {
      o->insert_sync = 0;
    } else if (!strcmp(a, "--strict-sync")) {
      o->strict_sync = true;
    } else if (!strcmp(a, "--const") || !strncmp(a, "--const=", 8)) {
      const char *kv;
      if (a[7] == '=') {
        kv = a + 8;
      } else {
        NEED_VALUE("--const");
        kv = argv[++i];
      }
      const char *eq = strchr(kv, '=');
      if (!eq || eq == kv) return ptk_cli_usage_error(CMD, "--const expects NAME=VALUE, got '%s'", kv);
      ptk_const_binding b = {ptk_xstrndup(kv, (size_t)(eq - kv)), eq + 1};
      ptk_vec_push(&o->consts, b);
    } else if (!strcmp(a, "-I")) {
      NEED_VALUE("-I");
      ptk_vec_push(&o->incs, argv[++i]);
    } else if (!strncmp(a, "-I", 2) && a[2]) {
      ptk_vec_push(&o->incs, a + 2);
    } else if (a[0] == '-' && a[1]) {
      return ptk_cli_usage_error(CMD, "unknown option '%s'", a);
    } else {
      if (o->file) return ptk_cli_usage_error(CMD, "expected one FILE, got '%s' and '%s'", o->file, a);
      o->file = a;
    }
#undef NEED_VALUE
  }
  return -1;
}

/* ptk_kernel_load_opts.before_passes: the build folder is begun only once
 * the kernel loaded (a kernel that does not load leaves DIR untouched). */
static bool begin_dir(void *dir, ptk_diags *d) { return ptk_build_dir_begin(dir, d); }

static void free_opts(copts *o) {
  for (size_t i = 0; i < o->consts.len; i++) free((char *)o->consts.data[i].name);
  ptk_vec_free(&o->consts);
  ptk_vec_free(&o->incs);
}

/* A program: its orchestration, every kernel it launches, the program
 * form of kernel_config.json (runtime/program/build.h). */
static int compile_program(const copts *o, ptk_source *src, ptk_diags *d) {
  int rc = PTK_EXIT_ERROR;
  if (o->consts.len || o->mode || o->target || o->insert_sync >= 0) {
    ptk_error(d, ptk_range_none(), "%s is not supported for programs (each launch binds its kernel's consts)",
              o->consts.len ? "--const" : o->mode ? "--mode" : o->target ? "--target" : "--insert-sync");
    ptk_diags_print(d, stderr);
    return PTK_EXIT_USAGE;
  }
  ptk_trace_opts to = {.include_dirs = o->incs.data, .ninclude = o->incs.len};
  ptk_program_opts po = {0};
  po.entry = o->entry;
  po.trace = &to;
  po.load_flags = (o->strict_sync ? PTK_LOAD_STRICT_SYNC : 0) | (o->no_optimize ? PTK_LOAD_NO_OPTIMIZE : 0);
  char *dump = o->dump ? ptk_build_dir_dump_path(o->out) : NULL;
  po.dump_root = dump;
  po.dump_regex = o->dump_re;
  ptk_program *p = ptk_program_load(o->file, src, &po, d);
  if (p && ptk_program_build(p, o->out, o->file, d)) rc = PTK_EXIT_OK;
  ptk_diags_print(d, stderr);
  if (rc == PTK_EXIT_OK && ptk_diags_errors(d)) rc = PTK_EXIT_ERROR;
  ptk_program_free(p);
  free(dump);
  return rc;
}

/* kernels/<aiv|aic>/<symbol>.c of f. A kernel the host cannot run still
 * compiles: its .pto is the product ptoas reads; why it cannot run becomes
 * warnings and the folder has no C for it. false on a write error. */
static bool write_c(const char *out, const ptk_func *f, const char *core_type, ptk_diags *d) {
  ptk_buf csrc = {0};
  ptk_diags *cd = ptk_diags_new();
  bool ok = true;
  if (ptk_emit_c(f, &csrc, cd)) {
    ok = ptk_build_dir_write_c(out, core_type, f->name, ptk_buf_cstr(&csrc), csrc.len, d);
  } else {
    ptk_diags_append_demoted(d, cd);
    ptk_note(d, ptk_range_at(f->loc, 1), "'@%s' cannot run on the host, so the build folder has its .pto but no host C",
             f->name);
  }
  ptk_diags_free(cd);
  ptk_buf_free(&csrc);
  return ok;
}

int ptk_cmd_compile(int argc, char **argv) {
  copts o;
  memset(&o, 0, sizeof o);
  o.insert_sync = -1;
  int prc = parse_args(argc, argv, &o);
  if (prc >= 0) {
    free_opts(&o);
    return prc;
  }
  if (o.print_pipeline) {
    ptk_buf b = {0};
    ptk_pipeline_print(&b);
    fputs(ptk_buf_cstr(&b), stdout);
    ptk_buf_free(&b);
    if (!o.file) {
      free_opts(&o);
      return PTK_EXIT_OK;
    }
  }
  int rc = PTK_EXIT_USAGE;
  ptk_target forced;
  if (!o.file) {
    rc = ptk_cli_usage_error(CMD, "missing FILE");
    goto out_early;
  }
  if (!o.out) {
    rc = ptk_cli_usage_error(CMD, "missing -o DIR");
    goto out_early;
  }
  if (o.target && (!ptk_cli_target_ok(o.target) || !ptk_target_parse(o.target, &forced))) {
    rc = ptk_cli_usage_error(CMD, PTK_CLI_TARGET_ERR, o.target);
    goto out_early;
  }
  if (o.mode && strcmp(o.mode, "auto") && strcmp(o.mode, "explicit")) {
    rc = ptk_cli_usage_error(CMD, "--mode must be auto or explicit, got '%s'", o.mode);
    goto out_early;
  }
  if (o.dump_re) {
    ptk_buf err = {0};
    if (!ptk_pipeline_regex_ok(o.dump_re, &err)) {
      rc = ptk_cli_usage_error(CMD, "invalid --dump-passes pattern '%s': %s", o.dump_re,
                               ptk_buf_cstr(&err));
      ptk_buf_free(&err);
      goto out_early;
    }
    ptk_buf_free(&err);
  }
  bool is_ptk = ptk_cli_has_ext(o.file, ".ptk");
  if (!is_ptk && (o.consts.len || o.incs.len)) {
    rc = ptk_cli_usage_error(CMD, "--const and -I apply to .ptk files only");
    goto out_early;
  }

  if (is_ptk) {
    ptk_diags *pd = ptk_diags_new();
    ptk_source *psrc = ptk_cli_load(o.file, pd);
    if (psrc && ptk_program_in_source(psrc, o.entry)) {
      rc = compile_program(&o, psrc, pd);
      ptk_source_free(psrc);
      ptk_diags_free(pd);
      goto out_early;
    }
    ptk_source_free(psrc);
    ptk_diags_free(pd);
  }

  ptk_diags *d = ptk_diags_new();
  ptk_source *src = NULL;
  ptk_loaded *l = NULL;
  ptk_kernel_config cfg;
  memset(&cfg, 0, sizeof cfg);
  ptk_pipeline_result res;
  memset(&res, 0, sizeof res);
  ptk_buf report = {0};
  char sha[65] = {0};
  char *dump_dir = NULL;
  rc = PTK_EXIT_ERROR;

  if (is_ptk) {
    size_t len = 0;
    char *text = ptk_read_file(o.file, &len);
    if (text) {
      ptk_sha256_hex(text, len, sha);
      free(text);
    }
  } else {
    src = ptk_cli_load(o.file, d);
    if (!src) goto out;
    ptk_sha256_hex(src->text, src->len, sha);
  }
  if (o.dump) dump_dir = ptk_build_dir_dump_path(o.out);
  ptk_trace_opts to = {.include_dirs = o.incs.data, .ninclude = o.incs.len};
  ptk_kernel_load_opts ko;
  memset(&ko, 0, sizeof ko);
  ko.entry = o.entry;
  ko.consts = o.consts.data;
  ko.nconsts = o.consts.len;
  ko.trace = &to;
  ko.flags = PTK_LOAD_LIST_INLINE | (o.strict_sync ? PTK_LOAD_STRICT_SYNC : 0) |
             (o.no_optimize ? PTK_LOAD_NO_OPTIMIZE : 0);
  ko.target = o.target;
  ko.mode = o.mode;
  ko.insert_sync = o.insert_sync < 0 ? 0 : o.insert_sync ? 1 : -1;
  ko.dump_dir = dump_dir;
  ko.dump_regex = o.dump_re;
  ko.verify_each = o.verify_each;
  ko.time_passes = o.time_passes;
  ko.stats = o.stats;
  ko.report = &report;
  ko.result = &res;
  ko.before_passes = begin_dir;
  ko.before_passes_arg = (void *)o.out;
  l = ptk_kernel_load_with(o.file, src, &ko, d);
  if (report.len) fputs(ptk_buf_cstr(&report), stderr);
  if (!l) goto out;
  ptk_module *m = ptk_loaded_module(l);
  ptk_func *entry = ptk_loaded_entry(l);
  const ptk_abi *abi = ptk_loaded_abi(l);
  const ptk_trace_info *info = ptk_loaded_trace_info(l);
  ptk_target target = PTK_TARGET_A3;
  if (abi->target) ptk_target_parse(abi->target, &target);
  ptk_mode mode = abi->mode && !strcmp(abi->mode, "explicit") ? PTK_MODE_EXPLICIT : PTK_MODE_AUTO;

  /* kernel_config.json */
  ptk_kernel_config_from_func(&cfg, entry, &res.dirs);
  cfg.target = ptk_target_name(target);
  cfg.mode = ptk_mode_name(mode);
  cfg.insert_sync = res.sync_inserted;
  cfg.input_path = o.file;
  cfg.input_kind = is_ptk ? "ptk" : "pto";
  cfg.input_sha256 = sha[0] ? sha : NULL;
  cfg.passes = res.passes;
  cfg.npasses = res.npasses;
  cfg.skipped = res.skipped;
  cfg.nskipped = res.nskipped;
  cfg.skip_reason = res.skip_reason;
  ptk_config_const *cc = NULL;
  if (info) {
    cfg.kernel = info->kernel;
    if (info->symbol) cfg.symbol = info->symbol;
    if (info->kind) cfg.core_type = info->kind;
    for (size_t i = 0; i < info->nparams && i < cfg.nparams; i++) {
      cfg.params[i].name = info->params[i].name;
      cfg.params[i].dtype = info->params[i].dtype;
      cfg.params[i].is_ptr = info->params[i].is_ptr;
    }
    if (info->nconsts) {
      cc = ptk_xcalloc(info->nconsts, sizeof *cc);
      for (size_t i = 0; i < info->nconsts; i++)
        cc[i] = (ptk_config_const){info->consts[i].name, info->consts[i].type,
                                   info->consts[i].value, info->consts[i].is_default};
      cfg.consts = cc;
      cfg.nconsts = info->nconsts;
    }
    cfg.source_backed = info->source_backed;
    cfg.source_inline = info->source_inline;
    cfg.source_path = info->source_path;
    cfg.source_resolved = info->source_resolved;
    cfg.source_sha256 = info->source_sha256;
  }
  /* kernels/<aiv|aic>/<symbol>.c before the manifest, which comes last */
  bool c_ok = write_c(o.out, entry, cfg.core_type, d);
  /* the other half of a mixed kernel: a module of exactly one cube and one
   * vector kernel (see PTK_LOAD_LIST_INLINE) builds both */
  ptk_func *cube = NULL, *vec = NULL;
  if (c_ok && ptk_kernel_mixed_halves(m, &cube, &vec) && (entry == cube || entry == vec)) {
    const ptk_func *half = entry == cube ? vec : cube;
    c_ok = write_c(o.out, half, ptk_core_type_of(half), d);
  }
  if (c_ok && ptk_build_dir_finish(o.out, m, &cfg, d)) rc = PTK_EXIT_OK;
  free(cc);

out:
  ptk_diags_print(d, stderr);
  if (rc == PTK_EXIT_OK && ptk_diags_errors(d)) rc = PTK_EXIT_ERROR;
  ptk_kernel_config_clear(&cfg);
  ptk_pipeline_result_free(&res);
  ptk_buf_free(&report);
  free(dump_dir);
  ptk_loaded_free(l);
  ptk_source_free(src);
  ptk_diags_free(d);
out_early:
  free_opts(&o);
  return rc;
}

/* ptk replay DIR: re-run a build folder without its source (DESIGN §4):
 * kernel_config.json + kernel.pto + the saved run (runtime/replay.h). */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "backend/build_dir.h"
#include "backend/config.h"
#include "backend/passes/pipeline.h"
#include "backend/verify.h"
#include "parser/pto_read.h"
#include "runtime/cli/cli.h"
#include "runtime/interp/interp.h"
#include "runtime/jit/jit.h"
#include "runtime/npy.h"
#include "runtime/program/build.h"
#include "runtime/replay.h"
#include "runtime/tensor.h"
#include "lang/sha256.h"


extern const char ptk_cmd_replay_usage[];

const char ptk_cmd_replay_usage[] =
    "usage: ptk replay DIR [OPTIONS] [--] [ARG...]\n"
    "\n"
    "Re-run a build folder without its source: read DIR/kernel_config.json and\n"
    "DIR/kernel.pto, run the kernel with the IR interpreter on the inputs saved by\n"
    "`ptk run ... --save DIR` (DIR/inputs/<k>_<name>.npy) and compare every pointer\n"
    "argument with the saved outputs (DIR/outputs/<k>_<name>.npy), printing per\n"
    "buffer the max abs / max rel error and the number of mismatching elements.\n"
    "\n"
    "If kernel.pto was edited since `ptk compile` wrote it, it is verified and run\n"
    "through the pass pipeline again (mode, target and sync as recorded) before it\n"
    "runs; its signature must still match the parameters in kernel_config.json.\n"
    "Edited means: its sha256 differs from files.kernel_sha256 in kernel_config.json\n"
    "or, when the config records none, it is newer than kernel_config.json.\n"
    "\n"
    "options:\n"
    "  --blocks N        blocks to launch (default: as saved, else 1)\n"
    "  --threads N       worker threads (results do not depend on it)\n"
    "  --engine interp|jit\n"
    "                    run with the IR interpreter (default) or compiled to C\n"
    "                    and native code (cached; needs a C compiler); both\n"
    "                    engines give bit-identical results\n"
    "  --rtol X, --atol X\n"
    "                    match within |got - expected| <= atol + rtol*|expected|\n"
    "                    (NaN matches NaN) instead of bit for bit\n"
    "  --rerun-passes    run the pass pipeline even if kernel.pto is unchanged\n"
    "  --out DIR         write every pointer argument's final contents to\n"
    "                    DIR/<k>_<name>.npy\n"
    "  --                end of options\n"
    "\n"
    "A program build folder (`ptk compile PROGRAM.ptk -o DIR`, then `ptk run\n"
    "PROGRAM.ptk --save DIR`) replays the whole program: the orchestration from\n"
    "DIR/orchestration/, each kernel from its .pto under DIR/kernels/ (read, verified\n"
    "and run through the pass pipeline; a file whose sha256 differs from\n"
    "kernel_config.json is reported as edited), the saved inputs of every program\n"
    "parameter, then every tensor compared with the saved outputs (--threads,\n"
    "--rtol/--atol and --out apply). A task folder DIR/tasks/NNN_<kernel>/ of\n"
    "`ptk run --dump-tasks` is a single-kernel build folder. --engine applies to\n"
    "every kernel of the program.\n"
    "\n"
    "ARG, one per kernel parameter, replaces the saved inputs (then nothing is\n"
    "compared): path.npy | zeros:DTYPE:SHAPE | rand:DTYPE:SHAPE[:SEED] | a scalar\n"
    "literal (as for `ptk run`).\n"
    "\n"
    "Exit status: 0 the outputs match (or the run with ARGs succeeded), 1 they\n"
    "differ or an error was reported, 2 usage error or DIR is not a folder.\n";

static const char *CMD = "replay";

typedef struct ropts {
  const char *dir, *outdir;
  uint32_t blocks, threads;
  bool tol, rerun, jit;
  double rtol, atol;
  PTK_VEC(const char *) args;
} ropts;

static bool parse_tol(const char *s, double *out) {
  if (!s || !*s) return false;
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if (*end || errno || !(v >= 0) || !isfinite(v)) return false;
  *out = v;
  return true;
}

static int parse_args(int argc, char **argv, ropts *o) {
  bool rest = false;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (rest || a[0] != '-' || !a[1] || ptk_cli_looks_scalar(a)) {
      if (!o->dir)
        o->dir = a;
      else
        ptk_vec_push(&o->args, a);
      continue;
    }
    if (!strcmp(a, "--")) {
      rest = true;
      continue;
    }
    const char *eq = strchr(a, '=');
    size_t nlen = eq ? (size_t)(eq - a) : strlen(a);
#define OPT(name) (nlen == strlen(name) && !strncmp(a, name, nlen))
    bool takes = OPT("--blocks") || OPT("--threads") || OPT("--rtol") || OPT("--atol") ||
                 OPT("--out") || OPT("--engine");
    const char *val = NULL;
    if (takes) {
      if (eq)
        val = eq + 1;
      else if (i + 1 < argc)
        val = argv[++i];
      else
        return ptk_cli_usage_error(CMD, "option '%.*s' needs a value", (int)nlen, a);
    } else if (eq) {
      return ptk_cli_usage_error(CMD, "option '%.*s' takes no value", (int)nlen, a);
    }
    if (OPT("--blocks")) {
      if (!ptk_cli_parse_u32(val, &o->blocks))
        return ptk_cli_usage_error(CMD, "--blocks needs a positive integer (at most 16777216), got '%s'", val);
    } else if (OPT("--threads")) {
      if (!ptk_cli_parse_u32(val, &o->threads))
        return ptk_cli_usage_error(CMD, "--threads needs a positive integer, got '%s'", val);
    } else if (OPT("--rtol") || OPT("--atol")) {
      if (!parse_tol(val, OPT("--rtol") ? &o->rtol : &o->atol))
        return ptk_cli_usage_error(CMD, "%.*s needs a non-negative number, got '%s'", (int)nlen, a, val);
      o->tol = true;
    } else if (OPT("--out")) {
      o->outdir = val;
    } else if (OPT("--engine")) {
      if (strcmp(val, "interp") && strcmp(val, "jit"))
        return ptk_cli_usage_error(CMD, "--engine must be interp or jit, got '%s'", val);
      o->jit = !strcmp(val, "jit");
    } else if (OPT("--rerun-passes")) {
      o->rerun = true;
    } else {
      return ptk_cli_usage_error(CMD, "unknown option '%s'", a);
    }
#undef OPT
  }
  if (!o->dir) return ptk_cli_usage_error(CMD, "missing DIR");
  return 0;
}

/* ---- the kernel and its signature ------------------------------------------------------------ */

static void describe_param(const ptk_config_param *p, ptk_buf *b) {
  if (p->is_ptr)
    ptk_buf_printf(b, "a pointer to %s", ptk_dtype_name(p->dtype));
  else
    ptk_buf_printf(b, "a scalar of type %s", ptk_dtype_name(p->dtype));
}

/* The edited kernel.pto must keep the ABI of kernel_config.json. */
static bool check_signature(const ptk_func *f, const ptk_kernel_config *cfg, ptk_diags *d) {
  bool ok = true;
  if (f->nargs != cfg->nparams) {
    ptk_error(d, ptk_range_at(f->loc, (uint32_t)strlen(f->name) + 1),
              "'@%s' takes %u parameter%s but kernel_config.json records %zu: replay cannot "
              "change a kernel's signature (recompile with 'ptk compile')",
              f->name, f->nargs, f->nargs == 1 ? "" : "s", cfg->nparams);
    for (uint32_t k = cfg->nparams; k < f->nargs; k++) {
      char *n = ptk_func_arg_name(f, k);
      ptk_note(d, ptk_range_at(ptk_func_arg_loc(f, k), 1), "parameter %u ('%s') is new", k, n);
      free(n);
    }
    for (size_t k = f->nargs; k < cfg->nparams; k++) {
      ptk_buf b = {0};
      describe_param(&cfg->params[k], &b);
      ptk_note(d, ptk_range_none(), "parameter %zu ('%s', %s) is missing", k,
               cfg->params[k].name ? cfg->params[k].name : "?", ptk_buf_cstr(&b));
      ptk_buf_free(&b);
    }
    ok = false;
  }
  for (uint32_t k = 0; k < f->nargs && k < cfg->nparams; k++) {
    const ptk_type *t = f->arg_types[k];
    const ptk_config_param *p = &cfg->params[k];
    ptk_dtype dt;
    bool known = ptk_type_elem_dtype(t, &dt);
    bool same = known && dt == p->dtype &&
                ((p->is_ptr && t->kind == PTK_TY_PTR) || (!p->is_ptr && t->kind == PTK_TY_SCALAR));
    if (same) continue;
    char *n = ptk_func_arg_name(f, k), *ts = ptk_type_str(t);
    ptk_buf b = {0};
    describe_param(p, &b);
    ptk_error_loc(d, ptk_func_arg_loc(f, k),
                  "parameter %u ('%s') of '@%s' is %s but kernel_config.json records %s ('%s'): "
                  "replay cannot change a kernel's signature (recompile with 'ptk compile')",
                  k, n, f->name, ts, ptk_buf_cstr(&b), p->name ? p->name : "?");
    ptk_buf_free(&b);
    free(n);
    free(ts);
    ok = false;
  }
  return ok;
}

/* Edited since compile? 1 yes, 0 no; *why says how it was decided. */
static int kernel_edited(const ptk_kernel_config *cfg, const char *cfg_path, const char *kpath,
                         const ptk_source *src, const char **why) {
  const char *recorded = cfg->kernel_sha256;
  int edited;
  if (recorded) {
    char hex[65];
    ptk_sha256_hex(src->text, src->len, hex);
    edited = strcmp(hex, recorded) != 0;
    *why = edited ? "its sha256 differs from files.kernel_sha256 in kernel_config.json"
                  : "its sha256 matches kernel_config.json";
  } else {
    struct stat sk, sc;
    edited = 0;
    if (!stat(kpath, &sk) && !stat(cfg_path, &sc))
      edited = sk.st_mtim.tv_sec > sc.st_mtim.tv_sec ||
               (sk.st_mtim.tv_sec == sc.st_mtim.tv_sec && sk.st_mtim.tv_nsec > sc.st_mtim.tv_nsec);
    *why = edited ? "it is newer than kernel_config.json" : "it is not newer than kernel_config.json";
  }
  return edited;
}

/* ---- the report -------------------------------------------------------------------------------- */

static void shape_str(const ptk_tensor *t, char *buf, size_t n) {
  size_t o = 0;
  buf[0] = 0;
  if (t->rank == 0) snprintf(buf, n, "scalar");
  for (int i = 0; i < t->rank && o < n; i++)
    o += (size_t)snprintf(buf + o, n - o, "%s%" PRId64, i ? "x" : "", t->shape[i]);
}

static void index_str(const ptk_tensor *t, int64_t flat, char *buf, size_t n) {
  int64_t idx[PTK_TENSOR_MAX_RANK];
  for (int i = t->rank - 1; i >= 0; i--) {
    idx[i] = t->shape[i] ? flat % t->shape[i] : 0;
    flat = t->shape[i] ? flat / t->shape[i] : 0;
  }
  size_t o = (size_t)snprintf(buf, n, "[");
  for (int i = 0; i < t->rank && o < n; i++)
    o += (size_t)snprintf(buf + o, n - o, "%s%" PRId64, i ? ", " : "", idx[i]);
  if (o < n) snprintf(buf + o, n - o, "]");
}

static const char *fmt_err(double v, char *buf, size_t n) {
  if (isinf(v))
    snprintf(buf, n, "inf");
  else
    snprintf(buf, n, "%.6g", v);
  return buf;
}

int ptk_cmd_replay(int argc, char **argv) {
  ropts o;
  memset(&o, 0, sizeof o);
  int rc = parse_args(argc, argv, &o);
  if (rc) {
    ptk_vec_free(&o.args);
    return rc;
  }
  struct stat st;
  if (stat(o.dir, &st) || !S_ISDIR(st.st_mode)) {
    fprintf(stderr, "ptk replay: '%s': %s\n", o.dir,
            stat(o.dir, &st) ? "no such directory" : "not a directory");
    ptk_vec_free(&o.args);
    return PTK_EXIT_USAGE;
  }

  ptk_diags *d = ptk_diags_new();
  char *cfg_path = ptk_xasprintf("%s/kernel_config.json", o.dir), *kpath = NULL;
  ptk_kernel_config *cfg = NULL;
  ptk_source *src = NULL;
  ptk_module *m = NULL;
  ptk_interp_prog *prog = NULL;
  ptk_jit_prog *jprog = NULL;
  ptk_launch_arg *la = NULL;
  ptk_saved_run saved;
  memset(&saved, 0, sizeof saved);
  ptk_pipeline_result res;
  memset(&res, 0, sizeof res);
  uint32_t nla = 0;
  rc = PTK_EXIT_ERROR;

  if (stat(cfg_path, &st)) {
    ptk_error_file(d, o.dir,
                   "not a build folder: kernel_config.json is missing (make one with 'ptk compile "
                   "FILE -o %s')", o.dir);
    goto done;
  }
  if (ptk_program_config_is_program(cfg_path)) {
    if (o.args.len || o.blocks || o.rerun) {
      ptk_error(d, ptk_range_none(), "%s is not supported for program build folders (the saved inputs are used; "
                "each launch gives its blocks; kernels always run through the passes)",
                o.args.len ? "ARG" : o.blocks ? "--blocks" : "--rerun-passes");
      goto done;
    }
    ptk_program_replay_opts po = {0};
    po.threads = o.threads;
    po.tol = o.tol;
    po.rtol = o.rtol;
    po.atol = o.atol;
    po.outdir = o.outdir;
    po.jit = o.jit;
    rc = ptk_program_replay(o.dir, &po, d) ? PTK_EXIT_ERROR : PTK_EXIT_OK;
    goto done;
  }
  cfg = ptk_kernel_config_read(cfg_path, d);
  if (!cfg) goto done;
  kpath = ptk_xasprintf("%s/%s", o.dir, cfg->kernel_file ? cfg->kernel_file : "kernel.pto");
  src = ptk_cli_load(kpath, d);
  if (!src) goto done;
  const char *why = "";
  bool edited = kernel_edited(cfg, cfg_path, kpath, src, &why);
  m = ptk_pto_read(src, d);
  if (!m || ptk_diags_errors(d)) goto done;
  ptk_func *f = ptk_module_find_func_nested(m, cfg->symbol);
  if (!f || !f->body) {
    ptk_error_src(d, src, kpath, "no function '@%s' with a body: kernel_config.json names it as the "
                   "kernel (kernel.symbol); replay cannot change a kernel's signature", cfg->symbol);
    goto done;
  }
  if (!check_signature(f, cfg, d)) goto done;
  if (edited || o.rerun) {
    ptk_target tgt = PTK_TARGET_A3;
    if (cfg->target) ptk_target_parse(cfg->target, &tgt);
    ptk_pipeline_opts po;
    memset(&po, 0, sizeof po);
    po.mode = cfg->mode && !strcmp(cfg->mode, "explicit") ? PTK_MODE_EXPLICIT : PTK_MODE_AUTO;
    po.target = tgt;
    po.insert_sync = cfg->insert_sync ? 1 : 0;
    po.result = &res;
    if (ptk_pipeline_run(m, f, &po, d, NULL) != 0) goto done;
    for (uint32_t k = 0; k < res.dirs.n && k < cfg->nparams; k++) {
      const ptk_config_param *p = &cfg->params[k];
      if (!p->is_ptr || res.dirs.dir[k] == p->direction) continue;
      char *n = ptk_func_arg_name(f, k);
      ptk_warning(d, ptk_range_at(ptk_func_arg_loc(f, k), 1),
                  "parameter %u ('%s') is now %s; kernel_config.json records %s", k, n,
                  ptk_arg_dir_name(res.dirs.dir[k]), ptk_arg_dir_name(p->direction));
      free(n);
    }
  } else if (!ptk_verify_module(m, d)) {
    goto done;
  }
  if (o.jit)
    jprog = ptk_jit_prepare(f, NULL, d);
  else
    prog = ptk_interp_prepare(f, d);
  if (!prog && !jprog) goto done;

  nla = f->nargs;
  la = ptk_xcalloc(nla ? nla : 1, sizeof *la);
  bool from_saved = o.args.len == 0;
  int have_run = ptk_saved_run_read(o.dir, &saved, d);
  if (have_run < 0) goto done;
  if (from_saved) {
    if (!have_run) {
      ptk_error_file(d, o.dir,
                     "no saved run (run.json is missing): save one with 'ptk run %s --save %s "
                     "ARG...', or give the arguments", kpath, o.dir);
      goto done;
    }
    if (saved.entry && strcmp(saved.entry, f->name))
      ptk_warning(d, ptk_range_none(), "the saved run launched '@%s', the build folder's kernel is '@%s'",
                  saved.entry, f->name);
    bool ok = true;
    for (uint32_t k = 0; k < nla; k++) {
      size_t errs = ptk_diags_errors(d);
      char *p = ptk_saved_find(o.dir, "inputs", k, d);
      if (!p) {
        if (ptk_diags_errors(d) == errs) {
          char *n = ptk_func_arg_name(f, k);
          ptk_error_file(d, o.dir, "no saved input for parameter %u ('%s'): expected inputs/%u_*.npy",
                         k, n, k);
          free(n);
        }
        ok = false;
        continue;
      }
      if (!ptk_saved_bind(f, k, p, &la[k], d)) ok = false;
      free(p);
    }
    if (!ok) goto done;
  } else if (!ptk_cli_bind(f, o.args.data, o.args.len, "replay", PTK_CLI_BIND_ELEM_DTYPE, la, d)) {
    goto done;
  }

  ptk_launch_opts lo;
  memset(&lo, 0, sizeof lo);
  lo.blocks = o.blocks ? o.blocks : have_run > 0 ? saved.blocks : 1;
  lo.threads = o.threads;
  lo.target = saved.target ? saved.target : cfg->target;
  lo.poison = saved.poison;
  lo.out = stdout;
  printf("ptk replay: %s: '@%s', %u block%s, target %s; kernel.pto %s (%s)%s%s\n", o.dir, f->name,
         lo.blocks, lo.blocks == 1 ? "" : "s", lo.target ? lo.target : "a3",
         edited ? "edited" : "unchanged", why,
         edited ? ": verified and re-run through the pass pipeline"
                : o.rerun ? "; pass pipeline re-run (--rerun-passes)" : "",
         o.jit ? "; jit engine" : "");
  fflush(stdout);
  if (jprog ? ptk_jit_run(jprog, &lo, la, nla, d) : ptk_interp_run(prog, &lo, la, nla, d)) goto done;

  if (o.outdir && !ptk_cli_write_outputs(o.outdir, f, la, d)) goto done;

  if (!from_saved) {
    printf("ptk replay: ran with the given arguments; outputs not compared (the saved outputs "
           "belong to the saved inputs)\n");
    rc = PTK_EXIT_OK;
    goto done;
  }

  /* Compare every pointer argument with its saved output. */
  uint32_t nbuf = 0, nbad = 0;
  printf("  %-16s %-6s %-12s %-12s %-12s %s\n", "buffer", "dtype", "shape", "max abs", "max rel",
         "mismatches");
  for (uint32_t k = 0; k < nla; k++) {
    if (la[k].kind != PTK_ARG_TENSOR || !la[k].tensor) continue;
    nbuf++;
    /* Label buffers by the names in kernel_config.json (the .ptk names of a
     * traced kernel), which say more than kernel.pto's %argN. */
    const char *cn = k < cfg->nparams ? cfg->params[k].name : NULL;
    if (cn && cn[0] == '%') cn++;
    char *stem = cn && *cn ? ptk_xasprintf("%u_%s", k, cn) : ptk_saved_arg_stem(f, k);
    const ptk_tensor *got = la[k].tensor;
    char shp[96], a1[32], a2[32];
    shape_str(got, shp, sizeof shp);
    char *p = ptk_saved_find(o.dir, "outputs", k, d);
    if (!p) {
      printf("  %-16s %-6s %-12s no saved output (outputs/%u_*.npy)\n", stem,
             ptk_tdtype_name(got->dtype), shp, k);
      nbad++;
      free(stem);
      continue;
    }
    char *err = NULL;
    ptk_tensor *exp = ptk_npy_read(p, got->dtype == PTK_TD_BF16 ? PTK_NPY_U16_AS_BF16 : 0, &err);
    if (!exp) {
      ptk_error(d, ptk_range_none(), "%s", err ? err : "cannot read a saved output");
      free(err);
      free(p);
      free(stem);
      nbad++;
      continue;
    }
    ptk_tensor_cmp c;
    ptk_tensor_compare(got, exp, o.tol, o.rtol, o.atol, &c);
    if (!c.shape_ok) {
      char eshp[96];
      shape_str(exp, eshp, sizeof eshp);
      printf("  %-16s %-6s %-12s MISMATCH: the saved output is %s %s\n", stem,
             ptk_tdtype_name(got->dtype), shp, ptk_tdtype_name(exp->dtype), eshp);
      nbad++;
    } else {
      printf("  %-16s %-6s %-12s %-12s %-12s %" PRId64 "/%" PRId64, stem,
             ptk_tdtype_name(got->dtype), shp, fmt_err(c.max_abs, a1, sizeof a1),
             fmt_err(c.max_rel, a2, sizeof a2), c.mismatches, c.n);
      if (c.mismatches) {
        char ix[160];
        index_str(got, c.first, ix, sizeof ix);
        printf("  MISMATCH, first at %s: got %.9g, expected %.9g", ix, c.got_first, c.exp_first);
        nbad++;
      } else if (c.bit_diffs) {
        printf("  (within tolerance; %" PRId64 " differ in bits)", c.bit_diffs);
      }
      printf("\n");
    }
    ptk_tensor_free(exp);
    free(p);
    free(stem);
  }
  if (ptk_diags_errors(d)) goto done;
  if (nbad) {
    printf("ptk replay: MISMATCH: %u of %u buffer%s differ%s from the saved outputs\n", nbad, nbuf,
           nbuf == 1 ? "" : "s", nbad == 1 ? "s" : "");
    rc = PTK_EXIT_ERROR;
  } else {
    printf("ptk replay: all %u buffer%s match the saved outputs%s\n", nbuf, nbuf == 1 ? "" : "s",
           o.tol ? " within tolerance" : " bit for bit");
    rc = PTK_EXIT_OK;
  }

done:
  fflush(stdout);
  ptk_diags_print(d, stderr);
  if (rc == PTK_EXIT_OK && ptk_diags_errors(d)) rc = PTK_EXIT_ERROR;
  ptk_diags_free(d);
  ptk_cli_args_free(la, nla);
  ptk_interp_free(prog);
  ptk_jit_free(jprog);
  ptk_pipeline_result_free(&res);
  ptk_saved_run_free(&saved);
  ptk_module_free(m);
  ptk_source_free(src);
  ptk_kernel_config_free(cfg);
  free(kpath);
  free(cfg_path);
  ptk_vec_free(&o.args);
  return rc;
}

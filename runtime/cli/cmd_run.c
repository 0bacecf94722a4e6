/* ptk run: load a kernel (.ptk traced or .pto read, through the shared
 * kernel loader and its pass pipeline), bind command-line arguments to the
 * entry function's parameters, run it with the IR interpreter, write
 * outputs. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "runtime/cli/cli.h"
#include "runtime/interp/interp.h"
#include "runtime/kernel.h"
#include "runtime/npy.h"
#include "runtime/replay.h"
#include "runtime/tensor.h"

const char ptk_cmd_run_usage[] =
    "usage: ptk run FILE [OPTIONS] [--] ARG...\n"
    "\n"
    "Run a kernel on the host CPU with the IR interpreter. FILE is a .ptk kernel\n"
    "(traced) or a .pto file; either goes through the pass pipeline first. Every\n"
    "global-memory access is bounds-checked against the argument buffers.\n"
    "\n"
    "options:\n"
    "  --entry NAME     .ptk: the kernel to run (default: the only one); .pto: the\n"
    "                   function (default: the only function with a body, else\n"
    "                   the one marked pto.entry or pto.kernel, else the only public one)\n"
    "  --const NAME=VALUE  bind a const parameter of a .ptk kernel (repeatable)\n"
    "  -I DIR           search DIR for imports of a .ptk kernel (repeatable)\n"
    "  --blocks N       number of blocks to launch (default 1); each block has its own\n"
    "                   on-chip memory and pto.get_block_idx\n"
    "  --threads N      worker threads (default: min(blocks, CPUs)); results are\n"
    "                   identical for every thread count\n"
    "  --target a3|a5   on-chip memory sizes (default: the module's pto.target_arch,\n"
    "                   else a3)\n"
    "  --poison         start on-chip memory as NaN (float tiles) / 0xA5 bytes instead\n"
    "                   of zeros, so reads of never-written data show (also PTK_POISON=1)\n"
    "  --out DIR        write every pointer argument's final contents to\n"
    "                   DIR/<k>_<name>.npy (k: 0-based parameter position, name: the\n"
    "                   .pto argument name without '%'; bf16 as uint16)\n"
    "  --save DIR       also store the inputs (before the launch) and outputs as\n"
    "                   DIR/inputs/<k>_<name>.npy and DIR/outputs/<k>_<name>.npy\n"
    "                   (scalars as 0-d arrays) plus DIR/run.json, for `ptk replay DIR`\n"
    "  --time           print the launch time to stderr\n"
    "  --repeat N       launch N times (for timing with --time; pointer arguments are\n"
    "                   updated in place by every launch)\n"
    "  --               end of options: everything after it is an ARG\n"
    "\n"
    "ARG, one per kernel parameter, in order:\n"
    "  path.npy                  a .npy file (a bf16 parameter reads uint16 data as bf16)\n"
    "  zeros:DTYPE:SHAPE         a zero-filled tensor, e.g. zeros:f32:32x32\n"
    "  rand:DTYPE:SHAPE[:SEED]   deterministic pseudo-random values (floats in [-1, 1),\n"
    "                            signed ints in [-8, 8), unsigned in [0, 16); SEED 0)\n"
    "  scalar literal            for scalar parameters: 16, -3, 0x1F, 0.5, 1e-3, inf,\n"
    "                            true, false; it must fit the parameter's type\n"
    "DTYPE is f16 bf16 f32 f64 i8 i16 i32 i64 u8 u16 u32 u64 bool; SHAPE is like 32x32.\n"
    "A pointer parameter needs a tensor whose element size matches its element type.\n"
    "Pointer arguments are read and written in place.\n"
    "\n"
    "Exit status: 0 success, 1 error (diagnostics on stderr), 2 usage error.\n";

typedef struct run_opts {
  const char *file, *target, *outdir, *savedir;
  ptk_cli_kopts k;
  uint32_t blocks, threads, repeat;
  bool poison, time;
  PTK_VEC(const char *) args;
} run_opts;

static bool parse_u32(const char *s, uint32_t *out) {
  if (!s || !*s) return false;
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (*end || errno || v == 0 || v > 1u << 24 || s[0] == '-') return false;
  *out = (uint32_t)v;
  return true;
}

/* A number-looking or boolean token (so a negative scalar is not an option). */
static bool looks_scalar(const char *s) {
  if (!strcmp(s, "true") || !strcmp(s, "false")) return true;
  char *end;
  errno = 0;
  (void)strtod(s, &end);
  return end != s && !*end;
}

static int parse_args(int argc, char **argv, run_opts *o) {
  bool rest = false;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (rest || a[0] != '-' || !a[1] || looks_scalar(a)) {
      if (!o->file)
        o->file = a;
      else
        ptk_vec_push(&o->args, a);
      continue;
    }
    if (!strcmp(a, "--")) {
      rest = true;
      continue;
    }
    int kr = ptk_cli_kopt(&o->k, "run", argc, argv, &i);
    if (kr < 0) return PTK_EXIT_USAGE;
    if (kr) continue;
    const char *val = NULL;
    const char *eq = strchr(a, '=');
    size_t nlen = eq ? (size_t)(eq - a) : strlen(a);
#define OPT(name) (nlen == strlen(name) && !strncmp(a, name, nlen))
    bool takes = OPT("--blocks") || OPT("--threads") || OPT("--target") || OPT("--out") ||
                 OPT("--save") || OPT("--repeat");
    if (takes) {
      if (eq)
        val = eq + 1;
      else if (i + 1 < argc)
        val = argv[++i];
      else
        return ptk_cli_usage_error("run", "option '%.*s' needs a value", (int)nlen, a);
    } else if (eq) {
      return ptk_cli_usage_error("run", "option '%.*s' takes no value", (int)nlen, a);
    }
    if (OPT("--blocks")) {
      if (!parse_u32(val, &o->blocks))
        return ptk_cli_usage_error("run", "--blocks needs a positive integer (at most 16777216), got '%s'", val);
    } else if (OPT("--threads")) {
      if (!parse_u32(val, &o->threads))
        return ptk_cli_usage_error("run", "--threads needs a positive integer, got '%s'", val);
    } else if (OPT("--repeat")) {
      if (!parse_u32(val, &o->repeat))
        return ptk_cli_usage_error("run", "--repeat needs a positive integer, got '%s'", val);
    } else if (OPT("--target")) {
      if (strcmp(val, "a3") && strcmp(val, "a5"))
        return ptk_cli_usage_error("run", "--target must be a3 or a5, got '%s'", val);
      o->target = val;
    } else if (OPT("--out"))
      o->outdir = val;
    else if (OPT("--save"))
      o->savedir = val;
    else if (OPT("--poison"))
      o->poison = true;
    else if (OPT("--time"))
      o->time = true;
    else
      return ptk_cli_usage_error("run", "unknown option '%s'", a);
#undef OPT
  }
  if (!o->file) return ptk_cli_usage_error("run", "missing FILE");
  if (strcmp(o->file, "-") && !ptk_cli_has_ext(o->file, ".pto") && !ptk_cli_has_ext(o->file, ".ptk"))
    return ptk_cli_usage_error("run", "'%s': unknown file type (expected .ptk or .pto)", o->file);
  return 0;
}

/* ---- arguments --------------------------------------------------------------------------------- */

static ptk_loc ploc(const ptk_func *f, uint32_t i) {
  const ptk_value *v = ptk_func_arg(f, i);
  return v && v->loc.src ? v->loc : f->loc;
}

static char *pname(const ptk_func *f, uint32_t i, bool pct) {
  const ptk_value *v = ptk_func_arg(f, i);
  if (v && v->name) return ptk_xasprintf("%s%s", pct ? "%" : "", v->name);
  return ptk_xasprintf("%sarg%u", pct ? "%" : "", i);
}

static bool parse_int_lit(const char *s, bool *neg, unsigned long long *mag) {
  const char *p = s;
  *neg = false;
  if (*p == '+' || *p == '-') *neg = *p++ == '-';
  int base = 10;
  if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
    base = 16;
    p += 2;
  }
  if (!*p) return false;
  for (const char *q = p; *q; q++)
    if (!(base == 16 ? ((*q >= '0' && *q <= '9') || (*q >= 'a' && *q <= 'f') || (*q >= 'A' && *q <= 'F'))
                     : (*q >= '0' && *q <= '9')))
      return false;
  errno = 0;
  *mag = strtoull(p, NULL, base);
  if (errno == ERANGE) *mag = ULLONG_MAX;
  return true;
}

static double round_to(ptk_dtype dt, double v) {
  switch (dt) {
  case PTK_DT_F32: return (double)(float)v;
  case PTK_DT_F16:
  case PTK_DT_BF16: return ptk_float_from_bits(ptk_float_to_bits(v, dt), dt);
  default: return v;
  }
}

/* Parses `s` as a scalar of type dt; NULL on success, else a message. */
static char *parse_scalar(const char *s, ptk_dtype dt, ptk_launch_arg *out) {
  out->kind = PTK_ARG_SCALAR;
  out->dt = dt;
  const char *tn = ptk_dtype_name(dt);
  if (dt == PTK_DT_I1) {
    if (!strcmp(s, "true") || !strcmp(s, "1")) out->i = 1;
    else if (!strcmp(s, "false") || !strcmp(s, "0")) out->i = 0;
    else return ptk_xasprintf("expected true, false, 1 or 0 for type i1, got '%s'", s);
    return NULL;
  }
  if (ptk_dtype_is_float(dt)) {
    if (!strcmp(s, "true") || !strcmp(s, "false"))
      return ptk_xasprintf("expected a scalar of type %s, got '%s'", tn, s);
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end) return ptk_xasprintf("expected a scalar of type %s, got '%s'", tn, s);
    if (dt != PTK_DT_F64 && dt != PTK_DT_F32 && dt != PTK_DT_F16 && dt != PTK_DT_BF16)
      return ptk_xasprintf("scalar parameters of type %s are not supported", tn);
    if (isfinite(v) && !isfinite(round_to(dt, v)))
      return ptk_xasprintf("%s is out of range for %s", s, tn);
    out->f = v;
    return NULL;
  }
  unsigned w = ptk_dtype_bits(dt);
  ptk_dtype_class cls = ptk_dtype_class_of(dt);
  long double lo, hi; /* exact for w <= 64 */
  if (cls == PTK_DTC_UINT) lo = 0, hi = ldexpl(1.0L, (int)w) - 1;
  else if (cls == PTK_DTC_SINT || cls == PTK_DTC_INDEX) lo = -ldexpl(1.0L, (int)w - 1), hi = ldexpl(1.0L, (int)w - 1) - 1;
  else lo = -ldexpl(1.0L, (int)w - 1), hi = ldexpl(1.0L, (int)w) - 1;
  long double v;
  bool neg;
  unsigned long long mag;
  if (parse_int_lit(s, &neg, &mag)) {
    v = neg ? -(long double)mag : (long double)mag;
  } else {
    char *end;
    double d = strtod(s, &end);
    if (end == s || *end || !strcmp(s, "true") || !strcmp(s, "false"))
      return ptk_xasprintf("expected a scalar of type %s, got '%s'", tn, s);
    if (!isfinite(d) || d != trunc(d)) return ptk_xasprintf("%s is not an integer (type %s)", s, tn);
    v = d;
  }
  if (v < lo || v > hi) return ptk_xasprintf("%s is out of range for %s", s, tn);
  out->i = v >= 0x1p63L ? (int64_t)(uint64_t)v : (int64_t)v;
  return NULL;
}

static bool is_spec(const char *s) { return !strncmp(s, "zeros:", 6) || !strncmp(s, "rand:", 5); }

static int bind(const ptk_func *f, const run_opts *o, ptk_launch_arg *la, ptk_diags *d) {
  if (o->args.len != f->nargs) {
    ptk_error_loc(d, f->loc, "'@%s' takes %u argument%s, got %zu", f->name, f->nargs,
                  f->nargs == 1 ? "" : "s", o->args.len);
    for (uint32_t i = 0; i < f->nargs; i++) {
      char *n = pname(f, i, true), *ts = ptk_type_str(f->arg_types[i]);
      ptk_note(d, ptk_range_at(ploc(f, i), 1), "parameter %u: '%s' of type %s", i + 1, n, ts);
      free(n);
      free(ts);
    }
    return -1;
  }
  int errs = 0;
  for (uint32_t i = 0; i < f->nargs; i++) {
    const ptk_type *t = f->arg_types[i];
    const char *s = o->args.data[i];
    char *n = pname(f, i, true), *ts = ptk_type_str(t), *msg = NULL;
    memset(&la[i], 0, sizeof la[i]);
    if (t->kind == PTK_TY_PTR) {
      ptk_dtype pd = PTK_DT_F32;
      bool known = ptk_type_elem_dtype(t, &pd);
      ptk_tensor *ten = NULL;
      char *err = NULL;
      if (is_spec(s))
        ten = ptk_tensor_from_spec(s, &err);
      else if (looks_scalar(s))
        msg = ptk_xasprintf("expected a tensor (path.npy, zeros:DTYPE:SHAPE or rand:DTYPE:SHAPE) "
                            "for parameter type %s, got '%s'", ts, s);
      else
        ten = ptk_npy_read(s, known && pd == PTK_DT_BF16 ? PTK_NPY_U16_AS_BF16 : 0, &err);
      if (!ten && !msg) msg = ptk_xasprintf("%s", err ? err : "cannot create the tensor");
      free(err);
      if (ten && known && ptk_tdtype_size(ten->dtype) != ptk_dtype_bytes(pd)) {
        msg = ptk_xasprintf("'%s' holds %s (%zu-byte elements) but the parameter is %s (%u-byte "
                            "elements)", s, ptk_tdtype_name(ten->dtype), ptk_tdtype_size(ten->dtype),
                            ts, ptk_dtype_bytes(pd));
      }
      if (msg) {
        ptk_tensor_free(ten);
        ten = NULL;
      }
      la[i].kind = PTK_ARG_TENSOR;
      la[i].tensor = ten;
    } else if (t->kind == PTK_TY_SCALAR) {
      if (is_spec(s) || (!looks_scalar(s) && (ptk_cli_has_ext(s, ".npy") || strchr(s, '/'))))
        msg = ptk_xasprintf("expected a scalar of type %s, got '%s'", ts, s);
      else
        msg = parse_scalar(s, t->dt, &la[i]);
    } else {
      msg = ptk_xasprintf("parameters of type %s are not supported by ptk run", ts);
    }
    if (msg) {
      ptk_error_loc(d, ploc(f, i), "argument %u ('%s'): %s", i + 1, n, msg);
      errs++;
    }
    free(msg);
    free(n);
    free(ts);
  }
  return errs ? -1 : 0;
}

static int mkdir_p(const char *dir) {
  char *p = ptk_xstrdup(dir);
  for (char *q = p + 1; *q; q++) {
    if (*q != '/') continue;
    *q = 0;
    if (mkdir(p, 0777) && errno != EEXIST) {
      free(p);
      return -1;
    }
    *q = '/';
  }
  int rc = mkdir(p, 0777) && errno != EEXIST ? -1 : 0;
  free(p);
  return rc;
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int ptk_cmd_run(int argc, char **argv) {
  run_opts o = {0};
  int rc = parse_args(argc, argv, &o);
  if (rc) {
    ptk_vec_free(&o.args);
    ptk_cli_kopts_free(&o.k);
    return rc;
  }
  const char *pe = getenv("PTK_POISON");
  if (pe && *pe && strcmp(pe, "0")) o.poison = true;
  ptk_diags *d = ptk_diags_new();
  ptk_source *src = NULL;
  ptk_loaded *l = NULL;
  ptk_interp_prog *prog = NULL;
  ptk_launch_arg *la = NULL;
  size_t nla = 0;
  rc = PTK_EXIT_ERROR;
  src = ptk_cli_load(o.file, d);
  if (!src) goto done;
  ptk_trace_opts to = ptk_cli_trace_opts(&o.k);
  l = ptk_kernel_load(o.file, src, o.k.entry, o.k.consts.data, o.k.consts.len, &to, d);
  if (!l) goto done;
  ptk_func *f = ptk_loaded_entry(l);
  prog = ptk_interp_prepare(f, d);
  if (!prog) goto done;
  nla = f->nargs;
  la = ptk_xcalloc(nla ? nla : 1, sizeof *la);
  if (bind(f, &o, la, d)) goto done;
  ptk_launch_opts lo = {0};
  lo.blocks = o.blocks ? o.blocks : 1;
  lo.threads = o.threads;
  lo.target = o.target;
  lo.poison = o.poison;
  lo.out = stdout;
  if (o.savedir && !ptk_save_run_inputs(o.savedir, f, la, f->nargs, d)) goto done;
  for (uint32_t r = 0; r < (o.repeat ? o.repeat : 1); r++) {
    double t0 = now_ms();
    int lrc = ptk_interp_run(prog, &lo, la, f->nargs, d);
    double t1 = now_ms();
    if (o.time) fprintf(stderr, "ptk run: launch took %.3f ms\n", t1 - t0);
    if (lrc) goto done;
  }
  if (o.outdir) {
    if (mkdir_p(o.outdir)) {
      ptk_error_file(d, o.outdir, "cannot create the output folder: %s", strerror(errno));
      goto done;
    }
    for (uint32_t i = 0; i < f->nargs; i++) {
      if (la[i].kind != PTK_ARG_TENSOR || !la[i].tensor) continue;
      char *n = pname(f, i, false);
      char *path = ptk_xasprintf("%s/%u_%s.npy", o.outdir, i, n);
      char *err = NULL;
      if (ptk_npy_write(path, la[i].tensor, &err)) {
        ptk_error_file(d, path, "%s", err ? err : "cannot write");
        free(err);
      }
      free(path);
      free(n);
    }
    if (ptk_diags_errors(d)) goto done;
  }
  if (o.savedir && !ptk_save_run_outputs(o.savedir, f, la, f->nargs, &lo, d)) goto done;
  rc = PTK_EXIT_OK;
done:
  ptk_diags_print(d, stderr);
  ptk_diags_free(d);
  if (la) {
    for (size_t i = 0; i < nla; i++)
      if (la[i].kind == PTK_ARG_TENSOR) ptk_tensor_free(la[i].tensor);
  }
  free(la);
  ptk_interp_free(prog);
  ptk_loaded_free(l);
  ptk_source_free(src);
  ptk_vec_free(&o.args);
  ptk_cli_kopts_free(&o.k);
  return rc;
}

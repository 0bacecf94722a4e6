/* ptk-corpus: runs the shared .pto corpus (../shared/corpus/pto, see its
 * INDEX.md) through `ptk run` and compares every pointer buffer with the
 * expected one.
 *
 *   ptk-corpus --ptk PATH [-k REGEX] [--summary FILE] [-v] [--keep]
 *              [--timeout SECONDS] CORPUS_DIR
 *
 * For each case folder (sorted) holding case.json, from inside the folder:
 *   PTK run kernel.pto --entry ENTRY --blocks B --out OUT -- ARG...
 * with ARG the lines of run_args.txt (exec'd directly, no shell). Output
 * buffers (role "out") must start filled with -7: when the in/ file named by
 * the argument is not, a -7-filled copy is passed instead. Then each pointer
 * parameter k's OUT/<k>_<name>.npy is compared with expected/<k>_<name>.npy
 * with |got - exp| <= atol + rtol*|exp| (per-parameter rtol/atol; bf16
 * widened from its uint16 bit patterns; integers exactly; NaN matches only
 * NaN; infinities only themselves). One line per case: PASS corpus/<id> or
 * FAIL corpus/<id>: <reason>; then "[corpus] N run, M failing". -v adds
 * ptk's output for failing cases; --keep keeps the output folders.
 *
 * --vpto: the VPTO corpus (../shared/corpus/vpto): outputs start as the case
 * uploads them (no -7 copies); a parameter's `check` ([[start, count], …])
 * limits the compared elements, `bitexact` compares exactly; every case runs
 * on both engines (tests vpto/<id> and vpto/<id>.jit), and the JIT's
 * buffers must equal the interpreter's bit for bit. 8-bit float buffers
 * (npy uint8) are compared as bytes. --xfail FILE lists cases known not to
 * pass yet (`<id> <reason>` per line): such a case must still fail (XFAIL
 * counts as passed, an unexpected pass fails, so the list cannot go stale). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "lang/util.h"
#include "runtime/npy.h"
#include "runtime/tensor.h"

static const char *ptk_path;
static double timeout_s = 300;
static int verbose, keep, vpto;
static char *xfail_text; /* --xfail: the file's text */

/* The reason id is expected to fail, or NULL. */
static const char *xfail_reason(const char *id, char *buf, size_t n) {
  if (!xfail_text) return NULL;
  size_t il = strlen(id);
  for (const char *l = xfail_text; *l;) {
    const char *e = strchr(l, '\n');
    size_t len = e ? (size_t)(e - l) : strlen(l);
    if (len > il && !strncmp(l, id, il) && l[il] == ' ') {
      snprintf(buf, n, "%.*s", (int)(len - il - 1), l + il + 1);
      return buf;
    }
    l += len + (e ? 1 : 0);
  }
  return NULL;
}

typedef struct {
  char *name; /* without '%' */
  bool ptr, out;
  ptk_tdtype dtype;
  bool has_dtype;
  bool bitexact;
  double rtol, atol;
  int64_t (*check)[2]; /* --vpto: compared ranges [start, count] (NULL: all) */
  size_t ncheck;
} param;

/* ---- helpers ------------------------------------------------------------ */

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st, (void)ftw;
  if (flag == FTW_DP)
    rmdir(p);
  else
    unlink(p);
  return 0;
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static char *absolute(const char *p) {
  char buf[4096];
  if (realpath(p, buf)) return ptk_xstrdup(buf);
  if (p[0] == '/' || !getcwd(buf, sizeof buf)) return ptk_xstrdup(p);
  return ptk_xasprintf("%s/%s", buf, p);
}

/* Runs argv from dir with output to `log`; returns a wait status, or -1 on
 * timeout, -2 when it could not start. */
static int run(char **argv, const char *dir, const char *log) {
  int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) return -2;
  sigset_t set, old;
  sigemptyset(&set);
  sigaddset(&set, SIGCHLD);
  sigprocmask(SIG_BLOCK, &set, &old);
  pid_t pid = fork();
  if (pid < 0) {
    close(fd);
    sigprocmask(SIG_SETMASK, &old, NULL);
    return -2;
  }
  if (pid == 0) {
    sigprocmask(SIG_SETMASK, &old, NULL);
    setpgid(0, 0);
    int in = open("/dev/null", O_RDONLY);
    if (in >= 0) dup2(in, 0);
    dup2(fd, 1);
    dup2(fd, 2);
    if (chdir(dir) != 0) _exit(126);
    execv(argv[0], argv);
    fprintf(stderr, "ptk-corpus: cannot execute %s: %s\n", argv[0], strerror(errno));
    _exit(127);
  }
  close(fd);
  setpgid(pid, pid);
  double deadline = now() + timeout_s;
  int st = 0;
  for (;;) {
    /* Detect the exit without reaping, so the process group still exists
     * (and its id cannot be reused) when we kill what the command left. */
    siginfo_t si;
    si.si_pid = 0;
    int r = waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT);
    if (r == 0 && si.si_pid == pid) {
      kill(-pid, SIGKILL);
      waitpid(pid, &st, 0);
      break;
    }
    if (r < 0 && errno != EINTR) {
      st = -2;
      break;
    }
    double left = deadline - now();
    if (left <= 0) {
      kill(-pid, SIGKILL);
      waitpid(pid, &st, 0);
      st = -1;
      break;
    }
    struct timespec ts = {0, (long)((left > 0.1 ? 0.1 : left) * 1e9)};
    sigtimedwait(&set, NULL, &ts);
  }
  sigprocmask(SIG_SETMASK, &old, NULL);
  return st;
}

/* A one-line summary of ptk's output: the first line mentioning "error",
 * else the last non-empty line. */
static char *output_hint(const char *log) {
  size_t len;
  char *text = ptk_read_file(log, &len);
  if (!text) return ptk_xstrdup("");
  char *pick = NULL, *last = NULL;
  for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
    if (!*line) continue;
    last = line;
    if (!pick && (strstr(line, "error") || strstr(line, "ERROR"))) pick = line;
  }
  char *r = ptk_xasprintf("%.300s", pick ? pick : last ? last : "(no output)");
  free(text);
  return r;
}

static void log_lines(ptk_buf *b, const char *log) {
  size_t len;
  char *text = ptk_read_file(log, &len);
  if (!text) return;
  int lines = 0;
  for (char *line = strtok(text, "\n"); line && lines < 60; line = strtok(NULL, "\n"), lines++)
    ptk_buf_printf(b, "    | %s\n", line);
  free(text);
}

static void index_str(ptk_buf *b, const ptk_tensor *t, int64_t flat) {
  int64_t idx[PTK_TENSOR_MAX_RANK];
  for (int d = t->rank - 1; d >= 0; d--) {
    idx[d] = t->shape[d] ? flat % t->shape[d] : 0;
    flat = t->shape[d] ? flat / t->shape[d] : 0;
  }
  ptk_buf_putc(b, '[');
  for (int d = 0; d < t->rank; d++) ptk_buf_printf(b, "%s%lld", d ? "," : "", (long long)idx[d]);
  ptk_buf_putc(b, ']');
}

static void shape_str(ptk_buf *b, const ptk_tensor *t) {
  for (int d = 0; d < t->rank; d++)
    ptk_buf_printf(b, "%s%lld", d ? "x" : "", (long long)t->shape[d]);
  if (!t->rank) ptk_buf_puts(b, "scalar");
}

/* Compares one buffer; appends a reason to `why` on mismatch. */
static bool compare(const param *p, int k, const ptk_tensor *got, const ptk_tensor *exp,
                    ptk_buf *why) {
  const char *sep = why->len ? "; " : "";
  bool same_shape = got->rank == exp->rank;
  for (int d = 0; same_shape && d < got->rank; d++) same_shape = got->shape[d] == exp->shape[d];
  if (got->dtype != exp->dtype || !same_shape) {
    ptk_buf_printf(why, "%s%d_%s: got %s[", sep, k, p->name, ptk_tdtype_name(got->dtype));
    shape_str(why, got);
    ptk_buf_printf(why, "], expected %s[", ptk_tdtype_name(exp->dtype));
    shape_str(why, exp);
    ptk_buf_puts(why, "]");
    return false;
  }
  int64_t n = ptk_tensor_numel(exp), bad = 0, first = -1, compared = 0;
  double maxerr = 0;
  bool is_float = ptk_tdtype_is_float(exp->dtype);
  for (int64_t i = 0; i < n; i++) {
    bool ok;
    if (p->check) {
      bool in = false;
      for (size_t r = 0; r < p->ncheck && !in; r++) in = i >= p->check[r][0] && i < p->check[r][0] + p->check[r][1];
      if (!in) continue;
    }
    compared++;
    if (is_float) {
      double a = ptk_tensor_get_f64(got, i), e = ptk_tensor_get_f64(exp, i);
      if (isnan(a) || isnan(e))
        ok = isnan(a) && isnan(e);
      else if (isinf(a) || isinf(e))
        ok = a == e;
      else {
        double d = fabs(a - e);
        ok = p->bitexact ? a == e : d <= p->atol + p->rtol * fabs(e);
        if (d > maxerr) maxerr = d;
      }
      if (!ok && (isnan(a) || isnan(e) || isinf(a) || isinf(e))) maxerr = INFINITY;
    } else {
      int64_t a = ptk_tensor_get_i64(got, i), e = ptk_tensor_get_i64(exp, i);
      ok = a == e;
      double d = fabs((double)a - (double)e);
      if (d > maxerr) maxerr = d;
    }
    if (!ok) {
      if (first < 0) first = i;
      bad++;
    }
  }
  if (!bad) return true;
  ptk_buf_printf(why, "%s%d_%s: %lld of %lld %selements differ; first at ", sep, k, p->name,
                 (long long)bad, (long long)compared, p->check ? "compared " : "");
  index_str(why, exp, first);
  if (is_float)
    ptk_buf_printf(why, ": got %.9g, expected %.9g; max abs error %.6g (rtol %g, atol %g)",
                   ptk_tensor_get_f64(got, first), ptk_tensor_get_f64(exp, first), maxerr, p->rtol,
                   p->atol);
  else
    ptk_buf_printf(why, ": got %lld, expected %lld; max abs error %.6g",
                   (long long)ptk_tensor_get_i64(got, first),
                   (long long)ptk_tensor_get_i64(exp, first), maxerr);
  return false;
}

static bool all_minus7(const ptk_tensor *t) {
  int64_t n = ptk_tensor_numel(t);
  for (int64_t i = 0; i < n; i++)
    if (ptk_tensor_get_f64(t, i) != -7) return false;
  return true;
}

/* ---- one case ------------------------------------------------------------ */

static double num(json_t *o, const char *key, double dflt) {
  json_t *v = json_object_get(o, key);
  return json_is_number(v) ? json_number_value(v) : dflt;
}

/* Returns true on pass; `why` gets the failure reason. */
static bool run_case(const char *case_dir, const char *id, const char *tmp, const char *engine,
                     ptk_buf *why, ptk_buf *detail) {
  char *cj = ptk_xasprintf("%s/case.json", case_dir);
  json_error_t jerr;
  json_t *root = json_load_file(cj, 0, &jerr);
  free(cj);
  if (!root) {
    ptk_buf_printf(why, "case.json:%d: %s", jerr.line, jerr.text);
    return false;
  }
  bool ok = false;
  PTK_VEC(param) params = {0};
  PTK_VEC(char *) args = {0};
  PTK_VEC(char *) argv = {0};
  char *outdir = ptk_xasprintf("%s/%s.%s.out", tmp, id, engine),
       *initdir = ptk_xasprintf("%s/%s.init", tmp, id);
  char *log = ptk_xasprintf("%s/%s.log", tmp, id);
  const char *entry = json_string_value(json_object_get(root, "entry"));
  json_t *jb = json_object_get(root, "blocks");
  json_t *jp = json_object_get(root, "params");
  double drtol = num(root, "rtol", 1e-5), datol = num(root, "atol", 1e-8);
  if (!entry || !json_is_array(jp)) {
    ptk_buf_puts(why, "case.json lacks 'entry' or 'params'");
    goto done;
  }
  size_t i;
  json_t *v;
  json_array_foreach(jp, i, v) {
    param p = {0};
    const char *name = json_string_value(json_object_get(v, "name"));
    const char *kind = json_string_value(json_object_get(v, "kind"));
    const char *dt = json_string_value(json_object_get(v, "dtype"));
    const char *role = json_string_value(json_object_get(v, "role"));
    if (!name || !kind) {
      ptk_buf_printf(why, "case.json: parameter %zu lacks 'name' or 'kind'", i);
      goto done;
    }
    p.name = ptk_xstrdup(name[0] == '%' ? name + 1 : name);
    p.ptr = !strcmp(kind, "ptr");
    p.out = role && !strcmp(role, "out");
    p.has_dtype = dt && ptk_tdtype_parse(dt, strlen(dt), &p.dtype);
    p.rtol = num(v, "rtol", drtol);
    p.atol = num(v, "atol", datol);
    p.bitexact = json_is_true(json_object_get(v, "bitexact"));
    json_t *jc = json_object_get(v, "check");
    if (vpto && json_is_array(jc)) {
      p.ncheck = json_array_size(jc);
      p.check = ptk_xcalloc(p.ncheck + 1, sizeof *p.check);
      for (size_t r = 0; r < p.ncheck; r++) {
        json_t *rg = json_array_get(jc, r);
        p.check[r][0] = json_integer_value(json_array_get(rg, 0));
        p.check[r][1] = json_integer_value(json_array_get(rg, 1));
      }
    }
    /* 8-bit floats and other raw formats: compared as their storage bytes */
    const char *npy = json_string_value(json_object_get(v, "npy"));
    if (vpto && npy && dt && !ptk_tdtype_parse(dt, strlen(dt), &p.dtype) && !strcmp(npy, "uint8")) {
      dt = "u8";
      p.bitexact = true;
    }
    if (vpto && npy && !strcmp(npy, "uint16") && dt && !strcmp(dt, "bf16")) p.bitexact |= p.rtol == 0;
    p.has_dtype = dt && ptk_tdtype_parse(dt, strlen(dt), &p.dtype);
    ptk_vec_push(&params, p);
    if (p.ptr && !p.has_dtype) {
      ptk_buf_printf(why, "case.json: parameter %s has unknown dtype '%s'", name, dt ? dt : "");
      goto done;
    }
  }
  /* run_args.txt: one argument per line. */
  char *ra = ptk_xasprintf("%s/run_args.txt", case_dir);
  size_t len;
  char *text = ptk_read_file(ra, &len);
  free(ra);
  if (!text) {
    ptk_buf_printf(why, "cannot read run_args.txt: %s", strerror(errno));
    goto done;
  }
  for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
    size_t l = strlen(line);
    while (l && (line[l - 1] == '\r' || line[l - 1] == ' ')) line[--l] = 0;
    if (l) ptk_vec_push(&args, ptk_xstrdup(line));
  }
  free(text);
  /* Output buffers must start as -7 (the tile corpus' convention). */
  if (!vpto && args.len == params.len) {
    for (i = 0; i < params.len; i++) {
      param *p = &params.data[i];
      if (!p->ptr || !p->out) continue;
      char *path = args.data[i][0] == '/' ? ptk_xstrdup(args.data[i])
                                          : ptk_xasprintf("%s/%s", case_dir, args.data[i]);
      char *err = NULL;
      ptk_tensor *t = ptk_npy_read(path, p->dtype == PTK_TD_BF16 ? PTK_NPY_U16_AS_BF16 : 0, &err);
      free(path);
      if (!t) { /* not a file: leave it to ptk */
        free(err);
        continue;
      }
      if (!all_minus7(t)) {
        ptk_tensor *f = ptk_tensor_filled(t->dtype, t->rank, t->shape, -7, NULL);
        mkdir(initdir, 0700);
        char *copy = ptk_xasprintf("%s/%zu_%s.npy", initdir, i, p->name);
        if (!f || ptk_npy_write(copy, f, &err) != 0) {
          ptk_buf_printf(why, "cannot write a -7 copy of output %s: %s", p->name, err ? err : "");
          free(err);
          free(copy);
          ptk_tensor_free(f);
          ptk_tensor_free(t);
          goto done;
        }
        free(args.data[i]);
        args.data[i] = copy;
        ptk_tensor_free(f);
      }
      ptk_tensor_free(t);
    }
  }
  /* Run. */
  nftw(outdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
  if (mkdir(outdir, 0700) != 0) {
    ptk_buf_printf(why, "cannot create %s: %s", outdir, strerror(errno));
    goto done;
  }
  char blocks[32];
  snprintf(blocks, sizeof blocks, "%lld",
           json_is_integer(jb) ? (long long)json_integer_value(jb) : 1LL);
  static char *fixed[] = {"run", "kernel.pto", "--entry"};
  ptk_vec_push(&argv, (char *)ptk_path);
  for (i = 0; i < PTK_ARRAY_LEN(fixed); i++) ptk_vec_push(&argv, fixed[i]);
  ptk_vec_push(&argv, (char *)entry);
  ptk_vec_push(&argv, "--blocks");
  ptk_vec_push(&argv, blocks);
  ptk_vec_push(&argv, "--out");
  ptk_vec_push(&argv, outdir);
  ptk_vec_push(&argv, "--engine");
  ptk_vec_push(&argv, (char *)engine);
  ptk_vec_push(&argv, "--");
  for (i = 0; i < args.len; i++) ptk_vec_push(&argv, args.data[i]);
  ptk_vec_push(&argv, NULL);
  int st = run(argv.data, case_dir, log);
  if (st == -1) {
    ptk_buf_printf(why, "ptk run timed out after %g s", timeout_s);
  } else if (st == -2) {
    ptk_buf_printf(why, "could not start %s", ptk_path);
  } else if (WIFSIGNALED(st)) {
    char *h = output_hint(log);
    ptk_buf_printf(why, "ptk run crashed (signal %d, %s): %s", WTERMSIG(st),
                   strsignal(WTERMSIG(st)), h);
    free(h);
  } else if (WEXITSTATUS(st) != 0) {
    int code = WEXITSTATUS(st);
    char *h = output_hint(log);
    ptk_buf_printf(why, "ptk run exited with status %d%s: %s", code,
                   code == 98 || code == 99 ? " (sanitizer report)" : "", h);
    free(h);
  } else {
    ok = true;
    for (i = 0; i < params.len; i++) {
      param *p = &params.data[i];
      if (!p->ptr) continue;
      int flags = p->dtype == PTK_TD_BF16 ? PTK_NPY_U16_AS_BF16 : 0;
      char *gp = ptk_xasprintf("%s/%zu_%s.npy", outdir, i, p->name);
      char *ep = ptk_xasprintf("%s/expected/%zu_%s.npy", case_dir, i, p->name);
      char *err = NULL;
      ptk_tensor *exp = ptk_npy_read(ep, flags, &err), *got = NULL;
      if (!exp) {
        ptk_buf_printf(why, "%s%s", why->len ? "; " : "", err);
        ok = false;
      } else if (access(gp, F_OK) != 0) {
        ptk_buf_printf(why, "%s%zu_%s: ptk run wrote no %zu_%s.npy", why->len ? "; " : "", i,
                       p->name, i, p->name);
        ok = false;
      } else if (!(got = ptk_npy_read(gp, flags, &err))) {
        ptk_buf_printf(why, "%s%zu_%s: bad output file: %s", why->len ? "; " : "", i, p->name, err);
        ok = false;
      } else if (!compare(p, (int)i, got, exp, why)) {
        ok = false;
      } else if (strcmp(engine, "interp") != 0) { /* bit-identical to the interpreter */
        char *ip = ptk_xasprintf("%s/%s.interp.out/%zu_%s.npy", tmp, id, i, p->name);
        size_t la = 0, lb = 0;
        char *a = ptk_read_file(ip, &la), *b = ptk_read_file(gp, &lb);
        if (a && b && (la != lb || memcmp(a, b, la) != 0)) {
          ptk_buf_printf(why, "%s%zu_%s: the %s engine's buffer differs from the interpreter's", why->len ? "; " : "",
                         i, p->name, engine);
          ok = false;
        }
        free(a);
        free(b);
        free(ip);
      }
      free(err);
      ptk_tensor_free(exp);
      ptk_tensor_free(got);
      free(gp);
      free(ep);
    }
  }
  if (!ok && verbose) {
    ptk_buf_puts(detail, "  command (from the case folder):");
    for (i = 0; argv.data && argv.data[i]; i++) ptk_buf_printf(detail, " %s", argv.data[i]);
    ptk_buf_puts(detail, "\n  output:\n");
    log_lines(detail, log);
  }
done:
  if (keep)
    ptk_buf_printf(detail, "  kept %s\n", outdir);
  else if (!vpto || strcmp(engine, "interp") != 0) { /* --vpto: the JIT run compares with it */
    if (vpto) {
      char *io = ptk_xasprintf("%s/%s.interp.out", tmp, id);
      nftw(io, rm_one, 16, FTW_DEPTH | FTW_PHYS);
      free(io);
    }
    nftw(outdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    nftw(initdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    unlink(log);
  }
  for (i = 0; i < params.len; i++) {
    free(params.data[i].name);
    free(params.data[i].check);
  }
  for (i = 0; i < args.len; i++) free(args.data[i]);
  ptk_vec_free(&params);
  ptk_vec_free(&args);
  ptk_vec_free(&argv);
  free(outdir);
  free(initdir);
  free(log);
  json_decref(root);
  return ok;
}

/* ---- main ---------------------------------------------------------------- */

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void usage(void) {
  fputs("usage: ptk-corpus --ptk PATH [-k REGEX] [--summary FILE] [-v] [--keep] [--vpto] [--xfail FILE] "
        "[--timeout SECONDS] CORPUS_DIR\n",
        stderr);
}

int main(int argc, char **argv) {
  const char *ptk_arg = NULL, *pattern = NULL, *summary = NULL, *dir = NULL;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    bool more = i + 1 < argc;
    if (!strcmp(a, "--ptk") && more)
      ptk_arg = argv[++i];
    else if (!strcmp(a, "-k") && more)
      pattern = argv[++i];
    else if (!strcmp(a, "--summary") && more)
      summary = argv[++i];
    else if (!strcmp(a, "--timeout") && more)
      timeout_s = atof(argv[++i]);
    else if (!strcmp(a, "-v"))
      verbose = 1;
    else if (!strcmp(a, "--keep"))
      keep = 1;
    else if (!strcmp(a, "--vpto"))
      vpto = 1;
    else if (!strcmp(a, "--xfail") && more) {
      size_t n;
      if (!(xfail_text = ptk_read_file(argv[++i], &n))) {
        fprintf(stderr, "ptk-corpus: %s: %s\n", argv[i], strerror(errno));
        return 2;
      }
    }
    else if (a[0] != '-' && !dir)
      dir = a;
    else {
      usage();
      return 2;
    }
  }
  if (!ptk_arg || !dir || !(timeout_s > 0)) {
    usage();
    return 2;
  }
  pcre2_code *re = NULL;
  pcre2_match_data *md = NULL;
  if (pattern && *pattern) {
    int err;
    PCRE2_SIZE off;
    re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, 0, &err, &off, NULL);
    if (!re) {
      PCRE2_UCHAR msg[256];
      pcre2_get_error_message(err, msg, sizeof msg);
      fprintf(stderr, "ptk-corpus: bad -k pattern at offset %zu: %s\n", (size_t)off, (char *)msg);
      return 2;
    }
    md = pcre2_match_data_create_from_pattern(re, NULL);
  }
  char *ptk_abs = absolute(ptk_arg), *dir_abs = absolute(dir);
  ptk_path = ptk_abs;
  DIR *d = opendir(dir_abs);
  if (!d) {
    fprintf(stderr, "ptk-corpus: %s: %s\n", dir, strerror(errno));
    return 2;
  }
  PTK_VEC(char *) ids = {0};
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    char *cj = ptk_xasprintf("%s/%s/case.json", dir_abs, e->d_name);
    if (access(cj, R_OK) == 0) ptk_vec_push(&ids, ptk_xstrdup(e->d_name));
    free(cj);
  }
  closedir(d);
  qsort(ids.data, ids.len, sizeof(char *), cmp_str);
  const char *tmpdir = getenv("TMPDIR");
  char *tmp = ptk_xasprintf("%s/ptk-corpus.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
  if (!mkdtemp(tmp)) {
    fprintf(stderr, "ptk-corpus: cannot create a temporary folder: %s\n", strerror(errno));
    return 2;
  }
  int passed = 0, failed = 0;
  static const char *const engines[] = {"interp", "jit"};
  for (size_t i = 0; i < ids.len; i++) {
    for (int en = 0; en < (vpto ? 2 : 1); en++) {
      char *name = vpto ? ptk_xasprintf("vpto/%s%s", ids.data[i], en ? ".jit" : "")
                        : ptk_xasprintf("corpus/%s", ids.data[i]);
      /* the JIT run compares with the interpreter's output: run both when either is selected */
      char *base = vpto ? ptk_xasprintf("vpto/%s", ids.data[i]) : NULL;
      bool sel = !re || pcre2_match(re, (PCRE2_SPTR)name, strlen(name), 0, 0, md, NULL) >= 0 ||
                 (base && pcre2_match(re, (PCRE2_SPTR)base, strlen(base), 0, 0, md, NULL) >= 0);
      free(base);
      if (sel) {
        char *case_dir = ptk_xasprintf("%s/%s", dir_abs, ids.data[i]);
        ptk_buf why = {0}, detail = {0};
        char xb[256];
        const char *xr = xfail_reason(ids.data[i], xb, sizeof xb);
        bool pass = run_case(case_dir, ids.data[i], tmp, engines[en], &why, &detail);
        if (xr && pass) {
          failed++;
          printf("FAIL %s: passes, but the --xfail list says it fails (%s): remove it from the list\n", name, xr);
        } else if (xr) {
          passed++;
          printf("XFAIL %s: %s (%s)\n", name, xr, ptk_buf_cstr(&why));
        } else if (pass) {
          passed++;
          printf("PASS %s\n", name);
        } else {
          failed++;
          printf("FAIL %s: %s\n", name, ptk_buf_cstr(&why));
        }
        fputs(ptk_buf_cstr(&detail), stdout);
        fflush(stdout);
        ptk_buf_free(&why);
        ptk_buf_free(&detail);
        free(case_dir);
      }
      free(name);
    }
    free(ids.data[i]);
  }
  printf("[%s] %d run, %d failing\n", vpto ? "vpto" : "corpus", passed + failed, failed);
  fflush(stdout);
  if (summary) {
    char *s = ptk_xasprintf("%d %d\n", passed, failed);
    if (ptk_write_file_atomic(summary, s, strlen(s)) != 0)
      fprintf(stderr, "ptk-corpus: cannot write %s: %s\n", summary, strerror(errno));
    free(s);
  }
  if (!keep) nftw(tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
  free(tmp);
  ptk_vec_free(&ids);
  free(ptk_abs);
  free(dir_abs);
  free(xfail_text);
  pcre2_match_data_free(md);
  pcre2_code_free(re);
  return failed ? 1 : 0;
}

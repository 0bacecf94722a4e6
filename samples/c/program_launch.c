/* program_launch: run ptk programs (task graphs of kernels) from C through
 * the public API.
 *
 *   build/samples/program_launch [path/to/vector_dag.ptk]
 *
 * 1. Loads samples/programs/vector_dag.ptk (five tasks: c = a + b,
 *    d = c + 1, e = c + 2, g = d * e, f = g + c with a = 2, b = 3) and runs
 *    it return-style: ptk_prog_call allocates the out tensor f (its shape
 *    is static), every element must be 47.
 * 2. Loads a program from a string, binding its module-level const ALPHA
 *    to 3, with a dynamic dimension N: z = ALPHA * (ALPHA * x + y) + y
 *    through an intermediate. Runs it in place (every tensor passed) and
 *    return-style (z allocated with N taken from x), for two lengths, and
 *    compares with a plain C loop.
 * Prints one line per check; exits 0 when everything matches, 1 otherwise. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ptk.h" /* the installed header; in the source tree runtime/ptk.h (the Makefile adds -Iruntime) */

static const char *AXPY2 =
    "const ALPHA = 2.0;\n"
    "const TILE = 256;\n"
    "\n"
    "// z = a * x + y over n elements (n a multiple of TILE)\n"
    "kernel axpy(x: ptr<f32> in, y: ptr<f32> in, z: ptr<f32> out, a: f32, n: i32) {\n"
    "  let xv = make_tensor_view(x, shape = [1, n], strides = [n, 1]);\n"
    "  let yv = make_tensor_view(y, shape = [1, n], strides = [n, 1]);\n"
    "  let zv = make_tensor_view(z, shape = [1, n], strides = [n, 1]);\n"
    "  for off in range(block_idx() * TILE, n, block_num() * TILE) {\n"
    "    let tx = alloc_tile(shape = [1, TILE], dtype = f32, loc = vec);\n"
    "    let ty = alloc_tile(shape = [1, TILE], dtype = f32, loc = vec);\n"
    "    tload(xv[0:1, off:off + TILE], tx);\n"
    "    tload(yv[0:1, off:off + TILE], ty);\n"
    "    tmuls(tx, a, tx);\n"
    "    tadd(tx, ty, tx);\n"
    "    tstore(tx, zv[0:1, off:off + TILE]);\n"
    "  }\n"
    "}\n"
    "\n"
    "program axpy2(x: tensor<f32>[N] in, y: tensor<f32>[N] in, z: tensor<f32>[N] out) {\n"
    "  let t = alloc_tensor(shape = [N], dtype = f32);\n"
    "  launch axpy(x, y, t, ALPHA, N, blocks = 4);   // t = ALPHA x + y\n"
    "  launch axpy(t, y, z, ALPHA, N, blocks = 4);   // z = ALPHA t + y\n"
    "}\n";

static char *default_path(const char *argv0) {
  /* <repo>/<build>/samples/program_launch → <repo>/samples/programs/vector_dag.ptk */
  char self[4096];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) {
    snprintf(self, sizeof self, "%s", argv0);
    n = (ssize_t)strlen(self);
  }
  self[n] = 0;
  for (int up = 0; up < 3; up++) {
    char *slash = strrchr(self, '/');
    if (!slash) break;
    *slash = 0;
  }
  size_t len = strlen(self) + 64;
  char *p = malloc(len);
  if (!p) return NULL;
  snprintf(p, len, "%s/samples/programs/vector_dag.ptk", self);
  if (access(p, R_OK) == 0) return p;
  snprintf(p, len, "samples/programs/vector_dag.ptk");
  return p;
}

static void print_params(const ptk_prog *p) {
  static const char *dirs[] = {"in", "out", "inout", "unused"};
  printf("program %s(", ptk_prog_name(p));
  for (size_t i = 0; i < ptk_prog_nparams(p); i++) {
    const ptk_prog_param *q = ptk_prog_param_at(p, i);
    printf("%s%s: ", i ? ", " : "", q->name);
    if (!q->is_tensor) {
      printf("%s", ptk_elem_name(q->type));
      continue;
    }
    printf("tensor<%s>[", ptk_elem_name(q->type));
    for (int r = 0; r < q->rank; r++) {
      if (q->shape[r] < 0)
        printf("%s%s", r ? ", " : "", q->dim_names[r]);
      else
        printf("%s%lld", r ? ", " : "", (long long)q->shape[r]);
    }
    printf("] %s", dirs[q->dir]);
  }
  printf(")\n");
}

static int fail_with(ptk_err *err) {
  fprintf(stderr, "%s", err->message ? err->message : "error\n");
  ptk_err_clear(err);
  return 1;
}

/* Part 1: the vector DAG, return-style. */
static int vector_dag(ptk_ctx *ctx, const char *path) {
  ptk_err err = {0};
  ptk_prog *p = ptk_prog_load_file(ctx, path, NULL, NULL, 0, &err);
  if (!p) return fail_with(&err);
  print_params(p);
  ptk_tensor *f = NULL;
  if (ptk_prog_call(p, NULL, 0, &f, 1, &err) != PTK_OK) return fail_with(&err);
  const float *v = ptk_tensor_data(f);
  int64_t n = ptk_tensor_numel(f), bad = 0;
  for (int64_t i = 0; i < n; i++) bad += v[i] != 47.0f;
  printf("vector_dag: %zu tasks, f is %lldx%lld, %s\n", ptk_prog_ntasks(p), (long long)ptk_tensor_shape(f)[0],
         (long long)ptk_tensor_shape(f)[1], bad ? "MISMATCH" : "every element is 47");
  ptk_tensor_free(f);
  ptk_prog_free(p);
  return bad != 0;
}

/* Part 2: a program from a string, a const binding, a dynamic dimension. */
static int axpy2(ptk_ctx *ctx) {
  ptk_err err = {0};
  ptk_const alpha = {"ALPHA", "3"};
  ptk_prog *p = ptk_prog_load_string(ctx, AXPY2, "axpy2.ptk", "axpy2", &alpha, 1, &err);
  if (!p) return fail_with(&err);
  print_params(p);
  int bad = 0;
  static const int64_t sizes[] = {256, 4096};
  for (size_t s = 0; s < 2; s++) {
    int64_t n = sizes[s];
    ptk_tensor *x = ptk_tensor_new(PTK_F32, 1, &n), *y = ptk_tensor_new(PTK_F32, 1, &n),
               *z = ptk_tensor_new(PTK_F32, 1, &n), *z2 = NULL;
    if (!x || !y || !z) {
      fprintf(stderr, "out of memory\n");
      return 1;
    }
    float *xv = ptk_tensor_data(x), *yv = ptk_tensor_data(y);
    for (int64_t i = 0; i < n; i++) {
      xv[i] = (float)(i % 17) * 0.25f;
      yv[i] = 1.0f - (float)(i % 5);
    }
    ptk_arg args[3] = {ptk_arg_tensor(x), ptk_arg_tensor(y), ptk_arg_tensor(z)};
    if (ptk_prog_launch(p, args, 3, &err) != PTK_OK) return fail_with(&err);
    if (ptk_prog_call(p, args, 2, &z2, 1, &err) != PTK_OK) return fail_with(&err);
    const float *zv = ptk_tensor_data(z), *z2v = ptk_tensor_data(z2);
    int64_t wrong = 0;
    for (int64_t i = 0; i < n; i++) {
      float t = 3.0f * xv[i] + yv[i], want = 3.0f * t + yv[i];
      wrong += zv[i] != want || z2v[i] != want;
    }
    printf("axpy2 N = %4lld (ALPHA = 3): in place and return-style %s\n", (long long)n,
           wrong ? "MISMATCH" : "match the C reference");
    bad |= wrong != 0;
    ptk_tensor_free(x);
    ptk_tensor_free(y);
    ptk_tensor_free(z);
    ptk_tensor_free(z2);
  }
  return bad;
}

int main(int argc, char **argv) {
  char *path = argc > 1 ? strdup(argv[1]) : default_path(argv[0]);
  if (!path) return 1;
  ptk_err err = {0};
  ptk_options opt = {0};
  opt.threads = 2;
  ptk_ctx *ctx = ptk_open(&opt, &err);
  if (!ctx) {
    free(path);
    return fail_with(&err);
  }
  int bad = vector_dag(ctx, path);
  if (!bad) bad = axpy2(ctx);
  if (!bad) printf("all programs match\n");
  ptk_close(ctx); /* frees every program and kernel still loaded */
  free(path);
  return bad;
}

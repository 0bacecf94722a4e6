/* vadd_launch: launch samples/vadd.ptk from C through the public API.
 *
 *   build/samples/vadd_launch [path/to/vadd.ptk]
 *
 * Opens a context, loads the kernel once (TILE = 256), then runs it on
 * several lengths, including ones that leave a partial tail tile, both in
 * place (ptk_launch, 4 blocks) and return-style (ptk_call, which allocates
 * z), and compares every result with a plain C loop. Prints one line per
 * length; exits 0 when everything matches, 1 otherwise.
 *
 * Default path: samples/vadd.ptk next to this program's repository
 * (build/samples/vadd_launch → ../../samples/vadd.ptk), else relative to
 * the current directory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ptk.h" /* the installed header; in the source tree runtime/ptk.h (the Makefile adds -Iruntime) */

static char *default_path(const char *argv0) {
  /* <repo>/<build>/samples/vadd_launch → <repo>/samples/vadd.ptk */
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
  size_t len = strlen(self) + 32;
  char *p = malloc(len);
  if (!p) return NULL;
  snprintf(p, len, "%s/samples/vadd.ptk", self);
  if (access(p, R_OK) == 0) return p;
  snprintf(p, len, "samples/vadd.ptk");
  return p;
}

int main(int argc, char **argv) {
  char *path = argc > 1 ? strdup(argv[1]) : default_path(argv[0]);
  if (!path) return 1;
  ptk_err err = {0};
  ptk_ctx *ctx = ptk_open(NULL, &err);
  if (!ctx) {
    fprintf(stderr, "%s", err.message);
    ptk_err_clear(&err);
    free(path);
    return 1;
  }
  ptk_const tile = {"TILE", "256"};
  ptk_kernel *k = ptk_load_file(ctx, path, "vadd", &tile, 1, &err);
  if (!k) {
    fprintf(stderr, "%s", err.message);
    ptk_err_clear(&err);
    ptk_close(ctx);
    free(path);
    return 1;
  }
  printf("loaded %s: kernel %s(", path, ptk_kernel_name(k));
  for (size_t i = 0; i < ptk_kernel_nparams(k); i++) {
    const ptk_param *p = ptk_kernel_param(k, i);
    static const char *dirs[] = {"in", "out", "inout", "unused"};
    printf("%s%s: %s%s%s %s", i ? ", " : "", p->name, p->is_tensor ? "ptr<" : "",
           ptk_elem_name(p->type), p->is_tensor ? ">" : "", dirs[p->dir]);
  }
  printf(")\n");

  static const int64_t sizes[] = {1, 255, 256, 1000, 4096, 5000};
  int bad = 0;
  for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
    int64_t n = sizes[s];
    ptk_tensor *x = ptk_tensor_new(PTK_F32, 1, &n), *y = ptk_tensor_new(PTK_F32, 1, &n),
               *z = ptk_tensor_new(PTK_F32, 1, &n);
    if (!x || !y || !z) {
      fprintf(stderr, "out of memory\n");
      return 1;
    }
    float *xp = ptk_tensor_data(x), *yp = ptk_tensor_data(y), *zp = ptk_tensor_data(z);
    for (int64_t i = 0; i < n; i++) {
      xp[i] = (float)(i % 97) * 0.25f - 3.0f;
      yp[i] = (float)(i % 13) * -1.5f + 0.125f;
      zp[i] = -7.0f;
    }
    /* In place, over 4 blocks. */
    ptk_arg args[4] = {ptk_arg_tensor(x), ptk_arg_tensor(y), ptk_arg_tensor(z), ptk_arg_int(n)};
    int mism = 0;
    if (ptk_launch(k, 4, args, 4, &err) != PTK_OK) {
      fprintf(stderr, "%s", err.message);
      ptk_err_clear(&err);
      mism = 1;
    } else {
      for (int64_t i = 0; i < n; i++)
        if (zp[i] != xp[i] + yp[i]) mism++;
    }
    /* Return style: z is allocated by ptk_call (shape [1, n] from the kernel's view). */
    ptk_arg ins[3] = {ptk_arg_tensor(x), ptk_arg_tensor(y), ptk_arg_int(n)};
    ptk_tensor *out = NULL;
    if (ptk_call(k, 2, ins, 3, &out, 1, &err) != PTK_OK) {
      fprintf(stderr, "%s", err.message);
      ptk_err_clear(&err);
      mism++;
    } else {
      const float *op = ptk_tensor_data(out);
      if (ptk_tensor_numel(out) != n) mism++;
      for (int64_t i = 0; i < n && ptk_tensor_numel(out) == n; i++)
        if (op[i] != xp[i] + yp[i]) mism++;
      ptk_tensor_free(out);
    }
    printf("n = %5lld (%lld full tiles + tail of %3lld): %s\n", (long long)n, (long long)(n / 256),
           (long long)(n % 256), mism ? "MISMATCH" : "ok");
    bad += mism != 0;
    ptk_tensor_free(x);
    ptk_tensor_free(y);
    ptk_tensor_free(z);
  }
  printf("%s\n", bad ? "FAILED" : "all sizes match the C reference");
  ptk_close(ctx);
  free(path);
  return bad ? 1 : 0;
}

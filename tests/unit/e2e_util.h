/* Helpers of the end-to-end unit tests (test_e2e_*.c): load a kernel
 * through the shared loader (runtime/kernel.h), run it with the
 * interpreter, compare tensors numpy-style. Header-only. */
#ifndef PTK_TESTS_UNIT_E2E_UTIL_H
#define PTK_TESTS_UNIT_E2E_UTIL_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/diag.h"
#include "runtime/interp/interp.h"
#include "runtime/kernel.h"
#include "runtime/tensor.h"

/* Prints and clears diagnostics (ut output goes to stdout). */
static inline void e2e_print_diags(ptk_diags *d) {
  ptk_buf b = {0};
  ptk_diags_render(d, &b, false);
  if (b.len) printf("%s", b.data);
  ptk_buf_free(&b);
  ptk_diags_clear(d);
}

/* Loads `kernel` of `path` (full pipeline); NULL after printing the diagnostics. */
static inline ptk_loaded *e2e_load(const char *path, const char *kernel,
                                   const ptk_const_binding *consts, size_t n) {
  ptk_diags *d = ptk_diags_new();
  ptk_loaded *l = ptk_kernel_load(path, NULL, kernel, consts, n, NULL, d);
  if (!l) {
    printf("    loading %s (kernel %s) failed:\n", path, kernel ? kernel : "(default)");
    e2e_print_diags(d);
  }
  ptk_diags_free(d);
  return l;
}

/* Prepares and runs l's entry over `blocks` blocks; 0, or -1 after printing. */
static inline int e2e_run(const ptk_loaded *l, uint32_t blocks, ptk_launch_arg *a, size_t n) {
  ptk_diags *d = ptk_diags_new();
  int rc = -1;
  ptk_interp_prog *p = ptk_interp_prepare(ptk_loaded_entry(l), d);
  if (p) {
    ptk_launch_opts o;
    memset(&o, 0, sizeof o);
    o.blocks = blocks;
    rc = ptk_interp_run(p, &o, a, n, d) ? -1 : 0;
  }
  if (rc) {
    printf("    running '%s' failed:\n", ptk_loaded_abi(l)->symbol);
    e2e_print_diags(d);
  }
  ptk_interp_free(p);
  ptk_diags_free(d);
  return rc;
}

static inline ptk_launch_arg e2e_t(ptk_tensor *t) {
  ptk_launch_arg a;
  memset(&a, 0, sizeof a);
  a.kind = PTK_ARG_TENSOR;
  a.tensor = t;
  return a;
}

static inline ptk_launch_arg e2e_i(int64_t v) {
  ptk_launch_arg a;
  memset(&a, 0, sizeof a);
  a.kind = PTK_ARG_SCALAR;
  a.dt = PTK_DT_I64;
  a.i = v;
  return a;
}

static inline ptk_launch_arg e2e_f(double v) {
  ptk_launch_arg a;
  memset(&a, 0, sizeof a);
  a.kind = PTK_ARG_SCALAR;
  a.dt = PTK_DT_F64;
  a.f = v;
  return a;
}

/* numpy allclose: |got - want| <= atol + rtol * |want| element by element
 * (NaN equals NaN; integers exactly when both tolerances are 0). Prints the
 * first few mismatches under `what`; returns the number of mismatches. */
static inline long e2e_allclose(const char *what, const ptk_tensor *got, const ptk_tensor *want,
                                double rtol, double atol) {
  int64_t n = ptk_tensor_numel(got);
  if (n != ptk_tensor_numel(want)) {
    printf("    %s: %lld elements, expected %lld\n", what, (long long)n,
           (long long)ptk_tensor_numel(want));
    return 1;
  }
  long bad = 0;
  double worst = 0;
  for (int64_t i = 0; i < n; i++) {
    double g = ptk_tensor_get_f64(got, i), w = ptk_tensor_get_f64(want, i);
    bool ok = (isnan(g) && isnan(w)) || g == w || fabs(g - w) <= atol + rtol * fabs(w);
    if (ok) continue;
    if (bad < 5)
      printf("    %s[%lld]: got %.9g, expected %.9g (|diff| %.3g > %.3g)\n", what, (long long)i, g, w,
             fabs(g - w), atol + rtol * fabs(w));
    if (fabs(g - w) > worst || isnan(g - w)) worst = fabs(g - w);
    bad++;
  }
  if (bad) printf("    %s: %ld of %lld elements differ (largest |diff| %.3g)\n", what, bad, (long long)n, worst);
  return bad;
}

/* Bit-for-bit equality of two tensors' bytes. */
static inline bool e2e_same_bytes(const char *what, const ptk_tensor *a, const ptk_tensor *b) {
  size_t na = ptk_tensor_nbytes(a), nb = ptk_tensor_nbytes(b);
  if (na == nb && !memcmp(a->data, b->data, na)) return true;
  size_t esz = ptk_tdtype_size(a->dtype);
  for (size_t i = 0; na == nb && i < na; i++)
    if (((const unsigned char *)a->data)[i] != ((const unsigned char *)b->data)[i]) {
      printf("    %s: first differing element %zu (byte %zu)\n", what, i / esz, i);
      return false;
    }
  printf("    %s: %zu bytes vs %zu bytes\n", what, na, nb);
  return false;
}

/* splitmix64: deterministic inputs. */
static inline uint64_t e2e_rand(uint64_t *s) {
  uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/* Uniform in [lo, hi). */
static inline double e2e_uniform(uint64_t *s, double lo, double hi) {
  return lo + (hi - lo) * (double)(e2e_rand(s) >> 11) * 0x1p-53;
}

#endif

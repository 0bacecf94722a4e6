/* Saved runs (runtime/replay.h): inputs/outputs/run.json round trips and
 * the element-wise comparison ptk replay reports. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/build_dir.h"
#include "lang/util.h"
#include "parser/pto_read.h"
#include "runtime/npy.h"
#include "runtime/replay.h"
#include "tests/unit/ut.h"

static const char KERNEL[] =
    "func.func @k(%x: !pto.ptr<f32>, %s: f32, %n: i32, %flag: i1, %i: index, %h: f16,\n"
    "             %y: !pto.ptr<bf16>) {\n"
    "  return\n"
    "}\n";

typedef struct kern {
  ptk_source *src;
  ptk_module *m;
  ptk_func *f;
} kern;

static bool load(kern *k) {
  ptk_diags *d = ptk_diags_new();
  k->src = ptk_source_from_string("k.pto", KERNEL, sizeof KERNEL - 1);
  k->m = ptk_pto_read(k->src, d);
  k->f = k->m ? ptk_module_find_func_nested(k->m, "k") : NULL;
  if (ptk_diags_errors(d)) ptk_diags_print(d, stdout);
  ptk_diags_free(d);
  return k->f != NULL;
}

static void unload(kern *k) {
  ptk_module_free(k->m);
  ptk_source_free(k->src);
}

static char *mktmp(void) {
  char *d = ptk_xstrdup("/tmp/ptk-ut-replay.XXXXXX");
  if (!mkdtemp(d)) {
    free(d);
    return NULL;
  }
  return d;
}

static void rmrf(const char *d) {
  char *cmd = ptk_xasprintf("rm -rf '%s'", d);
  if (system(cmd)) {
  }
  free(cmd);
}

static bool exists(const char *dir, const char *rel) {
  char *p = ptk_xasprintf("%s/%s", dir, rel);
  bool ok = access(p, F_OK) == 0;
  free(p);
  return ok;
}

TEST(saved_run_round_trip) {
  kern k = {0};
  if (!CHECK(load(&k))) return;
  char *dir = mktmp();
  if (!CHECK(dir)) return;
  CHECK_UINT(k.f->nargs, 7);
  ptk_launch_arg a[7];
  memset(a, 0, sizeof a);
  a[0].kind = PTK_ARG_TENSOR;
  a[0].tensor = ptk_tensor_from_spec("rand:f32:4x8:3", NULL);
  a[1] = (ptk_launch_arg){.kind = PTK_ARG_SCALAR, .dt = PTK_DT_F32, .f = 0.1};
  a[2] = (ptk_launch_arg){.kind = PTK_ARG_SCALAR, .dt = PTK_DT_I32, .i = -5};
  a[3] = (ptk_launch_arg){.kind = PTK_ARG_SCALAR, .dt = PTK_DT_I1, .i = 1};
  a[4] = (ptk_launch_arg){.kind = PTK_ARG_SCALAR, .dt = PTK_DT_INDEX, .i = (int64_t)1 << 40};
  a[5] = (ptk_launch_arg){.kind = PTK_ARG_SCALAR, .dt = PTK_DT_F16, .f = 1.0 / 3};
  a[6].kind = PTK_ARG_TENSOR;
  a[6].tensor = ptk_tensor_from_spec("rand:bf16:16:1", NULL);
  ptk_diags *d = ptk_diags_new();
  /* A previous run's files are removed. */
  char *stale = ptk_xasprintf("%s/outputs", dir);
  CHECK(ptk_mkdir_p(stale) == 0);
  free(stale);
  stale = ptk_xasprintf("%s/outputs/9_old.npy", dir);
  FILE *sf = fopen(stale, "w");
  if (sf) fclose(sf);
  free(stale);
  CHECK(ptk_save_run_inputs(dir, k.f, a, 7, d));
  CHECK(!exists(dir, "outputs/9_old.npy"));
  CHECK(exists(dir, "inputs/0_x.npy"));
  CHECK(exists(dir, "inputs/1_s.npy"));
  CHECK(exists(dir, "inputs/6_y.npy"));
  CHECK(!exists(dir, "run.json"));
  ptk_saved_run sr;
  CHECK_INT(ptk_saved_run_read(dir, &sr, d), 0);
  ptk_saved_run_free(&sr);
  ptk_launch_opts lo = {.blocks = 3, .target = "a5", .poison = true};
  CHECK(ptk_save_run_outputs(dir, k.f, a, 7, &lo, d));
  CHECK(exists(dir, "outputs/0_x.npy"));
  CHECK(!exists(dir, "outputs/1_s.npy"));
  CHECK(exists(dir, "outputs/6_y.npy"));
  CHECK_INT(ptk_saved_run_read(dir, &sr, d), 1);
  CHECK_UINT(sr.blocks, 3);
  CHECK_STR(sr.target, "a5");
  CHECK_STR(sr.entry, "k");
  CHECK(sr.poison);
  ptk_saved_run_free(&sr);

  /* Read everything back. */
  ptk_launch_arg b[7];
  for (uint32_t i = 0; i < 7; i++) {
    char *p = ptk_saved_find(dir, "inputs", i, d);
    CHECK(p != NULL);
    CHECK(p && ptk_saved_bind(k.f, i, p, &b[i], d));
    free(p);
  }
  CHECK_UINT(ptk_diags_errors(d), 0);
  CHECK_INT(b[0].kind, PTK_ARG_TENSOR);
  ptk_tensor_cmp c;
  ptk_tensor_compare(b[0].tensor, a[0].tensor, false, 0, 0, &c);
  CHECK(c.shape_ok);
  CHECK_INT(c.mismatches, 0);
  CHECK_INT(b[1].kind, PTK_ARG_SCALAR);
  CHECK_INT(b[1].dt, PTK_DT_F32);
  CHECK_DBL(b[1].f, (double)0.1f, 0);
  CHECK_INT(b[2].i, -5);
  CHECK_INT(b[3].i, 1);
  CHECK_INT(b[4].i, (int64_t)1 << 40);
  CHECK_INT(b[5].dt, PTK_DT_F16);
  CHECK_DBL(b[5].f, ptk_f16_bits_to_f64(ptk_f64_to_f16_bits(1.0 / 3)), 0);
  CHECK_INT(b[6].tensor->dtype, PTK_TD_BF16);
  ptk_tensor_compare(b[6].tensor, a[6].tensor, false, 0, 0, &c);
  CHECK_INT(c.mismatches, 0);
  ptk_tensor_free(b[0].tensor);
  ptk_tensor_free(b[6].tensor);

  /* Two files for one parameter: an error, not a guess. */
  char *dup = ptk_xasprintf("%s/inputs/0_other.npy", dir);
  sf = fopen(dup, "w");
  if (sf) fclose(sf);
  free(dup);
  char *p = ptk_saved_find(dir, "inputs", 0, d);
  CHECK(p == NULL);
  CHECK_UINT(ptk_diags_errors(d), 1);
  /* Nothing for parameter 7: NULL without an error. */
  p = ptk_saved_find(dir, "inputs", 7, d);
  CHECK(p == NULL);
  CHECK_UINT(ptk_diags_errors(d), 1);

  /* A pointer parameter fed a scalar file, a scalar parameter fed a tensor. */
  char *sp = ptk_xasprintf("%s/inputs/1_s.npy", dir), *xp = ptk_xasprintf("%s/inputs/0_x.npy", dir);
  ptk_launch_arg z;
  CHECK(!ptk_saved_bind(k.f, 6, sp, &z, d));
  CHECK(!ptk_saved_bind(k.f, 1, xp, &z, d));
  CHECK_UINT(ptk_diags_errors(d), 3);
  free(sp);
  free(xp);

  ptk_diags_free(d);
  ptk_tensor_free(a[0].tensor);
  ptk_tensor_free(a[6].tensor);
  rmrf(dir);
  free(dir);
  unload(&k);
}

TEST(saved_run_bad_manifest) {
  char *dir = mktmp();
  if (!CHECK(dir)) return;
  const char *bad[] = {
      "not json",
      "[]",
      "{\"format\": \"other\", \"format_version\": 1}",
      "{\"format\": \"ptk-run\", \"format_version\": 2}",
      "{\"format\": \"ptk-run\", \"format_version\": 1, \"blocks\": -1}",
      "{\"format\": \"ptk-run\", \"format_version\": 1, \"target\": \"a4\"}",
      "{\"format\": \"ptk-run\", \"format_version\": 1, \"poison\": 1}",
  };
  char *path = ptk_xasprintf("%s/run.json", dir);
  for (size_t i = 0; i < PTK_ARRAY_LEN(bad); i++) {
    FILE *f = fopen(path, "w");
    if (!f) break;
    fputs(bad[i], f);
    fclose(f);
    ptk_diags *d = ptk_diags_new();
    ptk_saved_run sr;
    CHECK_INT(ptk_saved_run_read(dir, &sr, d), -1);
    CHECK_UINT(ptk_diags_errors(d), 1);
    ptk_saved_run_free(&sr);
    ptk_diags_free(d);
  }
  free(path);
  rmrf(dir);
  free(dir);
}

static ptk_tensor *vec(ptk_tdtype dt, const double *v, int n) {
  int64_t shape[1] = {n};
  ptk_tensor *t = ptk_tensor_zeros(dt, 1, shape, NULL);
  for (int i = 0; i < n; i++) ptk_tensor_set_f64(t, i, v[i]);
  return t;
}

TEST(tensor_compare) {
  double g[] = {1, 2, NAN, INFINITY, 0, -0.0, 5};
  double e[] = {1, 2.5, NAN, INFINITY, 1e-9, 0, 4};
  ptk_tensor *tg = vec(PTK_TD_F32, g, 7), *te = vec(PTK_TD_F32, e, 7);
  ptk_tensor_cmp c;
  ptk_tensor_compare(tg, te, false, 0, 0, &c);
  CHECK(c.shape_ok);
  CHECK_INT(c.n, 7);
  /* Bit for bit: 2 vs 2.5, 0 vs 1e-9, -0 vs 0, 5 vs 4 differ; NaN==NaN, inf==inf. */
  CHECK_INT(c.mismatches, 4);
  CHECK_INT(c.bit_diffs, 4);
  CHECK_INT(c.first, 1);
  CHECK_DBL(c.got_first, 2, 0);
  CHECK_DBL(c.exp_first, 2.5, 0);
  CHECK_DBL(c.max_abs, 1, 0);
  CHECK_DBL(c.max_rel, 1, 0); /* 0 vs 1e-9 */
  /* Tolerance: |g - e| <= atol + rtol |e|. */
  ptk_tensor_compare(tg, te, true, 0.25, 1e-6, &c);
  CHECK_INT(c.mismatches, 0);
  CHECK_INT(c.bit_diffs, 4);
  ptk_tensor_compare(tg, te, true, 0.1, 0, &c);
  CHECK_INT(c.mismatches, 3); /* 2 vs 2.5, 0 vs 1e-9, 5 vs 4; -0 == 0 */
  ptk_tensor_free(tg);
  ptk_tensor_free(te);
  /* NaN vs number: a mismatch with infinite error. */
  double g2[] = {NAN}, e2[] = {1};
  tg = vec(PTK_TD_F64, g2, 1), te = vec(PTK_TD_F64, e2, 1);
  ptk_tensor_compare(tg, te, true, 1, 1, &c);
  CHECK_INT(c.mismatches, 1);
  CHECK(isinf(c.max_abs));
  ptk_tensor_free(tg);
  ptk_tensor_free(te);
  /* Shapes must agree. */
  double v[] = {1, 2, 3};
  tg = vec(PTK_TD_I32, v, 3), te = vec(PTK_TD_I32, v, 2);
  ptk_tensor_compare(tg, te, false, 0, 0, &c);
  CHECK(!c.shape_ok);
  ptk_tensor_free(te);
  te = vec(PTK_TD_I32, v, 3);
  ptk_tensor_compare(tg, te, false, 0, 0, &c);
  CHECK(c.shape_ok);
  CHECK_INT(c.mismatches, 0);
  CHECK_INT(c.first, -1);
  ptk_tensor_free(tg);
  ptk_tensor_free(te);
}

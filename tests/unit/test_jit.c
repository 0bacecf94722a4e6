/* The JIT engine (runtime/jit) against the interpreter: the same inputs,
 * bit-identical outputs, the same runtime diagnostics. The generated .so
 * files go to one temporary cache folder per test run (removed at exit), so
 * nothing depends on ~/.cache. */
#include "tests/unit/api_util.h"

#include <dirent.h>
#include <jansson.h>

#include "backend/c/emit.h"
#include "runtime/jit/jit.h"
#include "runtime/npy.h"
#include "tests/unit/e2e_util.h"
#include "tests/unit/jit_cache_util.h"
#include "tests/unit/ut.h"


/* Runs `f` on both engines with copies of the same arguments; compares
 * every tensor byte for byte and the rendered diagnostics text. */
static void both(const ptk_func *f, uint32_t blocks, const ptk_launch_arg *args, size_t n,
                 const char *what, int *ran) {
  ptk_launch_arg *a[2];
  int rc[2];
  char *diag[2];
  for (int e = 0; e < 2; e++) {
    a[e] = calloc(n + 1, sizeof *a[e]);
    for (size_t i = 0; i < n; i++) {
      a[e][i] = args[i];
      if (args[i].kind == PTK_ARG_TENSOR) a[e][i].tensor = ptk_tensor_clone(args[i].tensor);
    }
    ptk_diags *d = ptk_diags_new();
    ptk_launch_opts o;
    memset(&o, 0, sizeof o);
    o.blocks = blocks;
    if (e == 0) {
      rc[e] = ptk_interp_launch(f, &o, a[e], n, d);
    } else {
      ptk_jit_opts jo = jopts();
      rc[e] = ptk_jit_launch(f, &jo, &o, a[e], n, d);
    }
    ptk_buf b = {0};
    ptk_diags_render(d, &b, false);
    diag[e] = ptk_buf_take(&b);
    ptk_diags_free(d);
  }
  if (!CHECK_INT(rc[1], rc[0]) || !CHECK_STR(diag[1], diag[0])) printf("    in %s\n", what);
  for (size_t i = 0; i < n; i++)
    if (args[i].kind == PTK_ARG_TENSOR) {
      char w[256];
      snprintf(w, sizeof w, "%s argument %zu", what, i);
      e2e_same_bytes(w, a[1][i].tensor, a[0][i].tensor);
    }
  if (ran && rc[0] == 0) (*ran)++;
  for (int e = 0; e < 2; e++) {
    for (size_t i = 0; i < n; i++)
      if (a[e][i].kind == PTK_ARG_TENSOR) ptk_tensor_free(a[e][i].tensor);
    free(a[e]);
    free(diag[e]);
  }
}

/* ---- the shared corpus ----------------------------------------------------------------------- */

static bool corpus_args(const char *dir, json_t *params, ptk_launch_arg *la) {
  for (size_t i = 0; i < json_array_size(params); i++) {
    json_t *v = json_array_get(params, i);
    const char *name = json_string_value(json_object_get(v, "name"));
    const char *kind = json_string_value(json_object_get(v, "kind"));
    const char *dt = json_string_value(json_object_get(v, "dtype"));
    json_t *val = json_object_get(v, "value");
    if (!name || !kind || !dt) return false;
    if (!strcmp(kind, "ptr")) {
      char *path = ptk_xasprintf("%s/in/%zu_%s.npy", dir, i, name[0] == '%' ? name + 1 : name);
      char *err = NULL;
      ptk_tensor *t = ptk_npy_read(path, !strcmp(dt, "bf16") ? PTK_NPY_U16_AS_BF16 : 0, &err);
      free(err);
      free(path);
      if (!t) return false;
      la[i] = e2e_t(t);
    } else if (json_is_boolean(val)) {
      la[i] = e2e_i(json_is_true(val) ? 1 : 0);
    } else if (json_is_integer(val)) {
      la[i] = e2e_i(json_integer_value(val));
    } else if (json_is_number(val)) {
      la[i] = e2e_f(json_number_value(val));
    } else {
      return false;
    }
  }
  return true;
}

TEST(corpus_bit_identical) {
  const char *root = au_path("../shared/corpus/pto");
  DIR *dd = opendir(root);
  if (!dd) return; /* no corpus */
  struct dirent *de;
  int cases = 0, ran = 0;
  while ((de = readdir(dd)) != NULL) {
    if (de->d_name[0] == '.') continue;
    char *dir = ptk_xasprintf("%s/%s", root, de->d_name);
    char *cj = ptk_xasprintf("%s/case.json", dir);
    char *kp = ptk_xasprintf("%s/kernel.pto", dir);
    json_t *j = json_load_file(cj, 0, NULL);
    if (j) {
      const char *entry = json_string_value(json_object_get(j, "entry"));
      json_t *params = json_object_get(j, "params");
      json_t *jb = json_object_get(j, "blocks");
      uint32_t blocks = json_is_integer(jb) ? (uint32_t)json_integer_value(jb) : 1;
      size_t n = json_array_size(params);
      ptk_launch_arg *la = calloc(n + 1, sizeof *la);
      ptk_loaded *l = e2e_load(kp, entry, NULL, 0);
      if (CHECK(l != NULL) && CHECK(corpus_args(dir, params, la))) {
        cases++;
        both(ptk_loaded_entry(l), blocks, la, n, de->d_name, &ran);
      }
      for (size_t i = 0; i < n; i++)
        if (la[i].kind == PTK_ARG_TENSOR) ptk_tensor_free(la[i].tensor);
      free(la);
      ptk_loaded_free(l);
      json_decref(j);
    }
    free(dir), free(cj), free(kp);
  }
  closedir(dd);
  CHECK(cases > 0);
  CHECK_INT(ran, cases);
}

/* ---- lit-style cases ---------------------------------------------------------------------------- */

static ptk_loaded *load_text(const char *dir, const char *name, const char *text) {
  char *p = au_write(dir, name, text);
  ptk_loaded *l = e2e_load(p, NULL, NULL, 0);
  free(p);
  return l;
}

static const char *OOB_PTO =
    "module {\n"
    "  func.func @oob(%a: !pto.ptr<f32>, %b: !pto.ptr<f32>, %n: index) {\n"
    "    %c0 = arith.constant 0 : index\n"
    "    %c1 = arith.constant 1 : index\n"
    "    %c16 = arith.constant 16 : index\n"
    "    %va = pto.make_tensor_view %a, shape = [%c16, %c16], strides = [%c16, %c1] : !pto.tensor_view<?x?xf32>\n"
    "    %vb = pto.make_tensor_view %b, shape = [%c16, %c16], strides = [%c16, %c1] : !pto.tensor_view<?x?xf32>\n"
    "    %pa = pto.partition_view %va, offsets = [%n, %c0], sizes = [%c16, %c16] : !pto.tensor_view<?x?xf32> -> !pto.partition_tensor_view<16x16xf32>\n"
    "    %pb = pto.partition_view %vb, offsets = [%c0, %c0], sizes = [%c16, %c16] : !pto.tensor_view<?x?xf32> -> !pto.partition_tensor_view<16x16xf32>\n"
    "    %t = pto.alloc_tile : !pto.tile_buf<loc=vec, dtype=f32, rows=16, cols=16, v_row=16, v_col=16, blayout=row_major, slayout=none_box, fractal=512, pad=0>\n"
    "    pto.tload ins(%pa : !pto.partition_tensor_view<16x16xf32>) outs(%t : !pto.tile_buf<loc=vec, dtype=f32, rows=16, cols=16, v_row=16, v_col=16, blayout=row_major, slayout=none_box, fractal=512, pad=0>)\n"
    "    pto.texp ins(%t : !pto.tile_buf<loc=vec, dtype=f32, rows=16, cols=16, v_row=16, v_col=16, blayout=row_major, slayout=none_box, fractal=512, pad=0>) outs(%t : !pto.tile_buf<loc=vec, dtype=f32, rows=16, cols=16, v_row=16, v_col=16, blayout=row_major, slayout=none_box, fractal=512, pad=0>)\n"
    "    pto.tstore ins(%t : !pto.tile_buf<loc=vec, dtype=f32, rows=16, cols=16, v_row=16, v_col=16, blayout=row_major, slayout=none_box, fractal=512, pad=0>) outs(%pb : !pto.partition_tensor_view<16x16xf32>)\n"
    "    return\n"
    "  }\n"
    "}\n";

static void oob_case(int64_t n, bool expect_fail) {
  char *dir = au_tmpdir();
  ptk_loaded *l = load_text(dir, "oob.pto", OOB_PTO);
  if (CHECK(l != NULL)) {
    int64_t shape[2] = {16, 16};
    ptk_tensor *a = ptk_tensor_zeros(PTK_TD_F32, 2, shape, NULL);
    ptk_tensor *b = ptk_tensor_zeros(PTK_TD_F32, 2, shape, NULL);
    float *pa = a->data;
    for (int i = 0; i < 256; i++) pa[i] = (float)i / 64.0f;
    ptk_launch_arg la[3] = {e2e_t(a), e2e_t(b), e2e_i(n)};
    int ran = 0;
    both(ptk_loaded_entry(l), 2, la, 3, "oob", &ran);
    CHECK_INT(ran, expect_fail ? 0 : 1);
    ptk_tensor_free(a);
    ptk_tensor_free(b);
  }
  ptk_loaded_free(l);
  au_rmdir(dir);
}

TEST(in_bounds_parity) { oob_case(0, false); }
TEST(oob_parity) { oob_case(3, true); }

TEST(emit_has_no_host_symbols) {
  char *dir = au_tmpdir();
  ptk_loaded *l = load_text(dir, "k.pto", OOB_PTO);
  if (CHECK(l != NULL)) {
    ptk_buf b = {0};
    ptk_diags *d = ptk_diags_new();
    CHECK(ptk_emit_c(ptk_loaded_entry(l), &b, d));
    const char *s = ptk_buf_cstr(&b);
    CHECK(strstr(s, "int ptkj_entry(") != NULL);
    CHECK(strstr(s, "#include \"") == NULL); /* self-contained */
    ptk_buf_free(&b);
    ptk_diags_free(d);
  }
  ptk_loaded_free(l);
  au_rmdir(dir);
}

TEST(cache_hit_and_missing_compiler) {
  char *dir = au_tmpdir();
  ptk_loaded *l = load_text(dir, "k.pto", OOB_PTO);
  if (CHECK(l != NULL)) {
    ptk_diags *d = ptk_diags_new();
    ptk_jit_opts o = jopts();
    ptk_jit_prog *p1 = ptk_jit_prepare(ptk_loaded_entry(l), &o, d);
    ptk_jit_prog *p2 = ptk_jit_prepare(ptk_loaded_entry(l), &o, d);
    CHECK(p1 && p2);
    if (p2) CHECK(!ptk_jit_compiled(p2));
    ptk_jit_free(p1);
    ptk_jit_free(p2);
    /* an empty cache and no compiler: a clear error */
    char *empty = au_tmpdir();
    ptk_jit_opts o2 = jopts();
    o2.cache_dir = empty;
    o2.cc = "/nonexistent/ptk-no-cc";
    ptk_jit_prog *p3 = ptk_jit_prepare(ptk_loaded_entry(l), &o2, d);
    CHECK(p3 == NULL);
    ptk_buf b = {0};
    ptk_diags_render(d, &b, false);
    CHECK(strstr(ptk_buf_cstr(&b), "the JIT needs a C compiler") != NULL);
    ptk_buf_free(&b);
    ptk_jit_free(p3);
    au_rmdir(empty);
    ptk_diags_free(d);
  }
  ptk_loaded_free(l);
  au_rmdir(dir);
}

/* ---- the samples ------------------------------------------------------------------------------ */

/* Inputs like test_e2e_samples.c's: deterministic uniform f32 / f16 tensors
 * (the same generator and seeds), outputs pre-filled with -7. */
static ptk_tensor *s_rand(ptk_tdtype dt, int rank, const int64_t *shape, uint64_t seed, double lo,
                          double hi) {
  ptk_tensor *t = ptk_tensor_zeros(dt, rank, shape, NULL);
  for (int64_t i = 0; i < ptk_tensor_numel(t); i++) {
    double v = e2e_uniform(&seed, lo, hi);
    if (dt == PTK_TD_F16)
      ((uint16_t *)t->data)[i] = (uint16_t)ptk_float_to_bits(v, PTK_DT_F16);
    else
      ((float *)t->data)[i] = (float)v;
  }
  return t;
}

static ptk_tensor *s_fill(int rank, const int64_t *shape) {
  ptk_tensor *t = ptk_tensor_zeros(PTK_TD_F32, rank, shape, NULL);
  for (int64_t i = 0; i < ptk_tensor_numel(t); i++) ((float *)t->data)[i] = -7.0f;
  return t;
}

typedef struct sample_case {
  const char *file;
  ptk_tensor *t[4];
  size_t nt;
  int64_t ints[3];
  size_t ni;
} sample_case;

/* Every samples/<name>.ptk kernel with its default consts, shaped as in
 * test_e2e_samples.c; `over` adds to the first size scalar, so a positive
 * value makes the kernel reach past its buffers. */
static bool sample_inputs(const char *file, int64_t over, sample_case *c) {
  memset(c, 0, sizeof *c);
  c->file = file;
  if (!strcmp(file, "vadd.ptk")) {
    int64_t n = 3000;
    c->t[0] = s_rand(PTK_TD_F32, 1, &n, 1, -4, 4), c->t[1] = s_rand(PTK_TD_F32, 1, &n, 2, -4, 4);
    c->t[2] = s_fill(1, &n), c->nt = 3, c->ints[0] = n + over, c->ni = 1;
  } else if (!strcmp(file, "softmax.ptk")) {
    int64_t sh[2] = {37, 256};
    c->t[0] = s_rand(PTK_TD_F32, 2, sh, 3, -6, 6), c->t[1] = s_fill(2, sh), c->nt = 2;
    c->ints[0] = sh[0] + over, c->ni = 1;
  } else if (!strcmp(file, "rmsnorm.ptk")) {
    int64_t sh[2] = {10, 2048}, gs[2] = {1, 2048};
    c->t[0] = s_rand(PTK_TD_F32, 2, sh, 4, -2, 2), c->t[1] = s_rand(PTK_TD_F32, 2, gs, 5, 0.5, 1.5);
    c->t[2] = s_fill(2, sh), c->nt = 3, c->ints[0] = sh[0] + over, c->ni = 1;
  } else if (!strcmp(file, "layernorm.ptk")) {
    int64_t sh[2] = {9, 1024}, gs[2] = {1, 1024};
    c->t[0] = s_rand(PTK_TD_F32, 2, sh, 6, -3, 5), c->t[1] = s_rand(PTK_TD_F32, 2, gs, 7, 0.5, 1.5);
    c->t[2] = s_rand(PTK_TD_F32, 2, gs, 8, -1, 1), c->t[3] = s_fill(2, sh), c->nt = 4;
    c->ints[0] = sh[0] + over, c->ni = 1;
  } else if (!strcmp(file, "matmul.ptk")) {
    int64_t m = 128, n = 256, k = 128, as[2] = {m, k}, bs[2] = {k, n}, cs[2] = {m, n};
    c->t[0] = s_rand(PTK_TD_F16, 2, as, 9, -1, 1), c->t[1] = s_rand(PTK_TD_F16, 2, bs, 10, -1, 1);
    c->t[2] = s_fill(2, cs), c->nt = 3;
    c->ints[0] = m, c->ints[1] = n, c->ints[2] = k + over, c->ni = 3;
  } else if (!strcmp(file, "flash_attention.ptk")) {
    int64_t sh[2] = {192, 64};
    c->t[0] = s_rand(PTK_TD_F16, 2, sh, 11, -1, 1), c->t[1] = s_rand(PTK_TD_F16, 2, sh, 12, -1, 1);
    c->t[2] = s_rand(PTK_TD_F16, 2, sh, 13, -1, 1), c->t[3] = s_fill(2, sh), c->nt = 4;
    c->ints[0] = sh[0] + over, c->ni = 1;
  } else {
    return false;
  }
  return true;
}

static void sample_parity(int64_t over, bool expect_fail) {
  DIR *dir = opendir(au_path("samples"));
  CHECK(dir != NULL);
  struct dirent *de;
  int found = 0;
  while (dir && (de = readdir(dir)) != NULL) {
    size_t len = strlen(de->d_name);
    if (len < 5 || strcmp(de->d_name + len - 4, ".ptk")) continue;
    found++;
    sample_case c;
    if (!CHECK(sample_inputs(de->d_name, over, &c))) {
      printf("    samples/%s has no engine parity inputs\n", de->d_name);
      continue;
    }
    char path[300];
    snprintf(path, sizeof path, "samples/%s", de->d_name);
    ptk_loaded *l = e2e_load(au_path(path), NULL, NULL, 0);
    if (CHECK(l != NULL)) {
      ptk_launch_arg la[8];
      size_t n = 0;
      for (size_t i = 0; i < c.nt; i++) la[n++] = e2e_t(c.t[i]);
      for (size_t i = 0; i < c.ni; i++) la[n++] = e2e_i(c.ints[i]);
      for (uint32_t blocks = 1; blocks <= 3; blocks += 2) {
        char what[400];
        snprintf(what, sizeof what, "%s blocks=%u%s", path, blocks, over ? " (out of bounds)" : "");
        int ran = 0;
        both(ptk_loaded_entry(l), blocks, la, n, what, &ran);
        if (!CHECK_INT(ran, expect_fail ? 0 : 1)) printf("    in %s\n", what);
      }
    }
    ptk_loaded_free(l);
    for (size_t i = 0; i < c.nt; i++) ptk_tensor_free(c.t[i]);
  }
  if (dir) closedir(dir);
  CHECK(found >= 6);
}

TEST(samples_bit_identical) { sample_parity(0, false); }
TEST(samples_oob_parity) { sample_parity(64, true); }

/* The engine option of the public C API (ptk_options.engine): "jit" runs
 * kernels through the JIT with exactly the interpreter's results; a bad
 * name is rejected by ptk_open. The JIT cache goes to a temporary folder
 * ($PTK_CACHE_DIR, restored afterwards). Only the public header is used. */
#include "tests/unit/api_util.h"

#include <stdlib.h>
#include <string.h>

#include "runtime/ptk.h"
#include "tests/unit/ut.h"

TEST(engine_bad_name) {
  ptk_err err = {0};
  ptk_options o = {0};
  o.engine = "llvm";
  CHECK(ptk_open(&o, &err) == NULL);
  CHECK_INT(err.code, PTK_ERR_ARG);
  CHECK(err.message && strstr(err.message, "engine must be \"interp\" or \"jit\", got \"llvm\""));
  ptk_err_clear(&err);
  o.engine = "interp";
  ptk_ctx *c = ptk_open(&o, &err);
  CHECK(c != NULL);
  ptk_close(c);
  CHECK(au_no_leaks());
}

/* softmax through both engines, in place and return style: bit-identical. */
TEST(engine_jit_matches_interp) {
  const char *old = getenv("PTK_CACHE_DIR");
  char *saved = old ? strdup(old) : NULL;
  char *tmp = au_tmpdir();
  setenv("PTK_CACHE_DIR", tmp, 1);
  ptk_err err = {0};
  ptk_options oj = {0};
  oj.engine = "jit";
  ptk_ctx *ci = ptk_open(NULL, &err), *cj = ptk_open(&oj, &err);
  ptk_const c[2] = {{"COLS", "64"}, {"TR", "8"}};
  ptk_kernel *ki = ptk_load_file(ci, au_path("samples/softmax.ptk"), NULL, c, 2, &err);
  ptk_kernel *kj = ptk_load_file(cj, au_path("samples/softmax.ptk"), NULL, c, 2, &err);
  if (!kj && err.message) printf("%s", err.message);
  if (CHECK(ki && kj)) {
    int64_t sh[2] = {21, 64};
    ptk_tensor *x = ptk_tensor_new(PTK_F32, 2, sh), *yi = ptk_tensor_new(PTK_F32, 2, sh),
               *yj = ptk_tensor_new(PTK_F32, 2, sh);
    float *xp = ptk_tensor_data(x);
    for (int i = 0; i < 21 * 64; i++) xp[i] = (float)((i * 37) % 101) / 16.0f - 3.0f;
    ptk_arg ai[3] = {ptk_arg_tensor(x), ptk_arg_tensor(yi), ptk_arg_int(21)};
    ptk_arg aj[3] = {ptk_arg_tensor(x), ptk_arg_tensor(yj), ptk_arg_int(21)};
    CHECK_INT(ptk_launch(ki, 2, ai, 3, &err), PTK_OK);
    CHECK_INT(ptk_launch(kj, 3, aj, 3, &err), PTK_OK);
    CHECK_INT(memcmp(ptk_tensor_data(yi), ptk_tensor_data(yj), 21 * 64 * sizeof(float)), 0);
    const float *yp = ptk_tensor_data(yj);
    double row = 0;
    for (int j = 0; j < 64; j++) row += yp[5 * 64 + j];
    CHECK_DBL(row, 1.0, 1e-5);
    ptk_tensor *out = NULL;
    ptk_arg in[2] = {ptk_arg_tensor(x), ptk_arg_int(21)};
    CHECK_INT(ptk_call(kj, 1, in, 2, &out, 1, &err), PTK_OK);
    if (CHECK(out != NULL)) {
      CHECK_INT(ptk_tensor_rank(out), 2);
      CHECK_INT(ptk_tensor_numel(out), 21 * 64);
      CHECK_INT(memcmp(ptk_tensor_data(yi), ptk_tensor_data(out), 21 * 64 * sizeof(float)), 0);
    }
    ptk_tensor_free(out);
    /* A launch error through the JIT is reported like the interpreter's. */
    int64_t small = 10;
    ptk_tensor *xs = ptk_tensor_new(PTK_F32, 1, &small);
    ptk_arg bad[3] = {ptk_arg_tensor(xs), ptk_arg_tensor(yj), ptk_arg_int(21)};
    CHECK_INT(ptk_launch(kj, 1, bad, 3, &err), PTK_ERR_LAUNCH);
    CHECK(err.message && strstr(err.message, "softmax.ptk:"));
    ptk_tensor_free(xs);
    ptk_tensor_free(x);
    ptk_tensor_free(yi);
    ptk_tensor_free(yj);
  }
  ptk_err_clear(&err);
  ptk_close(ci);
  ptk_close(cj);
  if (saved) {
    setenv("PTK_CACHE_DIR", saved, 1);
    free(saved);
  } else {
    unsetenv("PTK_CACHE_DIR");
  }
  au_rm_tree(tmp);
  free(tmp);
  CHECK(au_no_leaks());
}

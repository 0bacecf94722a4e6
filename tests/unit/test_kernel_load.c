/* Unit tests of the shared kernel loader (runtime/kernel.h): file kinds,
 * .pto entry selection and its errors, the ABI of both kinds, keys, deps,
 * and the pass pipeline switch. */
#include "tests/unit/api_util.h"

#include "runtime/kernel.h"
#include "tests/unit/ut.h"

typedef struct ld {
  ptk_source *src;
  ptk_loaded *l;
  ptk_buf diag;
} ld;

/* Loads `text` as the file `path` (kept by the caller, as the CLI does). */
static bool load_text(ld *x, const char *path, const char *text, const char *entry,
                      const ptk_const_binding *c, size_t nc, unsigned flags) {
  memset(x, 0, sizeof *x);
  x->src = ptk_source_from_string(path, text, strlen(text));
  ptk_diags *d = ptk_diags_new();
  x->l = ptk_kernel_load_ex(path, x->src, entry, c, nc, NULL, flags, d);
  ptk_diags_render(d, &x->diag, false);
  ptk_diags_free(d);
  return x->l != NULL;
}

static void unload(ld *x) {
  ptk_loaded_free(x->l);
  ptk_source_free(x->src);
  ptk_buf_free(&x->diag);
}

static bool has(ld *x, const char *needle) {
  bool ok = strstr(ptk_buf_cstr(&x->diag), needle) != NULL;
  if (!ok) printf("    expected '%s' in:\n%s\n", needle, ptk_buf_cstr(&x->diag));
  return ok;
}

static const char TWO[] =
    "module {\n"
    "  func.func @a(%p: !pto.ptr<f32>) {\n"
    "    return\n"
    "  }\n"
    "  func.func @b(%p: !pto.ptr<f32>, %n: i32) {\n"
    "    return\n"
    "  }\n"
    "  func.func private @ext(%p: !pto.ptr<f32>)\n"
    "}\n";

TEST(pto_entry_selection) {
  ld x;
  CHECK(!load_text(&x, "two.pto", TWO, NULL, NULL, 0, 0));
  CHECK(has(&x, "two.pto:1:1: error: 2 functions could be the entry; choose one with --entry NAME"));
  CHECK(has(&x, "two.pto:2:13: note: '@a' is defined here"));
  CHECK(has(&x, "two.pto:5:13: note: '@b' is defined here"));
  unload(&x);
  CHECK(!load_text(&x, "two.pto", TWO, "nope", NULL, 0, 0));
  CHECK(has(&x, "two.pto:1:1: error: no function named 'nope'"));
  unload(&x);
  CHECK(!load_text(&x, "two.pto", TWO, "ext", NULL, 0, 0));
  CHECK(has(&x, "entry 'ext' is only declared in two.pto"));
  unload(&x);
  CHECK(load_text(&x, "two.pto", TWO, "@b", NULL, 0, 0));
  if (x.l) {
    const ptk_abi *abi = ptk_loaded_abi(x.l);
    CHECK_STR(abi->symbol, "b");
    CHECK_STR(abi->kernel, "b");
    CHECK_STR(abi->target, "a3");
    CHECK_INT(abi->nparams, 2);
    CHECK_STR(abi->params[0].name, "p");
    CHECK(abi->params[0].is_ptr);
    CHECK_INT(abi->params[0].dtype, PTK_DT_F32);
    CHECK_INT(abi->params[0].dir, PTK_ARGDIR_UNUSED);
    CHECK_INT(abi->params[0].declared, PTK_DIR_NONE);
    CHECK_INT(abi->params[0].range.begin.line, 5);
    CHECK(!abi->params[1].is_ptr);
    CHECK_INT(abi->params[1].dtype, PTK_DT_I32);
    CHECK_INT(abi->params[1].dir, PTK_ARGDIR_NONE);
    CHECK(ptk_loaded_is_pto(x.l));
    CHECK(ptk_loaded_trace_info(x.l) == NULL);
    CHECK(!strncmp(ptk_loaded_key(x.l), "pto-v1;symbol=b;sha256=", 23));
    size_t n = 9;
    ptk_loaded_deps(x.l, &n);
    CHECK_INT(n, 0); /* the caller's text */
  }
  unload(&x);
  /* The one marked pto.entry wins; a single definition needs no mark. */
  CHECK(load_text(&x, "m.pto",
                  "func.func @x() {\n  return\n}\nfunc.func @y() attributes {pto.entry} {\n  return\n}\n",
                  NULL, NULL, 0, 0));
  if (x.l) CHECK_STR(ptk_loaded_entry(x.l)->name, "y");
  unload(&x);
  CHECK(load_text(&x, "-", "func.func @only() {\n  return\n}\n", NULL, NULL, 0, 0));
  if (x.l) CHECK_STR(ptk_loaded_entry(x.l)->name, "only");
  unload(&x);
  CHECK(au_no_leaks());
}

TEST(pto_errors) {
  ld x;
  ptk_const_binding c = {"N", "4"};
  CHECK(!load_text(&x, "k.pto", TWO, "a", &c, 1, 0));
  CHECK(has(&x, "--const N=4"));
  CHECK(has(&x, "const parameters exist only in .ptk kernels"));
  unload(&x);
  CHECK(!load_text(&x, "k.txt", TWO, NULL, NULL, 0, 0));
  CHECK(has(&x, "k.txt: error: unknown file type (expected .ptk or .pto)"));
  unload(&x);
  CHECK(!load_text(&x, "bad.pto", "module {\n  func.func @f(%a: !pto.ptr<f32>) {\n    %0 = bogus.op\n  }\n}\n",
                   NULL, NULL, 0, 0));
  CHECK(has(&x, "bad.pto:3:"));
  unload(&x);
  ptk_diags *d = ptk_diags_new();
  CHECK(ptk_kernel_load("/nonexistent/x.pto", NULL, NULL, NULL, 0, NULL, d) == NULL);
  CHECK(ptk_kernel_load(NULL, NULL, NULL, NULL, 0, NULL, d) == NULL);
  ptk_buf b = {0};
  ptk_diags_render(d, &b, false);
  CHECK(strstr(ptk_buf_cstr(&b), "/nonexistent/x.pto: error: cannot read file") != NULL);
  ptk_buf_free(&b);
  ptk_diags_free(d);
  CHECK(au_no_leaks());
}

TEST(ptk_abi_and_deps) {
  ptk_diags *d = ptk_diags_new();
  ptk_const_binding c = {"TILE", "128"};
  ptk_loaded *l = ptk_kernel_load(au_path("samples/vadd.ptk"), NULL, "vadd", &c, 1, NULL, d);
  CHECK(l != NULL);
  if (l) {
    const ptk_abi *abi = ptk_loaded_abi(l);
    CHECK_STR(abi->kernel, "vadd");
    CHECK_STR(abi->kind, "vector");
    CHECK_STR(abi->mode, "auto");
    CHECK_INT(abi->nparams, 4);
    CHECK_STR(abi->params[2].name, "z");
    CHECK_INT(abi->params[2].declared, PTK_DIR_OUT);
    CHECK_INT(abi->params[2].dir, PTK_ARGDIR_OUT);
    CHECK_INT(abi->params[0].dir, PTK_ARGDIR_IN);
    CHECK_INT(abi->params[3].dir, PTK_ARGDIR_NONE);
    CHECK(abi->params[2].range.begin.src != NULL);
    CHECK(!ptk_loaded_is_pto(l));
    const ptk_trace_info *in = ptk_loaded_trace_info(l);
    CHECK(in != NULL);
    CHECK(strstr(ptk_loaded_key(l), "TILE:int=128") != NULL);
    size_t n = 0;
    const char *const *deps = ptk_loaded_deps(l, &n);
    CHECK_INT(n, 1);
    if (n) CHECK(strstr(deps[0], "samples/vadd.ptk") != NULL);
  }
  ptk_loaded_free(l);
  ptk_diags_free(d);
  CHECK(au_no_leaks());
}

static bool has_addr(ptk_op *op, void *ctx) {
  if (op->kind == PTK_OP_ALLOC_TILE && op->noperands > 0) *(int *)ctx += 1;
  return true;
}

TEST(pipeline_switch) {
  const char *k = "kernel k(x: ptr<f32> in, y: ptr<f32> out) {\n"
                  "  let xv = make_tensor_view(x, shape = [1, 8], strides = [8, 1]);\n"
                  "  let yv = make_tensor_view(y, shape = [1, 8], strides = [8, 1]);\n"
                  "  let t = alloc_tile(shape = [1, 8]);\n"
                  "  tload(xv[0:1, 0:8], t);\n"
                  "  tstore(t, yv[0:1, 0:8]);\n"
                  "}\n";
  ld a, b;
  CHECK(load_text(&a, "k.ptk", k, NULL, NULL, 0, 0));
  CHECK(load_text(&b, "k.ptk", k, NULL, NULL, 0, PTK_LOAD_NO_PASSES));
  if (a.l && b.l) {
    int na = 0, nb = 0;
    ptk_walk_func(ptk_loaded_entry(a.l), has_addr, &na);
    ptk_walk_func(ptk_loaded_entry(b.l), has_addr, &nb);
    CHECK_INT(na, 1); /* plan-memory: addr operand */
    CHECK_INT(nb, 0); /* as traced */
    CHECK_INT(ptk_loaded_abi(b.l)->params[1].dir, PTK_ARGDIR_OUT);
    size_t n = 9;
    ptk_loaded_deps(a.l, &n);
    CHECK_INT(n, 0); /* the caller's text is not a file dependency */
  }
  unload(&a);
  unload(&b);
  /* A declared direction that contradicts the IR is a pipeline error. */
  ld c;
  CHECK(!load_text(&c, "k.ptk",
                   "kernel k(x: ptr<f32> out) {\n"
                   "  let xv = make_tensor_view(x, shape = [1, 8], strides = [8, 1]);\n"
                   "  let t = alloc_tile(shape = [1, 8]);\n"
                   "  tload(xv[0:1, 0:8], t);\n"
                   "}\n",
                   NULL, NULL, 0, 0));
  CHECK(has(&c, "k.ptk:1:"));
  unload(&c);
  CHECK(au_no_leaks());
}

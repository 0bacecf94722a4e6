/* The tracer (trace/): the samples trace into verifier-clean IR that
 * round-trips through the .pto printer and reader; the info a launcher needs
 * (ABI, bindings, keys); source-backed kernels; locations; sha256;
 * robustness on mutated inputs. Diagnostics are tested by tests/lit/trace
 * and tests/lit/source. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend/verify.h"
#include "parser/pto_print.h"
#include "parser/pto_read.h"
#include "tests/unit/ut.h"
#include "lang/sha256.h"
#include "trace/trace.h"

#ifndef PTK_SOURCE_STDLIB
#define PTK_SOURCE_STDLIB "stdlib"
#endif

/* The repository root, from the stdlib path the Makefile passes. */
static const char *root(void) {
  static char buf[4096];
  if (!buf[0]) {
    snprintf(buf, sizeof buf, "%s", PTK_SOURCE_STDLIB);
    char *s = strrchr(buf, '/');
    if (s) *s = 0;
    else snprintf(buf, sizeof buf, ".");
  }
  return buf;
}

static char *repo_path(const char *rel) { return ptk_xasprintf("%s/%s", root(), rel); }

/* Traces a string as a .ptk file named `path`; diagnostics go to *d. */
typedef struct {
  ptk_source *src;
  ptk_diags *d;
  ptk_trace_result *r;
} traced;

static traced trace_str(const char *path, const char *text, const char *kernel,
                        const ptk_const_binding *cs, size_t nc) {
  traced t;
  t.src = ptk_source_from_string(path, text, strlen(text));
  t.d = ptk_diags_new();
  t.r = ptk_trace_kernel(NULL, t.src, kernel, cs, nc, NULL, t.d);
  return t;
}

static void done(traced *t) {
  ptk_trace_result_free(t->r);
  ptk_diags_free(t->d);
  ptk_source_free(t->src);
}

static void dump_diags(const ptk_diags *d) {
  ptk_buf b = {0};
  ptk_diags_render(d, &b, false);
  if (b.len) printf("%s", ptk_buf_cstr(&b));
  ptk_buf_free(&b);
}

static const char *first_message(const ptk_diags *d) {
  for (size_t i = 0; i < d->items.len; i++)
    if (d->items.data[i].sev == PTK_SEV_ERROR) return d->items.data[i].message;
  return "";
}

/* ---- sha256 ---------------------------------------------------------------- */

TEST(sha256_vectors) {
  char hex[65];
  ptk_sha256_hex("", 0, hex);
  CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  ptk_sha256_hex("abc", 3, hex);
  CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  ptk_sha256_hex(m, strlen(m), hex);
  CHECK_STR(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  /* a million 'a', fed in uneven pieces */
  ptk_sha256 s;
  ptk_sha256_init(&s);
  char buf[997];
  memset(buf, 'a', sizeof buf);
  size_t left = 1000000;
  while (left) {
    size_t k = left < sizeof buf ? left : sizeof buf;
    ptk_sha256_update(&s, buf, k);
    left -= k;
  }
  uint8_t dig[32];
  ptk_sha256_final(&s, dig);
  char out[65];
  for (int i = 0; i < 32; i++) snprintf(out + 2 * i, 3, "%02x", dig[i]);
  CHECK_STR(out, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* ---- the samples ------------------------------------------------------------- */

static const char *const samples[] = {"vadd", "softmax", "rmsnorm", "layernorm", "matmul",
                                      "flash_attention"};

static void check_sample(const char *name, const ptk_const_binding *cs, size_t nc) {
  char *rel = ptk_xasprintf("samples/%s.ptk", name);
  char *path = repo_path(rel);
  ptk_diags *d = ptk_diags_new();
  ptk_trace_result *r = ptk_trace_kernel(path, NULL, NULL, cs, nc, NULL, d);
  if (!CHECK(r != NULL)) dump_diags(d);
  if (r) {
    ptk_module *m = ptk_trace_module(r);
    if (!CHECK(ptk_verify_module(m, d))) dump_diags(d);
    CHECK_INT(ptk_diags_errors(d), 0);
    /* print → read → equal, and printing again is a fixpoint */
    ptk_buf b1 = {0}, b2 = {0};
    ptk_pto_print(m, &b1);
    ptk_source *s2 = ptk_source_from_string("reprint.pto", b1.data, b1.len);
    ptk_module *m2 = ptk_pto_read(s2, d);
    if (CHECK(m2 != NULL)) {
      ptk_buf why = {0};
      if (!CHECK(ptk_ir_equal(m, m2, &why))) printf("  %s: %s\n", name, ptk_buf_cstr(&why));
      ptk_buf_free(&why);
      ptk_pto_print(m2, &b2);
      CHECK_STR(ptk_buf_cstr(&b1), ptk_buf_cstr(&b2));
      CHECK(ptk_verify_module(m2, d));
    } else {
      dump_diags(d);
    }
    ptk_module_free(m2);
    ptk_source_free(s2);
    ptk_buf_free(&b1);
    ptk_buf_free(&b2);
    ptk_func *f = ptk_trace_entry(r);
    CHECK(f && ptk_func_attr(f, "pto.entry"));
  }
  ptk_trace_result_free(r);
  ptk_diags_free(d);
  free(rel);
  free(path);
}

TEST(samples_trace_verify_roundtrip) {
  for (size_t i = 0; i < PTK_ARRAY_LEN(samples); i++) check_sample(samples[i], NULL, 0);
}

TEST(samples_other_bindings) {
  ptk_const_binding vadd[] = {{"TILE", "256"}};
  check_sample("vadd", vadd, 1);
  ptk_const_binding sm[] = {{"COLS", "512"}, {"TR", "8"}};
  check_sample("softmax", sm, 2);
  ptk_const_binding rms[] = {{"CHUNK", "256"}, {"NCHUNK", "3"}, {"EPS", "1e-5"}};
  check_sample("rmsnorm", rms, 3);
  ptk_const_binding ln[] = {{"AFFINE", "false"}, {"COLS", "256"}};
  check_sample("layernorm", ln, 2);
  ptk_const_binding mm[] = {{"TM", "64"}, {"TN", "64"}, {"TK", "32"}};
  check_sample("matmul", mm, 3);
  ptk_const_binding fa[] = {{"D", "128"}, {"BR", "32"}, {"BC", "32"}, {"SCALE", "0.088"}};
  check_sample("flash_attention", fa, 4);
}

/* ---- info ------------------------------------------------------------------------ */

TEST(info_abi_and_consts) {
  char *path = repo_path("samples/vadd.ptk");
  ptk_diags *d = ptk_diags_new();
  ptk_const_binding cs[] = {{"TILE", "0x200"}};
  ptk_trace_result *r = ptk_trace_kernel(path, NULL, NULL, cs, 1, NULL, d);
  if (CHECK(r != NULL)) {
    const ptk_trace_info *in = ptk_trace_info_of(r);
    CHECK_STR(in->kernel, "vadd");
    CHECK_STR(in->symbol, "vadd");
    CHECK_STR(in->target, "a3");
    CHECK_STR(in->kind, "vector");
    CHECK_STR(in->mode, "auto");
    CHECK(in->insert_sync);
    CHECK(!in->insert_sync_set);
    CHECK(!in->source_backed);
    CHECK_INT(in->nparams, 4);
    CHECK_STR(in->params[0].name, "x");
    CHECK(in->params[0].is_ptr);
    CHECK_INT(in->params[0].dtype, PTK_DT_F32);
    CHECK_INT(in->params[0].dir, PTK_DIR_IN);
    CHECK_INT(in->params[2].dir, PTK_DIR_OUT);
    CHECK_STR(in->params[3].name, "n");
    CHECK(!in->params[3].is_ptr);
    CHECK_INT(in->params[3].dtype, PTK_DT_I32);
    CHECK_INT(in->params[3].position, 3);
    CHECK_INT(in->params[3].range.begin.line, 11);
    CHECK_INT(in->nconsts, 1);
    CHECK_STR(in->consts[0].name, "TILE");
    CHECK_STR(in->consts[0].type, "int");
    CHECK_STR(in->consts[0].value, "512");
    CHECK(!in->consts[0].is_default);
    CHECK(strstr(in->key, "consts=TILE:int=512") != NULL);
    CHECK(strstr(in->key, in->ptk_sha256) != NULL);
    CHECK_INT(in->ndeps, 1);
    CHECK(strstr(in->deps[0], "samples/vadd.ptk") != NULL);
    /* the function signature is the ABI */
    ptk_func *f = ptk_trace_entry(r);
    CHECK_INT(f->nargs, 4);
    CHECK_INT(f->arg_types[0]->kind, PTK_TY_PTR);
    CHECK(ptk_type_is_scalar(f->arg_types[3], PTK_DT_I32));
  }
  ptk_trace_result_free(r);
  /* the default binding gives another key */
  ptk_trace_result *r2 = ptk_trace_kernel(path, NULL, NULL, NULL, 0, NULL, d);
  ptk_trace_result *r3 = ptk_trace_kernel(path, NULL, NULL, NULL, 0, NULL, d);
  if (CHECK(r2 && r3)) {
    const ptk_trace_info *a = ptk_trace_info_of(r2), *b = ptk_trace_info_of(r3);
    CHECK(a->consts[0].is_default);
    CHECK_STR(a->consts[0].value, "1024");
    CHECK_STR(a->key, b->key);
  }
  ptk_trace_result_free(r2);
  ptk_trace_result_free(r3);
  CHECK_INT(ptk_diags_errors(d), 0);
  ptk_diags_free(d);
  free(path);
}

TEST(info_binding_kinds) {
  const char *k = "kernel k(x: ptr<f32>, const I: int = 1, const F: float = 0.5, const B: bool = false,\n"
                  "         const S: str = \"a\", const D: dtype = f16) {\n}\n";
  ptk_const_binding cs[] = {{"I", "-1_000"}, {"F", "2"}, {"B", "1"}, {"S", "hello world"}, {"D", "bf16"}};
  traced t = trace_str("b.ptk", k, NULL, cs, 5);
  if (CHECK(t.r != NULL)) {
    const ptk_trace_info *in = ptk_trace_info_of(t.r);
    CHECK_INT(in->nconsts, 5);
    CHECK_STR(in->consts[0].value, "-1000");
    CHECK_STR(in->consts[1].value, "2.0");
    CHECK_STR(in->consts[2].value, "true");
    CHECK_STR(in->consts[3].value, "hello world");
    CHECK_STR(in->consts[4].value, "bf16");
    CHECK_INT(in->nparams, 1);
  } else {
    dump_diags(t.d);
  }
  done(&t);
}

TEST(info_jit_and_kind) {
  const char *k = "@jit(name = \"sym\", target = \"a5\", mode = \"explicit\")\n"
                  "kernel k(x: ptr<f16>) {\n"
                  "  let a = alloc_tile(shape = [16, 16], dtype = f16, loc = left);\n"
                  "}\n";
  traced t = trace_str("j.ptk", k, "sym", NULL, 0);
  if (CHECK(t.r != NULL)) {
    const ptk_trace_info *in = ptk_trace_info_of(t.r);
    CHECK_STR(in->symbol, "sym");
    CHECK_STR(in->kernel, "k");
    CHECK_STR(in->target, "a5");
    CHECK_STR(in->kind, "cube"); /* inferred from the left tile */
    CHECK_STR(in->mode, "explicit");
    CHECK(!in->insert_sync);
    ptk_module *m = ptk_trace_module(t.r);
    const ptk_attr *ta = ptk_module_attr(m, "pto.target_arch");
    CHECK(ta && ta->kind == PTK_ATTR_STRING && !strcmp(ta->str.s, "a5"));
    const ptk_attr *kk = ptk_func_attr(ptk_trace_entry(t.r), "pto.kernel_kind");
    CHECK(kk && kk->kind == PTK_ATTR_ENUM && !strcmp(kk->en.value, "cube"));
  } else {
    dump_diags(t.d);
  }
  done(&t);
}

TEST(select_kernel) {
  const char *k = "kernel a(x: ptr<f32>) {\n}\n@jit(name = \"bsym\")\nkernel b(x: ptr<f32>) {\n}\n";
  traced t = trace_str("s.ptk", k, NULL, NULL, 0);
  CHECK(t.r == NULL);
  CHECK(strstr(first_message(t.d), "declares 2 kernels") != NULL);
  done(&t);
  t = trace_str("s.ptk", k, "b", NULL, 0);
  CHECK(t.r && !strcmp(ptk_trace_info_of(t.r)->symbol, "bsym"));
  done(&t);
  t = trace_str("s.ptk", k, "bsym", NULL, 0);
  CHECK(t.r && !strcmp(ptk_trace_info_of(t.r)->kernel, "b"));
  done(&t);
  ptk_source *src = ptk_source_from_string("s.ptk", k, strlen(k));
  ptk_arena *a = ptk_arena_new();
  ptk_diags *d = ptk_diags_new();
  const char *names[4];
  CHECK_INT(ptk_trace_list_kernels(src, a, d, names, 4), 2);
  CHECK_STR(names[0], "a");
  CHECK_STR(names[1], "b");
  ptk_diags_free(d);
  ptk_arena_free(a);
  ptk_source_free(src);
}

/* ---- locations ------------------------------------------------------------------- */

static bool find_op(ptk_op *op, void *ctx) {
  ptk_op **out = ctx;
  if (op->kind == out[0]->kind) {
    out[1] = op;
    return false;
  }
  return true;
}

TEST(ops_carry_ptk_locations) {
  char *path = repo_path("samples/vadd.ptk");
  ptk_diags *d = ptk_diags_new();
  ptk_trace_result *r = ptk_trace_kernel(path, NULL, NULL, NULL, 0, NULL, d);
  if (CHECK(r != NULL)) {
    ptk_op probe = {.kind = PTK_OP_TADD};
    ptk_op *ctx[2] = {&probe, NULL};
    ptk_walk_module(ptk_trace_module(r), find_op, ctx);
    if (CHECK(ctx[1] != NULL)) {
      CHECK_INT(ctx[1]->loc.line, 24); /* tadd(a, b, c); */
      CHECK_INT(ctx[1]->loc.col, 5);
      CHECK(ctx[1]->loc.src && strstr(ctx[1]->loc.src->path, "vadd.ptk"));
    }
    probe.kind = PTK_OP_SCF_FOR;
    ctx[1] = NULL;
    ptk_walk_module(ptk_trace_module(r), find_op, ctx);
    if (CHECK(ctx[1] != NULL)) CHECK_INT(ctx[1]->loc.line, 17);
  }
  ptk_trace_result_free(r);
  ptk_diags_free(d);
  free(path);
}

/* Imported files stay alive with the result: locations inside an fn from
 * the stdlib point into nn.ptk. */
TEST(import_locations_outlive_trace) {
  const char *k = "import \"nn.ptk\";\n"
                  "kernel k() {\n"
                  "  let t = alloc_tile(shape = [8, 16]);\n"
                  "  relu_inplace(t);\n"
                  "}\n";
  traced t = trace_str("i.ptk", k, NULL, NULL, 0);
  if (CHECK(t.r != NULL)) {
    ptk_op probe = {.kind = PTK_OP_TRELU};
    ptk_op *ctx[2] = {&probe, NULL};
    ptk_walk_module(ptk_trace_module(t.r), find_op, ctx);
    if (CHECK(ctx[1] != NULL)) {
      CHECK(strstr(ctx[1]->loc.src->path, "nn.ptk") != NULL);
      size_t len;
      const char *line = ptk_source_line(ctx[1]->loc.src, ctx[1]->loc.line, &len);
      CHECK(len > 0 && strstr(line, "trelu") != NULL);
    }
    CHECK_INT(ptk_trace_info_of(t.r)->ndeps, 2);
  } else {
    dump_diags(t.d);
  }
  done(&t);
}

/* ---- source-backed kernels --------------------------------------------------------- */

static char *write_tmp(const char *dir, const char *name, const char *text) {
  char *p = ptk_xasprintf("%s/%s", dir, name);
  FILE *f = fopen(p, "w");
  if (f) {
    fputs(text, f);
    fclose(f);
  }
  return p;
}

TEST(source_backed_info_and_key) {
  char dir[] = "/tmp/ptk-trace-XXXXXX";
  if (!CHECK(mkdtemp(dir) != NULL)) return;
  const char *pto1 = "module {\n  func.func @e(%p: !pto.ptr<f32>, %n: i32) {\n    return\n  }\n}\n";
  const char *pto2 = "module {\n  func.func @e(%p: !pto.ptr<f32>, %n: i32) {\n    return\n  }\n}\n// edited\n";
  char *pto = write_tmp(dir, "k.pto", pto1);
  char *ptk = write_tmp(dir, "k.ptk", "@jit(source = \"k.pto\", name = \"e\")\nkernel k(p: ptr<f32> out, n: i32);\n");
  ptk_diags *d = ptk_diags_new();
  ptk_trace_result *r1 = ptk_trace_kernel(ptk, NULL, NULL, NULL, 0, NULL, d);
  char key1[2048] = "";
  if (CHECK(r1 != NULL)) {
    const ptk_trace_info *in = ptk_trace_info_of(r1);
    CHECK(in->source_backed);
    CHECK(!in->source_inline);
    CHECK_STR(in->source_path, "k.pto");
    CHECK(strstr(in->source_resolved, "/k.pto") != NULL && in->source_resolved[0] == '/');
    char hex[65];
    ptk_sha256_hex(pto1, strlen(pto1), hex);
    CHECK_STR(in->source_sha256, hex);
    CHECK(strstr(in->key, hex) != NULL);
    CHECK_STR(in->symbol, "e");
    CHECK_INT(in->nparams, 2);
    CHECK_INT(in->params[0].dir, PTK_DIR_OUT);
    CHECK_INT(in->ndeps, 2);
    CHECK_STR(ptk_trace_entry(r1)->name, "e");
    CHECK(ptk_verify_module(ptk_trace_module(r1), d));
    snprintf(key1, sizeof key1, "%s", in->key);
  } else {
    dump_diags(d);
  }
  ptk_trace_result_free(r1);
  free(write_tmp(dir, "k.pto", pto2));
  ptk_trace_result *r2 = ptk_trace_kernel(ptk, NULL, NULL, NULL, 0, NULL, d);
  if (CHECK(r2 != NULL)) CHECK(strcmp(key1, ptk_trace_info_of(r2)->key) != 0);
  ptk_trace_result_free(r2);
  CHECK_INT(ptk_diags_errors(d), 0);
  ptk_diags_free(d);
  unlink(pto);
  unlink(ptk);
  rmdir(dir);
  free(pto);
  free(ptk);
}

TEST(source_inline_locations) {
  const char *k = "@jit(source = \"\"\"\n"
                  "module {\n"
                  "  func.func @k(%p: !pto.ptr<f32>) {\n"
                  "    return\n"
                  "  }\n"
                  "}\n"
                  "\"\"\")\n"
                  "kernel k(p: ptr<f32>);\n";
  traced t = trace_str("inl.ptk", k, NULL, NULL, 0);
  if (CHECK(t.r != NULL)) {
    const ptk_trace_info *in = ptk_trace_info_of(t.r);
    CHECK(in->source_inline);
    CHECK(in->source_path == NULL);
    ptk_func *f = ptk_trace_entry(t.r);
    /* the function's location is its place in the .ptk file */
    CHECK_INT(f->loc.line, 3);
    CHECK_INT(f->loc.col, 13);
    CHECK_STR(f->loc.src->path, "inl.ptk");
  } else {
    dump_diags(t.d);
  }
  done(&t);
}

/* ---- robustness ---------------------------------------------------------------------- */

/* Deterministic mutations of every sample (delete / duplicate / swap
 * tokens-ish byte ranges); tracing must never crash and must report an
 * error or succeed (verified) each time. */
TEST(mutated_samples_do_not_crash) {
  uint64_t seed = 88172645463325252ull;
  for (size_t s = 0; s < PTK_ARRAY_LEN(samples); s++) {
    char *rel = ptk_xasprintf("samples/%s.ptk", samples[s]);
    char *path = repo_path(rel);
    size_t len;
    char *text = ptk_read_file(path, &len);
    if (!CHECK(text != NULL)) {
      free(rel);
      free(path);
      continue;
    }
    char *buf = ptk_xmalloc(2 * len + 64);
    for (int it = 0; it < 60; it++) {
      seed ^= seed << 13;
      seed ^= seed >> 7;
      seed ^= seed << 17;
      size_t a = seed % len, b = (seed >> 20) % len, n = (seed >> 40) % 12 + 1;
      if (a + n > len) n = len - a;
      size_t k = 0;
      switch (it % 4) {
      case 0: /* delete */
        memcpy(buf, text, a);
        memcpy(buf + a, text + a + n, len - a - n);
        k = len - n;
        break;
      case 1: /* duplicate a range elsewhere */
        memcpy(buf, text, b);
        memcpy(buf + b, text + a, n);
        memcpy(buf + b + n, text + b, len - b);
        k = len + n;
        break;
      case 2: { /* replace a digit or a name character */
        memcpy(buf, text, len);
        k = len;
        static const char rep[] = "0197zx_([]:,;.+-*/\"";
        buf[a] = rep[(seed >> 8) % (sizeof rep - 1)];
        break;
      }
      default: /* swap two ranges' first bytes */
        memcpy(buf, text, len);
        k = len;
        char tmp = buf[a];
        buf[a] = buf[b];
        buf[b] = tmp;
        break;
      }
      ptk_source *src = ptk_source_from_string(path, buf, k);
      ptk_diags *d = ptk_diags_new();
      ptk_trace_result *r = ptk_trace_kernel(NULL, src, NULL, NULL, 0, NULL, d);
      if (r) ptk_verify_module(ptk_trace_module(r), d);
      else CHECK(ptk_diags_errors(d) > 0);
      ptk_trace_result_free(r);
      ptk_diags_free(d);
      ptk_source_free(src);
    }
    free(buf);
    free(text);
    free(rel);
    free(path);
  }
}

/* Pathological programs end with an error, quickly. */
TEST(pathological_programs) {
  static const char *const progs[] = {
      /* exponential recursion */
      "fn f(const n: int) {\n  static if n > 0 {\n    f(n - 1);\n    f(n - 1);\n  }\n}\n"
      "kernel k() {\n  f(60);\n}\n",
      /* huge unrolling */
      "kernel k() {\n  static for i in range(100000) {\n    static for j in range(100000) {\n    }\n  }\n}\n",
      /* list doubling */
      "kernel k() {\n  var l = [1];\n  static for i in range(40) {\n    l = l + l;\n  }\n}\n",
      /* deep runtime nesting through recursion */
      "fn f(const n: int, x: index) {\n  static if n > 0 {\n    for i in range(x) {\n      f(n - 1, i);\n    }\n  }\n}\n"
      "kernel k(m: index) {\n  f(100, m);\n}\n",
  };
  for (size_t i = 0; i < PTK_ARRAY_LEN(progs); i++) {
    traced t = trace_str("p.ptk", progs[i], NULL, NULL, 0);
    CHECK(t.r == NULL);
    CHECK(ptk_diags_errors(t.d) > 0);
    done(&t);
  }
}

/* ---- imports ------------------------------------------------------------------------ */

TEST(import_search_path) {
  char dir[] = "/tmp/ptk-imp-XXXXXX";
  if (!CHECK(mkdtemp(dir) != NULL)) return;
  char *inc = ptk_xasprintf("%s/inc", dir), *lib = ptk_xasprintf("%s/lib", dir);
  CHECK(mkdir(inc, 0700) == 0 && mkdir(lib, 0700) == 0);
  /* b.ptk (-I) and c.ptk (stdlib) each import d.ptk: each finds the one in its own folder */
  char *d1 = write_tmp(inc, "d.ptk", "const D = 5;\n");
  char *b1 = write_tmp(inc, "b.ptk", "import \"d.ptk\";\nfn fb() -> int {\n  return D + 1;\n}\n");
  char *c1 = write_tmp(lib, "c.ptk", "import \"d.ptk\";\nfn fc() -> int {\n  return D * 2;\n}\n");
  char *d2 = write_tmp(lib, "d.ptk", "const D = 7;\n");
  char *k = write_tmp(dir, "k.ptk", "import \"b.ptk\";\nimport \"c.ptk\" as cc;\n"
                                    "kernel k() {\n  let t = alloc_tile(shape = [fb(), cc.fc() * 8]);\n}\n");
  const char *incs[] = {inc};
  ptk_trace_opts o = {.include_dirs = incs, .ninclude = 1, .stdlib_dir = lib};
  ptk_diags *d = ptk_diags_new();
  ptk_trace_result *r = ptk_trace_kernel(k, NULL, NULL, NULL, 0, &o, d);
  if (CHECK(r != NULL)) {
    const ptk_trace_info *in = ptk_trace_info_of(r);
    CHECK_INT(in->ndeps, 5); /* k, b, inc/d (b's import), c, lib/d (c's own folder comes first) */
    ptk_buf b = {0};
    ptk_pto_print(ptk_trace_module(r), &b);
    /* fb() = 5 + 1, cc.fc() = 7 * 2 */
    CHECK(strstr(ptk_buf_cstr(&b), "6x112xf32") != NULL);
    ptk_buf_free(&b);
  } else {
    dump_diags(d);
  }
  ptk_trace_result_free(r);
  /* PTK_STDLIB stands in for the stdlib folder when the options give none */
  setenv("PTK_STDLIB", lib, 1);
  ptk_trace_opts o2 = {.include_dirs = incs, .ninclude = 1};
  r = ptk_trace_kernel(k, NULL, NULL, NULL, 0, &o2, d);
  CHECK(r != NULL);
  ptk_trace_result_free(r);
  unsetenv("PTK_STDLIB");
  CHECK_INT(ptk_diags_errors(d), 0);
  ptk_diags_free(d);
  const char *files[] = {d1, b1, c1, d2, k};
  for (size_t i = 0; i < 5; i++) {
    unlink(files[i]);
    free((char *)files[i]);
  }
  rmdir(inc);
  rmdir(lib);
  rmdir(dir);
  free(inc);
  free(lib);
}

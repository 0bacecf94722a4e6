/* End-to-end acceptance on the shared corpus (../shared/corpus/pto, see its
 * INDEX.md), two tests per case, registered only when the corpus is there:
 *
 *   unit/test_e2e_corpus.port_<id>    the .ptk port tests/e2e/corpus_ports/<id>.ptk
 *       (kernel `port`) run on the case's inputs matches the expected outputs
 *       of EVERY pointer parameter (case.json tolerances; bf16 widened);
 *   unit/test_e2e_corpus.source_<id>  the source-backed declaration in the
 *       same file (kernel `from_pto`, `@jit(source = ".../<id>/kernel.pto")`)
 *       runs bit-for-bit like the case's kernel.pto loaded directly (what
 *       `ptk run kernel.pto` does), and both match the expected outputs.
 *
 * Everything goes through the shared loader (runtime/kernel.h: trace or
 * read, pass pipeline) and the interpreter. */
#include "tests/unit/api_util.h"

#include <dirent.h>
#include <jansson.h>

#include "runtime/npy.h"
#include "tests/unit/e2e_util.h"
#include "tests/unit/ut.h"

#define MAX_CASES 128

static char *case_ids[MAX_CASES];
static int ncases;

static const char *corpus_dir(void) { return au_path("../shared/corpus/pto"); }

typedef struct cparam {
  char name[64]; /* without '%' */
  bool ptr;
  char dtype[16];
  double rtol, atol;
  json_t *value; /* scalars (borrowed from the case) */
} cparam;

typedef struct ccase {
  char *dir;
  json_t *root;
  const char *entry;
  uint32_t blocks;
  cparam *p;
  size_t np;
} ccase;

static void case_free(ccase *c) {
  free(c->dir);
  free(c->p);
  if (c->root) json_decref(c->root);
  memset(c, 0, sizeof *c);
}

static bool case_read(const char *id, ccase *c) {
  memset(c, 0, sizeof *c);
  c->dir = ptk_xasprintf("%s/%s", corpus_dir(), id);
  char *cj = ptk_xasprintf("%s/case.json", c->dir);
  json_error_t je;
  c->root = json_load_file(cj, 0, &je);
  free(cj);
  if (!c->root) {
    printf("    %s/case.json: %s (line %d)\n", c->dir, je.text, je.line);
    return false;
  }
  c->entry = json_string_value(json_object_get(c->root, "entry"));
  json_t *jb = json_object_get(c->root, "blocks");
  c->blocks = json_is_integer(jb) ? (uint32_t)json_integer_value(jb) : 1;
  double rtol = json_number_value(json_object_get(c->root, "rtol"));
  double atol = json_number_value(json_object_get(c->root, "atol"));
  json_t *jp = json_object_get(c->root, "params");
  if (!c->entry || !json_is_array(jp)) {
    printf("    %s/case.json: no entry or params\n", c->dir);
    return false;
  }
  c->np = json_array_size(jp);
  c->p = ptk_xcalloc(c->np + 1, sizeof *c->p);
  for (size_t i = 0; i < c->np; i++) {
    json_t *v = json_array_get(jp, i);
    cparam *p = &c->p[i];
    const char *name = json_string_value(json_object_get(v, "name"));
    const char *kind = json_string_value(json_object_get(v, "kind"));
    const char *dt = json_string_value(json_object_get(v, "dtype"));
    if (!name || !kind || !dt) {
      printf("    %s/case.json: parameter %zu is incomplete\n", c->dir, i);
      return false;
    }
    snprintf(p->name, sizeof p->name, "%s", name[0] == '%' ? name + 1 : name);
    snprintf(p->dtype, sizeof p->dtype, "%s", dt);
    p->ptr = !strcmp(kind, "ptr");
    json_t *r = json_object_get(v, "rtol"), *a = json_object_get(v, "atol");
    p->rtol = json_is_number(r) ? json_number_value(r) : rtol;
    p->atol = json_is_number(a) ? json_number_value(a) : atol;
    p->value = json_object_get(v, "value");
  }
  return true;
}

/* Fresh launch arguments from in/ (tensors owned by the caller). */
static bool case_args(const ccase *c, ptk_launch_arg *la) {
  for (size_t i = 0; i < c->np; i++) {
    const cparam *p = &c->p[i];
    if (p->ptr) {
      char *path = ptk_xasprintf("%s/in/%zu_%s.npy", c->dir, i, p->name);
      char *err = NULL;
      ptk_tensor *t = ptk_npy_read(path, !strcmp(p->dtype, "bf16") ? PTK_NPY_U16_AS_BF16 : 0, &err);
      if (!t) printf("    %s\n", err ? err : path);
      free(err);
      free(path);
      if (!t) return false;
      la[i] = e2e_t(t);
    } else if (json_is_boolean(p->value)) {
      la[i] = e2e_i(json_is_true(p->value) ? 1 : 0);
    } else if (json_is_integer(p->value)) {
      la[i] = e2e_i(json_integer_value(p->value));
    } else if (json_is_number(p->value)) {
      la[i] = e2e_f(json_number_value(p->value));
    } else {
      printf("    parameter %s: no value\n", p->name);
      return false;
    }
  }
  return true;
}

static void args_free(ptk_launch_arg *la, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (la[i].kind == PTK_ARG_TENSOR) ptk_tensor_free(la[i].tensor);
  free(la);
}

/* Every pointer parameter against expected/; the number of mismatching parameters. */
static int check_expected(const ccase *c, const ptk_launch_arg *la, const char *who) {
  int bad = 0;
  for (size_t i = 0; i < c->np; i++) {
    const cparam *p = &c->p[i];
    if (!p->ptr) continue;
    char *path = ptk_xasprintf("%s/expected/%zu_%s.npy", c->dir, i, p->name);
    char *err = NULL;
    ptk_tensor *want = ptk_npy_read(path, !strcmp(p->dtype, "bf16") ? PTK_NPY_U16_AS_BF16 : 0, &err);
    if (!want) {
      printf("    %s\n", err ? err : path);
      bad++;
    } else {
      char what[160];
      snprintf(what, sizeof what, "%s: %zu_%s", who, i, p->name);
      bool exact = !ptk_tdtype_is_float(want->dtype);
      if (e2e_allclose(what, la[i].tensor, want, exact ? 0 : p->rtol, exact ? 0 : p->atol)) bad++;
    }
    ptk_tensor_free(want);
    free(err);
    free(path);
  }
  return bad;
}

/* The loaded kernel's ABI against the case's parameters. */
static bool abi_matches(const ccase *c, const ptk_loaded *l) {
  const ptk_abi *abi = ptk_loaded_abi(l);
  if (abi->nparams != c->np) {
    printf("    '%s' has %zu parameters, the case %zu\n", abi->symbol, abi->nparams, c->np);
    return false;
  }
  for (size_t i = 0; i < c->np; i++)
    if (abi->params[i].is_ptr != c->p[i].ptr) {
      printf("    parameter %zu ('%s'): %s in the kernel, %s in the case\n", i + 1, abi->params[i].name,
             abi->params[i].is_ptr ? "a pointer" : "a scalar", c->p[i].ptr ? "a pointer" : "a scalar");
      return false;
    }
  return true;
}

static char *port_path(const char *id) {
  return ptk_xasprintf("%s/%s.ptk", au_path("tests/e2e/corpus_ports"), id);
}

static void run_port(int k) {
  const char *id = case_ids[k];
  ccase c;
  char *port = port_path(id);
  ptk_loaded *l = NULL;
  ptk_launch_arg *la = NULL;
  if (!CHECK(case_read(id, &c))) goto out;
  if (access(port, R_OK) != 0) {
    printf("    no port: %s\n", port);
    CHECK(false);
    goto out;
  }
  l = e2e_load(port, "port", NULL, 0);
  if (!CHECK(l != NULL) || !CHECK(abi_matches(&c, l))) goto out;
  la = ptk_xcalloc(c.np + 1, sizeof *la);
  if (!CHECK(case_args(&c, la))) goto out;
  if (!CHECK(e2e_run(l, c.blocks, la, c.np) == 0)) goto out;
  CHECK_INT(check_expected(&c, la, "port"), 0);
out:
  if (la) args_free(la, c.np);
  ptk_loaded_free(l);
  free(port);
  case_free(&c);
  CHECK(au_no_leaks());
}

static void run_source(int k) {
  const char *id = case_ids[k];
  ccase c;
  char *port = port_path(id), *pto = NULL;
  ptk_loaded *direct = NULL, *decl = NULL;
  ptk_launch_arg *a = NULL, *b = NULL;
  if (!CHECK(case_read(id, &c))) goto out;
  pto = ptk_xasprintf("%s/kernel.pto", c.dir);
  direct = e2e_load(pto, c.entry, NULL, 0);
  decl = e2e_load(port, "from_pto", NULL, 0);
  if (!CHECK(direct != NULL) || !CHECK(decl != NULL)) goto out;
  CHECK(abi_matches(&c, direct));
  CHECK(abi_matches(&c, decl));
  CHECK_STR(ptk_loaded_abi(decl)->symbol, c.entry);
  a = ptk_xcalloc(c.np + 1, sizeof *a);
  b = ptk_xcalloc(c.np + 1, sizeof *b);
  if (!CHECK(case_args(&c, a)) || !CHECK(case_args(&c, b))) goto out;
  if (!CHECK(e2e_run(direct, c.blocks, a, c.np) == 0) || !CHECK(e2e_run(decl, c.blocks, b, c.np) == 0))
    goto out;
  for (size_t i = 0; i < c.np; i++) {
    if (!c.p[i].ptr) continue;
    char what[128];
    snprintf(what, sizeof what, "%zu_%s (kernel.pto vs from_pto)", i, c.p[i].name);
    CHECK(e2e_same_bytes(what, a[i].tensor, b[i].tensor));
  }
  CHECK_INT(check_expected(&c, a, "kernel.pto"), 0);
out:
  if (a) args_free(a, c.np);
  if (b) args_free(b, c.np);
  ptk_loaded_free(direct);
  ptk_loaded_free(decl);
  free(port);
  free(pto);
  case_free(&c);
  CHECK(au_no_leaks());
}

/* One registered function per case and kind (the runner takes void(void)):
 * slot (b, d) runs case (b - 1) * 8 + d, for 16 rows of 8. */
#define SLOT(b, d)                                                                                 \
  static void port_##b##_##d(void) { run_port((b - 1) * 8 + d); }                                  \
  static void source_##b##_##d(void) { run_source((b - 1) * 8 + d); }
#define ROW(b) SLOT(b, 0) SLOT(b, 1) SLOT(b, 2) SLOT(b, 3) SLOT(b, 4) SLOT(b, 5) SLOT(b, 6) SLOT(b, 7)
ROW(1) ROW(2) ROW(3) ROW(4) ROW(5) ROW(6) ROW(7) ROW(8)
ROW(9) ROW(10) ROW(11) ROW(12) ROW(13) ROW(14) ROW(15) ROW(16)
#undef ROW
#define ALL(X) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13) X(14) X(15) X(16)
#define PROW(b) port_##b##_0, port_##b##_1, port_##b##_2, port_##b##_3, port_##b##_4, port_##b##_5, \
                port_##b##_6, port_##b##_7,
#define SROW(b) source_##b##_0, source_##b##_1, source_##b##_2, source_##b##_3, source_##b##_4,   \
                source_##b##_5, source_##b##_6, source_##b##_7,
static void (*const port_fns[MAX_CASES])(void) = {ALL(PROW)};
static void (*const source_fns[MAX_CASES])(void) = {ALL(SROW)};

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

__attribute__((constructor)) static void register_cases(void) {
  DIR *d = opendir(corpus_dir());
  if (!d) return; /* no corpus: nothing registered (and nothing counted as passing) */
  struct dirent *e;
  while ((e = readdir(d)) != NULL && ncases < MAX_CASES) {
    if (e->d_name[0] == '.') continue;
    char *cj = ptk_xasprintf("%s/%s/case.json", corpus_dir(), e->d_name);
    if (access(cj, R_OK) == 0) case_ids[ncases++] = ptk_xstrdup(e->d_name);
    free(cj);
  }
  closedir(d);
  qsort(case_ids, (size_t)ncases, sizeof *case_ids, cmp_str);
  for (int i = 0; i < ncases; i++) {
    char name[200];
    snprintf(name, sizeof name, "port_%s", case_ids[i]);
    ut_register(__FILE__, name, port_fns[i]);
    snprintf(name, sizeof name, "source_%s", case_ids[i]);
    ut_register(__FILE__, name, source_fns[i]);
  }
}

/* The stdlib (the .ptk files of stdlib/) against numpy, on both engines.
 *
 * tests/e2e/stdlib/kernels.ptk calls every stdlib function from a few test
 * kernels; tests/e2e/stdlib/gen.py (numpy) wrote the inputs and the
 * expected outputs of each run to tests/e2e/stdlib/data/ and listed the
 * runs in data/cases.json (so numpy is not needed here). Every case runs
 * on the IR interpreter and on the JIT with the same inputs: the two must
 * agree bit for bit on every argument, and each output must match the
 * numpy reference within the case's tolerances (integers exactly).
 * `every_function_tested` fails when a `fn` of a stdlib file is called
 * nowhere in kernels.ptk. The imports resolve through the source tree's
 * stdlib/ folder, as `ptk` in the build tree does. */
#include "tests/unit/api_util.h"

#include <ctype.h>
#include <jansson.h>

#include "runtime/jit/jit.h"
#include "runtime/npy.h"
#include "tests/unit/e2e_util.h"
#include "tests/unit/jit_cache_util.h"
#include "tests/unit/ut.h"


static char *data_path(const char *file) {
  return ptk_xasprintf("%s/%s", au_path("tests/e2e/stdlib/data"), file);
}

static ptk_tensor *read_npy(const char *file) {
  char *p = data_path(file), *err = NULL;
  ptk_tensor *t = ptk_npy_read(p, 0, &err);
  if (!t) printf("    %s: %s\n", p, err ? err : "?");
  free(err);
  free(p);
  return t;
}

/* Runs one case of cases.json; the number of failures (0 = passed). */
static int run_case(json_t *c) {
  const char *name = json_string_value(json_object_get(c, "name"));
  const char *kernel = json_string_value(json_object_get(c, "kernel"));
  json_t *consts = json_object_get(c, "consts"), *args = json_object_get(c, "args");
  size_t n = json_array_size(args);
  int fails = 0;
  if (!name || !kernel || !n) {
    printf("    malformed case in cases.json\n");
    return 1;
  }
  ptk_const_binding cb[8];
  size_t nc = 0;
  const char *key;
  json_t *val;
  json_object_foreach(consts, key, val) {
    if (nc < 8) cb[nc++] = (ptk_const_binding){key, json_string_value(val)};
  }
  const char *stdlib_dir = au_path("stdlib");
  ptk_trace_opts to;
  memset(&to, 0, sizeof to);
  to.stdlib_dir = stdlib_dir;
  ptk_diags *d = ptk_diags_new();
  ptk_loaded *l = ptk_kernel_load(au_path("tests/e2e/stdlib/kernels.ptk"), NULL, kernel, cb, nc,
                                  &to, d);
  if (!l) {
    printf("    %s: loading kernel '%s' failed:\n", name, kernel);
    e2e_print_diags(d);
    ptk_diags_free(d);
    return 1;
  }
  ptk_launch_arg *a[2] = {calloc(n, sizeof **a), calloc(n, sizeof **a)};
  ptk_tensor **want = calloc(n, sizeof *want);
  for (size_t i = 0; i < n; i++) {
    json_t *arg = json_array_get(args, i);
    json_t *in = json_object_get(arg, "in"), *out = json_object_get(arg, "out");
    for (int e = 0; e < 2; e++) {
      if (in) {
        ptk_tensor *t = read_npy(json_string_value(in));
        if (!t) fails++;
        a[e][i] = e2e_t(t);
      } else if (out) {
        if (!want[i] && !(want[i] = read_npy(json_string_value(out)))) {
          fails++;
          a[e][i] = e2e_t(NULL);
          continue;
        }
        a[e][i] = e2e_t(ptk_tensor_zeros(want[i]->dtype, want[i]->rank, want[i]->shape, NULL));
      } else {
        a[e][i] = e2e_i(json_integer_value(json_object_get(arg, "int")));
      }
    }
  }
  int rc[2] = {-1, -1};
  for (int e = 0; e < 2 && !fails; e++) {
    ptk_launch_opts o;
    memset(&o, 0, sizeof o);
    o.blocks = (uint32_t)json_integer_value(json_object_get(c, "blocks"));
    if (e == 0) {
      rc[e] = ptk_interp_launch(ptk_loaded_entry(l), &o, a[e], n, d);
    } else {
      ptk_jit_opts jo;
      memset(&jo, 0, sizeof jo);
      jo.cache_dir = cache;
      rc[e] = ptk_jit_launch(ptk_loaded_entry(l), &jo, &o, a[e], n, d);
    }
    if (rc[e]) {
      printf("    %s: the %s run failed:\n", name, e ? "JIT" : "interpreter");
      e2e_print_diags(d);
      fails++;
    }
  }
  for (size_t i = 0; i < n && !fails; i++) {
    json_t *arg = json_array_get(args, i);
    if (a[0][i].kind != PTK_ARG_TENSOR) continue;
    char what[256];
    snprintf(what, sizeof what, "%s: argument %zu, interpreter vs JIT", name, i);
    if (!e2e_same_bytes(what, a[0][i].tensor, a[1][i].tensor)) fails++;
    if (!want[i]) continue;
    snprintf(what, sizeof what, "%s: argument %zu (%s) vs numpy", name, i,
             json_string_value(json_object_get(arg, "out")));
    double rtol = json_number_value(json_object_get(arg, "rtol"));
    double atol = json_number_value(json_object_get(arg, "atol"));
    if (e2e_allclose(what, a[0][i].tensor, want[i], rtol, atol)) fails++;
  }
  for (size_t i = 0; i < n; i++) {
    for (int e = 0; e < 2; e++)
      if (a[e][i].kind == PTK_ARG_TENSOR) ptk_tensor_free(a[e][i].tensor);
    ptk_tensor_free(want[i]);
  }
  free(a[0]);
  free(a[1]);
  free(want);
  ptk_loaded_free(l);
  ptk_diags_free(d);
  return fails;
}

static json_t *load_cases(void) {
  char *p = data_path("cases.json");
  json_error_t je;
  json_t *j = json_load_file(p, 0, &je);
  if (!j) printf("    %s: %s\n", p, je.text);
  free(p);
  return j;
}

/* Runs the cases whose name starts with `prefix`; at least one must exist. */
static void run_cases(const char *prefix) {
  json_t *j = load_cases();
  if (!CHECK(j != NULL)) return;
  size_t ran = 0;
  for (size_t i = 0; i < json_array_size(j); i++) {
    json_t *c = json_array_get(j, i);
    const char *name = json_string_value(json_object_get(c, "name"));
    if (!name || strncmp(name, prefix, strlen(prefix))) continue;
    ran++;
    int f = run_case(c);
    if (!CHECK_INT(f, 0)) printf("    in case %s\n", name);
  }
  if (!CHECK(ran > 0)) printf("    no case named %s*\n", prefix);
  json_decref(j);
}

TEST(elementwise) { run_cases("elementwise_"); }
TEST(rowwise) { run_cases("rowwise_"); }
TEST(online_softmax) { run_cases("online_softmax"); }
TEST(norms) { run_cases("norms_"); }
TEST(reductions) { run_cases("reductions"); }
TEST(casts) { run_cases("casts"); }
TEST(matmuls) { run_cases("matmuls"); }
TEST(rope) { run_cases("rope"); }
TEST(attention) { run_cases("attention"); }

/* Every case of cases.json belongs to one of the tests above. */
TEST(every_case_run) {
  static const char *const prefixes[] = {"elementwise_", "rowwise_", "online_softmax", "norms_",
                                         "reductions", "casts", "matmuls", "rope",
                                         "attention"};
  json_t *j = load_cases();
  if (!CHECK(j != NULL)) return;
  for (size_t i = 0; i < json_array_size(j); i++) {
    const char *name = json_string_value(json_object_get(json_array_get(j, i), "name"));
    bool found = false;
    for (size_t k = 0; name && k < sizeof prefixes / sizeof *prefixes; k++)
      found |= !strncmp(name, prefixes[k], strlen(prefixes[k]));
    if (!CHECK(found)) printf("    case %s is run by no test\n", name ? name : "(unnamed)");
  }
  json_decref(j);
}

static char *slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  ptk_buf b = {0};
  char tmp[4096];
  size_t k;
  while ((k = fread(tmp, 1, sizeof tmp, f)) > 0) ptk_buf_putn(&b, tmp, k);
  fclose(f);
  return ptk_buf_take(&b);
}

/* Every `fn NAME(` of every .ptk file of stdlib/ is called in kernels.ptk as
 * `MODULE.NAME(` (MODULE: the file's stem, or its import alias there). */
TEST(every_function_tested) {
  static const struct {
    const char *file, *alias;
  } files[] = {{"act.ptk", "act"},       {"attn.ptk", "attn"}, {"cast.ptk", "cast"},
               {"gemm.ptk", "gemm"},     {"nn.ptk", "nn"},     {"norm.ptk", "norm"},
               {"reduce.ptk", "red"}};
  char *k = slurp(au_path("tests/e2e/stdlib/kernels.ptk"));
  if (!CHECK(k != NULL)) return;
  size_t nfn = 0;
  for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
    char *p = ptk_xasprintf("%s/%s", au_path("stdlib"), files[i].file);
    char *s = slurp(p);
    if (!CHECK(s != NULL)) printf("    cannot read %s\n", p);
    free(p);
    for (char *q = s; q && (q = strstr(q, "\nfn ")) != NULL; q += 4) {
      char name[128];
      size_t n = 0;
      const char *r = q + 4;
      while (n + 1 < sizeof name && (isalnum((unsigned char)r[n]) || r[n] == '_')) name[n] = r[n], n++;
      name[n] = 0;
      char *call = ptk_xasprintf("%s.%s(", files[i].alias, name);
      if (!CHECK(strstr(k, call) != NULL))
        printf("    %s: fn %s is not called in tests/e2e/stdlib/kernels.ptk\n", files[i].file, name);
      free(call);
      nfn++;
    }
    free(s);
  }
  /* every stdlib file is listed above */
  DIR *dir = opendir(au_path("stdlib"));
  struct dirent *e;
  while (dir && (e = readdir(dir)) != NULL) {
    size_t L = strlen(e->d_name);
    if (L < 4 || strcmp(e->d_name + L - 4, ".ptk")) continue;
    bool listed = false;
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) listed |= !strcmp(files[i].file, e->d_name);
    if (!CHECK(listed)) printf("    stdlib/%s is not covered by test_stdlib.c\n", e->d_name);
  }
  if (dir) closedir(dir);
  CHECK(nfn >= 30);
  free(k);
}

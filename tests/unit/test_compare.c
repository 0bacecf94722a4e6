/* ptk compare (backend/compare.h): the Myers line diff, unified hunks,
 * --ignore filtering and the folder report. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend/compare.h"
#include "lang/util.h"
#include "tests/unit/ut.h"

/* ---- edit scripts ----------------------------------------------------------------------------- */

static void ids(const char *s, uint32_t *out) {
  for (size_t i = 0; s[i]; i++) out[i] = (uint32_t)(unsigned char)s[i];
}

/* Applies the script to a; true when it yields b and is well-formed. */
static bool applies(const uint32_t *a, size_t na, const uint32_t *b, size_t nb, const ptk_edits *e,
                    size_t *cost) {
  size_t i = 0, j = 0;
  *cost = 0;
  for (size_t k = 0; k < e->len; k++) {
    const ptk_edit *x = &e->data[k];
    if (x->ai != i || x->bi != j || x->n == 0) return false;
    if (k && e->data[k - 1].kind == x->kind) return false; /* runs are maximal */
    switch (x->kind) {
    case PTK_EDIT_EQ:
      for (size_t t = 0; t < x->n; t++)
        if (i + t >= na || j + t >= nb || a[i + t] != b[j + t]) return false;
      i += x->n, j += x->n;
      break;
    case PTK_EDIT_DEL:
      if (k && e->data[k - 1].kind == PTK_EDIT_INS) return false; /* deletions first */
      i += x->n, *cost += x->n;
      break;
    case PTK_EDIT_INS:
      j += x->n, *cost += x->n;
      break;
    }
  }
  return i == na && j == nb;
}

static size_t lcs(const uint32_t *a, size_t na, const uint32_t *b, size_t nb) {
  size_t *t = ptk_xcalloc((na + 1) * (nb + 1), sizeof *t);
  for (size_t i = 1; i <= na; i++)
    for (size_t j = 1; j <= nb; j++) {
      size_t *c = &t[i * (nb + 1) + j];
      if (a[i - 1] == b[j - 1])
        *c = t[(i - 1) * (nb + 1) + j - 1] + 1;
      else {
        size_t u = t[(i - 1) * (nb + 1) + j], l = t[i * (nb + 1) + j - 1];
        *c = u > l ? u : l;
      }
    }
  size_t r = t[na * (nb + 1) + nb];
  free(t);
  return r;
}

TEST(diff_ids_myers_paper) {
  uint32_t a[7], b[6];
  ids("ABCABBA", a);
  ids("CBABAC", b);
  ptk_edits e = {0};
  ptk_diff_ids(a, 7, b, 6, 0, &e);
  size_t cost;
  CHECK(applies(a, 7, b, 6, &e, &cost));
  CHECK_UINT(cost, 5);
  ptk_vec_free(&e);
}

TEST(diff_ids_identical_and_empty) {
  uint32_t a[4];
  ids("abcd", a);
  ptk_edits e = {0};
  ptk_diff_ids(a, 4, a, 4, 0, &e);
  CHECK_UINT(e.len, 1);
  if (e.len == 1) {
    CHECK_INT(e.data[0].kind, PTK_EDIT_EQ);
    CHECK_UINT(e.data[0].n, 4);
  }
  ptk_diff_ids(a, 0, a, 0, 0, &e);
  CHECK_UINT(e.len, 0);
  ptk_diff_ids(a, 0, a, 3, 0, &e);
  CHECK_UINT(e.len, 1);
  if (e.len == 1) {
    CHECK_INT(e.data[0].kind, PTK_EDIT_INS);
    CHECK_UINT(e.data[0].n, 3);
  }
  ptk_diff_ids(a, 2, a, 0, 0, &e);
  CHECK_UINT(e.len, 1);
  if (e.len == 1) CHECK_INT(e.data[0].kind, PTK_EDIT_DEL);
  ptk_vec_free(&e);
}

static uint64_t rng = 88172645463325252ull;
static uint32_t rnd(uint32_t n) {
  rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
  return (uint32_t)(rng % n);
}

TEST(diff_ids_minimal_random) {
  uint32_t a[40], b[40];
  ptk_edits e = {0};
  int bad = 0;
  for (int it = 0; it < 3000 && bad < 3; it++) {
    size_t na = rnd(40), nb = rnd(40);
    uint32_t k = 1 + rnd(5);
    for (size_t i = 0; i < na; i++) a[i] = rnd(k);
    for (size_t i = 0; i < nb; i++) b[i] = rnd(k);
    ptk_diff_ids(a, na, b, nb, 0, &e);
    size_t cost;
    bool ok = applies(a, na, b, nb, &e, &cost);
    if (!CHECK(ok) || !CHECK_UINT(cost, na + nb - 2 * lcs(a, na, b, nb))) bad++;
  }
  ptk_vec_free(&e);
}

/* The cost guard keeps scripts correct, only less minimal. */
TEST(diff_ids_guard_correct) {
  enum { N = 400 };
  uint32_t *a = ptk_xmalloc(N * sizeof *a), *b = ptk_xmalloc(N * sizeof *b);
  ptk_edits e = {0};
  for (int it = 0; it < 200; it++) {
    size_t na = rnd(N), nb = rnd(N);
    for (size_t i = 0; i < na; i++) a[i] = rnd(8);
    for (size_t i = 0; i < nb; i++) b[i] = rnd(8);
    size_t budget = 1 + rnd(4), cost;
    ptk_diff_ids(a, na, b, nb, budget, &e);
    if (!CHECK(applies(a, na, b, nb, &e, &cost))) break;
    CHECK(cost >= na + nb - 2 * lcs(a, na, b, nb));
  }
  ptk_vec_free(&e);
  free(a);
  free(b);
}

/* ---- unified text diffs (expected texts are GNU diff -u output) ------------------------------ */

static char *udiff(const char *a, const char *b, unsigned ctx, ptk_regex_set *ign, size_t *hunks) {
  ptk_buf out = {0};
  ptk_diff_opts o = {.context = ctx, .ignore = ign};
  *hunks = ptk_diff_text(a, strlen(a), b, strlen(b), "a/f", "b/f", &o, &out);
  return ptk_buf_take(&out);
}

static char *seq(int n, int chg1, const char *r1, int chg2, const char *r2) {
  ptk_buf b = {0};
  for (int i = 1; i <= n; i++) {
    if (i == chg1)
      ptk_buf_printf(&b, "%s\n", r1);
    else if (i == chg2)
      ptk_buf_printf(&b, "%s\n", r2);
    else
      ptk_buf_printf(&b, "%d\n", i);
  }
  return ptk_buf_take(&b);
}

#define EXPECT_DIFF(a, b, ctx, ign, nh, want)                                                      \
  do {                                                                                             \
    size_t h_;                                                                                     \
    char *got_ = udiff(a, b, ctx, ign, &h_);                                                       \
    CHECK_UINT(h_, nh);                                                                            \
    CHECK_STR(got_, want);                                                                         \
    free(got_);                                                                                    \
  } while (0)

TEST(diff_text_two_hunks) {
  char *a = seq(20, 0, "", 0, ""), *b = seq(20, 5, "five", 17, "X");
  EXPECT_DIFF(a, b, 3, NULL, 2,
              "--- a/f\n+++ b/f\n"
              "@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n"
              "@@ -14,7 +14,7 @@\n 14\n 15\n 16\n-17\n+X\n 18\n 19\n 20\n");
  free(a);
  free(b);
}

TEST(diff_text_merged_hunk) {
  /* Changes with 5 equal lines between them share one hunk. */
  char *a = seq(20, 0, "", 0, ""), *b = seq(20, 5, "five", 11, "eleven");
  EXPECT_DIFF(a, b, 3, NULL, 1,
              "--- a/f\n+++ b/f\n"
              "@@ -2,13 +2,13 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n 9\n 10\n-11\n+eleven\n"
              " 12\n 13\n 14\n");
  free(a);
  free(b);
  /* 6 equal lines (= 2*context) between them: still one; 7: two hunks. */
  a = seq(20, 0, "", 0, ""), b = seq(20, 5, "five", 12, "twelve");
  size_t h;
  char *got = udiff(a, b, 3, NULL, &h);
  CHECK_UINT(h, 1);
  free(got);
  free(b);
  b = seq(20, 5, "five", 13, "thirteen");
  got = udiff(a, b, 3, NULL, &h);
  CHECK_UINT(h, 2);
  free(got);
  free(a);
  free(b);
}

TEST(diff_text_edges) {
  EXPECT_DIFF("", "x\n", 3, NULL, 1, "--- a/f\n+++ b/f\n@@ -0,0 +1 @@\n+x\n");
  EXPECT_DIFF("x\n", "", 3, NULL, 1, "--- a/f\n+++ b/f\n@@ -1 +0,0 @@\n-x\n");
  EXPECT_DIFF("a\nb\nc", "a\nb\nd", 3, NULL, 1,
              "--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n a\n b\n-c\n\\ No newline at end of file\n"
              "+d\n\\ No newline at end of file\n");
  EXPECT_DIFF("same\n", "same", 3, NULL, 1,
              "--- a/f\n+++ b/f\n@@ -1 +1 @@\n-same\n+same\n\\ No newline at end of file\n");
  EXPECT_DIFF("a\nb\nc\nd\n", "z\na\nc\nd\ne\n", 1, NULL, 1,
              "--- a/f\n+++ b/f\n@@ -1,4 +1,5 @@\n+z\n a\n-b\n c\n d\n+e\n");
  EXPECT_DIFF("a\nb\nc\n", "a\nB\nc\n", 0, NULL, 1, "--- a/f\n+++ b/f\n@@ -2 +2 @@\n-b\n+B\n");
  EXPECT_DIFF("a\r\nb\n", "a\r\nb\n", 3, NULL, 0, "");
  EXPECT_DIFF("", "", 3, NULL, 0, "");
}

TEST(diff_text_ignore) {
  const char *pats[] = {"\"version\"", "^#"};
  char *err = NULL;
  ptk_regex_set *rs = ptk_regex_set_new(pats, 2, &err);
  CHECK(rs != NULL);
  CHECK(err == NULL);
  /* Only ignored lines differ: no hunk. */
  EXPECT_DIFF("{\n \"version\": \"0.1\",\n \"x\": 1\n}\n", "{\n \"version\": \"0.2\",\n \"x\": 1\n}\n",
              3, rs, 0, "");
  /* Ignored lines are not shown; line numbers are the original ones. */
  EXPECT_DIFF("# one\n# two\na\nb\n", "# uno\na\nc\n", 3, rs, 1,
              "--- a/f\n+++ b/f\n@@ -3,2 +2,2 @@\n a\n-b\n+c\n");
  ptk_regex_set_free(rs);
}

TEST(regex_set_errors) {
  const char *pats[] = {"ok", "(unclosed"};
  char *err = NULL;
  ptk_regex_set *rs = ptk_regex_set_new(pats, 2, &err);
  CHECK(rs == NULL);
  CHECK(err && strstr(err, "'(unclosed'") && strstr(err, "offset 9"));
  free(err);
  rs = ptk_regex_set_new(NULL, 0, &err);
  CHECK(rs != NULL);
  CHECK(!ptk_regex_set_match(rs, "x", 1));
  ptk_regex_set_free(rs);
  /* Invalid UTF-8 in the subject is not an error. */
  const char *p2[] = {"b"};
  rs = ptk_regex_set_new(p2, 1, &err);
  CHECK(ptk_regex_set_match(rs, "\xff\xfe" "b", 3));
  CHECK(!ptk_regex_set_match(rs, "\xff\xfe", 2));
  ptk_regex_set_free(rs);
}

/* ---- folders ------------------------------------------------------------------------------------ */

static char *mktmp(void) {
  char *d = ptk_xstrdup("/tmp/ptk-ut-compare.XXXXXX");
  if (!mkdtemp(d)) {
    free(d);
    return NULL;
  }
  return d;
}

static void put(const char *root, const char *rel, const char *text, size_t len) {
  char *p = ptk_xasprintf("%s/%s", root, rel);
  for (char *s = p + strlen(root) + 1; *s; s++)
    if (*s == '/') {
      *s = 0;
      mkdir(p, 0777);
      *s = '/';
    }
  FILE *f = fopen(p, "wb");
  if (f) {
    fwrite(text, 1, len, f);
    fclose(f);
  }
  free(p);
}
#define PUT(root, rel, lit) put(root, rel, lit, sizeof(lit) - 1)

static void rmrf(const char *d) {
  char *cmd = ptk_xasprintf("rm -rf '%s'", d);
  if (system(cmd)) {
  }
  free(cmd);
}

typedef struct report {
  int rc;
  char *out, *err;
  ptk_compare_counts n;
} report;

static report run_compare(const char *a, const char *b, ptk_compare_opts *o) {
  report r = {0};
  char *ob = NULL, *eb = NULL;
  size_t ol = 0, el = 0;
  FILE *of = open_memstream(&ob, &ol), *ef = open_memstream(&eb, &el);
  r.rc = ptk_compare_dirs(a, b, o, of, ef, &r.n);
  fclose(of);
  fclose(ef);
  r.out = ob;
  r.err = eb;
  return r;
}

static void report_free(report *r) {
  free(r->out);
  free(r->err);
}

TEST(compare_dirs_categories) {
  char *a = mktmp(), *b = mktmp();
  if (!CHECK(a && b)) return;
  PUT(a, "kernel.pto", "x\ny\n");
  PUT(b, "kernel.pto", "x\nz\n");
  PUT(a, "kernel_config.json", "{\"v\": 1}\n");
  PUT(b, "kernel_config.json", "{\"v\": 1}\n");
  PUT(a, "kernels/aiv/old.c", "int a;\n");
  PUT(b, "kernels/aiv/new.c", "int b;\n");
  PUT(a, "outputs/2_c.npy", "\x93NUMPY\x01\x00");
  PUT(b, "outputs/2_c.npy", "\x93NUMPY\x01\x01");
  PUT(a, "inputs/0_a.npy", "\x93NUMPY\x01\x00");
  PUT(b, "inputs/0_a.npy", "\x93NUMPY\x01\x00");
  PUT(a, "blob", "a\0b");
  PUT(b, "blob", "a\0c");
  ptk_compare_opts o = {.context = 3};
  report r = run_compare(a, b, &o);
  CHECK_INT(r.rc, PTK_COMPARE_DIFFERENT);
  CHECK_UINT(r.n.only_a, 1);
  CHECK_UINT(r.n.only_b, 1);
  CHECK_UINT(r.n.changed, 3);
  CHECK_UINT(r.n.unchanged, 2);
  CHECK_UINT(r.n.skipped, 0);
  CHECK_STR(r.err, "");
  const char *want =
      "only in a: 1\n  kernels/aiv/old.c\n"
      "only in b: 1\n  kernels/aiv/new.c\n"
      "changed: 3\n  blob  (binary)\n  kernel.pto\n  outputs/2_c.npy  (binary)\n"
      "unchanged: 2\n  inputs/0_a.npy\n  kernel_config.json\n"
      "\n--- a/kernel.pto\n+++ b/kernel.pto\n@@ -1,2 +1,2 @@\n x\n-y\n+z\n"
      "\nsummary: 1 only in a, 1 only in b, 3 changed, 2 unchanged, 0 skipped\n";
  const char *body = r.out ? strstr(r.out, "only in a:") : NULL;
  CHECK_STR(body, want);
  report_free(&r);
  /* Quiet: no diffs, no unchanged list. */
  o.quiet = true;
  r = run_compare(a, b, &o);
  CHECK(r.out && !strstr(r.out, "@@") && !strstr(r.out, "unchanged:") && strstr(r.out, "changed: 3"));
  report_free(&r);
  /* A folder against itself. */
  o.quiet = false;
  r = run_compare(a, a, &o);
  CHECK_INT(r.rc, PTK_COMPARE_SAME);
  CHECK_UINT(r.n.unchanged, 6);
  report_free(&r);
  rmrf(a);
  rmrf(b);
  free(a);
  free(b);
}

TEST(compare_dirs_pass_dumps) {
  char *a = mktmp(), *b = mktmp();
  if (!CHECK(a && b)) return;
  PUT(a, "kernel.pto", "k\n");
  PUT(b, "kernel.pto", "k\n");
  PUT(a, "passes_dump/00_input.pto", "in\n");
  PUT(b, "passes_dump/00_input.pto", "in\n");
  PUT(a, "passes_dump/01_after_cse.pto", "one\n");
  PUT(b, "passes_dump/01_after_cse.pto", "two\n");
  PUT(b, "passes_dump/02_after_plan-memory.pto", "new\n");
  ptk_compare_opts o = {.context = 3};
  report r = run_compare(a, b, &o);
  /* Without --include-passes the dumps are listed as skipped, never dropped. */
  CHECK_INT(r.rc, PTK_COMPARE_SAME);
  CHECK_UINT(r.n.skipped, 3);
  CHECK_UINT(r.n.skipped_passes, 3);
  CHECK(r.out && strstr(r.out, "skipped (pass dumps; use --include-passes): 3\n"
                               "  passes_dump/00_input.pto\n"
                               "  passes_dump/01_after_cse.pto\n"
                               "  passes_dump/02_after_plan-memory.pto  (only in b)\n"));
  CHECK(r.out && strstr(r.out, "3 skipped (3 pass dumps, use --include-passes)"));
  report_free(&r);
  o.quiet = true;
  r = run_compare(a, b, &o);
  CHECK(r.out && strstr(r.out, "3 skipped (3 pass dumps, use --include-passes)"));
  report_free(&r);
  o.quiet = false;
  o.include_passes = true;
  r = run_compare(a, b, &o);
  CHECK_INT(r.rc, PTK_COMPARE_DIFFERENT);
  CHECK_UINT(r.n.skipped, 0);
  CHECK_UINT(r.n.only_b, 1);
  CHECK_UINT(r.n.changed, 1);
  CHECK_UINT(r.n.unchanged, 2);
  CHECK(r.out && strstr(r.out, "--- a/passes_dump/01_after_cse.pto\n+++ b/passes_dump/01_after_cse.pto\n"
                               "@@ -1 +1 @@\n-one\n+two\n"));
  report_free(&r);
  rmrf(a);
  rmrf(b);
  free(a);
  free(b);
}

TEST(compare_dirs_ignore) {
  char *a = mktmp(), *b = mktmp();
  if (!CHECK(a && b)) return;
  PUT(a, "kernel_config.json", "{\n  \"tool\": {\"version\": \"0.1.0\"},\n  \"x\": 1\n}\n");
  PUT(b, "kernel_config.json", "{\n  \"tool\": {\"version\": \"0.2.0\"},\n  \"x\": 1\n}\n");
  ptk_compare_opts o = {.context = 3};
  report r = run_compare(a, b, &o);
  CHECK_INT(r.rc, PTK_COMPARE_DIFFERENT);
  report_free(&r);
  const char *pats[] = {"\"version\""};
  o.ignore = ptk_regex_set_new(pats, 1, NULL);
  r = run_compare(a, b, &o);
  CHECK_INT(r.rc, PTK_COMPARE_SAME);
  CHECK(r.out && strstr(r.out, "  kernel_config.json  (differs only in ignored lines)\n"));
  report_free(&r);
  ptk_regex_set_free(o.ignore);
  rmrf(a);
  rmrf(b);
  free(a);
  free(b);
}

TEST(compare_dirs_trouble) {
  char *a = mktmp();
  if (!CHECK(a)) return;
  char *missing = ptk_xasprintf("%s/nope", a);
  report r = run_compare(a, missing, NULL);
  CHECK_INT(r.rc, PTK_COMPARE_TROUBLE);
  CHECK(r.err && strstr(r.err, "ptk compare: '") && strstr(r.err, "/nope': no such directory"));
  CHECK_STR(r.out, "");
  report_free(&r);
  PUT(a, "file", "x");
  char *file = ptk_xasprintf("%s/file", a);
  r = run_compare(file, a, NULL);
  CHECK_INT(r.rc, PTK_COMPARE_TROUBLE);
  CHECK(r.err && strstr(r.err, "/file': not a directory"));
  report_free(&r);
  /* Special files are skipped with a reason, never opened. */
  char *b = mktmp();
  char *fifo = ptk_xasprintf("%s/pipe", a), *link = ptk_xasprintf("%s/pipe", b);
  CHECK(mkfifo(fifo, 0600) == 0);
  CHECK(symlink("/", link) == 0);
  PUT(b, "file", "x");
  r = run_compare(a, b, NULL);
  CHECK_INT(r.rc, PTK_COMPARE_SAME);
  CHECK_UINT(r.n.skipped, 1);
  CHECK(r.out && strstr(r.out, "  pipe  (not a regular file)\n"));
  report_free(&r);
  free(fifo);
  free(link);
  free(missing);
  free(file);
  rmrf(a);
  rmrf(b);
  free(a);
  free(b);
}

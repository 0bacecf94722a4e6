/* Runner for tests/unit: ptk-unit [-v] [-k REGEX] [--summary FILE] */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <math.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lang/util.h"
#include "tests/unit/ut.h"

typedef struct {
  char *name;
  ut_fn fn;
} ut_case;

static PTK_VEC(ut_case) cases;
static int failures_in_test;
static const char *current;

void ut_register(const char *file, const char *name, ut_fn fn) {
  const char *base = strrchr(file, '/');
  base = base ? base + 1 : file;
  size_t n = strcspn(base, ".");
  ut_case c = {ptk_xasprintf("unit/%.*s.%s", (int)n, base, name), fn};
  ptk_vec_push(&cases, c);
}

static void fail_head(const char *file, int line) {
  if (failures_in_test++ == 0) printf("FAIL %s\n", current);
  printf("  %s:%d: ", file, line);
}

bool ut_check(bool ok, const char *expr, const char *file, int line) {
  if (!ok) {
    fail_head(file, line);
    printf("CHECK(%s) failed\n", expr);
  }
  return ok;
}

bool ut_check_int(long long a, long long b, const char *ea, const char *eb, const char *file,
                  int line) {
  if (a == b) return true;
  fail_head(file, line);
  printf("%s == %s: got %lld, expected %lld\n", ea, eb, a, b);
  return false;
}

bool ut_check_uint(unsigned long long a, unsigned long long b, const char *ea, const char *eb,
                   const char *file, int line) {
  if (a == b) return true;
  fail_head(file, line);
  printf("%s == %s: got %llu (0x%llx), expected %llu (0x%llx)\n", ea, eb, a, a, b, b);
  return false;
}

bool ut_check_str(const char *a, const char *b, const char *ea, const char *eb, const char *file,
                  int line) {
  if (a && b && strcmp(a, b) == 0) return true;
  fail_head(file, line);
  printf("%s == %s:\n    got:      \"%s\"\n    expected: \"%s\"\n", ea, eb, a ? a : "(null)",
         b ? b : "(null)");
  return false;
}

bool ut_check_dbl(double a, double b, double tol, const char *ea, const char *eb, const char *file,
                  int line) {
  bool ok;
  if (tol == 0)
    ok = (isnan(a) && isnan(b)) || (a == b && signbit(a) == signbit(b));
  else
    ok = fabs(a - b) <= tol;
  if (ok) return true;
  fail_head(file, line);
  printf("%s == %s: got %.17g, expected %.17g (tol %g)\n", ea, eb, a, b, tol);
  return false;
}

static int by_name(const void *a, const void *b) {
  return strcmp(((const ut_case *)a)->name, ((const ut_case *)b)->name);
}

int main(int argc, char **argv) {
  const char *pattern = NULL, *summary = NULL;
  int verbose = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "-k") && i + 1 < argc)
      pattern = argv[++i];
    else if (!strcmp(argv[i], "--summary") && i + 1 < argc)
      summary = argv[++i];
    else if (!strcmp(argv[i], "-v"))
      verbose = 1;
    else {
      fprintf(stderr, "usage: ptk-unit [-v] [-k REGEX] [--summary FILE]\n");
      return 2;
    }
  }
  pcre2_code *re = NULL;
  pcre2_match_data *md = NULL;
  if (pattern && *pattern) {
    int err;
    PCRE2_SIZE off;
    re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, 0, &err, &off, NULL);
    if (!re) {
      PCRE2_UCHAR msg[256];
      pcre2_get_error_message(err, msg, sizeof msg);
      fprintf(stderr, "ptk-unit: bad -k pattern at offset %zu: %s\n", (size_t)off, msg);
      return 2;
    }
    md = pcre2_match_data_create_from_pattern(re, NULL);
  }
  qsort(cases.data, cases.len, sizeof(ut_case), by_name);
  int passed = 0, failed = 0;
  for (size_t i = 0; i < cases.len; i++) {
    ut_case *c = &cases.data[i];
    if (re && pcre2_match(re, (PCRE2_SPTR)c->name, strlen(c->name), 0, 0, md, NULL) < 0) continue;
    current = c->name;
    failures_in_test = 0;
    /* Each test runs in a child so a crash fails that test, not the run. */
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
      c->fn();
      fflush(stdout);
      _exit(failures_in_test ? 1 : 0);
    }
    int st = 0;
    if (pid < 0 || waitpid(pid, &st, 0) < 0) {
      printf("FAIL %s\n  could not run the test\n", c->name);
      failures_in_test = 1;
    } else if (WIFSIGNALED(st)) {
      printf("FAIL %s\n  crashed with signal %d\n", c->name, WTERMSIG(st));
      failures_in_test = 1;
    } else if (WEXITSTATUS(st) != 0) {
      failures_in_test = 1; /* the child printed the details */
      if (WEXITSTATUS(st) != 1) printf("FAIL %s\n  exited with status %d\n", c->name, WEXITSTATUS(st));
    }
    if (failures_in_test)
      failed++;
    else {
      passed++;
      if (verbose) printf("PASS %s\n", c->name);
    }
  }
  printf("[unit] %d run, %d failing\n", passed + failed, failed);
  if (summary) {
    FILE *f = fopen(summary, "w");
    if (f) {
      fprintf(f, "%d %d\n", passed, failed);
      fclose(f);
    }
  }
  for (size_t i = 0; i < cases.len; i++) free(cases.data[i].name);
  ptk_vec_free(&cases);
  pcre2_match_data_free(md);
  pcre2_code_free(re);
  return failed ? 1 : 0;
}

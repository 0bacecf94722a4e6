/* ptk-lit --self-test: checks of the directive parser and the matcher,
 * including that mismatches are detected. Run by tests/lit/lit/selftest.ptk
 * so the result counts in the lit summary. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/tools/lit/lit.h"

static int checks, failures;

static void expect(bool ok, const char *what, int line) {
  checks++;
  if (!ok) {
    failures++;
    printf("self-test FAILED (selftest.c:%d): %s\n", line, what);
  }
}
#define EXPECT(c) expect((c), #c, __LINE__)

/* Parses `text`; returns the number of test-file errors. */
static int errors_of(const char *text) {
  lit_test t;
  lit_parse(&t, "t.ptk", text, strlen(text));
  int n = t.n_errors;
  lit_test_free(&t);
  return n;
}

/* Parses `text` (which must be error-free) and matches it against out. */
static bool matches(const char *text, const char *out) {
  lit_test t;
  lit_parse(&t, "t.ptk", text, strlen(text));
  if (t.n_errors) {
    printf("self-test: unexpected test-file error:\n%s", ptk_buf_cstr(&t.errors));
    failures++;
  }
  ptk_buf rep = {0};
  bool ok = lit_match(&t, out, strlen(out), &rep);
  if (!ok && getenv("PTK_LIT_SELFTEST_VERBOSE")) printf("%s", ptk_buf_cstr(&rep));
  ptk_buf_free(&rep);
  lit_test_free(&t);
  return ok;
}

static void parse_tests(void) {
  lit_test t;
  const char *src = "// RUN: echo a \\\n"
                    "// RUN:   | cat\n"
                    "  // RUN: not false\n"
                    "// RUN-EXIT: 3\n"
                    "//CHECK:  two spaces  \n"
                    "// CHECK-NEXT: x\t\n"
                    "// CHECK-NOT: y\n"
                    "// CHECK-RE: ^a+$\n"
                    "x = 1; // CHECK: not a directive (not at line start)\n";
  lit_parse(&t, "t.ptk", src, strlen(src));
  EXPECT(t.n_errors == 0);
  EXPECT(t.runs.len == 2);
  EXPECT(t.runs.len == 2 && !strcmp(t.runs.data[0].cmd, "echo a  | cat"));
  EXPECT(t.runs.len == 2 && !strcmp(t.runs.data[1].cmd, "not false"));
  EXPECT(t.runs.len == 2 && t.runs.data[1].line == 3);
  EXPECT(t.has_exit && t.exit_code == 3 && t.exit_line == 4);
  EXPECT(t.checks.len == 4);
  if (t.checks.len == 4) {
    EXPECT(t.checks.data[0].kind == LIT_CHECK && !strcmp(t.checks.data[0].pattern, " two spaces"));
    EXPECT(t.checks.data[1].kind == LIT_CHECK_NEXT && !strcmp(t.checks.data[1].pattern, "x"));
    EXPECT(t.checks.data[2].kind == LIT_CHECK_NOT && t.checks.data[2].line == 7);
    EXPECT(t.checks.data[3].kind == LIT_CHECK_RE && t.checks.data[3].re);
  }
  lit_test_free(&t);

  /* Typos and malformed directives are errors. */
  EXPECT(errors_of("// CHEKC: x\n") == 1);
  EXPECT(errors_of("// CHECK-NXT: x\n") == 1);
  EXPECT(errors_of("// CHECK-LABEL: x\n") == 1);
  EXPECT(errors_of("// CHECKNEXT: x\n") == 1);
  EXPECT(errors_of("// CHEK: x\n") == 1);
  EXPECT(errors_of("// CHCEK-NOT: x\n") == 1);
  EXPECT(errors_of("// check: x\n") == 1);
  EXPECT(errors_of("// Check-Next: x\n") == 1);
  EXPECT(errors_of("// CHECK x\n// RUN the tests\n") == 0); /* prose, not directives */
  EXPECT(errors_of("// CHECK: a\n// CHECK-NEXT:\n") == 1);
  EXPECT(errors_of("// CHECK: a\n// CHECK-NEXT:   \n") == 1);
  EXPECT(errors_of("// CHECK:\n") == 1);
  EXPECT(errors_of("// CHECK-NEXT: a\n") == 1); /* no previous match */
  EXPECT(errors_of("// CHECK-NOT: a\n// CHECK-NEXT: b\n") == 1);
  EXPECT(errors_of("// CHECK-RE: a(\n") == 1);
  EXPECT(errors_of("// RUN-EXIT: x\n") == 1);
  EXPECT(errors_of("// RUN-EXIT: 256\n") == 1);
  EXPECT(errors_of("// RUN-EXIT: 1\n// RUN-EXIT: 2\n") == 1);
  EXPECT(errors_of("// RUN: a \\\n") == 1);
  EXPECT(errors_of("// RUN:\n") == 1);
  lit_parse(&t, "t.ptk", "// RNU: true\n", 13);
  EXPECT(t.n_errors == 1 && t.run_typo && lit_is_test(&t));
  lit_test_free(&t);
  lit_parse(&t, "t.ptk", "// RUNS: true\n", 14);
  EXPECT(t.n_errors == 1 && t.run_typo);
  lit_test_free(&t);
  /* Ordinary comments are not directives. */
  EXPECT(errors_of("// NOTE: x\n// TODO: y\n// Check that it works\n// Run it twice\n"
                   "// FIXME: z\n// See: w\n// kernel: add\n// RE: x\n") == 0);
  lit_parse(&t, "t.ptk", "// CHECK: only checks\n", 22);
  EXPECT(!lit_is_test(&t));
  lit_test_free(&t);
}

static void match_tests(void) {
  /* CHECK: substring, in order. */
  EXPECT(matches("// CHECK: world\n", "hello world\n"));
  EXPECT(!matches("// CHECK: planet\n", "hello world\n"));
  EXPECT(matches("// CHECK: hello\n// CHECK: world\n", "hello world\n"));
  EXPECT(!matches("// CHECK: world\n// CHECK: hello\n", "hello world\n"));
  EXPECT(!matches("// CHECK: a\n// CHECK: a\n", "a\n"));
  EXPECT(matches("// CHECK: a\n// CHECK: a\n", "aa\n"));
  EXPECT(!matches("// CHECK: x\n", ""));
  /* CHECK-NEXT: exactly the following line. */
  EXPECT(matches("// CHECK: one\n// CHECK-NEXT: two\n", "one\ntwo\nthree\n"));
  EXPECT(!matches("// CHECK: one\n// CHECK-NEXT: three\n", "one\ntwo\nthree\n"));
  EXPECT(!matches("// CHECK: one\n// CHECK-NEXT: one\n", "one one\nx\n"));
  EXPECT(!matches("// CHECK: last\n// CHECK-NEXT: x\n", "last\n"));
  EXPECT(!matches("// CHECK: last\n// CHECK-NEXT: x\n", "last"));
  EXPECT(matches("// CHECK: a\n// CHECK-NEXT: b\n// CHECK-NEXT: c\n", "a\nb\nc"));
  EXPECT(!matches("// CHECK: a\n// CHECK-NEXT: b\n// CHECK-NEXT: c\n", "a\nb\n\nc"));
  EXPECT(matches("// CHECK-RE: o+n\n// CHECK-NEXT: two\n", "xoon\ntwo\n"));
  /* CHECK-NOT: between the previous and the next positive match. */
  EXPECT(matches("// CHECK: one\n// CHECK-NOT: bad\n// CHECK: two\n", "one ok two bad\n"));
  EXPECT(!matches("// CHECK: one\n// CHECK-NOT: bad\n// CHECK: two\n", "one bad two\n"));
  EXPECT(matches("// CHECK-NOT: bad\n// CHECK: one\n", "one bad\n"));
  EXPECT(!matches("// CHECK-NOT: bad\n// CHECK: one\n", "bad one\n"));
  EXPECT(!matches("// CHECK: a\n// CHECK-NOT: bad\n", "a bad\n"));
  EXPECT(matches("// CHECK: a\n// CHECK-NOT: bad\n", "bad a\n"));
  EXPECT(!matches("// CHECK-NOT: error\n", "x\nerror: y\n"));
  EXPECT(matches("// CHECK-NOT: error\n", ""));
  EXPECT(!matches("// CHECK: a\n// CHECK-NOT: x\n// CHECK-NOT: y\n// CHECK-NEXT: b\n", "a y\nb\n"));
  EXPECT(matches("// CHECK: a\n// CHECK-NOT: x\n// CHECK-NOT: y\n// CHECK-NEXT: b\n", "a\nb y\n"));
  /* CHECK-RE: PCRE2, multi-line anchors, searching onward. */
  EXPECT(matches("// CHECK-RE: ^t\\.ptk:[0-9]+:5: error\n", "t.ptk:12:5: error: x\n"));
  EXPECT(!matches("// CHECK-RE: ^t\\.ptk:[0-9]+:5: error\n", "t.ptk:12:6: error: x\n"));
  EXPECT(matches("// CHECK-RE: ^b$\n", "a\nb\nc\n"));
  EXPECT(!matches("// CHECK-RE: ^b$\n", "a\nbb\nc\n"));
  EXPECT(!matches("// CHECK: c\n// CHECK-RE: [ab]\n", "a b c\n"));
  EXPECT(matches("// CHECK: 1.5\n", "1.5"));
  EXPECT(!matches("// CHECK: 1.5\n", "1x5")); /* CHECK is literal, not a regex */
  /* Context rendering marks the position. */
  ptk_buf b = {0};
  lit_context(&b, "l1\nl2\nl3\n", 9, 4, 1);
  EXPECT(strstr(ptk_buf_cstr(&b), ">    2| l2\n         ^\n") != NULL);
  EXPECT(strstr(ptk_buf_cstr(&b), "     1| l1\n") != NULL);
  ptk_buf_free(&b);
}

int lit_self_test(void) {
  parse_tests();
  match_tests();
  printf("self-test: %d checks, %d failed\n", checks, failures);
  return failures;
}

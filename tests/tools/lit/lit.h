/* ptk-lit internals: test-file parsing (parse.c), output matching (match.c),
 * the runner (main.c) and its --self-test (selftest.c). The format is
 * documented in tests/lit/README.md. */
#ifndef PTK_TESTS_LIT_H
#define PTK_TESTS_LIT_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdbool.h>
#include <stddef.h>

#include "lang/util.h"

typedef enum { LIT_CHECK, LIT_CHECK_NEXT, LIT_CHECK_NOT, LIT_CHECK_RE } lit_kind;

typedef struct {
  lit_kind kind;
  int line;       /* 1-based line of the directive in the test file */
  char *pattern;  /* text after "CHECK…: " with trailing whitespace trimmed */
  pcre2_code *re; /* CHECK-RE only */
} lit_check;

typedef struct {
  int line;  /* line of the (first) RUN directive */
  char *cmd; /* unsubstituted command; continuation lines already joined */
} lit_run;

typedef struct {
  char *path; /* as given to lit_parse */
  PTK_VEC(lit_run) runs;
  PTK_VEC(lit_check) checks;
  bool has_exit;
  int exit_code, exit_line;
  int n_errors;   /* test-file errors (malformed directives) */
  bool run_typo;  /* one of the errors looks like a misspelt RUN */
  ptk_buf errors; /* "  path:line: error: msg\n" per error */
} lit_test;

/* Parses the directives of `text` (len bytes). Never fails: problems go to
 * t->errors. A test with no runs and no RUN-like typo is not a test. */
void lit_parse(lit_test *t, const char *path, const char *text, size_t len);
void lit_test_free(lit_test *t);
static inline bool lit_is_test(const lit_test *t) { return t->runs.len > 0 || t->run_typo; }

/* Matches t's checks against `out`. Returns true on success; on failure
 * appends a description (directive, position reached, output context) to
 * `report`. */
bool lit_match(const lit_test *t, const char *out, size_t len, ptk_buf *report);

/* Appends lines of `out` around byte offset `pos` (about `radius` lines each
 * side), numbered, with a '>' marker on the line holding pos. */
void lit_context(ptk_buf *b, const char *out, size_t len, size_t pos, int radius);

const char *lit_kind_name(lit_kind k);

int lit_self_test(void); /* returns the number of failed self-checks */

#endif

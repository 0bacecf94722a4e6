/* Directive parsing for ptk-lit. A directive is a line whose first
 * non-blank characters are "//", followed by optional blanks and NAME:
 *
 *   RUN: cmd        RUN-EXIT: N        CHECK: text      CHECK-NEXT: text
 *   CHECK-NOT: text CHECK-RE: pcre2
 *
 * Anything followed by ':' that looks like a misspelt directive (a word
 * starting with CHECK or RUN, a known name in the wrong case, or an upper-case
 * word close to CHECK/RUN such as CHEKC or RNU) is an error, so typos never
 * pass. Without a ':' the line is an ordinary comment ("// CHECK-NOT forbids
 * ..."). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tests/tools/lit/lit.h"

static const char *const known[] = {"RUN",        "RUN-EXIT",  "CHECK",
                                    "CHECK-NEXT", "CHECK-NOT", "CHECK-RE"};

const char *lit_kind_name(lit_kind k) {
  switch (k) {
  case LIT_CHECK: return "CHECK";
  case LIT_CHECK_NEXT: return "CHECK-NEXT";
  case LIT_CHECK_NOT: return "CHECK-NOT";
  case LIT_CHECK_RE: return "CHECK-RE";
  }
  return "?";
}

PTK_PRINTF(3, 4)
static void error(lit_test *t, int line, const char *fmt, ...) {
  ptk_buf_printf(&t->errors, "  %s:%d: error: ", t->path, line);
  va_list ap;
  va_start(ap, fmt);
  ptk_buf_vprintf(&t->errors, fmt, ap);
  va_end(ap);
  ptk_buf_putc(&t->errors, '\n');
  t->n_errors++;
}

/* Optimal-string-alignment distance (edits incl. adjacent transpositions),
 * on short upper-cased words only. */
static int osa_distance(const char *a, size_t n, const char *b, size_t m) {
  if (n > 16 || m > 16) return 99;
  int d[17][17];
  for (size_t i = 0; i <= n; i++) d[i][0] = (int)i;
  for (size_t j = 0; j <= m; j++) d[0][j] = (int)j;
  for (size_t i = 1; i <= n; i++)
    for (size_t j = 1; j <= m; j++) {
      int cost = toupper((unsigned char)a[i - 1]) != b[j - 1];
      int v = d[i - 1][j] + 1;
      if (d[i][j - 1] + 1 < v) v = d[i][j - 1] + 1;
      if (d[i - 1][j - 1] + cost < v) v = d[i - 1][j - 1] + cost;
      if (i > 1 && j > 1 && toupper((unsigned char)a[i - 1]) == b[j - 2] &&
          toupper((unsigned char)a[i - 2]) == b[j - 1] && d[i - 2][j - 2] + 1 < v)
        v = d[i - 2][j - 2] + 1;
      d[i][j] = v;
    }
  return d[n][m];
}

static bool all_upper(const char *w, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (islower((unsigned char)w[i])) return false;
  return true;
}

/* Is `w` (n bytes, followed by ':' when colon) a directive typo? Returns a
 * message or NULL. *run_like is set when it resembles RUN. */
static const char *typo(const char *w, size_t n, bool colon, bool *run_like) {
  *run_like = false;
  for (size_t i = 0; i < PTK_ARRAY_LEN(known); i++) {
    size_t kl = strlen(known[i]);
    if (n != kl) continue;
    if (colon && strncasecmp(w, known[i], n) == 0) {
      *run_like = known[i][0] == 'R';
      return "directive names are upper case";
    }
  }
  if (!colon) return NULL;
  if ((n >= 5 && strncmp(w, "CHECK", 5) == 0)) return "unknown directive";
  if (n >= 3 && strncmp(w, "RUN", 3) == 0) {
    *run_like = true;
    return "unknown directive";
  }
  if (!all_upper(w, n)) return NULL;
  size_t head = strcspn(w, "-");
  if (head > n) head = n;
  if (head >= 3 && head <= 7 && osa_distance(w, head, "CHECK", 5) <= 2)
    return "unknown directive (misspelt CHECK?)";
  if (head >= 2 && head <= 4 && osa_distance(w, head, "RUN", 3) <= 1) {
    *run_like = true;
    return "unknown directive (misspelt RUN?)";
  }
  return NULL;
}

static char *pattern_text(const char *p, const char *end) {
  if (p < end && *p == ' ') p++;
  while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r')) end--;
  return ptk_xstrndup(p, (size_t)(end - p));
}

void lit_parse(lit_test *t, const char *path, const char *text, size_t len) {
  memset(t, 0, sizeof *t);
  t->path = ptk_xstrdup(path);
  const char *p = text, *end = text + len;
  bool continuing = false; /* previous RUN line ended with '\' */
  bool seen_positive = false;
  for (int line = 1; p < end; line++) {
    const char *eol = memchr(p, '\n', (size_t)(end - p));
    if (!eol) eol = end;
    const char *q = p;
    p = eol < end ? eol + 1 : end;
    while (q < eol && (*q == ' ' || *q == '\t')) q++;
    if (eol - q < 2 || q[0] != '/' || q[1] != '/') continue;
    q += 2;
    while (q < eol && (*q == ' ' || *q == '\t')) q++;
    const char *w = q;
    while (q < eol && (isalnum((unsigned char)*q) || *q == '-' || *q == '_')) q++;
    size_t n = (size_t)(q - w);
    if (n == 0) continue;
    bool colon = q < eol && *q == ':';
    int which = -1;
    for (size_t i = 0; i < PTK_ARRAY_LEN(known); i++)
      if (colon && strlen(known[i]) == n && strncmp(w, known[i], n) == 0) which = (int)i;
    if (which < 0) {
      bool run_like;
      const char *msg = typo(w, n, colon, &run_like);
      if (msg) {
        error(t, line, "%s '%.*s'", msg, (int)n, w);
        if (run_like) t->run_typo = true;
      }
      continue;
    }
    const char *arg = q + 1;
    if (which == 0) { /* RUN */
      char *cmd = pattern_text(arg, eol);
      while (*cmd == ' ' || *cmd == '\t') memmove(cmd, cmd + 1, strlen(cmd));
      bool cont = false;
      size_t cl = strlen(cmd);
      if (cl && cmd[cl - 1] == '\\') {
        cmd[--cl] = 0;
        cont = true;
      }
      if (continuing) {
        lit_run *r = &t->runs.data[t->runs.len - 1];
        char *joined = ptk_xasprintf("%s %s", r->cmd, cmd);
        free(r->cmd);
        free(cmd);
        r->cmd = joined;
      } else {
        if (!*cmd && !cont) error(t, line, "empty RUN line");
        lit_run r = {line, cmd};
        ptk_vec_push(&t->runs, r);
      }
      continuing = cont;
      continue;
    }
    if (continuing) {
      error(t, line, "RUN line continued with '\\' but the next directive is not RUN");
      continuing = false;
    }
    if (which == 1) { /* RUN-EXIT */
      char *v = pattern_text(arg, eol);
      char *e;
      while (*v == ' ') memmove(v, v + 1, strlen(v));
      long code = strtol(v, &e, 10);
      if (!*v || *e || code < 0 || code > 255)
        error(t, line, "RUN-EXIT needs an exit status 0..255, got '%s'", v);
      else if (t->has_exit)
        error(t, line, "second RUN-EXIT (first at line %d)", t->exit_line);
      else {
        t->has_exit = true;
        t->exit_code = (int)code;
        t->exit_line = line;
      }
      free(v);
      continue;
    }
    static const lit_kind kinds[] = {LIT_CHECK, LIT_CHECK_NEXT, LIT_CHECK_NOT, LIT_CHECK_RE};
    lit_check c = {kinds[which - 2], line, pattern_text(arg, eol), NULL};
    if (!*c.pattern) {
      error(t, line, "empty %s pattern", lit_kind_name(c.kind));
      free(c.pattern);
      continue;
    }
    if (c.kind == LIT_CHECK_NEXT && !seen_positive)
      error(t, line, "CHECK-NEXT without a previous CHECK, CHECK-NEXT or CHECK-RE");
    if (c.kind == LIT_CHECK_RE) {
      int err;
      PCRE2_SIZE off;
      c.re = pcre2_compile((PCRE2_SPTR)c.pattern, PCRE2_ZERO_TERMINATED, PCRE2_MULTILINE, &err,
                           &off, NULL);
      if (!c.re) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(err, msg, sizeof msg);
        error(t, line, "bad CHECK-RE pattern at offset %zu: %s", (size_t)off, (char *)msg);
        free(c.pattern);
        continue;
      }
    }
    if (c.kind != LIT_CHECK_NOT) seen_positive = true;
    ptk_vec_push(&t->checks, c);
  }
  if (continuing)
    error(t, t->runs.data[t->runs.len - 1].line, "RUN line ends with '\\' at end of file");
}

void lit_test_free(lit_test *t) {
  for (size_t i = 0; i < t->runs.len; i++) free(t->runs.data[i].cmd);
  for (size_t i = 0; i < t->checks.len; i++) {
    free(t->checks.data[i].pattern);
    pcre2_code_free(t->checks.data[i].re);
  }
  ptk_vec_free(&t->runs);
  ptk_vec_free(&t->checks);
  ptk_buf_free(&t->errors);
  free(t->path);
  memset(t, 0, sizeof *t);
}

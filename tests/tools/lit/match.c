/* Matching CHECK directives against a test's combined output.
 *
 * pos starts at 0. CHECK / CHECK-RE search from pos to the end and move pos
 * to the end of the match. CHECK-NEXT searches only the line after the line
 * holding the last character of the previous positive match. A run of
 * CHECK-NOT directives forbids their text between pos and the start of the
 * next positive match (or the end of the output when none follows). */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "tests/tools/lit/lit.h"

static size_t line_no(const char *out, size_t pos) {
  size_t n = 1;
  for (size_t i = 0; i < pos; i++) n += out[i] == '\n';
  return n;
}

static size_t line_begin(const char *out, size_t pos) {
  while (pos > 0 && out[pos - 1] != '\n') pos--;
  return pos;
}

static size_t line_end(const char *out, size_t len, size_t pos) {
  const char *nl = pos < len ? memchr(out + pos, '\n', len - pos) : NULL;
  return nl ? (size_t)(nl - out) : len;
}

static void describe_pos(ptk_buf *b, const char *out, size_t len, size_t pos) {
  if (len == 0) {
    ptk_buf_puts(b, "the output is empty");
    return;
  }
  if (pos >= len) {
    ptk_buf_puts(b, "the end of the output");
    return;
  }
  ptk_buf_printf(b, "output line %zu, column %zu", line_no(out, pos),
                 pos - line_begin(out, pos) + 1);
}

void lit_context(ptk_buf *b, const char *out, size_t len, size_t pos, int radius) {
  if (len == 0) {
    ptk_buf_puts(b, "    (no output)\n");
    return;
  }
  if (pos > len) pos = len;
  size_t target = line_no(out, pos);
  size_t first = target > (size_t)radius ? target - (size_t)radius : 1;
  size_t ln = 1, i = 0;
  while (ln < first && i < len) {
    if (out[i++] == '\n') ln++;
  }
  for (; i < len && ln <= target + (size_t)radius; ln++) {
    size_t e = line_end(out, len, i);
    size_t n = e - i;
    bool cut = n > 200;
    ptk_buf_printf(b, "  %c%5zu| ", ln == target ? '>' : ' ', ln);
    for (size_t k = 0; k < (cut ? 200 : n); k++) {
      unsigned char c = (unsigned char)out[i + k];
      if (c == '\t' || (c >= 32 && c != 127) || c >= 128)
        ptk_buf_putc(b, (char)c);
      else
        ptk_buf_printf(b, "\\x%02x", c);
    }
    ptk_buf_puts(b, cut ? " [...]\n" : "\n");
    if (ln == target && pos - i <= 200) {
      ptk_buf_puts(b, "        ");
      for (size_t k = i; k < pos; k++) ptk_buf_putc(b, out[k] == '\t' ? '\t' : ' ');
      ptk_buf_puts(b, "^\n");
    }
    i = e + 1;
  }
  if (pos == len && out[len - 1] == '\n') ptk_buf_printf(b, "  >%5zu| (end of output)\n", target);
}

/* Finds c's pattern in out[from, to); the match must lie within it. */
static bool find(const lit_check *c, const char *out, size_t len, size_t from, size_t to, size_t *s,
                 size_t *e) {
  if (from > to) return false;
  if (c->kind != LIT_CHECK_RE) {
    size_t pl = strlen(c->pattern);
    const char *hit = memmem(out + from, to - from, c->pattern, pl);
    if (!hit) return false;
    *s = (size_t)(hit - out);
    *e = *s + pl;
    return true;
  }
  pcre2_match_data *md = pcre2_match_data_create_from_pattern(c->re, NULL);
  int rc = pcre2_match(c->re, (PCRE2_SPTR)out, len, from, 0, md, NULL);
  bool ok = false;
  if (rc >= 0) {
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
    if (ov[1] <= to && ov[0] <= ov[1]) {
      *s = ov[0];
      *e = ov[1];
      ok = true;
    }
  }
  pcre2_match_data_free(md);
  return ok;
}

static void head(ptk_buf *r, const lit_test *t, const lit_check *c) {
  ptk_buf_printf(r, "  %s:%d: %s: %s\n", t->path, c->line, lit_kind_name(c->kind), c->pattern);
}

/* Checks the CHECK-NOTs checks[a, b) in out[from, to). */
static bool check_nots(const lit_test *t, size_t a, size_t b, const char *out, size_t len,
                       size_t from, size_t to, ptk_buf *r) {
  for (size_t k = a; k < b; k++) {
    const lit_check *c = &t->checks.data[k];
    size_t s, e;
    if (find(c, out, len, from, to, &s, &e)) {
      head(r, t, c);
      ptk_buf_puts(r, "  error: forbidden text found at ");
      describe_pos(r, out, len, s);
      ptk_buf_puts(r, " (searched from ");
      describe_pos(r, out, len, from);
      ptk_buf_puts(r, " to ");
      describe_pos(r, out, len, to);
      ptk_buf_puts(r, ")\n");
      lit_context(r, out, len, s, 5);
      return false;
    }
  }
  return true;
}

bool lit_match(const lit_test *t, const char *out, size_t len, ptk_buf *report) {
  if (!out) out = "", len = 0;
  size_t pos = 0, prev_last = 0, nots = 0;
  bool have_prev = false;
  for (size_t i = 0; i < t->checks.len; i++) {
    const lit_check *c = &t->checks.data[i];
    if (c->kind == LIT_CHECK_NOT) continue;
    size_t from = pos, to = len, s = 0, e = 0;
    bool found;
    if (c->kind == LIT_CHECK_NEXT) {
      size_t ls = have_prev ? line_end(out, len, prev_last) + 1 : 0;
      if (have_prev && ls > len) {
        found = false;
        from = len;
      } else {
        if (ls > from) from = ls;
        to = line_end(out, len, ls);
        found = find(c, out, len, from, to, &s, &e);
      }
      if (!found) {
        head(report, t, c);
        ptk_buf_puts(report, "  error: not found on the line after the previous match (");
        if (have_prev && ls <= len)
          ptk_buf_printf(report, "output line %zu", line_no(out, ls));
        else
          ptk_buf_puts(report, "there is no such line");
        ptk_buf_puts(report, ")\n");
        lit_context(report, out, len, from, 5);
        return false;
      }
    } else {
      found = find(c, out, len, from, to, &s, &e);
      if (!found) {
        head(report, t, c);
        if (len == 0)
          ptk_buf_puts(report, "  error: no match: the output is empty\n");
        else {
          ptk_buf_puts(report, "  error: no match from ");
          describe_pos(report, out, len, pos);
          ptk_buf_puts(report, " onward\n");
        }
        lit_context(report, out, len, pos, 5);
        return false;
      }
    }
    if (!check_nots(t, nots, i, out, len, pos, s, report)) return false;
    nots = i + 1;
    pos = e;
    prev_last = e > s ? e - 1 : s;
    have_prev = true;
  }
  return check_nots(t, nots, t->checks.len, out, len, pos, len, report);
}

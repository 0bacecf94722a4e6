#include "lang/diag.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Longer source lines are shown as a window around the caret. */
#define LINE_WINDOW 160

ptk_diags *ptk_diags_new(void) { return ptk_xcalloc(1, sizeof(ptk_diags)); }

void ptk_diags_clear(ptk_diags *d) {
  for (size_t i = 0; i < d->items.len; i++) {
    free(d->items.data[i].path);
    free(d->items.data[i].message);
    free(d->items.data[i].text);
  }
  d->items.len = 0;
  d->errors = d->warnings = 0;
}

void ptk_diags_free(ptk_diags *d) {
  if (!d) return;
  ptk_diags_clear(d);
  ptk_vec_free(&d->items);
  free(d);
}

void ptk_diag_emitv(ptk_diags *d, ptk_severity sev, const char *path, ptk_range r, const char *fmt,
                    va_list ap) {
  ptk_diag g = {.sev = sev};
  ptk_buf m = {0};
  ptk_buf_vprintf(&m, fmt, ap);
  g.message = ptk_buf_take(&m);
  const ptk_source *s = r.begin.src;
  if (s) {
    g.path = ptk_xstrdup(s->path);
    g.line = r.begin.line;
    g.col = r.begin.col;
    size_t len;
    const char *t = ptk_source_line(s, g.line, &len);
    g.text = ptk_xstrndup(t, len);
    g.ncols = 1;
    if (r.end.src && r.end.off > r.begin.off) {
      size_t last = r.end.line == r.begin.line ? r.end.col : len + 1;
      if (last > g.col) g.ncols = (uint32_t)(last - g.col);
    }
  } else if (path) {
    g.path = ptk_xstrdup(path);
  }
  if (sev == PTK_SEV_ERROR) d->errors++;
  if (sev == PTK_SEV_WARNING) d->warnings++;
  ptk_vec_push(&d->items, g);
}

void ptk_diags_append_demoted(ptk_diags *d, const ptk_diags *from) {
  for (size_t i = 0; i < from->items.len; i++) {
    ptk_diag g = from->items.data[i];
    if (g.sev == PTK_SEV_ERROR) g.sev = PTK_SEV_WARNING;
    g.path = g.path ? ptk_xstrdup(g.path) : NULL;
    g.message = ptk_xstrdup(g.message);
    g.text = g.text ? ptk_xstrdup(g.text) : NULL;
    if (g.sev == PTK_SEV_WARNING) d->warnings++;
    ptk_vec_push(&d->items, g);
  }
}

static bool same_str(const char *a, const char *b) { return a == b || (a && b && !strcmp(a, b)); }

static bool same_item(const ptk_diag *a, const ptk_diag *b) {
  return a->sev == b->sev && a->line == b->line && a->col == b->col && a->ncols == b->ncols &&
         same_str(a->path, b->path) && same_str(a->message, b->message);
}

static size_t group_len(const ptk_diags *d, size_t i) {
  size_t j = i + 1;
  while (j < d->items.len && d->items.data[j].sev == PTK_SEV_NOTE) j++;
  return j - i;
}

static bool holds_group(const ptk_diags *d, const ptk_diag *g, size_t n) {
  for (size_t i = 0; i < d->items.len; i += group_len(d, i)) {
    if (group_len(d, i) != n) continue;
    size_t k = 0;
    while (k < n && same_item(&d->items.data[i + k], &g[k])) k++;
    if (k == n) return true;
  }
  return false;
}

void ptk_diags_append_unseen(ptk_diags *d, const ptk_diags *from) {
  size_t len0 = d->items.len; /* groups from `from` itself are all kept */
  for (size_t i = 0, n; i < from->items.len; i += n) {
    n = group_len(from, i);
    ptk_diags old = {.items = {.data = d->items.data, .len = len0}};
    if (holds_group(&old, &from->items.data[i], n)) continue;
    for (size_t k = 0; k < n; k++) {
      ptk_diag g = from->items.data[i + k];
      g.path = g.path ? ptk_xstrdup(g.path) : NULL;
      g.message = ptk_xstrdup(g.message);
      g.text = g.text ? ptk_xstrdup(g.text) : NULL;
      if (g.sev == PTK_SEV_ERROR) d->errors++;
      if (g.sev == PTK_SEV_WARNING) d->warnings++;
      ptk_vec_push(&d->items, g);
    }
  }
}

#define EMIT(sev, path, r)                                                                         \
  do {                                                                                             \
    va_list ap;                                                                                    \
    va_start(ap, fmt);                                                                             \
    ptk_diag_emitv(d, sev, path, r, fmt, ap);                                                      \
    va_end(ap);                                                                                    \
  } while (0)

void ptk_error(ptk_diags *d, ptk_range r, const char *fmt, ...) { EMIT(PTK_SEV_ERROR, NULL, r); }
void ptk_warning(ptk_diags *d, ptk_range r, const char *fmt, ...) { EMIT(PTK_SEV_WARNING, NULL, r); }
void ptk_note(ptk_diags *d, ptk_range r, const char *fmt, ...) { EMIT(PTK_SEV_NOTE, NULL, r); }
void ptk_error_loc(ptk_diags *d, ptk_loc l, const char *fmt, ...) {
  EMIT(PTK_SEV_ERROR, NULL, ptk_range_at(l, 1));
}
void ptk_error_file(ptk_diags *d, const char *path, const char *fmt, ...) {
  EMIT(PTK_SEV_ERROR, path, ptk_range_none());
}
void ptk_error_src(ptk_diags *d, const ptk_source *src, const char *path, const char *fmt, ...) {
  EMIT(PTK_SEV_ERROR, path, src ? ptk_range_at(ptk_source_loc(src, 0), 1) : ptk_range_none());
}

/* ---- rendering ------------------------------------------------------ */

static const char *sev_name[] = {"error", "warning", "note"};
static const char *sev_color[] = {"\033[1;31m", "\033[1;35m", "\033[1;36m"};
#define BOLD "\033[1m"
#define GREEN "\033[1;32m"
#define RESET "\033[0m"

/* One display column per code point; control bytes and invalid UTF-8 are
 * shown as '?' so the caret line stays aligned. Tabs are kept as tabs in
 * both lines, which keeps alignment whatever the tab width. */
static bool is_cont(unsigned char c) { return (c & 0xC0) == 0x80; }

static size_t utf8_len(const unsigned char *s, size_t n) {
  unsigned char c = s[0];
  size_t k = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (k == 0 || k > n) return 0;
  for (size_t i = 1; i < k; i++)
    if (!is_cont(s[i])) return 0;
  return k;
}

static void render_line(ptk_buf *out, const ptk_diag *g, bool color) {
  const unsigned char *t = (const unsigned char *)g->text;
  size_t len = strlen(g->text);
  size_t c0 = g->col - 1; /* byte index of caret */
  if (c0 > len) c0 = len;
  size_t from = 0, to = len;
  if (len > LINE_WINDOW) {
    from = c0 > LINE_WINDOW / 2 ? c0 - LINE_WINDOW / 2 : 0;
    to = from + LINE_WINDOW < len ? from + LINE_WINDOW : len;
    while (from > 0 && from < len && is_cont(t[from])) from--;
    while (to < len && is_cont(t[to])) to++;
  }
  ptk_buf src = {0}, mark = {0};
  if (from > 0) {
    ptk_buf_puts(&src, "...");
    ptk_buf_puts(&mark, "   ");
  }
  size_t end = c0 + (g->ncols ? g->ncols : 1);
  for (size_t i = from; i < to;) {
    size_t k = utf8_len(t + i, len - i);
    char pad = i < c0 ? ' ' : i == c0 ? '^' : i < end ? '~' : 0;
    if (t[i] == '\t') {
      ptk_buf_putc(&src, '\t');
      if (pad) ptk_buf_putc(&mark, pad == ' ' ? '\t' : pad);
      i++;
      continue;
    }
    if (k == 0 || (k == 1 && (t[i] < 0x20 || t[i] == 0x7f))) {
      ptk_buf_putc(&src, '?');
      k = 1;
    } else {
      ptk_buf_putn(&src, (const char *)t + i, k);
    }
    if (pad) ptk_buf_putc(&mark, pad);
    i += k;
  }
  if (c0 >= to) ptk_buf_putc(&mark, '^'); /* caret at end of line */
  if (to < len) ptk_buf_puts(&src, "...");
  /* Trailing pad spaces only; strip them. */
  while (mark.len && mark.data[mark.len - 1] == ' ') mark.data[--mark.len] = 0;
  ptk_buf_printf(out, "%s\n", ptk_buf_cstr(&src));
  ptk_buf_printf(out, "%s%s%s\n", color ? GREEN : "", ptk_buf_cstr(&mark), color ? RESET : "");
  ptk_buf_free(&src);
  ptk_buf_free(&mark);
}

void ptk_diags_render(const ptk_diags *d, ptk_buf *out, bool color) {
  for (size_t i = 0; i < d->items.len; i++) {
    const ptk_diag *g = &d->items.data[i];
    if (color) ptk_buf_puts(out, BOLD);
    if (!g->path)
      ptk_buf_puts(out, "ptk:");
    else if (g->line)
      ptk_buf_printf(out, "%s:%u:%u:", g->path, g->line, g->col);
    else
      ptk_buf_printf(out, "%s:", g->path);
    if (color) ptk_buf_puts(out, RESET);
    ptk_buf_printf(out, " %s%s:%s ", color ? sev_color[g->sev] : "", sev_name[g->sev],
                   color ? RESET : "");
    ptk_buf_printf(out, "%s%s%s\n", color ? BOLD : "", g->message, color ? RESET : "");
    if (g->text) render_line(out, g, color);
  }
}

void ptk_diags_print(const ptk_diags *d, FILE *f) {
  const char *nc = getenv("NO_COLOR"); /* set and non-empty disables colour */
  bool color = isatty(fileno(f)) && !(nc && *nc);
  ptk_buf b = {0};
  ptk_diags_render(d, &b, color);
  fputs(ptk_buf_cstr(&b), f);
  fflush(f);
  ptk_buf_free(&b);
}

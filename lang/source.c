#include "lang/source.h"

#include <errno.h>
#include <string.h>

#include "lang/util.h"

static void index_lines(ptk_source *s) {
  size_t n = 1;
  for (size_t i = 0; i < s->len; i++) n += s->text[i] == '\n';
  s->lines = ptk_xmalloc(n * sizeof(uint32_t));
  s->nlines = 0;
  s->lines[s->nlines++] = 0;
  for (size_t i = 0; i < s->len; i++)
    if (s->text[i] == '\n') s->lines[s->nlines++] = (uint32_t)(i + 1);
}

ptk_source *ptk_source_from_string(const char *path, const char *text, size_t len) {
  if (len > PTK_SOURCE_MAX_BYTES) {
    errno = EFBIG;
    return NULL;
  }
  ptk_source *s = ptk_xcalloc(1, sizeof *s);
  s->path = ptk_xstrdup(path ? path : "<string>");
  s->text = ptk_xstrndup(text, len);
  s->len = len;
  index_lines(s);
  return s;
}

ptk_source *ptk_source_load(const char *path) {
  size_t len;
  char *text = ptk_read_file(path, &len);
  if (!text) return NULL;
  if (len > PTK_SOURCE_MAX_BYTES) {
    free(text);
    errno = EFBIG;
    return NULL;
  }
  ptk_source *s = ptk_xcalloc(1, sizeof *s);
  s->path = ptk_xstrdup(path);
  s->text = text;
  s->len = len;
  index_lines(s);
  return s;
}

void ptk_source_free(ptk_source *s) {
  if (!s) return;
  free(s->path);
  free(s->text);
  free(s->lines);
  free(s);
}

ptk_loc ptk_source_loc(const ptk_source *s, size_t off) {
  if (off > s->len) off = s->len;
  size_t lo = 0, hi = s->nlines; /* last line start <= off */
  while (hi - lo > 1) {
    size_t mid = (lo + hi) / 2;
    if (s->lines[mid] <= off)
      lo = mid;
    else
      hi = mid;
  }
  return (ptk_loc){s, (uint32_t)off, (uint32_t)(lo + 1), (uint32_t)(off - s->lines[lo] + 1)};
}

const char *ptk_source_line(const ptk_source *s, uint32_t line, size_t *len) {
  if (line == 0 || line > s->nlines) {
    *len = 0;
    return "";
  }
  size_t b = s->lines[line - 1];
  size_t e = line < s->nlines ? s->lines[line] - 1 : s->len;
  if (e > b && s->text[e - 1] == '\r') e--;
  *len = e - b;
  return s->text + b;
}

ptk_range ptk_range_at(ptk_loc l, uint32_t len) {
  ptk_loc e = l;
  e.off += len;
  e.col += len;
  return (ptk_range){l, e};
}

ptk_range ptk_range_join(ptk_range a, ptk_range b) {
  if (!a.begin.src) return b;
  if (!b.begin.src) return a;
  ptk_range r = a;
  if (b.begin.off < r.begin.off) r.begin = b.begin;
  if (b.end.off > r.end.off) r.end = b.end;
  return r;
}

/* ptk compare: folder walk, file classification, Myers line diff, unified
 * hunks. See backend/compare.h. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "backend/compare.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ======================================================================
 * regex sets
 * ====================================================================== */

struct ptk_regex_set {
  size_t n;
  pcre2_code **re;
  pcre2_match_data *md;
};

ptk_regex_set *ptk_regex_set_new(const char *const *patterns, size_t n, char **err) {
  ptk_regex_set *rs = ptk_xcalloc(1, sizeof *rs);
  rs->re = ptk_xcalloc(n ? n : 1, sizeof *rs->re);
  for (size_t i = 0; i < n; i++) {
    int ec;
    PCRE2_SIZE off;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)patterns[i], PCRE2_ZERO_TERMINATED,
                                   PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &ec, &off, NULL);
    if (!re) {
      PCRE2_UCHAR msg[256];
      pcre2_get_error_message(ec, msg, sizeof msg);
      if (err)
        *err = ptk_xasprintf("bad pattern '%s': %s at offset %zu", patterns[i], (char *)msg,
                             (size_t)off);
      ptk_regex_set_free(rs);
      return NULL;
    }
    (void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
    rs->re[rs->n++] = re;
  }
  rs->md = pcre2_match_data_create(1, NULL);
  if (!rs->md) {
    fprintf(stderr, "ptk: out of memory\n");
    abort();
  }
  return rs;
}

void ptk_regex_set_free(ptk_regex_set *rs) {
  if (!rs) return;
  for (size_t i = 0; i < rs->n; i++) pcre2_code_free(rs->re[i]);
  free(rs->re);
  pcre2_match_data_free(rs->md);
  free(rs);
}

bool ptk_regex_set_match(ptk_regex_set *rs, const char *s, size_t n) {
  if (!rs) return false;
  for (size_t i = 0; i < rs->n; i++) {
    int rc = pcre2_match(rs->re[i], (PCRE2_SPTR)s, n, 0, 0, rs->md, NULL);
    if (rc >= 0) return true;
    /* PCRE2_ERROR_NOMATCH and resource limits both count as no match. */
  }
  return false;
}

/* ======================================================================
 * Myers diff, linear space (E. Myers, "An O(ND) Difference Algorithm and
 * Its Variations", 1986, section 4b), with a cost guard in the manner of
 * GNU diff: when a middle-snake search exceeds `too_expensive` rounds, the
 * furthest-reaching diagonal is taken as the split point instead. Any
 * split point gives a correct script; only minimality is lost.
 * ====================================================================== */

typedef struct myers {
  const uint32_t *a, *b;
  uint8_t *da, *db; /* 1: line deleted from a / inserted into b */
  ptrdiff_t *fd, *bd; /* indexed by diagonal k = x - y, offset by nb + 1 */
  ptrdiff_t too_expensive;
} myers;

typedef struct range {
  ptrdiff_t xoff, xlim, yoff, ylim;
} range;

/* Finds a split point of a[xoff..xlim) x b[yoff..ylim) (both non-empty,
 * first and last lines differing) on a shortest edit path. */
static void split(myers *m, ptrdiff_t xoff, ptrdiff_t xlim, ptrdiff_t yoff, ptrdiff_t ylim,
                  ptrdiff_t *xmid, ptrdiff_t *ymid) {
  const uint32_t *a = m->a, *b = m->b;
  ptrdiff_t *fd = m->fd, *bd = m->bd;
  const ptrdiff_t dmin = xoff - ylim, dmax = xlim - yoff;
  const ptrdiff_t fmid = xoff - yoff, bmid = xlim - ylim;
  ptrdiff_t fmin = fmid, fmax = fmid, bmin = bmid, bmax = bmid;
  const bool odd = (fmid - bmid) & 1;
  fd[fmid] = xoff;
  bd[bmid] = xlim;
  for (ptrdiff_t c = 1;; c++) {
    /* Forward: extend each diagonal's furthest reaching D-path. */
    if (fmin > dmin)
      fd[--fmin - 1] = -1;
    else
      ++fmin;
    if (fmax < dmax)
      fd[++fmax + 1] = -1;
    else
      --fmax;
    for (ptrdiff_t d = fmax; d >= fmin; d -= 2) {
      ptrdiff_t tlo = fd[d - 1], thi = fd[d + 1];
      ptrdiff_t x = tlo >= thi ? tlo + 1 : thi, y = x - d;
      while (x < xlim && y < ylim && a[x] == b[y]) x++, y++;
      fd[d] = x;
      if (odd && bmin <= d && d <= bmax && bd[d] <= x) {
        *xmid = x;
        *ymid = y;
        return;
      }
    }
    /* Backward. */
    if (bmin > dmin)
      bd[--bmin - 1] = PTRDIFF_MAX;
    else
      ++bmin;
    if (bmax < dmax)
      bd[++bmax + 1] = PTRDIFF_MAX;
    else
      --bmax;
    for (ptrdiff_t d = bmax; d >= bmin; d -= 2) {
      ptrdiff_t tlo = bd[d - 1], thi = bd[d + 1];
      ptrdiff_t x = tlo < thi ? tlo : thi - 1, y = x - d;
      while (x > xoff && y > yoff && a[x - 1] == b[y - 1]) x--, y--;
      bd[d] = x;
      if (!odd && fmin <= d && d <= fmax && x <= fd[d]) {
        *xmid = x;
        *ymid = y;
        return;
      }
    }
    if (c >= m->too_expensive) {
      /* Too costly: take the forward diagonal reaching furthest (max x+y)
       * or the backward one reaching furthest (min x+y), whichever got
       * further from its corner. */
      ptrdiff_t fxybest = -1, fxbest = xoff;
      for (ptrdiff_t d = fmax; d >= fmin; d -= 2) {
        ptrdiff_t x = fd[d] < xlim ? fd[d] : xlim, y = x - d;
        if (ylim < y) x = ylim + d, y = ylim;
        if (fxybest < x + y) fxybest = x + y, fxbest = x;
      }
      ptrdiff_t bxybest = PTRDIFF_MAX, bxbest = xlim;
      for (ptrdiff_t d = bmax; d >= bmin; d -= 2) {
        ptrdiff_t x = bd[d] > xoff ? bd[d] : xoff, y = x - d;
        if (y < yoff) x = yoff + d, y = yoff;
        if (x + y < bxybest) bxybest = x + y, bxbest = x;
      }
      if ((xlim + ylim) - bxybest < fxybest - (xoff + yoff)) {
        *xmid = fxbest;
        *ymid = fxybest - fxbest;
      } else {
        *xmid = bxbest;
        *ymid = bxybest - bxbest;
      }
      return;
    }
  }
}

static void compare_seq(myers *m, range r0) {
  PTK_VEC(range) stack = {0};
  ptk_vec_push(&stack, r0);
  while (stack.len) {
    range r = stack.data[--stack.len];
    while (r.xoff < r.xlim && r.yoff < r.ylim && m->a[r.xoff] == m->b[r.yoff]) r.xoff++, r.yoff++;
    while (r.xlim > r.xoff && r.ylim > r.yoff && m->a[r.xlim - 1] == m->b[r.ylim - 1])
      r.xlim--, r.ylim--;
    if (r.xoff == r.xlim) {
      for (ptrdiff_t y = r.yoff; y < r.ylim; y++) m->db[y] = 1;
      continue;
    }
    if (r.yoff == r.ylim) {
      for (ptrdiff_t x = r.xoff; x < r.xlim; x++) m->da[x] = 1;
      continue;
    }
    ptrdiff_t xm, ym;
    split(m, r.xoff, r.xlim, r.yoff, r.ylim, &xm, &ym);
    bool bad = xm < r.xoff || xm > r.xlim || ym < r.yoff || ym > r.ylim ||
               (xm == r.xoff && ym == r.yoff) || (xm == r.xlim && ym == r.ylim);
    if (bad) { /* no progress: replace the whole range (still a correct script) */
      for (ptrdiff_t x = r.xoff; x < r.xlim; x++) m->da[x] = 1;
      for (ptrdiff_t y = r.yoff; y < r.ylim; y++) m->db[y] = 1;
      continue;
    }
    ptk_vec_push(&stack, ((range){xm, r.xlim, ym, r.ylim}));
    ptk_vec_push(&stack, ((range){r.xoff, xm, r.yoff, ym}));
  }
  ptk_vec_free(&stack);
}

static ptrdiff_t auto_cost(size_t na, size_t nb) {
  /* About 2*sqrt(N+M), at least 512 and at most 1024 rounds per split:
   * 1M-line random files diff in a few seconds, within 1% of minimal. */
  ptrdiff_t c = 1;
  for (size_t n = na + nb + 3; n; n >>= 2) c <<= 1;
  if (c < 512) c = 512;
  if (c > 1024) c = 1024;
  return c;
}

/* Marks changed lines: da[i] = 1 when a[i] is deleted, db[j] = 1 when b[j]
 * is inserted. */
static void diff_marks(const uint32_t *a, size_t na, const uint32_t *b, size_t nb, size_t max_cost,
                       uint8_t *da, uint8_t *db) {
  memset(da, 0, na);
  memset(db, 0, nb);
  myers m = {.a = a, .b = b, .da = da, .db = db};
  m.too_expensive = max_cost ? (ptrdiff_t)(max_cost > PTRDIFF_MAX / 2 ? PTRDIFF_MAX / 2 : max_cost)
                             : auto_cost(na, nb);
  size_t diags = na + nb + 3;
  ptrdiff_t *mem = ptk_xmalloc(2 * diags * sizeof *mem);
  m.fd = mem + nb + 1;
  m.bd = mem + diags + nb + 1;
  compare_seq(&m, (range){0, (ptrdiff_t)na, 0, (ptrdiff_t)nb});
  free(mem);
}

static void push_edit(ptk_edits *out, ptk_edit_kind k, size_t ai, size_t bi, size_t n) {
  if (!n) return;
  if (out->len && out->data[out->len - 1].kind == k) {
    out->data[out->len - 1].n += n;
    return;
  }
  ptk_vec_push(out, ((ptk_edit){k, ai, bi, n}));
}

static void marks_to_edits(const uint8_t *da, size_t na, const uint8_t *db, size_t nb,
                           ptk_edits *out) {
  size_t i = 0, j = 0;
  while (i < na || j < nb) {
    size_t i0 = i, j0 = j;
    while (i < na && j < nb && !da[i] && !db[j]) i++, j++;
    push_edit(out, PTK_EDIT_EQ, i0, j0, i - i0);
    i0 = i;
    while (i < na && da[i]) i++;
    push_edit(out, PTK_EDIT_DEL, i0, j, i - i0);
    j0 = j;
    while (j < nb && db[j]) j++;
    push_edit(out, PTK_EDIT_INS, i, j0, j - j0);
  }
}

void ptk_diff_ids(const uint32_t *a, size_t na, const uint32_t *b, size_t nb, size_t max_cost,
                  ptk_edits *out) {
  out->len = 0;
  uint8_t *da = ptk_xmalloc(na + 1), *db = ptk_xmalloc(nb + 1);
  diff_marks(a, na, b, nb, max_cost, da, db);
  marks_to_edits(da, na, db, nb, out);
  free(da);
  free(db);
}

/* ======================================================================
 * text diff
 * ====================================================================== */

typedef struct line {
  const char *s;
  size_t len;  /* without the newline */
  uint32_t no; /* 1-based line number in the original text */
  bool nl;     /* ends with '\n' */
} line;

typedef PTK_VEC(line) line_vec;

static void split_lines(const char *t, size_t n, ptk_regex_set *ignore, line_vec *out) {
  size_t i = 0;
  uint32_t no = 0;
  while (i < n) {
    const char *p = memchr(t + i, '\n', n - i);
    size_t e = p ? (size_t)(p - t) : n;
    no++;
    line l = {t + i, e - i, no, p != NULL};
    if (!ptk_regex_set_match(ignore, l.s, l.len)) ptk_vec_push(out, l);
    i = p ? e + 1 : n;
  }
}

/* Interns lines into ids: equal (text, newline flag) = equal id. */
typedef struct interner {
  size_t cap; /* power of two */
  struct slot {
    uint64_t h;
    const line *l; /* NULL: empty */
    uint32_t id;
  } *slots;
  uint32_t next;
} interner;

static uint64_t line_hash(const line *l) {
  uint64_t h = 1469598103934665603ull ^ (uint64_t)l->nl;
  for (size_t i = 0; i < l->len; i++) h = (h ^ (unsigned char)l->s[i]) * 1099511628211ull;
  return h ^ (h >> 29);
}

static uint32_t intern(interner *in, const line *l) {
  uint64_t h = line_hash(l);
  size_t mask = in->cap - 1;
  for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
    struct slot *s = &in->slots[i];
    if (!s->l) {
      s->h = h;
      s->l = l;
      s->id = in->next++;
      return s->id;
    }
    if (s->h == h && s->l->len == l->len && s->l->nl == l->nl && !memcmp(s->l->s, l->s, l->len))
      return s->id;
  }
}

static void put_line(ptk_buf *out, char tag, const line *l) {
  ptk_buf_putc(out, tag);
  ptk_buf_putn(out, l->s, l->len);
  ptk_buf_putc(out, '\n');
  if (!l->nl) ptk_buf_puts(out, "\\ No newline at end of file\n");
}

static void put_range(ptk_buf *out, char sign, const line_vec *v, size_t lo, size_t hi) {
  size_t cnt = hi - lo;
  size_t start;
  if (cnt)
    start = v->data[lo].no;
  else
    start = lo ? v->data[lo - 1].no : 0;
  if (cnt == 1)
    ptk_buf_printf(out, "%c%zu", sign, start);
  else
    ptk_buf_printf(out, "%c%zu,%zu", sign, start, cnt);
}

size_t ptk_diff_text(const char *a, size_t alen, const char *b, size_t blen, const char *name_a,
                     const char *name_b, const ptk_diff_opts *o, ptk_buf *out) {
  ptk_diff_opts dflt = {.context = 3};
  if (!o) o = &dflt;
  line_vec la = {0}, lb = {0};
  split_lines(a, alen, o->ignore, &la);
  split_lines(b, blen, o->ignore, &lb);
  size_t na = la.len, nb = lb.len;
  interner in = {0};
  in.cap = 16;
  while (in.cap < 2 * (na + nb) + 2) in.cap <<= 1;
  in.slots = ptk_xcalloc(in.cap, sizeof *in.slots);
  uint32_t *ia = ptk_xmalloc((na + 1) * sizeof *ia), *ib = ptk_xmalloc((nb + 1) * sizeof *ib);
  for (size_t i = 0; i < na; i++) ia[i] = intern(&in, &la.data[i]);
  for (size_t i = 0; i < nb; i++) ib[i] = intern(&in, &lb.data[i]);
  free(in.slots);

  ptk_edits ed = {0};
  ptk_diff_ids(ia, na, ib, nb, o->max_cost, &ed);
  free(ia);
  free(ib);

  size_t hunks = 0;
  size_t ctx = o->context;
  size_t e = 0;
  while (e < ed.len) {
    if (ed.data[e].kind == PTK_EDIT_EQ) {
      e++;
      continue;
    }
    /* A hunk: changes from e to last, merged while the equal run between
     * two changes is at most 2*ctx lines. */
    size_t first = e, last = e;
    for (size_t k = e + 1; k < ed.len; k++) {
      if (ed.data[k].kind != PTK_EDIT_EQ) {
        last = k;
        continue;
      }
      if (k + 1 < ed.len && ed.data[k].n <= 2 * ctx) continue;
      break;
    }
    const ptk_edit *f = &ed.data[first], *l = &ed.data[last];
    size_t pre = f->ai < ctx ? f->ai : ctx;
    size_t a_lo = f->ai - pre, b_lo = f->bi - pre;
    size_t a_end = l->kind == PTK_EDIT_DEL ? l->ai + l->n : l->ai;
    size_t b_end = l->kind == PTK_EDIT_INS ? l->bi + l->n : l->bi;
    size_t post = na - a_end < ctx ? na - a_end : ctx;
    size_t a_hi = a_end + post, b_hi = b_end + post;
    if (!hunks) ptk_buf_printf(out, "--- %s\n+++ %s\n", name_a, name_b);
    hunks++;
    ptk_buf_puts(out, "@@ ");
    put_range(out, '-', &la, a_lo, a_hi);
    ptk_buf_putc(out, ' ');
    put_range(out, '+', &lb, b_lo, b_hi);
    ptk_buf_puts(out, " @@\n");
    for (size_t i = a_lo; i < f->ai; i++) put_line(out, ' ', &la.data[i]);
    for (size_t k = first; k <= last; k++) {
      const ptk_edit *x = &ed.data[k];
      for (size_t i = 0; i < x->n; i++) {
        if (x->kind == PTK_EDIT_EQ)
          put_line(out, ' ', &la.data[x->ai + i]);
        else if (x->kind == PTK_EDIT_DEL)
          put_line(out, '-', &la.data[x->ai + i]);
        else
          put_line(out, '+', &lb.data[x->bi + i]);
      }
    }
    for (size_t i = a_end; i < a_hi; i++) put_line(out, ' ', &la.data[i]);
    e = last + 1;
  }
  ptk_vec_free(&ed);
  ptk_vec_free(&la);
  ptk_vec_free(&lb);
  return hunks;
}

/* ======================================================================
 * folder walk
 * ====================================================================== */

typedef enum { ENT_FILE, ENT_OTHER } ent_kind;

typedef struct entry {
  char *rel;
  ent_kind kind;
  const char *why; /* ENT_OTHER: reason */
} entry;

typedef PTK_VEC(entry) entry_vec;

typedef struct walker {
  FILE *err;
  bool trouble;
} walker;

#define MAX_DEPTH 128

static void walk(walker *w, const char *root, const char *rel, int depth, entry_vec *out) {
  char *dir = rel[0] ? ptk_xasprintf("%s/%s", root, rel) : ptk_xstrdup(root);
  if (depth > MAX_DEPTH) {
    fprintf(w->err, "ptk compare: '%s': folders nested more than %d deep; not compared\n", dir,
            MAX_DEPTH);
    w->trouble = true;
    free(dir);
    return;
  }
  DIR *dp = opendir(dir);
  if (!dp) {
    fprintf(w->err, "ptk compare: cannot read folder '%s': %s\n", dir, strerror(errno));
    w->trouble = true;
    free(dir);
    return;
  }
  PTK_VEC(char *) subdirs = {0};
  struct dirent *de;
  for (;;) {
    errno = 0;
    de = readdir(dp);
    if (!de) {
      if (errno) {
        fprintf(w->err, "ptk compare: cannot read folder '%s': %s\n", dir, strerror(errno));
        w->trouble = true;
      }
      break;
    }
    if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
    char *r = rel[0] ? ptk_xasprintf("%s/%s", rel, de->d_name) : ptk_xstrdup(de->d_name);
    struct stat st;
    if (fstatat(dirfd(dp), de->d_name, &st, AT_SYMLINK_NOFOLLOW)) {
      fprintf(w->err, "ptk compare: cannot read '%s/%s': %s\n", dir, de->d_name, strerror(errno));
      w->trouble = true;
      free(r);
      continue;
    }
    if (S_ISDIR(st.st_mode)) {
      ptk_vec_push(&subdirs, r);
      continue;
    }
    entry e = {r, ENT_FILE, NULL};
    if (S_ISLNK(st.st_mode)) {
      struct stat t;
      if (fstatat(dirfd(dp), de->d_name, &t, 0))
        e.kind = ENT_OTHER, e.why = "broken symbolic link";
      else if (S_ISDIR(t.st_mode))
        e.kind = ENT_OTHER, e.why = "symbolic link to a folder";
      else if (!S_ISREG(t.st_mode))
        e.kind = ENT_OTHER, e.why = "not a regular file";
    } else if (!S_ISREG(st.st_mode)) {
      e.kind = ENT_OTHER, e.why = "not a regular file";
    }
    ptk_vec_push(out, e);
  }
  closedir(dp);
  for (size_t i = 0; i < subdirs.len; i++) {
    walk(w, root, subdirs.data[i], depth + 1, out);
    free(subdirs.data[i]);
  }
  ptk_vec_free(&subdirs);
  free(dir);
}

static int cmp_entry(const void *x, const void *y) {
  return strcmp(((const entry *)x)->rel, ((const entry *)y)->rel);
}

/* A path with a folder component named passes_dump. */
static bool is_pass_dump(const char *rel) {
  const char *p = rel;
  for (;;) {
    const char *slash = strchr(p, '/');
    if (!slash) return false;
    if ((size_t)(slash - p) == strlen("passes_dump") && !strncmp(p, "passes_dump", (size_t)(slash - p)))
      return true;
    p = slash + 1;
  }
}

static bool binary_ext(const char *rel) {
  static const char *const exts[] = {".npy", ".so", ".o", ".a"};
  size_t n = strlen(rel);
  for (size_t i = 0; i < PTK_ARRAY_LEN(exts); i++) {
    size_t e = strlen(exts[i]);
    if (n > e && !strcmp(rel + n - e, exts[i])) return true;
  }
  return false;
}

/* ======================================================================
 * file comparison
 * ====================================================================== */

typedef enum { RES_SAME, RES_DIFF, RES_ERROR } res;

typedef struct file_result {
  res r;
  const char *note;   /* "binary", … */
  size_t diff_start;  /* offset of this file's diff in the diff buffer */
  size_t diff_len;
} file_result;

/* Byte-compares two files by streaming. */
static res stream_compare(const char *pa, const char *pb, FILE *err) {
  FILE *fa = fopen(pa, "rb");
  if (!fa) {
    fprintf(err, "ptk compare: cannot read '%s': %s\n", pa, strerror(errno));
    return RES_ERROR;
  }
  FILE *fb = fopen(pb, "rb");
  if (!fb) {
    fprintf(err, "ptk compare: cannot read '%s': %s\n", pb, strerror(errno));
    fclose(fa);
    return RES_ERROR;
  }
  enum { CHUNK = 65536 };
  char *ba = ptk_xmalloc(CHUNK), *bb = ptk_xmalloc(CHUNK);
  res r = RES_SAME;
  for (;;) {
    size_t na = fread(ba, 1, CHUNK, fa), nb = fread(bb, 1, CHUNK, fb);
    if (ferror(fa) || ferror(fb)) {
      fprintf(err, "ptk compare: cannot read '%s': %s\n", ferror(fa) ? pa : pb,
              strerror(errno ? errno : EIO));
      r = RES_ERROR;
      break;
    }
    if (na != nb || memcmp(ba, bb, na)) {
      r = RES_DIFF;
      break;
    }
    if (!na) break;
  }
  free(ba);
  free(bb);
  fclose(fa);
  fclose(fb);
  return r;
}

static bool has_nul(const char *s, size_t n) {
  return memchr(s, 0, n < 8192 ? n : 8192) != NULL;
}

#define MAX_LINES ((size_t)4 << 20)

static size_t count_lines(const char *s, size_t n) {
  size_t c = 0;
  for (const char *p = s; (p = memchr(p, '\n', (size_t)(s + n - p))); p++) c++;
  return c + 1;
}

static file_result compare_file(const char *root_a, const char *root_b, const char *rel,
                                const ptk_compare_opts *o, ptk_buf *diffs, FILE *err) {
  file_result fr = {RES_SAME, NULL, 0, 0};
  char *pa = ptk_xasprintf("%s/%s", root_a, rel), *pb = ptk_xasprintf("%s/%s", root_b, rel);
  struct stat sa, sb;
  if (stat(pa, &sa) || stat(pb, &sb)) {
    int e = errno;
    fprintf(err, "ptk compare: cannot read '%s': %s\n", stat(pa, &sa) ? pa : pb, strerror(e));
    fr.r = RES_ERROR;
    goto out;
  }
  if (binary_ext(rel)) {
    fr.note = "binary";
    fr.r = sa.st_size != sb.st_size ? RES_DIFF : stream_compare(pa, pb, err);
    goto out;
  }
  if ((size_t)sa.st_size > PTK_COMPARE_MAX_TEXT || (size_t)sb.st_size > PTK_COMPARE_MAX_TEXT) {
    fr.note = "larger than 64 MiB: compared by bytes, no diff";
    fr.r = sa.st_size != sb.st_size ? RES_DIFF : stream_compare(pa, pb, err);
    goto out;
  }
  size_t la, lb;
  char *ta = ptk_read_file(pa, &la);
  if (!ta) {
    fprintf(err, "ptk compare: cannot read '%s': %s\n", pa, ptk_file_strerror(errno));
    fr.r = RES_ERROR;
    goto out;
  }
  char *tb = ptk_read_file(pb, &lb);
  if (!tb) {
    fprintf(err, "ptk compare: cannot read '%s': %s\n", pb, ptk_file_strerror(errno));
    free(ta);
    fr.r = RES_ERROR;
    goto out;
  }
  bool bytes_equal = la == lb && !memcmp(ta, tb, la);
  if (has_nul(ta, la) || has_nul(tb, lb)) {
    fr.note = "binary";
    fr.r = bytes_equal ? RES_SAME : RES_DIFF;
  } else if (bytes_equal) {
    fr.r = RES_SAME;
  } else if (count_lines(ta, la) > MAX_LINES || count_lines(tb, lb) > MAX_LINES) {
    fr.note = "more than 4194304 lines: compared by bytes, no diff";
    fr.r = RES_DIFF;
  } else {
    char *na = ptk_xasprintf("a/%s", rel), *nb = ptk_xasprintf("b/%s", rel);
    ptk_diff_opts dopt = {.context = o->context, .ignore = o->ignore};
    fr.diff_start = diffs->len;
    size_t h = ptk_diff_text(ta, la, tb, lb, na, nb, &dopt, diffs);
    fr.diff_len = diffs->len - fr.diff_start;
    fr.r = h ? RES_DIFF : RES_SAME;
    if (!h) fr.note = "differs only in ignored lines";
    free(na);
    free(nb);
  }
  free(ta);
  free(tb);
out:
  free(pa);
  free(pb);
  return fr;
}

/* ======================================================================
 * the report
 * ====================================================================== */

typedef struct item {
  const char *rel;
  const char *note;
} item;

typedef PTK_VEC(item) item_vec;

static void print_list(FILE *out, const char *title, const item_vec *v) {
  if (!v->len) return;
  fprintf(out, "%s: %zu\n", title, v->len);
  for (size_t i = 0; i < v->len; i++) {
    if (v->data[i].note)
      fprintf(out, "  %s  (%s)\n", v->data[i].rel, v->data[i].note);
    else
      fprintf(out, "  %s\n", v->data[i].rel);
  }
}

static bool check_root(const char *p, FILE *err) {
  struct stat st;
  if (stat(p, &st)) {
    if (errno == ENOENT || errno == ENOTDIR)
      fprintf(err, "ptk compare: '%s': no such directory\n", p);
    else
      fprintf(err, "ptk compare: '%s': %s\n", p, strerror(errno));
    return false;
  }
  if (!S_ISDIR(st.st_mode)) {
    fprintf(err, "ptk compare: '%s': not a directory\n", p);
    return false;
  }
  return true;
}

int ptk_compare_dirs(const char *a, const char *b, const ptk_compare_opts *o, FILE *out, FILE *err,
                     ptk_compare_counts *counts) {
  ptk_compare_opts dflt = {.context = 3};
  if (!o) o = &dflt;
  ptk_compare_counts cnt = {0};
  bool ok_a = check_root(a, err), ok_b = check_root(b, err);
  if (!ok_a || !ok_b) {
    if (counts) *counts = cnt;
    return PTK_COMPARE_TROUBLE;
  }
  walker w = {err, false};
  entry_vec ea = {0}, eb = {0};
  walk(&w, a, "", 0, &ea);
  walk(&w, b, "", 0, &eb);
  if (ea.len) qsort(ea.data, ea.len, sizeof *ea.data, cmp_entry);
  if (eb.len) qsort(eb.data, eb.len, sizeof *eb.data, cmp_entry);

  item_vec only_a = {0}, only_b = {0}, changed = {0}, unchanged = {0}, skip_pass = {0},
           skip_other = {0};
  PTK_VEC(file_result) diffs_of = {0};
  ptk_buf diffs = {0};
  size_t i = 0, j = 0;
  while (i < ea.len || j < eb.len) {
    int c = i >= ea.len ? 1 : j >= eb.len ? -1 : strcmp(ea.data[i].rel, eb.data[j].rel);
    const entry *x = c <= 0 ? &ea.data[i] : &eb.data[j];
    const entry *y = c == 0 ? &eb.data[j] : NULL;
    if (c <= 0) i++;
    if (c >= 0) j++;
    if (!o->include_passes && is_pass_dump(x->rel)) {
      ptk_vec_push(&skip_pass, ((item){x->rel, c < 0 ? "only in a" : c > 0 ? "only in b" : NULL}));
      continue;
    }
    if (x->kind == ENT_OTHER || (y && y->kind == ENT_OTHER)) {
      const char *why = x->kind == ENT_OTHER ? x->why : y->why;
      ptk_vec_push(&skip_other, ((item){x->rel, why}));
      continue;
    }
    if (c < 0) {
      ptk_vec_push(&only_a, ((item){x->rel, NULL}));
      continue;
    }
    if (c > 0) {
      ptk_vec_push(&only_b, ((item){x->rel, NULL}));
      continue;
    }
    file_result fr = compare_file(a, b, x->rel, o, &diffs, err);
    if (fr.r == RES_ERROR) {
      cnt.errors++;
      w.trouble = true;
      ptk_vec_push(&changed, ((item){x->rel, "could not be read"}));
    } else if (fr.r == RES_DIFF) {
      ptk_vec_push(&changed, ((item){x->rel, fr.note}));
      if (fr.diff_len) {
        ptk_vec_push(&diffs_of, fr);
      }
    } else {
      ptk_vec_push(&unchanged, ((item){x->rel, fr.note && strcmp(fr.note, "binary") ? fr.note : NULL}));
    }
  }

  cnt.only_a = only_a.len;
  cnt.only_b = only_b.len;
  cnt.changed = changed.len;
  cnt.unchanged = unchanged.len;
  cnt.skipped_passes = skip_pass.len;
  cnt.skipped = skip_pass.len + skip_other.len;

  fprintf(out, "comparing a = %s\n          b = %s\n", a, b);
  print_list(out, "only in a", &only_a);
  print_list(out, "only in b", &only_b);
  print_list(out, "changed", &changed);
  if (!o->quiet) {
    print_list(out, "unchanged", &unchanged);
    print_list(out, "skipped (pass dumps; use --include-passes)", &skip_pass);
    print_list(out, "skipped (not regular files)", &skip_other);
    for (size_t k = 0; k < diffs_of.len; k++) {
      fputc('\n', out);
      fwrite(diffs.data + diffs_of.data[k].diff_start, 1, diffs_of.data[k].diff_len, out);
    }
  }
  fprintf(out, "\nsummary: %zu only in a, %zu only in b, %zu changed, %zu unchanged, %zu skipped",
          cnt.only_a, cnt.only_b, cnt.changed, cnt.unchanged, cnt.skipped);
  if (skip_pass.len || skip_other.len) {
    fputs(" (", out);
    if (skip_pass.len)
      fprintf(out, "%zu pass dump%s, use --include-passes", skip_pass.len,
              skip_pass.len == 1 ? "" : "s");
    if (skip_pass.len && skip_other.len) fputs("; ", out);
    if (skip_other.len)
      fprintf(out, "%zu not regular file%s", skip_other.len, skip_other.len == 1 ? "" : "s");
    fputc(')', out);
  }
  fputc('\n', out);

  for (size_t k = 0; k < ea.len; k++) free(ea.data[k].rel);
  for (size_t k = 0; k < eb.len; k++) free(eb.data[k].rel);
  ptk_vec_free(&ea);
  ptk_vec_free(&eb);
  ptk_vec_free(&only_a);
  ptk_vec_free(&only_b);
  ptk_vec_free(&changed);
  ptk_vec_free(&unchanged);
  ptk_vec_free(&skip_pass);
  ptk_vec_free(&skip_other);
  ptk_vec_free(&diffs_of);
  ptk_buf_free(&diffs);
  if (counts) *counts = cnt;
  if (w.trouble) return PTK_COMPARE_TROUBLE;
  return cnt.only_a || cnt.only_b || cnt.changed ? PTK_COMPARE_DIFFERENT : PTK_COMPARE_SAME;
}

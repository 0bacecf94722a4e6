#include "lang/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void oom(void) {
  fputs("ptk: fatal: out of memory\n", stderr);
  abort();
}

void *ptk_xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) oom();
  return p;
}

void *ptk_xmalloc_aligned(size_t align, size_t n) {
  n = (n + align - 1) / align * align;
  void *p = aligned_alloc(align, n ? n : align);
  if (!p) oom();
  return p;
}

void *ptk_xcalloc(size_t n, size_t size) {
  void *p = calloc(n ? n : 1, size ? size : 1);
  if (!p) oom();
  return p;
}

void *ptk_xrealloc(void *p, size_t n) {
  p = realloc(p, n ? n : 1);
  if (!p) oom();
  return p;
}

char *ptk_xstrdup(const char *s) { return ptk_xstrndup(s, strlen(s)); }

char *ptk_xstrndup(const char *s, size_t n) {
  char *p = ptk_xmalloc(n + 1);
  memcpy(p, s, n);
  p[n] = 0;
  return p;
}

char *ptk_xasprintf(const char *fmt, ...) {
  ptk_buf b = {0};
  va_list ap;
  va_start(ap, fmt);
  ptk_buf_vprintf(&b, fmt, ap);
  va_end(ap);
  return ptk_buf_take(&b);
}

/* ---- arena ---------------------------------------------------------- */

typedef struct chunk {
  struct chunk *next;
  size_t used, size;
  _Alignas(16) unsigned char mem[];
} chunk;

struct ptk_arena {
  chunk *head;
  size_t total;
};

ptk_arena *ptk_arena_new(void) { return ptk_xcalloc(1, sizeof(ptk_arena)); }

void ptk_arena_free(ptk_arena *a) {
  if (!a) return;
  for (chunk *c = a->head, *n; c; c = n) {
    n = c->next;
    free(c);
  }
  free(a);
}

void *ptk_arena_alloc(ptk_arena *a, size_t n) {
  n = (n + 15) & ~(size_t)15;
  chunk *c = a->head;
  if (!c || c->size - c->used < n) {
    size_t size = n > 32768 ? n : 32768;
    c = ptk_xmalloc(sizeof(chunk) + size);
    c->size = size;
    c->used = 0;
    /* A big one-off block goes behind the current chunk so the current
     * chunk's free tail stays usable. */
    if (a->head && n > 32768) {
      c->next = a->head->next;
      a->head->next = c;
    } else {
      c->next = a->head;
      a->head = c;
    }
  }
  void *p = c->mem + c->used;
  c->used += n;
  a->total += n;
  memset(p, 0, n);
  return p;
}

char *ptk_arena_strndup(ptk_arena *a, const char *s, size_t n) {
  char *p = ptk_arena_alloc(a, n + 1);
  memcpy(p, s, n);
  p[n] = 0;
  return p;
}

char *ptk_arena_strdup(ptk_arena *a, const char *s) { return ptk_arena_strndup(a, s, strlen(s)); }

char *ptk_arena_printf(ptk_arena *a, const char *fmt, ...) {
  ptk_buf b = {0};
  va_list ap;
  va_start(ap, fmt);
  ptk_buf_vprintf(&b, fmt, ap);
  va_end(ap);
  char *p = ptk_arena_strndup(a, ptk_buf_cstr(&b), b.len);
  ptk_buf_free(&b);
  return p;
}

size_t ptk_arena_bytes(const ptk_arena *a) { return a->total; }

/* ---- buf ------------------------------------------------------------ */

static void reserve(ptk_buf *b, size_t extra) {
  if (b->len + extra + 1 <= b->cap) return;
  size_t cap = b->cap ? b->cap : 64;
  while (cap < b->len + extra + 1) cap *= 2;
  b->data = ptk_xrealloc(b->data, cap);
  b->cap = cap;
}

void ptk_buf_putn(ptk_buf *b, const char *s, size_t n) {
  reserve(b, n);
  memcpy(b->data + b->len, s, n);
  b->len += n;
  b->data[b->len] = 0;
}

void ptk_buf_puts(ptk_buf *b, const char *s) { ptk_buf_putn(b, s, strlen(s)); }

void ptk_buf_putc(ptk_buf *b, char c) { ptk_buf_putn(b, &c, 1); }

void ptk_buf_vprintf(ptk_buf *b, const char *fmt, va_list ap) {
  va_list ap2;
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap2);
  va_end(ap2);
  if (n < 0) return;
  reserve(b, (size_t)n);
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  b->len += (size_t)n;
}

void ptk_buf_printf(ptk_buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  ptk_buf_vprintf(b, fmt, ap);
  va_end(ap);
}

void ptk_buf_clear(ptk_buf *b) {
  b->len = 0;
  if (b->data) b->data[0] = 0;
}

char *ptk_buf_take(ptk_buf *b) {
  char *p = b->data ? b->data : ptk_xstrdup("");
  b->data = NULL;
  b->len = b->cap = 0;
  return p;
}

void ptk_buf_free(ptk_buf *b) {
  free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}

const char *ptk_buf_cstr(ptk_buf *b) { return b->data ? b->data : ""; }

/* ---- files ---------------------------------------------------------- */

char *ptk_read_file_max(const char *path, size_t max, size_t *len) {
  /* O_NONBLOCK: opening a FIFO for reading must not wait for a writer. */
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return NULL;
  struct stat st;
  int e = 0;
  if (fstat(fd, &st) != 0)
    e = errno ? errno : EIO;
  else if (S_ISDIR(st.st_mode))
    e = EISDIR;
  else if (!S_ISREG(st.st_mode))
    e = PTK_ENOTREG;
  else if ((uintmax_t)st.st_size > max)
    e = EFBIG;
  else {
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) e = errno ? errno : EIO;
  }
  if (e) {
    close(fd);
    errno = e;
    return NULL;
  }
  /* Read straight into one buffer of the reported size (+1 to see the
   * end); files like /proc/... report 0 and grow it, never past max. */
  size_t cap = (size_t)st.st_size < max ? (size_t)st.st_size + 1 : max + 1, n = 0;
  if (cap < 4096) cap = 4096;
  char *buf = ptk_xmalloc(cap + 1);
  for (;;) {
    if (n == cap) {
      if (cap > max) {
        e = EFBIG;
        break;
      }
      cap = cap > max / 2 ? max + 1 : cap * 2;
      buf = ptk_xrealloc(buf, cap + 1);
    }
    ssize_t r = read(fd, buf + n, cap - n);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      e = errno ? errno : EIO;
      break;
    }
    if (r == 0) break;
    n += (size_t)r;
  }
  close(fd);
  if (!e && n > max) e = EFBIG;
  if (e) {
    free(buf);
    errno = e;
    return NULL;
  }
  buf[n] = 0;
  if (len) *len = n;
  return buf;
}

char *ptk_read_file(const char *path, size_t *len) {
  return ptk_read_file_max(path, PTK_READ_FILE_MAX, len);
}

const char *ptk_file_strerror(int e) {
  if (e == EISDIR) return "it is a directory";
  if (e == PTK_ENOTREG) return "it is not a regular file";
  return strerror(e);
}

int ptk_write_file_atomic(const char *path, const void *data, size_t len) {
  char *tmp = ptk_xasprintf("%s.tmp.%ld", path, (long)getpid());
  FILE *f = fopen(tmp, "wb");
  if (!f) {
    free(tmp);
    return -1;
  }
  size_t w = fwrite(data, 1, len, f);
  int bad = (w != len) | (fflush(f) != 0);
  bad |= fclose(f) != 0;
  if (bad || rename(tmp, path) != 0) {
    int e = errno;
    remove(tmp);
    free(tmp);
    errno = e ? e : EIO;
    return -1;
  }
  free(tmp);
  return 0;
}

size_t ptk_edit_distance(const char *a, size_t n, const char *b, size_t m) {
  if (n > 64 || m > 64) return SIZE_MAX;
  size_t row[65];
  for (size_t j = 0; j <= m; j++) row[j] = j;
  for (size_t i = 1; i <= n; i++) {
    size_t prev = row[0];
    row[0] = i;
    for (size_t j = 1; j <= m; j++) {
      size_t cur = row[j];
      size_t best = prev + (a[i - 1] != b[j - 1]);
      if (row[j] + 1 < best) best = row[j] + 1;
      if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
      row[j] = best;
      prev = cur;
    }
  }
  return row[m];
}

/* Small shared helpers: checked allocation, arenas, growable strings.
 * Out-of-memory is the one condition we treat as fatal: nothing sensible
 * can be reported to the user once malloc fails. */
#ifndef PTK_LANG_UTIL_H
#define PTK_LANG_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#define PTK_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define PTK_PRINTF(f, a) __attribute__((format(printf, f, a)))

void *ptk_xmalloc(size_t n);
/* align: a power of two; n is rounded up to a multiple of it. free() frees. */
void *ptk_xmalloc_aligned(size_t align, size_t n);
void *ptk_xcalloc(size_t n, size_t size);
void *ptk_xrealloc(void *p, size_t n);
char *ptk_xstrdup(const char *s);
char *ptk_xstrndup(const char *s, size_t n);
char *ptk_xasprintf(const char *fmt, ...) PTK_PRINTF(1, 2);

/* Growable vector of T: `PTK_VEC(int) v = {0}; ptk_vec_push(&v, 3);` */
#define PTK_VEC(T) struct { T *data; size_t len, cap; }
#define ptk_vec_push(v, x)                                                     \
  do {                                                                         \
    if ((v)->len == (v)->cap) {                                                \
      (v)->cap = (v)->cap ? (v)->cap * 2 : 8;                                  \
      (v)->data = ptk_xrealloc((v)->data, (v)->cap * sizeof(*(v)->data));      \
    }                                                                          \
    (v)->data[(v)->len++] = (x);                                               \
  } while (0)
#define ptk_vec_free(v) (free((v)->data), (v)->data = NULL, (v)->len = (v)->cap = 0)

/* Bump allocator: everything allocated from an arena is freed at once. */
typedef struct ptk_arena ptk_arena;
ptk_arena *ptk_arena_new(void);
void ptk_arena_free(ptk_arena *a);
void *ptk_arena_alloc(ptk_arena *a, size_t n); /* zeroed, 16-byte aligned */
char *ptk_arena_strndup(ptk_arena *a, const char *s, size_t n);
char *ptk_arena_strdup(ptk_arena *a, const char *s);
char *ptk_arena_printf(ptk_arena *a, const char *fmt, ...) PTK_PRINTF(2, 3);
size_t ptk_arena_bytes(const ptk_arena *a); /* bytes handed out so far */

/* Growable NUL-terminated string. */
typedef struct ptk_buf {
  char *data;
  size_t len, cap;
} ptk_buf;
void ptk_buf_putn(ptk_buf *b, const char *s, size_t n);
void ptk_buf_puts(ptk_buf *b, const char *s);
void ptk_buf_putc(ptk_buf *b, char c);
void ptk_buf_printf(ptk_buf *b, const char *fmt, ...) PTK_PRINTF(2, 3);
void ptk_buf_vprintf(ptk_buf *b, const char *fmt, va_list ap);
void ptk_buf_clear(ptk_buf *b);
char *ptk_buf_take(ptk_buf *b); /* caller frees; buffer is reset */
void ptk_buf_free(ptk_buf *b);
const char *ptk_buf_cstr(ptk_buf *b); /* never NULL */

/* Whole-file I/O. read: returns malloc'd NUL-terminated text, or NULL with
 * errno set. Only regular files are read (a device such as /dev/zero, a
 * FIFO or a socket would never end or block forever): a directory fails
 * with EISDIR, any other non-regular file with PTK_ENOTREG, and a file of
 * more than `max` bytes with EFBIG (checked before reading and while
 * reading, so a growing file cannot exhaust memory either). ptk_read_file
 * uses PTK_READ_FILE_MAX (1 GiB; the limit of source files, manifests and
 * build-folder files); .npy inputs use their own PTK_NPY_MAX_BYTES.
 * ptk_file_strerror renders such an errno ("it is a directory", "it is not
 * a regular file", else strerror). write: atomic (temp file + rename);
 * returns 0 or -1/errno. */
#define PTK_READ_FILE_MAX ((size_t)1 << 30)
#define PTK_ENOTREG ENODEV
char *ptk_read_file(const char *path, size_t *len);
char *ptk_read_file_max(const char *path, size_t max, size_t *len);
const char *ptk_file_strerror(int e);
int ptk_write_file_atomic(const char *path, const void *data, size_t len);

/* Levenshtein distance between a[0..n) and b[0..m) (insert, delete,
 * substitute: 1 each), for "did you mean …?" suggestions. SIZE_MAX when
 * either is longer than 64 bytes. */
size_t ptk_edit_distance(const char *a, size_t n, const char *b, size_t m);

#endif

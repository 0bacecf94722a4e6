/* Source files and locations. Columns are 1-based byte columns (what gcc
 * and MLIR report), lines are 1-based. */
#ifndef PTK_LANG_SOURCE_H
#define PTK_LANG_SOURCE_H

#include <stddef.h>
#include <stdint.h>

typedef struct ptk_source {
  char *path; /* as the user wrote it */
  char *text; /* NUL-terminated; may contain NULs, len is authoritative */
  size_t len;
  uint32_t *lines; /* byte offset of the start of each line */
  size_t nlines;
} ptk_source;

typedef struct ptk_loc {
  const ptk_source *src; /* NULL: no location */
  uint32_t off;          /* byte offset */
  uint32_t line;         /* 1-based */
  uint32_t col;          /* 1-based, bytes */
} ptk_loc;

/* [begin, end): end is the position just past the last byte. */
typedef struct ptk_range {
  ptk_loc begin, end;
} ptk_range;

#define PTK_SOURCE_MAX_BYTES (1u << 30)

/* NULL on failure with errno set (EFBIG for files over 1 GiB). */
ptk_source *ptk_source_load(const char *path);
ptk_source *ptk_source_from_string(const char *path, const char *text, size_t len);
void ptk_source_free(ptk_source *s);

ptk_loc ptk_source_loc(const ptk_source *s, size_t off);
/* Text of line `line` (1-based) without its newline. */
const char *ptk_source_line(const ptk_source *s, uint32_t line, size_t *len);

ptk_range ptk_range_at(ptk_loc l, uint32_t len); /* same-line range */
ptk_range ptk_range_join(ptk_range a, ptk_range b);
static inline ptk_range ptk_range_none(void) { return (ptk_range){{0, 0, 0, 0}, {0, 0, 0, 0}}; }

#endif

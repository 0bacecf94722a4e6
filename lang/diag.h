/* Diagnostics: one module collects and renders every error ptk reports.
 * Messages are captured (with a copy of the source line) when emitted, so a
 * diagnostic outlives the source it points into; the library never prints,
 * the command-line driver does (ptk_diags_print). */
#ifndef PTK_LANG_DIAG_H
#define PTK_LANG_DIAG_H

#include <stdbool.h>
#include <stdio.h>

#include "lang/source.h"
#include "lang/util.h"

typedef enum { PTK_SEV_ERROR, PTK_SEV_WARNING, PTK_SEV_NOTE } ptk_severity;

typedef struct ptk_diag {
  ptk_severity sev;
  char *path;    /* NULL: "ptk" */
  uint32_t line; /* 0: no line */
  uint32_t col;
  uint32_t ncols; /* width of the underlined range on this line (>= 1) */
  char *message;
  char *text; /* the source line (NULL when no line) */
} ptk_diag;

typedef struct ptk_diags {
  PTK_VEC(ptk_diag) items;
  size_t errors, warnings;
} ptk_diags;

ptk_diags *ptk_diags_new(void);
void ptk_diags_free(ptk_diags *d);
void ptk_diags_clear(ptk_diags *d);

/* A range whose begin.src is NULL gives "ptk: error: …". A note attaches to
 * the error or warning emitted before it. */
void ptk_error(ptk_diags *d, ptk_range r, const char *fmt, ...) PTK_PRINTF(3, 4);
void ptk_warning(ptk_diags *d, ptk_range r, const char *fmt, ...) PTK_PRINTF(3, 4);
void ptk_note(ptk_diags *d, ptk_range r, const char *fmt, ...) PTK_PRINTF(3, 4);
/* Copies from's diagnostics into d with its errors as warnings (a problem
 * that does not stop the command, reported with its location). */
void ptk_diags_append_demoted(ptk_diags *d, const ptk_diags *from);
/* Copies from's diagnostic groups (a diagnostic and the notes after it)
 * into d, except groups d already holds word for word: checking several
 * functions of one module reports a module-wide finding once. */
void ptk_diags_append_unseen(ptk_diags *d, const ptk_diags *from);
void ptk_error_loc(ptk_diags *d, ptk_loc l, const char *fmt, ...) PTK_PRINTF(3, 4);
/* A whole-file problem (cannot open, not UTF-8): "path: error: …". */
void ptk_error_file(ptk_diags *d, const char *path, const char *fmt, ...) PTK_PRINTF(3, 4);
/* A whole-file problem of a file that was read (no kernel in it, no entry
 * to run): located at its start, "path:1:1: error: …", like every other
 * error about its content. src NULL: as ptk_error_file(d, path, …). */
void ptk_error_src(ptk_diags *d, const ptk_source *src, const char *path, const char *fmt, ...)
    PTK_PRINTF(4, 5);
void ptk_diag_emitv(ptk_diags *d, ptk_severity sev, const char *path, ptk_range r, const char *fmt,
                    va_list ap);

static inline size_t ptk_diags_errors(const ptk_diags *d) { return d->errors; }

void ptk_diags_render(const ptk_diags *d, ptk_buf *out, bool color);
/* Colour only when f is a terminal and NO_COLOR is unset. */
void ptk_diags_print(const ptk_diags *d, FILE *f);

#endif

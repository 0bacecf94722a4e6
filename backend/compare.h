/* Comparing build folders (`ptk compare`, DESIGN §4) and the line diff it
 * uses.
 *
 * ptk_compare_dirs walks two folders, matches regular files by relative
 * path and sorts every path into one category:
 *   only in a / only in b   the path exists on one side only;
 *   changed / unchanged     both sides have it; text files are compared as
 *                           line sequences after dropping the lines that
 *                           match an --ignore pattern, binary files byte by
 *                           byte;
 *   skipped                 not compared, always listed with the reason:
 *                           files under a `passes_dump/` folder unless
 *                           include_passes is set, and entries that are not
 *                           regular files (symbolic links to folders, FIFOs,
 *                           sockets, devices).
 * It prints the lists (sorted by path, byte order), unified diffs of the
 * changed text files and a final summary line. Nothing is ever left out
 * silently.
 *
 * Text or binary: `.npy`, `.so`, `.o`, `.a` and files with a NUL byte in
 * their first 8 KiB are binary; everything else is text. Text files larger
 * than PTK_COMPARE_MAX_TEXT are compared by bytes and their diff is omitted
 * (the report says so).
 *
 * The diff is Myers' O((N+M)D) algorithm in linear space on interned lines,
 * with a cost guard: a sub-problem whose edit distance exceeds a budget
 * derived from the input size is emitted as a plain replacement, so the
 * diff stays correct (applying it to a gives b) but may not be minimal for
 * huge, very different inputs. Hunks follow `diff -u`: `@@ -l,s +l,s @@`,
 * `context` lines around each change, hunks closer than 2*context lines
 * merged, `\ No newline at end of file` after a last line without one.
 * Line numbers are those of the original files; when --ignore dropped
 * lines, a hunk shows only the kept lines, so its line counts may be
 * smaller than the range it spans. */
#ifndef PTK_BACKEND_COMPARE_H
#define PTK_BACKEND_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lang/util.h"

#define PTK_COMPARE_MAX_TEXT ((size_t)64 << 20)

/* ---- line filters: a set of PCRE2 patterns --------------------------------------------------- */

typedef struct ptk_regex_set ptk_regex_set;

/* Compiles every pattern (PCRE2, UTF mode that tolerates invalid UTF-8 in
 * the subject). NULL with *err set (caller frees; names the pattern, the
 * message and the offset) when one does not compile. n may be 0. */
ptk_regex_set *ptk_regex_set_new(const char *const *patterns, size_t n, char **err);
void ptk_regex_set_free(ptk_regex_set *rs);
/* Does any pattern match somewhere in s[0..n)? false for an empty set. */
bool ptk_regex_set_match(ptk_regex_set *rs, const char *s, size_t n);

/* ---- line diff --------------------------------------------------------------------------------- */

typedef enum { PTK_EDIT_EQ, PTK_EDIT_DEL, PTK_EDIT_INS } ptk_edit_kind;

/* A run of n lines: EQ a[ai..ai+n) == b[bi..bi+n); DEL removes a[ai..ai+n)
 * (bi is where b stands); INS inserts b[bi..bi+n) (ai is where a stands). */
typedef struct ptk_edit {
  ptk_edit_kind kind;
  size_t ai, bi, n;
} ptk_edit;

typedef PTK_VEC(ptk_edit) ptk_edits;

/* The edit script turning a[0..na) into b[0..nb), lines given as integer
 * ids (equal ids = equal lines). Runs are maximal and come in order; within
 * a change, deletions come before insertions. `max_cost` bounds the work
 * per middle-snake search (0: automatic). Minimal when the guard does not
 * trigger. */
void ptk_diff_ids(const uint32_t *a, size_t na, const uint32_t *b, size_t nb, size_t max_cost,
                  ptk_edits *out);

typedef struct ptk_diff_opts {
  unsigned context;      /* lines of context (diff -u: 3) */
  ptk_regex_set *ignore; /* lines to drop before diffing; may be NULL */
  size_t max_cost;       /* see ptk_diff_ids; 0: automatic */
} ptk_diff_opts;

/* Unified diff of two texts, labelled name_a / name_b in the `---`/`+++`
 * headers (written as given). Appends to `out` and returns the number of
 * hunks; 0 (nothing appended) when the texts are equal after filtering. */
size_t ptk_diff_text(const char *a, size_t alen, const char *b, size_t blen, const char *name_a,
                     const char *name_b, const ptk_diff_opts *o, ptk_buf *out);

/* ---- folders ----------------------------------------------------------------------------------- */

typedef struct ptk_compare_opts {
  bool include_passes;   /* compare files under passes_dump/ too */
  bool quiet;            /* no diffs and no lists of unchanged / skipped files */
  unsigned context;      /* lines of context in diffs (diff -u: 3) */
  ptk_regex_set *ignore; /* may be NULL */
} ptk_compare_opts;

typedef struct ptk_compare_counts {
  size_t only_a, only_b, changed, unchanged, skipped, skipped_passes, errors;
} ptk_compare_counts;

enum { PTK_COMPARE_SAME = 0, PTK_COMPARE_DIFFERENT = 1, PTK_COMPARE_TROUBLE = 2 };

/* Compares folders a and b and writes the report to `out`; problems
 * (a folder that does not exist, an unreadable file or folder) go to `err`
 * as "ptk compare: …" lines. Returns PTK_COMPARE_SAME when nothing differs,
 * PTK_COMPARE_DIFFERENT when something does, PTK_COMPARE_TROUBLE when a
 * folder is missing or something could not be read (a report is still
 * written for everything that could). `counts` may be NULL. */
int ptk_compare_dirs(const char *a, const char *b, const ptk_compare_opts *o, FILE *out, FILE *err,
                     ptk_compare_counts *counts);

#endif

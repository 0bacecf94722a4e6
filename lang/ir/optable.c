/* The op table (ops.def) as data, plus name lookup and suggestions. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "lang/ir/ir.h"

const ptk_op_info ptk_op_table[PTK_OP__COUNT] = {
#define PTK_OP(ID, NAME, FAM, OPMIN, OPMAX, RESMIN, RESMAX, NREG, SIG, ATTRS, FLAGS, VERIFY,       \
               INTERP, EMIT)                                                                       \
  [PTK_OP_##ID] = {NAME, #ID, PTK_FAM_##FAM, OPMIN, OPMAX, RESMIN, RESMAX, NREG, SIG, ATTRS, FLAGS},
#include "lang/ir/ops.def"
#undef PTK_OP
};

/* Sorted index of mnemonics for binary search. */
static int sorted[PTK_OP__COUNT];
static pthread_once_t sorted_once = PTHREAD_ONCE_INIT;

static int by_name(const void *a, const void *b) {
  return strcmp(ptk_op_table[*(const int *)a].name, ptk_op_table[*(const int *)b].name);
}

static void init_sorted(void) {
  for (int i = 0; i < PTK_OP__COUNT; i++) sorted[i] = i;
  qsort(sorted, PTK_OP__COUNT, sizeof sorted[0], by_name);
}

static int cmp_n(const char *name, size_t len, const char *s) {
  int c = strncmp(name, s, len);
  if (c) return c;
  return s[len] ? -1 : 0;
}

ptk_op_kind ptk_op_lookup(const char *name, size_t len) {
  pthread_once(&sorted_once, init_sorted);
  if (len == 6 && memcmp(name, "return", 6) == 0) return PTK_OP_FUNC_RETURN;
  if (len == 4 && memcmp(name, "call", 4) == 0) return PTK_OP_FUNC_CALL;
  if (len == 6 && memcmp(name, "module", 6) == 0) return PTK_OP_BUILTIN_MODULE;
  int lo = 0, hi = PTK_OP__COUNT;
  while (lo < hi) {
    int mid = (lo + hi) / 2;
    int c = cmp_n(name, len, ptk_op_table[sorted[mid]].name);
    if (c == 0) return (ptk_op_kind)sorted[mid];
    if (c < 0)
      hi = mid;
    else
      lo = mid + 1;
  }
  return PTK_OP__INVALID;
}

static size_t edit_distance(const char *a, size_t n, const char *b, size_t m) {
  if (n > 64 || m > 64) return (size_t)-1;
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

const char *ptk_op_suggest(const char *name, size_t len) {
  const char *best = NULL;
  size_t bestd = (size_t)-1;
  for (int i = 0; i < PTK_OP__COUNT; i++) {
    const char *cand = ptk_op_table[i].name;
    size_t d = edit_distance(name, len, cand, strlen(cand));
    /* "tadd" for "pto.tadd": compare without the dialect prefix too. */
    const char *dot = strchr(cand, '.');
    if (dot && memchr(name, '.', len) == NULL) {
      size_t d2 = edit_distance(name, len, dot + 1, strlen(dot + 1)) + 1;
      if (d2 < d) d = d2;
    }
    if (d < bestd) {
      bestd = d;
      best = cand;
    }
  }
  size_t limit = len / 3 > 2 ? len / 3 : 2;
  return bestd <= limit ? best : NULL;
}

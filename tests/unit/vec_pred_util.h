/* Helpers for the VPTO predicate/reduction/conversion/rearrangement unit
 * tests (test_vec_pred.c, test_vec_red.c, test_vec_cvt.c, test_vec_perm.c):
 * mask images as u32 words, lane access, and the public VPTO corpus
 * (../shared/corpus/vpto) read as raw bytes. Header-only. */
#ifndef PTK_TESTS_UNIT_VEC_PRED_UTIL_H
#define PTK_TESTS_UNIT_VEC_PRED_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/isa/v_cvt.h"
#include "runtime/isa/v_perm.h"
#include "runtime/isa/v_pred.h"
#include "runtime/isa/v_red.h"
#include "runtime/npy.h"
#include "runtime/ptk.h"
#include "tests/unit/api_util.h"
#include "tests/unit/ut.h"

/* Word k (32 bits, little endian) of a mask image. */
static inline uint32_t vt_word(const ptk_vmask *m, int k) {
  uint32_t w;
  memcpy(&w, m->b + 4 * k, 4);
  return w;
}
/* Checks the 8 words of a mask against want[0..7]. */
static inline void vt_check_words(const ptk_vmask *m, const uint32_t *want, const char *what) {
  for (int k = 0; k < 8; k++)
    if (!CHECK_UINT(vt_word(m, k), want[k])) printf("  %s: word %d\n", what, k);
}

static inline float vt_f32(const ptk_vreg *v, int i) {
  float f;
  memcpy(&f, v->b + 4 * i, 4);
  return f;
}
static inline void vt_set_f32(ptk_vreg *v, int i, float f) { memcpy(v->b + 4 * i, &f, 4); }
static inline uint16_t vt_u16(const ptk_vreg *v, int i) {
  uint16_t x;
  memcpy(&x, v->b + 2 * i, 2);
  return x;
}
static inline uint32_t vt_u32(const ptk_vreg *v, int i) {
  uint32_t x;
  memcpy(&x, v->b + 4 * i, 4);
  return x;
}
static inline ptk_vmask vt_all(unsigned esz) {
  ptk_vmask m;
  ptk_v_pset(&m, PTK_V_PAT_ALL, esz);
  return m;
}
static inline ptk_vmask vt_prefix(int n, unsigned esz) {
  ptk_vmask m;
  int64_t next;
  ptk_v_plt(&m, &next, n, esz);
  return m;
}

/* The corpus folder, or NULL when it is absent (tests then do not register). */
static inline const char *vt_corpus(void) {
  const char *d = au_path("../shared/corpus/vpto");
  return access(d, R_OK) == 0 ? d : NULL;
}
/* The raw bytes of <corpus>/<case>/<rel> (an .npy); *n = byte count. NULL
 * (with a failed check) when unreadable. Caller frees. */
static inline uint8_t *vt_npy(const char *cs, const char *rel, size_t *n) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s/%s", au_path("../shared/corpus/vpto"), cs, rel);
  char *err = NULL;
  ptk_tensor *t = ptk_npy_read(path, 0, &err);
  if (!CHECK(t != NULL)) {
    printf("  %s: %s\n", path, err ? err : "?");
    free(err);
    return NULL;
  }
  size_t bytes = (size_t)ptk_tensor_numel(t) * ptk_elem_size(ptk_tensor_type(t));
  uint8_t *b = malloc(bytes ? bytes : 1);
  memcpy(b, ptk_tensor_data(t), bytes);
  ptk_tensor_free(t);
  *n = bytes;
  return b;
}

/* Registers fn as "<file stem>.<name>" only when the corpus is present. */
#define VT_CORPUS_TEST(name)                                                                       \
  static void vt_corpus_##name(void);                                                              \
  __attribute__((constructor)) static void vt_reg_##name(void) {                                  \
    if (vt_corpus()) ut_register(__FILE__, #name, vt_corpus_##name);                               \
  }                                                                                                \
  static void vt_corpus_##name(void)

#endif

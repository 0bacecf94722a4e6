/* The op table (ops.def) as data, plus name lookup and suggestions. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "lang/ir/ir.h"

#define CALL(SHAPE, SUB) PTK_LOWER_CALL, PTK_CALL_##SHAPE, #SUB, NULL
#define CALL0(SHAPE) PTK_LOWER_CALL, PTK_CALL_##SHAPE, NULL, NULL
#define HAND PTK_LOWER_HAND, PTK_CALL__NONE, NULL, NULL
#define NOP PTK_LOWER_NOP, PTK_CALL__NONE, NULL, NULL
#define NOEXEC(why) PTK_LOWER_NOEXEC, PTK_CALL__NONE, NULL, why
const ptk_op_info ptk_op_table[PTK_OP__COUNT] = {
#define PTK_OP(ID, NAME, FAM, OPMIN, OPMAX, RESMIN, RESMAX, NREG, SIG, ATTRS, FLAGS, LOWER,        \
               PIPE)                                                                               \
  [PTK_OP_##ID] = {NAME,  #ID,   PTK_FAM_##FAM, OPMIN, OPMAX, RESMIN,           RESMAX,            \
                   NREG,  SIG,   ATTRS,         FLAGS, LOWER, PTK_PIPEC_##PIPE},
#include "lang/ir/ops.def"
#undef PTK_OP
};
#undef CALL
#undef CALL0
#undef HAND
#undef NOP
#undef NOEXEC

const ptk_call_info ptk_call_table[PTK_CALL__COUNT] = {
#define PTK_CALL(ID, EXPR, ATTRS, MAXIN, CHECK, NCHECK)                                            \
  [PTK_CALL_##ID] = {#ID, #EXPR, ATTRS, MAXIN, PTK_CHECK_##CHECK, NCHECK},
#include "lang/ir/calls.def"
#undef PTK_CALL
};

/* Hash table of mnemonics (open addressing, built once). */
#define NSLOTS 2048 /* power of two, > 2 * PTK_OP__COUNT */
static int16_t slots[NSLOTS];
static uint8_t name_len[PTK_OP__COUNT];
static pthread_once_t slots_once = PTHREAD_ONCE_INIT;

static uint32_t name_hash(const char *s, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 16777619u;
  return h;
}

static void init_slots(void) {
  _Static_assert(NSLOTS > 2 * PTK_OP__COUNT, "grow NSLOTS");
  for (int i = 0; i < NSLOTS; i++) slots[i] = -1;
  for (int k = 0; k < PTK_OP__COUNT; k++) {
    size_t n = strlen(ptk_op_table[k].name);
    name_len[k] = (uint8_t)n;
    uint32_t i = name_hash(ptk_op_table[k].name, n) & (NSLOTS - 1);
    while (slots[i] >= 0) i = (i + 1) & (NSLOTS - 1);
    slots[i] = (int16_t)k;
  }
}

ptk_op_kind ptk_op_lookup(const char *name, size_t len) {
  pthread_once(&slots_once, init_slots);
  if (len == 6 && memcmp(name, "return", 6) == 0) return PTK_OP_FUNC_RETURN;
  if (len == 4 && memcmp(name, "call", 4) == 0) return PTK_OP_FUNC_CALL;
  if (len == 6 && memcmp(name, "module", 6) == 0) return PTK_OP_BUILTIN_MODULE;
  if (len > 255) return PTK_OP__INVALID;
  for (uint32_t i = name_hash(name, len) & (NSLOTS - 1); slots[i] >= 0; i = (i + 1) & (NSLOTS - 1)) {
    int k = slots[i];
    if (name_len[k] == len && memcmp(ptk_op_table[k].name, name, len) == 0) return (ptk_op_kind)k;
  }
  return PTK_OP__INVALID;
}

const char *ptk_op_suggest(const char *name, size_t len) {
  const char *best = NULL;
  size_t bestd = (size_t)-1;
  for (int i = 0; i < PTK_OP__COUNT; i++) {
    const char *cand = ptk_op_table[i].name;
    size_t d = ptk_edit_distance(name, len, cand, strlen(cand));
    /* "tadd" for "pto.tadd": compare without the dialect prefix too. */
    const char *dot = strchr(cand, '.');
    if (dot && memchr(name, '.', len) == NULL) {
      size_t d2 = ptk_edit_distance(name, len, dot + 1, strlen(dot + 1));
      if (d2 != SIZE_MAX && d2 + 1 < d) d = d2 + 1;
    }
    if (d < bestd) {
      bestd = d;
      best = cand;
    }
  }
  size_t limit = len / 3 > 2 ? len / 3 : 2;
  return bestd <= limit ? best : NULL;
}

bool ptk_op_kind_has_outs(ptk_op_kind k) {
  if (k < 0 || k >= PTK_OP__COUNT || ptk_op_table[k].family != PTK_FAM_DPS) return false;
  const char *c = strchr(ptk_op_table[k].sig, ':');
  return c && c[1] && c[1] != '>';
}

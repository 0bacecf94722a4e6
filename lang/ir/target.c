/* Targets and their on-chip memories (see target.h). */
#include "lang/ir/target.h"

#include <string.h>

const char *ptk_target_name(ptk_target t) { return t == PTK_TARGET_A5 ? "a5" : "a3"; }

bool ptk_target_parse(const char *s, ptk_target *out) {
  if (!s) return false;
  if (!strcmp(s, "a3") || !strcmp(s, "a2a3") || !strcmp(s, "a2") || !strcmp(s, "a3sim") ||
      !strcmp(s, "a2a3sim")) {
    *out = PTK_TARGET_A3;
    return true;
  }
  if (!strncmp(s, "a5", 2)) {
    *out = PTK_TARGET_A5;
    return true;
  }
  return false;
}

uint32_t ptk_target_capacity(ptk_target t, ptk_space loc) {
  bool a5 = t == PTK_TARGET_A5;
  switch (loc) {
  case PTK_SPACE_VEC: return (a5 ? 248u : 192u) * 1024u;
  case PTK_SPACE_MAT: return 512u * 1024u;
  case PTK_SPACE_LEFT:
  case PTK_SPACE_RIGHT: return 64u * 1024u;
  case PTK_SPACE_ACC: return (a5 ? 256u : 128u) * 1024u;
  case PTK_SPACE_BIAS: return 64u * 1024u;
  case PTK_SPACE_SCALING: return (a5 ? 248u : 192u) * 1024u;
  default: return 0;
  }
}

const char *ptk_mem_name(ptk_space loc) {
  switch (loc) {
  case PTK_SPACE_VEC: return "UB";
  case PTK_SPACE_MAT: return "L1";
  case PTK_SPACE_LEFT: return "L0A";
  case PTK_SPACE_RIGHT: return "L0B";
  case PTK_SPACE_ACC: return "L0C";
  case PTK_SPACE_BIAS: return "BT";
  case PTK_SPACE_SCALING: return "FB";
  default: return "GM";
  }
}

int ptk_op_tmp_operand(const ptk_op *op, ptk_target t, bool *written) {
  uint32_t fl = ptk_op_table[op->kind].flags;
  *written = false;
  if (!(fl & (PTK_OPF_TMP | PTK_OPF_TMP_A3)) || op->nsegs != 2) return -1;
  const ptk_op_desc *d = ptk_op_desc_of(op->kind);
  int k = -1;
  for (uint8_t i = 0; i < d->nsig; i++)
    if (d->sig[i].group == 0 && !d->sig[i].result) {
      if (d->sig[i].kind == 't') k = i;
    }
  if (k < 0 || (uint32_t)k >= op->segs[0]) return -1;
  *written = (fl & PTK_OPF_TMP) || t != PTK_TARGET_A5;
  return k;
}

/* Dominators of a multi-block region (function bodies with cf.br /
 * cf.cond_br): the verifier walks the dominator tree so a value is visible
 * exactly in the blocks its block dominates. Regions are small; sets of
 * blocks are 64-bit masks. */
#include <string.h>

#include "lang/ir/ir.h"

/* The successors of b: those of its last op (a branch), else none. */
static uint32_t succs_of(const ptk_block *b, ptk_block *const **out) {
  const ptk_op *t = b->last;
  if (!t || !t->nsuccs) return 0;
  *out = t->succs;
  return t->nsuccs;
}

static uint32_t index_of(const ptk_block *const *blocks, uint32_t n, const ptk_block *b) {
  for (uint32_t i = 0; i < n; i++)
    if (blocks[i] == b) return i;
  return UINT32_MAX;
}

uint32_t ptk_region_idoms(const ptk_region *r, const ptk_block **blocks, uint32_t *idom, uint32_t cap) {
  uint32_t n = 0;
  for (const ptk_block *b = r->first; b; b = b->next) {
    if (n == cap || n == 64) return 0;
    blocks[n++] = b;
  }
  if (!n) return 0;
  uint64_t all = n == 64 ? ~UINT64_C(0) : (UINT64_C(1) << n) - 1;
  uint64_t preds[64] = {0}, dom[64];
  uint64_t reach = 1, seen = 0;
  for (uint32_t i = 0; i < n; i++) {
    ptk_block *const *s = NULL;
    uint32_t ns = succs_of(blocks[i], &s);
    for (uint32_t k = 0; k < ns; k++) {
      uint32_t j = index_of(blocks, n, s[k]);
      if (j != UINT32_MAX) preds[j] |= UINT64_C(1) << i;
    }
  }
  while (reach != seen) { /* blocks reachable from the entry */
    seen = reach;
    for (uint32_t j = 0; j < n; j++)
      if (preds[j] & reach) reach |= UINT64_C(1) << j;
  }
  for (uint32_t i = 0; i < n; i++) dom[i] = i == 0 ? 1 : all;
  for (bool changed = true; changed;) {
    changed = false;
    for (uint32_t j = 1; j < n; j++) {
      if (!(reach >> j & 1)) continue;
      uint64_t d = all;
      for (uint32_t i = 0; i < n; i++)
        if ((preds[j] & reach) >> i & 1) d &= dom[i];
      d |= UINT64_C(1) << j;
      if (d != dom[j]) {
        dom[j] = d;
        changed = true;
      }
    }
  }
  idom[0] = 0;
  for (uint32_t j = 1; j < n; j++) {
    /* unreachable blocks hang off the entry: they see what it defines */
    uint32_t best = 0, bestn = 0;
    if (reach >> j & 1)
      for (uint32_t i = 0; i < n; i++) {
        if (i == j || !(dom[j] >> i & 1)) continue;
        uint32_t c = (uint32_t)__builtin_popcountll(dom[i]);
        if (c > bestn) {
          best = i;
          bestn = c;
        }
      }
    idom[j] = best;
  }
  return n;
}

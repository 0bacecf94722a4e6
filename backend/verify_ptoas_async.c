/* ptoas's shape rule for the asynchronous GM transfers (PTO.cpp
 * verifyAsyncFlatContiguous1DGMViewLike): pto.comm.tput_async /
 * tget_async (dst, src) and pto.tprefetch_async (src) move one flat,
 * contiguous run: every dimension but the last is 1, and a memref's
 * strides are the packed row-major ones. Views with dynamic sizes or
 * strides are left to run time, as ptoas does for dynamic strides.
 * Also the GM-slot pipes' entries (PTO.cpp
 * verifyTensorEntryMatchesInternalPipeInit). */
#include <stdlib.h>
#include <string.h>

#include "backend/verify_int.h"

#define MAXR 8

/* memref<AxBx…xT[, strided<[s…], offset: o>][, space]>: the sizes, and the
 * strides when a strided layout gives them all statically. false when
 * the text is not a memref with static sizes. */
static bool memref_dims(const char *t, int64_t *dims, uint32_t *rank, int64_t *strides, bool *has_strides,
                        bool *dyn_layout) {
  if (strncmp(t, "memref<", 7) != 0) return false;
  const char *p = t + 7;
  *rank = 0;
  *has_strides = *dyn_layout = false;
  while ((*p >= '0' && *p <= '9') || *p == '?') {
    if (*p == '?' || *rank == MAXR) return false;
    char *e;
    dims[(*rank)++] = strtoll(p, &e, 10);
    if (*e != 'x') return false;
    p = e + 1;
  }
  const char *s = strstr(p, "strided<[");
  if (!s) return true; /* identity layout: packed row-major */
  s += 9;
  uint32_t n = 0;
  while (*s && *s != ']') {
    while (*s == ' ' || *s == ',') s++;
    if (*s == '?') {
      *dyn_layout = true;
      return true;
    }
    char *e;
    long long v = strtoll(s, &e, 10);
    if (e == s || n == MAXR) return false;
    strides[n++] = v;
    s = e;
    while (*s == ' ') s++;
  }
  const char *o = strstr(s, "offset:");
  if (o && strchr(o, '?') && strchr(o, '?') < strchr(o, '>')) *dyn_layout = true;
  if (n != *rank) return false;
  *has_strides = true;
  return true;
}

static void check_flat(vctx *c, ptk_op *op, uint32_t i, const char *name) {
  if (i >= op->noperands || !op->operands[i] || !op->operands[i]->type) return;
  const ptk_type *t = op->operands[i]->type;
  int64_t dims[MAXR], strides[MAXR];
  uint32_t rank = 0;
  bool packed = true;
  if (t->kind == PTK_TY_OPAQUE && t->text) {
    bool has, dyn;
    if (!memref_dims(t->text, dims, &rank, strides, &has, &dyn) || dyn) return;
    if (has) {
      packed = rank > 0 && strides[rank - 1] == 1;
      for (int k = (int)rank - 2; k >= 0 && packed; k--) packed = strides[k] == strides[k + 1] * dims[k + 1];
    }
  } else if (t->kind == PTK_TY_TENSOR_VIEW || t->kind == PTK_TY_PART_VIEW) {
    if (t->rank > MAXR) return;
    rank = t->rank;
    for (uint32_t k = 0; k < rank; k++) {
      if (t->dims[k] == PTK_DYN) return;
      dims[k] = t->dims[k];
    }
  } else {
    return;
  }
  if (rank == 0) return;
  bool flat = packed;
  for (uint32_t k = 0; k + 1 < rank && flat; k++) flat = dims[k] == 1;
  if (!flat)
    VERR(c, op, "'%s' %s %s has type %s: it moves one flat contiguous run (all dimensions but the last 1%s)",
         vop_name(op), voperand(c, op, i), name, vty(c, t), packed ? "" : ", packed strides");
}

/* A !pto.tensor_view entry of tpush / tpop / talloc (operand 0) on a pipe
 * made by pto.initialize_l2g2l_pipe (operand 1) is one GM slot: the slot
 * tensor's (gm_addr's) element type, rank and static sizes. */
static void check_gm_pipe_entry(vctx *c, ptk_op *op) {
  if (op->noperands < 2 || !op->operands[0] || !op->operands[1]) return;
  const ptk_type *e = op->operands[0]->type;
  const ptk_op *init = op->operands[1]->def;
  if (!e || e->kind != PTK_TY_TENSOR_VIEW || !init || init->kind != PTK_OP_INITIALIZE_L2G2L_PIPE ||
      init->noperands < 1 || !init->operands[0] || !init->operands[0]->type)
    return;
  const ptk_type *g = init->operands[0]->type;
  int64_t dims[MAXR], strides[MAXR];
  uint32_t rank;
  if (g->kind == PTK_TY_TENSOR_VIEW) {
    if (g->elem != e->elem) {
      VERR(c, op, "'%s' entry %s does not hold the elements of the pipe's GM slots %s", vop_name(op), vty(c, e),
           vty(c, g));
      return;
    }
    if (g->rank > MAXR) return;
    rank = g->rank;
    for (uint32_t k = 0; k < rank; k++) dims[k] = g->dims[k];
  } else if (g->kind == PTK_TY_OPAQUE && g->text) {
    bool has, dyn;
    if (!memref_dims(g->text, dims, &rank, strides, &has, &dyn)) return;
  } else {
    return;
  }
  if (rank != e->rank) {
    VERR(c, op, "'%s' entry %s has rank %u, but the pipe's GM slots %s have rank %u", vop_name(op), vty(c, e),
         e->rank, vty(c, g), rank);
    return;
  }
  for (uint32_t k = 0; k < rank; k++)
    if (dims[k] != PTK_DYN && e->dims[k] != PTK_DYN && dims[k] != e->dims[k]) {
      VERR(c, op, "'%s' entry %s has size %lld in dimension %u, but the pipe's GM slots %s have %lld", vop_name(op),
           vty(c, e), (long long)e->dims[k], k, vty(c, g), (long long)dims[k]);
      vnote_def(c, op->operands[1]);
      return;
    }
}

void vop_check_ptoas_async(vctx *c, ptk_op *op) {
  if (op->kind == PTK_OP_TPUSH || op->kind == PTK_OP_TPOP || op->kind == PTK_OP_TALLOC) check_gm_pipe_entry(c, op);
  switch (op->kind) {
  case PTK_OP_COMM_TPUT_ASYNC:
  case PTK_OP_COMM_TGET_ASYNC:
    check_flat(c, op, 0, "(dst)");
    check_flat(c, op, 1, "(src)");
    break;
  case PTK_OP_TPREFETCH_ASYNC: check_flat(c, op, 0, "(src)"); break;
  default: break;
  }
}

/* ptoas's rules for the cube/vector pipe ops (lib/PTO/IR/PTO.cpp:
 * verifyFrontendKernelKind, verifyFrontendSplitOp): each end of a pipe runs
 * on one core type, so its ops sit in a function of that kernel kind
 * (`pto.kernel_kind`), in a `pto.section.cube` / `pto.section.vector` of
 * it, or in a tile-op helper (`pto.tileop.helper`, checked where it is
 * inlined). A split is 0 (none), 1 or 2, ids are non-negative, and
 * local_slot_num is an A2/A3 attribute. A tile-op helper holds no pipe
 * synchronization. The rules across functions are in
 * verify_ptoas_pipe_peers.c (peers, split usage, flag ids),
 * verify_ptoas_peer.c (reserved buffers) and verify_ptoas_fixpipe.c. */
#include <inttypes.h>
#include <string.h>

#include "backend/verify_int.h"

/* "cube" / "vector" for the ops of one end of a pipe, NULL for others. */
static const char *pipe_core(const ptk_op *op) {
  switch (op->kind) {
  case PTK_OP_AIC_INITIALIZE_PIPE:
  case PTK_OP_TPUSH_TO_AIV:
  case PTK_OP_TPOP_FROM_AIV:
  case PTK_OP_TFREE_FROM_AIV: return "cube";
  case PTK_OP_AIV_INITIALIZE_PIPE:
  case PTK_OP_TPUSH_TO_AIC:
  case PTK_OP_TPOP_FROM_AIC:
  case PTK_OP_TFREE_FROM_AIC: return "vector";
  default: return NULL;
  }
}

static bool flag_attr(const ptk_attr *a) { return a && (a->kind == PTK_ATTR_UNIT || (a->kind == PTK_ATTR_BOOL && a->b)); }

/* The core type the op runs on: its innermost section's, else its
 * function's kernel kind; "" for a tile-op helper (any), NULL when unknown. */
static const char *context_core(vctx *c, const ptk_op *op) {
  for (const ptk_op *p = op; p && p->block && p->block->region;) {
    p = ptk_region_parent_op(p->block->region);
    if (!p) break;
    if (p->kind == PTK_OP_SECTION_CUBE) return "cube";
    if (p->kind == PTK_OP_SECTION_VECTOR) return "vector";
  }
  if (!c->func) return NULL;
  if (flag_attr(ptk_func_attr(c->func, "pto.tileop.helper"))) return "";
  const ptk_attr *k = ptk_func_attr(c->func, "pto.kernel_kind");
  if (k && k->kind == PTK_ATTR_ENUM) return k->en.value;
  return NULL;
}

/* PTOMaterializeTileOpSections (isForbiddenPipeOperation): a tile-op
 * helper is inlined into code of either core type and synchronized by its
 * caller, so it holds no synchronization or pipe setup of its own. */
static bool helper_forbidden(const ptk_op *op) {
  switch (op->kind) {
  case PTK_OP_MEM_BAR:
  case PTK_OP_SPRCLR:
  case PTK_OP_DCCI: return false; /* VPTO memory ops, not pipe sync */
  case PTK_OP_DSB:
  case PTK_OP_AIC_INITIALIZE_PIPE:
  case PTK_OP_AIV_INITIALIZE_PIPE:
  case PTK_OP_INITIALIZE_L2L_PIPE: return true;
  default: return (ptk_op_info_of(op->kind)->flags & PTK_OPF_SYNC) != 0;
  }
}

/* The lowered pipe inits' shape (ptoas verifyPipeShape): an explicit
 * flag_base places the pipe's 2 flag ids (4 with dir_mask 3) within the 16
 * hardware ones. */
static void vfy_pipe_shape(vctx *c, ptk_op *op) {
  int64_t dir = 0, v = 0;
  if (ptk_attr_get_int(ptk_op_attr(op, "dir_mask"), &dir) && dir != 1 && dir != 2 && dir != 3) {
    VERR(c, op, "'%s' dir_mask must be 1, 2 or 3, but is %" PRId64, vop_name(op), dir);
    return;
  }
  static const char *const positive[] = {"slot_size", "slot_num"};
  for (size_t i = 0; i < PTK_ARRAY_LEN(positive); i++)
    if (ptk_attr_get_int(ptk_op_attr(op, positive[i]), &v) && v <= 0) {
      VERR(c, op, "'%s' %s must be greater than 0, but is %" PRId64, vop_name(op), positive[i], v);
      return;
    }
  if (!ptk_attr_get_int(ptk_op_attr(op, "flag_base"), &v)) return;
  int64_t width = dir == 3 ? 4 : 2;
  if (v < 0 || v > 16 - width)
    VERR(c, op, "'%s' flag_base %" PRId64 " must be in 0..%" PRId64 ": its %" PRId64 " flag ids must fit in the 16 "
                "hardware ones", vop_name(op), v, 16 - width, width);
}

/* ptoas verifyFrontendPopOp / verifyAivSubblockIdOperand: a pop's valid_row
 * and valid_col come together and give a tile with a dynamic valid shape;
 * aiv_subblockid (the last operand) addresses one vector sub-block of a
 * split pipe, so it needs split 1 or 2 and a 'vec' tile entry. */
static bool check_pop_operands(vctx *c, ptk_op *op) {
  bool pop = op->kind == PTK_OP_TPOP_FROM_AIC || op->kind == PTK_OP_TPOP_FROM_AIV;
  bool push = op->kind == PTK_OP_TPUSH_TO_AIC;
  if (!pop && !push) return true;
  uint32_t nvalid = 0, nsub = 0;
  for (uint32_t i = 0; i < op->noperands; i++) {
    const ptk_type *t = op->operands[i]->type;
    if (pop && ptk_type_is_scalar(t, PTK_DT_INDEX)) nvalid++;
    else if (t && t->kind == PTK_TY_SCALAR) nsub++;
  }
  const ptk_type *entry = pop ? op->results[0].type : op->operands[0]->type;
  if (nvalid == 1) {
    VERR(c, op, "'%s' takes valid_row and valid_col together", vop_name(op));
    return false;
  }
  if (nvalid && (!entry || entry->kind != PTK_TY_TILE_BUF || entry->tile.v_row != PTK_DYN ||
                 entry->tile.v_col != PTK_DYN)) {
    VERR(c, op, "'%s' with valid_row and valid_col pops a tile with a dynamic valid shape (valid=?x?), but the "
                "result has type %s", vop_name(op), vty(c, entry));
    return false;
  }
  int64_t split = 0;
  const ptk_attr *a = ptk_op_attr(op, "split");
  if (nsub && (!a || !ptk_attr_get_int(a, &split) || split == 0)) {
    VERR(c, op, "'%s' takes aiv_subblockid only with split 1 or 2", vop_name(op));
    return false;
  }
  if (nsub && (!entry || entry->kind != PTK_TY_TILE_BUF || entry->tile.loc != PTK_SPACE_VEC)) {
    VERR(c, op, "'%s' takes aiv_subblockid only for a 'vec' tile, not %s", vop_name(op), vty(c, entry));
    return false;
  }
  return true;
}

void vop_check_ptoas_pipe(vctx *c, ptk_op *op) {
  if (op->kind == PTK_OP_INITIALIZE_L2L_PIPE || op->kind == PTK_OP_INITIALIZE_L2G2L_PIPE) vfy_pipe_shape(c, op);
  if (c->func && flag_attr(ptk_func_attr(c->func, "pto.tileop.helper")) && helper_forbidden(op)) {
    VERR(c, op, "'%s' cannot be in tile-op helper '@%s': a helper is synchronized by the code it is inlined into",
         vop_name(op), c->func->name);
    return;
  }
  const char *want = pipe_core(op);
  if (!want || !check_pop_operands(c, op)) return;
  const char *got = context_core(c, op);
  if (!got && c->func) {
    VERR(c, op, "'%s' runs on the %s core, so it must be inside a %s kernel function or a pto.section.%s, but "
                "'@%s' names no pto.kernel_kind", vop_name(op), want, want, want, c->func->name);
    return;
  }
  if (got && *got && strcmp(got, want) != 0) {
    VERR(c, op, "'%s' runs on the %s core, so it must be inside a %s kernel function or a pto.section.%s, but it "
                "is in %s code", vop_name(op), want, want, want, got);
    return;
  }
  /* A5's pipe lowering has no separate local slot count. */
  if ((op->kind == PTK_OP_AIC_INITIALIZE_PIPE || op->kind == PTK_OP_AIV_INITIALIZE_PIPE) && vptoas_arch(c) == 5 &&
      ptk_op_attr(op, "local_slot_num")) {
    VERR(c, op, "'%s' local_slot_num is only supported on A2/A3", vop_name(op));
    return;
  }
  int64_t v;
  const ptk_attr *a = ptk_op_attr(op, "id");
  if (a && ptk_attr_get_int(a, &v) && v < 0) {
    VERR(c, op, "'%s' id must be non-negative, but is %" PRId64, vop_name(op), v);
    return;
  }
  a = ptk_op_attr(op, "split");
  if (a && ptk_attr_get_int(a, &v) && (v < 0 || v > 2)) {
    VERR(c, op, "'%s' split must be 0, 1 or 2, but is %" PRId64, vop_name(op), v);
    return;
  }
}

/* ptoas's rules for the cube/vector pipe ops (lib/PTO/IR/PTO.cpp:
 * verifyFrontendKernelKind, verifyFrontendSplitOp): each end of a pipe runs
 * on one core type, so its ops sit in a function of that kernel kind
 * (`pto.kernel_kind`), in a `pto.section.cube` / `pto.section.vector` of
 * it, or in a tile-op helper (`pto.tileop.helper`, checked where it is
 * inlined). A split is 0 (none), 1 or 2, ids are non-negative, and
 * local_slot_num is an A2/A3 attribute. A tile-op helper holds no pipe
 * synchronization. The
 * rules across functions (a producer's init matched by its peer consumer's,
 * reserved buffers traced to their peer, fixpipe quantization contracts)
 * are ptoas's pipe lowering, which ptk does not have, and are not checked. */
#include <stdlib.h>
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

/* Flag ids of a function's pipes (ptoas PTOResolveReservedBuffersPass):
 * pipes without a flag_base take consecutive even bases in the order of
 * their ids (then of the text), 2 ids each, 4 with dir_mask 3; all must fit
 * in the 16 hardware flag ids. */
enum { MAX_FLAG_IDS = 16 };
typedef struct pipe_init {
  const ptk_op *op;
  int64_t id, width;
  uint32_t order;
} pipe_init;
typedef struct pipe_inits {
  PTK_VEC(pipe_init) v;
} pipe_inits;

static bool collect_init(ptk_op *op, void *ctx) {
  pipe_inits *p = ctx;
  if (op->kind != PTK_OP_AIC_INITIALIZE_PIPE && op->kind != PTK_OP_AIV_INITIALIZE_PIPE) return true;
  if (ptk_op_attr(op, "flag_base")) return true; /* placed by the author */
  int64_t id = 0, dir = 1;
  ptk_attr_get_int(ptk_op_attr(op, "id"), &id);
  ptk_attr_get_int(ptk_op_attr(op, "dir_mask"), &dir);
  pipe_init pi = {op, id, dir == 3 ? 4 : 2, (uint32_t)p->v.len};
  ptk_vec_push(&p->v, pi);
  return true;
}
static int cmp_init(const void *a, const void *b) {
  const pipe_init *x = a, *y = b;
  if (x->id != y->id) return x->id < y->id ? -1 : 1;
  return x->order < y->order ? -1 : x->order > y->order;
}

/* The flag ids op's pipe would end at, or 0 when op needs none. */
static int64_t flag_end(vctx *c, const ptk_op *op) {
  pipe_inits p = {{0}};
  ptk_walk_func(c->func, collect_init, &p);
  if (p.v.len) qsort(p.v.data, p.v.len, sizeof *p.v.data, cmp_init);
  int64_t base = 0, end = 0;
  for (size_t i = 0; i < p.v.len; i++) {
    base = (base + 1) & ~(int64_t)1;
    if (p.v.data[i].op == op) end = base + p.v.data[i].width;
    base += p.v.data[i].width;
  }
  ptk_vec_free(&p.v);
  return end;
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
  if (c->func && flag_attr(ptk_func_attr(c->func, "pto.tileop.helper")) && helper_forbidden(op)) {
    VERR(c, op, "'%s' cannot be in tile-op helper '@%s': a helper is synchronized by the code it is inlined into",
         vop_name(op), c->func->name);
    return;
  }
  const char *want = pipe_core(op);
  if (!want || !check_pop_operands(c, op)) return;
  /* ptoas also rejects a pipe op in a function that names no kernel kind;
   * ptk's own op sweeps (lit/pto/ptoas_pipe_forms.pto,
   * sweep_pipes_generic.pto, lit/run/noexec.pto) put both ends in one such
   * function, so only code of the other core is rejected yet. */
  const char *got = context_core(c, op);
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
  if (c->func && (op->kind == PTK_OP_AIC_INITIALIZE_PIPE || op->kind == PTK_OP_AIV_INITIALIZE_PIPE) &&
      flag_end(c, op) > MAX_FLAG_IDS)
    VERR(c, op, "'%s': the pipes of '@%s' need more than the %d hardware flag ids (2 per pipe, 4 with dir_mask 3); "
                "this one would end at flag id %" PRId64,
         vop_name(op), c->func->name, MAX_FLAG_IDS, flag_end(c, op));
}

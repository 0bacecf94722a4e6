/* Private to the verifier (backend/verify*.c). */
#ifndef PTK_BACKEND_VERIFY_INT_H
#define PTK_BACKEND_VERIFY_INT_H

#include "backend/verify.h"

typedef struct vctx {
  ptk_diags *d;
  ptk_module *top;
  size_t errors0; /* error count when the run started */
  /* Scoping: per value uid, 0 = not defined yet, 1 = visible, 2 = defined
   * in a region that has been left. `stack` holds the uids made visible, so
   * leaving a block pops exactly what it defined (linear overall). */
  uint32_t nvalues;
  uint8_t *state;
  uint32_t *stack;
  uint32_t sp;
  ptk_func *func; /* function being verified */
  /* The compile mode (ptoas --pto-level): 3 explicit (level3), 2 auto;
   * `forced` when the caller said so, else inferred from the file. */
  int level;
  bool level_forced;
  /* Per-op scratch: the SIG letter each operand was matched with. */
  char *letters;
  uint32_t cap_letters;
  /* Strings made for messages (type spellings…), freed at the end. */
  PTK_VEC(char *) strs;
} vctx;

/* ---- messages ---- */
const char *vop_name(const ptk_op *op);      /* "pto.tadd" */
const char *vty(vctx *c, const ptk_type *t); /* type spelling (kept until the run ends) */
const char *vstr(vctx *c, char *owned);      /* keep a malloc'd string until the run ends */
/* "operand #1 (ins[1])", "operand #0 (condition)", "operand #2". */
const char *voperand(vctx *c, const ptk_op *op, uint32_t i);
/* "'%x'" / "result #0 of 'arith.addi'" / "argument #1 of '@f'". */
const char *vvalue(vctx *c, const ptk_value *v);
/* Where a value is defined (its name, else its defining op / block). */
ptk_range vvalue_range(const ptk_value *v);
ptk_range vfunc_range(const ptk_func *f); /* the function's symbol */
#define VERR(c, op, ...) ptk_error((c)->d, ptk_op_range(op), __VA_ARGS__)
/* Note pointing at where v is defined ("'%x' is defined here"). */
void vnote_def(vctx *c, const ptk_value *v);
const char *vplural(uint64_t n, const char *one, const char *many);

/* ---- tile helpers ---- */
static inline const ptk_tile_desc *vtile(const ptk_value *v) {
  return v && v->type && v->type->kind == PTK_TY_TILE_BUF ? &v->type->tile : NULL;
}
bool vtile_dtype(const ptk_value *v, ptk_dtype *dt);

/* ---- op-specific checks (verify_ops.c) ---- */
/* Checks that need the operand kinds to be right (called only then). */
void vop_check(vctx *c, ptk_op *op);
/* Region structure before the regions are walked (block arguments…). */
void vop_regions_pre(vctx *c, ptk_op *op);
/* Terminators after the regions were walked: term[i] is the first
 * terminator op found in region i's (single) block, or NULL. */
void vop_regions_post(vctx *c, ptk_op *op, ptk_op *const *term);
/* Attribute kinds of known attribute names; enum values. */
void vop_check_attrs(vctx *c, ptk_op *op);
/* The VPTO rules of a VOP-family op (verify_vpto.c). */
void vop_check_vpto(vctx *c, ptk_op *op);
void vop_check_castptr(vctx *c, ptk_op *op);
/* The FIXPIPE stores out of L0C (verify_vpto_fixpipe.c). */
void vop_check_vpto_fixpipe(vctx *c, ptk_op *op);
/* The SIMT scalar ops: ldg/stg, shuffles, redux, atomics, convert (verify_vpto_simt.c). */
void vop_check_vpto_simt(vctx *c, ptk_op *op);
/* Rules from ptoas's verifiers (verify_ptoas.c): per op, and per function. */
void vop_check_ptoas(vctx *c, ptk_op *op);
void vfunc_check_ptoas(vctx *c, ptk_func *f);
/* Tile ops beside explicit sections in a function of unknown kind (verify_ptoas_sections.c). */
void vfunc_check_ptoas_sections(vctx *c, ptk_func *f);
/* The module-level backend attributes (verify_ptoas_backend.c). */
void vmodule_check_ptoas(vctx *c, const ptk_module *m);
/* The function a func.call in `from` names (@f, or @outer::@inner); NULL if none. */
ptk_func *vresolve_callee(vctx *c, const ptk_func *from, const char *name);
/* More ptoas rules, by op group: data movement (textract, textract_fp,
 * tinsert, tfillpad; verify_ptoas_move.c), tmp operands and element
 * widths of vector ops (verify_ptoas_tmp.c). Called by vop_check_ptoas. */
void vop_check_ptoas_move(vctx *c, ptk_op *op);
void vop_check_ptoas_tmp(vctx *c, ptk_op *op);
/* The core type each end of a cube/vector pipe runs on (verify_ptoas_pipe.c). */
void vop_check_ptoas_pipe(vctx *c, ptk_op *op);
/* The rules across a module's pipe inits: split usage, peer pairs, flag ids
 * (verify_ptoas_pipe_peers.c). Once per module tree. */
void vmodule_check_ptoas_pipes(vctx *c, ptk_module *m);
/* Fixpipe pipes: producer/consumer contract, entry types, quant state
 * (verify_ptoas_fixpipe.c). */
void vop_check_ptoas_fixpipe(vctx *c, ptk_op *op);
/* Reserved buffers and peer_func references (verify_ptoas_peer.c). */
void vop_check_ptoas_peer(vctx *c, ptk_op *op);
/* The function an import_reserved_buffer's peer_func names (ptoas
 * lookupPeerFuncAcrossContainer), NULL when none or ambiguous; with
 * ncandidates, how many public functions outside its module matched. */
ptk_func *vptoas_peer_func(const ptk_op *import, uint32_t *ncandidates);
/* Element types of vector ops per target (verify_ptoas_elem.c). */
void vop_check_ptoas_elem(vctx *c, ptk_op *op);
/* The flat 1-D GM runs of the asynchronous transfers (verify_ptoas_async.c). */
void vop_check_ptoas_async(vctx *c, ptk_op *op);

/* ---- ptoas helpers (verify_ptoas.c) ---- */
/* The architecture the module names (`pto.target_arch`, a
 * `pto.device-spec`): 3 (A2/A3), 5 (A5), 0 when it names none. */
int vptoas_arch(vctx *c);
/* The architecture a rule is judged under: the module's, else ptk's
 * default target A3 (ptoas's default --pto-arch is a3 too), except that an
 * op using an A5-only feature (a5_feature: fp8/fp4/hif8 elements, an
 * A5-only mode or data path) in a module that names no target is taken to
 * be A5 code. */
int vptoas_rule_arch(vctx *c, bool a5_feature);
/* A tile's element dtype (false when the element is not a scalar). */
bool vptoas_elem(const ptk_tile_desc *t, ptk_dtype *dt);
/* fp8 / hif8 / fp4 / e8m0 element types: they exist on A5 only. */
bool vptoas_a5_only_dtype(ptk_dtype dt);
/* "A2/A3" or "A5". */
const char *vptoas_arch_name(int arch);
/* "row_major" / "col_major" / "none_box". */
const char *vptoas_blayout(const ptk_tile_desc *t);
const char *vptoas_slayout(const ptk_tile_desc *t);

#endif

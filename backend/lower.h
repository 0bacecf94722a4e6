/* The one lowering both engines share (DESIGN §1 "The op table and the one
 * lowering"). The LOWER column of the op table (lang/ir/ops.def) says how
 * each op runs on the host; for CALL rows, ptk_lower_call turns the op into
 * a call record: its call shape (lang/ir/calls.def), the sub-operation, the
 * decoded attributes and the values the shape's expression names, checked
 * for kind and dtype. The interpreter (runtime/interp/compile.c) encodes the
 * record as one instruction and evaluates the shape's expression; the C
 * emitter (backend/c/emit.c) prints the same expression with the values
 * substituted. What cannot run is decided and reported here, identically
 * for both engines.
 *
 * backend/ normally uses lang/ and parser/ only; this file also includes
 * the header-only vocabulary of runtime/isa (isa.h enums, scalar.h) to give
 * each sub-operation its value. */
#ifndef PTK_BACKEND_LOWER_H
#define PTK_BACKEND_LOWER_H

#include <stdbool.h>
#include <stdint.h>

#include "lang/diag.h"
#include "lang/ir/ir.h"
#include "runtime/isa/scalar.h"

#define PTK_CALL_MAXV 24 /* values of a call record (DMA with loop and pad clauses) */

/* What a call shape needs of value k (its tokens in EXPR). */
enum {
  PTK_ROLE_NONE = 0,
  PTK_ROLE_TILE = 'T',  /* Tk */
  PTK_ROLE_SCALAR = 'S', /* Sk, Ck, Wk, Dk: any scalar */
  PTK_ROLE_INT = 'I',   /* Ik */
  PTK_ROLE_FLOAT = 'F', /* Fk */
  PTK_ROLE_OPT = '?', /* Ok, Nk: optional; v[k] is NULL unless value k is a tile or an
                       * integer scalar (width[k] nonzero for an integer) */
  PTK_ROLE_VREG = 'V',  /* Vk: a vector register (ptk_vreg *) */
  PTK_ROLE_MASK = 'M',  /* Mk: a predicate (ptk_vmask *) */
  PTK_ROLE_ALIGN = 'G', /* Gk: an align carrier (ptk_valign *) */
  PTK_ROLE_HANDLE = 'H', /* Hk: an async handle's integer (an int64_t lvalue) */
  PTK_ROLE_MEM = 'P',   /* Pk: a pointer as the memory it points into (ptk_vptr) */
  PTK_ROLE_PTR = 'R',   /* Rk: a pointer's cell (ptk_rt_ptr *), or a tensor or partition
                         * view's (ptk_rt_view *) unless the shape also reads it as Pk */
  PTK_ROLE_REST = 'X',  /* Xk Yk: the scalars from value k to the last, as an int64_t array
                         * (cells' raw bits) and its length */
};

#define PTK_CALL_MAXA 8

typedef struct ptk_call {
  ptk_call_shape shape;
  int sub;              /* the value of the row's SUB, 0 without one */
  const char *sub_name; /* its name ("PTK_ISA_ADD"), NULL without one */
  int64_t attr[PTK_CALL_MAXA]; /* A0 … A7 */
  uint8_t nv;           /* values v[0..nv) (unused ones NULL) */
  uint8_t nres;         /* v[0..nres) are results of the op, the rest operands */
  const ptk_value *v[PTK_CALL_MAXV]; /* NULL: unused, or an absent optional value */
  char role[PTK_CALL_MAXV];
  bool fl[PTK_CALL_MAXV];   /* scalar value k is a float */
  uint8_t width[PTK_CALL_MAXV]; /* Wk: bit width of scalar value k, of the elements of a
                                 * vector register or pointer, a mask's granularity */
  uint8_t fmt[PTK_CALL_MAXV];   /* Ek: Dk, or for 8-bit and fp4 float elements their VPTO format
                                 * code (runtime/isa/v_cvt.h PTK_V_F8E4M3FN …) */
  uint8_t dt[PTK_CALL_MAXV];    /* Dk: runtime/isa dtype of scalar value k or of the elements
                                 * of a vector register or pointer (8-bit floats: u8) */
} ptk_call;

/* Lowers a PTK_LOWER_CALL op into *rec. false after reporting (located at
 * the op, naming it) why it cannot run. */
bool ptk_lower_call(const ptk_op *op, ptk_call *rec, ptk_diags *d);
/* The same for analyses and evaluators that only want the record: false,
 * reporting nothing, when op is not a PTK_LOWER_CALL row or cannot run. */
bool ptk_lower_call_quiet(const ptk_op *op, ptk_call *rec);

/* Reports that op (a PTK_LOWER_NOEXEC row, or anything the engines do not
 * run) cannot run on the host. */
void ptk_lower_unsupported(const ptk_op *op, ptk_diags *d);

/* The runtime/isa dtype of a scalar or element dtype; false for the 8-bit
 * float formats and packed types the host does not compute with. */
bool ptk_lower_isa_dtype(ptk_dtype dt, int *out);
/* The same for tile and view elements, which may also be the byte formats
 * (f8E4M3FN, f8E5M2, f8E8M0, hif8, f4 pairs: runtime/isa PTK_ISA_F8E4M3 …). */
bool ptk_lower_tile_dtype(ptk_dtype dt, int *out);

/* True when `name` is an out-of-line runtime/isa entry point (reached
 * through the JIT host table, runtime/jit/abi.h). */
bool ptk_lower_is_entry_point(const char *name, size_t len);

/* A piece of a call shape's expression (lang/ir/calls.def), as the lowering
 * reads it for operand roles and the C emitter prints it: `tok` is 0 for
 * text (punctuation, function names, fields), 'U' for SUB, or the token
 * letter (T S I F C W D O N A) of a value or attribute token with index k. */
typedef struct ptk_expr_piece {
  const char *s;
  size_t n;
  char tok;
  unsigned k;
} ptk_expr_piece;
/* The piece at *p (advanced past it); false at the end of the text. */
bool ptk_lower_expr_next(const char **p, ptk_expr_piece *pc);

/* ---- hand-lowered ops: the decoding both engines share ---- */

/* How a value is held on the host: a scalar cell, a pointer, a (tensor or
 * partition) view or a tile descriptor (runtime/cells.h, runtime/isa). */
enum { PTK_VK_NONE, PTK_VK_SCALAR, PTK_VK_PTR, PTK_VK_VIEW, PTK_VK_TILE, PTK_VK_VREG, PTK_VK_MASK,
       PTK_VK_ALIGN, PTK_VK_HANDLE /* an async context, session or event: a scalar cell */ };
int ptk_lower_value_kind(const ptk_type *t);

/* The slot tile type of a !pto.multi_tile_buf (read from its spelling,
 * interned in m) and its count; NULL (reported at op) when t is not one or
 * its slot does not read as a !pto.tile_buf. */
const ptk_type *ptk_lower_multi_slot(ptk_module *m, const ptk_op *op, const ptk_type *t, int64_t *count,
                                     ptk_diags *d);

/* The tile type an alloc_tile / alloc_multi_tile allocates and how many of
 * them (1, or the multi tile's count N: slot k follows slot 0 by k tiles);
 * NULL after reporting. */
const ptk_type *ptk_lower_alloc_type(const ptk_op *op, int64_t *count, ptk_diags *d);

/* The block of a single-block region (NULL when empty, or, reported, when
 * it has several). */
const ptk_block *ptk_lower_region(const ptk_op *op, const ptk_region *r, ptk_diags *d);

/* A DPS op's ins and outs. */
typedef struct ptk_dps {
  ptk_value **in, **out;
  uint32_t nin, nout;
} ptk_dps;

/* The DPS segments of op with nin in [inlo, inhi] and nout outs; false
 * (reported) otherwise. */
bool ptk_lower_dps(const ptk_op *op, uint32_t inlo, uint32_t inhi, uint32_t nout, ptk_dps *x,
                   ptk_diags *d);

/* arith.constant: its value as a cell (floats rounded to their type,
 * integers wrapped to their width); false (reported) for anything else. */
bool ptk_lower_const(const ptk_op *op, ptk_sc *out, ptk_diags *d);

/* An enum attribute's index (an integer attribute as is); dflt when absent;
 * -1 (reported) for a value of another enum. */
int ptk_lower_enum_attr(const ptk_op *op, const char *name, const char *mnemonic, int dflt,
                        ptk_diags *d);

/* The functions an engine prepares, entry first; the index of f in the
 * list (appended when new) names it in the engine's code. */
typedef PTK_VEC(const ptk_func *) ptk_func_list;
uint32_t ptk_lower_func_index(ptk_func_list *l, const ptk_func *f);

/* The function a func.call calls, with a body and the call's arity; NULL
 * (reported) otherwise. */
const ptk_func *ptk_lower_callee(const ptk_op *op, const ptk_module *top, ptk_diags *d);

/* tstore's operands and modes: flags 1 relu, 2 atomic add; false
 * (reported) for the forms the host does not run (quantized stores, other
 * relu modes). */
bool ptk_lower_tstore(const ptk_op *op, ptk_dps *x, unsigned *flags, ptk_diags *d);

/* The values of a frontend pipe op (reserve_buffer, import_reserved_buffer,
 * aic/aiv_initialize_pipe, tpush_to_*, tpop_from_*, tfree_from_*,
 * set_quant_vector / set_quant_scalar) for runtime/mix.h ptk_rt_pipe; NULL
 * when the op has none. s0, s1: the initialize op's c2v / v2c consumer
 * buffers, set_quant_scalar's scale. false (reported)
 * for the forms the host does not run (a pipe op outside the two halves of
 * a mixed kernel). */
typedef struct ptk_pipe_vals {
  const ptk_value *sres, *tres, *tin, *s0, *s1;
  const ptk_value *vres, *vin; /* global entries: talloc's / tpop's view, tpush's / tfree's, the
                                * initialize op's gm_slot_tensor */
} ptk_pipe_vals;
bool ptk_lower_pipe(const ptk_op *op, ptk_pipe_vals *x, ptk_diags *d);
bool ptk_lower_is_pipe(ptk_op_kind k); /* one of those ops */

/* Mixed kernels: a module whose functions with bodies are exactly one cube
 * and one vector kernel (pto.kernel_kind) holds the two halves of one
 * kernel, run together (runtime/mix.c) and built together (`ptk compile`).
 * halves: true for such a module, with them in *cube / *vec (either may be
 * NULL); peer: the other half when entry is one of them, else NULL. */
bool ptk_lower_mixed_halves(const ptk_module *m, const ptk_func **cube, const ptk_func **vec);
const ptk_func *ptk_lower_mixed_peer(const ptk_func *entry);
bool ptk_lower_is_cube(const ptk_func *f); /* pto.kernel_kind = cube */
const char *ptk_lower_kernel_kind(const ptk_func *f); /* its pto.kernel_kind, or NULL */

#endif

/* PTO IR: the in-memory form of a `.pto` file (DESIGN §3, reference/pto-ir.md).
 *
 *   ptk_module                 attributes, items (functions and nested modules)
 *     └─ ptk_func              symbol, visibility, signature, attributes, body
 *          └─ ptk_region       list of blocks (the body; scf.for/if/while bodies; sections)
 *               └─ ptk_block   block arguments (function arguments, loop IVs, ^bb args), ops
 *                    └─ ptk_op kind (op-table row), operands, results, attributes, regions
 *
 * Values are SSA and typed: each is either an op result (`def` set) or a
 * block argument (`def` NULL). Types are immutable and interned per module
 * tree (pointer equality works inside one module; ptk_type_equal works
 * across modules). Attributes are immutable values too.
 *
 * Memory: everything — module, nested modules, functions, ops, values,
 * types, attributes, strings — lives in one arena owned by the top-level
 * module; ptk_module_free(top) releases it all. Nested modules share their
 * parent's arena and must not be freed separately. Every builder takes any
 * module of the tree as its allocation context.
 *
 * Locations (`ptk_loc`) point into the ptk_source the IR was read from; the
 * caller keeps that source alive as long as it reports diagnostics against
 * the module. IR built programmatically may carry locations into .ptk
 * sources, or none (`(ptk_loc){0}`).
 *
 * The op table (lang/ir/ops.def) gives every operation kind its mnemonic,
 * syntax family, operand/result counts, operand signature, attributes,
 * flags and hooks; see the comment at the top of that file. */
#ifndef PTK_LANG_IR_IR_H
#define PTK_LANG_IR_IR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lang/source.h"
#include "lang/util.h"

typedef struct ptk_module ptk_module;
typedef struct ptk_func ptk_func;
typedef struct ptk_region ptk_region;
typedef struct ptk_block ptk_block;
typedef struct ptk_op ptk_op;
typedef struct ptk_value ptk_value;
typedef struct ptk_type ptk_type;
typedef struct ptk_attr ptk_attr;
typedef struct ptk_ir_ctx ptk_ir_ctx; /* private: arena, type table, counters */

/* ======================================================================
 * The op table
 * ====================================================================== */

/* PTK_OP_<ID> for every row of ops.def, e.g. PTK_OP_TADD, PTK_OP_TMATMUL_ACC,
 * PTK_OP_ARITH_ADDI, PTK_OP_SCF_FOR. Interpreter and C emitter switch on it. */
typedef enum {
#define PTK_OP(ID, NAME, FAM, OPMIN, OPMAX, RESMIN, RESMAX, NREG, SIG, ATTRS, FLAGS, LOWER,        \
               PIPE)                                                                               \
  PTK_OP_##ID,
#include "lang/ir/ops.def"
#undef PTK_OP
  PTK_OP__COUNT,
  PTK_OP__INVALID = -1
} ptk_op_kind;

/* Syntax families: how the custom assembly of an op looks. The reader and
 * printer have one routine per family; op-specific quirks are flags. */
typedef enum {
  PTK_FAM_MODULE,        /* builtin.module: structure only (ptk_module) */
  PTK_FAM_FUNC,          /* func.func: structure only (ptk_func) */
  PTK_FAM_CALL,          /* func.call @f(%a, %b) : (A, B) -> (R) */
  PTK_FAM_RETURN,        /* return [%a, %b : A, B] */
  PTK_FAM_CONSTANT,      /* %c = arith.constant 32 : index | true | 1.0 : f32 | dense<…> : T */
  PTK_FAM_ARITH,         /* %r = arith.addi %a, %b : T — operands and result share T */
  PTK_FAM_ARITH_CMP,     /* %p = arith.cmpi slt, %a, %b : T (result i1; attr predicate) */
  PTK_FAM_ARITH_CAST,    /* %r = arith.index_cast %a : A to R */
  PTK_FAM_ARITH_SELECT,  /* %r = arith.select %c, %a, %b : T */
  PTK_FAM_ARITH_EXT,     /* %lo, %hi = arith.mulsi_extended %a, %b : T (2 results) */
  PTK_FAM_SCF_FOR,       /* [%r =] scf.for %iv = %lb to %ub step %s [iter_args(%a = %x) -> (T)] {…} */
  PTK_FAM_SCF_IF,        /* [%r =] scf.if %c [-> (T)] {…} [else {…}] */
  PTK_FAM_SCF_WHILE,     /* %r = scf.while (%a = %x) : (T) -> (T) {…} do {^bb0(…): …} */
  PTK_FAM_SCF_YIELD,     /* scf.yield [%a : T] */
  PTK_FAM_SCF_CONDITION, /* scf.condition(%c) [%a : T] */
  PTK_FAM_DPS,           /* pto.tX ins(%a, %b [{attrs}] : A, B) outs(%d : D) [{attrs}] [-> R] */
  PTK_FAM_VIEW_CAST,     /* %r = op %a[, %b…] [{attrs}] : A -> R  (treshape, addptr, …) */
  PTK_FAM_MAKE_TENSOR_VIEW, /* %v = op %p, shape = […], strides = […] [{attrs}] : V */
  PTK_FAM_PARTITION_VIEW,   /* %p = op %v, offsets = […], sizes = […] [{attrs}] : V [-> P] */
  PTK_FAM_ALLOC_TILE,    /* %t = op [addr = %a] [valid_row = %r] [valid_col = %c] [{attrs}] : T */
  PTK_FAM_SUBVIEW,       /* %s = op %t[%i, %j] sizes [R, C] [valid [%r, %c]] [{attrs}] : T [-> S] */
  PTK_FAM_OPERANDS_TYPE, /* op %a, %b, %c [{attrs}] : A   (set_validshape: type of the first) */
  PTK_FAM_GET_VALIDSHAPE,/* %r, %c = op %t [{attrs}] : T */
  PTK_FAM_LOAD_SCALAR,   /* %v = op %p[%i] [{attrs}] : P -> T */
  PTK_FAM_STORE_SCALAR,  /* op %v, %p[%i] [{attrs}] : P, T */
  PTK_FAM_SYNC_BRACKET,  /* op[<A>, <B>, <C>] / op [#pto.x<A>, %id] [{attrs}] */
  PTK_FAM_SYNC_ATTRS,    /* op <A>[, N] / op #pto.fence_scope<gm> [{attrs}] (barrier, sync.set…) */
  PTK_FAM_SYNCALL,       /* pto.syncall(%ws…) mode = …, core_type = … */
  PTK_FAM_NULLARY,       /* %b = pto.get_block_idx   (no operands, no printed type) */
  PTK_FAM_SECTION,       /* pto.section.cube [{attrs}] { … }  (one region, no terminator) */
  PTK_FAM_PRINT,         /* pto.print ins("fmt", %a, … : A, …) */
  PTK_FAM_PIPE,          /* op[(%a : A, …)] [{attrs}] [-> R]  (tpush_to_aiv, tpop_from_aic, …) */
  PTK_FAM_INIT_PIPE,     /* op {k = v, …} (kw = %a : A, …) [{attrs}] (aic/aiv_initialize_pipe; 4 keyword segments) */
  PTK_FAM_VOP,           /* VPTO: [%r… =] op item[, item…] [{attrs}] [: A… [-> R…]]; item: %a, %p[%i],
                          * "word", word, 42, #attr, word(%a, …); op->form keeps the layout */
  PTK_FAM_BRANCH,        /* cf.br ^bb(%a : A) / cf.cond_br %c, ^bb1[(…)], ^bb2[(…)]: successors
                          * in op->succs, operand segments [cond, args 1, args 2] */
  PTK_FAM_MEMREF_VIEW,   /* %r = memref.reinterpret_cast %m to offset: [o], sizes: [s…], strides: [t…] : M to R
                          * / %r = memref.subview %m[o…] [s…] [t…] : M to R; entries are integers or
                          * values: static_offsets/sizes/strides (INT64_MIN = the next value),
                          * operand segments [source, offsets, sizes, strides] */
  PTK_FAM_COMM,          /* op(%a, word(%b, …), … : A, B, …) [{attrs}] [-> R]  (pto.comm.*; op->form
                          * keeps the clause layout) */
  PTK_FAM_GENERIC,       /* only the generic form "op"(…) : (…) -> (…) is read and printed */
} ptk_op_family;

/* Op flags (FLAGS column, or-ed). */
enum {
  PTK_OPF_TERMINATOR = 1u << 0, /* must be last in its block (yield, condition, return) */
  PTK_OPF_PURE = 1u << 1,       /* no side effects: may be CSE'd / dropped when unused */
  PTK_OPF_SYNC = 1u << 2,       /* pipe synchronization: a no-op on the CPU */
  PTK_OPF_ATTR_IN_INS = 1u << 3,/* DPS: attr-dict printed inside ins(… {attrs} : …) */
  PTK_OPF_ATTR_IN_INS_IF_TMP = 1u << 4, /* DPS: inside ins only with the optional tmp (tcolsum) */
  PTK_OPF_OUTS_RESULT = 1u << 5,/* DPS: `outs : T` gives the result type (tgetval) */
  PTK_OPF_SAME_DTYPE = 1u << 6, /* DPS: every tile operand (ins and outs) has one dtype */
  PTK_OPF_SCALAR_DTYPE = 1u << 7, /* DPS: scalar operands have the dtype of the tiles */
  PTK_OPF_NO_TYPE = 1u << 8,    /* result type is fixed (i64) and not printed */
  PTK_OPF_MATMUL = 1u << 9,     /* cube matmul family: dtype triples and shape checks */
  PTK_OPF_COMMUTATIVE = 1u << 10,
  PTK_OPF_ISOLATED = 1u << 11,  /* region cannot use values from outside */
  PTK_OPF_VMIXED = 1u << 12,    /* VPTO: masks and lanes of other widths meet (conversions,
                                 * packing loads/stores, gathers): no mask-granularity rule */
  PTK_OPF_INDEX_RESULT = 1u << 13, /* VPTO-form op whose one result is an index never written
                                    * (eventid_array_get): its type list annotates operands */
  /* DPS: the op's scratch tile (tmp, the last `t` of its ins signature, when given) is
   * written by the op (ptoas's memory effects; ptk's engines do not need it) */
  PTK_OPF_TMP = 1u << 14,
  PTK_OPF_TMP_A3 = 1u << 15, /* … on A2/A3 only: A5's library does not touch it at all */
  PTK_OPF_PTOAS_OUTS_EARLY = 1u << 16, /* DPS: ptoas's generic form has one operandSegmentSizes entry
                                        * per SIG operand, the outs right after the required ins and
                                        * before the optional ins (tmov, tinsert) */
};

/* How an op runs on the host (LOWER column). */
typedef enum {
  PTK_LOWER_CALL,   /* one runtime call of a call shape (calls.def) */
  PTK_LOWER_HAND,   /* hand-written lowering in each engine */
  PTK_LOWER_NOP,    /* no effect on the host */
  PTK_LOWER_NOEXEC, /* not run; ptk_op_info.why says why */
} ptk_lower_kind;

/* Call shapes, PTK_CALL_<ID> for every row of calls.def. */
typedef enum {
#define PTK_CALL(ID, EXPR, ATTRS, MAXIN, CHECK, NCHECK) PTK_CALL_##ID,
#include "lang/ir/calls.def"
#undef PTK_CALL
  PTK_CALL__COUNT,
  PTK_CALL__NONE = -1
} ptk_call_shape;

/* Static shape rules of a call shape (CHECK column of calls.def). */
typedef enum {
  PTK_CHECK_NONE,
  PTK_CHECK_ELEM,
  PTK_CHECK_MATMUL,
  PTK_CHECK_ROWRED,
  PTK_CHECK_COLRED,
  PTK_CHECK_ROWEXP,
  PTK_CHECK_COLEXP,
  PTK_CHECK_ROWEXP_OP,
  PTK_CHECK_COLEXP_OP,
} ptk_check_class;

typedef struct ptk_call_info {
  const char *id;    /* "BINARY" */
  const char *expr;  /* the EXPR template, as text */
  const char *attrs; /* "" or "name:kind:default:max,…" */
  int8_t max_ins;    /* -1: any */
  ptk_check_class check;
  int8_t ncheck;
} ptk_call_info;
extern const ptk_call_info ptk_call_table[PTK_CALL__COUNT];

/* The pipe class an op issues on (PIPE column); insert-sync resolves MOVE
 * and STORE by the memories involved. */
typedef enum {
  PTK_PIPEC_NONE,
  PTK_PIPEC_S,
  PTK_PIPEC_V,
  PTK_PIPEC_M,
  PTK_PIPEC_MTE2,
  PTK_PIPEC_MTE3,
  PTK_PIPEC_MOVE,
  PTK_PIPEC_STORE,
} ptk_pipe_class;

typedef struct ptk_op_info {
  const char *name;     /* mnemonic, "pto.tadd" */
  const char *id;       /* "TADD" (the enum suffix; upper-case ISA-ish name) */
  ptk_op_family family;
  int16_t min_operands; /* total operand count bounds; max -1 = unbounded */
  int16_t max_operands;
  int8_t min_results, max_results; /* max -1 = unbounded */
  uint8_t nregions;
  /* Operand signature (see ops.def for the letters): one letter per
   * operand kind, `:` between DPS ins and outs, `>` before results; `?`
   * optional, `*` any number. "" = not described. */
  const char *sig;
  /* Comma-separated attribute names the op defines (`!` prefix =
   * required), e.g. "!predicate" or "rmode,sat_mode". Other (discardable)
   * attributes are allowed and kept. */
  const char *attrs;
  uint32_t flags;
  ptk_lower_kind lower;
  ptk_call_shape shape; /* PTK_LOWER_CALL: the call shape, else PTK_CALL__NONE */
  const char *sub;      /* PTK_LOWER_CALL: the sub-operation's name ("PTK_ISA_ADD"), or NULL */
  const char *why;      /* PTK_LOWER_NOEXEC: why the op does not run */
  ptk_pipe_class pipe;
} ptk_op_info;

extern const ptk_op_info ptk_op_table[PTK_OP__COUNT];


static inline const ptk_op_info *ptk_op_info_of(ptk_op_kind k) { return &ptk_op_table[k]; }
/* Exact mnemonic lookup ("pto.tadd"; "return" and "call" are accepted as
 * func.return / func.call). PTK_OP__INVALID when unknown. */
ptk_op_kind ptk_op_lookup(const char *name, size_t len);
/* The known mnemonic closest to `name` by edit distance (NULL when nothing
 * is reasonably close). For "did you mean …?" notes. */
const char *ptk_op_suggest(const char *name, size_t len);
/* Number of operand segments of ops of this kind (MLIR's
 * AttrSizedOperandSegments), 0 when the operands form one list. DPS: 2
 * (ins, outs); alloc_tile: 3 (addr, valid_row, valid_col);
 * make_tensor_view: 3 (ptr, shape, strides); partition_view: 3 (source,
 * offsets, sizes); subview: 4 (source, offsets, valid_row, valid_col);
 * syncall: 1; others 0. */
uint32_t ptk_op_kind_nsegments(ptk_op_kind k);
/* DPS ops with an outs(…) clause (SIG has operand letters after ':');
 * tprint / tgetval have none. */
bool ptk_op_kind_has_outs(ptk_op_kind k);

/* ======================================================================
 * Types
 * ====================================================================== */

/* Scalar element types: X(ID, spelling, bits, class). Spellings are the
 * textual forms (`!pto.` ones are dialect types used as element types). */
#define PTK_DTYPES(X)                                                                              \
  X(I1, "i1", 1, INT)                                                                              \
  X(I8, "i8", 8, INT)                                                                              \
  X(I16, "i16", 16, INT)                                                                           \
  X(I32, "i32", 32, INT)                                                                           \
  X(I64, "i64", 64, INT)                                                                           \
  X(SI8, "si8", 8, SINT)                                                                           \
  X(SI16, "si16", 16, SINT)                                                                        \
  X(SI32, "si32", 32, SINT)                                                                        \
  X(SI64, "si64", 64, SINT)                                                                        \
  X(UI8, "ui8", 8, UINT)                                                                           \
  X(UI16, "ui16", 16, UINT)                                                                        \
  X(UI32, "ui32", 32, UINT)                                                                        \
  X(UI64, "ui64", 64, UINT)                                                                        \
  X(INDEX, "index", 64, INDEX)                                                                     \
  X(F16, "f16", 16, FLOAT)                                                                         \
  X(BF16, "bf16", 16, FLOAT)                                                                       \
  X(F32, "f32", 32, FLOAT)                                                                         \
  X(F64, "f64", 64, FLOAT)                                                                         \
  X(F8E4M3FN, "f8E4M3FN", 8, FLOAT)                                                                \
  X(F8E5M2, "f8E5M2", 8, FLOAT)                                                                    \
  X(HIF8, "!pto.hif8", 8, FLOAT)                                                                   \
  X(F8E8M0, "!pto.f8E8M0", 8, FLOAT)                                                               \
  X(HIF8X2, "!pto.hif8x2", 16, FLOAT)                                                              \
  X(F4E1M2X2, "!pto.f4E1M2x2", 8, FLOAT)                                                           \
  X(F4E2M1X2, "!pto.f4E2M1x2", 8, FLOAT)

typedef enum {
#define X(ID, S, B, C) PTK_DT_##ID,
  PTK_DTYPES(X)
#undef X
  PTK_DT__COUNT
} ptk_dtype;

typedef enum { PTK_DTC_INT, PTK_DTC_SINT, PTK_DTC_UINT, PTK_DTC_INDEX, PTK_DTC_FLOAT } ptk_dtype_class;

const char *ptk_dtype_name(ptk_dtype dt); /* "f32" */

/* The SIG and ATTRS columns, parsed once (lang/ir/opdesc.c). */
#define PTK_OPD_MAX_SIG 24
#define PTK_OPD_MAX_ATTRS 16
typedef struct ptk_sig_item {
  char kind;     /* the SIG letter: t p v r x n f s b a */
  char quant;    /* 0, '?' optional or '*' any number */
  uint8_t group; /* 0, 1, … in ':'-separated order (DPS: 0 ins, 1 outs) */
  bool result;   /* after '>' */
} ptk_sig_item;
typedef struct ptk_attr_desc {
  char name[48];
  bool required;    /* `!name` */
  bool full;        /* `name:#enum`: printed in full */
  char kind[40];    /* the text after ':' without '#' ("" without a kind) */
  char enum_mn[40]; /* an enum mnemonic kind ("" otherwise) */
  ptk_dtype int_dt; /* an integer type kind (`name:i32`), else PTK_DT__COUNT */
} ptk_attr_desc;
typedef struct ptk_op_desc {
  uint8_t nsig, nattrs;
  uint8_t ngroups; /* operand groups (':' count + 1); 0 when SIG is "" */
  bool has_results; /* SIG has '>' */
  bool any_required;
  ptk_sig_item sig[PTK_OPD_MAX_SIG];
  ptk_attr_desc attrs[PTK_OPD_MAX_ATTRS];
} ptk_op_desc;
const ptk_op_desc *ptk_op_desc_of(ptk_op_kind k);
unsigned ptk_dtype_bits(ptk_dtype dt);    /* 1, 8, 16, 32, 64 */
ptk_dtype_class ptk_dtype_class_of(ptk_dtype dt);
static inline bool ptk_dtype_is_float(ptk_dtype dt) { return ptk_dtype_class_of(dt) == PTK_DTC_FLOAT; }
/* Integer-like: signless/signed/unsigned ints and index. */
static inline bool ptk_dtype_is_int(ptk_dtype dt) { return !ptk_dtype_is_float(dt); }
/* The 8-bit floats (fp8, hif8, e8m0 scales) and packed fp4 pairs: storage
 * formats of A5 data paths, not computed with as scalars. */
static inline bool ptk_dtype_is_narrow_float(ptk_dtype dt) {
  return dt == PTK_DT_F8E4M3FN || dt == PTK_DT_F8E5M2 || dt == PTK_DT_HIF8 || dt == PTK_DT_F8E8M0 ||
         dt == PTK_DT_HIF8X2 || dt == PTK_DT_F4E1M2X2 || dt == PTK_DT_F4E2M1X2;
}
/* Bytes per element in memory (i1 counts as 1 byte). */
unsigned ptk_dtype_bytes(ptk_dtype dt);

typedef enum {
  PTK_TY_SCALAR,      /* dt */
  PTK_TY_PTR,         /* !pto.ptr<elem[, space]> */
  PTK_TY_TENSOR_VIEW, /* !pto.tensor_view<d0x…xelem> */
  PTK_TY_PART_VIEW,   /* !pto.partition_tensor_view<d0x…xelem> */
  PTK_TY_TILE_BUF,    /* !pto.tile_buf<…> (tile) */
  PTK_TY_FUNCTION,    /* (A, B) -> (R): only inside type attributes */
  PTK_TY_OPAQUE,      /* anything else (memref<…>, vector<…>, !pto.local_array<…>, …): text */
} ptk_type_kind;

/* Memory spaces: pointer address spaces and tile locations. */
#define PTK_SPACES(X)                                                                              \
  X(GM, "gm")                                                                                      \
  X(VEC, "vec")                                                                                    \
  X(MAT, "mat")                                                                                    \
  X(LEFT, "left")                                                                                  \
  X(RIGHT, "right")                                                                                \
  X(ACC, "acc")                                                                                    \
  X(BIAS, "bias")                                                                                  \
  X(SCALING, "scaling")
typedef enum {
#define X(ID, S) PTK_SPACE_##ID,
  PTK_SPACES(X)
#undef X
  PTK_SPACE__COUNT
} ptk_space;
const char *ptk_space_name(ptk_space s); /* canonical spelling: "vec" */
/* A pointer's address space as ptoas spells it ("gm", "ub", "l1", "l0a", …),
 * and back (PTK_SPACE__COUNT when n bytes at s spell none). */
const char *ptk_space_ptr_name(ptk_space s);
ptk_space ptk_space_from_ptr_name(const char *s, size_t n);

typedef enum { PTK_BLAYOUT_ROW_MAJOR, PTK_BLAYOUT_COL_MAJOR } ptk_blayout;
typedef enum { PTK_SLAYOUT_NONE_BOX, PTK_SLAYOUT_ROW_MAJOR, PTK_SLAYOUT_COL_MAJOR } ptk_slayout;
typedef enum { PTK_PAD_NULL = 0, PTK_PAD_ZERO = 1, PTK_PAD_MAX = 2, PTK_PAD_MIN = 3 } ptk_pad;

/* A dynamic dimension (`?`; `-1` in tile_buf valid dims is read as `?`). */
#define PTK_DYN INT64_MIN

/* Every field of a !pto.tile_buf. Defaults (pto-ir.md §4.5): v_row = rows,
 * v_col = cols, blayout row_major, slayout none_box, fractal 512, pad 0,
 * compact 0. Physical rows/cols are always static. */
typedef struct ptk_tile_desc {
  ptk_space loc; /* never GM */
  const ptk_type *elem;
  int64_t rows, cols;
  int64_t v_row, v_col; /* PTK_DYN for `?` */
  ptk_blayout blayout;
  ptk_slayout slayout;
  int64_t fractal; /* 32, 512 or 1024 (the reader keeps what it is given) */
  int64_t pad;     /* 0..3 (ptk_pad); kept as read */
  int64_t compact; /* 0 null, 1 normal, 2 row_plus_one */
} ptk_tile_desc;

/* A tile descriptor with every optional field at its default. */
ptk_tile_desc ptk_tile_desc_make(ptk_space loc, const ptk_type *elem, int64_t rows, int64_t cols);

struct ptk_type {
  ptk_type_kind kind;
  ptk_dtype dt;          /* SCALAR */
  const ptk_type *elem;  /* PTR, TENSOR_VIEW, PART_VIEW (TILE_BUF: tile.elem) */
  ptk_space space;       /* PTR */
  uint32_t rank;         /* TENSOR_VIEW, PART_VIEW */
  const int64_t *dims;   /* [rank], PTK_DYN for `?` */
  ptk_tile_desc tile;    /* TILE_BUF */
  uint32_t ninputs, nresults;         /* FUNCTION */
  const ptk_type *const *inputs;      /* FUNCTION */
  const ptk_type *const *results;     /* FUNCTION */
  const char *text;      /* OPAQUE: the full spelling, whitespace runs folded to one space */
  uint32_t hash;         /* structural hash (private) */
};

/* Scalars are static singletons shared by every module. */
const ptk_type *ptk_type_scalar(ptk_dtype dt);
/* Interned constructors (m: any module of the tree). Dimension arrays are
 * copied. */
const ptk_type *ptk_type_ptr(ptk_module *m, const ptk_type *elem, ptk_space space);
const ptk_type *ptk_type_tensor_view(ptk_module *m, uint32_t rank, const int64_t *dims,
                                     const ptk_type *elem);
const ptk_type *ptk_type_part_view(ptk_module *m, uint32_t rank, const int64_t *dims,
                                   const ptk_type *elem);
const ptk_type *ptk_type_tile_buf(ptk_module *m, const ptk_tile_desc *d);
const ptk_type *ptk_type_function(ptk_module *m, uint32_t ninputs, const ptk_type *const *inputs,
                                  uint32_t nresults, const ptk_type *const *results);
const ptk_type *ptk_type_opaque(ptk_module *m, const char *text, size_t len);

bool ptk_type_equal(const ptk_type *a, const ptk_type *b); /* structural; NULL == NULL */
static inline bool ptk_type_is_scalar(const ptk_type *t, ptk_dtype dt) {
  return t && t->kind == PTK_TY_SCALAR && t->dt == dt;
}
static inline bool ptk_type_is_tile(const ptk_type *t) { return t && t->kind == PTK_TY_TILE_BUF; }
/* VPTO register types (kept as opaque text, decoded here): !pto.vreg<NxT>
 * gives its lanes and element dtype; !pto.mask<bN> its granularity N (8, 16,
 * 32); !pto.align. false / 0 for anything else or a malformed spelling. */
bool ptk_type_vreg(const ptk_type *t, uint32_t *lanes, ptk_dtype *elem);
unsigned ptk_type_mask_bits(const ptk_type *t);
bool ptk_type_is_align(const ptk_type *t);
/* The asynchronous-DMA handles: !pto.prefetch_async_context, !pto.async_session,
 * !pto.async_event (held as one integer cell by the engines). */
bool ptk_type_is_async_handle(const ptk_type *t);
/* !pto.multi_tile_buf<slot, count=N> (kept as opaque text): N, or 0 for any
 * other type or a spelling without a count. *slot_text / *slot_len: the slot
 * part (`vec, 16x16xf16` or `!pto.tile_buf<…>`) without the count. */
int64_t ptk_type_multi_tile_count(const ptk_type *t, const char **slot_text, size_t *slot_len);
/* Element dtype of a scalar / ptr / view / tile whose element is a scalar; false otherwise. */
bool ptk_type_elem_dtype(const ptk_type *t, ptk_dtype *out);
/* Canonical text (the printer's): compact tile_buf spelling with defaults
 * omitted, `!pto.ptr<f32>` for gm pointers. */
void ptk_type_print(const ptk_type *t, ptk_buf *out);
/* The same, into a module-independent malloc'd string (caller frees). */
char *ptk_type_str(const ptk_type *t);

/* ======================================================================
 * Attributes
 * ====================================================================== */

typedef enum {
  PTK_ATTR_UNIT,        /* `{pto.entry}` */
  PTK_ATTR_BOOL,        /* true / false (also `1 : i1`) */
  PTK_ATTR_INT,         /* 42 [: type]  — type NULL never: bare ints get i64 */
  PTK_ATTR_FLOAT,       /* 1.5 [: type] — type f64 when bare */
  PTK_ATTR_STRING,      /* "text" (escapes decoded; may contain NUL) */
  PTK_ATTR_TYPE,        /* a type used as an attribute */
  PTK_ATTR_ARRAY,       /* [a, b, …] */
  PTK_ATTR_DENSE_ARRAY, /* array<i32: 1, 0, 0> / array<f32: …> */
  PTK_ATTR_DICT,        /* {k = v, …} (sorted by name) */
  PTK_ATTR_SYMBOL,      /* @name (nested: @a::@b kept as "a::@b") */
  PTK_ATTR_ENUM,        /* #pto.x<v> or #pto<x v>, and other #dialect.x<…> */
  PTK_ATTR_OPAQUE,      /* dense<…>, other #… forms: kept as text (+ optional `: type`) */
} ptk_attr_kind;

typedef enum {
  PTK_ENUM_DOT,   /* #pto.pipe<PIPE_ALL>    (dialect "pto", mnemonic "pipe") */
  PTK_ENUM_ANGLE, /* #pto<cmp lt>           (dialect "pto", mnemonic "cmp") */
} ptk_enum_spelling;

typedef struct ptk_named_attr {
  const char *name;
  const ptk_attr *value;
} ptk_named_attr;

struct ptk_attr {
  ptk_attr_kind kind;
  const ptk_type *type; /* INT, FLOAT, TYPE (the type), DENSE_ARRAY (element), OPAQUE (or NULL) */
  union {
    bool b;                     /* BOOL */
    int64_t i;                  /* INT: value, wrapped to the type's width (sign-extended) */
    struct {
      double v;                 /* value (rounded to the type's precision) */
      uint64_t bits;            /* the bit pattern in the type's format (f16/bf16: 16 bits…) */
    } f;                        /* FLOAT */
    struct {
      const char *s;
      size_t len;
    } str;                      /* STRING, SYMBOL (s without '@'), OPAQUE (full text) */
    struct {
      const ptk_attr *const *items;
      uint32_t n;
    } arr;                      /* ARRAY */
    struct {
      const int64_t *i;         /* integer element types */
      const double *f;          /* float element types */
      uint32_t n;
    } dense;                    /* DENSE_ARRAY */
    struct {
      const ptk_named_attr *items;
      uint32_t n;
    } dict;                     /* DICT */
    struct {
      const char *dialect;      /* "pto" */
      const char *mnemonic;     /* "pipe", "cmp", "kernel_kind" */
      const char *value;        /* "PIPE_ALL", "lt", "vector" (text inside <> for unknown ones) */
      ptk_enum_spelling spelling;
    } en;                       /* ENUM */
  };
};

/* Constructors (m: any module of the tree). Strings are copied. */
const ptk_attr *ptk_attr_unit(ptk_module *m);
const ptk_attr *ptk_attr_bool(ptk_module *m, bool b);
const ptk_attr *ptk_attr_int(ptk_module *m, int64_t v, const ptk_type *type); /* NULL type: i64 */
/* v is rounded to the type (NULL: f64); non-finite values are fine. */
const ptk_attr *ptk_attr_float(ptk_module *m, double v, const ptk_type *type);
/* From a bit pattern in the type's format (hex float literals). */
const ptk_attr *ptk_attr_float_bits(ptk_module *m, uint64_t bits, const ptk_type *type);
const ptk_attr *ptk_attr_string(ptk_module *m, const char *s, size_t len);
const ptk_attr *ptk_attr_type(ptk_module *m, const ptk_type *t);
const ptk_attr *ptk_attr_array(ptk_module *m, const ptk_attr *const *items, uint32_t n);
const ptk_attr *ptk_attr_dense_int(ptk_module *m, const ptk_type *elem, const int64_t *v, uint32_t n);
const ptk_attr *ptk_attr_dense_float(ptk_module *m, const ptk_type *elem, const double *v, uint32_t n);
/* Items are copied and sorted by name; a later duplicate name replaces an earlier one. */
const ptk_attr *ptk_attr_dict(ptk_module *m, const ptk_named_attr *items, uint32_t n);
const ptk_attr *ptk_attr_symbol(ptk_module *m, const char *name);
const ptk_attr *ptk_attr_enum(ptk_module *m, const char *dialect, const char *mnemonic,
                              const char *value, ptk_enum_spelling sp);
/* The canonical spelling of a known PTO enum (#pto.pipe<…> vs #pto<cmp …>)
 * is taken from lang/ir/enums.def. */
const ptk_attr *ptk_attr_pto_enum(ptk_module *m, const char *mnemonic, const char *value);
const ptk_attr *ptk_attr_opaque(ptk_module *m, const char *text, size_t len, const ptk_type *type);

bool ptk_attr_equal(const ptk_attr *a, const ptk_attr *b);
void ptk_attr_print(const ptk_attr *a, ptk_buf *out);

/* Float encodings: the bits of v rounded (nearest-even) to dt's format
 * (f16, bf16, f32, f64, f8E5M2; other 8-bit formats use f32), and back. */
uint64_t ptk_float_to_bits(double v, ptk_dtype dt);
double ptk_float_from_bits(uint64_t bits, ptk_dtype dt);
/* v rounded to dt's precision (f32, f16, bf16); other dtypes unchanged. */
static inline double ptk_float_round(double v, ptk_dtype dt) {
  if (dt == PTK_DT_F32) return (double)(float)v;
  if (dt == PTK_DT_F16 || dt == PTK_DT_BF16) return ptk_float_from_bits(ptk_float_to_bits(v, dt), dt);
  return v;
}
/* Printing helpers shared with the .pto printer: the shortest decimal
 * ("%.6e" first, MLIR style) that reads back to the same bits in t's
 * format, hex bit patterns for inf/NaN; identifier check for bare dict
 * keys and symbols; a quoted string literal with escapes. */
void ptk_float_print(double v, uint64_t bits, const ptk_type *t, ptk_buf *out);
bool ptk_is_bare_id(const char *s, size_t n);
void ptk_print_string_lit(const char *s, size_t n, ptk_buf *out);
/* Whether value is valid for the known enum mnemonic (true for unknown enums). */
bool ptk_enum_value_ok(const char *mnemonic, const char *value);

/* Known PTO enums (lang/ir/enums.def): which spelling, which values. */
typedef struct ptk_enum_info {
  const char *mnemonic;   /* "cmp" */
  ptk_enum_spelling spelling;
  const char *const *values; /* NULL-terminated, in numeric order */
} ptk_enum_info;
const ptk_enum_info *ptk_enum_lookup(const char *mnemonic);
/* Index of the attribute's value in its enum's value list (e.g. cmp lt → 2),
 * -1 if `a` is not an ENUM of that mnemonic or the value is unknown. */
int ptk_attr_enum_index(const ptk_attr *a, const char *mnemonic);

/* Attribute lists (sorted by name, unique names). */
const ptk_attr *ptk_attrs_get(const ptk_named_attr *items, uint32_t n, const char *name);
/* Integer value of an INT or BOOL attribute. */
bool ptk_attr_get_int(const ptk_attr *a, int64_t *out);

/* arith.cmpi / arith.cmpf predicates, stored as an INT attribute
 * `predicate` of type i64 (MLIR's numbering). */
#define PTK_CMPI_PREDICATES(X) X(eq) X(ne) X(slt) X(sle) X(sgt) X(sge) X(ult) X(ule) X(ugt) X(uge)
#define PTK_CMPF_PREDICATES(X)                                                                     \
  X(false) X(oeq) X(ogt) X(oge) X(olt) X(ole) X(one) X(ord) X(ueq) X(ugt) X(uge) X(ult) X(ule)     \
  X(une) X(uno) X(true)
typedef enum {
#define X(n) PTK_CMPI_##n,
  PTK_CMPI_PREDICATES(X)
#undef X
} ptk_cmpi_pred;
typedef enum {
#define X(n) PTK_CMPF_##n,
  PTK_CMPF_PREDICATES(X)
#undef X
} ptk_cmpf_pred;
const char *ptk_cmpi_name(int64_t pred); /* NULL when out of range */
const char *ptk_cmpf_name(int64_t pred);

/* ======================================================================
 * Values, ops, blocks, regions, functions, modules
 * ====================================================================== */

struct ptk_value {
  const ptk_type *type;
  ptk_op *def;       /* defining op; NULL for a block argument */
  ptk_block *block;  /* block argument: its block (op results: NULL; use def->block) */
  uint32_t index;    /* result number, or argument number */
  uint32_t uid;      /* unique in the module tree, dense from 0: index side tables with it */
  const char *name;  /* name hint without '%' (source name, or NULL) */
  ptk_loc loc;       /* where defined */
};

struct ptk_op {
  ptk_op_kind kind;
  ptk_loc loc; /* the op name in the source */
  uint32_t noperands;
  ptk_value **operands;
  uint32_t nresults;
  ptk_value *results;   /* [nresults] */
  uint32_t nsegs;       /* ptk_op_kind_nsegments(kind) */
  uint32_t *segs;       /* [nsegs] operand counts per segment, summing to noperands */
  uint32_t nattrs;
  ptk_named_attr *attrs;/* sorted by name */
  uint32_t nregions;
  ptk_region *regions;  /* [nregions] */
  ptk_block *block;     /* containing block (NULL while detached) */
  /* VOP family and pretty sync forms: the written layout (ptk_op_set_form), NULL otherwise */
  const char *form;
  /* BRANCH family: the successor blocks, in the op's own region (ptk_op_set_successors) */
  uint32_t nsuccs;
  ptk_block **succs;
  ptk_op *prev, *next;
  uint32_t uid;         /* unique in the module tree */
};

struct ptk_block {
  ptk_region *region;
  ptk_block *prev, *next;
  uint32_t nargs, cap_args;
  ptk_value **args;
  ptk_op *first, *last;
  const char *label; /* `^bb0` hint without '^', or NULL */
  ptk_loc loc;
};

struct ptk_region {
  ptk_op *op;       /* owning op, or NULL for a function body */
  ptk_func *func;   /* owning function for a function body */
  ptk_block *first, *last;
};

typedef enum { PTK_VIS_PUBLIC, PTK_VIS_PRIVATE, PTK_VIS_NESTED } ptk_visibility;

struct ptk_func {
  const char *name; /* symbol without '@' */
  ptk_visibility vis;
  uint32_t nargs;
  const ptk_type **arg_types;
  const ptk_attr **arg_attrs; /* [nargs]: dictionary attributes per argument, or NULL entries */
  uint32_t nresults;
  const ptk_type **result_types;
  uint32_t nattrs;
  ptk_named_attr *attrs; /* sorted */
  ptk_region *body;      /* NULL: declaration. Entry block arguments = the arguments. */
  ptk_module *module;
  ptk_loc loc;           /* the symbol */
};

typedef enum { PTK_ITEM_FUNC, PTK_ITEM_MODULE } ptk_item_kind;
typedef struct ptk_module_item {
  ptk_item_kind kind;
  union {
    ptk_func *func;
    ptk_module *module;
  };
} ptk_module_item;

struct ptk_module {
  const char *name; /* `module @name`, or NULL */
  uint32_t nattrs;
  ptk_named_attr *attrs; /* sorted */
  uint32_t nitems, cap_items;
  ptk_module_item *items; /* in source order */
  ptk_module *parent;     /* NULL for the top-level module */
  bool implicit;          /* top-level ops without `module {}` around them */
  ptk_loc loc;
  ptk_ir_ctx *ctx;
};

/* ---- modules and functions ---- */
ptk_module *ptk_module_new(void);
void ptk_module_free(ptk_module *m); /* top-level only; NULL is fine */
ptk_module *ptk_module_add_module(ptk_module *parent, const char *name, ptk_loc loc);
/* New function appended to m. With `declaration` it has no body; otherwise
 * the body has one entry block whose arguments have the argument types. */
ptk_func *ptk_func_new(ptk_module *m, const char *name, const ptk_type *const *args, uint32_t nargs,
                       const ptk_type *const *results, uint32_t nresults, bool declaration,
                       ptk_loc loc);
ptk_block *ptk_func_entry(const ptk_func *f);         /* NULL for declarations */
ptk_value *ptk_func_arg(const ptk_func *f, uint32_t i); /* NULL for declarations */
/* Where an op's name is written: "pto.tadd" (or "tadd" / "return" / "call"
 * without the dialect), the quoted generic form, else 1 character at its
 * location. For diagnostics about an op. */
ptk_range ptk_op_range(const ptk_op *op);
/* Where argument i is declared: its block argument's location, else the function's. */
ptk_loc ptk_func_arg_loc(const ptk_func *f, uint32_t i);
/* "%name" of argument i, "%argI" when it has no name (malloc'd). */
char *ptk_func_arg_name(const ptk_func *f, uint32_t i);
/* Function with this symbol directly in m / anywhere in m's tree (depth-first, source order). */
ptk_func *ptk_module_find_func(const ptk_module *m, const char *name);
ptk_func *ptk_module_find_func_nested(const ptk_module *m, const char *name);
/* The module tree's top. */
ptk_module *ptk_module_top(const ptk_module *m);

/* Attributes on modules / functions / ops (set replaces; NULL value removes). */
void ptk_module_set_attr(ptk_module *m, const char *name, const ptk_attr *a);
void ptk_func_set_attr(ptk_func *f, const char *name, const ptk_attr *a);
void ptk_op_set_attr(ptk_op *op, const char *name, const ptk_attr *a);
static inline const ptk_attr *ptk_module_attr(const ptk_module *m, const char *name) {
  return ptk_attrs_get(m->attrs, m->nattrs, name);
}
static inline const ptk_attr *ptk_func_attr(const ptk_func *f, const char *name) {
  return ptk_attrs_get(f->attrs, f->nattrs, name);
}
static inline const ptk_attr *ptk_op_attr(const ptk_op *op, const char *name) {
  return ptk_attrs_get(op->attrs, op->nattrs, name);
}

/* ---- blocks and regions ---- */
ptk_block *ptk_region_add_block(ptk_module *m, ptk_region *r);
ptk_value *ptk_block_add_arg(ptk_module *m, ptk_block *b, const ptk_type *t, const char *name,
                             ptk_loc loc);
static inline ptk_module *ptk_op_module(const ptk_op *op); /* below */

/* ---- ops ----
 * A new op is detached; append or insert it. Operands are copied; results
 * are created with the given types; regions are created empty (add blocks
 * with ptk_region_add_block). For kinds with operand segments, the
 * segments start as "everything in the first segment" except DPS, whose
 * default is ins = all but the last operand, outs = the last one; set them
 * with ptk_op_set_segments when that is not right. */
ptk_op *ptk_op_new(ptk_module *m, ptk_op_kind kind, ptk_value *const *operands, uint32_t noperands,
                   const ptk_type *const *result_types, uint32_t nresults, uint32_t nregions,
                   ptk_loc loc);
void ptk_op_set_segments(ptk_module *m, ptk_op *op, const uint32_t *segs, uint32_t nsegs);
/* The blocks of r in order (at most cap, and at most 64) and, for each, the
 * index of its immediate dominator (the entry's is 0; a block no branch
 * reaches gets the entry). 0 when r has no blocks or too many. */
uint32_t ptk_region_idoms(const ptk_region *r, const ptk_block **blocks, uint32_t *idom, uint32_t cap);
/* A branch's successor blocks (copied; entries may be NULL until the reader resolves them). */
void ptk_op_set_successors(ptk_module *m, ptk_op *op, ptk_block *const *blocks, uint32_t n);
/* The layout of a VOP-family op as written, one character per piece:
 *   %  next operand, its type listed after ':'   ?  next operand, type not listed (an index)
 *   $  next positional attribute, a "string"     ^  one written as a bare word
 *   #  one written as an integer                 @  one written as an attribute (#pto.x<…>)
 *   ,  comma   ' '  a space   [ ] ( )  themselves   letters, digits, _  a clause name
 *   !  before a clause: its first type in the list starts with the clause name (`loop i64`)
 *   *  inside a clause, a word argument: the string attribute named after the clause
 *      (`unit_flag(check_only)`: unit_flag = "check_only"), or `clause.key` after `key=`
 *   key=  inside a clause, a named argument (`mode=*`, `clip=%`; printed `key = …`)
 *   <<< >>>  themselves (simt_launch's grid: `@<<<?,?,?>>>(%,%)`)
 * Positional attributes take the names of the row's ATTRS slots in order.
 * A type list that is not one type per '%' operand in order is kept after a
 * ':' (the written type layout; absent for plain lists, so `!` covers
 * `loop i64`):
 *   %  the next '%' operand's type     %N  operand N's type (`pto.stg`'s pointer first: "%1,%0")
 *   ,  comma   ' '  a space   {  }  parentheses   >  the arrow ` -> `
 *   letters, digits, _  a word as written (`nd2nz`, `shape %`, `src_layout{%,%}`)
 * e.g. `: P, Q, nd2nz, shape i64, i64, src_layout(i64)` is ":%,%,nd2nz,shape %,%,src_layout{%}" and
 * simt_launch's `(A, B) -> ()` is ":{%,%}>{}"; without '>' the result types
 * follow as ` -> R…`.
 * For the sync families, form "" marks the bracket-less pretty form.
 * For pto.alloc_tile, PTK_FORM_MEMREF marks one read from memref.alloc or
 * pto.pointer_cast (a lowered buffer; it prints as pto.alloc_tile with the
 * unit attribute PTK_ATTR_MEMREF_BUFFER, which reads back as this form). */
#define PTK_FORM_MEMREF "memref"
#define PTK_ATTR_MEMREF_BUFFER "pto.memref_buffer"
void ptk_op_set_form(ptk_module *m, ptk_op *op, const char *form);
/* A VOP op's clause `name(…)` number `nth` (0-based among clauses of that
 * name): its first operand index and operand count; false when absent. */
bool ptk_op_clause(const ptk_op *op, const char *name, uint32_t nth, uint32_t *first, uint32_t *count);
/* A VPTO micro-instruction: the VOP family, or a pto.vecscope. */
bool ptk_op_is_vpto(const ptk_op *op);
/* First operand of segment i and its length (NULL/0 when out of range). */
ptk_value **ptk_op_segment(const ptk_op *op, uint32_t i, uint32_t *len);
void ptk_op_set_operand(ptk_op *op, uint32_t i, ptk_value *v);
void ptk_block_append(ptk_block *b, ptk_op *op);
void ptk_op_insert_before(ptk_op *pos, ptk_op *op);
void ptk_op_insert_after(ptk_op *pos, ptk_op *op);
void ptk_op_unlink(ptk_op *op); /* detach from its block (memory stays in the arena) */
ptk_value *ptk_op_result(const ptk_op *op, uint32_t i);
/* The function an op is (transitively) in, NULL if detached. */
ptk_func *ptk_op_func(const ptk_op *op);
ptk_op *ptk_region_parent_op(const ptk_region *r);

/* Convenience builders: create, append to b (when b is non-NULL) and return. */
ptk_op *ptk_build(ptk_module *m, ptk_block *b, ptk_op_kind kind, ptk_value *const *operands,
                  uint32_t noperands, const ptk_type *const *result_types, uint32_t nresults,
                  ptk_loc loc);
/* DPS op: ins then outs (segments set accordingly). */
ptk_op *ptk_build_dps(ptk_module *m, ptk_block *b, ptk_op_kind kind, ptk_value *const *ins,
                      uint32_t nins, ptk_value *const *outs, uint32_t nouts, ptk_loc loc);
/* arith.constant of an integer/index/float/i1 type. */
ptk_value *ptk_build_const_int(ptk_module *m, ptk_block *b, int64_t v, const ptk_type *t, ptk_loc loc);
ptk_value *ptk_build_const_float(ptk_module *m, ptk_block *b, double v, const ptk_type *t,
                                 ptk_loc loc);
ptk_value *ptk_build_const_bool(ptk_module *m, ptk_block *b, bool v, ptk_loc loc);

/* Replace every use of `from` by `to` inside region r (recursively). */
void ptk_region_replace_uses(ptk_region *r, const ptk_value *from, ptk_value *to);

/* ---- walking ----
 * Pre-order over every op, nested regions included. The callback returns
 * false to stop the walk; the walk then returns false. Ops may not be
 * unlinked from inside the callback (collect them first). */
typedef bool (*ptk_walk_fn)(ptk_op *op, void *ctx);
bool ptk_walk_block(ptk_block *b, ptk_walk_fn fn, void *ctx);
bool ptk_walk_region(ptk_region *r, ptk_walk_fn fn, void *ctx);
bool ptk_walk_func(ptk_func *f, ptk_walk_fn fn, void *ctx);
bool ptk_walk_module(ptk_module *m, ptk_walk_fn fn, void *ctx); /* nested modules included */

/* Upper bound (exclusive) of value/op uids in the tree: size side tables with it. */
uint32_t ptk_module_value_count(const ptk_module *m);
uint32_t ptk_module_op_count(const ptk_module *m);
ptk_arena *ptk_module_arena(const ptk_module *m);

/* ---- equality ----
 * Structural equality: same module attributes and items in the same order;
 * functions with equal names, visibility, signatures, attributes and
 * bodies; ops with equal kinds, operands (corresponding values), result
 * types, segments, attributes and regions. Names and locations are
 * ignored. On a difference returns false and, when why is non-NULL,
 * appends a one-line explanation of the first difference. */
bool ptk_ir_equal(const ptk_module *a, const ptk_module *b, ptk_buf *why);

static inline ptk_module *ptk_op_module(const ptk_op *op) {
  ptk_func *f = ptk_op_func(op);
  return f ? f->module : NULL;
}

#endif

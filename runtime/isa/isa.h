/* The tile instruction library: C implementations of the PTO tile ops over
 * tile descriptors. The IR interpreter and generated C call the same
 * functions. Semantics follow ../shared/reference/pto-ir.md §6-§9 and the
 * pto-isa CPU simulator (pto-isa.md §1-§2); runtime/isa/README.md lists every
 * decision. Depends on libc only.
 *
 * Conventions
 * - Every op returns 0 (PTK_ISA_OK) or a PTK_ISA_E* code; the message of the
 *   last failure on the calling thread is ptk_isa_error(). Nothing aborts or
 *   prints. On failure the destination may be partly written only for
 *   PTK_ISA_EDIVZERO (integer division by zero: those elements become 0).
 * - Ops iterate over the destination's valid region unless noted. Sources are
 *   read at the same (row, col); a source must be physically large enough
 *   (its valid region is not required to match: that is the verifier's job).
 * - Scalars are converted to the tile's dtype first (f32 -> f16 rounds, a
 *   float scalar for an integer tile truncates).
 * - f16/bf16 arithmetic is done in f32 and rounded back after every step. */
#ifndef PTK_RUNTIME_ISA_ISA_H
#define PTK_RUNTIME_ISA_ISA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ptk_isa_format appends to a lang/util.h buffer; declared here so that this
 * header depends on libc only (generated JIT code embeds it). */
typedef struct ptk_buf ptk_buf;

/* ---- enums ---------------------------------------------------------------- */

typedef enum ptk_isa_dtype {
  PTK_ISA_F32,
  PTK_ISA_F16,
  PTK_ISA_BF16,
  PTK_ISA_F64,
  PTK_ISA_I8,
  PTK_ISA_I16,
  PTK_ISA_I32,
  PTK_ISA_I64,
  PTK_ISA_U8,
  PTK_ISA_U16,
  PTK_ISA_U32,
  PTK_ISA_U64,
  PTK_ISA_I1, /* one byte per element, 0 or 1 */
  PTK_ISA_NDTYPES,
  /* Byte formats (README "Byte formats"): one byte per element, held as raw
   * bits. Only data movement (tload, tstore, tmov, textract, tinsert,
   * ttrans, tfillpad with a zero pad, mgather, mscatter) and the MX ops take
   * tiles of them; nothing else computes with them (EDTYPE). */
  PTK_ISA_F8E4M3 = 32, /* f8E4M3FN */
  PTK_ISA_F8E5M2,
  PTK_ISA_E8M0,   /* !pto.f8E8M0: MX scales 2^(e - 127), 0xFF NaN */
  PTK_ISA_HIF8,   /* !pto.hif8 */
  PTK_ISA_F4E2M1X2, /* !pto.f4E2M1x2: two e2m1 values per byte */
  PTK_ISA_F4E1M2X2, /* !pto.f4E1M2x2 */
  PTK_ISA_RAW_END
} ptk_isa_dtype;

typedef enum ptk_isa_loc {
  PTK_ISA_VEC,
  PTK_ISA_MAT,
  PTK_ISA_LEFT,
  PTK_ISA_RIGHT,
  PTK_ISA_ACC,
  PTK_ISA_BIAS,
  PTK_ISA_SCALING
} ptk_isa_loc;

typedef enum ptk_isa_blayout { PTK_ISA_ROW_MAJOR, PTK_ISA_COL_MAJOR } ptk_isa_blayout;
typedef enum ptk_isa_slayout {
  PTK_ISA_NONE_BOX,
  PTK_ISA_BOX_ROW_MAJOR,
  PTK_ISA_BOX_COL_MAJOR
} ptk_isa_slayout;
/* Same numbering as tile_buf's `pad` integer. */
typedef enum ptk_isa_pad {
  PTK_ISA_PAD_NULL,
  PTK_ISA_PAD_ZERO,
  PTK_ISA_PAD_MAX,
  PTK_ISA_PAD_MIN
} ptk_isa_pad;

/* #pto<round_mode ...>. For float->int conversions; float->float always
 * rounds to nearest even (pto-isa CPU simulator). NONE truncates. */
typedef enum ptk_isa_rmode {
  PTK_ISA_RM_NONE,
  PTK_ISA_RM_RINT,
  PTK_ISA_RM_ROUND, /* nearest, ties away from zero */
  PTK_ISA_RM_FLOOR,
  PTK_ISA_RM_CEIL,
  PTK_ISA_RM_TRUNC,
  PTK_ISA_RM_ODD,       /* nearest, exact .5 ties go to the odd neighbour */
  PTK_ISA_RM_CAST_RINT, /* = RINT */
} ptk_isa_rmode;

typedef enum ptk_isa_cmp {
  PTK_ISA_EQ,
  PTK_ISA_NE,
  PTK_ISA_LT,
  PTK_ISA_LE,
  PTK_ISA_GT,
  PTK_ISA_GE
} ptk_isa_cmp;

enum {
  PTK_ISA_OK = 0,
  PTK_ISA_EDTYPE,   /* dtype or dtype combination the op does not take */
  PTK_ISA_ELAYOUT,  /* layout/location the op does not take, or a bad descriptor */
  PTK_ISA_ESHAPE,   /* valid region / offsets outside a tile, shape mismatch */
  PTK_ISA_EARG,     /* bad argument value (enum out of range, ...) */
  PTK_ISA_EDIVZERO, /* integer division or remainder by zero */
};

/* Message of the last failure on this thread ("" if none). */
const char *ptk_isa_error(void);
/* Forgets it (the runtime does after reporting: header-only functions, such
 * as the VPTO ones, return codes without a message). */
void ptk_isa_clear_error(void);

/* ---- dtypes ---------------------------------------------------------------- */

size_t ptk_isa_dtype_size(ptk_isa_dtype t);
const char *ptk_isa_dtype_name(ptk_isa_dtype t); /* "f32", "bf16", "u8", "i1", ... */
bool ptk_isa_dtype_is_float(ptk_isa_dtype t);    /* f32 f16 bf16 f64 */
bool ptk_isa_dtype_is_unsigned(ptk_isa_dtype t); /* u8 u16 u32 u64 i1 */
bool ptk_isa_dtype_is_raw(ptk_isa_dtype t);      /* the byte formats f8E4M3FN ... f4E1M2x2 */

/* A scalar operand: a float or an integer value. */
typedef struct ptk_isa_scalar {
  bool is_float;
  double f;
  int64_t i;
} ptk_isa_scalar;
static inline ptk_isa_scalar ptk_isa_sf(double f) {
  ptk_isa_scalar s = {true, f, 0};
  return s;
}
static inline ptk_isa_scalar ptk_isa_si(int64_t i) {
  ptk_isa_scalar s = {false, 0, i};
  return s;
}

/* ---- tile descriptor ------------------------------------------------------- */

/* A tile: `rows x cols` elements (valid region `vrows x vcols`, always the
 * top-left prefix) that live inside a storage block of `srows x scols`
 * elements at `data`, starting at (r0, c0). Element (r, c) of the tile is
 * storage element (r0 + r, c0 + c), placed by the layout formula of the
 * storage (see ptk_isa_offset). For a plain tile srows = rows, scols = cols and
 * r0 = c0 = 0; subviews share their parent's storage. */
typedef struct ptk_tile {
  uint8_t *data;
  int32_t rows, cols;
  int32_t vrows, vcols;
  int32_t srows, scols;
  int32_t r0, c0;
  ptk_isa_dtype dtype;
  ptk_isa_loc loc;
  ptk_isa_blayout blayout;
  ptk_isa_slayout slayout;
  int32_t fractal; /* 512 or 1024 for boxed layouts; ignored for none_box */
  ptk_isa_pad pad;
} ptk_tile;

/* Fill a plain tile descriptor and check it (ptk_isa_tile_check). */
int ptk_isa_tile_init(ptk_tile *t, void *data, ptk_isa_dtype dtype, ptk_isa_loc loc, int32_t rows,
                      int32_t cols, int32_t vrows, int32_t vcols, ptk_isa_blayout bl,
                      ptk_isa_slayout sl, int32_t fractal, ptk_isa_pad pad);
/* Geometry checks every op performs: valid region inside the tile, tile
 * inside its storage, box dims dividing the storage (Nz allows any rows). */
int ptk_isa_tile_check(const ptk_tile *t);
/* Storage bytes a plain tile of this type occupies (rows*cols*size). */
size_t ptk_isa_tile_bytes(const ptk_tile *t);

/* Inner box (fractal) dims: 16x16 for fractal 1024; for 512 with a row-major
 * box 16 x (32/size), col-major box (32/size) x 16; none_box gives 1x1. */
int ptk_isa_box_dims(const ptk_tile *t, int32_t *box_rows, int32_t *box_cols);

/* Element offset (in elements from `data`) of tile element (r, c):
 *   none_box row_major  R*SC + C            none_box col_major  C*SR + R
 *   Nz (col+row box)    (C/IC)*SR*IC + (R/IR)*IR*IC + (R%IR)*IC + C%IC
 *   Zn (row+col box)    (R/IR)*SC*IR + (C/IC)*IR*IC + (C%IC)*IR + R%IR
 *   Zz (row+row box)    (R/IR)*SC*IR + (C/IC)*IR*IC + (R%IR)*IC + C%IC
 *   Nn (col+col box)    (C/IC)*SR*IC + (R/IR)*IR*IC + (C%IC)*IR + R%IR
 * with R = r0+r, C = c0+c, SR x SC the storage shape, IR x IC the box. The
 * descriptor must have passed ptk_isa_tile_check. */
int64_t ptk_isa_offset(const ptk_tile *t, int32_t r, int32_t c);

/* Aliasing descriptors (never copies). subview: the window at (r, c) of size
 * rows x cols with valid vrows x vcols, sharing `parent`'s storage. */
/* pto.multi_tile_get: slot `slot` of a multi-buffered tile held as its slot
 * 0 `src` (the slots follow each other every ptk_isa_tile_bytes(src) bytes,
 * as ptoas places them): src's descriptor moved to the slot. A slot
 * outside [0, count) is PTK_ISA_EARG. */
int ptk_isa_multi_tile_get(ptk_tile *out, const ptk_tile *src, int64_t slot, int64_t count);
int ptk_isa_subview(const ptk_tile *parent, int32_t r, int32_t c, int32_t rows, int32_t cols,
                    int32_t vrows, int32_t vcols, ptk_tile *out);
/* treshape: the same bytes seen with another shape/dtype/layout. `out` holds
 * the new type (dtype, rows, cols, vrows, vcols, layouts, fractal, pad; its
 * data/storage fields are ignored) and is completed in place. The source must
 * be a whole tile, the byte sizes must agree and boxed <-> none_box changes are
 * refused (pto-isa TRESHAPE). */
int ptk_isa_treshape(const ptk_tile *src, ptk_tile *out);
/* bitcast: same geometry, another dtype of the same size. */
int ptk_isa_bitcast(const ptk_tile *src, ptk_isa_dtype dtype, ptk_tile *out);

/* ---- global memory views ----------------------------------------------------- */

typedef enum ptk_isa_gm_layout { PTK_ISA_GM_ND, PTK_ISA_GM_DN, PTK_ISA_GM_NZ } ptk_isa_gm_layout;

/* A partition of a global tensor: `base` points at its first element (the
 * caller has applied the partition offsets); strides are in elements.
 * Mapping of tile (r, c) to elements (pto-isa MapTileIndicesToGlobalOffset):
 *   ND: c is the last dim; r is split row-major over dims 0..rank-2.
 *   DN: r is dim rank-2; c is split as (outer, inner) with inner the last dim
 *       and outer row-major over dims 0..rank-3.
 *   NZ (rank 5 only): r is split row-major over dims 2..3, c as (block,
 *       inner) with inner dim 4 and the block row-major over dims 0..1
 *       (pto-isa's (1, C/C0, R/16, 16, C0); PTOAS's A5 kernels also use
 *       (C/C0, 1, R, 1, C0)).
 * For rank <= 2 ND and DN are r -> dim rank-2 (rank 1: a single row), c -> last. */
typedef struct ptk_gm_view {
  void *base;
  ptk_isa_dtype dtype;
  int rank; /* 1..5 */
  int64_t shape[5];
  int64_t stride[5];
  ptk_isa_gm_layout layout;
} ptk_gm_view;

/* The rows x cols a tload/tstore moves: the tile's valid region clipped to
 * what the view holds in the mapping above. */
int ptk_isa_transfer_shape(const ptk_tile *t, const ptk_gm_view *v, int32_t *rows, int32_t *cols);
/* Element offset (relative to v->base) of transfer element (r, c) in the
 * mapping above (saturating: view values come from user programs). */
int64_t ptk_isa_gm_offset(const ptk_gm_view *v, int64_t r, int64_t c);
/* Smallest and largest element offset (relative to v->base) that a transfer
 * of rows x cols touches, for the caller's bounds check. When nothing is
 * touched, *lo = 0 and *hi = -1. */
int ptk_isa_gm_extent(const ptk_gm_view *v, int32_t rows, int32_t cols, int64_t *lo, int64_t *hi);
/* An MX scale tile (1-byte elements, fractal 32, boxed) moves between global
 * memory and its storage as raw bytes [0, extent) from the view's first
 * element (README "Byte formats"): the extent, 1 + the largest storage
 * offset of a valid element; 0 for any other tile. The caller checks those
 * bytes instead of ptk_isa_gm_extent's. */
int64_t ptk_isa_mx_scale_extent(const ptk_tile *t);

/* Global memory an op indexes itself (mgather, mscatter): the view, and the
 * bytes [lo, hi) relative to v.base that belong to the kernel buffer behind
 * it (v.base NULL: no kernel buffer, every access is refused). */
typedef struct ptk_gm_ref {
  ptk_gm_view v;
  int64_t lo, hi;
} ptk_gm_ref;
/* The ref of a view at byte offset boff of a buffer of cap bytes at buf. */
static inline ptk_gm_ref ptk_isa_gm_ref(uint8_t *buf, int64_t cap, int64_t boff, int rank,
                                        int layout, const int64_t *shape, const int64_t *stride,
                                        int dtype) {
  ptk_gm_ref g;
  int n = rank < 1 ? 1 : rank > 5 ? 5 : rank;
  g.v.dtype = (ptk_isa_dtype)dtype;
  g.v.rank = rank;
  g.v.layout = (ptk_isa_gm_layout)layout;
  for (int d = 0; d < 5; d++) {
    g.v.shape[d] = d < n && rank >= 1 ? shape[d] : 0;
    g.v.stride[d] = d < n && rank >= 1 ? stride[d] : 0;
  }
  g.v.base = buf ? (void *)((uintptr_t)buf + (uintptr_t)boff) : (void *)0;
  g.lo = -boff;
  g.hi = cap - boff;
  return g;
}

/* pto.mgather (GM -> vec tile; runtime/isa/README.md "mgather / mscatter").
 * coalesce 0 row: dst[r, j] = table[idx_r, j], idx a [1, R] or [R, 1]
 * tile; 1 elem: dst[r, j] = table[idx[r, j]] over the table's elements in
 * row-major order. oob (#pto<gather_oob>): 0 undefined (an index outside
 * the table is an error), 1 clamp, 2 wrap, 3 zero. */
int ptk_isa_mgather(const ptk_tile *dst, ptk_gm_ref mem, const ptk_tile *idx, int64_t coalesce,
                    int64_t oob);
/* The GM -> L1 form of pto.mgather: the same with the indices read from
 * global memory (an i32 view: [1, R] / [R, 1] for the row mode, dst's
 * valid shape for elem, in its row-major order) into a vec or mat tile; the
 * elem mode's scratch workspace is neither read nor written. */
int ptk_isa_mgather_gm(const ptk_tile *dst, ptk_gm_ref mem, ptk_gm_ref idx, int64_t coalesce,
                       int64_t oob);
/* pto.mscatter (vec tile -> GM): table[idx_r, j] = src[r, j] (row) or
 * table[idx[r, j]] = src[r, j] (elem), in row-major order of src (the last
 * writer wins). coalesce 2: inferred (elem when idx has src's valid shape).
 * atomic (#pto<scatter_atomic_op>) 0 none 1 add 2 max 3 min; oob
 * (#pto<scatter_oob>) 0 undefined (error) 1 skip 2 clamp 3 wrap. */
int ptk_isa_mscatter(ptk_gm_ref mem, const ptk_tile *src, const ptk_tile *idx, int64_t coalesce,
                     int64_t atomic, int64_t oob);

/* pto.thistogram (A5, radix sort): for each valid row r of src (ui16 or
 * ui32), dst[r, b] (ui32, b in 0..255) = how many elements of the row pass
 * the filter and have byte `byte` (0 = bits 7..0 … 3 = bits 31..24) <= b:
 * an ascending cumulative histogram, written over the first 256 columns.
 * Filters (idx ui8): ui16 byte 0 keeps elements whose high byte is
 * idx[r, 0], byte 1 keeps all; ui32 byte k keeps elements whose bytes 3,
 * 2, 1 (down to k + 1) equal idx[0, 0], idx[1, 0], idx[2, 0]. is_msb 0 / 1
 * (the legacy isMSB attribute) replaces byte; any other value keeps it. */
int ptk_isa_thistogram(const ptk_tile *dst, const ptk_tile *src, const ptk_tile *idx, int64_t byte,
                       int64_t is_msb);

/* pto.tprefetch_async (GM -> L2 through SDMA): a cache hint that changes no
 * value, run eagerly on the host as a bounds check. Every element of the
 * view (any rank, any strides) must lie in the kernel buffer behind it, else
 * PTK_ISA_ESHAPE; nothing is read or written. */
int ptk_isa_prefetch_async(ptk_gm_ref src);

/* ---- data movement ------------------------------------------------------------- */

/* GM -> tile. Fills the whole tile (rows x cols) with its pad value (null and
 * zero -> 0, max / min -> the dtype's largest / lowest finite value: f32
 * +-3.4028235e38, f16 +-65504, bf16 +-3.3895314e38, integer type max / min,
 * 0 for unsigned min; never inf), then copies the transfer region bit for bit
 * (element sizes must match). */
int ptk_isa_tload(const ptk_tile *dst, const ptk_gm_view *src);

typedef struct ptk_isa_store_opts {
  bool relu;       /* reluPreMode normal_relu: max(x, 0) before converting */
  bool atomic_add; /* atomicType atomic_add: GM += value (in the GM dtype) */
} ptk_isa_store_opts;
/* tile -> GM over the transfer region. vec/mat sources: bit copy (same element
 * size). acc sources: value conversion to the GM dtype (f32 -> f16/bf16 round
 * to nearest even). `opts` may be NULL. */
int ptk_isa_tstore(const ptk_gm_view *dst, const ptk_tile *src, const ptk_isa_store_opts *opts);

/* Tile -> tile copy over the common valid region (min of both), any layouts
 * (mat Nz -> left/right, acc -> vec, ...); dtypes may differ (value
 * conversion: float->float nearest even, float->int truncation). */
int ptk_isa_tmov(const ptk_tile *dst, const ptk_tile *src, bool relu);
/* dst[i,j] = src[i+r, j+c] over dst's valid region. */
int ptk_isa_textract(const ptk_tile *dst, const ptk_tile *src, int64_t r, int64_t c, bool relu);
/* dst[i+r, j+c] = src[i,j] over src's valid region. */
int ptk_isa_tinsert(const ptk_tile *dst, const ptk_tile *src, int64_t r, int64_t c, bool relu);
/* dst[j,i] = src[i,j] over src's valid region (same element size). */
int ptk_isa_ttrans(const ptk_tile *dst, const ptk_tile *src);
/* Copy src's valid region into dst and set every other element of dst (all
 * rows x cols) to dst's pad value (which must not be null; max / min are the
 * finite extremes, as for tload). src may be dst. */
int ptk_isa_tfillpad(const ptk_tile *dst, const ptk_tile *src);
/* pto.tconcat ins(a, b) outs(dst): column-wise concatenation. For every row
 * r < dst.vrows: dst[r, c] = a[r, c] for c < a.vcols and
 * dst[r, a.vcols + c] = b[r, c] for c < b.vcols (bit copies, any layouts).
 * dst elements at columns >= a.vcols + b.vcols are left unchanged.
 * Requires: a, b, dst of one dtype among f32 f16 bf16 i8 u8 i16 u16 i32 u32
 * (else PTK_ISA_EDTYPE); all three loc=vec (else PTK_ISA_ELAYOUT);
 * a.vrows == b.vrows == dst.vrows and a.vcols + b.vcols <= dst.vcols (else
 * PTK_ISA_ESHAPE). Messages name a "src0" and b "src1", as the IR does. */
int ptk_isa_tconcat(const ptk_tile *dst, const ptk_tile *a, const ptk_tile *b);
/* Fill dst's valid region with s. */
int ptk_isa_texpands(const ptk_tile *dst, ptk_isa_scalar s);

/* ---- elementwise ------------------------------------------------------------ */

typedef enum ptk_isa_unop {
  PTK_ISA_ABS,
  PTK_ISA_NEG,
  PTK_ISA_EXP,
  PTK_ISA_LOG,
  PTK_ISA_SQRT,
  PTK_ISA_RSQRT,
  PTK_ISA_RECIP,
  PTK_ISA_RELU,
  PTK_ISA_NOT,
  PTK_ISA_NUNOPS
} ptk_isa_unop;

typedef enum ptk_isa_binop {
  PTK_ISA_ADD,
  PTK_ISA_SUB,
  PTK_ISA_MUL,
  PTK_ISA_DIV,
  PTK_ISA_MAX, /* a < b ? b : a (std::max: NaN handling follows operand order) */
  PTK_ISA_MIN, /* b < a ? b : a */
  PTK_ISA_REM, /* floored: r = fmod(a, b); r != 0 && sign(a) != sign(b) ? r + b : r */
  PTK_ISA_FMOD,
  PTK_ISA_AND,
  PTK_ISA_OR,
  PTK_ISA_XOR,
  PTK_ISA_SHL,
  PTK_ISA_SHR,   /* arithmetic for signed, logical for unsigned */
  PTK_ISA_PRELU, /* a > 0 ? a : a * b (tprelu; tlrelu with a scalar slope) */
  PTK_ISA_ADDRELU,
  PTK_ISA_SUBRELU,
  PTK_ISA_POW,
  PTK_ISA_EXPDIF, /* exp(a - b) */
  PTK_ISA_NBINOPS
} ptk_isa_binop;

int ptk_isa_unary(ptk_isa_unop op, const ptk_tile *dst, const ptk_tile *src);
/* dst = a op b */
int ptk_isa_binary(ptk_isa_binop op, const ptk_tile *dst, const ptk_tile *a, const ptk_tile *b);
/* One chunk of a fused group's elementwise op on f32 (the interpreter's
 * fused groups, backend/fuse.h): d[i] = op(a[i], b[i]) (PTK_ISA_FZ_TT),
 * op(a[i], s) (TS), op(s, a[i]) (ST), or unary op(a[i]) (UN; op a
 * ptk_isa_unop), through the expressions of runtime/isa/ew.h. d is neither
 * a nor b. */
typedef enum { PTK_ISA_FZ_TT, PTK_ISA_FZ_TS, PTK_ISA_FZ_ST, PTK_ISA_FZ_UN } ptk_isa_fz_form;
void ptk_isa_fz_chunk(ptk_isa_fz_form form, int op, float *restrict d, const float *restrict a,
                      const float *restrict b, float s, size_t n);
/* dst = a op s (tadds, tsubs, tmuls, tdivs, tmaxs, ..., tlrelu = PRELU) */
int ptk_isa_binary_ts(ptk_isa_binop op, const ptk_tile *dst, const ptk_tile *a, ptk_isa_scalar s);
/* dst = s op a (the scalar-first form, e.g. tdivs ins(%s, %t) = s / t) */
int ptk_isa_binary_st(ptk_isa_binop op, const ptk_tile *dst, ptk_isa_scalar s, const ptk_tile *a);

/* Ternary: taddc a+b+c, tsubc a-b+c, taddsc a+s+b, tsubsc a-s+b,
 * taxpy dst = src*s + dst. Each step rounds to the dtype. */
int ptk_isa_taddc(const ptk_tile *dst, const ptk_tile *a, const ptk_tile *b, const ptk_tile *c);
int ptk_isa_tsubc(const ptk_tile *dst, const ptk_tile *a, const ptk_tile *b, const ptk_tile *c);
int ptk_isa_taddsc(const ptk_tile *dst, const ptk_tile *a, ptk_isa_scalar s, const ptk_tile *b);
int ptk_isa_tsubsc(const ptk_tile *dst, const ptk_tile *a, ptk_isa_scalar s, const ptk_tile *b);
int ptk_isa_taxpy(const ptk_tile *dst, const ptk_tile *src, ptk_isa_scalar s);

/* tpartadd/max/min/mul (op ADD, MAX, MIN, MUL): over dst's valid region,
 * where both sources are valid apply op, where one is valid copy it, else 0. */
int ptk_isa_tpart(ptk_isa_binop op, const ptk_tile *dst, const ptk_tile *a, const ptk_tile *b);

/* ---- broadcast / expand ------------------------------------------------------- */

/* trowexpand: dst[r,c] = src[r,0]; tcolexpand: dst[r,c] = src[0,c]. */
int ptk_isa_trowexpand(const ptk_tile *dst, const ptk_tile *src);
int ptk_isa_tcolexpand(const ptk_tile *dst, const ptk_tile *src);
/* trowexpand{add,sub,mul,div,max,min,expdif}: one operand is broadcast
 * along each row, and only its column 0 is read (an Rx1 column, or a
 * row-major block of 32/size lanes per row whose lane 0 is vdup'ed, as the
 * PTOAS A5 lowering does):
 *   dst[r,c] = a[r,c] op b[r,0]   (b is the broadcast operand), or
 *   dst[r,c] = a[r,0] op b[r,c]   when only b has dst's valid shape.
 * When both have dst's shape b is the broadcast one. Operand order is kept
 * (sub/div/expdif = exp(a - b)). */
int ptk_isa_trowexpand_op(ptk_isa_binop op, const ptk_tile *dst, const ptk_tile *a,
                          const ptk_tile *b);
/* tcolexpand{...}: dst[r,c] = a[r,c] op b[0,c] (row 0 of the broadcast
 * operand, whatever its valid rows), or a[0,c] op b[r,c] when only b has
 * dst's valid shape; b is broadcast when both have it. Order kept. */
int ptk_isa_tcolexpand_op(ptk_isa_binop op, const ptk_tile *dst, const ptk_tile *a,
                          const ptk_tile *b);

/* ---- reductions ------------------------------------------------------------------ */

typedef enum ptk_isa_redop {
  PTK_ISA_RSUM,
  PTK_ISA_RMAX,
  PTK_ISA_RMIN,
  PTK_ISA_RPROD,
  PTK_ISA_RARGMAX, /* index of the first maximum; dst is an integer tile */
  PTK_ISA_RARGMIN,
} ptk_isa_redop;
/* Row reduction over src's valid region into dst[r, 0], r < src.vrows.
 * Sums of f16/bf16 accumulate in f32 and round once; max/min start from
 * element 0 and take x only if strictly better (a NaN never replaces).
 * Association order of float sum/max/min (README "Reductions"): 32 lanes,
 * lane j = columns j, j+32, j+64, ... in ascending order (sum from +0.0f,
 * max/min from element 0), then lanes combined by halving: lane j with lane
 * j+w for w = 16, 8, 4, 2, 1; the result is lane 0. Products and arg-variants
 * are sequential in column order; f64 and integers sequential. */
int ptk_isa_trowreduce(ptk_isa_redop op, const ptk_tile *dst, const ptk_tile *src);
/* Column reduction into dst[0, c], c < src.vcols; accumulates in dst's dtype
 * (an f16 column sum rounds after every add). Each column is one sequential
 * chain over the rows, row 0 first (vector lanes are columns). */
int ptk_isa_tcolreduce(ptk_isa_redop op, const ptk_tile *dst, const ptk_tile *src);

/* ---- matmul ----------------------------------------------------------------------- */

/* C = A*B (tmatmul), C = Cin + A*B (tmatmul.acc), C = A*B + bias[0,:]
 * (tmatmul.bias); M = A.vrows, K = A.vcols, N = B.vcols. Dtypes (A, B, C):
 * (f16,f16,f32) (bf16,bf16,f32) (f32,f32,f32) (i8,i8,i32). Each dot product
 * starts at 0 and accumulates with fmaf in k order (i32: wrap-around); Cin
 * or bias is added last. Only the M x N region of C is written. tgemv* are
 * the same functions. */
int ptk_isa_tmatmul(const ptk_tile *c, const ptk_tile *a, const ptk_tile *b);
int ptk_isa_tmatmul_acc(const ptk_tile *c, const ptk_tile *cin, const ptk_tile *a,
                        const ptk_tile *b);
int ptk_isa_tmatmul_bias(const ptk_tile *c, const ptk_tile *a, const ptk_tile *b,
                         const ptk_tile *bias);

/* ---- conversion ------------------------------------------------------------------- */

/* dst = cast(src) over src's valid region. float->float rounds to nearest
 * even whatever rmode says; float->int applies rmode; int->float rounds to
 * nearest even; int->int wraps. sat clamps to the destination range first
 * (NaN -> 0 for integer destinations). Without sat, out-of-range float->int
 * follows x86 (see README). */
int ptk_isa_tcvt(const ptk_tile *dst, const ptk_tile *src, ptk_isa_rmode rmode, bool sat);

/* Scalar helpers with exactly the element semantics of tcvt/tmov: convert
 * one value between dtypes. `src`/`dst` point at one element. */
void ptk_isa_convert_elem(ptk_isa_dtype dt, void *dst, ptk_isa_dtype st, const void *src,
                          ptk_isa_rmode rmode, bool sat);

/* ---- compare / select --------------------------------------------------------------- */

/* tcmp/tcmps: mask is an integer tile of 1, 2 or 4 byte elements holding
 * packed bits, LSB first; the whole mask tile is rewritten (0 where no bit).
 * tcmp: for each row r < a.vrows (and < mask.vrows) element w (w <
 * ceil(a.vcols / bits), w < mask.vcols, bits = 8*size) gets bit b =
 * cmp(a[r, w*bits+b], b[r, w*bits+b]).
 * tcmps: the mask is one byte stream from the tile's first byte (its
 * rows x cols elements in storage order, little-endian), bit k = bit k%8 of
 * byte k/8 (PTOAS A5 vcmps + psts): 4-byte sources flatten the valid region,
 * k = r*a.vcols + c; 1-, 2- and 8-byte sources start row r at bit
 * r * ceil(a.vcols/L)*L, L = 256/size (f16: 16 bytes per 128 columns, i8: 32
 * bytes per 256). PTK_ISA_ESHAPE if the stream does not fit the tile.
 * tcmp compares exactly (NaN: only NE is true); tcmps follows the simulator:
 * EQ is |a-s| < 1e-9 computed in double, NE its negation. */
int ptk_isa_tcmp(const ptk_tile *mask, const ptk_tile *a, const ptk_tile *b, ptk_isa_cmp mode);
int ptk_isa_tcmps(const ptk_tile *mask, const ptk_tile *a, ptk_isa_scalar s, ptk_isa_cmp mode);
/* tsel: dst = bit ? a : b. Bits are one LSB-first stream over dst's valid
 * region in row-major order; the mask row advances after mask.vcols elements
 * (pto-isa TSEL). */
int ptk_isa_tsel(const ptk_tile *dst, const ptk_tile *mask, const ptk_tile *a, const ptk_tile *b);
/* tsels: dst[r,c] = bit (c % bits) of mask[r, c / bits] ? a[r,c] : s. */
int ptk_isa_tsels(const ptk_tile *dst, const ptk_tile *mask, const ptk_tile *a, ptk_isa_scalar s);

/* ---- generators / misc ---------------------------------------------------------------- */

/* tci: dst[r, j] = start + j (descending: start - j), integer dtypes. */
int ptk_isa_tci(const ptk_tile *dst, int64_t start, bool descending);
/* ttri: 1 where j <= i + diag (lower) / j >= i + diag (upper), else 0. */
int ptk_isa_ttri(const ptk_tile *dst, int64_t diag, bool upper);
/* tgetval/tsetval: element at logical index off = r*cols + c. */
int ptk_isa_tgetval(const ptk_tile *t, int64_t off, ptk_isa_scalar *out);
int ptk_isa_tsetval(const ptk_tile *t, int64_t off, ptk_isa_scalar v);
/* Read one element as a scalar (float dtypes -> is_float). */
ptk_isa_scalar ptk_isa_get(const ptk_tile *t, int32_t r, int32_t c);
/* tprint: append the valid region as text, one row per line. */
int ptk_isa_format(ptk_buf *out, const ptk_tile *t);

/* ---- sort (runtime/isa/sort.c; README "tsort32", "tmrgsort") ------------------------------- */

/* Sort results are 8-byte (value, index) structures laid along a row: f32
 * tiles hold (value, index bits) in 2 elements, f16 tiles (value, 0, index
 * low 16 bits, index high 16 bits) in 4. The order is descending by value,
 * a NaN before every number, equal values in their input order (stable). */

/* pto.tsort32 ins(src, idx[, tmp]) outs(dst): for each row r < dst.vrows,
 * every block of 32 of src's valid columns is sorted and written as
 * structures (value, idx[r or 0, c]) at structure positions of the block
 * (idx with one valid row is shared by all rows). A short tail block (needs
 * tmp; its contents are not used) sorts its valid elements only. src/dst f16
 * or f32, idx i32/u32, all vec. */
int ptk_isa_tsort32(const ptk_tile *dst, const ptk_tile *src, const ptk_tile *idx,
                    const ptk_tile *tmp);
/* pto.tmrgsort, both forms; s1..s4 are the tiles after src0 (NULL when
 * absent). Format 1, ins(src, blockLen) outs(dst): src row 0 holds lists of
 * blockLen elements (blockLen*size/8 structures), each sorted; every group of
 * 4 consecutive lists is merged into the same place of dst; structures after
 * the last whole group are left unchanged. Format 2, ins(src0, src1[, src2,
 * src3], tmp) outs(dst, executed): the lists (src_i's valid columns) are
 * merged into tmp (at most tmp's columns), ties to the lower list; with
 * `exhausted` the merge stops right after a list runs out. Then dst's valid
 * columns are copied from tmp. `executed` is not written (an SSA vector). */
int ptk_isa_tmrgsort(const ptk_tile *dst, const ptk_tile *src0, const ptk_tile *s1,
                     const ptk_tile *s2, const ptk_tile *s3, const ptk_tile *s4,
                     int64_t block_len, bool exhausted);

/* ---- gather / scatter (runtime/isa/gather.c; README "tgather / tgatherb / tscatter") ---- */

/* pto.tgather. Index form (idx non-NULL): dst[r, c] = src element at flat
 * index idx[r, c] of src's rows x cols (row-major: (f / cols, f % cols));
 * an index outside gives 0; over dst's valid region; idx 16/32-bit ints;
 * src, dst one dtype. Mask form (idx NULL, mask_pattern 0..6 in
 * #pto.mask_pattern order P0101 P1010 P0001 P0010 P0100 P1000 P1111): the
 * columns c of src's valid region with c%2==0, c%2==1, c%4==0, 1, 2, 3 or
 * all, row by row, as one stream into dst's rows x cols (row-major);
 * element sizes must match. The compare form (mask_pattern outside 0..6,
 * no idx) is refused (EARG). Bit copies. */
int ptk_isa_tgather(const ptk_tile *dst, const ptk_tile *src, const ptk_tile *idx,
                    int64_t mask_pattern);
/* pto.tgather's compare form (ptoas: ins(src, kValue, tmp) outs(dst, cdst)
 * {cmpMode, offset}; pto-isa TGATHER(dst, src, k, cdst, tmp)). The ISA
 * documents only "dst gathers the indices that satisfy the compare, cdst the
 * per-row count"; ptk's decision: for each valid row r of src, the columns
 * c < src.vcols with src[r, c] <mode> k (exact, in src's dtype), in
 * increasing order, are written as the 32-bit integers c + offset into
 * dst[r, 0..] (at most dst.vcols of them; later columns keep their
 * contents), and cdst[r, 0] gets how many satisfied it. tmp (the
 * hardware's compare bitmask) is neither read nor written. */
int ptk_isa_tgather_cmp(const ptk_tile *dst, const ptk_tile *cdst, const ptk_tile *src, ptk_isa_scalar k,
                        ptk_isa_cmp mode, int64_t offset);
/* pto.tgatherb: for each row r < dst.vrows and 32-byte block b of dst's
 * valid columns, copy the 32 bytes at byte offset offsets[r, b] (u32/i32) of
 * src's storage (a whole row-major none_box tile) into the block; a block
 * whose bytes would leave src is skipped (left unchanged). */
int ptk_isa_tgatherb(const ptk_tile *dst, const ptk_tile *src, const ptk_tile *offsets);
/* pto.tscatter, index form: dst element at flat index idx[r, c] (of dst's
 * rows x cols, row-major) = src[r, c] over src's valid region, row-major
 * order (the last writer wins); an index outside dst writes nothing. The
 * mask form (idx NULL) is refused (EARG). */
int ptk_isa_tscatter(const ptk_tile *dst, const ptk_tile *src, const ptk_tile *idx,
                     int64_t mask_pattern);

/* ---- quantization (runtime/isa/quant.c; README "tdequant") -------------------------------- */

/* pto.tdequant ins(src, scale, offset) outs(dst): over dst's valid region,
 * dst[r,c] = (f32(src[r,c]) - offset[r,0]) * scale[r,0], each step rounded
 * to f32 (no fused multiply-add). src i8/i16; dst, scale, offset f32. */
int ptk_isa_tdequant(const ptk_tile *dst, const ptk_tile *src, const ptk_tile *scale,
                     const ptk_tile *offset);

/* pto.tconcatidx ins(src0, src1, src0Idx, src1Idx) outs(dst) (concatidx.c):
 * per dst valid row r, the first min(src0Idx[r,0], src0.vcols, dst.vcols)
 * columns of src0, then the first min(src1Idx[r,0], src1.vcols, the rest)
 * of src1 (bit copies; a negative count copies none; later columns kept). */
int ptk_isa_tconcatidx(const ptk_tile *dst, const ptk_tile *a, const ptk_tile *b,
                       const ptk_tile *ia, const ptk_tile *ib);
/* pto.tpartargmax / tpartargmin ins(src0, src1, src0Idx, src1Idx) outs(dst,
 * dstIdx) (partarg.c): tpart's partial rule on the values, the chosen
 * side's index alongside; src1 only when strictly better (ties and NaN keep
 * src0); neither valid: 0 and index 0. Index tiles i32/u32. */
int ptk_isa_tpartarg(bool max, const ptk_tile *dst, const ptk_tile *didx, const ptk_tile *a,
                     const ptk_tile *b, const ptk_tile *ia, const ptk_tile *ib);

/* ---- MX matmul (runtime/isa/mx.c; README "tmatmul.mx") ------------------------------------ */

/* pto.tmatmul.mx / .acc / .bias and tgemv.mx*: C[i,j] = (Cin[i,j] +)
 * sum_k A'[i,k] * B'[k,j] (+ bias[0,j]) with A' = dec(A) * 2^(As[i, k/32] -
 * 127), B' = dec(B) * 2^(Bs[k/32, j] - 127); the sum an fmaf chain in
 * ascending k (as tmatmul). A, B f8E4M3FN / f8E5M2; scales f8E8M0 (tiles of
 * fractal 32, read through their packed layout); C, Cin, bias f32. cin and
 * bias may be NULL (not both given). */
int ptk_isa_tmatmul_mx(const ptk_tile *c, const ptk_tile *cin, const ptk_tile *a,
                       const ptk_tile *as, const ptk_tile *b, const ptk_tile *bs,
                       const ptk_tile *bias);
/* One byte-format element as f32, exactly: f8E4M3FN (S.1111.111 NaN, no
 * inf), f8E5M2 (IEEE-like), f8E8M0 (2^(b-127), 0xFF NaN); NaN otherwise. */
float ptk_isa_mx_dec(ptk_isa_dtype t, uint8_t b);

/* pto.tquant ins(src, fp[, offset]) outs(dst) (runtime/isa/tquant.c; README
 * "tquant"): over dst's valid region dst[r,c] = sat(rint(src[r,c] * fp[r,0]))
 * (INT8_SYM, offset NULL) or sat(rint(src[r,c] * fp[r,0] + offset[r,0]))
 * (INT8_ASYM), each step rounded to f32, ties to even, saturated to dst's
 * range (i8 or u8), NaN -> 0. src, fp, offset f32. quant_type: 0 INT8_SYM,
 * 1 INT8_ASYM (#pto<quant_type>). */
int ptk_isa_tquant(const ptk_tile *dst, const ptk_tile *src, const ptk_tile *fp,
                   const ptk_tile *offset, int64_t quant_type);
/* pto.tquant.mx ins(src) outs(dst, exp, max, scaling) {quant_type = MXFP8}
 * (OCP MXFP8, e4m3; README "tquant.mx"): per group g of 32 consecutive
 * elements of src's valid region (row-major; vcols a multiple of 32):
 * max[g] = max |x|, exp[g] = its e8m0 exponent (f32 exponent - 8, 0 below,
 * 0xFF for NaN), scaling[g] = 2^(127 - exp[g]) and dst = the e4m3fn bytes of
 * x * scaling[g] (clamped to +-448; ptk_isa_mx_e4m3).
 * The aux tiles take group g at flat index g of their valid region. src,
 * max, scaling f32; dst, exp i8/u8. exp_zz (the storeMode form) and
 * quant_type other than MXFP8 (2) are refused. */
int ptk_isa_tquant_mx(const ptk_tile *dst, const ptk_tile *src, const ptk_tile *exp,
                      const ptk_tile *max, const ptk_tile *scaling, const ptk_tile *exp_zz,
                      int64_t quant_type, int64_t alg);
/* One f32 -> e4m3fn byte as tquant.mx writes it (the PTOAS TquantMx golden's
 * fp32_to_fp8e4m3fn_bytes, quirks included): nearest even on the top three
 * mantissa bits; f32 exponent e -> field e - 120, so [2^-7, 2^-6) gets field
 * 0 with those bits and |x| < 2^-7 (and -0) gives +0; overflow and +-inf ->
 * +-448 (0x7E | sign), NaN -> 0x7F. */
uint8_t ptk_isa_mx_e4m3(float x);

/* ---- random (runtime/isa/random.c; README "trandom") ------------------------------------- */

/* pto.trandom ins(key0, key1, counter0..3 {rounds}) outs(dst): the A5
 * generator (README): 64 lanes of 128-bit counters (counter + lane), each
 * run through `rounds` (7 or 10) Philox-4x32 rounds per loop giving 4 words
 * at columns 256*loop + 4*lane + w of each valid row; counters advance by 64
 * per loop and by (vcols-1)%64+1 after a row's last loop, across rows.
 * dst i32 or u32. */
int ptk_isa_trandom(const ptk_tile *dst, int64_t key0, int64_t key1, int64_t c0, int64_t c1,
                    int64_t c2, int64_t c3, int64_t rounds);

/* ---- named forms (one per PTO op) ---------------------------------------------------- */

// clang-format off
#define PTK_ISA_UNARY_OPS(X)                                                                       \
  X(tabs, ABS) X(tneg, NEG) X(texp, EXP) X(tlog, LOG) X(tsqrt, SQRT) X(trsqrt, RSQRT)              \
  X(trecip, RECIP) X(trelu, RELU) X(tnot, NOT)
#define PTK_ISA_BINARY_OPS(X)                                                                      \
  X(tadd, ADD) X(tsub, SUB) X(tmul, MUL) X(tdiv, DIV) X(tmax, MAX) X(tmin, MIN) X(trem, REM)       \
  X(tfmod, FMOD) X(tand, AND) X(tor, OR) X(txor, XOR) X(tshl, SHL) X(tshr, SHR)                    \
  X(tprelu, PRELU) X(taddrelu, ADDRELU) X(tsubrelu, SUBRELU) X(tpow, POW)
#define PTK_ISA_SCALAR_OPS(X)                                                                      \
  X(tadds, ADD) X(tsubs, SUB) X(tmuls, MUL) X(tdivs, DIV) X(tmaxs, MAX) X(tmins, MIN)             \
  X(trems, REM) X(tfmods, FMOD) X(tands, AND) X(tors, OR) X(txors, XOR) X(tshls, SHL)             \
  X(tshrs, SHR) X(tlrelu, PRELU) X(tpows, POW)
#define PTK_ISA_EXPAND_OPS(X)                                                                      \
  X(add, ADD) X(sub, SUB) X(mul, MUL) X(div, DIV) X(max, MAX) X(min, MIN) X(expdif, EXPDIF)
// clang-format on

#define PTK_ISA_DEF_UN(name, OP)                                                                   \
  static inline int ptk_isa_##name(const ptk_tile *d, const ptk_tile *s) {                         \
    return ptk_isa_unary(PTK_ISA_##OP, d, s);                                                      \
  }
#define PTK_ISA_DEF_BIN(name, OP)                                                                  \
  static inline int ptk_isa_##name(const ptk_tile *d, const ptk_tile *a, const ptk_tile *b) {      \
    return ptk_isa_binary(PTK_ISA_##OP, d, a, b);                                                  \
  }
#define PTK_ISA_DEF_TS(name, OP)                                                                   \
  static inline int ptk_isa_##name(const ptk_tile *d, const ptk_tile *a, ptk_isa_scalar s) {       \
    return ptk_isa_binary_ts(PTK_ISA_##OP, d, a, s);                                               \
  }
#define PTK_ISA_DEF_EXP(name, OP)                                                                  \
  static inline int ptk_isa_trowexpand##name(const ptk_tile *d, const ptk_tile *a,                 \
                                             const ptk_tile *b) {                                  \
    return ptk_isa_trowexpand_op(PTK_ISA_##OP, d, a, b);                                           \
  }                                                                                                \
  static inline int ptk_isa_tcolexpand##name(const ptk_tile *d, const ptk_tile *a,                 \
                                             const ptk_tile *b) {                                  \
    return ptk_isa_tcolexpand_op(PTK_ISA_##OP, d, a, b);                                           \
  }
PTK_ISA_UNARY_OPS(PTK_ISA_DEF_UN)
PTK_ISA_BINARY_OPS(PTK_ISA_DEF_BIN)
PTK_ISA_SCALAR_OPS(PTK_ISA_DEF_TS)
PTK_ISA_EXPAND_OPS(PTK_ISA_DEF_EXP)
#undef PTK_ISA_DEF_UN
#undef PTK_ISA_DEF_BIN
#undef PTK_ISA_DEF_TS
#undef PTK_ISA_DEF_EXP

/* tdivs with the scalar first: dst = s / src. */
static inline int ptk_isa_tdivs_rev(const ptk_tile *d, ptk_isa_scalar s, const ptk_tile *a) {
  return ptk_isa_binary_st(PTK_ISA_DIV, d, s, a);
}
static inline int ptk_isa_texpdif(const ptk_tile *d, const ptk_tile *a, const ptk_tile *b) {
  return ptk_isa_binary(PTK_ISA_EXPDIF, d, a, b);
}
#define PTK_ISA_DEF_RED(name, OP)                                                                  \
  static inline int ptk_isa_trow##name(const ptk_tile *d, const ptk_tile *s) {                     \
    return ptk_isa_trowreduce(PTK_ISA_R##OP, d, s);                                                \
  }                                                                                                \
  static inline int ptk_isa_tcol##name(const ptk_tile *d, const ptk_tile *s) {                     \
    return ptk_isa_tcolreduce(PTK_ISA_R##OP, d, s);                                                \
  }
PTK_ISA_DEF_RED(sum, SUM)
PTK_ISA_DEF_RED(max, MAX)
PTK_ISA_DEF_RED(min, MIN)
PTK_ISA_DEF_RED(prod, PROD)
PTK_ISA_DEF_RED(argmax, ARGMAX)
PTK_ISA_DEF_RED(argmin, ARGMIN)
#undef PTK_ISA_DEF_RED

/* ---- entry points ------------------------------------------------------------------------ */

/* Every out-of-line function JIT-generated code may call. The JIT's host
 * table (runtime/jit/abi.h) is generated from this list, so a kernel .so
 * needs no symbols from the host; a call shape (lang/ir/calls.def) whose
 * function is missing here fails to compile in the table sweep test. */
// clang-format off
#define PTK_ISA_ENTRY_POINTS(X)                                                                    \
  X(ptk_isa_treshape) X(ptk_isa_bitcast) X(ptk_isa_tmov) X(ptk_isa_textract) X(ptk_isa_tinsert)  \
  X(ptk_isa_ttrans) X(ptk_isa_tfillpad) X(ptk_isa_texpands) X(ptk_isa_unary) X(ptk_isa_binary)    \
  X(ptk_isa_binary_ts) X(ptk_isa_binary_st) X(ptk_isa_taddc) X(ptk_isa_tsubc) X(ptk_isa_taddsc)  \
  X(ptk_isa_tsubsc) X(ptk_isa_taxpy) X(ptk_isa_tpart) X(ptk_isa_trowexpand)                       \
  X(ptk_isa_tcolexpand) X(ptk_isa_trowexpand_op) X(ptk_isa_tcolexpand_op) X(ptk_isa_trowreduce)  \
  X(ptk_isa_tcolreduce) X(ptk_isa_tmatmul) X(ptk_isa_tmatmul_acc) X(ptk_isa_tmatmul_bias)        \
  X(ptk_isa_tcvt) X(ptk_isa_tcmp) X(ptk_isa_tcmps) X(ptk_isa_tsel) X(ptk_isa_tsels) X(ptk_isa_tci) \
  X(ptk_isa_ttri) X(ptk_isa_tsetval) X(ptk_isa_tconcat)                             \
  X(ptk_isa_tsort32) X(ptk_isa_tmrgsort)    \
  X(ptk_isa_tgather) X(ptk_isa_tgather_cmp) X(ptk_isa_tgatherb) X(ptk_isa_tscatter)     \
  X(ptk_isa_tdequant) X(ptk_isa_trandom)                                                     \
  X(ptk_isa_mgather) X(ptk_isa_mgather_gm) X(ptk_isa_mscatter) X(ptk_isa_tquant) X(ptk_isa_tquant_mx)     \
  X(ptk_isa_tmatmul_mx) X(ptk_isa_tconcatidx) X(ptk_isa_tpartarg) X(ptk_isa_prefetch_async) X(ptk_isa_thistogram) X(ptk_isa_multi_tile_get)
// clang-format on

#endif

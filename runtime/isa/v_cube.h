/* VPTO cube and FIXPIPE micro-instructions (docs/isa/micro-isa/16 of the
 * PTO ISA, docs/vpto.md "Cube and FIXPIPE"): GM/L1 copies, the ND/DN -> NZ
 * fractal load, L1 -> L0A/L0B tile moves, pto.mad*, and the FIXPIPE
 * writeback from L0C with its quant/relu/clip/saturation stages.
 *
 * Storage model (bytes of the block's on-chip memories, the same memories
 * tile-level kernels place tiles in; C0 = 32 bytes / element size):
 * - L1 NZ matrix of logical R x C: 16 x C0 fractals, row-major inside a
 *   fractal, fractals column-major with the rows padded to Rp = ceil(R/16)
 *   * 16: element (r, c) at byte ((c / C0) * Rp + r) * 32 + (c % C0) * esz
 *   (what mte_gm_l1_frac nd2nz writes with dst_group(1, 1, Rp, 0)).
 * - L0A (left, M x K): the same NZ layout with Rp = ceil(M/16)*16 (A5's
 *   TileLeft); with M = 1 and no disable_gemv, pto.mad reads the 1 x K row
 *   contiguously (GEMV organization, mad_f16f16f32).
 * - L0B (right, K x N): ZN, C0 x 16 fractals column-major inside, fractals
 *   row-major: element (k, n) at ((k / C0) * Np + n) * 32 + (k % C0) * esz,
 *   Np = ceil(N/16)*16 (A5's TileRight). An L1 NZ [K, N] matrix becomes it
 *   with transpose = true, an L1 NZ [N, K] matrix (B transposed) without.
 * - L0C (accumulator, M x N of f32 or i32): NZ with 16 x 16 fractals,
 *   element (m, n) at ((n / 16) * Mp + m) * 64 + (n % 16) * 4; pto.mad uses
 *   Mp = ceil(M/16)*16, the FIXPIPE ops take Mp as their src_stride
 *   (fixpipe-cc-gm: M = 40, src_stride 48).
 *
 * Decisions (golden that decided, or "no golden"):
 * - pto.mad is, per element, a dot product started at 0 and accumulated in
 *   ascending k with fmaf (i32: wrapping), then the old L0C value (mad_acc)
 *   or the bias (mad_bias) is added: the tile-level tmatmul order
 *   (runtime/isa/matmul.c). f16/bf16 operands are exact in f32.
 * - sat: multiply inputs NaN -> 0, +-inf -> +-max, the result clamped to
 *   +-max and NaN -> 0; nosat keeps exceptional values (mad_f32f32f32).
 *   Without either word: nosat.
 * - tf32_mode rounds f32 inputs to 10 mantissa bits, ties to even or away
 *   (mad_tf32, mad_tf32_round_away).
 * - mte_l1_l0a / mte_l1_l0b copy the logical extent only (padding of the
 *   destination fractals is left as it was); start_row / start_col offset
 *   the source element, the source rows are padded to 16 over start + extent
 *   (no golden for non-zero starts).
 * - mte_l1_ub: 32-byte units and gaps (fixpipe-cc-gm; the docs say bytes).
 * - mte_l1_bt: one unit is one bias value; f16 / bf16 sources widen to the
 *   f32 bias (mad_bias: 16 units fill 16 f32 bias values).
 * - mte_l1_fb: one unit is 64 bytes (no golden: the vector payload forms
 *   that read fb do not run yet).
 * - FIXPIPE: x = acc; pre_quant scalar modes multiply by the f32 scale
 *   (f32_f16 / f32_bf16 only convert); pre_relu normal: max(x, 0), scalar:
 *   x >= 0 ? x : alpha * x; clip: min(x, clip); conversion to the
 *   destination rounds to nearest even; sat clamps finite overflow and
 *   +-inf to the destination's +-max and writes NaN as 0 (sat(preserve_nan)
 *   keeps NaN); nosat lets overflow become inf; f32 destinations keep
 *   exceptional values. nz2nd writes row i at dst + i * dst_stride
 *   elements; without a layout clause the NZ groups of C0 destination
 *   columns are written at group * dst_stride + i * C0 + (j % C0) elements
 *   (no golden); loop3(count, s3, d3) repeats with the source advanced s3 *
 *   32 bytes and the destination d3 elements. atomic add/max/min combine
 *   with the destination value in its type. */
#ifndef PTK_RUNTIME_ISA_V_CUBE_H
#define PTK_RUNTIME_ISA_V_CUBE_H

#include <stdbool.h>
#include <stdint.h>

#include "runtime/isa/isa.h"
#include "runtime/isa/vreg.h"

/* The grouped byte copies (sub-operation of the call): mte_gm_l1, mte_l1_ub. */
enum { PTK_VCUBE_GM_L1, PTK_VCUBE_L1_UB, PTK_VCUBE_L1_BT, PTK_VCUBE_L1_FB };

/* mte_gm_l1 / mte_l1_ub from a call record: x = len, nburst(n, ss, ds),
 * nloops loop(count, ss, ds) triples. mte_gm_l1: bytes, start-to-start
 * strides (cube-bridge-matmul); mte_l1_ub: len and the nburst gaps in
 * 32-byte units, as the copy_cbuf_to_ubuf it expands to (fixpipe-cc-gm:
 * len 64, nburst(40, 0, 0) moves 40 x 2048 bytes), loop strides in bytes. */
int ptk_v_cube_copy_rec(int which, ptk_vptr src, ptk_vptr dst, const int64_t *x, int nx, int nloops);
/* mte_l1_bt / mte_l1_fb: x = len, nburst(n, src_gap, dst_gap) in units (bt:
 * one bias value of the source dtype sdt widened to the destination ddt;
 * fb: 64 bytes). */
int ptk_v_cube_param_rec(int which, ptk_vptr src, ptk_vptr dst, ptk_isa_dtype sdt, ptk_isa_dtype ddt,
                         const int64_t *x, int nx);
/* copy_ubuf_to_cbuf (to_cbuf) / copy_cbuf_to_ubuf: n bursts of len32 * 32
 * bytes, gaps in 32-byte units (cbuf-ubuf-roundtrip-mixed: len 16 moves a
 * 512-byte tile); sid 1 names sub-block 1's UB, which the host does not
 * model: such a copy has no effect. */
int ptk_v_cbuf_ubuf(int to_cbuf, ptk_vptr src, ptk_vptr dst, int64_t sid, int64_t n, int64_t len32,
                    int64_t src_gap, int64_t dst_gap);
/* mte_gm_l1_frac: dn = 0 nd2nz, 1 dn2nz; x = shape(n, d), src_layout(inner[,
 * outer]), dst_group(count, loop2, loop3, loop4), ctrl(l2, smallc0). */
int ptk_v_gm_l1_frac_rec(ptk_vptr gm, ptk_vptr l1, unsigned esz, int dn, const int64_t *x, int nx);
/* mte_l1_l0a (b = false: m x k into NZ) / mte_l1_l0b (b = true: k x n into
 * ZN); rows x cols is the destination extent. */
int ptk_v_l1_l0(bool b, ptk_vptr l1, ptk_vptr l0, unsigned esz, bool transpose, int64_t rows,
                int64_t cols, int64_t start_row, int64_t start_col);
/* load_cbuf_to_ca: m_step x k_step fractals of 512 bytes, source fractal
 * (m_start + i, k_start + j) at ((k_start + j) * src_stride + m_start + i)
 * * 512, destination (j * dst_stride + i) * 512 (strides in fractals). */
int ptk_v_load_cbuf_to_ca(ptk_vptr l1, ptk_vptr l0a, int64_t m_start, int64_t k_start,
                          int64_t m_step, int64_t k_step, int64_t src_stride, int64_t dst_stride);

/* pto.mad / mad_acc / mad_bias (mode 0 / 1 / 2). adt, bdt: operand dtypes
 * (f32 f16 bf16 i8 u8), cdt: f32 or i32; flags: bit 0 sat, bit 1 nosat,
 * bit 2 disable_gemv; tf32: 0 round_even, 1 round_away, 2 none. bias may be
 * unmapped (base NULL) unless mode 2. */
enum { PTK_VMAD_SAT = 1, PTK_VMAD_NOSAT = 2, PTK_VMAD_NOGEMV = 4 };
int ptk_v_mad(int mode, ptk_isa_dtype adt, ptk_isa_dtype bdt, ptk_isa_dtype cdt, ptk_vptr a,
              ptk_vptr b, ptk_vptr c, ptk_vptr bias, int64_t m, int64_t n, int64_t k, int flags,
              int tf32);

/* FIXPIPE writeback from a call record. which: 0 gm, 1 ub, 2 l1. x: the
 * scalars after the two pointers in written order; words: the presence
 * bits of PTK_VFIX_WORDS; pos: packed clause positions (operand index + 1
 * in bits 0-4, count in bits 5-6, 8 bits per clause of PTK_VFIX_CLAUSES);
 * quant, relu: mode indexes (63 none); atomic_op: 0 add 1 max 2 min 3 none;
 * split: 0 split_m 1 split_n 2 none; keep_nan: sat(preserve_nan). */
#define PTK_VFIX_WORDS "sat|nosat|nz2nd"
#define PTK_VFIX_CLAUSES "pre_quant|pre_relu|nz2dn|nz2nz|loop3|dst_mode"
#define PTK_VFIX_QUANT "f32_f16|f32_bf16|qf322f16_pre_scalar|qf322bf16_pre_scalar|qf322f32_pre_scalar"
#define PTK_VFIX_RELU "no_relu|normal_relu|scalar_relu"
int ptk_v_fixpipe_rec(int which, ptk_vptr src, ptk_vptr dst, ptk_isa_dtype sdt, ptk_isa_dtype ddt,
                      const int64_t *x, int nx, int64_t words, int64_t pos, int quant, int relu,
                      int atomic_op, int split, int keep_nan);

// clang-format off
#define PTK_VEC_ENTRY_POINTS_CUBE(X)                                                               \
  X(ptk_v_cube_copy_rec) X(ptk_v_cube_param_rec) X(ptk_v_gm_l1_frac_rec) X(ptk_v_l1_l0)             \
  X(ptk_v_load_cbuf_to_ca) X(ptk_v_mad) X(ptk_v_fixpipe_rec) X(ptk_v_cbuf_ubuf)
// clang-format on

#endif

/* VPTO memory ops: vector loads/stores with distribution modes (vlds, vsts,
 * vldsx2, vstsx2), block-strided (vsldb, vsstb), unaligned streams with an
 * align carrier (init_align, vldas, vldus, vstus, vstur, vstas, vstar, pstu),
 * gathers/scatter (vgather2, vgather2_bc, vgatherb, vscatter), predicate
 * loads/stores (plds, pldi, psts, psti), scalar UB load/store, and DMA
 * (mte_gm_ub, mte_ub_gm, mte_ub_ub, copy_gm_to_ubuf, copy_ubuf_to_gm,
 * copy_ubuf_to_ubuf and the loop registers the copy_* forms read).
 *
 * Conventions (see vreg.h for the register model):
 * - A memory operand is a ptk_vptr plus an element index: the access starts
 *   at byte p->off + idx * esz, esz = the pointer's element size in bytes
 *   (low-precision element types are 1 byte). Every byte an op touches is
 *   checked against [0, p->cap) before anything is written (no partial
 *   stores); failures return PTK_ISA_ESHAPE with a message naming the op and
 *   the byte range (ptk_isa_error()). Alignment is not enforced.
 * - Predicated stores never touch (nor check) the bytes of inactive lanes.
 * - Post-update forms (post = true) access memory at the base pointer itself;
 *   the result pointer is the base advanced by the offset (ptk_v_post, or
 *   ptk_v_post_bytes for the byte count of each op): the vlds-post-update golden
 *   loads base, base+64, ... from `vlds %src[%c64]` with %src the loop-carried
 *   updated pointer.
 * - The memory functions are out of line (runtime/isa/v_mem.c) because they
 *   record error messages; they are listed in PTK_VEC_ENTRY_POINTS_MEM.
 *
 * Decisions where the documents are silent (golden that decided, or "no
 * golden" where it is a reading of the docs):
 * - UNPK_Bn: element i goes to the low half of lane i of twice the width,
 *   the high half is 0 (vlds-unpk-b16: negative f16 values leave 0x0000).
 * - BRC_BLK: the 32-byte block at the address is repeated 8 times
 *   (vlds-brc-blk).
 * - vsldb/vsstb: block k (32 bytes) is at base + (repeat + k * block) * 32
 *   bytes (vreg-low-precision-ldst: strides 1,1 read the block after base);
 *   block k is active iff b32 lane k is (mask bit 4k), as docs 03's
 *   pseudo-code pg_b32[blk]; inactive blocks load 0 / are not stored.
 * - vldus: the first bytes up to the next 32-byte boundary come from the
 *   align carrier (primed by vldas for that block), the rest from memory
 *   (vldas-vldus, vreg-low-precision-ldst: an unaligned base gives the 256
 *   bytes from that address).
 * - store streams (vstus, vstur, pstu): the carrier holds the bytes of the
 *   stream after its last 32-byte boundary; a flush (vstas at dest + offset,
 *   vstar at dest + AR) writes those n bytes to [F - n, F)
 *   (vreg-low-precision-ldst: vstus 3 then vstas 3 shows 3 bytes; pstu:
 *   two b32 pstu then vstas give 16 packed bytes).
 * - pstu packs one bit per lane (bit i*g of the mask, g = 2 for b16, 4 for
 *   b32): 16 or 8 bytes per store, and advances the base by that many bytes
 *   (pstu golden: 13 then 7 active b32 lanes give 8 + 8 bytes).
 * - plds US duplicates each of 128 loaded bits, DS keeps bits 0, 2, 4, ...
 *   of 512 loaded bits, psts PK stores bits 0, 2, 4, ... (16 bytes)
 *   (psts-pk-plds-us, psti-norm-pldi-ds, psti-pk).
 * - vgather2 of i8/u8 zero-extends into 16-bit lanes, for i8 too (vgather2
 *   golden: view(uint8).astype(int16)); inactive lanes are 0.
 * - vsts PK_B64 / PK_B32 / PK4_B32 / PK_B16: lane i (of the source width) is
 *   active iff mask bit i * width_bytes (docs: "interpreted for 64-bit
 *   data"), its low half (low byte for PK4) is stored at packed position i
 *   (vsts-packed-dist-mask-granularity).
 * - No golden, a reading of the docs: US/DS/E2B/UNPK4/SPLT*, BDINTLV (even /
 *   odd 32-byte blocks), vgather2_bc (= vgather2 with 32-bit offsets),
 *   vscatter, vstus/vstas offsets in elements of the pointer type, vsstb
 *   post-update (stores at base + k*block*32, returns base + repeat*32).
 *   MRG4CHN_B8 / MRG2CHN_* are refused: docs 03 say A5 reports them
 *   unsupported.
 * - DMA: strides are start-to-start byte distances; loop(...) clauses are
 *   given innermost first (docs 02); mte_ub_ub counts len and gaps in 32-byte
 *   units; pad(v, left, right) counts are elements of the pad value's size,
 *   the UB row is [left pad][data][right pad] and, with a pad value, filled
 *   with it up to the next 32-byte boundary. The loop registers reset to
 *   loop sizes 1, strides 0, pad 0 (vcmps-f32 and vsel set only strides and
 *   expect one pass). set_loop_size_*(a, b) sets loop2 = a, loop1 = b, as
 *   PTOAS's own lowering packs them (packLoopSize: first operand << 21);
 *   loop1 is the inner HW loop. mte_* ops do not read the registers. */
#ifndef PTK_RUNTIME_ISA_V_MEM_H
#define PTK_RUNTIME_ISA_V_MEM_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "runtime/cells.h"
#include "runtime/isa/isa.h"
#include "runtime/isa/vreg.h"
#include "runtime/isa/scalar.h"

/* A post-update result cell: the operand's cell advanced by `bytes`, set
 * only when the op (whose code is rc) succeeded. */
static inline int ptk_v_post(ptk_rt_ptr *res, const ptk_rt_ptr *src, int64_t bytes, int rc) {
  if (!rc) {
    *res = *src;
    res->boff = ptk_rt_sadd(res->boff, bytes);
  }
  return rc;
}

/* ---- distribution modes -------------------------------------------------- */

// clang-format off
/* vlds (single result) and vldsx2 (two results) distributions. */
#define PTK_VLD_DISTS(X)                                                                           \
  X(NORM, "NORM") X(BRC_B8, "BRC_B8") X(BRC_B16, "BRC_B16") X(BRC_B32, "BRC_B32")                 \
  X(US_B8, "US_B8") X(US_B16, "US_B16") X(DS_B8, "DS_B8") X(DS_B16, "DS_B16")                     \
  X(UNPK_B8, "UNPK_B8") X(UNPK_B16, "UNPK_B16") X(UNPK_B32, "UNPK_B32") X(BRC_BLK, "BRC_BLK")     \
  X(E2B_B16, "E2B_B16") X(E2B_B32, "E2B_B32") X(UNPK4, "UNPK4") X(SPLT4CHN, "SPLT4CHN")           \
  X(SPLT2CHN_B8, "SPLT2CHN_B8") X(SPLT2CHN_B16, "SPLT2CHN_B16")                                   \
  X(BDINTLV, "BDINTLV") X(DINTLV_B8, "DINTLV_B8") X(DINTLV_B16, "DINTLV_B16")                     \
  X(DINTLV_B32, "DINTLV_B32")
/* vsts (single source) and vstsx2 (two sources) distributions. */
#define PTK_VST_DISTS(X)                                                                           \
  X(NORM_B8, "NORM_B8") X(NORM_B16, "NORM_B16") X(NORM_B32, "NORM_B32")                           \
  X(ONEPT_B8, "1PT_B8") X(ONEPT_B16, "1PT_B16") X(ONEPT_B32, "1PT_B32")                           \
  X(PK_B16, "PK_B16") X(PK_B32, "PK_B32") X(PK_B64, "PK_B64") X(PK4_B32, "PK4_B32")               \
  X(MRG4CHN_B8, "MRG4CHN_B8") X(MRG2CHN_B8, "MRG2CHN_B8") X(MRG2CHN_B16, "MRG2CHN_B16")           \
  X(INTLV_B8, "INTLV_B8") X(INTLV_B16, "INTLV_B16") X(INTLV_B32, "INTLV_B32")
// clang-format on

#define PTK_VDIST_ENUM(id, s) PTK_VLD_##id,
typedef enum ptk_vld_dist { PTK_VLD_DISTS(PTK_VDIST_ENUM) PTK_VLD_NDISTS } ptk_vld_dist;
#undef PTK_VDIST_ENUM
#define PTK_VDIST_ENUM(id, s) PTK_VST_##id,
typedef enum ptk_vst_dist { PTK_VST_DISTS(PTK_VDIST_ENUM) PTK_VST_NDISTS } ptk_vst_dist;
#undef PTK_VDIST_ENUM

/* Predicate load / store distributions (plds/pldi: NORM US DS; psts/psti:
 * NORM PK). */
typedef enum ptk_vpld_dist { PTK_VPLD_NORM, PTK_VPLD_US, PTK_VPLD_DS } ptk_vpld_dist;
typedef enum ptk_vpst_dist { PTK_VPST_NORM, PTK_VPST_PK } ptk_vpst_dist;

/* Name <-> enum (the .pto spelling); -1 / NULL when unknown. */
static inline int ptk_vld_dist_parse(const char *s) {
#define PTK_VDIST_CMP(id, name)                                                                    \
  if (!strcmp(s, name)) return PTK_VLD_##id;
  PTK_VLD_DISTS(PTK_VDIST_CMP)
#undef PTK_VDIST_CMP
  return -1;
}
static inline int ptk_vst_dist_parse(const char *s) {
#define PTK_VDIST_CMP(id, name)                                                                    \
  if (!strcmp(s, name)) return PTK_VST_##id;
  PTK_VST_DISTS(PTK_VDIST_CMP)
#undef PTK_VDIST_CMP
  return -1;
}
static inline const char *ptk_vld_dist_name(int d) {
#define PTK_VDIST_NAME(id, name) name,
  static const char *const names[] = {PTK_VLD_DISTS(PTK_VDIST_NAME)};
#undef PTK_VDIST_NAME
  return d >= 0 && d < PTK_VLD_NDISTS ? names[d] : NULL;
}
static inline const char *ptk_vst_dist_name(int d) {
#define PTK_VDIST_NAME(id, name) name,
  static const char *const names[] = {PTK_VST_DISTS(PTK_VDIST_NAME)};
#undef PTK_VDIST_NAME
  return d >= 0 && d < PTK_VST_NDISTS ? names[d] : NULL;
}
static inline int ptk_vpld_dist_parse(const char *s) {
  return !strcmp(s, "NORM") ? PTK_VPLD_NORM
         : !strcmp(s, "US") ? PTK_VPLD_US
         : !strcmp(s, "DS") ? PTK_VPLD_DS
                            : -1;
}
static inline int ptk_vpst_dist_parse(const char *s) {
  return !strcmp(s, "NORM") ? PTK_VPST_NORM : !strcmp(s, "PK") ? PTK_VPST_PK : -1;
}
/* vsts without a dist: NORM_B<element bits> (b64 elements store as
 * NORM_B32: two 32-bit halves, each under its own mask bit). */
static inline int ptk_vst_default_dist(unsigned esz) {
  return esz == 1 ? PTK_VST_NORM_B8 : esz == 2 ? PTK_VST_NORM_B16 : PTK_VST_NORM_B32;
}

/* ---- vector loads / stores ------------------------------------------------ */

/* Inline fast paths of the commonest forms, so that a vecscope loop over
 * vlds/…/vsts compiles to straight-line vector code: a NORM load or a
 * NORM_Bn store whose whole 256-byte window lies in the memory. They give
 * exactly what ptk_v_vlds / ptk_v_vsts give there; 1 when done, 0 to call
 * the general function (which also reports every error). */
static inline bool ptk_v_window(ptk_vptr p, int64_t idx, unsigned esz, int64_t *at) {
  int64_t d;
  if (!p.base || __builtin_mul_overflow(idx, (int64_t)esz, &d) || __builtin_add_overflow(p.off, d, at))
    return false;
  return *at >= 0 && p.cap >= PTK_VREG_BYTES && *at <= p.cap - PTK_VREG_BYTES;
}
static inline int ptk_v_vlds_try(int dist, ptk_vreg *dst, ptk_vptr p, int64_t idx, unsigned esz) {
  int64_t at;
  if (dist != PTK_VLD_NORM || (esz != 1 && esz != 2 && esz != 4 && esz != 8) || !ptk_v_window(p, idx, esz, &at))
    return 0;
  memcpy(dst->b, p.base + at, PTK_VREG_BYTES);
  return 1;
}
static inline int ptk_v_vsts_try(int dist, const ptk_vreg *v, ptk_vptr p, int64_t idx, unsigned esz,
                                 const ptk_vmask *m) {
  unsigned w = dist == PTK_VST_NORM_B8 ? 1 : dist == PTK_VST_NORM_B16 ? 2 : dist == PTK_VST_NORM_B32 ? 4 : 0;
  int64_t at;
  if (!w || (esz != 1 && esz != 2 && esz != 4 && esz != 8) || !ptk_v_window(p, idx, esz, &at)) return 0;
  uint8_t *d = p.base + at;
  for (unsigned i = 0; i < PTK_VREG_BYTES / w; i++) /* lane i writes its w bytes iff mask bit i*w */
    if (ptk_vmask_bit(m, i * w)) memcpy(d + i * w, v->b + i * w, w);
  return 1;
}

/* pto.vlds: one register from UB with a single-result distribution. Bytes
 * read from the address A: NORM, US, SPLT*: 256 (US: 128); BRC_Bn: n/8;
 * DS_Bn: every other n-bit element over 512 bytes; UNPK_Bn: 128 (element i
 * -> low half of 2n-bit lane i, high half 0); BRC_BLK: the 32 bytes at A in
 * all 8 blocks; E2B_Bn: 8 elements, element k fills 32-byte block k; UNPK4:
 * 64 bytes, byte i -> byte 4i of 32-bit lane i (rest 0); SPLT4CHN: 256
 * bytes as 64 groups of 4, channel c to bytes [64c, 64c+64); SPLT2CHN_Bn:
 * 2-channel groups of n-bit elements, channel c to the register's half c.
 * post: the post-update form (A = base; result = base + idx*esz). */
int ptk_v_vlds(int dist, ptk_vreg *dst, ptk_vptr p_v, int64_t idx, unsigned esz,
               bool post);
/* pto.vldsx2: DINTLV_Bn: lo[i] = element 2i, hi[i] = element 2i+1 of n
 * bits over 512 bytes; BDINTLV: lo = even 32-byte blocks, hi = odd ones. */
int ptk_v_vldsx2(int dist, ptk_vreg *lo, ptk_vreg *hi, ptk_vptr p_v, int64_t idx,
                 unsigned esz);
/* pto.vsts: NORM_Bn writes byte j of v iff mask bit (j / g) * g is set (g =
 * n/8); 1PT_Bn writes the first n/8 bytes (mask ignored); PK_Bn / PK4_B32
 * see the header comment. post: as vlds. */
int ptk_v_vsts(int dist, const ptk_vreg *v, ptk_vptr p_v, int64_t idx, unsigned esz,
               const ptk_vmask *m, bool post);
/* pto.vstsx2 INTLV_Bn: element i of lo / hi to elements 2i / 2i+1 (512
 * bytes); the mask is ignored (docs 03). */
int ptk_v_vstsx2(int dist, const ptk_vreg *lo, const ptk_vreg *hi, ptk_vptr p_v, int64_t idx,
                 unsigned esz, const ptk_vmask *m);
/* pto.vsldb / pto.vsstb: 8 blocks of 32 bytes, block k at base + (repeat +
 * k*block) * 32 (post-update vsstb: at base + k*block*32, result = base
 * + repeat*32). */
int ptk_v_vsldb(ptk_vreg *dst, ptk_vptr p_v, int64_t block_stride, int64_t repeat_stride,
                const ptk_vmask *m);
int ptk_v_vsstb(const ptk_vreg *v, ptk_vptr p_v, int64_t block_stride, int64_t repeat_stride,
                const ptk_vmask *m, bool post);

/* ---- unaligned streams ----------------------------------------------------------- */

/* pto.init_align: an empty carrier. */
static inline void ptk_v_init_align(ptk_valign *a) { memset(a, 0, sizeof *a); }
/* pto.vldas: the 32-byte block holding the address. */
int ptk_v_vldas(ptk_valign *out, ptk_vptr p_v);
/* pto.vldus: 256 bytes from the address (head from the carrier, see top);
 * *aout = the block holding address + 256 (empty if outside the memory).
 * aout may be ain. */
int ptk_v_vldus(ptk_vreg *dst, ptk_valign *aout, ptk_vptr p_v, const ptk_valign *ain);
/* pto.vstus: append off elements (off * esz bytes) of v at the address;
 * complete 32-byte blocks are written, the tail stays in *aout. */
int ptk_v_vstus(ptk_valign *aout, const ptk_valign *ain, int64_t off, unsigned esz,
                const ptk_vreg *v, ptk_vptr p_v);
/* pto.vstur: append nbytes (the SQZN count of the last vsqz/vusqz, in
 * bytes) of v at base + *ar; post: *ar += nbytes. */
int ptk_v_vstur(ptk_valign *aout, const ptk_valign *ain, const ptk_vreg *v, ptk_vptr p_v,
                int64_t *ar, int64_t nbytes, bool post);
/* pto.vstas: flush the carrier at F = address + off * esz; pto.vstar: at
 * F = address + ar. */
int ptk_v_vstas(const ptk_valign *a, ptk_vptr p_v, int64_t off, unsigned esz);
int ptk_v_vstar(const ptk_valign *a, ptk_vptr p_v, int64_t ar);
/* pto.pstu: append the lane bits of m at granularity gran (2: b16, 4: b32)
 * at the address; the result pointer is address + 256/gran/8 bytes. */
int ptk_v_pstu(ptk_valign *aout, const ptk_valign *ain, const ptk_vmask *m,
               unsigned gran, ptk_vptr p_v);

/* ---- gather / scatter --------------------------------------------------------------- */

/* pto.vgather2 (and vgather2_bc): lane i (of max(size(dt), 2) bytes) reads
 * the element at base + offs[i] * size(dt), offs lanes unsigned of osz bytes
 * (2 or 4); i8/u8 zero-extend to 16 bits; inactive lanes (mask bit i*lane
 * size) are 0. */
int ptk_v_vgather2(ptk_isa_dtype dt, ptk_vreg *dst, ptk_vptr p_v, const ptk_vreg *offs,
                   unsigned osz, const ptk_vmask *m);
/* pto.vgatherb: block k (k < 8) = 32 bytes at base + offs_u32[k] if mask
 * bit 4k, else 0. */
int ptk_v_vgatherb(ptk_vreg *dst, ptk_vptr p_v, const ptk_vreg *offs, const ptk_vmask *m);
/* pto.vscatter: for lanes i < 256/max(esz, osz) with mask bit i*esz set,
 * element i of v (esz bytes) to base + offs[i] * esz, lane order (the last
 * writer wins). */
int ptk_v_vscatter(unsigned esz, const ptk_vreg *v, ptk_vptr p_v, const ptk_vreg *offs,
                   unsigned osz, const ptk_vmask *m);

/* ---- predicates ----------------------------------------------------------------------- */

/* pto.plds / pto.pldi (NORM 32 bytes, US 16, DS 64) and pto.psts /
 * pto.psti (NORM 32 bytes, PK 16); bit j = bit j%8 of byte j/8. */
int ptk_v_plds(int dist, ptk_vmask *dst, ptk_vptr p_v, int64_t idx, unsigned esz);
int ptk_v_psts(int dist, const ptk_vmask *m, ptk_vptr p_v, int64_t idx, unsigned esz);

/* ---- scalars ---------------------------------------------------------------------------- */

/* pto.load_scalar / store_scalar on any memory: esz raw bytes. */
int ptk_v_ld_scalar(void *out, ptk_vptr p_v, int64_t idx, unsigned esz);
int ptk_v_st_scalar(const void *in, ptk_vptr p_v, int64_t idx, unsigned esz);

/* ---- DMA ----------------------------------------------------------------------------------- */

/* The MTE loop registers (per block; ptk_vdma_regs_reset at block start). */
typedef struct ptk_vdma_loops {
  int64_t size1, size2;      /* loop1 (inner) and loop2 (outer) counts */
  int64_t src1, dst1;        /* loop1 strides, bytes */
  int64_t src2, dst2;        /* loop2 strides, bytes */
} ptk_vdma_loops;
typedef struct ptk_vdma_regs {
  ptk_vdma_loops out2ub; /* GM -> UB (MTE2) */
  ptk_vdma_loops ub2out; /* UB -> GM (MTE3) */
  uint64_t pad_bits;     /* set_mov_pad_val: raw bits, little endian */
  unsigned pad_size;     /* bytes of the pad value's type (1, 2 or 4) */
} ptk_vdma_regs;

static inline void ptk_vdma_regs_reset(ptk_vdma_regs *r) {
  memset(r, 0, sizeof *r);
  r->out2ub.size1 = r->out2ub.size2 = 1;
  r->ub2out.size1 = r->ub2out.size2 = 1;
  r->pad_size = 1;
}

typedef enum ptk_vdma_reg {
  PTK_VDMA_LOOP_SIZE_OUTTOUB,    /* (loop2, loop1) counts */
  PTK_VDMA_LOOP1_STRIDE_OUTTOUB, /* (src, dst) */
  PTK_VDMA_LOOP2_STRIDE_OUTTOUB,
  PTK_VDMA_LOOP_SIZE_UBTOOUT,
  PTK_VDMA_LOOP1_STRIDE_UBTOOUT,
  PTK_VDMA_LOOP2_STRIDE_UBTOOUT,
} ptk_vdma_reg;

/* pto.set_loop*_outtoub / _ubtoout. */
static inline int ptk_vdma_set(ptk_vdma_regs *r, int reg, int64_t a, int64_t b) {
  ptk_vdma_loops *L = reg < PTK_VDMA_LOOP_SIZE_UBTOOUT ? &r->out2ub : &r->ub2out;
  switch (reg) {
  case PTK_VDMA_LOOP_SIZE_OUTTOUB:
  case PTK_VDMA_LOOP_SIZE_UBTOOUT: L->size2 = a, L->size1 = b; return 0;
  case PTK_VDMA_LOOP1_STRIDE_OUTTOUB:
  case PTK_VDMA_LOOP1_STRIDE_UBTOOUT: L->src1 = a, L->dst1 = b; return 0;
  case PTK_VDMA_LOOP2_STRIDE_OUTTOUB:
  case PTK_VDMA_LOOP2_STRIDE_UBTOOUT: L->src2 = a, L->dst2 = b; return 0;
  default: return PTK_ISA_EARG;
  }
}
/* pto.set_mov_pad_val: the value's bits and its type's size. */
static inline int ptk_vdma_set_pad(ptk_vdma_regs *r, uint64_t bits, unsigned size) {
  if (size != 1 && size != 2 && size != 4 && size != 8) return PTK_ISA_EARG;
  r->pad_bits = bits;
  r->pad_size = size;
  return 0;
}

#define PTK_VDMA_MAX_LOOPS 8

/* The calling thread's loop registers (until the engines keep one
 * ptk_vdma_regs per block: a block starts with whatever the previous block
 * on its thread left unless ptk_v_dma_reset is called at block start).
 * set_loop: pto.set_loop*_{outtoub,ubtoout} (reg a ptk_vdma_reg). */
ptk_vdma_regs *ptk_v_dma_regs(void);
void ptk_v_dma_reset(void);
int ptk_v_set_loop(int reg, int64_t a, int64_t b);
/* A form the engines cannot run yet: records `what` and returns EARG. */
int ptk_v_unsupported(const char *what);

/* pto.mte_gm_ub / pto.mte_ub_gm: len bytes per burst, n bursts at
 * start-to-start strides ss (source) / ds (destination), then nloops
 * loop(count, src_stride, dst_stride) triples in `loops` (innermost first).
 * pad (gm_ub only): has_pad, the value's bits and size, left / right counts
 * in elements of that size. */
int ptk_v_mte_gm_ub(ptk_vptr gm_v, ptk_vptr ub_v, int64_t len, int64_t n, int64_t ss,
                    int64_t ds, int nloops, const int64_t *loops, bool has_pad, uint64_t pad_bits,
                    unsigned pad_size, int64_t left, int64_t right);
int ptk_v_mte_ub_gm(ptk_vptr ub_v, ptk_vptr gm_v, int64_t len, int64_t n, int64_t ss,
                    int64_t ds, int nloops, const int64_t *loops);
/* The same grouped copy between any two memories, errors naming op. */
int ptk_v_mte_named(const char *op, ptk_vptr src_v, ptk_vptr dst_v, int64_t len, int64_t n,
                    int64_t ss, int64_t ds, int nloops, const int64_t *loops);
/* pto.mte_ub_ub / pto.copy_ubuf_to_ubuf: n bursts of len32 * 32 bytes, the
 * next burst (len32 + gap) * 32 bytes further. Overlap is a memmove per
 * burst. */
int ptk_v_mte_ub_ub(ptk_vptr src_v, ptk_vptr dst_v, int64_t len32, int64_t n,
                    int64_t src_gap, int64_t dst_gap);
/* pto.copy_gm_to_ubuf (sid and l2 cache operands dropped): the loop
 * registers wrap the n bursts (loop1 inner); data_select pads with the
 * pad register as mte_gm_ub does; left/right in elements of pad_size. */
int ptk_v_copy_gm_to_ubuf(const ptk_vdma_regs *r, ptk_vptr gm_v, ptk_vptr ub_v, int64_t n,
                          int64_t len, int64_t left, int64_t right, bool data_select,
                          int64_t gm_stride, int64_t ub_stride);
/* pto.copy_ubuf_to_gm (sid, l2 cache dropped; note the operand order of the
 * op: dst_stride before src_stride). */
int ptk_v_copy_ubuf_to_gm(const ptk_vdma_regs *r, ptk_vptr ub_v, ptk_vptr gm_v,
                          int64_t n, int64_t len, int64_t gm_stride, int64_t ub_stride);

/* The DMA ops from a call record (lang/ir/calls.def, token Xk): x holds the
 * op's scalar operands after the two pointers, in the order written;
 * nloops loop(…) clauses and an optional pad(value, left, right) clause
 * (a float pad value arrives as a double's bits and becomes the UB element
 * type's bits). Out of line: generated code reaches them through the host
 * table, and they call the DMA engine. */
int ptk_v_mte_gm_ub_rec(ptk_vptr gm, ptk_vptr ub, const int64_t *x, int nx, int nloops, int has_pad,
                        int pad_float, int ub_dt, unsigned ub_esz);
int ptk_v_mte_ub_gm_rec(ptk_vptr ub, ptk_vptr gm, const int64_t *x, int nx, int nloops);
int ptk_v_copy_gm_to_ubuf_rec(ptk_vptr gm, ptk_vptr ub, const int64_t *x, int nx);

// clang-format off
#define PTK_VEC_ENTRY_POINTS_MEM(X)                                                                \
  X(ptk_v_vlds) X(ptk_v_vldsx2) X(ptk_v_vsts) X(ptk_v_vstsx2) X(ptk_v_vsldb) X(ptk_v_vsstb)        \
  X(ptk_v_vldas) X(ptk_v_vldus) X(ptk_v_vstus) X(ptk_v_vstur) X(ptk_v_vstas) X(ptk_v_vstar)        \
  X(ptk_v_pstu) X(ptk_v_vgather2) X(ptk_v_vgatherb) X(ptk_v_vscatter) X(ptk_v_plds)               \
  X(ptk_v_psts) X(ptk_v_ld_scalar) X(ptk_v_st_scalar) X(ptk_v_mte_gm_ub) X(ptk_v_mte_ub_gm)        \
  X(ptk_v_mte_ub_ub) X(ptk_v_copy_gm_to_ubuf) X(ptk_v_copy_ubuf_to_gm) X(ptk_v_dma_regs)          \
  X(ptk_v_dma_reset) X(ptk_v_set_loop) X(ptk_v_unsupported) X(ptk_v_mte_gm_ub_rec)                \
  X(ptk_v_mte_ub_gm_rec) X(ptk_v_copy_gm_to_ubuf_rec) X(ptk_v_mte_named)
// clang-format on

#endif

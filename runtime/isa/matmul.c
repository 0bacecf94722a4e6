/* tmatmul, tmatmul.acc, tmatmul.bias (and the tgemv forms, which are the
 * same). Each C[i,j] is one dot product started at 0 and accumulated in
 * ascending k with fmaf (i32: wrap-around multiply-add), then Cin or the bias
 * row is added: the pto-isa CPU simulator's TMatmulNzZn order exactly.
 *
 * Float operands are packed once per call into panels (A: MR rows
 * interleaved per k, B: NR columns per k), f16/bf16 widened to f32 once per
 * panel (F16C where the CPU has it; the same bits as ptk_f16_to_f32,
 * signalling NaNs included). A register-blocked MR x NR microkernel keeps
 * MR x NR accumulators in registers and, for every k in ascending order, does
 * acc[i][j] = fmaf(A[i,k], B[k,j], acc[i][j]) -- vectorized across the NR
 * columns, never across k, so every output element is exactly the sequential
 * fmaf chain of the plain triple loop whatever the blocking, the vector width
 * or the path (fmaf is correctly rounded: the FMA instruction and the C
 * library function agree). K is cut into KC blocks for the caches: a partial
 * chain is stored as the exact f32 accumulator and resumed from it, which
 * changes nothing. So the multiply-add is fused (one rounding per k step) in
 * every path and both engines; Cin (Cin + d) or the bias (d + bias) is then
 * added with its own rounding, in the microkernel's epilogue, which stores
 * straight into C when C's rows are contiguous per NR columns. Only NaN
 * payloads, when several NaNs meet in one fmaf, follow the hardware's
 * propagation rule. */
#include "runtime/isa/internal.h"
#include "runtime/isa/transpose.h"

#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__) && !defined(__clang__)
#define PTK_MM_X86 1
#include <immintrin.h>
#else
#define PTK_MM_X86 0
#endif

enum { MR = 6, NR = 16, KC = 256 };

/* ---- packing -------------------------------------------------------------------------------- */

/* Pack the M x K operand A into ceil(M/MR) panels of K x MR (element (i, k)
 * to dst[(i / MR) * MR * K + k * MR + i % MR]) or the K x N operand B into
 * ceil(N/NR) panels of K x NR (element (k, j) to dst[(j / NR) * NR * K +
 * k * NR + j % NR]); raw elements of type T, padding rows / columns zero.
 * The tile is walked box by box (a boxed layout's box, or the whole tile
 * for none_box), where element (i, j) sits at base + i * rs + j * cs. */
#define PACK(T)                                                                                    \
  static void pack_##T(const ptk_isa_lay *L, int32_t rows, int32_t cols, T *restrict dst,          \
                       bool is_a) {                                                                \
    int64_t rs, cs, BR = (int64_t)1 << L->lir, BC = (int64_t)1 << L->lic;                          \
    bool boxed = true;                                                                             \
    switch (L->kind) {                                                                             \
    case LK_ROW: rs = L->sc, cs = 1, boxed = false; break;                                         \
    case LK_COL: rs = 1, cs = L->sr, boxed = false; break;                                         \
    case LK_NZ:                                                                                    \
    case LK_ZZ: rs = BC, cs = 1; break;                                                            \
    default: rs = 1, cs = BR; break;                                                               \
    }                                                                                              \
    size_t K = (size_t)(is_a ? cols : rows), G = is_a ? MR : NR;                                   \
    size_t np = ((size_t)(is_a ? rows : cols) + G - 1) / G;                                        \
    if ((is_a ? rows : cols) % G) memset(dst + (np - 1) * G * K, 0, G * K * sizeof(T));            \
    for (int32_t r = 0, rn; r < rows; r = rn) {                                                    \
      rn = boxed ? r + (int32_t)(BR - ((L->r0 + r) & (BR - 1))) : rows;                            \
      if (rn > rows) rn = rows;                                                                    \
      for (int32_t c = 0, cn; c < cols; c = cn) {                                                  \
        cn = boxed ? c + (int32_t)(BC - ((L->c0 + c) & (BC - 1))) : cols;                          \
        if (cn > cols) cn = cols;                                                                  \
        const T *base = (const T *)L->data + ptk_isa__off(L, r, c);                                \
        if (is_a)                                                                                  \
          for (int32_t i = r; i < rn; i++) {                                                       \
            const T *restrict s = base + (i - r) * rs;                                             \
            T *restrict d = dst + (size_t)(i / MR) * MR * K + (size_t)(i % MR) + (size_t)c * MR;   \
            for (int32_t j = 0; j < cn - c; j++) d[(size_t)j * MR] = s[j * cs];                    \
          }                                                                                        \
        else                                                                                       \
          for (int32_t j = c; j < cn; j++) {                                                       \
            const T *restrict s = base + (j - c) * cs;                                             \
            T *restrict d = dst + (size_t)(j / NR) * NR * K + (size_t)(j % NR) + (size_t)r * NR;   \
            for (int32_t i = 0; i < rn - r; i++) d[(size_t)i * NR] = s[i * rs];                    \
          }                                                                                        \
      }                                                                                            \
    }                                                                                              \
  }
PACK(uint16_t)
PACK(uint32_t)

/* Widen n raw f16 / bf16 elements to f32 (exact). */
PTK_ISA_CLONES static void bf16_widen(float *restrict o, const uint16_t *restrict h, size_t n) {
  VLOOP(j, n, o[j] = ptk_bits_f32((uint32_t)h[j] << 16));
}
static void f16_widen_sw(float *restrict o, const uint16_t *restrict h, size_t n) {
  for (size_t j = 0; j < n; j++) o[j] = ptk_f16_to_f32(h[j]);
}
#if PTK_MM_X86
/* vcvtph2ps is exact like ptk_f16_to_f32 except that it quiets signalling
 * NaNs (sets f32 bit 22); those lanes get the bit cleared again. */
__attribute__((target("avx2,f16c"))) static void f16_widen_hw(float *restrict o,
                                                                 const uint16_t *restrict h,
                                                                 size_t n) {
  const __m256i em = _mm256_set1_epi32(0x7fff), inf = _mm256_set1_epi32(0x7c00),
                qnan = _mm256_set1_epi32(0x7e00), qbit = _mm256_set1_epi32(0x00400000);
  size_t j = 0;
  for (; j + 8 <= n; j += 8) {
    __m128i x = _mm_loadu_si128((const __m128i *)(h + j));
    __m256i f = _mm256_castps_si256(_mm256_cvtph_ps(x));
    __m256i a = _mm256_and_si256(_mm256_cvtepu16_epi32(x), em);
    __m256i snan = _mm256_and_si256(_mm256_cmpgt_epi32(a, inf), _mm256_cmpgt_epi32(qnan, a));
    f = _mm256_andnot_si256(_mm256_and_si256(snan, qbit), f);
    _mm256_storeu_si256((__m256i *)(o + j), f);
  }
  f16_widen_sw(o + j, h + j, n - j);
}
#endif

typedef void (*widen_fn)(float *restrict, const uint16_t *restrict, size_t);
static widen_fn pick_f16_widen(void) {
#if PTK_MM_X86
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("f16c")) return f16_widen_hw;
#endif
  return f16_widen_sw;
}

/* ---- microkernels --------------------------------------------------------------------------- */

/* Where a microtile's finished rows go when they are final: row i to
 * c[i] (NR contiguous floats), after adding in[i] (Cin, same positions:
 * in + d) or the bias columns (d + bias), as the plain path does. */
typedef struct {
  float *c[MR];
  const float *in[MR]; /* NULL: no Cin */
  const float *bias;   /* NULL: no bias */
} kout;

/* The fmaf chains over k in [0, kc) of the packed panels a (kc x MR) and b
 * (kc x NR) for rows [0, mr), starting from 0 (first) or from the partial
 * chains in c (row stride ldc; a later K block). Partial results go back to
 * c; final ones (o not NULL) through o. */
typedef void (*kern_fn)(size_t kc, const float *restrict a, const float *restrict b,
                        float *restrict c, size_t ldc, int mr, int first, const kout *o);

static void kern_sw(size_t kc, const float *restrict a, const float *restrict b,
                    float *restrict c, size_t ldc, int mr, int first, const kout *o) {
  float acc[MR][NR];
  for (int i = 0; i < mr; i++)
    for (int j = 0; j < NR; j++) acc[i][j] = first ? 0.0f : c[i * ldc + j];
  for (size_t k = 0; k < kc; k++)
    for (int i = 0; i < mr; i++) {
      float x = a[k * MR + i];
      for (int j = 0; j < NR; j++) acc[i][j] = fmaf(x, b[k * NR + j], acc[i][j]);
    }
  for (int i = 0; i < mr; i++)
    for (int j = 0; j < NR; j++) {
      if (!o)
        c[i * ldc + j] = acc[i][j];
      else
        o->c[i][j] = o->in[i] ? o->in[i][j] + acc[i][j] : o->bias ? acc[i][j] + o->bias[j] : acc[i][j];
    }
}

#if PTK_MM_X86
/* MR x 16 with two ymm accumulators per row; R is a constant after
 * inlining, so the unused rows vanish. The epilogue adds in the same order
 * as kern_sw (Cin + d, d + bias). */
#define KROW(i)                                                                                    \
  if (R > i) {                                                                                     \
    __m256 x = _mm256_broadcast_ss(a + k * MR + i);                                                \
    c##i##0 = _mm256_fmadd_ps(x, b0, c##i##0);                                                     \
    c##i##1 = _mm256_fmadd_ps(x, b1, c##i##1);                                                     \
  }
#define KLOAD(i)                                                                                   \
  __m256 c##i##0 = _mm256_setzero_ps(), c##i##1 = _mm256_setzero_ps();                             \
  if (R > i && !first) {                                                                           \
    c##i##0 = _mm256_loadu_ps(c + i * ldc);                                                        \
    c##i##1 = _mm256_loadu_ps(c + i * ldc + 8);                                                    \
  }
#define KSTORE(i)                                                                                  \
  if (R > i) {                                                                                     \
    if (!o) {                                                                                      \
      _mm256_storeu_ps(c + i * ldc, c##i##0);                                                      \
      _mm256_storeu_ps(c + i * ldc + 8, c##i##1);                                                  \
    } else {                                                                                       \
      if (o->in[i]) {                                                                              \
        c##i##0 = _mm256_add_ps(_mm256_loadu_ps(o->in[i]), c##i##0);                               \
        c##i##1 = _mm256_add_ps(_mm256_loadu_ps(o->in[i] + 8), c##i##1);                           \
      } else if (o->bias) {                                                                        \
        c##i##0 = _mm256_add_ps(c##i##0, _mm256_loadu_ps(o->bias));                                \
        c##i##1 = _mm256_add_ps(c##i##1, _mm256_loadu_ps(o->bias + 8));                            \
      }                                                                                            \
      _mm256_storeu_ps(o->c[i], c##i##0);                                                          \
      _mm256_storeu_ps(o->c[i] + 8, c##i##1);                                                      \
    }                                                                                              \
  }
__attribute__((target("avx2,fma"), always_inline)) static inline void
kern_hw_r(size_t kc, const float *restrict a, const float *restrict b, float *restrict c,
          size_t ldc, int first, const kout *o, const int R) {
  KLOAD(0) KLOAD(1) KLOAD(2) KLOAD(3) KLOAD(4) KLOAD(5)
  for (size_t k = 0; k < kc; k++) {
    __m256 b0 = _mm256_loadu_ps(b + k * NR), b1 = _mm256_loadu_ps(b + k * NR + 8);
    KROW(0) KROW(1) KROW(2) KROW(3) KROW(4) KROW(5)
  }
  KSTORE(0) KSTORE(1) KSTORE(2) KSTORE(3) KSTORE(4) KSTORE(5)
}
__attribute__((target("avx2,fma"))) static void kern_hw(size_t kc, const float *restrict a,
                                                      const float *restrict b, float *restrict c,
                                                      size_t ldc, int mr, int first,
                                                      const kout *o) {
  switch (mr) {
  case 6: kern_hw_r(kc, a, b, c, ldc, first, o, 6); break;
  case 5: kern_hw_r(kc, a, b, c, ldc, first, o, 5); break;
  case 4: kern_hw_r(kc, a, b, c, ldc, first, o, 4); break;
  case 3: kern_hw_r(kc, a, b, c, ldc, first, o, 3); break;
  case 2: kern_hw_r(kc, a, b, c, ldc, first, o, 2); break;
  default: kern_hw_r(kc, a, b, c, ldc, first, o, 1); break;
  }
}
#endif

static kern_fn pick_kern(void) {
#if PTK_MM_X86
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return kern_hw;
#endif
  return kern_sw;
}

typedef struct {
  kern_fn kern;
  widen_fn f16;
  bool t8; /* pack_t8 (AVX2 + F16C) */
} mm_fns;
static const mm_fns *fns(void) {
  static mm_fns f;
  static int ready;
  if (!__atomic_load_n(&ready, __ATOMIC_ACQUIRE)) {
    mm_fns g = {pick_kern(), pick_f16_widen(), false};
#if PTK_MM_X86
    g.t8 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("f16c");
#endif
    f = g; /* every thread writes the same values */
    __atomic_store_n(&ready, 1, __ATOMIC_RELEASE);
  }
  return &f;
}

/* Where the finished dot products go: the f32 C tile itself, each
 * microtile row's NR columns being contiguous there (the acc tile's 16-wide
 * boxes, or a row-major tile), after adding Cin (same positions) or the
 * bias row. Element offsets of a layout are a row part plus a column part
 * (ptk_isa__off), precomputed per call: row[i] + col[j / NR]. */
typedef struct {
  const ptk_isa_lay *C, *I; /* C, and Cin or NULL */
  const float *bias;        /* the bias row (N values) or NULL */
  int64_t *crow, *ccol, *irow, *icol;
} mm_dst;

/* The elements (i, j0 .. j0+n-1) of a float layout are contiguous. */
static bool run_ok(const ptk_isa_lay *L, int32_t i, int32_t j0, int32_t n) {
  int64_t step;
  int32_t len;
  ptk_isa__run(L, i, j0, &step, &len);
  return step == 1 && len >= n;
}
/* Every microtile row of L is contiguous (the direct epilogue applies);
 * fills its row and column offset parts. Whether a run is contiguous
 * depends on the column only (ptk_isa__run), so row 0 stands for all. */
static bool direct_ok(const ptk_isa_lay *L, int32_t M, int32_t N, int64_t *row, int64_t *col) {
  int64_t o0 = ptk_isa__off(L, 0, 0);
  for (int32_t j0 = 0; j0 < N; j0 += NR) {
    int32_t n = N - j0 < NR ? N - j0 : NR;
    if (M > 0 && !run_ok(L, 0, j0, n)) return false;
    col[j0 / NR] = ptk_isa__off(L, 0, j0) - o0;
  }
  ptk_isa__offs(L, true, M, row);
  return true;
}

static float *dst_at(const ptk_isa_lay *L, const int64_t *row, const int64_t *col, size_t i,
                     size_t jp) {
  return (float *)(void *)L->data + row[i] + col[jp];
}

/* C = A * B from the packed f32 panels: into the C tile through o when o is
 * not NULL, else into Cs (M x ldc row-major, ldc = N rounded up to NR). K
 * blocks before the last keep their partial chains in Cs; a tail microtile
 * narrower than NR goes through a small buffer. */
static void gemm_packed(float *restrict Cs, size_t ldc, const float *restrict Ap,
                        const float *restrict Bp, size_t M, size_t K, size_t N, const mm_dst *o) {
  kern_fn kern = fns()->kern;
  size_t npa = (M + MR - 1) / MR, npb = (N + NR - 1) / NR;
  float t[MR * NR];
  for (size_t k0 = 0; k0 < K || (k0 == 0 && K == 0); k0 += KC) {
    size_t kc = K - k0 < KC ? K - k0 : KC;
    bool last = k0 + kc >= K;
    for (size_t jp = 0; jp < npb; jp++) {
      const float *b = Bp + jp * K * NR + k0 * NR;
      size_t n = N - jp * NR < NR ? N - jp * NR : NR;
      for (size_t ip = 0; ip < npa; ip++) {
        size_t i0 = ip * MR;
        int mr = (int)(M - i0 < MR ? M - i0 : MR);
        float *cs = Cs + i0 * ldc + jp * NR;
        const float *a = Ap + ip * K * MR + k0 * MR; /* K = 0: kc = 0, nothing read */
        if (!o || !last) {
          kern(kc, a, b, cs, ldc, mr, k0 == 0, NULL);
          continue;
        }
        kout ko;
        ko.bias = o->bias ? o->bias + jp * NR : NULL;
        bool narrow = n < NR;
        for (int i = 0; i < mr; i++) {
          ko.c[i] = narrow ? t + i * NR : dst_at(o->C, o->crow, o->ccol, i0 + (size_t)i, jp);
          ko.in[i] = o->I ? dst_at(o->I, o->irow, o->icol, i0 + (size_t)i, jp) : NULL;
        }
        if (narrow && o->I) { /* Cin's n columns, padded, so the add reads no further */
          float cin[MR * NR];
          for (int i = 0; i < mr; i++) {
            memcpy(cin + i * NR, ko.in[i], n * sizeof(float));
            memset(cin + i * NR + n, 0, (NR - n) * sizeof(float));
            ko.in[i] = cin + i * NR;
          }
          kern(kc, a, b, cs, ldc, mr, k0 == 0, &ko);
        } else if (narrow && o->bias) {
          float bias[NR] = {0};
          memcpy(bias, ko.bias, n * sizeof(float));
          ko.bias = bias;
          kern(kc, a, b, cs, ldc, mr, k0 == 0, &ko);
        } else { /* cs: the partial chains, when a K block is resumed */
          kern(kc, a, b, cs, ldc, mr, k0 == 0, &ko);
        }
        if (narrow)
          for (int i = 0; i < mr; i++)
            memcpy(dst_at(o->C, o->crow, o->ccol, i0 + (size_t)i, jp), t + i * NR, n * sizeof(float));
      }
    }
    if (K == 0) break;
  }
}

#if PTK_MM_X86
/* ---- packing with 8 x 8 transposes (AVX2; F16C for f16) ------------------------------------ */

/* Both operands are stored with k contiguous in runs of at least 8 (left:
 * rows in row-major boxes; right: columns in column-major boxes), while the
 * panels want k outermost: 8 runs of 8 elements are widened to f32 and
 * transposed in registers. Same values as the element path: f32 copied,
 * bf16 shifted, f16 through vcvtph2ps with signalling NaNs kept (as
 * f16_widen_hw). */
__attribute__((target("avx2,f16c"), always_inline)) static inline __m256
ld8(const uint8_t *p, ptk_isa_dtype dt) {
  if (dt == PTK_ISA_F32) return _mm256_loadu_ps((const float *)(const void *)p);
  __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
  __m256i w = _mm256_cvtepu16_epi32(x);
  if (dt == PTK_ISA_BF16) return _mm256_castsi256_ps(_mm256_slli_epi32(w, 16));
  __m256i f = _mm256_castps_si256(_mm256_cvtph_ps(x));
  __m256i a = _mm256_and_si256(w, _mm256_set1_epi32(0x7fff));
  __m256i snan = _mm256_and_si256(_mm256_cmpgt_epi32(a, _mm256_set1_epi32(0x7c00)),
                                  _mm256_cmpgt_epi32(_mm256_set1_epi32(0x7e00), a));
  f = _mm256_andnot_si256(_mm256_and_si256(snan, _mm256_set1_epi32(0x00400000)), f);
  return _mm256_castsi256_ps(f);
}

/* k runs of 8 (aligned) are contiguous in the operand: for A along a row,
 * for B down a column. */
static bool k_runs8(const ptk_isa_lay *L, bool is_a) {
  if (is_a) {
    if (L->kind == LK_ROW) return true;
    return (L->kind == LK_NZ || L->kind == LK_ZZ) && L->lic >= 3 && !(L->c0 & 7);
  }
  if (L->kind == LK_COL) return true;
  return (L->kind == LK_ZN || L->kind == LK_NN) && L->lir >= 3 && !(L->r0 & 7);
}

/* Packs the whole operand (as pack_T + widening would); K's last K % 8
 * values element by element. Offsets are a row part plus a column part
 * (ptk_isa__off), so each k group's offset (kofs, in the caller's
 * workspace) is added to each row's (or column's) base. dst has room for 2
 * floats past the A panels (8-wide stores of 6-wide rows). */
#define PACK_T8(NAME, DT)                                                                          \
  __attribute__((target("avx2,f16c"))) static void NAME(const ptk_isa_lay *L, bool is_a,         \
                                                        int32_t rows, int32_t cols,                \
                                                        float *restrict dst, int64_t *kofs) {      \
    static const uint8_t zeros[32];                                                                \
    size_t K = (size_t)(is_a ? cols : rows), G = is_a ? MR : NR, esz = L->esz;                     \
    int32_t W = is_a ? rows : cols; /* M or N */                                                   \
    size_t K8 = K & ~(size_t)7, np = ((size_t)W + G - 1) / G;                                      \
    int64_t o0 = ptk_isa__off(L, 0, 0);                                                            \
    for (size_t g = 0; g < K8 / 8; g++)                                                            \
      kofs[g] = ((is_a ? ptk_isa__off(L, 0, (int32_t)(8 * g))                                      \
                       : ptk_isa__off(L, (int32_t)(8 * g), 0)) - o0) * (int64_t)esz;               \
    for (size_t p = 0; p < np; p++) {                                                              \
      float *panel = dst + p * G * K;                                                              \
      for (size_t h = 0; h < G; h += 8) { /* 8 rows / columns of the panel at a time */            \
        int32_t w0 = (int32_t)(p * G + h);                                                         \
        int nw = W - w0 < 8 ? W - w0 : 8;                                                          \
        if (nw > (int)(G - h)) nw = (int)(G - h);                                                  \
        const uint8_t *wb[8];                                                                      \
        for (int j = 0; j < 8; j++)                                                                \
          wb[j] = j < nw ? (is_a ? ptk_isa__ptr(L, w0 + j, 0) : ptk_isa__ptr(L, 0, w0 + j)) : NULL; \
        for (size_t g = 0; g < K8 / 8; g++) {                                                      \
          int64_t ko = kofs[g];                                                                    \
          __m256 r[8];                                                                             \
          r[0] = ld8(wb[0] ? wb[0] + ko : zeros, DT);                                              \
          r[1] = ld8(wb[1] ? wb[1] + ko : zeros, DT);                                              \
          r[2] = ld8(wb[2] ? wb[2] + ko : zeros, DT);                                              \
          r[3] = ld8(wb[3] ? wb[3] + ko : zeros, DT);                                              \
          r[4] = ld8(wb[4] ? wb[4] + ko : zeros, DT);                                              \
          r[5] = ld8(wb[5] ? wb[5] + ko : zeros, DT);                                              \
          r[6] = ld8(wb[6] ? wb[6] + ko : zeros, DT);                                              \
          r[7] = ld8(wb[7] ? wb[7] + ko : zeros, DT);                                              \
          ptk_isa__tr8x8_32(r); /* r[j] along k -> r[k] along j */                                                                                  \
          /* A rows are MR = 6 wide: an 8-wide store's last two lanes (zeros)                      \
           * land on the next k's slots, stored after, or past the panel (the                      \
           * next panel, packed after, or the caller's slack) */                                   \
          float *d = panel + 8 * g * G + h;                                                        \
          for (int k = 0; k < 8; k++) _mm256_storeu_ps(d + (size_t)k * G, r[k]);                   \
        }                                                                                          \
        for (size_t k = K8; k < K; k++) /* K % 8 tail: exact widening, sNaNs kept */               \
          for (int j = 0; j < (int)(G - h < 8 ? G - h : 8); j++) {                                 \
            int32_t i = is_a ? w0 + j : (int32_t)k, c = is_a ? (int32_t)k : w0 + j;                \
            panel[k * G + h + (size_t)j] = j < nw ? ptk_isa__ld_f(DT, ptk_isa__ptr(L, i, c)) : 0;  \
          }                                                                                        \
      }                                                                                            \
    }                                                                                              \
  }
PACK_T8(pack_t8_f32, PTK_ISA_F32)
PACK_T8(pack_t8_f16, PTK_ISA_F16)
PACK_T8(pack_t8_bf16, PTK_ISA_BF16)
#endif

/* Pack a float operand (A if is_a) as f32 panels into dst, through raw. */
static void pack_f(const ptk_tile *t, const ptk_isa_lay *L, bool is_a, int32_t rows, int32_t cols,
                   float *dst, void *raw) {
  size_t n = is_a ? ((size_t)rows + MR - 1) / MR * MR * (size_t)cols
                  : ((size_t)cols + NR - 1) / NR * NR * (size_t)rows;
#if PTK_MM_X86
  if (fns()->t8 && k_runs8(L, is_a)) { /* raw: room for the k group offsets */
    if (t->dtype == PTK_ISA_F32) pack_t8_f32(L, is_a, rows, cols, dst, raw);
    if (t->dtype == PTK_ISA_F16) pack_t8_f16(L, is_a, rows, cols, dst, raw);
    if (t->dtype == PTK_ISA_BF16) pack_t8_bf16(L, is_a, rows, cols, dst, raw);
    return;
  }
#endif
  if (t->dtype == PTK_ISA_F32)
    pack_uint32_t(L, rows, cols, (uint32_t *)dst, is_a);
  else
    pack_uint16_t(L, rows, cols, raw, is_a);
  if (t->dtype == PTK_ISA_BF16) bf16_widen(dst, raw, n);
  if (t->dtype == PTK_ISA_F16) fns()->f16(dst, raw, n);
}

static int mm(const char *name, const ptk_tile *c, const ptk_tile *cin, const ptk_tile *a,
              const ptk_tile *b, const ptk_tile *bias) {
  ptk_isa_lay CL, IL, AL, BL, XL;
  int rc;
  if ((rc = ptk_isa__prep(c, name, "C", &CL)) || (rc = ptk_isa__prep(a, name, "A", &AL)) ||
      (rc = ptk_isa__prep(b, name, "B", &BL)))
    return rc;
  if (cin && (rc = ptk_isa__prep(cin, name, "Cin", &IL))) return rc;
  if (bias && (rc = ptk_isa__prep(bias, name, "bias", &XL))) return rc;
  bool f = (a->dtype == PTK_ISA_F32 || a->dtype == PTK_ISA_F16 || a->dtype == PTK_ISA_BF16) &&
           b->dtype == a->dtype && c->dtype == PTK_ISA_F32;
  bool i8 = a->dtype == PTK_ISA_I8 && b->dtype == PTK_ISA_I8 && c->dtype == PTK_ISA_I32;
  if (!f && !i8)
    return ptk_isa__fail(PTK_ISA_EDTYPE,
                         "%s: (A, B, C) = (%s, %s, %s) is not one of (f16,f16,f32) (bf16,bf16,f32) "
                         "(f32,f32,f32) (i8,i8,i32)",
                         name, ptk_isa_dtype_name(a->dtype), ptk_isa_dtype_name(b->dtype),
                         ptk_isa_dtype_name(c->dtype));
  if (cin && cin->dtype != c->dtype)
    return ptk_isa__fail(PTK_ISA_EDTYPE, "%s: Cin is %s but C is %s", name,
                         ptk_isa_dtype_name(cin->dtype), ptk_isa_dtype_name(c->dtype));
  if (bias && bias->dtype != c->dtype)
    return ptk_isa__fail(PTK_ISA_EDTYPE, "%s: bias is %s but C is %s", name,
                         ptk_isa_dtype_name(bias->dtype), ptk_isa_dtype_name(c->dtype));
  int32_t M = a->vrows, K = a->vcols, N = b->vcols;
  if ((rc = ptk_isa__need(b, K, N, name, "B")) || (rc = ptk_isa__need(c, M, N, name, "C")) ||
      (cin && (rc = ptk_isa__need(cin, M, N, name, "Cin"))) ||
      (bias && (rc = ptk_isa__need(bias, 1, N, name, "bias"))))
    return rc;
  if (M == 0 || N == 0) return PTK_ISA_OK;
  size_t kn = (size_t)K * (size_t)N;
  if (f) {
    size_t mp = ((size_t)M + MR - 1) / MR * MR, np = ((size_t)N + NR - 1) / NR * NR;
    size_t na = mp * (size_t)K, nb = np * (size_t)K, ext = np + 16;
    float *Bp = ptk_isa__scratch(0, nb * sizeof(float) + 1);
    float *Ap = ptk_isa__scratch(1, (na + 8) * sizeof(float)); /* slack: pack_t8 */
    float *C = ptk_isa__scratch(2, mp * np * sizeof(float));
    /* extra: the bias row, then the raw operand while packing, then the
     * row / column offsets of C and Cin (int64_t) */
    size_t nj = np / NR, nraw = na > nb ? na : nb, noff = 4 * ((size_t)M + nj);
    float *extra = ptk_isa__scratch(3, (ext + (nraw > noff ? nraw : noff)) * sizeof(float));
    void *raw = extra + ext;
    pack_f(a, &AL, true, M, K, Ap, raw);
    pack_f(b, &BL, false, K, N, Bp, raw);
    if (bias) ptk_isa__load_f(bias, &XL, 0, 0, N, 0, extra);
    /* Straight into C when its rows (and Cin's) are contiguous per
     * microtile and Cin is C itself or elsewhere (each C element is written
     * after its own Cin element is read, and no other). */
    int64_t *offs = raw; /* 8-byte aligned: ext is a multiple of 16 */
    mm_dst o = {&CL, cin ? &IL : NULL, bias ? extra : NULL, offs, offs + M, offs + M + nj,
                offs + 2 * (size_t)M + nj};
    bool direct = direct_ok(&CL, M, N, o.crow, o.ccol) &&
                  (!cin || direct_ok(&IL, M, N, o.irow, o.icol));
    if (direct && cin) {
      const uint8_t *clo, *chi, *ilo, *ihi;
      ptk_isa__span(&CL, c, &clo, &chi);
      ptk_isa__span(&IL, cin, &ilo, &ihi);
      bool same = cin->data == c->data && IL.kind == CL.kind && IL.sr == CL.sr &&
                  IL.sc == CL.sc && IL.r0 == CL.r0 && IL.c0 == CL.c0 && IL.lir == CL.lir &&
                  IL.lic == CL.lic;
      direct = same || chi <= ilo || ihi <= clo;
    }
    gemm_packed(C, np, Ap, Bp, (size_t)M, (size_t)K, (size_t)N, direct ? &o : NULL);
    if (direct) return PTK_ISA_OK;
    for (int32_t i = 0; i < M; i++) {
      float *acc = C + (size_t)i * np;
      if (cin) {
        ptk_isa__load_f(cin, &IL, i, 0, N, 0, extra);
        for (int32_t j = 0; j < N; j++) acc[j] = extra[j] + acc[j];
      } else if (bias) {
        for (int32_t j = 0; j < N; j++) acc[j] = acc[j] + extra[j];
      }
      ptk_isa__store_f(c, &CL, i, 0, N, acc);
    }
    return PTK_ISA_OK;
  }
  int64_t *B = ptk_isa__scratch(0, kn * sizeof(int64_t) + 1);
  int64_t *arow = ptk_isa__scratch(1, (size_t)K * sizeof(int64_t) + 1);
  int64_t *acc = ptk_isa__scratch(2, (size_t)N * sizeof(int64_t));
  int64_t *extra = ptk_isa__scratch(3, (size_t)N * sizeof(int64_t));
  for (int32_t k = 0; k < K; k++) ptk_isa__load_i(b, &BL, k, 0, N, 0, B + (size_t)k * N);
  if (bias) ptk_isa__load_i(bias, &XL, 0, 0, N, 0, extra);
  for (int32_t i = 0; i < M; i++) {
    if (K > 0) ptk_isa__load_i(a, &AL, i, 0, K, 0, arow);
    memset(acc, 0, (size_t)N * sizeof(int64_t));
    for (int32_t k = 0; k < K; k++) {
      const int64_t *restrict brow = B + (size_t)k * N;
      int64_t x = arow[k];
      VLOOP(j, N, acc[j] = (int64_t)(uint32_t)((uint32_t)acc[j] + (uint32_t)(x * brow[j])));
    }
    if (cin) ptk_isa__load_i(cin, &IL, i, 0, N, 0, extra);
    if (cin || bias)
      for (int32_t j = 0; j < N; j++) acc[j] = (int64_t)((uint64_t)acc[j] + (uint64_t)extra[j]);
    ptk_isa__store_i(c, &CL, i, 0, N, acc);
  }
  return PTK_ISA_OK;
}

int ptk_isa_tmatmul(const ptk_tile *c, const ptk_tile *a, const ptk_tile *b) {
  return mm("tmatmul", c, NULL, a, b, NULL);
}
int ptk_isa_tmatmul_acc(const ptk_tile *c, const ptk_tile *cin, const ptk_tile *a,
                        const ptk_tile *b) {
  if (!cin) return ptk_isa__fail(PTK_ISA_EARG, "tmatmul.acc: missing Cin");
  return mm("tmatmul.acc", c, cin, a, b, NULL);
}
int ptk_isa_tmatmul_bias(const ptk_tile *c, const ptk_tile *a, const ptk_tile *b,
                         const ptk_tile *bias) {
  if (!bias) return ptk_isa__fail(PTK_ISA_EARG, "tmatmul.bias: missing bias");
  return mm("tmatmul.bias", c, NULL, a, b, bias);
}

/* The VPTO micro-instruction level: register and memory model shared by the
 * semantic functions of every vector op (runtime/isa/v_*.h, v_*.c) and by
 * both engines. Header-only and libc-only (plus fp.h, fmath.h), so JIT-
 * generated C embeds it and the C compiler can inline and vectorize a
 * vecscope loop; out-of-line functions are listed in PTK_VEC_ENTRY_POINTS.
 *
 * Model (A5, docs/vpto.md has the user-facing reference):
 * - A vector register is 256 bytes: N lanes of T with N * bits(T) = 2048,
 *   lane i at bytes [i*sizeof(T), (i+1)*sizeof(T)), little endian.
 * - A predicate (mask) is 256 bits, bit j (byte j/8, bit j%8) governing
 *   byte j of a vector register. At granularity bN (N = 8, 16, 32) lane i of
 *   a vector of N-bit elements is active iff bit i*(N/8) is set; the other
 *   bits of a pset/plt result are 0.
 * - An align carrier buffers the bytes of an unaligned load/store stream.
 * - On-chip memory (UB, L1, ...) is bytes addressed from 0, per block: a
 *   ptk_vptr gives the memory, its size and the byte offset an op starts
 *   at. Every access is checked against the size (PTK_ISA_ESHAPE with a
 *   message naming the range).
 * - Functions return 0 or a PTK_ISA_E* code (isa.h); inactive lanes of a
 *   result are written as the op's documented rule says (see each header). */
#ifndef PTK_RUNTIME_ISA_VREG_H
#define PTK_RUNTIME_ISA_VREG_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "runtime/isa/isa.h"

#define PTK_VREG_BYTES 256
#define PTK_VMASK_BYTES 32

typedef struct ptk_vreg {
  _Alignas(32) uint8_t b[PTK_VREG_BYTES];
} ptk_vreg;

typedef struct ptk_vmask {
  _Alignas(32) uint8_t b[PTK_VMASK_BYTES];
} ptk_vmask;

typedef struct ptk_valign {
  _Alignas(32) uint8_t b[PTK_VREG_BYTES]; /* buffered bytes */
  uint32_t n;                             /* how many of b are valid */
  uint32_t pad[7];
} ptk_valign;

/* Where an on-chip (or global) pointer points: the memory, its size, the
 * byte offset. base is NULL for an unmapped memory (cap 0). */
typedef struct ptk_vptr {
  uint8_t *base;
  int64_t cap;
  int64_t off;
} ptk_vptr;

/* Bit j of a mask. */
static inline bool ptk_vmask_bit(const ptk_vmask *m, unsigned j) {
  return (m->b[j >> 3] >> (j & 7)) & 1;
}
static inline void ptk_vmask_set(ptk_vmask *m, unsigned j, bool on) {
  if (on)
    m->b[j >> 3] = (uint8_t)(m->b[j >> 3] | (1u << (j & 7)));
  else
    m->b[j >> 3] = (uint8_t)(m->b[j >> 3] & ~(1u << (j & 7)));
}
/* Lane i of elements of esz bytes is active. */
static inline bool ptk_vmask_lane(const ptk_vmask *m, unsigned i, unsigned esz) {
  return ptk_vmask_bit(m, i * esz);
}

/* Lanes of a vector register of elements of esz bytes. */
static inline unsigned ptk_vlanes(unsigned esz) { return PTK_VREG_BYTES / esz; }

#endif

/* How scalars, pointers and views are held by both engines: the frame
 * cells of the interpreter and the locals of JIT-generated C are these
 * types (generated C embeds this header, see runtime/jit/abi.h), so values
 * cross the JIT boundary without conversion. Depends on libc and
 * runtime/isa/scalar.h only. */
#ifndef PTK_RUNTIME_CELLS_H
#define PTK_RUNTIME_CELLS_H

#include <stdint.h>

#include "runtime/isa/scalar.h"

/* integers: sign-extended from their width (i1: 0 or 1); floats: the
 * value, already rounded to the type */
typedef ptk_sc ptk_rt_sc;

typedef struct ptk_rt_ptr {
  int32_t buf; /* parameter index of the buffer, -1: not a kernel buffer,
                * PTK_RT_BUF_ONCHIP(space): an on-chip memory of the block (boff its address) */
  int32_t pad;
  int64_t boff; /* byte offset into the buffer */
} ptk_rt_ptr;

#define PTK_RT_BUF_ONCHIP(space) (-2 - (int32_t)(space))
/* The on-chip space a pointer cell points into, -1 for global memory. */
static inline int ptk_rt_ptr_onchip(const ptk_rt_ptr *p) { return p->buf <= -2 ? -2 - p->buf : -1; }
/* A pointer at byte address addr of on-chip memory `space` (VPTO's castptr). */
static inline ptk_rt_ptr ptk_rt_onchip_ptr(int space, int64_t addr) {
  ptk_rt_ptr p = {PTK_RT_BUF_ONCHIP(space), 0, addr};
  return p;
}

#define PTK_RT_VIEW_MAX_RANK 5
typedef struct ptk_rt_view {
  int32_t buf;
  uint8_t rank;
  uint8_t layout; /* ptk_isa_gm_layout */
  uint8_t pad[2];
  int64_t boff; /* byte offset of element (0, …, 0) */
  int64_t shape[PTK_RT_VIEW_MAX_RANK];
  int64_t stride[PTK_RT_VIEW_MAX_RANK]; /* elements */
} ptk_rt_view;

/* Saturating index arithmetic (offsets stay far from overflow: +-2^62). */
#define PTK_RT_BIG ((int64_t)1 << 62)
static inline int64_t ptk_rt_smul(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_mul_overflow(a, b, &r) || r > PTK_RT_BIG || r < -PTK_RT_BIG)
    return (a < 0) != (b < 0) ? -PTK_RT_BIG : PTK_RT_BIG;
  return r;
}
static inline int64_t ptk_rt_sadd(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_add_overflow(a, b, &r) || r > PTK_RT_BIG || r < -PTK_RT_BIG)
    return r < 0 || (a < 0 && b < 0) ? -PTK_RT_BIG : PTK_RT_BIG;
  return r;
}

#endif

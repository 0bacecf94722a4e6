/* VPTO special-purpose state of a block: SPR AR (the address register of
 * vstur / vstar), SPR SQZN (the byte count of the last vsqz / vusqz) and
 * VMS4_SR (what each list gave to the last vmrgsort4, read by
 * get_vms4_sr). Like the DMA loop registers (v_mem.h) the state is the
 * calling thread's and ptk_v_spr_reset() clears it at every block start
 * (runtime/launch.c), so a block never sees another block's state.
 *
 * Decisions (no golden; docs 03, 09, 14): AR and SQZN count bytes and start
 * each block at 0 (an AR the program did not clear is 0, as if sprclr "AR"
 * ran); vsqz sets SQZN to active lanes x element size, vusqz likewise (the
 * docs name both as producers); vstur "POST_UPDATE" advances AR by SQZN,
 * "NO_POST_UPDATE" leaves it; vstar flushes at base + AR; sprclr "AR" /
 * "SQZN" clears that register (other names: no data effect); VMS4_SR starts
 * at 0, 0, 0, 0. */
#ifndef PTK_RUNTIME_ISA_V_SPR_H
#define PTK_RUNTIME_ISA_V_SPR_H

#include <stdbool.h>
#include <stdint.h>

#include "runtime/isa/vreg.h"

typedef struct ptk_vspr {
  int64_t ar, sqzn;
  uint16_t vms4[4];
} ptk_vspr;

/* The calling thread's state, and its reset (block start). */
ptk_vspr *ptk_v_spr(void);
void ptk_v_spr_reset(void);
/* pto.sprclr: which = 0 AR, 1 SQZN, other: nothing. */
int ptk_v_sprclr(int which);
/* vsqz / vusqz, then SQZN = active lanes of m x esz. */
int ptk_v_sqz_spr(unsigned esz, ptk_vreg *dst, const ptk_vreg *src, const ptk_vmask *m);
int ptk_v_usqz_spr(int dt, ptk_vreg *dst, const ptk_vmask *m);
/* vstur at base + AR (post: AR += SQZN); vstar at base + AR. */
int ptk_v_vstur_spr(ptk_valign *aout, const ptk_valign *ain, const ptk_vreg *v, ptk_vptr p, bool post);
int ptk_v_vstar_spr(const ptk_valign *a, ptk_vptr p);
/* vmrgsort4 recording VMS4_SR; get_vms4_sr into four integer cells. */
int ptk_v_mrgsort4_spr(int dt, ptk_vptr dest, ptk_vptr s0, ptk_vptr s1, ptk_vptr s2, ptk_vptr s3,
                       int64_t count, int64_t config);
int ptk_v_get_vms4_sr(int64_t *a, int64_t *b, int64_t *c, int64_t *d);

// clang-format off
#define PTK_VEC_ENTRY_POINTS_SPR(X)                                                                \
  X(ptk_v_spr) X(ptk_v_spr_reset) X(ptk_v_sprclr) X(ptk_v_sqz_spr) X(ptk_v_usqz_spr)              \
  X(ptk_v_vstur_spr) X(ptk_v_vstar_spr) X(ptk_v_mrgsort4_spr) X(ptk_v_get_vms4_sr)
// clang-format on

#endif

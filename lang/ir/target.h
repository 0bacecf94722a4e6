/* Targets and their on-chip memories: THE one table of memory capacities,
 * used by the pass pipeline (plan-memory, memory reports) and by the IR
 * interpreter (per-block memory arrays). */
#ifndef PTK_LANG_IR_TARGET_H
#define PTK_LANG_IR_TARGET_H

#include <stdbool.h>
#include <stdint.h>

#include "lang/ir/ir.h"

typedef enum { PTK_TARGET_A3, PTK_TARGET_A5 } ptk_target;

const char *ptk_target_name(ptk_target t); /* "a3", "a5" */
/* "a3" / "a5" (also "a2a3", "a5…" spellings of pto.target_arch); false otherwise. */
bool ptk_target_parse(const char *s, ptk_target *out);

/* THE capacity table (bytes) of the on-chip memory behind a tile location:
 *
 *   memory  loc      a3        a5
 *   UB      vec      192 KiB   248 KiB
 *   L1      mat      512 KiB   512 KiB
 *   L0A     left      64 KiB    64 KiB
 *   L0B     right     64 KiB    64 KiB
 *   L0C     acc      128 KiB   256 KiB
 *   BT      bias      64 KiB    64 KiB
 *   FB      scaling  192 KiB   248 KiB
 *
 * 0 for gm. The references give no bias/scaling sizes; these are ptoas's
 * (PTOPlanMemory's MemSpec kA3/kA5: 524288 bits of bias, and scaling sized
 * like UB), so a kernel ptoas plans fits here too. */
uint32_t ptk_target_capacity(ptk_target t, ptk_space loc);
/* The scratch (tmp) tile operand of a DPS op whose row has PTK_OPF_TMP or
 * PTK_OPF_TMP_A3 (the last `t` of its ins signature): its operand index, or
 * -1 when the op has none or it is not given. *written tells whether the op
 * writes it on target t; false: the op does not touch it at all (ptoas's
 * memory effects, lib/PTO/IR/PTO.cpp getEffects: A5's library ignores it). */
int ptk_op_tmp_operand(const ptk_op *op, ptk_target t, bool *written);
/* Hardware name of the memory of a tile location: "UB", "L1", "L0A", … */
const char *ptk_mem_name(ptk_space loc);

#endif

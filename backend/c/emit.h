/* The C emitter (DESIGN §1, §4, §5): one self-contained C translation unit
 * per kernel (the entry and every function it calls, as static functions),
 * for the JIT (runtime/jit/) and for `ptk compile` (DIR/kernels/<aiv|aic>/).
 *
 * The text starts with the support header backend/c/ptk_jit_rt.h (copied in,
 * so `cc -O2 -std=gnu11 -fPIC -shared x.c` needs no include directory) and
 * defines one external symbol, `ptkj_entry` (ABI in ptk_jit_rt.h). The
 * generated code computes scalars, control flow and calls itself and reaches
 * runtime/isa and the host services through the function table it is given,
 * with exactly the semantics of the IR interpreter (runtime/interp/).
 *
 * Ops are referred to by index into the op list ptk_emit_c_ops returns; the
 * host maps an index back to the op for error locations. */
#ifndef PTK_BACKEND_C_EMIT_H
#define PTK_BACKEND_C_EMIT_H

#include <stdbool.h>
#include <stdint.h>

#include "lang/diag.h"
#include "lang/ir/ir.h"
#include "lang/util.h"

/* Appends the C text of `entry` (and its callees) to `out`. false (with
 * located errors in d) for ops or types the emitter does not handle. */
bool ptk_emit_c(const ptk_func *entry, ptk_buf *out, ptk_diags *d);

/* Same; *ops gets the op list (malloc'd; index = the op id used in the C). */
bool ptk_emit_c_ops(const ptk_func *entry, ptk_buf *out, const ptk_op ***ops, uint32_t *nops,
                    ptk_diags *d);

/* The support header text (ptk_jit_rt.h). */
extern const char ptk_jit_rt_text[];

#endif

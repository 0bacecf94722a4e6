/* The C emitter (DESIGN §1, §4, §5): one self-contained C translation unit
 * per kernel (the entry and every function it calls, as static functions),
 * for the JIT (runtime/jit/) and for `ptk compile` (DIR/kernels/<aiv|aic>/).
 *
 * The text starts with the ABI header runtime/jit/abi.h and the runtime
 * headers it builds on (runtime/isa/fp.h, isa.h, scalar.h, runtime/cells.h:
 * copied in, so `cc -O3 -std=gnu11 -fPIC -shared x.c` needs no include
 * directory) and defines one external symbol, `ptkj_entry`. Ops of a call
 * shape are printed from the one lowering (backend/lower.h): the shape's
 * expression, which the interpreter evaluates too; scalar semantics inline
 * from scalar.h; out-of-line runtime/isa functions and the host services
 * through the function table the generated code is given.
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

/* Same; *ops gets the op list (malloc'd; index = the op id used in the C).
 * peer (may be NULL): a mixed kernel's other half, emitted too as function
 * 1 with its own entry point ptkj_entry_peer. */
bool ptk_emit_c_ops(const ptk_func *entry, const ptk_func *peer, ptk_buf *out, const ptk_op ***ops,
                    uint32_t *nops, ptk_diags *d);

/* The headers copied into every unit (runtime/jit/abi.h and what it builds on). */
extern const char ptk_jit_rt_text[];

#endif

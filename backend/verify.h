/* The IR verifier: checks that a module is well-formed PTO IR before (and,
 * in debug builds, after) every pass. Every problem is reported as a located
 * error in `d` (with notes pointing at related places: the defining op, the
 * callee, the enclosing loop); all problems are reported, not just the first,
 * but one root cause gives one error where practical.
 *
 * What is checked (issue 3, DESIGN §3):
 *   - SSA scoping: every operand is defined before its use, in the same block
 *     or an enclosing one; values defined inside a region are not visible
 *     after it; no values from other functions;
 *   - structure: region and block counts, terminators (scf.yield, scf.condition,
 *     func.return) last in their block, in the right parent, with values that
 *     match the parent's iter_args / results / the function's result types;
 *   - func.call: the callee exists (module tree) and matches in arity and types;
 *   - per op, from the op table (lang/ir/ops.def): operand and result counts and
 *     kinds (SIG), dtype equality (PTK_OPF_SAME_DTYPE), scalar operand types
 *     (PTK_OPF_SCALAR_DTYPE), required attributes (ATTRS) and their kinds, enum
 *     values; plus op-specific checks (matmul dtype triples, shapes and
 *     locations; views; alloc_tile valid operands; tload/tstore locations;
 *     tcvt; treshape; row reductions; tcmp masks; arith type agreement; scf);
 *   - types where values are defined: tile_buf rows/cols > 0, v_row <= rows,
 *     v_col <= cols, fractal in {32, 512, 1024}, pad in 0..3; view dims > 0.
 *
 * Cost: linear in the size of the IR; one scratch allocation per call. */
#ifndef PTK_BACKEND_VERIFY_H
#define PTK_BACKEND_VERIFY_H

#include <stdbool.h>

#include "lang/diag.h"
#include "backend/passes/pipeline.h"
#include "lang/ir/ir.h"

/* Verify every function of m and of its nested modules. True when clean. */
bool ptk_verify_module(ptk_module *m, ptk_diags *d);
/* The same for a module the caller compiles in a given mode (`--mode`,
 * ptoas --pto-level): explicit (level3) kernels place every tile
 * themselves, auto (level2) ones leave multi-buffers to plan-memory. With
 * mode NULL the mode is the file's: explicit when it places any tile. */
bool ptk_verify_module_mode(ptk_module *m, const ptk_mode *mode, ptk_diags *d);
/* Verify one function (calls are resolved in f's module tree). */
bool ptk_verify_func(ptk_func *f, ptk_diags *d);

#endif

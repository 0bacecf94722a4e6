/* The .pto printer: IR → canonical text that ptoas reads. */
#ifndef PTK_PARSER_PTO_PRINT_H
#define PTK_PARSER_PTO_PRINT_H

#include "lang/ir/ir.h"

/* Appends the canonical text of m to out: one op per line, two-space
 * indentation, tile_buf in the compact spelling with defaults omitted,
 * values renamed deterministically (function and block arguments %argN,
 * op results %N in order of definition, constants %c32 / %c0_i32 / %true /
 * %cst…), attributes sorted by name. Printing is a fixpoint of reading. */
void ptk_pto_print(const ptk_module *m, ptk_buf *out);

/* One op (and its regions) with the same naming rules, for diagnostics
 * and pass dumps; names are local to this call. */
void ptk_pto_print_op(const ptk_op *op, ptk_buf *out);

#endif

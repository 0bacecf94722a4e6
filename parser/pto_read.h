/* The .pto reader: text → IR (lang/ir/ir.h). */
#ifndef PTK_PARSER_PTO_READ_H
#define PTK_PARSER_PTO_READ_H

#include "lang/diag.h"
#include "lang/ir/ir.h"

/* Reads a whole .pto file. Returns a new module (free with
 * ptk_module_free), or NULL after reporting the first error (lexical,
 * syntax or semantic) to `diags` with the file's line and column. The
 * module's locations point into `src`, which must outlive their use.
 * Never crashes or loops on any input. */
ptk_module *ptk_pto_read(const ptk_source *src, ptk_diags *diags);

#endif

/* The .ptk parser: tokens from lang/lexer → Lemon grammar (parser/ptk.y) → AST. */
#ifndef PTK_PARSER_PARSE_H
#define PTK_PARSER_PARSE_H

#include "lang/ast.h"
#include "lang/diag.h"

/* Parse a whole file. Always returns a (possibly partial) AST allocated in
 * `arena`; syntax errors are reported to `diags` (at most
 * PTK_PARSE_MAX_ERRORS per file, recovering at statement boundaries).
 * The caller checks ptk_diags_errors(diags). */
#define PTK_PARSE_MAX_ERRORS 20
ptk_ast_file *ptk_parse(const ptk_source *src, ptk_diags *diags, ptk_arena *arena);

#endif

/* The .ptk lexer (re2c, lang/lexer.re). */
#ifndef PTK_LANG_LEXER_H
#define PTK_LANG_LEXER_H

#include "lang/diag.h"
#include "lang/token.h"
#include "lang/util.h"

typedef struct ptk_lexer ptk_lexer;

/* Strings and identifiers are allocated in `arena`; errors go to `diags`.
 * The source must outlive the lexer and every token. */
ptk_lexer *ptk_lexer_new(const ptk_source *src, ptk_diags *diags, ptk_arena *arena);
void ptk_lexer_free(ptk_lexer *lx);

/* Next token. After reporting a lexical error the lexer returns a
 * PTK_TOK_ERROR token covering the bad text and continues after it; at the
 * end it returns PTK_TOK_EOF forever. Never loops without progress. */
ptk_token ptk_lexer_next(ptk_lexer *lx);

#endif

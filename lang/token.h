/* Tokens of the .ptk language (DESIGN §2.1). The parser maps these kinds to
 * its Lemon token codes; lang/ does not depend on parser/. */
#ifndef PTK_LANG_TOKEN_H
#define PTK_LANG_TOKEN_H

#include <stdint.h>

#include "lang/source.h"

/* X(kind, spelling-for-messages) */
#define PTK_TOKENS(X)                                                                              \
  X(EOF, "end of file")                                                                            \
  X(ERROR, "invalid token")                                                                        \
  X(IDENT, "identifier")                                                                           \
  X(INT, "integer literal")                                                                        \
  X(FLOAT, "float literal")                                                                        \
  X(STRING, "string literal")                                                                      \
  X(RAWSTRING, "raw string literal")                                                               \
  /* keywords */                                                                                   \
  X(KERNEL, "'kernel'")                                                                            \
  X(FN, "'fn'")                                                                                    \
  X(LET, "'let'")                                                                                  \
  X(VAR, "'var'")                                                                                  \
  X(CONST, "'const'")                                                                              \
  X(STATIC, "'static'")                                                                            \
  X(IF, "'if'")                                                                                    \
  X(ELSE, "'else'")                                                                                \
  X(FOR, "'for'")                                                                                  \
  X(IN, "'in'")                                                                                    \
  X(WHILE, "'while'")                                                                              \
  X(RETURN, "'return'")                                                                            \
  X(IMPORT, "'import'")                                                                            \
  X(AS, "'as'")                                                                                    \
  X(TRUE, "'true'")                                                                                \
  X(FALSE, "'false'")                                                                              \
  X(AND, "'and'")                                                                                  \
  X(OR, "'or'")                                                                                    \
  X(NOT, "'not'")                                                                                  \
  /* punctuation */                                                                                \
  X(LPAREN, "'('")                                                                                 \
  X(RPAREN, "')'")                                                                                 \
  X(LBRACKET, "'['")                                                                               \
  X(RBRACKET, "']'")                                                                               \
  X(LBRACE, "'{'")                                                                                 \
  X(RBRACE, "'}'")                                                                                 \
  X(COMMA, "','")                                                                                  \
  X(SEMI, "';'")                                                                                   \
  X(COLON, "':'")                                                                                  \
  X(DOT, "'.'")                                                                                    \
  X(AT, "'@'")                                                                                     \
  X(ARROW, "'->'")                                                                                 \
  X(QUESTION, "'?'")                                                                               \
  /* operators */                                                                                  \
  X(PLUS, "'+'")                                                                                   \
  X(MINUS, "'-'")                                                                                  \
  X(STAR, "'*'")                                                                                   \
  X(SLASH, "'/'")                                                                                  \
  X(SLASHSLASH, "'//'")                                                                            \
  X(PERCENT, "'%'")                                                                                \
  X(STARSTAR, "'**'")                                                                              \
  X(AMP, "'&'")                                                                                    \
  X(PIPE, "'|'")                                                                                   \
  X(CARET, "'^'")                                                                                  \
  X(TILDE, "'~'")                                                                                  \
  X(SHL, "'<<'")                                                                                   \
  X(SHR, "'>>'")                                                                                   \
  X(EQEQ, "'=='")                                                                                  \
  X(NE, "'!='")                                                                                    \
  X(LT, "'<'")                                                                                     \
  X(LE, "'<='")                                                                                    \
  X(GT, "'>'")                                                                                     \
  X(GE, "'>='")                                                                                    \
  X(ASSIGN, "'='")                                                                                 \
  X(PLUS_ASSIGN, "'+='")                                                                           \
  X(MINUS_ASSIGN, "'-='")                                                                          \
  X(STAR_ASSIGN, "'*='")                                                                           \
  X(SLASH_ASSIGN, "'/='")                                                                          \
  X(SLASHSLASH_ASSIGN, "'//='")                                                                    \
  X(PERCENT_ASSIGN, "'%='")                                                                        \
  X(STARSTAR_ASSIGN, "'**='")                                                                      \
  X(AMP_ASSIGN, "'&='")                                                                            \
  X(PIPE_ASSIGN, "'|='")                                                                           \
  X(CARET_ASSIGN, "'^='")                                                                          \
  X(SHL_ASSIGN, "'<<='")                                                                           \
  X(SHR_ASSIGN, "'>>='")

typedef enum ptk_tok_kind {
#define X(k, s) PTK_TOK_##k,
  PTK_TOKENS(X)
#undef X
      PTK_TOK_COUNT
} ptk_tok_kind;

typedef struct ptk_token {
  ptk_tok_kind kind;
  ptk_loc loc;  /* file (loc.src), line, column, byte offset */
  uint32_t len; /* bytes of source text */
  union {
    uint64_t ival; /* INT: the value (fits in 64 bits unsigned; see lexer) */
    double fval;   /* FLOAT */
  };
  /* IDENT: the name; STRING/RAWSTRING: decoded contents (may contain NUL,
   * slen is authoritative). Allocated in the lexer's arena. */
  const char *str;
  uint32_t slen;
  /* Where a `//` comment began that was written after an operand with a
   * space between (`n // 2`) on the line before this token; src is NULL
   * when there was none. That `//` may have been meant as floor division,
   * which must be written without the space (`n//2`); the parser says so
   * in a note when this token is a syntax error. */
  ptk_loc spaced_slashslash;
} ptk_token;

/* "identifier", "';'", "'kernel'" … for messages. */
const char *ptk_tok_spelling(ptk_tok_kind k);
/* Stable upper-case name ("IDENT", "SEMI") for dumps. */
const char *ptk_tok_name(ptk_tok_kind k);

#endif

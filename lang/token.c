#include "lang/token.h"

static const char *spellings[] = {
#define X(k, s) s,
    PTK_TOKENS(X)
#undef X
};

static const char *names[] = {
#define X(k, s) #k,
    PTK_TOKENS(X)
#undef X
};

const char *ptk_tok_spelling(ptk_tok_kind k) {
  return (unsigned)k < PTK_TOK_COUNT ? spellings[k] : "?";
}

const char *ptk_tok_name(ptk_tok_kind k) { return (unsigned)k < PTK_TOK_COUNT ? names[k] : "?"; }

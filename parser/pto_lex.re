/* The .pto lexer (re2c), generated into build/parser/pto_lex.c.
 *
 * MLIR's lexical structure (pto-ir.md §2, §12.1) with a few decisions made
 * here so that the Lemon grammar stays LALR(1):
 * - `// …` comments and `loc(…)` trailing locations are skipped.
 * - `%name` / `%name#N` is a VALUE. When `%name` (or `%name:N`) is followed
 *   by `=` it is a definition: RESULT if the `=` is followed by something
 *   other than `%` (an op follows), BIND if by `%` (`iter_args(%a = %x)`,
 *   `scf.for %i = %lb`). In `%a, %b = op …` every name but the last is an
 *   RMULTI.
 * - An identifier that names an op of the table becomes the op token of
 *   its syntax family (OP_DPS, OP_ARITH, …): the grammar has one
 *   production per family, which is how the table drives the custom
 *   syntaxes.
 * - `NxMx` runs are DIMS tokens (`32x32xf32` = DIMS "32x32x" + IDENT f32).
 * - Types and attributes whose insides the grammar does not care about are
 *   captured whole with balanced <…>: `memref<…>`, `vector<…>`,
 *   `!dialect.t<…>` (except the four PTO types the grammar parses),
 *   `#dialect.x<…>`, `#dialect<…>`, `dense<…>`, `array<…>`.
 * Bracket nesting is limited (PTO_MAX_DEPTH) so that nothing downstream
 * recurses without bound. */
#include <string.h>

#include "lang/limits.h"
#include "parser/pto.h"
#include "parser/pto_int.h"

/* Brackets of any kind, region braces included: enough for PTK_MAX_NEST
 * regions plus the brackets of one op line (lang/limits.h). Balanced groups
 * captured whole (types, attributes) are limited separately. */
#define PTO_MAX_DEPTH PTK_MAX_BRACKETS
#define PTO_MAX_GROUP_DEPTH 200

void pto_lex_init(pto_lexer *lx, pto_parser *P) {
  lx->P = P;
  lx->base = (const unsigned char *)P->src->text;
  lx->cur = lx->base;
  lx->end = lx->base + P->src->len;
  lx->depth = 0;
}

static void lex_error(pto_lexer *lx, const unsigned char *at, uint32_t len, const char *msg) {
  pto_err(lx->P, (uint32_t)(at - lx->base), len ? len : 1, "%s", msg);
}

static const unsigned char *skip_ws(const unsigned char *p, const unsigned char *end) {
  for (;;) {
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f' || *p == '\v'))
      p++;
    if (p + 1 < end && p[0] == '/' && p[1] == '/') {
      while (p < end && *p != '\n') p++;
      continue;
    }
    return p;
  }
}

static bool is_suffix_char(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '$' || c == '.' || c == '-';
}

/* After a definition's `=`: an op follows unless the next thing is a value. */
static bool def_is_bind(const unsigned char *p, const unsigned char *end) {
  p = skip_ws(p, end);
  return p < end && *p == '%';
}

/* p points just past `%name`. Returns 1 for `= `(single def), 2 for
 * `:N =` (count in *count), 3 when this starts a list `%a, %b, … =`; 0 if
 * not a definition. *after is set past the `=` (cases 1, 2) or to the
 * final `=`'s end (3). */
static int def_kind(const unsigned char *p, const unsigned char *end, uint32_t *count,
                    const unsigned char **after) {
  const unsigned char *q = skip_ws(p, end);
  if (q < end && *q == '=' && !(q + 1 < end && q[1] == '=')) {
    *after = q + 1;
    return 1;
  }
  if (q < end && *q == ':') {
    const unsigned char *r = skip_ws(q + 1, end);
    if (r < end && *r >= '0' && *r <= '9') {
      uint64_t n = 0;
      while (r < end && *r >= '0' && *r <= '9') {
        n = n * 10 + (uint64_t)(*r - '0');
        if (n > 1000000) n = 1000000;
        r++;
      }
      r = skip_ws(r, end);
      if (r < end && *r == '=' && !(r + 1 < end && r[1] == '=')) {
        *count = (uint32_t)n;
        *after = r + 1;
        return 2;
      }
    }
    return 0;
  }
  if (q < end && *q == ',') {
    /* %a, %b:2, %c = op: bounded look-ahead. */
    for (int k = 0; k < 64; k++) {
      q = skip_ws(q + 1, end);
      if (q >= end || *q != '%') return 0;
      q++;
      if (q >= end || !is_suffix_char(*q)) return 0;
      while (q < end && is_suffix_char(*q)) q++;
      q = skip_ws(q, end);
      if (q < end && *q == ':') {
        q = skip_ws(q + 1, end);
        if (q >= end || *q < '0' || *q > '9') return 0;
        while (q < end && *q >= '0' && *q <= '9') q++;
        q = skip_ws(q, end);
      }
      if (q < end && *q == '=' && !(q + 1 < end && q[1] == '=')) {
        if (def_is_bind(q + 1, end)) return 0;
        *after = q + 1;
        return 3;
      }
      if (q >= end || *q != ',') return 0;
    }
  }
  return 0;
}

/* Skips a balanced (…) or <…> group starting at p (which is the opener).
 * Strings inside are skipped. Returns the position after the closer, or
 * NULL when unterminated or nested too deeply. */
static const unsigned char *skip_balanced(const unsigned char *p, const unsigned char *end) {
  const unsigned char *start = p;
  char want[PTO_MAX_GROUP_DEPTH + 1]; /* the closers expected, innermost last */
  int depth = 0;
  while (p < end) {
    unsigned char c = *p;
    if (c == 0) return NULL; /* NUL bytes never belong to a type or attribute */
    if (c == '/' && p + 1 < end && p[1] == '/') { /* a comment: skipped like whitespace */
      while (p < end && *p != '\n') p++;
      continue;
    }
    if (c == '"') {
      p++;
      while (p < end && *p != '"') {
        if (*p == 0) return NULL;
        if (*p == '\\' && p + 1 < end) p++;
        p++;
      }
      if (p >= end) return NULL;
      p++;
      continue;
    }
    if (c == '(' || c == '<' || c == '[' || c == '{') {
      if (depth >= PTO_MAX_GROUP_DEPTH) return NULL;
      want[depth++] = c == '(' ? ')' : c == '<' ? '>' : c == '[' ? ']' : '}';
    } else if (c == ')' || c == '>' || c == ']' || c == '}') {
      /* `->` inside a function type is not a closer. */
      if (!(c == '>' && p > start && p[-1] == '-')) {
        if (depth == 0 || want[depth - 1] != (char)c) return NULL; /* mismatched */
        if (--depth == 0) return p + 1;
      }
    }
    p++;
  }
  return NULL;
}

static bool word_is(const unsigned char *s, size_t n, const char *w) {
  return strlen(w) == n && memcmp(s, w, n) == 0;
}

static int op_token(ptk_op_kind k) {
  switch (ptk_op_table[k].family) {
  case PTK_FAM_MODULE: return PTO_T_OP_MODULE;
  case PTK_FAM_FUNC: return PTO_T_OP_FUNC;
  case PTK_FAM_CALL: return PTO_T_OP_CALL;
  case PTK_FAM_RETURN: return PTO_T_OP_RETURN;
  case PTK_FAM_CONSTANT: return PTO_T_OP_CONSTANT;
  case PTK_FAM_ARITH:
  case PTK_FAM_ARITH_SELECT:
  case PTK_FAM_ARITH_EXT: return PTO_T_OP_ARITH;
  case PTK_FAM_ARITH_CMP: return PTO_T_OP_CMP;
  case PTK_FAM_ARITH_CAST: return PTO_T_OP_CAST;
  case PTK_FAM_SCF_FOR: return PTO_T_OP_FOR;
  case PTK_FAM_SCF_IF: return PTO_T_OP_IF;
  case PTK_FAM_SCF_WHILE: return PTO_T_OP_WHILE;
  case PTK_FAM_SCF_YIELD: return PTO_T_OP_YIELD;
  case PTK_FAM_SCF_CONDITION: return PTO_T_OP_CONDITION;
  case PTK_FAM_DPS: return PTO_T_OP_DPS;
  case PTK_FAM_VIEW_CAST: return PTO_T_OP_VIEWCAST;
  case PTK_FAM_MAKE_TENSOR_VIEW:
  case PTK_FAM_PARTITION_VIEW: return PTO_T_OP_VIEW;
  case PTK_FAM_ALLOC_TILE: return PTO_T_OP_ALLOC;
  case PTK_FAM_SUBVIEW: return PTO_T_OP_SUBVIEW;
  case PTK_FAM_OPERANDS_TYPE:
  case PTK_FAM_GET_VALIDSHAPE: return PTO_T_OP_OPTYPE;
  case PTK_FAM_LOAD_SCALAR: return PTO_T_OP_LOADS;
  case PTK_FAM_STORE_SCALAR: return PTO_T_OP_STORES;
  case PTK_FAM_SYNC_BRACKET: return PTO_T_OP_SYNCB;
  case PTK_FAM_SYNC_ATTRS: return PTO_T_OP_SYNCA;
  case PTK_FAM_SYNCALL: return PTO_T_OP_SYNCALL;
  case PTK_FAM_NULLARY: return PTO_T_OP_NULLARY;
  case PTK_FAM_SECTION: return PTO_T_OP_SECTION;
  case PTK_FAM_PRINT: return PTO_T_OP_PRINT;
  case PTK_FAM_PIPE:
  case PTK_FAM_INIT_PIPE: return PTO_T_OP_PIPE;
  case PTK_FAM_VOP: return PTO_T_OP_VOP;
  case PTK_FAM_COMM: return PTO_T_OP_COMM;
  case PTK_FAM_BRANCH: return PTO_T_OP_BR;
  case PTK_FAM_MEMREF_VIEW: return PTO_T_OP_MVIEW;
  case PTK_FAM_GENERIC: return PTO_T_OP_GENONLY;
  }
  return PTO_T_IDENT;
}

static uint64_t parse_uint(const unsigned char *s, const unsigned char *e, int base, uint8_t *big) {
  uint64_t v = 0;
  for (; s < e; s++) {
    unsigned d = *s >= '0' && *s <= '9' ? (unsigned)(*s - '0') : (unsigned)((*s | 0x20) - 'a' + 10);
    if (v > (UINT64_MAX - d) / (uint64_t)base) *big = 1;
    v = v * (uint64_t)base + d;
  }
  return v;
}

/*!re2c
  re2c:define:YYCTYPE = "unsigned char";
  re2c:define:YYCURSOR = p;
  re2c:define:YYMARKER = mk;
  re2c:yyfill:enable = 0;
  re2c:flags:tags = 0;

  bare_id   = [a-zA-Z_] [a-zA-Z0-9_$.]*;
  suffix_id = [0-9]+ | [a-zA-Z$._-] [a-zA-Z0-9$._-]*;
  ws        = [ \t\r\n\f\v];
*/

int pto_lex_next(pto_lexer *lx, pto_tok *t) {
  const unsigned char *p = lx->cur, *mk = p, *tok;
  const unsigned char *end = lx->end;
  memset(t, 0, sizeof *t);
  t->idx = -1;
  for (;;) {
    tok = p;
    if (p >= end) {
      lx->cur = p;
      t->off = (uint32_t)(p - lx->base);
      return 0;
    }
#define TOK(code)                                                                                  \
  do {                                                                                             \
    t->off = (uint32_t)(tok - lx->base);                                                          \
    t->len = (uint32_t)(p - tok);                                                                 \
    lx->cur = p;                                                                                   \
    return (code);                                                                                 \
  } while (0)
    /*!re2c
      "\x00" {
        if (tok >= end) { lx->cur = tok; t->off = (uint32_t)(tok - lx->base); return 0; }
        lex_error(lx, tok, 1, "unexpected character U+0000");
        lx->P->failed = true;
        return 0;
      }
      ws+ { continue; }
      "//" [^\n\x00]* { continue; }

      "loc" ws* "(" {
        const unsigned char *open = p - 1;
        const unsigned char *q = skip_balanced(open, end);
        if (!q) { lex_error(lx, tok, 3, "unterminated 'loc(' location"); lx->P->failed = true; return 0; }
        p = q;
        continue;
      }

      "%" suffix_id ("#" [0-9]+)? {
        t->nlen = (uint32_t)(p - tok - 1);
        const unsigned char *hash = memchr(tok, '#', (size_t)(p - tok));
        if (hash) {
          uint8_t big = 0;
          uint64_t v = parse_uint(hash + 1, p, 10, &big);
          t->nlen = (uint32_t)(hash - tok - 1);
          t->idx = big || v > 0x7fffffff ? 0x7fffffff : (int32_t)v;
          TOK(PTO_T_VALUE);
        }
        uint32_t count = 0;
        const unsigned char *after = NULL;
        int k = def_kind(p, end, &count, &after);
        if (k == 1 || k == 2) {
          t->count = count;
          bool bind = def_is_bind(after, end);
          if (k == 2 && bind) TOK(PTO_T_VALUE); /* not a valid form; let the grammar complain */
          p = after;
          TOK(bind ? PTO_T_BIND : PTO_T_RESULT);
        }
        if (k == 3) {
          /* this name only; the count, if any, follows as `:N` which we fold in */
          const unsigned char *q = skip_ws(p, end);
          if (q < end && *q == ':') {
            q = skip_ws(q + 1, end);
            uint8_t big = 0;
            const unsigned char *d = q;
            while (q < end && *q >= '0' && *q <= '9') q++;
            uint64_t v = parse_uint(d, q, 10, &big);
            t->count = big || v > 1000000 ? 1000000 : (uint32_t)v;
            p = q;
          }
          TOK(PTO_T_RMULTI);
        }
        TOK(PTO_T_VALUE);
      }
      "%" { lex_error(lx, tok, 1, "expected an SSA value name after '%'"); lx->P->failed = true; return 0; }

      "^" suffix_id { TOK(PTO_T_LABEL); }
      "@" bare_id ("::@" bare_id)* { TOK(PTO_T_SYMBOL); }
      "@" ["] ([^"\\\n\x00] | "\\" [^\n\x00])* ["] { TOK(PTO_T_SYMBOL); }

      ["] ([^"\\\n\x00] | "\\" [^\n\x00])* ["] { TOK(PTO_T_STRING); }
      ["] { lex_error(lx, tok, 1, "unterminated string literal"); lx->P->failed = true; return 0; }

      "0x" [0-9a-fA-F]+ {
        t->u = parse_uint(tok + 2, p, 16, &t->big);
        t->hex = 1;
        TOK(PTO_T_INT);
      }
      [0-9]+ {
        t->u = parse_uint(tok, p, 10, &t->big);
        TOK(PTO_T_INT);
      }
      [0-9]+ "." [0-9]* ([eE] [-+]? [0-9]+)? {
        char buf[128];
        size_t n = (size_t)(p - tok) < sizeof buf - 1 ? (size_t)(p - tok) : sizeof buf - 1;
        memcpy(buf, tok, n);
        buf[n] = 0;
        t->f = strtod(buf, NULL);
        TOK(PTO_T_FLOAT);
      }
      (([0-9]+ | "?") "x")+ {
        uint32_t n = 0;
        for (const unsigned char *q = tok; q < p; q++) n += *q == 'x';
        t->count = n;
        TOK(PTO_T_DIMS);
      }

      "!" bare_id {
        size_t n = (size_t)(p - tok - 1);
        const unsigned char *w = tok + 1;
        if (p < end && *p == '<') {
          bool known = word_is(w, n, "pto.ptr") || word_is(w, n, "pto.tensor_view") ||
                       word_is(w, n, "pto.partition_tensor_view") || word_is(w, n, "pto.tile_buf");
          if (known) {
            /* Seen verbatim before? Then skip its tokens altogether. */
            const unsigned char *q = skip_balanced(p, end);
            const ptk_type *ct = q ? pto_tcache_get(lx->P, (const char *)tok, (uint32_t)(q - tok)) : NULL;
            if (ct) {
              p = q;
              t->type = ct;
              TOK(PTO_T_TY_CACHED);
            }
          }
          if (word_is(w, n, "pto.ptr")) TOK(PTO_T_TY_PTR);
          if (word_is(w, n, "pto.tensor_view")) TOK(PTO_T_TY_TV);
          if (word_is(w, n, "pto.partition_tensor_view")) TOK(PTO_T_TY_PV);
          if (word_is(w, n, "pto.tile_buf")) TOK(PTO_T_TY_TILE);
          const unsigned char *q = skip_balanced(p, end);
          if (!q) { lex_error(lx, tok, (uint32_t)(p - tok), "unterminated type"); lx->P->failed = true; return 0; }
          p = q;
          TOK(PTO_T_TY_OPAQUE);
        }
        TOK(PTO_T_TY_BANG);
      }
      "!" { lex_error(lx, tok, 1, "expected a dialect type name after '!'"); lx->P->failed = true; return 0; }

      "#" bare_id {
        if (p < end && *p == '<') {
          const unsigned char *q = skip_balanced(p, end);
          if (!q) { lex_error(lx, tok, (uint32_t)(p - tok), "unterminated attribute"); lx->P->failed = true; return 0; }
          p = q;
        }
        TOK(PTO_T_HASH);
      }
      "#" { lex_error(lx, tok, 1, "expected an attribute name after '#'"); lx->P->failed = true; return 0; }

      bare_id {
        size_t n = (size_t)(p - tok);
        if (p < end && *p == '<' &&
            (word_is(tok, n, "memref") || word_is(tok, n, "vector") || word_is(tok, n, "tensor") ||
             word_is(tok, n, "complex") || word_is(tok, n, "tuple") || word_is(tok, n, "dense") ||
             word_is(tok, n, "array") || word_is(tok, n, "sparse") || word_is(tok, n, "opaque") ||
             word_is(tok, n, "dense_resource") || word_is(tok, n, "strided"))) {
          const unsigned char *q = skip_balanced(p, end);
          if (!q) { lex_error(lx, tok, (uint32_t)n, "unterminated '<'"); lx->P->failed = true; return 0; }
          p = q;
          if (word_is(tok, n, "array")) TOK(PTO_T_ARRAY);
          if (word_is(tok, n, "dense") || word_is(tok, n, "sparse") || word_is(tok, n, "opaque") ||
              word_is(tok, n, "dense_resource") || word_is(tok, n, "strided"))
            TOK(PTO_T_DENSE);
          TOK(PTO_T_TY_OPAQUE);
        }
        if (word_is(tok, n, "ins")) TOK(PTO_T_INS);
        if (word_is(tok, n, "outs")) TOK(PTO_T_OUTS);
        if (word_is(tok, n, "else")) TOK(PTO_T_ELSE);
        if (word_is(tok, n, "aiv_subblockid")) TOK(PTO_T_AIV_SUBBLOCKID); /* the pipe ops' clause (pto.y) */
        if (word_is(tok, n, "memref.alloc")) { /* read as pto.alloc_tile (pto.y) */
          t->opk = PTK_OP_ALLOC_TILE;
          TOK(PTO_T_OP_MEMREF_ALLOC);
        }
        if (word_is(tok, n, "pto.bind_tile")) { /* read as pto.alloc_tile at its source's address (pto.y) */
          t->opk = PTK_OP_ALLOC_TILE;
          TOK(PTO_T_OP_BIND_TILE);
        }
        if (word_is(tok, n, "pto.pointer_cast")) { /* read as pto.alloc_tile addr = … (pto.y) */
          t->opk = PTK_OP_ALLOC_TILE;
          TOK(PTO_T_OP_POINTER_CAST);
        }
        ptk_op_kind k = ptk_op_lookup((const char *)tok, n);
        if (k != PTK_OP__INVALID) {
          t->opk = k;
          TOK(op_token(k));
        }
        TOK(PTO_T_IDENT);
      }

      "->" { TOK(PTO_T_ARROW); }
      "(" { if (++lx->depth > PTO_MAX_DEPTH) goto too_deep; TOK(PTO_T_LP); }
      ")" { if (lx->depth > 0) lx->depth--; TOK(PTO_T_RP); }
      "[" { if (++lx->depth > PTO_MAX_DEPTH) goto too_deep; TOK(PTO_T_LSQ); }
      "]" { if (lx->depth > 0) lx->depth--; TOK(PTO_T_RSQ); }
      "{" {
        if (++lx->depth > PTO_MAX_DEPTH) goto too_deep;
        if (lx->P->nbraces < 256) lx->P->braces[lx->P->nbraces] = (uint32_t)(tok - lx->base);
        lx->P->nbraces++;
        TOK(PTO_T_LBRACE);
      }
      "}" {
        if (lx->depth > 0) lx->depth--;
        if (lx->P->nbraces > 0) lx->P->nbraces--;
        TOK(PTO_T_RBRACE);
      }
      "<" { if (++lx->depth > PTO_MAX_DEPTH) goto too_deep; TOK(PTO_T_LT); }
      ">" { if (lx->depth > 0) lx->depth--; TOK(PTO_T_GT); }
      "," { TOK(PTO_T_COMMA); }
      ":" { TOK(PTO_T_COLON); }
      "=" { TOK(PTO_T_EQ); }
      "?" { TOK(PTO_T_QUESTION); }
      "-" { TOK(PTO_T_MINUS); }

      [\x80-\xff] {
        lex_error(lx, tok, 1, "unexpected non-ASCII byte");
        lx->P->failed = true;
        return 0;
      }
      * {
        char msg[64];
        unsigned char c = *tok;
        if (c >= 0x20 && c < 0x7f)
          snprintf(msg, sizeof msg, "unexpected character '%c'", c);
        else
          snprintf(msg, sizeof msg, "unexpected character U+%04X", c);
        lex_error(lx, tok, 1, msg);
        lx->P->failed = true;
        return 0;
      }
    */
  too_deep:
    lex_error(lx, tok, 1, "brackets nested too deeply");
    lx->P->failed = true;
    return 0;
  }
}

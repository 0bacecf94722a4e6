/* libFuzzer target over the .ptk front end: lexer, parser and diagnostic
 * rendering. Built by `make fuzz` (clang-14, -fsanitize=fuzzer,address,
 * undefined); see tests/fuzz/README.md.
 *
 * Besides "does not crash", the lexer's contract is checked on every input:
 * tokens lie inside the text, never overlap or go backwards, only EOF is
 * empty, the stream ends, and ERROR tokens come with diagnostics. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "lang/diag.h"
#include "lang/lexer.h"
/* The Lemon output (build/parser/ptk.h) exists once parser/ptk.y does. */
#if __has_include("parser/ptk.h")
#define HAVE_PARSER 1
#include "parser/parse.h"
#endif

#define MAX_INPUT (1u << 20)

static void fail(const char *what, size_t i) {
  fprintf(stderr, "fuzz_ptk: lexer contract violated at token %zu: %s\n", i, what);
  abort();
}

static void check_lexer(const ptk_source *src) {
  ptk_diags *d = ptk_diags_new();
  ptk_arena *a = ptk_arena_new();
  ptk_lexer *lx = ptk_lexer_new(src, d, a);
  size_t pos = 0, errors = 0, i = 0;
  for (;; i++) {
    if (i > src->len + 1) fail("more tokens than bytes", i);
    ptk_token t = ptk_lexer_next(lx);
    if (t.loc.src != src) fail("token without source", i);
    if (t.loc.off < pos) fail("token goes backwards", i);
    if ((size_t)t.loc.off + t.len > src->len) fail("token past the end", i);
    if (t.len == 0 && t.kind != PTK_TOK_EOF) fail("empty token", i);
    if (t.kind == PTK_TOK_ERROR) errors++;
    if ((t.kind == PTK_TOK_STRING || t.kind == PTK_TOK_RAWSTRING || t.kind == PTK_TOK_IDENT) &&
        !t.str)
      fail("string token without contents", i);
    pos = t.loc.off + t.len;
    if (t.kind == PTK_TOK_EOF) {
      if (t.loc.off != src->len) fail("EOF before the end", i);
      break;
    }
  }
  if (ptk_lexer_next(lx).kind != PTK_TOK_EOF) fail("no EOF after EOF", i);
  if ((errors == 0) != (ptk_diags_errors(d) == 0)) fail("ERROR tokens and diagnostics disagree", i);
  ptk_lexer_free(lx);
  ptk_arena_free(a);
  ptk_diags_free(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > MAX_INPUT) return 0;
  ptk_source *src = ptk_source_from_string("fuzz.ptk", (const char *)data, size);
  if (!src) return 0;
  check_lexer(src);
#ifdef HAVE_PARSER
  ptk_diags *d = ptk_diags_new();
  ptk_arena *a = ptk_arena_new();
  ptk_parse(src, d, a);
  ptk_buf out = {0};
  ptk_diags_render(d, &out, false);
  ptk_buf_free(&out);
  ptk_arena_free(a);
  ptk_diags_free(d);
#endif
  ptk_source_free(src);
  return 0;
}

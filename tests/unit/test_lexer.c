/* The .ptk lexer (lang/lexer.re): every token kind, values, locations, the
 * `//` rule, and every lexical error with its exact message and location. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/lexer.h"
#include "tests/unit/ut.h"

typedef struct {
  ptk_source *src;
  ptk_diags *diags;
  ptk_arena *arena;
  PTK_VEC(ptk_token) toks; /* including the final EOF */
  char *kinds;             /* "IDENT SLASHSLASH INT EOF" */
  char *errs;              /* "1:5: message\n" per diagnostic */
} lexed;

static lexed lexn(const char *text, size_t len) {
  lexed r = {0};
  r.src = ptk_source_from_string("t.ptk", text, len);
  r.diags = ptk_diags_new();
  r.arena = ptk_arena_new();
  ptk_lexer *lx = ptk_lexer_new(r.src, r.diags, r.arena);
  ptk_buf kinds = {0}, errs = {0};
  for (size_t guard = 0; guard <= len + 1; guard++) {
    ptk_token t = ptk_lexer_next(lx);
    ptk_vec_push(&r.toks, t);
    ptk_buf_printf(&kinds, "%s%s", kinds.len ? " " : "", ptk_tok_name(t.kind));
    if (t.kind == PTK_TOK_EOF) break;
  }
  /* EOF forever */
  CHECK_INT(ptk_lexer_next(lx).kind, PTK_TOK_EOF);
  CHECK_INT(ptk_lexer_next(lx).kind, PTK_TOK_EOF);
  ptk_lexer_free(lx);
  for (size_t i = 0; i < r.diags->items.len; i++) {
    ptk_diag *g = &r.diags->items.data[i];
    ptk_buf_printf(&errs, "%u:%u: %s\n", g->line, g->col, g->message);
  }
  r.kinds = ptk_buf_take(&kinds);
  r.errs = ptk_buf_take(&errs);
  return r;
}

static lexed lex(const char *text) { return lexn(text, strlen(text)); }

static void lfree(lexed *r) {
  ptk_vec_free(&r->toks);
  free(r->kinds);
  free(r->errs);
  ptk_arena_free(r->arena);
  ptk_diags_free(r->diags);
  ptk_source_free(r->src);
}

/* Kinds of `text`'s tokens, and it must lex without errors. */
#define CHECK_KINDS(text, expected)                                                                \
  do {                                                                                             \
    lexed r_ = lex(text);                                                                          \
    CHECK_STR(r_.kinds, expected);                                                                 \
    CHECK_STR(r_.errs, "");                                                                        \
    lfree(&r_);                                                                                    \
  } while (0)

/* The diagnostics `text` produces ("line:col: message\n"…) and its kinds. */
#define CHECK_ERRS(text, kinds_, errs_)                                                            \
  do {                                                                                             \
    lexed r_ = lex(text);                                                                          \
    CHECK_STR(r_.errs, errs_);                                                                     \
    CHECK_STR(r_.kinds, kinds_);                                                                   \
    lfree(&r_);                                                                                    \
  } while (0)

#define CHECK_ERRSN(text, len, kinds_, errs_)                                                      \
  do {                                                                                             \
    lexed r_ = lexn(text, len);                                                                    \
    CHECK_STR(r_.errs, errs_);                                                                     \
    CHECK_STR(r_.kinds, kinds_);                                                                   \
    lfree(&r_);                                                                                    \
  } while (0)

/* ---- token kinds ------------------------------------------------------ */

TEST(keywords) {
  static const struct {
    const char *text;
    ptk_tok_kind kind;
  } kw[] = {
      {"kernel", PTK_TOK_KERNEL}, {"fn", PTK_TOK_FN},         {"let", PTK_TOK_LET},
      {"var", PTK_TOK_VAR},       {"const", PTK_TOK_CONST},   {"static", PTK_TOK_STATIC},
      {"if", PTK_TOK_IF},         {"else", PTK_TOK_ELSE},     {"for", PTK_TOK_FOR},
      {"in", PTK_TOK_IN},         {"while", PTK_TOK_WHILE},   {"return", PTK_TOK_RETURN},
      {"import", PTK_TOK_IMPORT}, {"as", PTK_TOK_AS},         {"true", PTK_TOK_TRUE},
      {"false", PTK_TOK_FALSE},   {"and", PTK_TOK_AND},       {"or", PTK_TOK_OR},
      {"not", PTK_TOK_NOT},
  };
  for (size_t i = 0; i < PTK_ARRAY_LEN(kw); i++) {
    lexed r = lex(kw[i].text);
    CHECK_INT(r.toks.len, 2);
    CHECK_STR(ptk_tok_name(r.toks.data[0].kind), ptk_tok_name(kw[i].kind));
    CHECK_INT(r.toks.data[0].len, strlen(kw[i].text));
    CHECK_STR(r.errs, "");
    lfree(&r);
    /* a keyword prefix/suffix makes an identifier */
    char buf[32];
    snprintf(buf, sizeof buf, "%s_ x%s %s1", kw[i].text, kw[i].text, kw[i].text);
    r = lex(buf);
    CHECK_STR(r.kinds, "IDENT IDENT IDENT EOF");
    lfree(&r);
  }
  /* contextual words are identifiers */
  CHECK_KINDS("range out inout int f32 ptr", "IDENT IDENT IDENT IDENT IDENT IDENT EOF");
}

TEST(identifiers) {
  lexed r = lex("_ a _tmp0 TILE_M x1y2 __init__");
  CHECK_STR(r.kinds, "IDENT IDENT IDENT IDENT IDENT IDENT EOF");
  const char *names[] = {"_", "a", "_tmp0", "TILE_M", "x1y2", "__init__"};
  for (size_t i = 0; i < 6; i++) {
    CHECK_STR(r.toks.data[i].str, names[i]);
    CHECK_INT(r.toks.data[i].slen, strlen(names[i]));
    CHECK_INT(r.toks.data[i].len, strlen(names[i]));
  }
  lfree(&r);
}

TEST(punctuation) {
  CHECK_KINDS("( ) [ ] { } , ; : . @ -> ?",
              "LPAREN RPAREN LBRACKET RBRACKET LBRACE RBRACE COMMA SEMI COLON DOT AT ARROW "
              "QUESTION EOF");
}

TEST(operators) {
  CHECK_KINDS("+ - * / % ** & | ^ ~ << >> == != < <= > >= =",
              "PLUS MINUS STAR SLASH PERCENT STARSTAR AMP PIPE CARET TILDE SHL SHR EQEQ NE LT LE "
              "GT GE ASSIGN EOF");
  CHECK_KINDS("+= -= *= /= %= **= &= |= ^= <<= >>=",
              "PLUS_ASSIGN MINUS_ASSIGN STAR_ASSIGN SLASH_ASSIGN PERCENT_ASSIGN STARSTAR_ASSIGN "
              "AMP_ASSIGN PIPE_ASSIGN CARET_ASSIGN SHL_ASSIGN SHR_ASSIGN EOF");
}

TEST(maximal_munch) {
  CHECK_KINDS("a<<=b>>=c**=d", "IDENT SHL_ASSIGN IDENT SHR_ASSIGN IDENT STARSTAR_ASSIGN IDENT EOF");
  CHECK_KINDS("a***b", "IDENT STARSTAR STAR IDENT EOF");
  CHECK_KINDS("a<<<b", "IDENT SHL LT IDENT EOF");
  CHECK_KINDS("a===b", "IDENT EQEQ ASSIGN IDENT EOF");
  CHECK_KINDS("x->y-->z", "IDENT ARROW IDENT MINUS ARROW IDENT EOF");
  CHECK_KINDS("a<=>b", "IDENT LE GT IDENT EOF");
  CHECK_KINDS("a.b.c", "IDENT DOT IDENT DOT IDENT EOF");
  CHECK_KINDS("-1", "MINUS INT EOF");
  CHECK_KINDS("a/b/=c", "IDENT SLASH IDENT SLASH_ASSIGN IDENT EOF");
}

/* ---- the `//` rule ----------------------------------------------------- */

TEST(floor_div_after_operand) {
  CHECK_KINDS("a//b", "IDENT SLASHSLASH IDENT EOF");
  CHECK_KINDS("n//2", "IDENT SLASHSLASH INT EOF");
  CHECK_KINDS("7//2", "INT SLASHSLASH INT EOF");
  CHECK_KINDS("1.5//2", "FLOAT SLASHSLASH INT EOF");
  CHECK_KINDS("(x+1)//4", "LPAREN IDENT PLUS INT RPAREN SLASHSLASH INT EOF");
  CHECK_KINDS("t[0]//2", "IDENT LBRACKET INT RBRACKET SLASHSLASH INT EOF");
  CHECK_KINDS("a//=2", "IDENT SLASHSLASH_ASSIGN INT EOF");
  CHECK_KINDS("a//b//c", "IDENT SLASHSLASH IDENT SLASHSLASH IDENT EOF");
  CHECK_KINDS("a// b", "IDENT SLASHSLASH IDENT EOF");
  CHECK_KINDS("a///b", "IDENT SLASHSLASH SLASH IDENT EOF");
  lexed r = lex("ab//=cd");
  CHECK_INT(r.toks.data[1].loc.col, 3);
  CHECK_INT(r.toks.data[1].len, 3);
  lfree(&r);
}

TEST(slashslash_comment_elsewhere) {
  CHECK_KINDS("// a comment", "EOF");
  CHECK_KINDS("a // b", "IDENT EOF");
  CHECK_KINDS("a //= 2", "IDENT EOF");
  CHECK_KINDS("a //b\nc", "IDENT IDENT EOF");
  CHECK_KINDS("a\t//b", "IDENT EOF");
  CHECK_KINDS("a = //b\nc", "IDENT ASSIGN IDENT EOF");
  CHECK_KINDS("f(a,//b\n)", "IDENT LPAREN IDENT COMMA RPAREN EOF");
  CHECK_KINDS("\"s\"//c", "STRING EOF");
  CHECK_KINDS("return//x", "RETURN EOF");
  CHECK_KINDS("true//x", "TRUE EOF");
  CHECK_KINDS("a/**///b", "IDENT EOF");
  CHECK_KINDS("x;//y", "IDENT SEMI EOF");
  CHECK_KINDS("}//y", "RBRACE EOF");
  CHECK_KINDS("//", "EOF");
  CHECK_KINDS("a //", "IDENT EOF");
}

/* ---- comments ---------------------------------------------------------- */

TEST(comments) {
  CHECK_KINDS("a /* b */ c", "IDENT IDENT EOF");
  CHECK_KINDS("a/*b*/c", "IDENT IDENT EOF");
  CHECK_KINDS("/* multi\n line\n */ x", "IDENT EOF");
  CHECK_KINDS("/* /* not nested */ x", "IDENT EOF");
  CHECK_KINDS("/***/x", "IDENT EOF");
  CHECK_KINDS("/**/", "EOF");
  CHECK_KINDS("/* // */ x", "IDENT EOF");
  CHECK_KINDS("// /* \nx", "IDENT EOF");
  CHECK_KINDS("// caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\nx", "IDENT EOF");
  CHECK_KINDS("/* caf\xc3\xa9 */x", "IDENT EOF");
  CHECK_KINDS("a // x\r\nb", "IDENT IDENT EOF");
  /* NUL bytes inside comments are comment text */
  CHECK_ERRSN("// a\0b\nx", 8, "IDENT EOF", "");
  CHECK_ERRSN("/* a\0b */x", 10, "IDENT EOF", "");
  lexed r = lex("/* one\ntwo */ z");
  CHECK_INT(r.toks.data[0].loc.line, 2);
  CHECK_INT(r.toks.data[0].loc.col, 8);
  lfree(&r);
}

TEST(err_unterminated_block_comment) {
  CHECK_ERRS("a /* b\nc", "IDENT ERROR EOF", "1:3: unterminated block comment\n");
  CHECK_ERRS("/*", "ERROR EOF", "1:1: unterminated block comment\n");
  CHECK_ERRS("/*/", "ERROR EOF", "1:1: unterminated block comment\n");
  CHECK_ERRS("x\n  /* *", "IDENT ERROR EOF", "2:3: unterminated block comment\n");
  lexed r = lex("x /* a\nb");
  CHECK_INT(r.toks.data[1].loc.off, 2);
  CHECK_INT(r.toks.data[1].len, 6); /* to the end of the input */
  lfree(&r);
}

/* ---- numbers ---------------------------------------------------------- */

static uint64_t int_of(const char *text) {
  lexed r = lex(text);
  uint64_t v = r.toks.data[0].ival;
  CHECK_STR(r.kinds, "INT EOF");
  CHECK_STR(r.errs, "");
  lfree(&r);
  return v;
}

static double float_of(const char *text) {
  lexed r = lex(text);
  double v = r.toks.data[0].fval;
  CHECK_STR(r.kinds, "FLOAT EOF");
  CHECK_STR(r.errs, "");
  lfree(&r);
  return v;
}

TEST(integers) {
  CHECK_UINT(int_of("0"), 0);
  CHECK_UINT(int_of("7"), 7);
  CHECK_UINT(int_of("1024"), 1024);
  CHECK_UINT(int_of("007"), 7);
  CHECK_UINT(int_of("1_000"), 1000);
  CHECK_UINT(int_of("1_2_3_4"), 1234);
  CHECK_UINT(int_of("0x1F"), 31);
  CHECK_UINT(int_of("0X1f"), 31);
  CHECK_UINT(int_of("0xff_ff"), 0xffff);
  CHECK_UINT(int_of("0x0"), 0);
  CHECK_UINT(int_of("0xDEADbeef"), 0xdeadbeefu);
  CHECK_UINT(int_of("18446744073709551615"), UINT64_MAX);
  CHECK_UINT(int_of("18_446_744_073_709_551_615"), UINT64_MAX);
  CHECK_UINT(int_of("0xFFFFFFFFFFFFFFFF"), UINT64_MAX);
  CHECK_UINT(int_of("0x0000000000000000001"), 1);
  CHECK_UINT(int_of("9223372036854775808"), 9223372036854775808ull);
  lexed r = lex("x = 0x1e+3;");
  CHECK_STR(r.kinds, "IDENT ASSIGN INT PLUS INT SEMI EOF");
  CHECK_UINT(r.toks.data[2].ival, 0x1e);
  lfree(&r);
  r = lex("1_000");
  CHECK_INT(r.toks.data[0].len, 5);
  lfree(&r);
}

TEST(floats) {
  CHECK_DBL(float_of("1.0"), 1.0, 0);
  CHECK_DBL(float_of("1."), 1.0, 0);
  CHECK_DBL(float_of(".5"), 0.5, 0);
  CHECK_DBL(float_of("0.125"), 0.125, 0);
  CHECK_DBL(float_of("1e-6"), 1e-6, 0);
  CHECK_DBL(float_of("1.5E+3"), 1500.0, 0);
  CHECK_DBL(float_of("2e10"), 2e10, 0);
  CHECK_DBL(float_of("1.e2"), 100.0, 0);
  CHECK_DBL(float_of(".5e1"), 5.0, 0);
  CHECK_DBL(float_of("1_000.000_1"), 1000.0001, 0);
  CHECK_DBL(float_of("1e1_0"), 1e10, 0);
  CHECK_DBL(float_of("3.4028234663852886e38"), 3.4028234663852886e38, 0);
  CHECK_DBL(float_of("1e-400"), 0.0, 0); /* underflow rounds to zero */
  CHECK_DBL(float_of("0.1"), 0.1, 0);
  CHECK_KINDS("x*1e-3-y", "IDENT STAR FLOAT MINUS IDENT EOF");
  CHECK_KINDS("a[.5]", "IDENT LBRACKET FLOAT RBRACKET EOF");
  CHECK_KINDS("1 .5", "INT FLOAT EOF");
}

TEST(err_hex_no_digits) {
  CHECK_ERRS("0x", "ERROR EOF", "1:1: hexadecimal literal has no digits\n");
  CHECK_ERRS("x = 0X;", "IDENT ASSIGN ERROR SEMI EOF", "1:5: hexadecimal literal has no digits\n");
}

TEST(err_exponent) {
  CHECK_ERRS("1e", "ERROR EOF", "1:2: exponent has no digits\n");
  CHECK_ERRS("1e+", "ERROR EOF", "1:2: exponent has no digits\n");
  CHECK_ERRS("a = 1.5E- ;", "IDENT ASSIGN ERROR SEMI EOF", "1:8: exponent has no digits\n");
  CHECK_ERRS("2ex", "ERROR EOF", "1:2: exponent has no digits\n");
}

TEST(err_malformed) {
  CHECK_ERRS("1.2.3", "ERROR EOF", "1:1: malformed number '1.2.3'\n");
  CHECK_ERRS("x = 1..2;", "IDENT ASSIGN ERROR SEMI EOF", "1:5: malformed number '1..2'\n");
  CHECK_ERRS("1e5.0", "ERROR EOF", "1:1: malformed number '1e5.0'\n");
  CHECK_ERRS("0x1.5", "ERROR EOF", "1:1: malformed number '0x1.5'\n");
  lexed r = lex("x = 1.2.3;");
  CHECK_INT(r.toks.data[2].loc.col, 5);
  CHECK_INT(r.toks.data[2].len, 5);
  lfree(&r);
}

TEST(err_invalid_digit) {
  CHECK_ERRS("12abc", "ERROR EOF", "1:3: invalid digit 'a' in decimal literal\n");
  CHECK_ERRS("0x1g", "ERROR EOF", "1:4: invalid digit 'g' in hexadecimal literal\n");
  CHECK_ERRS("0xg", "ERROR EOF", "1:3: invalid digit 'g' in hexadecimal literal\n");
  CHECK_ERRS("1.5f", "ERROR EOF", "1:4: invalid digit 'f' in float literal\n");
  CHECK_ERRS("1e5x", "ERROR EOF", "1:4: invalid digit 'x' in float literal\n");
  CHECK_ERRS("0b101", "ERROR EOF", "1:2: invalid digit 'b' in decimal literal\n");
  CHECK_ERRS("3if", "ERROR EOF", "1:2: invalid digit 'i' in decimal literal\n");
  /* one error for the whole literal, then lexing continues */
  CHECK_ERRS("f(12abc, 3)", "IDENT LPAREN ERROR COMMA INT RPAREN EOF",
             "1:5: invalid digit 'a' in decimal literal\n");
}

TEST(err_separator) {
  const char *msg = "digit separator '_' must be between two digits";
  char want[128];
  static const struct {
    const char *text;
    int col;
  } cases[] = {{"1__0", 2}, {"1_", 2},     {"0x_1", 3},  {"1_.5", 2}, {"1._5", 3},
               {"0xF_", 4}, {"1e5_", 4},   {"1_e5", 2},  {"0x1__2", 4}};
  for (size_t i = 0; i < PTK_ARRAY_LEN(cases); i++) {
    snprintf(want, sizeof want, "1:%d: %s\n", cases[i].col, msg);
    CHECK_ERRS(cases[i].text, "ERROR EOF", want);
  }
}

TEST(err_too_large) {
  CHECK_ERRS("18446744073709551616", "ERROR EOF",
             "1:1: integer literal '18446744073709551616' is too large for 64 bits\n");
  CHECK_ERRS("99999999999999999999999", "ERROR EOF",
             "1:1: integer literal '99999999999999999999999' is too large for 64 bits\n");
  CHECK_ERRS("0x1_0000_0000_0000_0000", "ERROR EOF",
             "1:1: integer literal '0x1_0000_0000_0000_0000' is too large for 64 bits\n");
  CHECK_ERRS("x = 0x10000000000000000;", "IDENT ASSIGN ERROR SEMI EOF",
             "1:5: integer literal '0x10000000000000000' is too large for 64 bits\n");
  /* long literals are cut in the message */
  char big[201];
  memset(big, '9', 200);
  big[200] = 0;
  lexed r = lex(big);
  CHECK_STR(r.kinds, "ERROR EOF");
  CHECK_STR(r.diags->items.data[0].message,
            "integer literal '9999999999999999999999999999999999999999999999999999999999999999...' "
            "is too large for 64 bits");
  lfree(&r);
}

TEST(err_float_range) {
  CHECK_ERRS("1e400", "ERROR EOF", "1:1: float literal '1e400' is out of range\n");
  CHECK_ERRS("1.0e99999999999999999999", "ERROR EOF",
             "1:1: float literal '1.0e99999999999999999999' is out of range\n");
}

/* ---- strings ---------------------------------------------------------- */

static void check_string(const char *text, const char *want, size_t wlen) {
  lexed r = lex(text);
  CHECK_STR(r.kinds, "STRING EOF");
  CHECK_STR(r.errs, "");
  CHECK_INT(r.toks.data[0].slen, wlen);
  CHECK_INT(r.toks.data[0].len, strlen(text));
  CHECK(r.toks.data[0].str && memcmp(r.toks.data[0].str, want, wlen) == 0);
  CHECK(r.toks.data[0].str && r.toks.data[0].str[wlen] == 0);
  lfree(&r);
}

TEST(strings) {
  check_string("\"\"", "", 0);
  check_string("\"hello\"", "hello", 5);
  check_string("\"a b\tc\"", "a b\tc", 5);
  check_string("\"kernels/vadd.pto\"", "kernels/vadd.pto", 16);
  check_string("\"\\a\\b\\f\\n\\r\\t\\v\"", "\a\b\f\n\r\t\v", 7);
  check_string("\"\\\\ \\' \\\" \\?\"", "\\ ' \" ?", 7);
  check_string("\"a\\0b\"", "a\0b", 3);
  check_string("\"\\101\\60\\7\\377\"", "A0\a\377", 4);
  check_string("\"\\0012\"", "\0012", 2); /* at most three octal digits */
  check_string("\"\\x41\\x7a\\xFF\\x00\"", "Az\xff\0", 4);
  check_string("\"\\x414\"", "A4", 2);
  check_string("\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
               14);
  check_string("\"// not a comment\"", "// not a comment", 16);
  check_string("\"/* nor this */\"", "/* nor this */", 14);
  CHECK_KINDS("\"a\" \"b\"", "STRING STRING EOF");
  CHECK_KINDS("import \"lib.ptk\" as lib;", "IMPORT STRING AS IDENT SEMI EOF");
  /* a raw NUL byte inside a string is content */
  lexed r = lexn("\"a\0b\"", 5);
  CHECK_STR(r.kinds, "STRING EOF");
  CHECK_INT(r.toks.data[0].slen, 3);
  CHECK(memcmp(r.toks.data[0].str, "a\0b", 3) == 0);
  lfree(&r);
}

TEST(raw_strings) {
  lexed r = lex("x = \"\"\"\nfunc.func @f() {\n  \\n \"quoted\" \"\"\n}\n\"\"\";");
  CHECK_STR(r.kinds, "IDENT ASSIGN RAWSTRING SEMI EOF");
  CHECK_STR(r.errs, "");
  CHECK_STR(r.toks.data[2].str, "\nfunc.func @f() {\n  \\n \"quoted\" \"\"\n}\n");
  CHECK_INT(r.toks.data[2].slen, strlen(r.toks.data[2].str));
  CHECK_INT(r.toks.data[2].loc.col, 5);
  CHECK_INT(r.toks.data[3].loc.line, 5);
  CHECK_INT(r.toks.data[3].loc.col, 4);
  lfree(&r);
  r = lex("\"\"\"\"\"\"");
  CHECK_STR(r.kinds, "RAWSTRING EOF");
  CHECK_INT(r.toks.data[0].slen, 0);
  CHECK_STR(r.toks.data[0].str, "");
  lfree(&r);
  /* the first """ ends it */
  r = lex("\"\"\"a\"\"\"\"");
  CHECK_STR(r.kinds, "RAWSTRING ERROR EOF");
  CHECK_STR(r.toks.data[0].str, "a");
  CHECK_STR(r.errs, "1:8: unterminated string literal\n");
  lfree(&r);
  r = lex("\"\"\"caf\xc3\xa9 /* // \"\"\"");
  CHECK_STR(r.kinds, "RAWSTRING EOF");
  CHECK_STR(r.toks.data[0].str, "caf\xc3\xa9 /* // ");
  lfree(&r);
}

TEST(err_unterminated_string) {
  CHECK_ERRS("\"abc", "ERROR EOF", "1:1: unterminated string literal\n");
  CHECK_ERRS("x = \"abc\ny", "IDENT ASSIGN ERROR IDENT EOF", "1:5: unterminated string literal\n");
  CHECK_ERRS("\"abc\\\ny\"", "ERROR IDENT ERROR EOF",
             "1:1: unterminated string literal\n2:2: unterminated string literal\n");
  CHECK_ERRS("\"", "ERROR EOF", "1:1: unterminated string literal\n");
  CHECK_ERRS("\"\\", "ERROR EOF", "1:1: unterminated string literal\n");
  CHECK_ERRS("\"\\\"", "ERROR EOF", "1:1: unterminated string literal\n");
  /* a backslash at the end of a CRLF line: only the unterminated string */
  CHECK_ERRS("\"abc\\\r\n", "ERROR EOF", "1:1: unterminated string literal\n");
  lexed r = lex("  \"abc\r\nx");
  CHECK_INT(r.toks.data[0].loc.col, 3);
  CHECK_INT(r.toks.data[0].len, 5); /* up to the newline */
  lfree(&r);
}

TEST(err_unterminated_raw_string) {
  CHECK_ERRS("x = \"\"\"abc\n\"\" def", "IDENT ASSIGN ERROR EOF",
             "1:5: unterminated raw string literal\n");
  CHECK_ERRS("\"\"\"", "ERROR EOF", "1:1: unterminated raw string literal\n");
  CHECK_ERRS("\"\"\"\"\"", "ERROR EOF", "1:1: unterminated raw string literal\n");
}

TEST(err_invalid_escape) {
  CHECK_ERRS("kernel k() { let s = \"a\\qb\"; }",
             "KERNEL IDENT LPAREN RPAREN LBRACE LET IDENT ASSIGN ERROR SEMI RBRACE EOF",
             "1:24: invalid escape sequence '\\q'\n");
  CHECK_ERRS("\"\\8\"", "ERROR EOF", "1:2: invalid escape sequence '\\8'\n");
  CHECK_ERRS("\"\\ \"", "ERROR EOF", "1:2: invalid escape sequence '\\' followed by U+0020\n");
  CHECK_ERRS("\"\\e\\z\"", "ERROR EOF",
             "1:2: invalid escape sequence '\\e'\n1:4: invalid escape sequence '\\z'\n");
  CHECK_ERRS("\"\\\xc2\xa7\"", "ERROR EOF",
             "1:2: invalid escape sequence '\\' followed by U+00A7\n");
  CHECK_ERRS("\"\\\t\"", "ERROR EOF", "1:2: invalid escape sequence '\\' followed by U+0009\n");
  CHECK_ERRSN("\"\\\0\"", 4, "ERROR EOF", "1:2: invalid escape sequence '\\' followed by U+0000\n");
  CHECK_ERRS("\"\\x\"", "ERROR EOF", "1:2: '\\x' escape needs two hexadecimal digits\n");
  CHECK_ERRS("\"\\x4\"", "ERROR EOF", "1:2: '\\x' escape needs two hexadecimal digits\n");
  CHECK_ERRS("\"\\xg1\"", "ERROR EOF", "1:2: '\\x' escape needs two hexadecimal digits\n");
  CHECK_ERRS("\"\\400\"", "ERROR EOF",
             "1:2: octal escape '\\400' is out of range (the maximum is '\\377')\n");
  CHECK_ERRS("\"ab\\777\"", "ERROR EOF",
             "1:4: octal escape '\\777' is out of range (the maximum is '\\377')\n");
  /* at most 10 escape errors per literal */
  {
    ptk_buf b = {0};
    ptk_buf_putc(&b, '"');
    for (int i = 0; i < 1000; i++) ptk_buf_puts(&b, "\\q");
    ptk_buf_puts(&b, "\" $");
    lexed r = lex(ptk_buf_cstr(&b));
    CHECK_STR(r.kinds, "ERROR ERROR EOF");
    CHECK_INT(r.diags->items.len, 11);
    CHECK_STR(r.diags->items.data[9].message, "invalid escape sequence '\\q'");
    CHECK_INT(r.diags->items.data[9].col, 20);
    CHECK_STR(r.diags->items.data[10].message, "unexpected character '$'");
    lfree(&r);
    ptk_buf_free(&b);
  }
  /* an invalid escape in an unterminated string: both are reported */
  CHECK_ERRS("\"\\q", "ERROR EOF",
             "1:2: invalid escape sequence '\\q'\n1:1: unterminated string literal\n");
  /* raw strings have no escapes */
  lexed r = lex("\"\"\"\\q\"\"\"");
  CHECK_STR(r.kinds, "RAWSTRING EOF");
  CHECK_STR(r.toks.data[0].str, "\\q");
  lfree(&r);
}

/* ---- characters and UTF-8 ------------------------------------------- */

TEST(err_unexpected_character) {
  CHECK_ERRS("$", "ERROR EOF", "1:1: unexpected character '$'\n");
  CHECK_ERRS("a $b", "IDENT ERROR IDENT EOF", "1:3: unexpected character '$'\n");
  CHECK_ERRS("!x", "ERROR IDENT EOF", "1:1: unexpected character '!'\n");
  CHECK_ERRS("#", "ERROR EOF", "1:1: unexpected character '#'\n");
  CHECK_ERRS("`", "ERROR EOF", "1:1: unexpected character '`'\n");
  CHECK_ERRS("'a'", "ERROR IDENT ERROR EOF",
             "1:1: unexpected character '''\n1:3: unexpected character '''\n");
  CHECK_ERRS("a\\b", "IDENT ERROR IDENT EOF", "1:2: unexpected character '\\'\n");
  CHECK_ERRS("\x01", "ERROR EOF", "1:1: unexpected character U+0001\n");
  CHECK_ERRS("\x7f", "ERROR EOF", "1:1: unexpected character U+007F\n");
  CHECK_ERRS("x \xc2\xa7 y", "IDENT ERROR IDENT EOF", "1:3: unexpected character U+00A7\n");
  CHECK_ERRS("caf\xc3\xa9", "IDENT ERROR EOF", "1:4: unexpected character U+00E9\n");
  CHECK_ERRS("\xe2\x82\xac", "ERROR EOF", "1:1: unexpected character U+20AC\n");
  CHECK_ERRS("\xf0\x9f\x98\x80", "ERROR EOF", "1:1: unexpected character U+1F600\n");
  CHECK_ERRS("\xf4\x8f\xbf\xbf", "ERROR EOF", "1:1: unexpected character U+10FFFF\n");
  CHECK_ERRS("\xef\xbb\xbf\xef\xbb\xbf", "ERROR EOF", "1:4: unexpected character U+FEFF\n");
  lexed r = lex("x \xc2\xa7 y");
  CHECK_INT(r.toks.data[1].len, 2);
  CHECK_INT(r.toks.data[2].loc.col, 6);
  lfree(&r);
}

TEST(err_embedded_nul) {
  CHECK_ERRSN("a\0b", 3, "IDENT ERROR IDENT EOF", "1:2: unexpected character U+0000\n");
  CHECK_ERRSN("\0", 1, "ERROR EOF", "1:1: unexpected character U+0000\n");
  lexed r = lexn("x\0", 2);
  CHECK_INT(r.toks.data[2].loc.off, 2);
  lfree(&r);
}

TEST(err_invalid_utf8) {
  CHECK_ERRS("\xff", "ERROR EOF", "1:1: invalid UTF-8 byte 0xFF\n");
  CHECK_ERRS("a \xfe b", "IDENT ERROR IDENT EOF", "1:3: invalid UTF-8 byte 0xFE\n");
  CHECK_ERRS("\x80", "ERROR EOF", "1:1: invalid UTF-8 byte 0x80\n");
  /* overlong encodings */
  CHECK_ERRS("\xc0\xaf", "ERROR EOF", "1:1: invalid UTF-8 byte 0xC0\n");
  CHECK_ERRS("\xc1\xbf", "ERROR EOF", "1:1: invalid UTF-8 byte 0xC1\n");
  CHECK_ERRS("\xe0\x80\xaf", "ERROR EOF", "1:1: invalid UTF-8 byte 0xE0\n");
  CHECK_ERRS("\xf0\x80\x80\xaf", "ERROR EOF", "1:1: invalid UTF-8 byte 0xF0\n");
  /* surrogates and beyond U+10FFFF */
  CHECK_ERRS("\xed\xa0\x80", "ERROR EOF", "1:1: invalid UTF-8 byte 0xED\n");
  CHECK_ERRS("\xed\xbf\xbf", "ERROR EOF", "1:1: invalid UTF-8 byte 0xED\n");
  CHECK_ERRS("\xf4\x90\x80\x80", "ERROR EOF", "1:1: invalid UTF-8 byte 0xF4\n");
  CHECK_ERRS("\xf5\x80\x80\x80", "ERROR EOF", "1:1: invalid UTF-8 byte 0xF5\n");
  /* truncated sequences */
  CHECK_ERRS("\xe2\x82", "ERROR EOF", "1:1: invalid UTF-8 byte 0xE2\n");
  CHECK_ERRS("\xe2\x82x", "ERROR IDENT EOF", "1:1: invalid UTF-8 byte 0xE2\n");
  CHECK_ERRS("\xc3\xc3\xa9", "ERROR ERROR EOF",
             "1:1: invalid UTF-8 byte 0xC3\n1:2: unexpected character U+00E9\n");
  /* every bad unit is reported */
  CHECK_ERRS("\xff\xfe", "ERROR ERROR EOF",
             "1:1: invalid UTF-8 byte 0xFF\n1:2: invalid UTF-8 byte 0xFE\n");
  lexed r = lex("\xe0\x80\xaf!");
  CHECK_INT(r.toks.data[0].len, 3);
  lfree(&r);
}

TEST(err_invalid_utf8_in_comments_and_strings) {
  CHECK_ERRS("x // caf\xe9\n y", "IDENT ERROR IDENT EOF", "1:9: invalid UTF-8 byte 0xE9\n");
  CHECK_ERRS("/* \xff\xff */ y", "ERROR IDENT EOF", "1:4: invalid UTF-8 byte 0xFF\n");
  CHECK_ERRS("/*\n \xc0\x80 */", "ERROR EOF", "2:2: invalid UTF-8 byte 0xC0\n");
  CHECK_ERRS("\"a\xff\" x", "ERROR IDENT EOF", "1:3: invalid UTF-8 byte 0xFF\n");
  CHECK_ERRS("\"\xed\xa0\x80\"", "ERROR EOF", "1:2: invalid UTF-8 byte 0xED\n");
  CHECK_ERRS("\"\"\"\n\xf8\"\"\"", "ERROR EOF", "2:1: invalid UTF-8 byte 0xF8\n");
  CHECK_ERRS("\"\\\xff\"", "ERROR EOF", "1:3: invalid UTF-8 byte 0xFF\n");
  /* an unterminated comment with a bad byte: both */
  CHECK_ERRS("/* \xff", "ERROR EOF",
             "1:4: invalid UTF-8 byte 0xFF\n1:1: unterminated block comment\n");
  /* one report per comment or literal */
  CHECK_ERRS("// \xff \xfe\n/* \xfe */", "ERROR ERROR EOF",
             "1:4: invalid UTF-8 byte 0xFF\n2:4: invalid UTF-8 byte 0xFE\n");
}

/* ---- locations -------------------------------------------------------- */

TEST(locations) {
  const char *text = "@jit(kind = \"vector\")\n"
                     "kernel k(x: ptr<f32>) {\r\n"
                     "\tlet n = 0x10;  // c\n"
                     "  /* c */ return;\n"
                     "}";
  lexed r = lex(text);
  CHECK_STR(r.errs, "");
  CHECK_STR(r.kinds, "AT IDENT LPAREN IDENT ASSIGN STRING RPAREN "
                     "KERNEL IDENT LPAREN IDENT COLON IDENT LT IDENT GT RPAREN LBRACE "
                     "LET IDENT ASSIGN INT SEMI RETURN SEMI RBRACE EOF");
  static const struct {
    unsigned line, col, off, len;
  } want[] = {
      {1, 1, 0, 1},   {1, 2, 1, 3},   {1, 5, 4, 1},   {1, 6, 5, 4},   {1, 11, 10, 1},
      {1, 13, 12, 8}, {1, 21, 20, 1}, {2, 1, 22, 6},  {2, 8, 29, 1},  {2, 9, 30, 1},
      {2, 10, 31, 1}, {2, 11, 32, 1}, {2, 13, 34, 3}, {2, 16, 37, 1}, {2, 17, 38, 3},
      {2, 20, 41, 1}, {2, 21, 42, 1}, {2, 23, 44, 1}, {3, 2, 48, 3},  {3, 6, 52, 1},
      {3, 8, 54, 1},  {3, 10, 56, 4}, {3, 14, 60, 1}, {4, 11, 78, 6}, {4, 17, 84, 1},
      {5, 1, 86, 1},  {5, 2, 87, 0},
  };
  CHECK_INT(r.toks.len, PTK_ARRAY_LEN(want));
  for (size_t i = 0; i < PTK_ARRAY_LEN(want) && i < r.toks.len; i++) {
    ptk_token *t = &r.toks.data[i];
    if (!CHECK_INT(t->loc.line, want[i].line) || !CHECK_INT(t->loc.col, want[i].col) ||
        !CHECK_INT(t->loc.off, want[i].off) || !CHECK_INT(t->len, want[i].len))
      printf("    (token %zu, %s)\n", i, ptk_tok_name(t->kind));
    CHECK(t->loc.src == r.src);
  }
  lfree(&r);
}

TEST(bom_is_skipped) {
  lexed r = lex("\xef\xbb\xbfkernel");
  CHECK_STR(r.kinds, "KERNEL EOF");
  CHECK_INT(r.toks.data[0].loc.col, 4);
  CHECK_INT(r.toks.data[0].loc.off, 3);
  lfree(&r);
}

TEST(empty_and_whitespace) {
  CHECK_KINDS("", "EOF");
  CHECK_KINDS(" \t\r\n\f\v", "EOF");
  lexed r = lex("\n\n  ");
  CHECK_INT(r.toks.data[0].loc.line, 3);
  CHECK_INT(r.toks.data[0].loc.col, 3);
  CHECK_INT(r.toks.data[0].loc.off, 4);
  lfree(&r);
}

/* ---- robustness --------------------------------------------------------- */

/* Pseudo-random inputs over an alphabet that hits every rule: the lexer ends,
 * every token lies inside the input, tokens never overlap or go backwards,
 * and every ERROR token comes with at least one diagnostic before it. */
TEST(random_inputs_make_progress) {
  static const char *pieces[] = {
      "a",  "_x", "1",    "0x",  "0xF", "1e",   "1.",    ".",  "_",  "e",  "+",    "-",
      "/",  "//", "/*",   "*/",  "*",   "\"",   "\"\"\"", "\\", "\\x", "\\0", "\n", " ",
      "\0", "=",  "\xff", "\xc3", "\xa9", "\xe2\x82", "\xac", "$", "(",  ")",  "]", "kernel",
  };
  uint64_t seed = 0x9e3779b97f4a7c15ull;
  for (int round = 0; round < 3000; round++) {
    char buf[256];
    size_t n = 0;
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    int parts = (int)(seed >> 59) + 1;
    for (int k = 0; k < parts; k++) {
      seed = seed * 6364136223846793005ull + 1442695040888963407ull;
      size_t idx = (size_t)(seed >> 33) % PTK_ARRAY_LEN(pieces);
      const char *p = pieces[idx];
      size_t pl = p[0] ? strlen(p) : 1; /* "\0" is one NUL byte */
      if (n + pl > sizeof buf) break;
      memcpy(buf + n, p, pl);
      n += pl;
    }
    lexed r = lexn(buf, n);
    size_t pos = 0, errors = 0;
    bool ok = r.toks.len > 0 && r.toks.data[r.toks.len - 1].kind == PTK_TOK_EOF;
    for (size_t i = 0; i < r.toks.len; i++) {
      ptk_token *t = &r.toks.data[i];
      ok = ok && t->loc.off >= pos && t->loc.off + t->len <= n;
      ok = ok && (t->len > 0 || t->kind == PTK_TOK_EOF);
      pos = t->loc.off + t->len;
      errors += t->kind == PTK_TOK_ERROR;
    }
    ok = ok && (errors == 0) == (r.diags->errors == 0);
    if (!CHECK(ok)) {
      printf("    input (%zu bytes):", n);
      for (size_t i = 0; i < n; i++) printf(" %02x", (unsigned char)buf[i]);
      printf("\n    tokens: %s\n", r.kinds);
      lfree(&r);
      break;
    }
    lfree(&r);
  }
}

/* The .ptk parser: AST shapes (through the S-expression dump), precedence,
 * literal decoding, and syntax-error messages and recovery. */
#include <stdlib.h>
#include <string.h>

#include "parser/parse.h"
#include "tests/unit/ut.h"

typedef struct parsed {
  char *dump;  /* ptk_ast_dump output */
  char *diags; /* rendered diagnostics ("" when none) */
  size_t errors;
} parsed;

static parsed parse_str(const char *text) {
  ptk_source *s = ptk_source_from_string("t.ptk", text, strlen(text));
  ptk_diags *d = ptk_diags_new();
  ptk_arena *a = ptk_arena_new();
  ptk_ast_file *f = ptk_parse(s, d, a);
  parsed p;
  ptk_buf b = {0};
  ptk_ast_dump(f, &b);
  p.dump = ptk_buf_take(&b);
  ptk_diags_render(d, &b, false);
  p.diags = ptk_buf_take(&b);
  if (!p.diags) p.diags = ptk_xstrdup("");
  p.errors = ptk_diags_errors(d);
  ptk_arena_free(a);
  ptk_diags_free(d);
  ptk_source_free(s);
  return p;
}

static void parsed_free(parsed *p) {
  free(p->dump);
  free(p->diags);
}

/* The dump of `let _ = EXPR;` inside a kernel, reduced to the expression:
 * the text between "(let _ @…" and the final ")))" without locations. */
static char *expr_shape(const char *expr) {
  char *src = ptk_xasprintf("kernel k() { let _ = %s; }", expr);
  parsed p = parse_str(src);
  free(src);
  ptk_buf out = {0};
  if (p.errors) {
    ptk_buf_printf(&out, "ERROR: %s", p.diags);
  } else {
    const char *s = strstr(p.dump, "(let _ ");
    s = s ? strchr(s + 7, ' ') + 1 : p.dump; /* skip "@loc" */
    /* Copy without " @L:C-C" locations. */
    for (; *s; s++) {
      if (s[0] == ' ' && s[1] == '@') {
        s++;
        while (s[1] && s[1] != ' ' && s[1] != ')') s++;
        continue;
      }
      ptk_buf_putc(&out, *s);
    }
    /* Drop the ")))\n" that closes let, block and kernel, and the file. */
    size_t n = out.len;
    while (n && (out.data[n - 1] == ')' || out.data[n - 1] == '\n')) n--;
    out.data[n] = 0;
    out.len = n;
    /* Re-balance the parentheses of the expression itself. */
    int depth = 0;
    for (size_t i = 0; i < out.len; i++) depth += out.data[i] == '(' ? 1 : out.data[i] == ')' ? -1 : 0;
    while (depth-- > 0) ptk_buf_putc(&out, ')');
  }
  parsed_free(&p);
  return ptk_buf_take(&out);
}

#define CHECK_SHAPE(expr, want)                                                                    \
  do {                                                                                             \
    char *got_ = expr_shape(expr);                                                                 \
    CHECK_STR(got_, want);                                                                         \
    free(got_);                                                                                    \
  } while (0)

/* The first diagnostic line ("t.ptk:L:C: error: message"). */
static char *first_diag(const char *text) {
  parsed p = parse_str(text);
  char *nl = strchr(p.diags, '\n');
  char *r = ptk_xstrndup(p.diags, nl ? (size_t)(nl - p.diags) : strlen(p.diags));
  parsed_free(&p);
  return r;
}

#define CHECK_DIAG(text, want)                                                                     \
  do {                                                                                             \
    char *got_ = first_diag(text);                                                                 \
    CHECK_STR(got_, want);                                                                         \
    free(got_);                                                                                    \
  } while (0)

/* ---- whole-file dumps ------------------------------------------------- */

TEST(empty_file) {
  parsed p = parse_str("");
  CHECK_STR(p.dump, "(file \"t.ptk\")\n");
  CHECK_INT(p.errors, 0);
  parsed_free(&p);
  p = parse_str("// only a comment\n");
  CHECK_STR(p.dump, "(file \"t.ptk\")\n");
  parsed_free(&p);
}

TEST(kernel_dump_exact) {
  parsed p = parse_str("@jit(target = \"a3\")\n"
                       "kernel vadd(x: ptr<f32>, z: ptr<f32, gm> out, const T: int = 4) {\n"
                       "  let i: i32 = x[0];\n"
                       "}\n");
  CHECK_STR(p.diags, "");
  CHECK_STR(p.dump,
            "(file \"t.ptk\"\n"
            "  (kernel vadd @1:1-4:2\n"
            "    (decorator jit @1:1-20 (kwarg target @1:6-19 (string \"a3\" @1:15-19)))\n"
            "    (param x @2:13-24 (type ptr @2:16-24 (type f32 @2:20-23)))\n"
            "    (param z out @2:26-45 (type ptr @2:29-41 (type f32 @2:33-36) (type gm @2:38-40)))\n"
            "    (param T const @2:47-63 (type int @2:56-59) (default (int 4 @2:62-63)))\n"
            "    (block @2:65-4:2\n"
            "      (let i @3:3-21 (type i32 @3:10-13) (index @3:16-20 (name x @3:16-17) (int 0 "
            "@3:18-19))))))\n");
  parsed_free(&p);
}

TEST(items_of_every_kind) {
  parsed p = parse_str("import \"lib.ptk\" as m;\n"
                       "import \"x.ptk\";\n"
                       "const N: int = 8;\n"
                       "@jit(source = \"k.pto\", name = \"k2\")\n"
                       "kernel k(a: ptr<f32>);\n"
                       "@inline\n"
                       "fn f(x: i32) -> i32 { return x; }\n"
                       "fn g() {}\n");
  CHECK_STR(p.diags, "");
  CHECK_STR(p.dump,
            "(file \"t.ptk\"\n"
            "  (import \"lib.ptk\" as m @1:1-23)\n"
            "  (import \"x.ptk\" @2:1-16)\n"
            "  (const N @3:1-18 (type int @3:10-13) (int 8 @3:16-17))\n"
            "  (kernel k no-body @4:1-5:23\n"
            "    (decorator jit @4:1-36 (kwarg source @4:6-22 (string \"k.pto\" @4:15-22)) (kwarg "
            "name @4:24-35 (string \"k2\" @4:31-35)))\n"
            "    (param a @5:10-21 (type ptr @5:13-21 (type f32 @5:17-20))))\n"
            "  (fn f @6:1-7:34\n"
            "    (decorator inline @6:1-8)\n"
            "    (param x @7:6-12 (type i32 @7:9-12))\n"
            "    (returns (type i32 @7:17-20))\n"
            "    (block @7:21-34\n"
            "      (return @7:23-32 (name x @7:30-31))))\n"
            "  (fn g @8:1-10\n"
            "    (block @8:8-10)))\n");
  parsed_free(&p);
}

TEST(statements_of_every_kind) {
  parsed p = parse_str("kernel k() {\n"
                       "  var v = 0;\n"
                       "  v = 1;\n"
                       "  v <<= 2;\n"
                       "  f(v);\n"
                       "  if a { } else if b { } else { }\n"
                       "  static if c { } else { }\n"
                       "  for i in range(4) { }\n"
                       "  static for t in ts { }\n"
                       "  while v < 3 { v += 1; }\n"
                       "  return;\n"
                       "  { }\n"
                       "}\n");
  CHECK_STR(p.diags, "");
  CHECK_STR(p.dump,
            "(file \"t.ptk\"\n"
            "  (kernel k @1:1-13:2\n"
            "    (block @1:12-13:2\n"
            "      (var v @2:3-13 (int 0 @2:11-12))\n"
            "      (assign v = @3:3-9 (int 1 @3:7-8))\n"
            "      (assign v <<= @4:3-11 (int 2 @4:9-10))\n"
            "      (expr @5:3-8 (call @5:3-7 (name f @5:3-4) (name v @5:5-6)))\n"
            "      (if @6:3-34\n"
            "        (arm @6:3-11 (name a @6:6-7)\n"
            "          (block @6:8-11))\n"
            "        (arm @6:17-25 (name b @6:20-21)\n"
            "          (block @6:22-25))\n"
            "        (else\n"
            "          (block @6:31-34)))\n"
            "      (if @7:3-27\n"
            "        (arm static @7:3-18 (name c @7:13-14)\n"
            "          (block @7:15-18))\n"
            "        (else\n"
            "          (block @7:24-27)))\n"
            "      (for i @8:3-24 (range (int 4 @8:18-19))\n"
            "        (block @8:21-24))\n"
            "      (static-for t @9:3-25 (name ts @9:19-21)\n"
            "        (block @9:22-25))\n"
            "      (while @10:3-26 (binary < @10:9-14 (name v @10:9-10) (int 3 @10:13-14))\n"
            "        (block @10:15-26\n"
            "          (assign v += @10:17-24 (int 1 @10:22-23))))\n"
            "      (return @11:3-10)\n"
            "      (block @12:3-6))))\n");
  parsed_free(&p);
}

/* ---- expressions ------------------------------------------------------ */

TEST(literals_decoded) {
  CHECK_SHAPE("42", "(int 42)");
  CHECK_SHAPE("0x1F", "(int 31 hex)");
  CHECK_SHAPE("18446744073709551615", "(int 18446744073709551615)");
  CHECK_SHAPE("1_000", "(int 1000)");
  CHECK_SHAPE("1.5", "(float 1.5)");
  CHECK_SHAPE("1e-6", "(float 1e-06)");
  CHECK_SHAPE(".5", "(float 0.5)");
  CHECK_SHAPE("2.0", "(float 2.0)");
  CHECK_SHAPE("1.5e3", "(float 1500.0)");
  CHECK_SHAPE("1e16", "(float 1e+16)");
  CHECK_SHAPE("0.0001", "(float 0.0001)");
  CHECK_SHAPE("0.1", "(float 0.1)");
  CHECK_SHAPE("\"a\\tb\\\"\\x01\"", "(string \"a\\tb\\\"\\x01\")");
  CHECK_SHAPE("\"\"\"x\ny\"\"\"", "(raw-string \"x\\ny\")");
  CHECK_SHAPE("true", "(bool true)");
  CHECK_SHAPE("false", "(bool false)");
  CHECK_SHAPE("[]", "(list)");
  CHECK_SHAPE("[1, 2,]", "(list (int 1) (int 2))");
}

TEST(string_with_nul) {
  parsed p = parse_str("const S = \"a\\0b\";");
  CHECK(strstr(p.dump, "(string \"a\\x00b\"") != NULL);
  parsed_free(&p);
  /* And the tree keeps the length. */
  ptk_source *s = ptk_source_from_string("t.ptk", "const S = \"a\\0b\";", 17);
  ptk_diags *d = ptk_diags_new();
  ptk_arena *a = ptk_arena_new();
  ptk_ast_file *f = ptk_parse(s, d, a);
  CHECK_INT(f->nitems, 1);
  if (f->nitems == 1) {
    const ptk_ast_expr *e = f->items[0]->u.const_.value;
    CHECK_INT(e->kind, PTK_EXPR_STRING);
    CHECK_INT(e->u.string_lit.len, 3);
    CHECK(!memcmp(e->u.string_lit.data, "a\0b", 3));
  }
  ptk_arena_free(a);
  ptk_diags_free(d);
  ptk_source_free(s);
}

TEST(postfix_forms) {
  CHECK_SHAPE("f()", "(call (name f))");
  CHECK_SHAPE("f(a, b = 2,)", "(call (name f) (name a) (kwarg b (int 2)))");
  CHECK_SHAPE("m.f(x)", "(call (member f (name m)) (name x))");
  CHECK_SHAPE("v[i]", "(index (name v) (name i))");
  CHECK_SHAPE("v[a:b, :, c:, :d]",
              "(index (name v) (slice (lo (name a)) (hi (name b))) (slice) (slice (lo (name c))) "
              "(slice (hi (name d))))");
  CHECK_SHAPE("v[c ? a : b : d]",
              "(index (name v) (slice (lo (ternary (name c) (name a) (name b))) (hi (name d))))");
  CHECK_SHAPE("f(x)[0].y(1)",
              "(call (member y (index (call (name f) (name x)) (int 0))) (int 1))");
}

TEST(precedence) {
  CHECK_SHAPE("a + b * c", "(binary + (name a) (binary * (name b) (name c)))");
  CHECK_SHAPE("a * b + c", "(binary + (binary * (name a) (name b)) (name c))");
  CHECK_SHAPE("a - b - c", "(binary - (binary - (name a) (name b)) (name c))");
  CHECK_SHAPE("a ** b ** c", "(binary ** (name a) (binary ** (name b) (name c)))");
  CHECK_SHAPE("-x ** 2", "(unary - (binary ** (name x) (int 2)))");
  CHECK_SHAPE("2 ** -1", "(binary ** (int 2) (unary - (int 1)))");
  CHECK_SHAPE("-a * b", "(binary * (unary - (name a)) (name b))");
  CHECK_SHAPE("~a & b", "(binary & (unary ~ (name a)) (name b))");
  CHECK_SHAPE("a | b ^ c & d", "(binary | (name a) (binary ^ (name b) (binary & (name c) (name d))))");
  CHECK_SHAPE("a << 1 + 2", "(binary << (name a) (binary + (int 1) (int 2)))");
  CHECK_SHAPE("a & b << c", "(binary & (name a) (binary << (name b) (name c)))");
  CHECK_SHAPE("a == b | c", "(binary == (name a) (binary | (name b) (name c)))");
  CHECK_SHAPE("not a == b", "(unary not (binary == (name a) (name b)))");
  CHECK_SHAPE("not a and b", "(binary and (unary not (name a)) (name b))");
  CHECK_SHAPE("a or b and c", "(binary or (name a) (binary and (name b) (name c)))");
  CHECK_SHAPE("a and b or c", "(binary or (binary and (name a) (name b)) (name c))");
  CHECK_SHAPE("a < b and c >= d",
              "(binary and (binary < (name a) (name b)) (binary >= (name c) (name d)))");
  CHECK_SHAPE("c ? a : b ? d : e",
              "(ternary (name c) (name a) (ternary (name b) (name d) (name e)))");
  CHECK_SHAPE("a or b ? c : d", "(ternary (binary or (name a) (name b)) (name c) (name d))");
  CHECK_SHAPE("a//b % c", "(binary % (binary // (name a) (name b)) (name c))");
  CHECK_SHAPE("(a + b) * c", "(binary * (binary + (name a) (name b)) (name c))");
  CHECK_SHAPE("-f(x)[1]", "(unary - (index (call (name f) (name x)) (int 1)))");
}

TEST(paren_range_includes_parens) {
  parsed p = parse_str("const X = (1 + 2) * 3;");
  CHECK(strstr(p.dump, "(binary * @1:11-22 (binary + @1:11-18") != NULL);
  parsed_free(&p);
}

TEST(types) {
  parsed p = parse_str("fn f(a: list<list<int>>, b: ptr<f32, gm>, c: tile) {\n"
                       "  let x: list<int>= [1];\n"
                       "}\n");
  CHECK_STR(p.diags, "");
  CHECK(strstr(p.dump, "(type list @1:9-24 (type list @1:14-23 (type int @1:19-22)))") != NULL);
  CHECK(strstr(p.dump, "(let x @2:3-25 (type list @2:10-19 (type int @2:15-18)) (list") != NULL);
  parsed_free(&p);
}

TEST(contextual_keywords_are_identifiers_elsewhere) {
  parsed p = parse_str("fn f(out: i32, range: i32 inout) { let inout = out + range; }");
  CHECK_STR(p.diags, "");
  CHECK(strstr(p.dump, "(param out @") != NULL);
  CHECK(strstr(p.dump, "(param range inout @") != NULL);
  CHECK(strstr(p.dump, "(let inout @") != NULL);
  parsed_free(&p);
}

TEST(ast_fields) {
  ptk_source *s = ptk_source_from_string(
      "t.ptk", "kernel k(x: ptr<f32> inout) { if a { } else static if b { } else { } }", 70);
  ptk_diags *d = ptk_diags_new();
  ptk_arena *a = ptk_arena_new();
  ptk_ast_file *f = ptk_parse(s, d, a);
  CHECK_INT(ptk_diags_errors(d), 0);
  CHECK_INT(f->nitems, 1);
  const ptk_ast_item *k = f->items[0];
  CHECK_INT(k->kind, PTK_ITEM_KERNEL);
  CHECK_STR(k->u.kernel.name, "k");
  CHECK_INT(k->u.kernel.nparams, 1);
  CHECK_INT(k->u.kernel.params[0].dir, PTK_DIR_INOUT);
  CHECK_INT(k->u.kernel.params[0].dir_range.begin.col, 22);
  CHECK_INT(k->u.kernel.body->nstmts, 1);
  const ptk_ast_stmt *st = k->u.kernel.body->stmts[0];
  CHECK_INT(st->kind, PTK_STMT_IF);
  CHECK_INT(st->u.if_.narms, 2);
  CHECK(!st->u.if_.arms[0].is_static);
  CHECK(st->u.if_.arms[1].is_static);
  CHECK(st->u.if_.else_body != NULL);
  ptk_arena_free(a);
  ptk_diags_free(d);
  ptk_source_free(s);
}

TEST(long_else_if_chain_is_flat) {
  ptk_buf b = {0};
  ptk_buf_puts(&b, "kernel k() { if x == 0 { }");
  for (int i = 1; i < 2000; i++) ptk_buf_printf(&b, " else if x == %d { }", i);
  ptk_buf_puts(&b, " else { } }");
  parsed p = parse_str(ptk_buf_cstr(&b));
  CHECK_STR(p.diags, "");
  ptk_buf_free(&b);
  parsed_free(&p);
}

/* ---- diagnostics ------------------------------------------------------ */

TEST(diag_missing_semicolon) {
  CHECK_DIAG("kernel k() {\n  let x = 1 + 2\n}\n",
             "t.ptk:3:1: error: expected ';' after 'let' statement");
  CHECK_DIAG("kernel k() { f(x) }", "t.ptk:1:19: error: expected ';' after expression");
  CHECK_DIAG("kernel k() { x = 1 }", "t.ptk:1:20: error: expected ';' after assignment");
  CHECK_DIAG("kernel k() { return x }", "t.ptk:1:23: error: expected ';' after 'return' statement");
  CHECK_DIAG("const N = 1\n", "t.ptk:1:12: error: expected ';' after 'const' declaration");
}

TEST(diag_brackets_with_note) {
  parsed p = parse_str("kernel k() {\n  f(1, 2;\n}\n");
  CHECK_STR(p.diags, "t.ptk:2:9: error: expected ')' to close '(' opened here\n"
                     "  f(1, 2;\n"
                     "        ^\n"
                     "t.ptk:2:4: note: '(' opened here\n"
                     "  f(1, 2;\n"
                     "   ^\n");
  parsed_free(&p);
  CHECK_DIAG("const X = [1, 2;", "t.ptk:1:16: error: expected ']' to close '[' opened here");
  CHECK_DIAG("kernel k() {\n  let x = 1;\n", "t.ptk:2:13: error: expected '}' to close '{' opened here");
}

TEST(diag_expected_things) {
  CHECK_DIAG("kernel k() { let x = (1 + ); }", "t.ptk:1:27: error: expected expression, found ')'");
  CHECK_DIAG("kernel k() { let = 1; }", "t.ptk:1:18: error: expected identifier after 'let', found '='");
  CHECK_DIAG("kernel k(a: ) {}", "t.ptk:1:13: error: expected type after ':', found ')'");
  CHECK_DIAG("kernel k() { else { } }", "t.ptk:1:14: error: unexpected 'else' without 'if'");
  CHECK_DIAG("const C = a < b < c;",
             "t.ptk:1:17: error: comparison operators cannot be chained; use 'and'");
  CHECK_DIAG("kernel k() { while x { break; } }",
             "t.ptk:1:24: error: 'break' is not supported: ptk loops have no runtime break or continue");
  CHECK_DIAG("kernel k() { for x in xs { } }",
             "t.ptk:1:23: error: expected 'range(...)' after 'in', found 'xs'; use 'static for' to "
             "iterate over a list");
  CHECK_DIAG("kernel k(a: ptr<f32> o) {}",
             "t.ptk:1:22: error: expected 'in', 'out' or 'inout' after parameter type, found 'o'");
  CHECK_DIAG("@jit(\"a3\") kernel k() {}",
             "t.ptk:1:6: error: decorator arguments must be keyword arguments (name = value)");
  CHECK_DIAG("kernel k() { f(a = 1, 2); }",
             "t.ptk:1:23: error: positional argument after keyword argument");
}

TEST(lexer_error_is_not_reported_twice) {
  parsed p = parse_str("kernel k() { let x = 1 $ 2; let y = 3; }");
  CHECK_INT(p.errors, 1);
  CHECK(strstr(p.diags, "unexpected character '$'") != NULL);
  parsed_free(&p);
}

TEST(recovery_reports_every_statement) {
  parsed p = parse_str("kernel k() {\n"
                       "  let a = ;\n"
                       "  let b = 1;\n"
                       "  let c = (;\n"
                       "  f(1 2);\n"
                       "}\n"
                       "kernel ok() { let z = 3; }\n");
  CHECK_INT(p.errors, 3);
  CHECK(strstr(p.diags, "t.ptk:2:11: error: expected expression, found ';'") != NULL);
  CHECK(strstr(p.diags, "t.ptk:4:12: error: expected expression, found ';'") != NULL);
  CHECK(strstr(p.diags, "t.ptk:5:7: error: expected ',' or ')' after argument, found '2'") != NULL);
  /* The good parts survive. */
  CHECK(strstr(p.dump, "(let b @3:3-13") != NULL);
  CHECK(strstr(p.dump, "(kernel ok @7:1-27") != NULL);
  parsed_free(&p);
}

TEST(error_limit) {
  ptk_buf b = {0};
  for (int i = 0; i < 40; i++) ptk_buf_printf(&b, "kernel k%d() { let = 1; }\n", i);
  parsed p = parse_str(ptk_buf_cstr(&b));
  CHECK_INT(p.errors, PTK_PARSE_MAX_ERRORS + 1);
  CHECK(strstr(p.diags, "t.ptk:21:20: error: too many errors, stopping") != NULL);
  parsed_free(&p);
  ptk_buf_free(&b);
  /* Lexer errors count too. */
  for (int i = 0; i < 40; i++) ptk_buf_puts(&b, "$\n");
  p = parse_str(ptk_buf_cstr(&b));
  CHECK_INT(p.errors, PTK_PARSE_MAX_ERRORS + 1);
  CHECK(strstr(p.diags, "t.ptk:21:1: error: too many errors, stopping") != NULL);
  parsed_free(&p);
  ptk_buf_free(&b);
}

TEST(nesting_limits) {
  ptk_buf b = {0};
  ptk_buf_puts(&b, "const X = ");
  for (int i = 0; i < 10000; i++) ptk_buf_putc(&b, '(');
  parsed p = parse_str(ptk_buf_cstr(&b));
  CHECK(strstr(p.diags, "nesting too deep (more than 256 levels)") != NULL);
  CHECK_INT(p.errors, 1);
  parsed_free(&p);
  ptk_buf_clear(&b);
  ptk_buf_puts(&b, "const X = 1");
  for (int i = 0; i < 10000; i++) ptk_buf_puts(&b, " + 1");
  ptk_buf_puts(&b, ";");
  p = parse_str(ptk_buf_cstr(&b));
  CHECK(strstr(p.diags, "t.ptk:1:1033: error: nesting too deep (more than 256 levels)") != NULL);
  CHECK_INT(p.errors, 1);
  parsed_free(&p);
  ptk_buf_clear(&b);
  ptk_buf_puts(&b, "const X = ");
  for (int i = 0; i < 100000; i++) ptk_buf_puts(&b, "-");
  ptk_buf_puts(&b, "1;");
  p = parse_str(ptk_buf_cstr(&b));
  CHECK_INT(p.errors, 1);
  parsed_free(&p);
  ptk_buf_free(&b);
}

/* Every prefix of a valid file: never crashes, and an error always has a
 * message. */
TEST(every_prefix) {
  const char *text = "import \"a.ptk\" as a;\n"
                     "@jit(kind = \"vector\")\n"
                     "kernel k(x: ptr<f32> in, n: i32, const T: int = 2) {\n"
                     "  var s: f32 = x[0:T, :] ** -2 + (n > 1 ? 1.0 : 2.0);\n"
                     "  for i in range(0, n, T) { static if T > 1 { s += f(i, k = [1]); } }\n"
                     "  while not done { s//=2; }\n"
                     "}\n";
  size_t n = strlen(text);
  for (size_t i = 0; i <= n; i++) {
    char *t = ptk_xstrndup(text, i);
    parsed p = parse_str(t);
    if (p.errors) CHECK(strstr(p.diags, "error: ") != NULL);
    parsed_free(&p);
    free(t);
  }
}

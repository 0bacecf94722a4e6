/* The grammar of the .ptk kernel language (DESIGN §2.2): Lemon input,
 * generated into build/parser/ptk.c and ptk.h. This file is the definition
 * of the syntax; parser/parse.c feeds it tokens, reports syntax errors and
 * recovers (see the comment at the top of parse.c).
 *
 * Operator precedence, lowest to highest
 * --------------------------------------
 *   level  operators                     associativity
 *   1      c ? a : b                     right
 *   2      or                            left
 *   3      and                           left
 *   4      not (prefix)                  right
 *   5      == != < <= > >=               none: `a < b < c` is an error
 *   6      |                             left
 *   7      ^                             left
 *   8      &                             left
 *   9      << >>                         left
 *   10     + -                           left
 *   11     * / // %                      left
 *   12     - ~ (prefix)                  right
 *   13     **                            right; binds tighter than a prefix
 *                                        operator on its left: -x**2 is
 *                                        -(x**2); 2**-1 is 2**(-1)
 *   14     f(…)  v[…]  a.b (postfix)     left
 *
 * A prefix operator takes everything to its right up to an operator of
 * lower precedence: `not a == b` is `not (a == b)`, `-a * b` is `(-a) * b`.
 *
 * Contextual keywords: `out`, `inout` (parameter directions) and `range`
 * (in `for i in range(…)`) are identifiers everywhere else; the driver turns
 * an identifier with that spelling into the OUT/INOUT/RANGE terminal exactly
 * where the grammar can shift it. So are the program words: `program` (an
 * item), `launch` (followed by a kernel name) and `scope` (followed by '{').
 */

%name PtkParse
%token_prefix PTKT_
%token_type {ptk_token}
%extra_argument {ptk_pstate *ps}
%start_symbol file
%stack_size 0

%include {
#include <stdlib.h>
#include <string.h>

#include "parser/ptk_int.h"

/* parse.c words its messages from the symbol names on the parser stack
 * (yyTokenName), which Lemon only compiles in without NDEBUG or with
 * YYCOVERAGE. */
#ifdef NDEBUG
#define YYCOVERAGE 1
#endif
}

/* The driver probes every token before handing it over, so Lemon never finds
 * an error itself; if it does (a driver bug), note it and let Lemon recover. */
%syntax_error {
  (void)yymajor;
  (void)TOKEN;
  ps->lemon_error = true;
}
%stack_overflow { ps->stop = true; }
%parse_failure { ps->lemon_error = true; }

/* Every terminal, in the order of lang/token.h (EOF is Lemon's 0). The last
 * five are never produced by the lexer: UMINUS only carries a precedence;
 * OUT, INOUT and RANGE are contextual keywords (see above). */
%token ERROR IDENT INT FLOAT STRING RAWSTRING
       KERNEL FN LET VAR CONST STATIC IF ELSE FOR IN WHILE RETURN IMPORT AS TRUE FALSE
       AND OR NOT
       LPAREN RPAREN LBRACKET RBRACKET LBRACE RBRACE COMMA SEMI COLON DOT AT ARROW QUESTION
       PLUS MINUS STAR SLASH SLASHSLASH PERCENT STARSTAR AMP PIPE CARET TILDE SHL SHR
       EQEQ NE LT LE GT GE
       ASSIGN PLUS_ASSIGN MINUS_ASSIGN STAR_ASSIGN SLASH_ASSIGN SLASHSLASH_ASSIGN
       PERCENT_ASSIGN STARSTAR_ASSIGN AMP_ASSIGN PIPE_ASSIGN CARET_ASSIGN SHL_ASSIGN SHR_ASSIGN
       UMINUS OUT INOUT RANGE PROGRAM LAUNCH SCOPE.

%right QUESTION COLON.
%left OR.
%left AND.
%right NOT.
%nonassoc EQEQ NE LT LE GT GE.
%left PIPE.
%left CARET.
%left AMP.
%left SHL SHR.
%left PLUS MINUS.
%left STAR SLASH SLASHSLASH PERCENT.
%right UMINUS TILDE.
%right STARSTAR.

/* ---- file and items --------------------------------------------------- */

file ::= .
file ::= items.

items ::= item.
items ::= items item.

item ::= IMPORT(K) STRING(P) SEMI(S).                 { add_item(ps, mk_import(ps, &K, &P, NULL, &S)); }
item ::= IMPORT(K) STRING(P) AS IDENT(A) SEMI(S).     { add_item(ps, mk_import(ps, &K, &P, &A, &S)); }
item ::= decl(D).                                     { add_item(ps, D); }
item ::= decorators(L) decl(D).                       { add_item(ps, item_decorate(ps, L, D)); }
/* Error recovery at the top level (driven by parse.c). */
item ::= error SEMI.
item ::= error RBRACE.
item ::= error.

%type decorators {ptk_plist *}
decorators(L) ::= decorator(D).                       { L = pl_push(ps, NULL, D); }
decorators(L) ::= decorators(L0) decorator(D).        { L = pl_push(ps, L0, D); }

%type decorator {ptk_ast_decorator *}
decorator(D) ::= AT(A) IDENT(N).                      { D = mk_decorator(ps, &A, &N, false, NULL, &N); }
decorator(D) ::= AT(A) IDENT(N) LPAREN RPAREN(R).     { D = mk_decorator(ps, &A, &N, true, NULL, &R); }
decorator(D) ::= AT(A) IDENT(N) LPAREN args(L) RPAREN(R).
                                                      { D = mk_decorator(ps, &A, &N, true, L, &R); }
decorator(D) ::= AT(A) IDENT(N) LPAREN args(L) COMMA RPAREN(R).
                                                      { D = mk_decorator(ps, &A, &N, true, L, &R); }

%type decl {ptk_ast_item *}
decl(D) ::= KERNEL(K) IDENT(N) LPAREN params_opt(P) RPAREN block(B).
                                                      { D = mk_kernel(ps, &K, &N, P, B, NULL); }
decl(D) ::= KERNEL(K) IDENT(N) LPAREN params_opt(P) RPAREN SEMI(S).
                                                      { D = mk_kernel(ps, &K, &N, P, NULL, &S); }
decl(D) ::= FN(K) IDENT(N) LPAREN params_opt(P) RPAREN block(B).
                                                      { D = mk_fn(ps, &K, &N, P, NULL, B); }
decl(D) ::= FN(K) IDENT(N) LPAREN params_opt(P) RPAREN ARROW type(T) block(B).
                                                      { D = mk_fn(ps, &K, &N, P, T, B); }
decl(D) ::= CONST(K) IDENT(N) opt_type(T) ASSIGN expr(E) SEMI(S).
                                                      { D = mk_const(ps, &K, &N, T, E, &S); }
decl(D) ::= PROGRAM(K) IDENT(N) LPAREN params_opt(P) RPAREN block(B).
                                                      { D = mk_program(ps, &K, &N, P, B); }

/* ---- parameters ------------------------------------------------------- */

%type params_opt {ptk_plist *}
params_opt(L) ::= .                                   { L = NULL; }
params_opt(L) ::= params(L0).                         { L = L0; }
params_opt(L) ::= params(L0) COMMA.                   { L = L0; }

%type params {ptk_plist *}
params(L) ::= param(P).                               { L = pl_push(ps, NULL, P); }
params(L) ::= params(L0) COMMA param(P).              { L = pl_push(ps, L0, P); }

%type param {ptk_ast_param *}
param(P) ::= IDENT(N) COLON type(T) pdir(D) pdefault(E).
                                                      { P = mk_param(ps, NULL, &N, T, &D, E); }
param(P) ::= CONST(C) IDENT(N) COLON type(T) pdir(D) pdefault(E).
                                                      { P = mk_param(ps, &C, &N, T, &D, E); }

/* The direction token, or a token of kind EOF when absent. */
%type pdir {ptk_token}
pdir(D) ::= .                                         { memset(&D, 0, sizeof D); }
pdir(D) ::= IN(T).                                    { D = T; }
pdir(D) ::= OUT(T).                                   { D = T; }
pdir(D) ::= INOUT(T).                                 { D = T; }

%type pdefault {ptk_ast_expr *}
pdefault(E) ::= .                                     { E = NULL; }
pdefault(E) ::= ASSIGN expr(X).                       { E = X; }

/* ---- types ------------------------------------------------------------ */

%type opt_type {ptk_ast_type *}
opt_type(T) ::= .                                     { T = NULL; }
opt_type(T) ::= COLON type(X).                        { T = X; }

%type type {ptk_ast_type *}
type(T) ::= IDENT(N).                                 { T = mk_type(ps, &N, NULL, &N); }
type(T) ::= IDENT(N) LT type_args(A) GT(G).           { T = mk_type(ps, &N, A, &G); }
/* A program parameter's tensor type with its shape: tensor<f32>[M, 128]. */
type(T) ::= IDENT(N) LT type_args(A) GT LBRACKET exprs(D) RBRACKET(R).
                                                      { T = type_dims(ps, mk_type(ps, &N, A, &R), D); }

%type type_args {ptk_plist *}
type_args(L) ::= type(T).                             { L = pl_push(ps, NULL, T); }
type_args(L) ::= type_args(L0) COMMA type(T).         { L = pl_push(ps, L0, T); }

/* ---- statements ------------------------------------------------------- */

%type block {ptk_ast_block *}
block(B) ::= LBRACE(L) RBRACE(R).                     { B = mk_block(ps, &L, NULL, &R); }
block(B) ::= LBRACE(L) stmts(S) RBRACE(R).            { B = mk_block(ps, &L, S, &R); }

%type stmts {ptk_plist *}
stmts(L) ::= stmt(S).                                 { L = pl_push(ps, NULL, S); }
stmts(L) ::= stmts(L0) stmt(S).                       { L = pl_push(ps, L0, S); }

%type stmt {ptk_ast_stmt *}
stmt(S) ::= LET(K) IDENT(N) opt_type(T) ASSIGN expr(E) SEMI(X).
                                                      { S = mk_decl(ps, &K, &N, T, E, &X); }
stmt(S) ::= VAR(K) IDENT(N) opt_type(T) ASSIGN expr(E) SEMI(X).
                                                      { S = mk_decl(ps, &K, &N, T, E, &X); }
stmt(S) ::= expr(L) assign_op(O) expr(R) SEMI(X).     { S = mk_assign(ps, L, &O, R, &X); }
stmt(S) ::= expr(E) SEMI(X).                          { S = mk_expr_stmt(ps, E, &X); }
stmt(S) ::= if_chain(C).                              { S = C; }
stmt(S) ::= if_chain(C) ELSE block(B).                { S = if_set_else(ps, C, B); }
stmt(S) ::= FOR(K) IDENT(V) IN RANGE(R) LPAREN args(A) RPAREN(P) block(B).
                                                      { S = mk_for(ps, &K, &V, &R, A, &P, B); }
stmt(S) ::= FOR(K) IDENT(V) IN RANGE(R) LPAREN RPAREN(P) block(B).
                                                      { S = mk_for(ps, &K, &V, &R, NULL, &P, B); }
stmt(S) ::= STATIC(K) FOR IDENT(V) IN expr(E) block(B).
                                                      { S = mk_static_for(ps, &K, &V, E, B); }
stmt(S) ::= WHILE(K) expr(E) block(B).                { S = mk_while(ps, &K, E, B); }
stmt(S) ::= RETURN(K) SEMI(X).                        { S = mk_return(ps, &K, NULL, &X); }
stmt(S) ::= RETURN(K) expr(E) SEMI(X).                { S = mk_return(ps, &K, E, &X); }
stmt(S) ::= block(B).                                 { S = mk_block_stmt(ps, B); }
stmt(S) ::= SCOPE(K) block(B).                        { S = mk_scope(ps, &K, B); }
/* Error recovery inside a block (driven by parse.c): the statement is dropped. */
stmt(S) ::= error SEMI.                               { S = NULL; }
stmt(S) ::= error.                                    { S = NULL; }

%type assign_op {ptk_token}
assign_op(O) ::= ASSIGN(T).                           { O = T; }
assign_op(O) ::= PLUS_ASSIGN(T).                      { O = T; }
assign_op(O) ::= MINUS_ASSIGN(T).                     { O = T; }
assign_op(O) ::= STAR_ASSIGN(T).                      { O = T; }
assign_op(O) ::= SLASH_ASSIGN(T).                     { O = T; }
assign_op(O) ::= SLASHSLASH_ASSIGN(T).                { O = T; }
assign_op(O) ::= PERCENT_ASSIGN(T).                   { O = T; }
assign_op(O) ::= STARSTAR_ASSIGN(T).                  { O = T; }
assign_op(O) ::= AMP_ASSIGN(T).                       { O = T; }
assign_op(O) ::= PIPE_ASSIGN(T).                      { O = T; }
assign_op(O) ::= CARET_ASSIGN(T).                     { O = T; }
assign_op(O) ::= SHL_ASSIGN(T).                       { O = T; }
assign_op(O) ::= SHR_ASSIGN(T).                       { O = T; }

/* `if a {…} else if b {…} else {…}`: a flat chain of arms. */
%type if_chain {ptk_ast_stmt *}
if_chain(S) ::= if_arm(A).                            { S = mk_if(ps, A); }
if_chain(S) ::= if_chain(C) ELSE if_arm(A).           { S = if_add_arm(ps, C, A); }

%type if_arm {ptk_ast_if_arm *}
if_arm(A) ::= IF(K) expr(E) block(B).                 { A = mk_if_arm(ps, &K, false, E, B); }
if_arm(A) ::= STATIC(K) IF expr(E) block(B).          { A = mk_if_arm(ps, &K, true, E, B); }

/* ---- expressions ------------------------------------------------------ */

%type expr {ptk_ast_expr *}
expr(E) ::= postfix(X).                               { E = X; }
expr(E) ::= expr(C) QUESTION expr(A) COLON expr(B).   { E = mk_ternary(ps, C, A, B); }
expr(E) ::= expr(L) OR(O) expr(R).                    { E = mk_binary(ps, L, &O, R); }
expr(E) ::= expr(L) AND(O) expr(R).                   { E = mk_binary(ps, L, &O, R); }
expr(E) ::= NOT(O) expr(X).                           { E = mk_unary(ps, &O, X); }
expr(E) ::= expr(L) EQEQ(O) expr(R).                  { E = mk_binary(ps, L, &O, R); }
expr(E) ::= expr(L) NE(O) expr(R).                    { E = mk_binary(ps, L, &O, R); }
expr(E) ::= expr(L) LT(O) expr(R).                    { E = mk_binary(ps, L, &O, R); }
expr(E) ::= expr(L) LE(O) expr(R).                    { E = mk_binary(ps, L, &O, R); }
expr(E) ::= expr(L) GT(O) expr(R).                    { E = mk_binary(ps, L, &O, R); }
expr(E) ::= expr(L) GE(O) expr(R).                    { E = mk_binary(ps, L, &O, R); }
expr(E) ::= expr(L) PIPE(O) expr(R).                  { E = mk_binary(ps, L, &O, R); }
expr(E) ::= expr(L) CARET(O) expr(R).                 { E = mk_binary(ps, L, &O, R); }
expr(E) ::= expr(L) AMP(O) expr(R).                   { E = mk_binary(ps, L, &O, R); }
expr(E) ::= expr(L) SHL(O) expr(R).                   { E = mk_binary(ps, L, &O, R); }
expr(E) ::= expr(L) SHR(O) expr(R).                   { E = mk_binary(ps, L, &O, R); }
expr(E) ::= expr(L) PLUS(O) expr(R).                  { E = mk_binary(ps, L, &O, R); }
expr(E) ::= expr(L) MINUS(O) expr(R).                 { E = mk_binary(ps, L, &O, R); }
expr(E) ::= expr(L) STAR(O) expr(R).                  { E = mk_binary(ps, L, &O, R); }
expr(E) ::= expr(L) SLASH(O) expr(R).                 { E = mk_binary(ps, L, &O, R); }
expr(E) ::= expr(L) SLASHSLASH(O) expr(R).            { E = mk_binary(ps, L, &O, R); }
expr(E) ::= expr(L) PERCENT(O) expr(R).               { E = mk_binary(ps, L, &O, R); }
expr(E) ::= MINUS(O) expr(X). [UMINUS]                { E = mk_unary(ps, &O, X); }
expr(E) ::= TILDE(O) expr(X).                         { E = mk_unary(ps, &O, X); }
expr(E) ::= expr(L) STARSTAR(O) expr(R).              { E = mk_binary(ps, L, &O, R); }

%type postfix {ptk_ast_expr *}
postfix(E) ::= primary(X).                            { E = X; }
postfix(E) ::= postfix(F) LPAREN RPAREN(R).           { E = mk_call(ps, F, NULL, &R); }
postfix(E) ::= postfix(F) LPAREN args(A) RPAREN(R).   { E = mk_call(ps, F, A, &R); }
postfix(E) ::= postfix(F) LPAREN args(A) COMMA RPAREN(R).
                                                      { E = mk_call(ps, F, A, &R); }
postfix(E) ::= postfix(B) LBRACKET subs(S) RBRACKET(R).
                                                      { E = mk_index(ps, B, S, &R); }
postfix(E) ::= postfix(B) DOT IDENT(N).               { E = mk_member(ps, B, &N); }

%type primary {ptk_ast_expr *}
primary(E) ::= IDENT(T).                              { E = mk_name(ps, &T); }
primary(E) ::= INT(T).                                { E = mk_lit(ps, &T); }
primary(E) ::= FLOAT(T).                              { E = mk_lit(ps, &T); }
primary(E) ::= STRING(T).                             { E = mk_lit(ps, &T); }
primary(E) ::= RAWSTRING(T).                          { E = mk_lit(ps, &T); }
primary(E) ::= TRUE(T).                               { E = mk_lit(ps, &T); }
primary(E) ::= FALSE(T).                              { E = mk_lit(ps, &T); }
primary(E) ::= LPAREN(L) expr(X) RPAREN(R).           { E = mk_paren(ps, &L, X, &R); }
/* launch KERNEL(args…) and launch module.KERNEL(args…) (programs). */
primary(E) ::= LAUNCH(K) launch_callee(F) LPAREN RPAREN(R).
                                                      { E = mk_launch(ps, &K, mk_call(ps, F, NULL, &R)); }
primary(E) ::= LAUNCH(K) launch_callee(F) LPAREN args(A) RPAREN(R).
                                                      { E = mk_launch(ps, &K, mk_call(ps, F, A, &R)); }
primary(E) ::= LAUNCH(K) launch_callee(F) LPAREN args(A) COMMA RPAREN(R).
                                                      { E = mk_launch(ps, &K, mk_call(ps, F, A, &R)); }
%type launch_callee {ptk_ast_expr *}
launch_callee(E) ::= IDENT(N).                        { E = mk_name(ps, &N); }
launch_callee(E) ::= IDENT(M) DOT IDENT(N).           { E = mk_member(ps, mk_name(ps, &M), &N); }
primary(E) ::= LBRACKET(L) RBRACKET(R).               { E = mk_list(ps, &L, NULL, &R); }
primary(E) ::= LBRACKET(L) exprs(X) RBRACKET(R).      { E = mk_list(ps, &L, X, &R); }
primary(E) ::= LBRACKET(L) exprs(X) COMMA RBRACKET(R).
                                                      { E = mk_list(ps, &L, X, &R); }

%type exprs {ptk_plist *}
exprs(L) ::= expr(E).                                 { L = pl_push(ps, NULL, E); }
exprs(L) ::= exprs(L0) COMMA expr(E).                 { L = pl_push(ps, L0, E); }

/* Call (and decorator) arguments: positional or `name = value`. */
%type args {ptk_plist *}
args(L) ::= arg(A).                                   { L = pl_push(ps, NULL, A); }
args(L) ::= args(L0) COMMA arg(A).                    { L = pl_push(ps, L0, A); }

%type arg {ptk_ast_arg *}
arg(A) ::= expr(E).                                   { A = mk_arg(ps, NULL, E); }
arg(A) ::= IDENT(N) ASSIGN expr(E).                   { A = mk_arg(ps, &N, E); }

/* Subscripts: `i`, or a slice `lo:hi` with optional bounds. */
%type subs {ptk_plist *}
subs(L) ::= sub(S).                                   { L = pl_push(ps, NULL, S); }
subs(L) ::= subs(L0) COMMA sub(S).                    { L = pl_push(ps, L0, S); }

%type sub {ptk_ast_subscript *}
sub(S) ::= expr(E).                                   { S = mk_sub(ps, E, NULL, NULL); }
sub(S) ::= COLON(C).                                  { S = mk_sub(ps, NULL, &C, NULL); }
sub(S) ::= COLON(C) expr(H).                          { S = mk_sub(ps, NULL, &C, H); }
sub(S) ::= expr(L) COLON(C).                          { S = mk_sub(ps, L, &C, NULL); }
sub(S) ::= expr(L) COLON(C) expr(H).                  { S = mk_sub(ps, L, &C, H); }

/* ---- helpers for the driver (parse.c) --------------------------------- */
%code {
int PtkParseNumTerminals(void) { return YYNTOKEN; }

int PtkParseDepth(void *vp) {
  yyParser *p = (yyParser *)vp;
  return (int)(p->yytos - p->yystack);
}

const char *PtkParseSymName(int sym) {
  if (sym >= 0 && sym < (int)(sizeof yyTokenName / sizeof yyTokenName[0])) return yyTokenName[sym];
  return "?";
}

/* A simulation of Parse() that changes nothing: the entries of the real
 * stack below `base` stay as they are; what the simulated reductions push
 * goes to a small overlay. */
#define PTK_PROBE_OVERLAY 256
int PtkParseProbe(void *vp, int tok, int *syms, int max, int *nsyms) {
  yyParser *p = (yyParser *)vp;
  yyStackEntry *base = p->yytos; /* the top real entry still in use */
  struct { YYACTIONTYPE state; YYCODETYPE major; } over[PTK_PROBE_OVERLAY];
  int nover = 0, ok = 0;
  YYACTIONTYPE act = p->yytos->stateno;
  if (tok < 0 || tok >= YYNTOKEN) return 0;
  for (int guard = 0; guard < 100000; guard++) {
    act = yy_find_shift_action((YYCODETYPE)tok, act);
    if (act >= YY_MIN_REDUCE) {
      unsigned rule = act - YY_MIN_REDUCE;
      int pop = -yyRuleInfoNRhs[rule];
      if (pop <= nover) {
        nover -= pop;
      } else {
        base -= pop - nover;
        nover = 0;
      }
      if (base < p->yystack) break; /* cannot happen */
      YYACTIONTYPE below = nover ? over[nover - 1].state : base->stateno;
      act = yy_find_reduce_action(below, (YYCODETYPE)yyRuleInfoLhs[rule]);
      if (nover == PTK_PROBE_OVERLAY) { ok = 1; break; } /* absurdly deep: give up, say yes */
      over[nover].state = act;
      over[nover].major = (YYCODETYPE)yyRuleInfoLhs[rule];
      nover++;
    } else if (act <= YY_MAX_SHIFTREDUCE || act == YY_ACCEPT_ACTION) {
      ok = 1;
      break;
    } else {
      break; /* error */
    }
  }
  if (syms && nsyms) {
    int n = 0;
    for (int i = nover - 1; i >= 0 && n < max; i--) syms[n++] = over[i].major;
    for (yyStackEntry *e = base; e > p->yystack && n < max; e--) syms[n++] = e->major;
    *nsyms = n;
  }
  return ok;
}

int PtkParseRecover(void *vp, int outermost) {
  yyParser *p = (yyParser *)vp;
  yyStackEntry *target = NULL;
  for (yyStackEntry *e = p->yytos; e >= p->yystack; e--) {
    if (e->stateno > YY_MAX_SHIFT) continue; /* a pending reduction */
    YYACTIONTYPE a = yy_find_reduce_action(e->stateno, YYERRORSYMBOL);
    if (a <= YY_MAX_SHIFTREDUCE) {
      target = e;
      if (!outermost) break;
    }
  }
  if (!target) return 0;
  while (p->yytos > target) yy_pop_parser_stack(p);
  ptk_token none;
  memset(&none, 0, sizeof none);
  yy_shift(p, yy_find_reduce_action(target->stateno, YYERRORSYMBOL), YYERRORSYMBOL, none);
  p->yyerrcnt = -1;
  return 1;
}
}

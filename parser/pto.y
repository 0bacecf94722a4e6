/* The grammar of .pto files (MLIR textual assembly restricted to the PTO
 * dialect and the func/arith/scf subset): Lemon input, generated into
 * build/parser/pto.c and pto.h. Tokens come from parser/pto_lex.re;
 * actions build the syntax tree of parser/pto_int.h, which
 * parser/pto_read.c turns into IR.
 *
 * Custom op syntax is table-driven: the lexer turns an op mnemonic into
 * the token of its syntax family (OP_DPS, OP_ARITH, …, see ptk_op_family
 * in lang/ir/ir.h), and each family has its productions here. Inside a
 * family the pieces of an op ("parts": ins(…), outs(…), `: types`,
 * attribute dictionaries, regions, …) are recorded in written order; the
 * reader checks what each op needs. Any op can also be written in the
 * generic form "name"(operands) <{props}> ({regions}) {attrs} : fntype.
 *
 * The first error (lexical, syntax or semantic) stops reading. */

%name PtoParse
%token_prefix PTO_T_
%token_type {pto_tok}
%extra_argument {pto_parser *P}
%start_symbol file
%nonassoc VLOW.
%nonassoc IDENT STRING.
%stack_size 0

%include {
#include <string.h>
#include "parser/pto_int.h"

#define SOP(k) sop_new(P, k)

static pto_sop *sop_new(pto_parser *P, pto_tok k) {
  pto_sop *o = pto_new(P, sizeof *o);
  o->kind = (ptk_op_kind)k.opk;
  o->loc = pto_loc(P, k.off);
  o->namelen = k.len;
  return o;
}
static pto_sop *add(pto_parser *P, pto_sop *o, pto_part *p) {
  *(pto_part **)pto_vec_push(P, &o->parts, sizeof p) = p;
  return o;
}
static pto_vec *vnew(pto_parser *P) { return pto_new(P, sizeof(pto_vec)); }
static pto_tl tl(pto_parser *P, const ptk_type *t, uint32_t off) {
  return (pto_tl){t, pto_loc(P, off), NULL, 0, 0, NULL};
}
static pto_part *part_uses(pto_parser *P, pto_part_kind k, uint32_t off, pto_vec *uses) {
  pto_part *p = pto_part_new(P, k, off);
  if (uses) p->uses = *uses;
  return p;
}
static pto_part *part_types(pto_parser *P, pto_part_kind k, uint32_t off, pto_vec *types) {
  pto_part *p = pto_part_new(P, k, off);
  if (types) p->types = *types;
  return p;
}
static pto_sop *vop(pto_parser *P, pto_tok k, pto_vec *items, pto_dict d, pto_vec *types,
                    pto_vec *res, uint32_t coff, uint32_t aoff);
static pto_part *part_type(pto_parser *P, pto_part_kind k, uint32_t off, pto_tl t) {
  pto_part *p = pto_part_new(P, k, off);
  *(pto_tl *)pto_vec_push(P, &p->types, sizeof t) = t;
  return p;
}
static pto_part *kwuse(pto_parser *P, const char *w, uint32_t off, pto_use u) {
  pto_part *p = pto_part_new(P, PP_KWUSE, off);
  p->word = w;
  p->wlen = (uint32_t)strlen(w);
  *(pto_use *)pto_vec_push(P, &p->uses, sizeof u) = u;
  return p;
}
static pto_part *part_dict(pto_parser *P, uint32_t off, const ptk_attr *d) {
  pto_part *p = pto_part_new(P, PP_DICT, off);
  p->attr = d;
  return p;
}
static pto_sop *comm(pto_parser *P, pto_tok k, pto_vec *items, pto_vec *types, uint32_t coff, pto_dict d) {
  pto_sop *o = add(P, sop_new(P, k), pto_part_new(P, PP_VITEMS, k.off));
  PTO_VEC_AT(o->parts, pto_part *, 0)->items = *items;
  add(P, o, part_types(P, PP_TYPES, coff, types));
  if (d.a) add(P, o, part_dict(P, d.off, d.a));
  return o;
}
/* A memref type in #pto.address_space<gm> (kept opaque by the reader). */
static bool gm_memref(const ptk_type *t) {
  return t && t->kind == PTK_TY_OPAQUE && t->text && !strncmp(t->text, "memref<", 7) &&
         strstr(t->text, "#pto.address_space<gm>") != NULL;
}
static pto_sop *bind_tile(pto_parser *P, pto_tok k, pto_use src, const pto_use *vr, const pto_use *vc, pto_dict d,
                          pto_tl t1, pto_tl t2) {
  pto_sop *o = SOP(k);
  pto_part *s = kwuse(P, "bind_tile", k.off, src);
  *(pto_tl *)pto_vec_push(P, &s->types, sizeof t1) = t1;
  add(P, o, s);
  if (vr) add(P, o, kwuse(P, "valid_row", vr->loc.off, *vr));
  if (vc) add(P, o, kwuse(P, "valid_col", vc->loc.off, *vc));
  if (d.a) add(P, o, part_dict(P, d.off, d.a));
  add(P, o, part_type(P, PP_TYPES, t2.loc.off, t2));
  return o;
}
/* The functional type after a section op's operands: (T, …) -> () */
static pto_part *section_fntype(pto_parser *P, uint32_t off, pto_tl F) {
  pto_part *f = pto_part_new(P, PP_FNTYPE, off);
  f->fn = F.t;
  if (!F.t || F.t->kind != PTK_TY_FUNCTION)
    pto_err(P, F.loc.off, 1, "expected a function type '(T, …) -> ()' after ':'");
  return f;
}
static bool tok_word(pto_parser *P, pto_tok t, const char *w) {
  return t.len == strlen(w) && memcmp(P->src->text + t.off, w, t.len) == 0;
}
static pto_sop *mview(pto_parser *P, pto_tok k, pto_use src, pto_vec *a, pto_vec *b, pto_vec *c, pto_dict d,
                      uint32_t coff, pto_tl t1, pto_tl t2) {
  pto_sop *o = SOP(k);
  pto_part *s = pto_part_new(P, PP_OPERANDS, k.off);
  *(pto_use *)pto_vec_push(P, &s->uses, sizeof src) = src;
  add(P, o, s);
  pto_vec *l[3] = {a, b, c};
  for (int i = 0; i < 3; i++) {
    pto_part *p = pto_part_new(P, PP_VITEMS, k.off);
    p->items = *l[i];
    add(P, o, p);
  }
  if (d.a) add(P, o, part_dict(P, d.off, d.a));
  add(P, o, part_type(P, PP_TYPES, coff, t1));
  add(P, o, part_type(P, PP_ARROW, coff, t2));
  return o;
}
static pto_sop *vop(pto_parser *P, pto_tok k, pto_vec *items, pto_dict d, pto_vec *types,
                    pto_vec *res, uint32_t coff, uint32_t aoff) {
  pto_sop *o = add(P, sop_new(P, k), pto_part_new(P, PP_VITEMS, k.off));
  PTO_VEC_AT(o->parts, pto_part *, 0)->items = *items;
  if (d.a) add(P, o, part_dict(P, d.off, d.a));
  if (types) add(P, o, part_types(P, PP_TYPES, coff, types));
  if (res) add(P, o, part_types(P, PP_ARROW, aoff, res));
  return o;
}
static pto_part *part_word(pto_parser *P, pto_tok w) {
  pto_part *p = pto_part_new(P, PP_WORD, w.off);
  p->word = P->src->text + w.off;
  p->wlen = w.len;
  return p;
}
static void push_tl(pto_parser *P, pto_vec *v, pto_tl t) { *(pto_tl *)pto_vec_push(P, v, sizeof t) = t; }
/* An integer of an int list (subview sizes): must fit in int64. */
static int64_t ints_val(pto_parser *P, pto_tok I, bool neg) {
  if (I.big || I.u > (uint64_t)INT64_MAX) {
    pto_err(P, I.off, I.len, "integer %s%.*s does not fit in 64 bits", neg ? "-" : "", (int)I.len, P->src->text + I.off);
    return 0;
  }
  return neg ? -(int64_t)I.u : (int64_t)I.u;
}
}

%syntax_error {
  /* Terminals the current state can shift or reduce on: an approximation
   * of "expected" (states with a default reduction accept everything, and
   * then the message only names the unexpected token). */
  int expected[16], nexp = 0;
  for (int i = 1; i < YYNTOKEN && nexp <= 8; i++) {
    YYACTIONTYPE a = yy_find_shift_action((YYCODETYPE)i, yypParser->yytos->stateno);
    if (a != YY_ERROR_ACTION) {
      if (nexp < 16) expected[nexp] = i;
      nexp++;
    }
  }
  pto_syntax_error(P, yymajor, yyminor, expected, nexp);
}
%parse_failure { P->failed = true; }
%stack_overflow { P->failed = true; }

%type type {pto_tl}
%type ctype {pto_tl}
%type types {pto_vec *}
%type fntype {pto_tl}
%type fnres {pto_vec *}
%type titems {pto_vec *}
%type titem {pto_titem}
%type tval {pto_titem}
%type attr {const ptk_attr *}
%type attrs {pto_vec *}
%type attr_dict {pto_dict}
%type opt_dict {pto_dict}
%type dentries {pto_vec *}
%type dentry {ptk_named_attr}
%type use {pto_use}
%type uses {pto_vec *}
%type uses_opt {pto_vec *}
%type ints {pto_vec *}
%type bind {pto_bind}
%type binds {pto_vec *}
%type binds_opt {pto_vec *}
%type sitem {pto_item}
%type vdict {pto_dict}
%type vtypes {pto_vec *}
%type vtype {pto_tl}
%type vitem {pto_item}
%type vitems {pto_vec *}
%type cargs {pto_vec *}
%type cargs_opt {pto_vec *}
%type carg {pto_item}
%type sitems {pto_vec *}
%type kwattrs {pto_vec *}
%type kwtuses {pto_vec *}
%type tuses {pto_vec *}
%type kwins {pto_vec *}
%type kwin {pto_kwin}
%type kwtuse {pto_part *}
%type words {pto_vec *}
%type stmt {pto_sop *}
%type stmts {pto_vec *}
%type op {pto_sop *}
%type rmultis {pto_vec *}
%type dps {pto_sop *}
%type view_h {pto_sop *}
%type alloc_h {pto_sop *}
%type ptrcast_h {pto_sop *}
%type citems {pto_vec *}
%type succ {pto_part *}
%type mlist {pto_vec *}
%type mitems {pto_vec *}
%type mitem {pto_item}
%type citem {pto_item}
%type subview_h {pto_sop *}
%type pipe_h {pto_sop *}
%type for_h {pto_sop *}
%type if_h {pto_sop *}
%type gen_h {pto_sop *}
%type gregions {pto_vec *}
%type region {pto_region *}
%type rbody {pto_region *}
%type blocks {pto_vec *}
%type block {pto_sblock *}
%type bargs {pto_vec *}
%type barg {pto_barg}
%type module {pto_smod *}
%type mod_items {pto_smod *}
%type mod_name {pto_tok *}
%type mod_attrs {const ptk_attr *}
%type func {pto_sfunc *}
%type fvis {ptk_visibility}
%type fargs {pto_vec *}
%type farg {pto_farg}
%type fres {pto_vec *}
%type fattrs {const ptk_attr *}
%type fbody {pto_region *}

/* ---- file, modules, functions --------------------------------------- */

file ::= top_items.
top_items ::= .
top_items ::= top_items module(M). {
  pto_sitem it = {.is_func = false, .mod = M};
  *(pto_sitem *)pto_vec_push(P, &P->top, sizeof it) = it;
}
top_items ::= top_items func(F). {
  pto_sitem it = {.is_func = true, .func = F};
  *(pto_sitem *)pto_vec_push(P, &P->top, sizeof it) = it;
}

module(R) ::= mod_items(I) RBRACE. { R = I; }
mod_items(R) ::= OP_MODULE(K) mod_name(N) mod_attrs(A) LBRACE. {
  R = pto_new(P, sizeof *R);
  R->loc = pto_loc(P, K.off);
  if (N) {
    uint32_t len;
    R->name = pto_string_value(P, *N, &len);
  }
  R->attrs = A;
}
mod_items(R) ::= mod_items(I) module(M). {
  R = I;
  pto_sitem it = {.is_func = false, .mod = M};
  *(pto_sitem *)pto_vec_push(P, &R->items, sizeof it) = it;
}
mod_items(R) ::= mod_items(I) func(F). {
  R = I;
  pto_sitem it = {.is_func = true, .func = F};
  *(pto_sitem *)pto_vec_push(P, &R->items, sizeof it) = it;
}
mod_name(R) ::= . { R = NULL; }
mod_name(R) ::= SYMBOL(S). { R = pto_new(P, sizeof *R); *R = S; }
mod_attrs(R) ::= . { R = NULL; }
mod_attrs(R) ::= IDENT(K) attr_dict(D). {
  if (K.len != 10 || memcmp(P->src->text + K.off, "attributes", 10) != 0)
    pto_err(P, K.off, K.len, "expected 'attributes' or '{'");
  R = D.a;
}

func(R) ::= OP_FUNC(K) fvis(V) SYMBOL(S) LP fargs(A) RP fres(Z) fattrs(T) fbody(B). {
  R = pto_new(P, sizeof *R);
  (void)K;
  R->loc = pto_loc(P, S.off);
  uint32_t len;
  R->name = pto_string_value(P, S, &len);
  R->vis = V;
  R->args = *A;
  if (Z) R->results = *Z;
  R->attrs = T;
  R->body = B;
}
fvis(R) ::= . { R = PTK_VIS_PUBLIC; }
fvis(R) ::= IDENT(W). {
  const char *s = P->src->text + W.off;
  if (W.len == 7 && memcmp(s, "private", 7) == 0) R = PTK_VIS_PRIVATE;
  else if (W.len == 6 && memcmp(s, "public", 6) == 0) R = PTK_VIS_PUBLIC;
  else if (W.len == 6 && memcmp(s, "nested", 6) == 0) R = PTK_VIS_NESTED;
  else { pto_err(P, W.off, W.len, "expected 'private', 'public' or 'nested' visibility"); R = PTK_VIS_PUBLIC; }
}
fargs(R) ::= . { R = vnew(P); }
fargs(R) ::= farg(A). { R = vnew(P); *(pto_farg *)pto_vec_push(P, R, sizeof A) = A; }
fargs(R) ::= fargs(L) COMMA farg(A). { R = L; *(pto_farg *)pto_vec_push(P, R, sizeof A) = A; }
farg(R) ::= VALUE(V) COLON type(T) opt_dict(D0). {
  const ptk_attr *D = D0.a;
  memset(&R, 0, sizeof R);
  R.named = true;
  R.name = P->src->text + V.off + 1;
  R.len = V.nlen;
  R.loc = pto_loc(P, V.off);
  R.type = T;
  R.attrs = D;
  if (V.idx >= 0) pto_err(P, V.off, V.len, "a function argument name cannot have a '#' index");
}
farg(R) ::= type(T) opt_dict(D0). {
  const ptk_attr *D = D0.a;
  memset(&R, 0, sizeof R);
  R.loc = T.loc;
  R.type = T;
  R.attrs = D;
}
fres(R) ::= . { R = NULL; }
fres(R) ::= ARROW type(T). { R = vnew(P); push_tl(P, R, T); }
fres(R) ::= ARROW LP RP. { R = vnew(P); }
fres(R) ::= ARROW LP types(L) RP. { R = L; }
fattrs(R) ::= . { R = NULL; }
fattrs(R) ::= IDENT(K) attr_dict(D). {
  if (K.len != 10 || memcmp(P->src->text + K.off, "attributes", 10) != 0)
    pto_err(P, K.off, K.len, "expected 'attributes', '{' or the next function");
  R = D.a;
}
fbody(R) ::= . { R = NULL; }
fbody(R) ::= region(B). { R = B; }

/* ---- regions, blocks, statements ------------------------------------ */

region(R) ::= LBRACE(L) rbody(B) RBRACE. { R = B; R->loc = pto_loc(P, L.off); }
rbody(R) ::= stmts(S) blocks(K). {
  R = pto_new(P, sizeof *R);
  if (S->n || !K->n) {
    pto_sblock *entry = pto_new(P, sizeof *entry);
    entry->ops = *S;
    *(pto_sblock **)pto_vec_push(P, &R->blocks, sizeof entry) = entry;
  }
  for (uint32_t i = 0; i < K->n; i++)
    *(pto_sblock **)pto_vec_push(P, &R->blocks, sizeof(pto_sblock *)) = PTO_VEC_AT(*K, pto_sblock *, i);
}
stmts(R) ::= . { R = vnew(P); }
stmts(R) ::= stmts(S) stmt(T). { R = S; *(pto_sop **)pto_vec_push(P, R, sizeof T) = T; }
blocks(R) ::= . { R = vnew(P); }
blocks(R) ::= blocks(K) block(B). { R = K; *(pto_sblock **)pto_vec_push(P, R, sizeof B) = B; }
block(R) ::= LABEL(L) COLON stmts(S). {
  R = pto_new(P, sizeof *R);
  R->label = P->src->text + L.off + 1;
  R->llen = L.len - 1;
  R->loc = pto_loc(P, L.off);
  R->ops = *S;
}
block(R) ::= LABEL(L) LP bargs(A) RP COLON stmts(S). {
  R = pto_new(P, sizeof *R);
  R->label = P->src->text + L.off + 1;
  R->llen = L.len - 1;
  R->loc = pto_loc(P, L.off);
  R->args = *A;
  R->ops = *S;
}
bargs(R) ::= barg(A). { R = vnew(P); *(pto_barg *)pto_vec_push(P, R, sizeof A) = A; }
bargs(R) ::= bargs(L) COMMA barg(A). { R = L; *(pto_barg *)pto_vec_push(P, R, sizeof A) = A; }
barg(R) ::= VALUE(V) COLON type(T). {
  R.name = P->src->text + V.off + 1;
  R.len = V.nlen;
  R.loc = pto_loc(P, V.off);
  R.type = T;
  if (V.idx >= 0) pto_err(P, V.off, V.len, "a block argument name cannot have a '#' index");
}

stmt(R) ::= op(O). { R = O; }
stmt(R) ::= RESULT(T) op(O). {
  R = O;
  pto_res r = {P->src->text + T.off + 1, T.nlen, T.count ? T.count : 1, pto_loc(P, T.off)};
  *(pto_res *)pto_vec_push(P, &R->results, sizeof r) = r;
}
stmt(R) ::= rmultis(L) RESULT(T) op(O). {
  R = O;
  for (uint32_t i = 0; i < L->n; i++)
    *(pto_res *)pto_vec_push(P, &R->results, sizeof(pto_res)) = PTO_VEC_AT(*L, pto_res, i);
  pto_res r = {P->src->text + T.off + 1, T.nlen, T.count ? T.count : 1, pto_loc(P, T.off)};
  *(pto_res *)pto_vec_push(P, &R->results, sizeof r) = r;
}
rmultis(R) ::= RMULTI(T) COMMA. {
  R = vnew(P);
  pto_res r = {P->src->text + T.off + 1, T.nlen, T.count ? T.count : 1, pto_loc(P, T.off)};
  *(pto_res *)pto_vec_push(P, R, sizeof r) = r;
}
rmultis(R) ::= rmultis(L) RMULTI(T) COMMA. {
  R = L;
  pto_res r = {P->src->text + T.off + 1, T.nlen, T.count ? T.count : 1, pto_loc(P, T.off)};
  *(pto_res *)pto_vec_push(P, R, sizeof r) = r;
}

/* An identifier where an op name belongs: not in the op table. */
op(R) ::= IDENT(N). {
  char name[128];
  size_t n = N.len < sizeof name - 1 ? N.len : sizeof name - 1;
  memcpy(name, P->src->text + N.off, n);
  name[n] = 0;
  bool first = !P->failed;
  pto_err(P, N.off, N.len, "unknown operation '%s'", name);
  const char *s = ptk_op_suggest(name, n);
  if (s && first) ptk_note(P->diags, pto_range(P, N.off, N.len), "did you mean '%s'?", s);
  R = pto_new(P, sizeof *R); /* placeholder: reading stops at the error */
}
op(R) ::= OP_GENONLY(K). {
  pto_err(P, K.off, K.len, "'%.*s' is only supported in the generic form \"%.*s\"(…) : (…) -> (…)",
          (int)K.len, P->src->text + K.off, (int)K.len, P->src->text + K.off);
  R = pto_new(P, sizeof *R); /* placeholder: reading stops at the error */
}
op(R) ::= OP_MODULE(K). {
  pto_err(P, K.off, K.len, "'module' is only allowed at the top level or inside a module");
  R = pto_new(P, sizeof *R); /* placeholder: reading stops at the error */
}
op(R) ::= OP_FUNC(K). {
  pto_err(P, K.off, K.len, "'func.func' is only allowed directly inside a module");
  R = pto_new(P, sizeof *R); /* placeholder: reading stops at the error */
}

/* ---- uses and binds ------------------------------------------------- */

use(R) ::= VALUE(V). { R = pto_mkuse(P, V); }
uses(R) ::= use(U). { R = vnew(P); *(pto_use *)pto_vec_push(P, R, sizeof U) = U; }
uses(R) ::= uses(L) COMMA use(U). { R = L; *(pto_use *)pto_vec_push(P, R, sizeof U) = U; }
uses_opt(R) ::= . { R = vnew(P); }
uses_opt(R) ::= uses(L). { R = L; }
bind(R) ::= BIND(B) use(U). {
  R.name = P->src->text + B.off + 1;
  R.len = B.nlen;
  R.loc = pto_loc(P, B.off);
  R.init = U;
}
binds(R) ::= bind(B). { R = vnew(P); *(pto_bind *)pto_vec_push(P, R, sizeof B) = B; }
binds(R) ::= binds(L) COMMA bind(B). { R = L; *(pto_bind *)pto_vec_push(P, R, sizeof B) = B; }
binds_opt(R) ::= . { R = vnew(P); }
binds_opt(R) ::= binds(L). { R = L; }

/* ---- ops by syntax family -------------------------------------------- */

/* DPS: pto.tX ins(%a, %b [{attrs}] : A, B) outs(%d : D) [{attrs}] [-> R] */
op(R) ::= dps(D). { R = D; }
dps(R) ::= OP_DPS(K) INS(I) LP RP. { R = add(P, SOP(K), pto_part_new(P, PP_INS, I.off)); }
dps(R) ::= OP_DPS(K) INS(I) LP uses(U) COLON types(T) RP. {
  pto_part *p = part_uses(P, PP_INS, I.off, U);
  p->types = *T;
  R = add(P, SOP(K), p);
}
/* ins(%a : A, %b : B): each operand with its type (tstore/tmov's extra
 * operands in ptoas's assembly format) */
dps(R) ::= OP_DPS(K) INS(I) LP uses(U) COLON types(T) COMMA tuses(V) RP. {
  if (U->n != 1 || T->n != 1)
    pto_err(P, I.off, I.len, "expected '%%v : T, …' or '%%a, %%b : A, B' inside ins(…)");
  pto_part *p = part_uses(P, PP_INS, I.off, U);
  p->types = *T;
  for (uint32_t i = 0; i < V->n; i++) {
    *(pto_use *)pto_vec_push(P, &p->uses, sizeof(pto_use)) = PTO_VEC_AT(*V, pto_tuse, i).u;
    *(pto_tl *)pto_vec_push(P, &p->types, sizeof(pto_tl)) = PTO_VEC_AT(*V, pto_tuse, i).t;
  }
  R = add(P, SOP(K), p);
}
/* ins(%s, %r, %c : S, index, index [fp %f : F] [pre_quant %q : i64]):
 * tinsert's optional operands (ptoas), appended to ins in that order */
dps(R) ::= OP_DPS(K) INS(I) LP uses(U) COLON types(T) kwins(W) RP. {
  pto_part *p = part_uses(P, PP_INS, I.off, U);
  p->types = *T;
  static const char *const kw[2] = {"fp", "pre_quant"};
  uint32_t next = 0;
  for (uint32_t i = 0; i < W->n; i++) {
    const pto_kwin *k = &PTO_VEC_AT(*W, pto_kwin, i);
    while (next < 2 && !tok_word(P, k->word, kw[next])) next++;
    if ((ptk_op_kind)K.opk != PTK_OP_TINSERT || next == 2) {
      pto_err(P, k->word.off, k->word.len, (ptk_op_kind)K.opk != PTK_OP_TINSERT
              ? "keyword operands inside ins(…) are only read for 'pto.tinsert' (fp, pre_quant)"
              : "expected 'fp %%f : F' then 'pre_quant %%q : T' after the ins types");
      break;
    }
    next++;
    *(pto_use *)pto_vec_push(P, &p->uses, sizeof(pto_use)) = k->tu.u;
    *(pto_tl *)pto_vec_push(P, &p->types, sizeof(pto_tl)) = k->tu.t;
  }
  R = add(P, SOP(K), p);
}
kwins(R) ::= kwin(X). { R = vnew(P); *(pto_kwin *)pto_vec_push(P, R, sizeof X) = X; }
kwins(R) ::= kwins(L) kwin(X). { R = L; *(pto_kwin *)pto_vec_push(P, R, sizeof X) = X; }
kwin(R) ::= IDENT(W) use(U) COLON type(T). { R.word = W; R.tu.u = U; R.tu.t = T; }
/* ins(%s, {maskPattern = …} : T): tgather/tscatter's mask form (ptoas) */
dps(R) ::= OP_DPS(K) INS(I) LP uses(U) COMMA attr_dict(A) COLON types(T) RP. {
  pto_part *p = part_uses(P, PP_INS, I.off, U);
  p->types = *T;
  p->attr = A.a;
  R = add(P, SOP(K), p);
}
dps(R) ::= OP_DPS(K) INS(I) LP uses(U) attr_dict(A) COLON types(T) RP. {
  pto_part *p = part_uses(P, PP_INS, I.off, U);
  p->types = *T;
  p->attr = A.a;
  R = add(P, SOP(K), p);
}
dps(R) ::= dps(D) OUTS(O) LP uses(U) COLON types(T) RP. {
  pto_part *p = part_uses(P, PP_OUTS, O.off, U);
  p->types = *T;
  R = add(P, D, p);
}
dps(R) ::= dps(D) OUTS(O) LP RP. { R = add(P, D, pto_part_new(P, PP_OUTS, O.off)); }
dps(R) ::= dps(D) OUTS(O) COLON types(T). { R = add(P, D, part_types(P, PP_OUTS_RES, O.off, T)); }
dps(R) ::= dps(D) attr_dict(A). { R = add(P, D, part_dict(P, A.off, A.a)); }
dps(R) ::= dps(D) ARROW(A) types(T). { R = add(P, D, part_types(P, PP_ARROW, A.off, T)); }

/* %r = op %a[, %b] [{attrs}] : A -> R [{attrs}] */
op(R) ::= OP_VIEWCAST(K) uses(U) opt_dict(D) COLON(C) type(A) ARROW(W) type(B) opt_dict(E). {
  R = add(P, SOP(K), part_uses(P, PP_OPERANDS, K.off, U));
  if (D.a) add(P, R, part_dict(P, D.off, D.a));
  add(P, R, part_type(P, PP_TYPES, C.off, A));
  add(P, R, part_type(P, PP_ARROW, W.off, B));
  if (E.a) add(P, R, part_dict(P, E.off, E.a));
}

/* addptr's stripped pointer types (ptoas prints `: <f32> -> <f32>`) */
op(R) ::= OP_VIEWCAST(K) uses(U) opt_dict(D) COLON(C) LT(L1) type(A) GT ARROW(W) LT(L2) type(B) GT opt_dict(E). {
  R = add(P, SOP(K), part_uses(P, PP_OPERANDS, K.off, U));
  if (D.a) add(P, R, part_dict(P, D.off, D.a));
  add(P, R, part_type(P, PP_TYPES, C.off, tl(P, pto_type_ptr(P, L1, A.t, NULL), L1.off)));
  add(P, R, part_type(P, PP_ARROW, W.off, tl(P, pto_type_ptr(P, L2, B.t, NULL), L2.off)));
  if (E.a) add(P, R, part_dict(P, E.off, E.a));
}

/* `: <i8, gm> -> <i8, gm>`: stripped pointer types with an address space */
op(R) ::= OP_VIEWCAST(K) uses(U) opt_dict(D) COLON(C) LT(L1) type(A) COMMA IDENT(S1) GT ARROW(W) LT(L2) type(B) COMMA IDENT(S2) GT opt_dict(E). {
  R = add(P, SOP(K), part_uses(P, PP_OPERANDS, K.off, U));
  if (D.a) add(P, R, part_dict(P, D.off, D.a));
  add(P, R, part_type(P, PP_TYPES, C.off, tl(P, pto_type_ptr(P, L1, A.t, &S1), L1.off)));
  add(P, R, part_type(P, PP_ARROW, W.off, tl(P, pto_type_ptr(P, L2, B.t, &S2), L2.off)));
  if (E.a) add(P, R, part_dict(P, E.off, E.a));
}

/* make_tensor_view / partition_view */
op(R) ::= view_h(V) COLON(C) type(T). { R = add(P, V, part_type(P, PP_TYPES, C.off, T)); }
op(R) ::= view_h(V) COLON(C) type(T) ARROW(A) type(U). {
  R = add(P, V, part_type(P, PP_TYPES, C.off, T));
  add(P, R, part_type(P, PP_ARROW, A.off, U));
}
view_h(R) ::= OP_VIEW(K) use(U). {
  pto_part *p = pto_part_new(P, PP_OPERANDS, K.off);
  *(pto_use *)pto_vec_push(P, &p->uses, sizeof U) = U;
  R = add(P, SOP(K), p);
}
view_h(R) ::= view_h(V) COMMA IDENT(W) EQ LSQ uses_opt(L) RSQ. {
  pto_part *p = part_uses(P, PP_KWUSES, W.off, L);
  p->word = P->src->text + W.off;
  p->wlen = W.len;
  R = add(P, V, p);
}
view_h(R) ::= view_h(V) attr_dict(A). { R = add(P, V, part_dict(P, A.off, A.a)); }

/* alloc_tile [addr = %a] [valid_row = %r] [valid_col = %c] [{attrs}] : T */
op(R) ::= alloc_h(A) COLON(C) type(T). { R = add(P, A, part_type(P, PP_TYPES, C.off, T)); }
alloc_h(R) ::= OP_ALLOC(K). { R = SOP(K); }
alloc_h(R) ::= alloc_h(A) IDENT(W) EQ use(U). {
  pto_part *p = pto_part_new(P, PP_KWUSE, W.off);
  p->word = P->src->text + W.off;
  p->wlen = W.len;
  *(pto_use *)pto_vec_push(P, &p->uses, sizeof U) = U;
  R = add(P, A, p);
}
alloc_h(R) ::= alloc_h(A) attr_dict(D). { R = add(P, A, part_dict(P, D.off, D.a)); }

/* memref.alloc() [{attrs}] : memref<…>: ptoas's spelling of a tile
 * allocation. The lexer gives it the kind pto.alloc_tile and the memref
 * type is read as its tile_buf (memref_tile in pto_read.c), so it prints
 * back as `pto.alloc_tile : !pto.tile_buf<…>`, which ptoas reads too. */
op(R) ::= OP_MEMREF_ALLOC(K) LP RP opt_dict(D) COLON(C) type(T). {
  R = SOP(K);
  R->memref = true;
  if (D.a) add(P, R, part_dict(P, D.off, D.a));
  add(P, R, part_type(P, PP_TYPES, C.off, T));
  if (!ptk_type_is_tile(T.t) && !P->failed)
    pto_err(P, T.loc.off, 6, "'memref.alloc' needs a memref with static sizes, no layout and an on-chip "
            "#pto.address_space (vec, mat, left, right, acc, bias or scaling), which is a tile buffer");
}
op(R) ::= OP_MEMREF_ALLOC(K) LP(L) uses(U) RP opt_dict COLON type. {
  (void)U;
  pto_err(P, L.off + 1, 1, "'memref.alloc' with dynamic sizes is not supported: a tile buffer has static rows "
          "and columns (give a dynamic valid shape with pto.alloc_tile valid_row/valid_col)");
  R = SOP(K);
}

/* pto.pointer_cast(%addr) [{attrs}] : memref<…>: ptoas's explicit-address
 * tile (level3), read like memref.alloc as `pto.alloc_tile addr = %addr`. */
op(R) ::= ptrcast_h(H) opt_dict(D) COLON(C) type(T). {
  R = H;
  if (D.a) add(P, R, part_dict(P, D.off, D.a));
  add(P, R, part_type(P, PP_TYPES, C.off, T));
  /* a gm memref stays a memref: its own row (ops.def POINTER_CAST) */
  if (!ptk_type_is_tile(T.t) && gm_memref(T.t)) R->kind = PTK_OP_POINTER_CAST;
  else if (!ptk_type_is_tile(T.t) && !P->failed)
    pto_err(P, T.loc.off, 6, "'pto.pointer_cast' is read only for a memref with static sizes, no layout and an "
            "on-chip #pto.address_space (vec, mat, left, right, acc, bias or scaling), which is a tile buffer, or "
            "a #pto.address_space<gm> memref");
}
ptrcast_h(R) ::= OP_POINTER_CAST(K) LP use(A) RP. {
  R = add(P, SOP(K), kwuse(P, "addr", K.off, A));
  R->memref = true;
}
/* With valid dims (ptoas's lowered alloc_tile addr valid_row valid_col): a
 * tile with a dynamic valid shape; its uses' memref types still name it
 * (build_alloc, "memref_valid") */
ptrcast_h(R) ::= OP_POINTER_CAST(K) LP use(A) RP use(VR) COMMA use(VC). {
  R = add(P, SOP(K), kwuse(P, "addr", K.off, A));
  R->memref = true;
  add(P, R, kwuse(P, "valid_row", VR.loc.off, VR));
  add(P, R, kwuse(P, "valid_col", VC.loc.off, VC));
  pto_part *m = pto_part_new(P, PP_KWUSE, K.off);
  m->word = "memref_valid";
  m->wlen = 12;
  add(P, R, m);
}
ptrcast_h(R) ::= OP_POINTER_CAST(K) LP use COMMA(M) uses RP. {
  pto_err(P, M.off, 1, "'pto.pointer_cast' with several addresses (a multi-buffered memref) is not supported; "
          "use pto.alloc_multi_tile");
  R = SOP(K);
}

/* pto.bind_tile %m[, %r, %c] {config = #pto.tile_buf_config<…>} : M -> M:
 * ptoas's lowered form of an alloc_tile (a planned buffer given its tile
 * configuration and valid shape). Read as `pto.alloc_tile [addr = …]
 * [valid_row = %r valid_col = %c] : !pto.tile_buf<…config…>` at %m's
 * address (build_alloc), which ptoas reads as the same tile. */
op(R) ::= OP_BIND_TILE(K) use(S) opt_dict(D) COLON type(T1) ARROW type(T2). {
  R = bind_tile(P, K, S, NULL, NULL, D, T1, T2);
}
op(R) ::= OP_BIND_TILE(K) use(S) COMMA use(VR) COMMA use(VC) opt_dict(D) COLON type(T1) ARROW type(T2). {
  R = bind_tile(P, K, S, &VR, &VC, D, T1, T2);
}

/* memref.reinterpret_cast %m to offset: [o], sizes: [s…], strides: [t…] [{attrs}] : M to R
 * memref.subview %m[o…] [s…] [t…] [{attrs}] : M to R */
op(R) ::= OP_MVIEW(K) use(S) IDENT(TO) IDENT(W1) COLON mlist(A) COMMA IDENT(W2) COLON mlist(B) COMMA IDENT(W3)
          COLON mlist(C) opt_dict(D) COLON(CC) type(T1) IDENT(TO2) type(T2). {
  if (!tok_word(P, TO, "to") || !tok_word(P, W1, "offset") || !tok_word(P, W2, "sizes") ||
      !tok_word(P, W3, "strides") || !tok_word(P, TO2, "to"))
    pto_err(P, K.off, K.len, "expected '%%m to offset: [...], sizes: [...], strides: [...] : <source type> to <result type>'");
  R = mview(P, K, S, A, B, C, D, CC.off, T1, T2);
}
op(R) ::= OP_MVIEW(K) use(S) mlist(A) mlist(B) mlist(C) opt_dict(D) COLON(CC) type(T1) IDENT(TO) type(T2). {
  if (!tok_word(P, TO, "to")) pto_err(P, TO.off, TO.len, "expected 'to' between the source and result types");
  R = mview(P, K, S, A, B, C, D, CC.off, T1, T2);
}
mlist(R) ::= LSQ RSQ. { R = vnew(P); }
mlist(R) ::= LSQ mitems(L) RSQ. { R = L; }
mitems(R) ::= mitem(I). { R = vnew(P); *(pto_item *)pto_vec_push(P, R, sizeof I) = I; }
mitems(R) ::= mitems(L) COMMA mitem(I). { R = L; *(pto_item *)pto_vec_push(P, R, sizeof I) = I; }
mitem(R) ::= use(U). { memset(&R, 0, sizeof R); R.kind = 1; R.use = U; R.loc = U.loc; }
mitem(R) ::= INT(I). { memset(&R, 0, sizeof R); R.lit = '#'; R.attr = pto_attr_int(P, I, false, NULL, 0); R.loc = pto_loc(P, I.off); }
mitem(R) ::= MINUS(M) INT(I). { memset(&R, 0, sizeof R); R.lit = '#'; R.attr = pto_attr_int(P, I, true, NULL, 0); R.loc = pto_loc(P, M.off); }

/* cf.br ^bb(%a : A) / cf.cond_br %c, ^bb1[(…)], ^bb2[(…)] [{attrs}] */
op(R) ::= OP_BR(K) succ(S) opt_dict(D). {
  R = add(P, SOP(K), S);
  if (D.a) add(P, R, part_dict(P, D.off, D.a));
}
op(R) ::= OP_BR(K) use(C) COMMA succ(S1) COMMA succ(S2) opt_dict(D). {
  pto_part *p = pto_part_new(P, PP_OPERANDS, C.loc.off);
  *(pto_use *)pto_vec_push(P, &p->uses, sizeof C) = C;
  R = add(P, SOP(K), p);
  add(P, R, S1);
  add(P, R, S2);
  if (D.a) add(P, R, part_dict(P, D.off, D.a));
}
succ(R) ::= LABEL(L). {
  R = pto_part_new(P, PP_SUCC, L.off);
  R->word = P->src->text + L.off + 1;
  R->wlen = L.len - 1;
}
succ(R) ::= LABEL(L) LP uses(U) COLON types(T) RP. {
  R = part_uses(P, PP_SUCC, L.off, U);
  R->types = *T;
  R->word = P->src->text + L.off + 1;
  R->wlen = L.len - 1;
}

/* pto.comm.*: op(%a, word(%b, …), … : A, B, …) [{attrs}] [-> R] */
op(R) ::= OP_COMM(K) LP citems(I) COLON(C) types(T) RP opt_dict(D). { R = comm(P, K, I, T, C.off, D); }
op(R) ::= OP_COMM(K) LP citems(I) COLON(C) types(T) RP opt_dict(D) ARROW(A) type(U). {
  R = comm(P, K, I, T, C.off, D);
  add(P, R, part_type(P, PP_ARROW, A.off, U));
}
citems(R) ::= citem(I). { R = vnew(P); *(pto_item *)pto_vec_push(P, R, sizeof I) = I; }
citems(R) ::= citems(L) COMMA citem(I). { R = L; *(pto_item *)pto_vec_push(P, R, sizeof I) = I; }
citem(R) ::= use(U). { memset(&R, 0, sizeof R); R.kind = 1; R.use = U; R.loc = U.loc; }
citem(R) ::= IDENT(W) LP uses(U) RP. {
  memset(&R, 0, sizeof R);
  R.kind = 4;
  R.word = P->src->text + W.off;
  R.wlen = W.len;
  R.uses = *U;
  R.loc = pto_loc(P, W.off);
}

/* subview %t[%i, %j] sizes [R, C] [valid [%r, %c]] [{attrs}] : T [-> S] */
op(R) ::= subview_h(S) COLON(C) type(T). { R = add(P, S, part_type(P, PP_TYPES, C.off, T)); }
op(R) ::= subview_h(S) COLON(C) type(T) ARROW(A) type(U). {
  R = add(P, S, part_type(P, PP_TYPES, C.off, T));
  add(P, R, part_type(P, PP_ARROW, A.off, U));
}
subview_h(R) ::= OP_SUBVIEW(K) use(U) LSQ(B) uses_opt(L) RSQ. {
  pto_part *p = pto_part_new(P, PP_OPERANDS, K.off);
  *(pto_use *)pto_vec_push(P, &p->uses, sizeof U) = U;
  R = add(P, SOP(K), p);
  pto_part *q = part_uses(P, PP_KWUSES, B.off, L);
  q->word = "offsets";
  q->wlen = 7;
  add(P, R, q);
}
subview_h(R) ::= subview_h(S) IDENT(W) LSQ ints(L) RSQ. {
  pto_part *p = pto_part_new(P, PP_INTS, W.off);
  p->word = P->src->text + W.off;
  p->wlen = W.len;
  p->ints = *L;
  R = add(P, S, p);
}
subview_h(R) ::= subview_h(S) IDENT(W) LSQ uses(L) RSQ. {
  pto_part *p = part_uses(P, PP_KWUSES, W.off, L);
  p->word = P->src->text + W.off;
  p->wlen = W.len;
  R = add(P, S, p);
}
subview_h(R) ::= subview_h(S) attr_dict(D). { R = add(P, S, part_dict(P, D.off, D.a)); }
ints(R) ::= INT(I). { R = vnew(P); *(int64_t *)pto_vec_push(P, R, 8) = ints_val(P, I, false); }
ints(R) ::= MINUS INT(I). { R = vnew(P); *(int64_t *)pto_vec_push(P, R, 8) = ints_val(P, I, true); }
ints(R) ::= ints(L) COMMA INT(I). { R = L; *(int64_t *)pto_vec_push(P, R, 8) = ints_val(P, I, false); }
ints(R) ::= ints(L) COMMA MINUS INT(I). { R = L; *(int64_t *)pto_vec_push(P, R, 8) = ints_val(P, I, true); }

/* set_validshape %t, %r, %c : T   /   %r, %c = get_validshape %t : T */
op(R) ::= OP_OPTYPE(K) uses(U) opt_dict(D) COLON(C) type(T). {
  R = add(P, SOP(K), part_uses(P, PP_OPERANDS, K.off, U));
  if (D.a) add(P, R, part_dict(P, D.off, D.a));
  add(P, R, part_type(P, PP_TYPES, C.off, T));
}

/* %v = load_scalar %p[%i] : P -> T */
op(R) ::= OP_LOADS(K) use(B) LSQ use(I) RSQ opt_dict(D) COLON(C) type(T) ARROW(A) type(U). {
  pto_part *p = pto_part_new(P, PP_INDEXED, K.off);
  *(pto_use *)pto_vec_push(P, &p->uses, sizeof B) = B;
  *(pto_use *)pto_vec_push(P, &p->uses, sizeof I) = I;
  R = add(P, SOP(K), p);
  if (D.a) add(P, R, part_dict(P, D.off, D.a));
  add(P, R, part_type(P, PP_TYPES, C.off, T));
  add(P, R, part_type(P, PP_ARROW, A.off, U));
}
/* store_scalar %v, %p[%i] : P, T */
op(R) ::= OP_STORES(K) use(V) COMMA use(B) LSQ use(I) RSQ opt_dict(D) COLON(C) type(T) COMMA type(U). {
  pto_part *v = pto_part_new(P, PP_OPERANDS, K.off);
  *(pto_use *)pto_vec_push(P, &v->uses, sizeof V) = V;
  R = add(P, SOP(K), v);
  pto_part *p = pto_part_new(P, PP_INDEXED, K.off);
  *(pto_use *)pto_vec_push(P, &p->uses, sizeof B) = B;
  *(pto_use *)pto_vec_push(P, &p->uses, sizeof I) = I;
  add(P, R, p);
  if (D.a) add(P, R, part_dict(P, D.off, D.a));
  pto_part *t = part_type(P, PP_TYPES, C.off, T);
  push_tl(P, &t->types, U);
  add(P, R, t);
}

/* sync ops */
op(R) ::= OP_SYNCB(K) LSQ(B) sitems(I) RSQ opt_dict(D). {
  pto_part *p = pto_part_new(P, PP_BRACKET, B.off);
  p->items = *I;
  R = add(P, SOP(K), p);
  if (D.a) add(P, R, part_dict(P, D.off, D.a));
}
/* get_buf "PIPE_V", 0, 0: the bracket-less pretty form (VPTO kernels) */
op(R) ::= OP_SYNCB(K) sitems(I) opt_dict(D). {
  pto_part *p = pto_part_new(P, PP_BRACKET, K.off);
  p->items = *I;
  p->word = "";
  R = add(P, SOP(K), p);
  if (D.a) add(P, R, part_dict(P, D.off, D.a));
}
op(R) ::= OP_SYNCA(K) sitems(I) opt_dict(D). {
  pto_part *p = pto_part_new(P, PP_BRACKET, K.off);
  p->items = *I;
  R = add(P, SOP(K), p);
  if (D.a) add(P, R, part_dict(P, D.off, D.a));
}
sitems(R) ::= sitem(I). { R = vnew(P); *(pto_item *)pto_vec_push(P, R, sizeof I) = I; }
sitems(R) ::= sitems(L) COMMA sitem(I). { R = L; *(pto_item *)pto_vec_push(P, R, sizeof I) = I; }
sitem(R) ::= LT(L) IDENT(W) GT. {
  memset(&R, 0, sizeof R);
  R.kind = 2;
  R.word = P->src->text + W.off;
  R.wlen = W.len;
  R.loc = pto_loc(P, L.off);
}
sitem(R) ::= HASH(H). { memset(&R, 0, sizeof R); R.attr = pto_attr_hash(P, H); R.loc = pto_loc(P, H.off); }
sitem(R) ::= INT(I). { memset(&R, 0, sizeof R); R.attr = pto_attr_int(P, I, false, NULL, 0); R.loc = pto_loc(P, I.off); }
sitem(R) ::= INT(I) COLON type(T). { memset(&R, 0, sizeof R); R.attr = pto_attr_int(P, I, false, T.t, T.loc.off); R.loc = pto_loc(P, I.off); }
sitem(R) ::= STRING(S). { memset(&R, 0, sizeof R); R.attr = pto_attr_string(P, S); R.loc = pto_loc(P, S.off); }
sitem(R) ::= use(U). { memset(&R, 0, sizeof R); R.kind = 1; R.use = U; R.loc = U.loc; }

/* pto.syncall([%ws… : T…]) mode = …, core_type = … */
op(R) ::= OP_SYNCALL(K) LP(L) RP kwattrs(A) opt_dict(D). {
  R = add(P, SOP(K), pto_part_new(P, PP_PAREN, L.off));
  for (uint32_t i = 0; i < A->n; i++) add(P, R, PTO_VEC_AT(*A, pto_part *, i));
  if (D.a) add(P, R, part_dict(P, D.off, D.a));
}
op(R) ::= OP_SYNCALL(K) LP(L) uses(U) COLON types(T) RP kwattrs(A) opt_dict(D). {
  pto_part *p = part_uses(P, PP_PAREN, L.off, U);
  p->types = *T;
  R = add(P, SOP(K), p);
  for (uint32_t i = 0; i < A->n; i++) add(P, R, PTO_VEC_AT(*A, pto_part *, i));
  if (D.a) add(P, R, part_dict(P, D.off, D.a));
}
kwattrs(R) ::= IDENT(W) EQ attr(A). {
  R = vnew(P);
  pto_part *p = pto_part_new(P, PP_KWATTR, W.off);
  p->word = P->src->text + W.off;
  p->wlen = W.len;
  p->attr = A;
  *(pto_part **)pto_vec_push(P, R, sizeof p) = p;
}
kwattrs(R) ::= kwattrs(L) COMMA IDENT(W) EQ attr(A). {
  R = L;
  pto_part *p = pto_part_new(P, PP_KWATTR, W.off);
  p->word = P->src->text + W.off;
  p->wlen = W.len;
  p->attr = A;
  *(pto_part **)pto_vec_push(P, R, sizeof p) = p;
}

/* %b = pto.get_block_idx [{attrs}] [: i64] */
op(R) ::= OP_NULLARY(K) opt_dict(D). { R = SOP(K); if (D.a) add(P, R, part_dict(P, D.off, D.a)); }
op(R) ::= OP_NULLARY(K) opt_dict(D) COLON(C) type(T). {
  R = SOP(K);
  if (D.a) add(P, R, part_dict(P, D.off, D.a));
  add(P, R, part_type(P, PP_TYPES, C.off, T));
}

/* pto.section.cube { … } [{attrs}] */
/* VPTO: op item[, item…] [{attrs}] [: A… [-> R…]] */
op(R) ::= OP_VOP(K) vitems(I) vdict(D). { R = vop(P, K, I, D, NULL, NULL, 0, 0); }
op(R) ::= OP_VOP(K) vitems(I) vdict(D) COLON(C) vtypes(T). { R = vop(P, K, I, D, T, NULL, C.off, 0); }
op(R) ::= OP_VOP(K) vitems(I) vdict(D) COLON(C) vtypes(T) ARROW(A) types(U). {
  R = vop(P, K, I, D, T, U, C.off, A.off);
}
/* Without newlines in the grammar, a word or string after an item list
 * could start the next statement (an unknown op, a generic-form op); it is
 * read as one more item (the precedence below says so). */
vdict(R) ::= . [VLOW] { R.a = NULL; R.off = 0; }
vdict(R) ::= attr_dict(D). { R = D; }
vitems(R) ::= . { R = vnew(P); }
/* `: …, i64, loop i64, i64, i64, pad f32, …`: clause operands' types may
 * start with the clause keyword (the rule `type ::= IDENT` yields to it). */
vtypes(R) ::= vtype(T). { R = vnew(P); push_tl(P, R, T); }
vtypes(R) ::= vtypes(L) COMMA vtype(T). { R = L; push_tl(P, R, T); }
vtype(R) ::= ctype(T). { R = T; }
/* a type name, or a bare word repeating a positional word (`nd2nz`) */
vtype(R) ::= IDENT(W). [VLOW] {
  const ptk_type *t = pto_type_named_opt(P, W);
  R = tl(P, t, W.off);
  if (!t) {
    R.vk = 1;
    R.kw = P->src->text + W.off;
    R.kwlen = W.len;
  }
}
vtype(R) ::= IDENT(W) type(T). { R = T; R.kw = P->src->text + W.off; R.kwlen = W.len; }
/* `src_layout(i64, i64)`: the types of a clause's operands as a group */
vtype(R) ::= IDENT(W) LP types(L) RP. {
  R = tl(P, NULL, W.off);
  R.vk = 2;
  R.kw = P->src->text + W.off;
  R.kwlen = W.len;
  R.grp = L;
}
vitems(R) ::= vitems(L) vitem(I). { R = L; *(pto_item *)pto_vec_push(P, R, sizeof I) = I; }
vitems(R) ::= vitems(L) COMMA vitem(I). { R = L; I.comma = true; *(pto_item *)pto_vec_push(P, R, sizeof I) = I; }
vitem(R) ::= use(U). { memset(&R, 0, sizeof R); R.kind = 1; R.use = U; R.loc = U.loc; }
vitem(R) ::= use(U) LSQ use(X) RSQ. { memset(&R, 0, sizeof R); R.kind = 3; R.use = U; R.idx = X; R.loc = U.loc; }
/* %a[%i, %j]: more indices (local_array_get/set of a 2-D array) in uses */
vitem(R) ::= use(U) LSQ use(X) COMMA uses(L) RSQ. {
  memset(&R, 0, sizeof R);
  R.kind = 3;
  R.use = U;
  R.idx = X;
  R.uses = *L;
  R.loc = U.loc;
}
vitem(R) ::= STRING(S). { memset(&R, 0, sizeof R); R.lit = '$'; R.attr = pto_attr_string(P, S); R.loc = pto_loc(P, S.off); }
vitem(R) ::= INT(I). { memset(&R, 0, sizeof R); R.lit = '#'; R.attr = pto_attr_int(P, I, false, NULL, 0); R.loc = pto_loc(P, I.off); }
vitem(R) ::= MINUS(M) INT(I). { memset(&R, 0, sizeof R); R.lit = '#'; R.attr = pto_attr_int(P, I, true, NULL, 0); R.loc = pto_loc(P, M.off); }
vitem(R) ::= HASH(H). { memset(&R, 0, sizeof R); R.lit = '@'; R.attr = pto_attr_hash(P, H); R.loc = pto_loc(P, H.off); }
vitem(R) ::= IDENT(W). {
  memset(&R, 0, sizeof R);
  R.kind = 5;
  R.word = P->src->text + W.off;
  R.wlen = W.len;
  R.loc = pto_loc(P, W.off);
  /* a dotted name is no word: an unknown op after an op that ends with its
   * operands (unknown names lex as IDENT) */
  if (memchr(R.word, '.', W.len))
    pto_err(P, W.off, W.len, "unknown operation '%.*s'", (int)W.len, R.word);
}
vitem(R) ::= IDENT(W) LP RP. {
  memset(&R, 0, sizeof R);
  R.kind = 4;
  R.word = P->src->text + W.off;
  R.wlen = W.len;
  R.loc = pto_loc(P, W.off);
}
vitem(R) ::= IDENT(W) LP cargs(U) RP. {
  memset(&R, 0, sizeof R);
  R.kind = 4;
  R.word = P->src->text + W.off;
  R.wlen = W.len;
  R.args = *U;
  R.loc = pto_loc(P, W.off);
}
/* clause arguments: %a, a word (`unit_flag(check_only)`), `key = %a`, `key = word` */
cargs(R) ::= carg(A). { R = vnew(P); *(pto_item *)pto_vec_push(P, R, sizeof A) = A; }
cargs(R) ::= cargs(L) COMMA carg(A). { R = L; *(pto_item *)pto_vec_push(P, R, sizeof A) = A; }
carg(R) ::= use(U). { memset(&R, 0, sizeof R); R.kind = 1; R.use = U; R.loc = U.loc; }
carg(R) ::= IDENT(W). {
  memset(&R, 0, sizeof R);
  R.kind = 5;
  R.word = P->src->text + W.off;
  R.wlen = W.len;
  R.loc = pto_loc(P, W.off);
}
carg(R) ::= IDENT(K) EQ use(U). {
  memset(&R, 0, sizeof R);
  R.kind = 1;
  R.use = U;
  R.key = P->src->text + K.off;
  R.klen = K.len;
  R.loc = pto_loc(P, K.off);
}
carg(R) ::= IDENT(K) EQ IDENT(W). {
  memset(&R, 0, sizeof R);
  R.kind = 5;
  R.word = P->src->text + W.off;
  R.wlen = W.len;
  R.key = P->src->text + K.off;
  R.klen = K.len;
  R.loc = pto_loc(P, K.off);
}
/* pto.simt_launch @body<<<%x, %y, %z>>>(%a, %b) : (A, B) -> () */
op(R) ::= OP_VOP(K) SYMBOL(S) LT LT LT uses(G) GT GT GT LP cargs_opt(A) RP opt_dict(D) COLON(C) fntype(F). {
  pto_vec *items = vnew(P);
  pto_item sym;
  memset(&sym, 0, sizeof sym);
  sym.lit = '@';
  sym.attr = pto_attr_symbol(P, S);
  sym.loc = pto_loc(P, S.off);
  *(pto_item *)pto_vec_push(P, items, sizeof sym) = sym;
  pto_item l;
  memset(&l, 0, sizeof l);
  l.kind = 6;
  l.uses = *G;
  l.args = *A;
  l.loc = pto_loc(P, S.off);
  *(pto_item *)pto_vec_push(P, items, sizeof l) = l;
  R = vop(P, K, items, D, NULL, NULL, 0, 0);
  pto_part *f = pto_part_new(P, PP_FNTYPE, C.off);
  f->fn = F.t;
  add(P, R, f);
}
cargs_opt(R) ::= . { R = vnew(P); }
cargs_opt(R) ::= cargs(L). { R = L; }

op(R) ::= OP_SECTION(K) region(B) opt_dict(D). {
  pto_part *p = pto_part_new(P, PP_REGION, K.off);
  p->region = B;
  R = add(P, SOP(K), p);
  if (D.a) add(P, R, part_dict(P, D.off, D.a));
}
/* pto.fusion_region { … } [{attrs}] : T, … (its results) */
op(R) ::= OP_SECTION(K) region(B) opt_dict(D) COLON(C) types(T). {
  pto_part *p = pto_part_new(P, PP_REGION, K.off);
  p->region = B;
  R = add(P, SOP(K), p);
  if (D.a) add(P, R, part_dict(P, D.off, D.a));
  add(P, R, part_types(P, PP_ARROW, C.off, T));
}
/* pto.strict_vecscope(%a, …) { … } [{attrs}] : (T, …) -> ()
 * pto.yield(%a, …) : (T, …) -> () */
op(R) ::= OP_SECTION(K) LP(L) uses_opt(U) RP region(B) opt_dict(D) COLON(C) fntype(F). {
  R = add(P, SOP(K), part_uses(P, PP_PAREN, L.off, U));
  pto_part *p = pto_part_new(P, PP_REGION, K.off);
  p->region = B;
  add(P, R, p);
  if (D.a) add(P, R, part_dict(P, D.off, D.a));
  add(P, R, section_fntype(P, C.off, F));
}
/* (no attribute dict before the ':': it would read as the region's '{') */
op(R) ::= OP_SECTION(K) LP(L) uses_opt(U) RP COLON(C) fntype(F). {
  R = add(P, SOP(K), part_uses(P, PP_PAREN, L.off, U));
  add(P, R, section_fntype(P, C.off, F));
}

/* pto.print ins("fmt"[, %a… : T…]) */
op(R) ::= OP_PRINT(K) INS LP STRING(S) RP opt_dict(D). {
  pto_part *f = pto_part_new(P, PP_ATTR, S.off);
  f->attr = pto_attr_string(P, S);
  R = add(P, SOP(K), f);
  if (D.a) add(P, R, part_dict(P, D.off, D.a));
}
op(R) ::= OP_PRINT(K) INS(I) LP STRING(S) COMMA uses(U) COLON types(T) RP opt_dict(D). {
  pto_part *f = pto_part_new(P, PP_ATTR, S.off);
  f->attr = pto_attr_string(P, S);
  R = add(P, SOP(K), f);
  pto_part *p = part_uses(P, PP_INS, I.off, U);
  p->types = *T;
  add(P, R, p);
  if (D.a) add(P, R, part_dict(P, D.off, D.a));
}

/* pipe ops: op[(%a : T)] [{attrs}] [-> T] */
op(R) ::= pipe_h(H). { R = H; }
pipe_h(R) ::= OP_PIPE(K). { R = SOP(K); }
pipe_h(R) ::= pipe_h(H) LP(L) uses(U) COLON types(T) RP. {
  pto_part *p = part_uses(P, PP_PAREN, L.off, U);
  p->types = *T;
  R = add(P, H, p);
}
/* (%a : A, %b : B): each operand with its type (initialize_l2l_pipe) */
pipe_h(R) ::= pipe_h(H) LP(L) uses(U) COLON types(T) COMMA tuses(V) RP. {
  if (U->n != 1 || T->n != 1)
    pto_err(P, L.off, 1, "expected '%%v : T, …' or '%%a, %%b : A, B' inside the parentheses");
  pto_part *p = part_uses(P, PP_PAREN, L.off, U);
  p->types = *T;
  for (uint32_t i = 0; i < V->n; i++) {
    *(pto_use *)pto_vec_push(P, &p->uses, sizeof(pto_use)) = PTO_VEC_AT(*V, pto_tuse, i).u;
    *(pto_tl *)pto_vec_push(P, &p->types, sizeof(pto_tl)) = PTO_VEC_AT(*V, pto_tuse, i).t;
  }
  R = add(P, H, p);
}
tuses(R) ::= use(U) COLON type(T). { R = vnew(P); pto_tuse x = {U, T}; *(pto_tuse *)pto_vec_push(P, R, sizeof x) = x; }
tuses(R) ::= tuses(L) COMMA use(U) COLON type(T). { R = L; pto_tuse x = {U, T}; *(pto_tuse *)pto_vec_push(P, R, sizeof x) = x; }
pipe_h(R) ::= pipe_h(H) attr_dict(D). { R = add(P, H, part_dict(P, D.off, D.a)); }
/* tpop_from_aic/aiv(%valid_row, %valid_col): untyped index operands (ptoas) */
pipe_h(R) ::= pipe_h(H) LP(L) uses(U) RP. { R = add(P, H, part_uses(P, PP_PAREN, L.off, U)); }
/* … aiv_subblockid(%s): the vector sub-block a tpush/tpop of a split pipe addresses (ptoas) */
pipe_h(R) ::= pipe_h(H) AIV_SUBBLOCKID(W) LP use(U) RP. { R = add(P, H, kwuse(P, "aiv_subblockid", W.off, U)); }
/* aic/aiv_initialize_pipe: op {attrs} (kw = %v : T, …) [{attrs}] */
pipe_h(R) ::= pipe_h(H) LP kwtuses(L) RP. {
  R = H;
  for (uint32_t i = 0; i < L->n; i++) add(P, R, PTO_VEC_AT(*L, pto_part *, i));
}
kwtuses(R) ::= kwtuse(U). { R = vnew(P); *(pto_part **)pto_vec_push(P, R, sizeof U) = U; }
kwtuses(R) ::= kwtuses(L) COMMA kwtuse(U). { R = L; *(pto_part **)pto_vec_push(P, R, sizeof U) = U; }
kwtuse(R) ::= IDENT(W) EQ use(U) COLON type(T). {
  R = pto_part_new(P, PP_KWUSE, W.off);
  R->word = P->src->text + W.off;
  R->wlen = W.len;
  *(pto_use *)pto_vec_push(P, &R->uses, sizeof U) = U;
  *(pto_tl *)pto_vec_push(P, &R->types, sizeof T) = T;
}
pipe_h(R) ::= pipe_h(H) ARROW(A) type(T). { R = add(P, H, part_type(P, PP_ARROW, A.off, T)); }

/* arith */
op(R) ::= OP_CONSTANT(K) attr(A). {
  pto_part *p = pto_part_new(P, PP_ATTR, K.off + K.len);
  p->attr = A;
  R = add(P, SOP(K), p);
}
op(R) ::= OP_ARITH(K) uses(U) opt_dict(D) COLON(C) types(T). {
  R = add(P, SOP(K), part_uses(P, PP_OPERANDS, K.off, U));
  if (D.a) add(P, R, part_dict(P, D.off, D.a));
  add(P, R, part_types(P, PP_TYPES, C.off, T));
}
op(R) ::= OP_ARITH(K) uses(U) IDENT(F) LT words(W) GT opt_dict(D) COLON(C) types(T). {
  R = add(P, SOP(K), part_uses(P, PP_OPERANDS, K.off, U));
  pto_part *f = pto_part_new(P, PP_WORD, F.off); /* overflow<nsw> / fastmath<fast>: items = words */
  f->word = P->src->text + F.off;
  f->wlen = F.len;
  f->items = *W;
  add(P, R, f);
  if (D.a) add(P, R, part_dict(P, D.off, D.a));
  add(P, R, part_types(P, PP_TYPES, C.off, T));
}
words(R) ::= IDENT(W). {
  R = vnew(P);
  pto_item it = {.kind = 2, .word = P->src->text + W.off, .wlen = W.len, .loc = pto_loc(P, W.off)};
  *(pto_item *)pto_vec_push(P, R, sizeof it) = it;
}
words(R) ::= words(L) COMMA IDENT(W). {
  R = L;
  pto_item it = {.kind = 2, .word = P->src->text + W.off, .wlen = W.len, .loc = pto_loc(P, W.off)};
  *(pto_item *)pto_vec_push(P, R, sizeof it) = it;
}
op(R) ::= OP_CMP(K) IDENT(W) COMMA uses(U) opt_dict(D) COLON(C) type(T). {
  R = add(P, SOP(K), part_word(P, W));
  add(P, R, part_uses(P, PP_OPERANDS, K.off, U));
  if (D.a) add(P, R, part_dict(P, D.off, D.a));
  add(P, R, part_type(P, PP_TYPES, C.off, T));
}
op(R) ::= OP_CAST(K) uses(U) opt_dict(D) COLON(C) type(A) IDENT(W) type(B). {
  R = add(P, SOP(K), part_uses(P, PP_OPERANDS, K.off, U));
  if (D.a) add(P, R, part_dict(P, D.off, D.a));
  add(P, R, part_type(P, PP_TYPES, C.off, A));
  add(P, R, part_word(P, W));
  add(P, R, part_type(P, PP_ARROW, W.off, B));
}

/* func.call @f(%a) : (A) -> R ; return [%a : A] */
op(R) ::= OP_CALL(K) SYMBOL(S) LP uses_opt(U) RP opt_dict(D) COLON(C) fntype(F). {
  pto_part *s = pto_part_new(P, PP_SYMBOL, S.off);
  s->attr = pto_attr_symbol(P, S);
  R = add(P, SOP(K), s);
  add(P, R, part_uses(P, PP_OPERANDS, S.off, U));
  if (D.a) add(P, R, part_dict(P, D.off, D.a));
  pto_part *f = pto_part_new(P, PP_FNTYPE, C.off);
  f->fn = F.t;
  add(P, R, f);
}
op(R) ::= OP_RETURN(K). { R = SOP(K); }
op(R) ::= OP_RETURN(K) uses(U) COLON(C) types(T). {
  R = add(P, SOP(K), part_uses(P, PP_OPERANDS, K.off, U));
  add(P, R, part_types(P, PP_TYPES, C.off, T));
}
op(R) ::= OP_YIELD(K). { R = SOP(K); }
op(R) ::= OP_YIELD(K) uses(U) COLON(C) types(T). {
  R = add(P, SOP(K), part_uses(P, PP_OPERANDS, K.off, U));
  add(P, R, part_types(P, PP_TYPES, C.off, T));
}
op(R) ::= OP_CONDITION(K) LP use(U) RP. {
  pto_part *p = pto_part_new(P, PP_PAREN, K.off);
  *(pto_use *)pto_vec_push(P, &p->uses, sizeof U) = U;
  R = add(P, SOP(K), p);
}
op(R) ::= OP_CONDITION(K) LP use(U) RP uses(L) COLON(C) types(T). {
  pto_part *p = pto_part_new(P, PP_PAREN, K.off);
  *(pto_use *)pto_vec_push(P, &p->uses, sizeof U) = U;
  R = add(P, SOP(K), p);
  add(P, R, part_uses(P, PP_OPERANDS, K.off, L));
  add(P, R, part_types(P, PP_TYPES, C.off, T));
}

/* scf.for %i = %lb to %ub step %s [iter_args(%a = %x) -> (T)] [: T] { … } */
op(R) ::= for_h(H) region(B) opt_dict(D). {
  pto_part *p = pto_part_new(P, PP_REGION, 0);
  p->region = B;
  R = add(P, H, p);
  if (D.a) add(P, R, part_dict(P, D.off, D.a));
}
for_h(R) ::= OP_FOR(K) BIND(I) use(L) IDENT(T) use(U) IDENT(S) use(St). {
  pto_part *iv = pto_part_new(P, PP_IV, I.off);
  pto_bind b = {P->src->text + I.off + 1, I.nlen, pto_loc(P, I.off), L};
  *(pto_bind *)pto_vec_push(P, &iv->binds, sizeof b) = b;
  R = add(P, SOP(K), iv);
  add(P, R, part_word(P, T));
  pto_part *ub = pto_part_new(P, PP_OPERANDS, U.loc.off);
  *(pto_use *)pto_vec_push(P, &ub->uses, sizeof U) = U;
  add(P, R, ub);
  add(P, R, part_word(P, S));
  pto_part *st = pto_part_new(P, PP_OPERANDS, St.loc.off);
  *(pto_use *)pto_vec_push(P, &st->uses, sizeof St) = St;
  add(P, R, st);
}
for_h(R) ::= for_h(H) IDENT(W) LP binds_opt(B) RP. {
  pto_part *p = pto_part_new(P, PP_BINDS, W.off);
  p->word = P->src->text + W.off;
  p->wlen = W.len;
  p->binds = *B;
  R = add(P, H, p);
}
for_h(R) ::= for_h(H) ARROW(A) type(T). { R = add(P, H, part_type(P, PP_ARROW, A.off, T)); }
for_h(R) ::= for_h(H) ARROW(A) LP types(T) RP. { R = add(P, H, part_types(P, PP_ARROW, A.off, T)); }
for_h(R) ::= for_h(H) ARROW(A) LP RP. { R = add(P, H, pto_part_new(P, PP_ARROW, A.off)); }
for_h(R) ::= for_h(H) COLON(C) type(T). { R = add(P, H, part_type(P, PP_TYPES, C.off, T)); }

/* scf.if %c [-> (T)] { … } [else { … }] */
op(R) ::= if_h(H) region(B). {
  pto_part *p = pto_part_new(P, PP_REGION, 0);
  p->region = B;
  R = add(P, H, p);
}
op(R) ::= if_h(H) region(B) ELSE region(E). {
  pto_part *p = pto_part_new(P, PP_REGION, 0);
  p->region = B;
  R = add(P, H, p);
  pto_part *q = pto_part_new(P, PP_REGION, 0);
  q->region = E;
  q->word = "else";
  q->wlen = 4;
  add(P, R, q);
}
if_h(R) ::= OP_IF(K) use(U). {
  pto_part *p = pto_part_new(P, PP_OPERANDS, K.off);
  *(pto_use *)pto_vec_push(P, &p->uses, sizeof U) = U;
  R = add(P, SOP(K), p);
}
if_h(R) ::= if_h(H) ARROW(A) type(T). { R = add(P, H, part_type(P, PP_ARROW, A.off, T)); }
if_h(R) ::= if_h(H) ARROW(A) LP types(T) RP. { R = add(P, H, part_types(P, PP_ARROW, A.off, T)); }
if_h(R) ::= if_h(H) ARROW(A) LP RP. { R = add(P, H, pto_part_new(P, PP_ARROW, A.off)); }

/* %r = scf.while (%a = %x) : (T) -> (T) { … } do { ^bb0(…): … } */
op(R) ::= OP_WHILE(K) LP(L) binds_opt(B) RP COLON(C) fntype(F) region(X) IDENT(W) region(Y) opt_dict(D). {
  pto_part *p = pto_part_new(P, PP_BINDS, L.off);
  p->binds = *B;
  R = add(P, SOP(K), p);
  pto_part *f = pto_part_new(P, PP_FNTYPE, C.off);
  f->fn = F.t;
  add(P, R, f);
  pto_part *r1 = pto_part_new(P, PP_REGION, 0);
  r1->region = X;
  add(P, R, r1);
  add(P, R, part_word(P, W));
  pto_part *r2 = pto_part_new(P, PP_REGION, 0);
  r2->region = Y;
  add(P, R, r2);
  if (D.a) add(P, R, part_dict(P, D.off, D.a));
}

/* generic form */
op(R) ::= gen_h(G) COLON(C) fntype(F). {
  pto_part *f = pto_part_new(P, PP_FNTYPE, C.off);
  f->fn = F.t;
  R = add(P, G, f);
}
gen_h(R) ::= STRING(N) LP uses_opt(U) RP. {
  uint32_t len;
  const char *name = pto_string_value(P, N, &len);
  ptk_op_kind k = ptk_op_lookup(name, len);
  R = pto_new(P, sizeof *R);
  R->loc = pto_loc(P, N.off + 1);
  R->namelen = len;
  R->generic = true;
  R->kind = k;
  if (k == PTK_OP__INVALID) {
    bool first = !P->failed;
    pto_err(P, N.off + 1, len ? len : 1, "unknown operation '%s'", name);
    const char *s = ptk_op_suggest(name, len);
    if (s && first) ptk_note(P->diags, pto_range(P, N.off + 1, len), "did you mean '%s'?", s);
  } else if (ptk_op_table[k].family == PTK_FAM_MODULE || ptk_op_table[k].family == PTK_FAM_FUNC) {
    pto_err(P, N.off + 1, len, "'%s' cannot be written in the generic form here", name);
  }
  add(P, R, part_uses(P, PP_OPERANDS, N.off, U));
}
gen_h(R) ::= gen_h(G) LT(L) attr_dict(D) GT. {
  pto_part *p = pto_part_new(P, PP_PROPS, L.off);
  p->attr = D.a;
  R = add(P, G, p);
}
gen_h(R) ::= gen_h(G) LP gregions(L) RP. {
  R = G;
  for (uint32_t i = 0; i < L->n; i++) {
    pto_part *p = pto_part_new(P, PP_REGION, 0);
    p->region = PTO_VEC_AT(*L, pto_region *, i);
    add(P, R, p);
  }
}
gen_h(R) ::= gen_h(G) attr_dict(D). { R = add(P, G, part_dict(P, D.off, D.a)); }
gregions(R) ::= region(B). { R = vnew(P); *(pto_region **)pto_vec_push(P, R, sizeof B) = B; }
gregions(R) ::= gregions(L) COMMA region(B). { R = L; *(pto_region **)pto_vec_push(P, R, sizeof B) = B; }

/* ---- types ----------------------------------------------------------- */

type(R) ::= IDENT(T). [VLOW] { R = tl(P, pto_type_named(P, T), T.off); }
type(R) ::= ctype(C). { R = C; }
ctype(R) ::= TY_BANG(T). { R = tl(P, pto_type_named(P, T), T.off); }
ctype(R) ::= TY_OPAQUE(T). { R = tl(P, pto_type_opaque_tok(P, T), T.off); }
/* The four PTO types are cached by their exact text (TY_CACHED). */
ctype(R) ::= TY_CACHED(C). { R = tl(P, C.type, C.off); }
ctype(R) ::= TY_PTR(K) LT type(E) GT(G). {
  R = tl(P, pto_type_ptr(P, K, E.t, NULL), K.off);
  pto_tcache_put(P, K.off, G.off + 1, R.t);
}
ctype(R) ::= TY_PTR(K) LT type(E) COMMA IDENT(S) GT(G). {
  R = tl(P, pto_type_ptr(P, K, E.t, &S), K.off);
  pto_tcache_put(P, K.off, G.off + 1, R.t);
}
ctype(R) ::= TY_TV(K) LT DIMS(D) type(E) GT(G). {
  R = tl(P, pto_type_view(P, K, &D, E.t), K.off);
  pto_tcache_put(P, K.off, G.off + 1, R.t);
}
ctype(R) ::= TY_TV(K) LT type(E) GT(G). {
  R = tl(P, pto_type_view(P, K, NULL, E.t), K.off);
  pto_tcache_put(P, K.off, G.off + 1, R.t);
}
ctype(R) ::= TY_PV(K) LT DIMS(D) type(E) GT(G). {
  R = tl(P, pto_type_view(P, K, &D, E.t), K.off);
  pto_tcache_put(P, K.off, G.off + 1, R.t);
}
ctype(R) ::= TY_PV(K) LT type(E) GT(G). {
  R = tl(P, pto_type_view(P, K, NULL, E.t), K.off);
  pto_tcache_put(P, K.off, G.off + 1, R.t);
}
ctype(R) ::= TY_TILE(K) LT titems(I) GT(G). {
  R = tl(P, pto_type_tile(P, K, I), K.off);
  pto_tcache_put(P, K.off, G.off + 1, R.t);
}

titems(R) ::= titem(I). { R = vnew(P); *(pto_titem *)pto_vec_push(P, R, sizeof I) = I; }
titems(R) ::= titems(L) COMMA titem(I). { R = L; *(pto_titem *)pto_vec_push(P, R, sizeof I) = I; }
titem(R) ::= IDENT(W). {
  memset(&R, 0, sizeof R);
  R.vkind = 1;
  R.word = P->src->text + W.off;
  R.wlen = W.len;
  R.loc = pto_loc(P, W.off);
}
titem(R) ::= DIMS(D) type(E). {
  memset(&R, 0, sizeof R);
  R.vkind = 4;
  int64_t d[2] = {0, 0};
  pto_dims(P, D, d, 2);
  R.d0 = d[0];
  R.d1 = d[1];
  R.ival = D.count;
  R.type = E.t;
  R.loc = pto_loc(P, D.off);
}
titem(R) ::= IDENT(K) EQ tval(V). {
  R = V;
  R.key = P->src->text + K.off;
  R.klen = K.len;
  R.loc = pto_loc(P, K.off);
}
tval(R) ::= IDENT(W). { memset(&R, 0, sizeof R); R.vkind = 1; R.word = P->src->text + W.off; R.wlen = W.len; }
tval(R) ::= INT(I). {
  memset(&R, 0, sizeof R);
  R.vkind = 2;
  R.ival = I.big || I.u > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)I.u;
  /* valid=0x16 lexes as a hex integer: read "0x<decimal>" as the dims 0 x N. */
  const char *t = P->src->text + I.off;
  bool dec = I.hex && I.len > 2 && I.len < 20 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X');
  for (uint32_t k = 2; dec && k < I.len; k++) dec = t[k] >= '0' && t[k] <= '9';
  if (dec) {
    R.vkind = 6;
    R.d0 = 0;
    R.d1 = 0;
    for (uint32_t k = 2; k < I.len; k++) R.d1 = R.d1 * 10 + (t[k] - '0');
    R.ival = 1;
  }
}
tval(R) ::= MINUS INT(I). {
  memset(&R, 0, sizeof R);
  R.vkind = 2;
  R.ival = I.big || I.u > (uint64_t)INT64_MAX ? INT64_MIN + 1 : -(int64_t)I.u;
}
tval(R) ::= QUESTION. { memset(&R, 0, sizeof R); R.vkind = 3; }
tval(R) ::= FLOAT(F). { memset(&R, 0, sizeof R); R.vkind = 7; R.word = P->src->text + F.off; R.wlen = F.len; }
tval(R) ::= ctype(T). { memset(&R, 0, sizeof R); R.vkind = 5; R.type = T.t; }
tval(R) ::= DIMS(D) INT(I). {
  memset(&R, 0, sizeof R);
  R.vkind = 6;
  int64_t d[1] = {0};
  pto_dims(P, D, d, 1);
  R.d0 = d[0];
  R.d1 = I.big || I.u > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)I.u;
  R.ival = D.count;
}
tval(R) ::= DIMS(D) QUESTION. {
  memset(&R, 0, sizeof R);
  R.vkind = 6;
  int64_t d[1] = {0};
  pto_dims(P, D, d, 1);
  R.d0 = d[0];
  R.d1 = PTK_DYN;
  R.ival = D.count;
}

types(R) ::= type(T). { R = vnew(P); push_tl(P, R, T); }
types(R) ::= types(L) COMMA type(T). { R = L; push_tl(P, R, T); }

fntype(R) ::= LP(L) RP ARROW fnres(Z). {
  const ptk_type **rs = pto_new(P, (Z->n + 1) * sizeof *rs);
  for (uint32_t i = 0; i < Z->n; i++) rs[i] = PTO_VEC_AT(*Z, pto_tl, i).t;
  R = tl(P, ptk_type_function(P->m, 0, NULL, Z->n, rs), L.off);
}
fntype(R) ::= LP(L) types(A) RP ARROW fnres(Z). {
  const ptk_type **as = pto_new(P, (A->n + 1) * sizeof *as);
  for (uint32_t i = 0; i < A->n; i++) as[i] = PTO_VEC_AT(*A, pto_tl, i).t;
  const ptk_type **rs = pto_new(P, (Z->n + 1) * sizeof *rs);
  for (uint32_t i = 0; i < Z->n; i++) rs[i] = PTO_VEC_AT(*Z, pto_tl, i).t;
  R = tl(P, ptk_type_function(P->m, A->n, as, Z->n, rs), L.off);
}
fnres(R) ::= type(T). { R = vnew(P); push_tl(P, R, T); }
fnres(R) ::= LP RP. { R = vnew(P); }
fnres(R) ::= LP types(L) RP. { R = L; }

/* ---- attributes ---------------------------------------------------- */

opt_dict(R) ::= . { R.a = NULL; R.off = 0; }
opt_dict(R) ::= attr_dict(D). { R = D; }
attr_dict(R) ::= LBRACE(L) RBRACE. { R.a = pto_attr_dict(P, NULL, L.off); R.off = L.off; }
attr_dict(R) ::= LBRACE(L) dentries(E) RBRACE. { R.a = pto_attr_dict(P, E, L.off); R.off = L.off; }
dentries(R) ::= dentry(E). { R = vnew(P); *(ptk_named_attr *)pto_vec_push(P, R, sizeof E) = E; }
dentries(R) ::= dentries(L) COMMA dentry(E). { R = L; *(ptk_named_attr *)pto_vec_push(P, R, sizeof E) = E; }
dentry(R) ::= IDENT(K). {
  R.name = ptk_arena_strndup(P->syn, P->src->text + K.off, K.len);
  R.value = ptk_attr_unit(P->m);
}
dentry(R) ::= STRING(K). {
  uint32_t len;
  R.name = pto_string_value(P, K, &len);
  R.value = ptk_attr_unit(P->m);
}
dentry(R) ::= IDENT(K) EQ attr(A). {
  R.name = ptk_arena_strndup(P->syn, P->src->text + K.off, K.len);
  R.value = A;
}
dentry(R) ::= STRING(K) EQ attr(A). {
  uint32_t len;
  R.name = pto_string_value(P, K, &len);
  R.value = A;
}

attr(R) ::= INT(I). { R = pto_attr_int(P, I, false, NULL, 0); }
attr(R) ::= INT(I) COLON type(T). { R = pto_attr_int(P, I, false, T.t, T.loc.off); }
attr(R) ::= MINUS INT(I). { R = pto_attr_int(P, I, true, NULL, 0); }
attr(R) ::= MINUS INT(I) COLON type(T). { R = pto_attr_int(P, I, true, T.t, T.loc.off); }
attr(R) ::= FLOAT(F). { R = pto_attr_float(P, F, false, NULL); }
attr(R) ::= FLOAT(F) COLON type(T). { R = pto_attr_float(P, F, false, T.t); }
attr(R) ::= MINUS FLOAT(F). { R = pto_attr_float(P, F, true, NULL); }
attr(R) ::= MINUS FLOAT(F) COLON type(T). { R = pto_attr_float(P, F, true, T.t); }
attr(R) ::= IDENT(W). { R = pto_attr_word(P, W); }
attr(R) ::= STRING(S). { R = pto_attr_string(P, S); }
attr(R) ::= SYMBOL(S). { R = pto_attr_symbol(P, S); }
attr(R) ::= HASH(H). { R = pto_attr_hash(P, H); }
attr(R) ::= ARRAY(A). { R = pto_attr_array_tok(P, A); }
attr(R) ::= DENSE(D). { R = pto_attr_opaque_tok(P, D, NULL); }
attr(R) ::= DENSE(D) COLON type(T). { R = pto_attr_opaque_tok(P, D, T.t); }
attr(R) ::= LSQ RSQ. { R = ptk_attr_array(P->m, NULL, 0); }
attr(R) ::= LSQ attrs(L) RSQ. { R = ptk_attr_array(P->m, (const ptk_attr *const *)L->data, L->n); }
attr(R) ::= attr_dict(D). { R = D.a; }
/* `location = <vec>` (reserve_buffer): a short enum whose dialect the
 * attribute's owner knows; kept as its text */
attr(R) ::= LT(L) IDENT GT(G). { R = ptk_attr_opaque(P->m, P->src->text + L.off, G.off + 1 - L.off, NULL); }
attr(R) ::= ctype(T). { R = ptk_attr_type(P->m, T.t); }
attr(R) ::= fntype(T). { R = ptk_attr_type(P->m, T.t); }
attrs(R) ::= attr(A). { R = vnew(P); *(const ptk_attr **)pto_vec_push(P, R, sizeof A) = A; }
attrs(R) ::= attrs(L) COMMA attr(A). { R = L; *(const ptk_attr **)pto_vec_push(P, R, sizeof A) = A; }

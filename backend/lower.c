/* The one lowering (see lower.h). */
#include "backend/lower.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "lang/source.h"
#include "parser/pto_read.h"
#include "runtime/isa/isa.h"
#include "runtime/isa/scalar.h"
#include "runtime/isa/vec.h"

/* ---- the table, expanded for values ---------------------------------------------------------- */

/* The value of each CALL row's sub-operation (a runtime/isa constant). */
static const int sub_value[PTK_OP__COUNT] = {
#define CALL(SHAPE, SUB) SUB
#define CALL0(SHAPE) 0
#define HAND 0
#define NOP 0
#define NOEXEC(why) 0
#define PTK_OP(ID, NAME, FAM, OPMIN, OPMAX, RESMIN, RESMAX, NREG, SIG, ATTRS, FLAGS, LOWER,        \
               PIPE)                                                                               \
  [PTK_OP_##ID] = LOWER,
#include "lang/ir/ops.def"
#undef PTK_OP
#undef CALL
#undef CALL0
#undef HAND
#undef NOP
#undef NOEXEC
};

static const char *const entry_points[] = {
#define X(name) #name,
    PTK_ISA_ENTRY_POINTS(X) PTK_VEC_ENTRY_POINTS(X)
#undef X
};

bool ptk_lower_is_entry_point(const char *name, size_t len) {
  for (size_t i = 0; i < PTK_ARRAY_LEN(entry_points); i++)
    if (strlen(entry_points[i]) == len && !memcmp(entry_points[i], name, len)) return true;
  return false;
}

bool ptk_lower_isa_dtype(ptk_dtype dt, int *out) {
  switch (dt) {
  case PTK_DT_F32: *out = PTK_ISA_F32; return true;
  case PTK_DT_F16: *out = PTK_ISA_F16; return true;
  case PTK_DT_BF16: *out = PTK_ISA_BF16; return true;
  case PTK_DT_F64: *out = PTK_ISA_F64; return true;
  case PTK_DT_I8:
  case PTK_DT_SI8: *out = PTK_ISA_I8; return true;
  case PTK_DT_I16:
  case PTK_DT_SI16: *out = PTK_ISA_I16; return true;
  case PTK_DT_I32:
  case PTK_DT_SI32: *out = PTK_ISA_I32; return true;
  case PTK_DT_I64:
  case PTK_DT_SI64:
  case PTK_DT_INDEX: *out = PTK_ISA_I64; return true;
  case PTK_DT_UI8: *out = PTK_ISA_U8; return true;
  case PTK_DT_UI16: *out = PTK_ISA_U16; return true;
  case PTK_DT_UI32: *out = PTK_ISA_U32; return true;
  case PTK_DT_UI64: *out = PTK_ISA_U64; return true;
  case PTK_DT_I1: *out = PTK_ISA_I1; return true;
  default: return false;
  }
}

bool ptk_lower_tile_dtype(ptk_dtype dt, int *out) {
  switch (dt) {
  case PTK_DT_F8E4M3FN: *out = PTK_ISA_F8E4M3; return true;
  case PTK_DT_F8E5M2: *out = PTK_ISA_F8E5M2; return true;
  case PTK_DT_F8E8M0: *out = PTK_ISA_E8M0; return true;
  case PTK_DT_HIF8: *out = PTK_ISA_HIF8; return true;
  case PTK_DT_F4E2M1X2: *out = PTK_ISA_F4E2M1X2; return true;
  case PTK_DT_F4E1M2X2: *out = PTK_ISA_F4E1M2X2; return true;
  default: return ptk_lower_isa_dtype(dt, out);
  }
}

/* ---- shapes, parsed once ---------------------------------------------------------------------- */

typedef struct attr_spec {
  char name[192];
  char kind[192];
  int64_t dflt, max;
} attr_spec;

typedef struct shape_desc {
  char role[PTK_CALL_MAXV];
  bool mem[PTK_CALL_MAXV]; /* value k is read as Pk */
  bool gm[PTK_CALL_MAXV];  /* value k is read through ptkj_gm: it must be a view */
  uint8_t nv;
  uint8_t nattr;
  attr_spec attr[PTK_CALL_MAXA];
  int8_t rest; /* Xk/Yk: values k… are passed as an array (-1: none) */
} shape_desc;

static shape_desc shapes[PTK_CALL__COUNT];
static pthread_once_t shapes_once = PTHREAD_ONCE_INIT;

static bool is_ident(char ch) {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_';
}

/* A stronger role wins: a value named as Ik and Ck is an integer. */
static void set_role(shape_desc *s, unsigned k, char r) {
  if (!s->role[k] || s->role[k] == PTK_ROLE_SCALAR || r != PTK_ROLE_SCALAR) s->role[k] = r;
  if (k + 1u > s->nv) s->nv = (uint8_t)(k + 1);
}

bool ptk_lower_expr_next(const char **p, ptk_expr_piece *pc) {
  const char *x = *p, *y = x;
  if (!*x) return false;
  pc->tok = 0;
  pc->k = 0;
  if (!is_ident(*x)) {
    while (*y && !is_ident(*y)) y++;
  } else {
    while (is_ident(*y)) y++;
    size_t n = (size_t)(y - x);
    if (n == 3 && !memcmp(x, "SUB", 3)) {
      pc->tok = 'U';
    } else if (n == 2 && x[1] >= '0' && x[1] <= '9' && strchr("TSIFCWDONAVMGPREXYH", x[0])) {
      pc->tok = x[0];
      pc->k = (unsigned)(x[1] - '0');
    }
  }
  pc->s = x;
  pc->n = (size_t)(y - x);
  *p = y;
  return true;
}

static void parse_shape(int id) {
  const ptk_call_info *ci = &ptk_call_table[id];
  shape_desc *s = &shapes[id];
  ptk_expr_piece pc;
  bool in_gm = false; /* after "ptkj_gm", until its Rk */
  for (const char *p = ci->expr; ptk_lower_expr_next(&p, &pc);) {
    if (!pc.tok && pc.n == 7 && !memcmp(pc.s, "ptkj_gm", 7)) in_gm = true;
    switch (pc.tok) {
    case 'T': set_role(s, pc.k, PTK_ROLE_TILE); break;
    case 'I': set_role(s, pc.k, PTK_ROLE_INT); break;
    case 'F': set_role(s, pc.k, PTK_ROLE_FLOAT); break;
    case 'O':
    case 'N': set_role(s, pc.k, PTK_ROLE_OPT); break;
    case 'S':
    case 'C':
    case 'W':
    case 'D':
    case 'E': set_role(s, pc.k, PTK_ROLE_SCALAR); break;
    case 'V': set_role(s, pc.k, PTK_ROLE_VREG); break;
    case 'M': set_role(s, pc.k, PTK_ROLE_MASK); break;
    case 'G': set_role(s, pc.k, PTK_ROLE_ALIGN); break;
    case 'H': set_role(s, pc.k, PTK_ROLE_HANDLE); break;
    case 'P':
      s->mem[pc.k] = true; /* the memory of a pointer, never of a view */
      set_role(s, pc.k, PTK_ROLE_PTR);
      break;
    case 'R':
      s->gm[pc.k] |= in_gm;
      in_gm = false;
      set_role(s, pc.k, PTK_ROLE_PTR);
      break;
    case 'X':
    case 'Y': s->rest = (int8_t)pc.k; break;
    default: break; /* text, SUB, attributes */
    }
  }
  /* "name:kind:default:max,…" */
  const char *a = ci->attrs;
  while (*a && s->nattr < PTK_CALL_MAXA) {
    attr_spec *sp = &s->attr[s->nattr++];
    const char *end = strchr(a, ',');
    if (!end) end = a + strlen(a);
    char item[192];
    size_t n = (size_t)(end - a) < sizeof item - 1 ? (size_t)(end - a) : sizeof item - 1;
    memcpy(item, a, n);
    item[n] = 0;
    char *f1 = strchr(item, ':'), *f2 = f1 ? strchr(f1 + 1, ':') : NULL, *f3 = f2 ? strchr(f2 + 1, ':') : NULL;
    if (f1 && f2 && f3) {
      *f1 = *f2 = *f3 = 0;
      snprintf(sp->name, sizeof sp->name, "%s", item);
      snprintf(sp->kind, sizeof sp->kind, "%s", f1 + 1);
      sp->dflt = strtoll(f2 + 1, NULL, 10);
      sp->max = strtoll(f3 + 1, NULL, 10);
    }
    a = *end ? end + 1 : end;
  }
}

static void init_shapes(void) {
  for (int i = 0; i < PTK_CALL__COUNT; i++) shapes[i].rest = -1;
  for (int i = 0; i < PTK_CALL__COUNT; i++) parse_shape(i);
}

/* ---- diagnostics ------------------------------------------------------------------------------- */

static const char *opname(const ptk_op *op) { return ptk_op_table[op->kind].name; }

void ptk_lower_unsupported(const ptk_op *op, ptk_diags *d) {
  const ptk_op_info *info = &ptk_op_table[op->kind];
  if (info->lower == PTK_LOWER_NOEXEC && info->why)
    ptk_error_loc(d, op->loc, "%s cannot run on the host: %s", info->name, info->why);
  else
    ptk_error_loc(d, op->loc, "%s cannot run on the host", info->name);
}

static const char *role_noun(char r) {
  switch (r) {
  case PTK_ROLE_TILE: return "a tile";
  case PTK_ROLE_INT: return "an integer scalar";
  case PTK_ROLE_FLOAT: return "a float scalar";
  case PTK_ROLE_VREG: return "a vector register";
  case PTK_ROLE_MASK: return "a mask";
  case PTK_ROLE_ALIGN: return "an align carrier";
  case PTK_ROLE_HANDLE: return "an async handle";
  case PTK_ROLE_PTR: return "a pointer";
  default: return "a scalar";
  }
}

/* "ins[1]", "outs[0]", "the result", "operand 1" */
static void value_name(const ptk_op *op, const ptk_call *r, unsigned k, char *buf, size_t n) {
  int m = ptk_call_table[r->shape].max_ins;
  if (ptk_op_table[op->kind].family == PTK_FAM_DPS && m >= 0 && k > (unsigned)m)
    snprintf(buf, n, "outs[%u]", k - (unsigned)m); /* the outs after outs[0] */
  else if (ptk_op_table[op->kind].family == PTK_FAM_DPS)
    snprintf(buf, n, k == 0 ? "outs[0]" : "ins[%u]", k - 1);
  else if (k < r->nres)
    snprintf(buf, n, r->nres == 1 ? "the result" : "result %u", k);
  else
    snprintf(buf, n, "operand %u", k - r->nres);
}

/* ---- attributes --------------------------------------------------------------------------------- */

/* The program evaluators pass the IR's predicate straight to scalar.h. */
#define X(n) _Static_assert((int)PTK_CMPI_##n == (int)PTK_SC_CMPI_##n, "cmpi numbering");
PTK_CMPI_PREDICATES(X)
#undef X
#define X(n) _Static_assert((int)PTK_CMPF_##n == (int)PTK_SC_CMPF_##n, "cmpf numbering");
PTK_CMPF_PREDICATES(X)
#undef X

static int pred_index(const char *kind, int64_t v) {
  int i = 0;
  if (!strcmp(kind, "cmpi")) {
#define X(n)                                                                                       \
  if (v == PTK_CMPI_##n) return PTK_SC_CMPI_##n;                                                   \
  i++;
    PTK_CMPI_PREDICATES(X)
#undef X
  } else {
#define X(n)                                                                                       \
  if (v == PTK_CMPF_##n) return PTK_SC_CMPF_##n;                                                   \
  i++;
    PTK_CMPF_PREDICATES(X)
#undef X
  }
  (void)i;
  return -1;
}

static bool decode_attr(const ptk_op *op, const attr_spec *sp, int64_t *out, ptk_diags *d) {
  /* VPTO clause groups: `loop:clauses:…` counts the op's loop(…) clauses;
   * `pad:clause_float:…` says whether the clause's first operand is a float */
  if (!strcmp(sp->kind, "clauses") || !strcmp(sp->kind, "clause_float")) {
    uint32_t n = 0, first = 0, cnt = 0;
    while (ptk_op_clause(op, sp->name, n, &first, &cnt)) n++;
    if (!strcmp(sp->kind, "clause_float"))
      n = n && cnt && first < op->noperands && op->operands[first]->type &&
          op->operands[first]->type->kind == PTK_TY_SCALAR && ptk_dtype_is_float(op->operands[first]->type->dt);
    if (sp->max >= 0 && n > (uint32_t)sp->max) {
      ptk_error_loc(d, op->loc, "%s: at most %lld %s(…) clauses run on the host, not %u", opname(op),
                    (long long)sp->max, sp->name, n);
      return false;
    }
    *out = n;
    return true;
  }
  /* `+w|w|…`: bit i set when word i is written (a w0… slot) or clause i(…) is;
   * `@c|c|…`: 8 bits per clause i, (first operand + 1) | count << 5, 0 when absent */
  if (sp->kind[0] == '+' || sp->kind[0] == '@') {
    int64_t v = 0;
    int i = 0;
    for (const char *w = sp->kind + 1; *w && i < 8; i++) {
      const char *e = strchr(w, '|');
      size_t n = e ? (size_t)(e - w) : strlen(w);
      char nm[64];
      snprintf(nm, sizeof nm, "%.*s", (int)(n < 63 ? n : 63), w);
      if (sp->kind[0] == '@') {
        uint32_t first = 0, cnt = 0;
        if (ptk_op_clause(op, nm, 0, &first, &cnt) && first < 31 && cnt < 4)
          v |= (int64_t)((first + 1) | (cnt << 5)) << (8 * i);
      } else {
        /* a bare word takes a w0… slot (the form writes '^'); a clause is named in the form */
        for (int k = 0; k < 4; k++) {
          char wn[4] = {'w', (char)('0' + k), 0, 0};
          const ptk_attr *wa = ptk_op_attr(op, wn);
          if (wa && wa->kind == PTK_ATTR_STRING && wa->str.len == n && !memcmp(wa->str.s, nm, n))
            v |= (int64_t)1 << i;
        }
        uint32_t first = 0, cnt = 0;
        if (ptk_op_clause(op, nm, 0, &first, &cnt)) v |= (int64_t)1 << i;
      }
      w += n + (e ? 1 : 0);
    }
    *out = v;
    return true;
  }
  /* `slots`: the count of operand 0's !pto.multi_tile_buf */
  if (!strcmp(sp->kind, "slots")) {
    *out = op->noperands ? ptk_type_multi_tile_count(op->operands[0]->type, NULL, NULL) : 0;
    if (*out > 0) return true;
    ptk_error_loc(d, op->loc, "%s: operand 0 is not a !pto.multi_tile_buf<…, count=N>", opname(op));
    return false;
  }
  const ptk_attr *a = ptk_op_attr(op, sp->name);
  if (!a) {
    if (sp->dflt < 0) {
      ptk_error_loc(d, op->loc, "%s: missing attribute '%s'", opname(op), sp->name);
      return false;
    }
    *out = sp->dflt;
    return true;
  }
  int64_t v = -1;
  bool ok;
  if (!strcmp(sp->kind, "unit")) {
    int64_t iv = 0;
    ok = a->kind == PTK_ATTR_UNIT || (ptk_attr_get_int(a, &iv));
    v = a->kind == PTK_ATTR_UNIT ? 1 : iv != 0;
  } else if (!strcmp(sp->kind, "int")) {
    ok = ptk_attr_get_int(a, &v);
  } else if (!strcmp(sp->kind, "cmpi") || !strcmp(sp->kind, "cmpf")) {
    int64_t iv;
    ok = ptk_attr_get_int(a, &iv) && (v = pred_index(sp->kind, iv)) >= 0;
  } else if (sp->kind[0] == '=') {
    /* "=W0|W1|…": a string (or bare word) attribute's index in the list */
    ok = a->kind == PTK_ATTR_STRING;
    if (ok) {
      v = -1;
      int64_t i = 0;
      for (const char *w = sp->kind + 1; *w; i++) {
        const char *e = strchr(w, '|');
        size_t n = e ? (size_t)(e - w) : strlen(w);
        if (n == a->str.len && !memcmp(w, a->str.s, n)) v = i;
        w += n + (e ? 1 : 0);
      }
      ok = v >= 0;
    }
  } else if (a->kind == PTK_ATTR_INT) {
    ok = ptk_attr_get_int(a, &v);
  } else {
    v = ptk_attr_enum_index(a, sp->kind);
    ok = v >= 0;
  }
  if (ok && (v < 0 || (sp->max >= 0 && v > sp->max))) ok = false;
  if (!ok) {
    ptk_buf b = {0};
    ptk_attr_print(a, &b);
    ptk_error_loc(d, op->loc, "%s: unsupported value %s for attribute '%s'", opname(op),
                  ptk_buf_cstr(&b), sp->name);
    ptk_buf_free(&b);
    return false;
  }
  *out = v;
  return true;
}

/* ---- scalars --------------------------------------------------------------------------------- */

/* Which float/int conversions each cast sub-operation accepts. */
static bool cast_ok(int sub, ptk_dtype s, ptk_dtype d) {
  bool sf = ptk_dtype_is_float(s), df = ptk_dtype_is_float(d);
  switch (sub) {
  case PTK_SC_EXT_SIGNED:
  case PTK_SC_EXT_UNSIGNED: return !sf && !df;
  case PTK_SC_FTOF: return sf && df;
  case PTK_SC_SITOFP:
  case PTK_SC_UITOFP: return !sf && df;
  case PTK_SC_FPTOSI:
  case PTK_SC_FPTOUI: return sf && !df;
  default: return ptk_dtype_bits(s) == ptk_dtype_bits(d);
  }
}

static bool scalar_rules(const ptk_op *op, ptk_call *r, bool tiles, ptk_diags *d) {
  if (r->shape == PTK_CALL_CAST) {
    ptk_dtype s = r->v[1]->type->dt, t = r->v[0]->type->dt;
    if (!cast_ok(r->sub, s, t)) {
      ptk_error_loc(d, op->loc, "%s: cannot convert %s to %s", opname(op), ptk_dtype_name(s),
                    ptk_dtype_name(t));
      return false;
    }
    return true;
  }
  if (tiles) return true;
  /* arith: the operands share one type; so does the result, except for
   * comparisons (i1) */
  bool cmp = r->shape == PTK_CALL_ICMP || r->shape == PTK_CALL_FCMP;
  const ptk_value *first = r->v[r->nres];
  for (unsigned k = cmp ? r->nres : 0; k < r->nv; k++)
    if (r->v[k] && first && r->v[k]->type->dt != first->type->dt) {
      ptk_error_loc(d, op->loc, "%s: operands%s must be scalars of one type", opname(op),
                    cmp ? "" : " and result");
      return false;
    }
  return true;
}

/* ---- the lowering ------------------------------------------------------------------------------ */

bool ptk_lower_call_quiet(const ptk_op *op, ptk_call *rec) {
  if (ptk_op_table[op->kind].lower != PTK_LOWER_CALL) return false;
  ptk_diags quiet = {0};
  bool ok = ptk_lower_call(op, rec, &quiet);
  ptk_diags_clear(&quiet);
  ptk_vec_free(&quiet.items);
  return ok;
}

bool ptk_lower_call(const ptk_op *op, ptk_call *r, ptk_diags *d) {
  pthread_once(&shapes_once, init_shapes);
  const ptk_op_info *info = &ptk_op_table[op->kind];
  memset(r, 0, sizeof *r);
  if (info->lower != PTK_LOWER_CALL) {
    ptk_lower_unsupported(op, d);
    return false;
  }
  r->shape = info->shape;
  r->sub = sub_value[op->kind];
  r->sub_name = info->sub;
  /* the values, in the numbering of calls.def */
  const ptk_value *vals[PTK_CALL_MAXV] = {0};
  unsigned nvals = 0;
  if (info->family == PTK_FAM_DPS) {
    uint32_t nin, nout;
    ptk_value **in = ptk_op_segment(op, 0, &nin), **out = ptk_op_segment(op, 1, &nout);
    /* mgather with its indices in global memory (the GM -> L1 form) */
    if (r->shape == PTK_CALL_MGATHER && nin >= 2 && ptk_lower_value_kind(in[1]->type) == PTK_VK_VIEW)
      r->shape = PTK_CALL_MGATHER_GM;
    /* tgather with a scalar ins[1]: the compare form */
    if (r->shape == PTK_CALL_TGATHER && nin >= 2 && in[1]->type && in[1]->type->kind == PTK_TY_SCALAR)
      r->shape = PTK_CALL_TGATHER_CMP;
    const ptk_call_info *ci = &ptk_call_table[r->shape];
    if (ci->max_ins >= 0 && nin > (uint32_t)ci->max_ins) {
      ptk_error_loc(d, op->loc, "%s with %u inputs cannot run on the host (only %d)", opname(op),
                    nin, ci->max_ins);
      return false;
    }
    vals[nvals++] = nout ? out[0] : NULL;
    for (uint32_t i = 0; i < nin && nvals < PTK_CALL_MAXV; i++) vals[nvals++] = in[i];
    /* a shape with MAXIN m names the outs after outs[0] from value m + 1 on */
    if (ci->max_ins >= 0 && nout > 1) {
      while (nvals < 1u + (unsigned)ci->max_ins) vals[nvals++] = NULL;
      for (uint32_t i = 1; i < nout && nvals < PTK_CALL_MAXV; i++) vals[nvals++] = out[i];
    }
    /* tdivs ins(%s, %t): the scalar-first form */
    if (r->shape == PTK_CALL_BIN_TS && nin >= 1 && in[0]->type && in[0]->type->kind == PTK_TY_SCALAR)
      r->shape = PTK_CALL_BIN_ST;
  } else {
    r->nres = (uint8_t)op->nresults;
    if (op->nresults + op->noperands > PTK_CALL_MAXV) {
      ptk_error_loc(d, op->loc, "%s with %u values cannot run on the host (at most %d)", opname(op),
                    op->nresults + op->noperands, PTK_CALL_MAXV);
      return false;
    }
    for (uint32_t i = 0; i < op->nresults && nvals < PTK_CALL_MAXV; i++) vals[nvals++] = &op->results[i];
    for (uint32_t i = 0; i < op->noperands && nvals < PTK_CALL_MAXV; i++) vals[nvals++] = op->operands[i];
    /* post-update vlds / vsts: a pointer result */
    if (r->shape == PTK_CALL_VLDS && op->nresults == 2) r->shape = PTK_CALL_VLDS_POST;
    if (r->shape == PTK_CALL_VSTS && op->nresults == 1) r->shape = PTK_CALL_VSTS_POST;
    /* vdup of a scalar (vs. of a register's lane) */
    if (r->shape == PTK_CALL_VE_DUP && op->noperands >= 1 && op->operands[0]->type &&
        op->operands[0]->type->kind == PTK_TY_SCALAR)
      r->shape = PTK_CALL_VE_DUP_S;
  }
  const shape_desc *sd = &shapes[r->shape];
  r->nv = sd->nv;
  if (sd->rest >= 0) { /* Xk: every value from k on, scalars */
    r->nv = (uint8_t)(nvals > (unsigned)sd->rest ? nvals : (unsigned)sd->rest);
    for (unsigned k = (unsigned)sd->rest; k < nvals; k++) {
      const ptk_type *t = vals[k] ? vals[k]->type : NULL;
      if (!t || t->kind != PTK_TY_SCALAR) { /* e.g. FIXPIPE's vector pre_quant(%fb, …) */
        ptk_error_loc(d, op->loc, "%s cannot run on the host: this form (operand %u is not a scalar) is not supported yet",
                      opname(op), k - r->nres);
        return false;
      }
      r->v[k] = vals[k];
      r->role[k] = PTK_ROLE_REST;
      r->fl[k] = ptk_dtype_is_float(t->dt);
      r->width[k] = (uint8_t)ptk_dtype_bits(t->dt);
    }
  } else if (info->family == PTK_FAM_VOP && (op->nresults + op->noperands > sd->nv)) {
    /* a value the shape does not name would be dropped silently */
    unsigned k = sd->nv;
    ptk_error_loc(d, op->loc, "%s: %s %u of this form cannot run on the host (the call takes %u values)",
                  opname(op), k < op->nresults ? "result" : "operand", k < op->nresults ? k : k - op->nresults,
                  sd->nv);
    return false;
  }
  bool tiles = false, handles = false; /* the arith same-type rule is for plain scalar ops */
  for (unsigned k = 0; k < sd->nv && (sd->rest < 0 || k < (unsigned)sd->rest); k++) {
    char role = sd->role[k];
    r->role[k] = role;
    if (!role) continue;
    const ptk_value *v = k < nvals ? vals[k] : NULL;
    if (role == PTK_ROLE_OPT) {
      /* optional: a tile (Ok) or an integer scalar (Nk) when value k is one */
      const ptk_type *ot = v ? v->type : NULL;
      bool tile = ot && ot->kind == PTK_TY_TILE_BUF;
      bool integer = ot && ot->kind == PTK_TY_SCALAR && !ptk_dtype_is_float(ot->dt);
      r->v[k] = tile || integer ? v : NULL;
      if (integer) r->width[k] = (uint8_t)ptk_dtype_bits(ot->dt);
      tiles |= tile;
      continue;
    }
    char nm[32];
    value_name(op, r, k, nm, sizeof nm);
    if (!v || !v->type) {
      ptk_error_loc(d, op->loc, "%s: %s is missing", opname(op), nm);
      return false;
    }
    r->v[k] = v;
    const ptk_type *t = v->type;
    bool is_tile = t->kind == PTK_TY_TILE_BUF, is_sc = t->kind == PTK_TY_SCALAR;
    bool fl = is_sc && ptk_dtype_is_float(t->dt);
    int vk = ptk_lower_value_kind(t);
    bool ok = role == PTK_ROLE_TILE    ? vk == PTK_VK_TILE
              : role == PTK_ROLE_INT   ? is_sc && !fl
              : role == PTK_ROLE_FLOAT ? fl
              : role == PTK_ROLE_VREG  ? vk == PTK_VK_VREG
              : role == PTK_ROLE_MASK  ? vk == PTK_VK_MASK
              : role == PTK_ROLE_ALIGN ? vk == PTK_VK_ALIGN
              : role == PTK_ROLE_HANDLE ? vk == PTK_VK_HANDLE
              : role == PTK_ROLE_PTR   ? vk == PTK_VK_PTR || (vk == PTK_VK_VIEW && !sd->mem[k])
                                       : is_sc;
    if (ok && sd->gm[k] && vk != PTK_VK_VIEW) { /* global memory of a known extent */
      char *ts = ptk_type_str(t);
      ptk_error_loc(d, op->loc, "%s: %s must be a tensor or partition view to run on the host, not %s",
                    opname(op), nm, ts);
      free(ts);
      return false;
    }
    if (!ok) {
      char *ts = ptk_type_str(t);
      ptk_error_loc(d, op->loc, "%s: %s must be %s, not %s", opname(op), nm, role_noun(role), ts);
      free(ts);
      return false;
    }
    tiles |= is_tile;
    handles |= vk == PTK_VK_HANDLE;
    if (is_sc) {
      int idt;
      if (!ptk_lower_isa_dtype(t->dt, &idt)) {
        ptk_error_loc(d, op->loc, "%s: scalars of type %s cannot be computed on the host",
                      opname(op), ptk_dtype_name(t->dt));
        return false;
      }
      r->fl[k] = fl;
      r->width[k] = (uint8_t)ptk_dtype_bits(t->dt);
      r->dt[k] = (uint8_t)idt;
    } else if (vk == PTK_VK_VREG || vk == PTK_VK_PTR || vk == PTK_VK_VIEW) {
      ptk_dtype e = PTK_DT_UI8;
      if (vk == PTK_VK_VREG) ptk_type_vreg(t, NULL, &e);
      else ptk_type_elem_dtype(t, &e);
      int idt;
      if (!ptk_lower_isa_dtype(e, &idt)) idt = ptk_dtype_bits(e) == 16 ? PTK_ISA_U16 : PTK_ISA_U8;
      r->fl[k] = ptk_dtype_is_float(e);
      r->width[k] = (uint8_t)ptk_dtype_bits(e);
      r->dt[k] = (uint8_t)idt;
      r->fmt[k] = (uint8_t)idt;
      switch (e) { /* the formats the host stores as raw bytes */
      case PTK_DT_F8E4M3FN: r->fmt[k] = PTK_V_F8E4M3FN; break;
      case PTK_DT_F8E5M2: r->fmt[k] = PTK_V_F8E5M2; break;
      case PTK_DT_HIF8: r->fmt[k] = PTK_V_HIF8; break;
      case PTK_DT_F4E1M2X2: r->fmt[k] = PTK_V_F4E1M2X2; break;
      case PTK_DT_F4E2M1X2: r->fmt[k] = PTK_V_F4E2M1X2; break;
      default: break;
      }
    } else if (vk == PTK_VK_MASK) {
      r->width[k] = (uint8_t)ptk_type_mask_bits(t);
    }
  }
  for (unsigned i = 0; i < sd->nattr; i++)
    if (!decode_attr(op, &sd->attr[i], &r->attr[i], d)) return false;
  if (info->family == PTK_FAM_VOP) return true; /* the verifier checks VPTO operand types */
  return scalar_rules(op, r, tiles || handles, d);
}

/* ---- hand-lowered ops -------------------------------------------------------------------------- */

int ptk_lower_value_kind(const ptk_type *t) {
  switch (t ? (int)t->kind : -1) {
  case PTK_TY_SCALAR: return PTK_VK_SCALAR;
  case PTK_TY_PTR: return PTK_VK_PTR;
  case PTK_TY_TENSOR_VIEW:
  case PTK_TY_PART_VIEW: return PTK_VK_VIEW;
  case PTK_TY_TILE_BUF: return PTK_VK_TILE;
  case PTK_TY_OPAQUE:
    if (ptk_type_vreg(t, NULL, NULL)) return PTK_VK_VREG;
    if (ptk_type_mask_bits(t)) return PTK_VK_MASK;
    if (ptk_type_is_align(t)) return PTK_VK_ALIGN;
    if (ptk_type_is_async_handle(t)) return PTK_VK_HANDLE;
    /* a multi-buffered tile is held as its slot 0 (the slots follow it in its storage) */
    if (ptk_type_multi_tile_count(t, NULL, NULL)) return PTK_VK_TILE;
    return PTK_VK_NONE;
  default: return PTK_VK_NONE;
  }
}

const ptk_type *ptk_lower_multi_slot(ptk_module *m, const ptk_op *op, const ptk_type *t, int64_t *count,
                                     ptk_diags *d) {
  const char *st = NULL;
  size_t sl = 0;
  int64_t n = ptk_type_multi_tile_count(t, &st, &sl);
  const ptk_type *slot = NULL;
  if (n > 0) {
    /* the slot is a tile_buf spelling, compact (`vec, 16x16xf16`) or whole: the .pto
     * reader reads it as a parameter type */
    bool whole = sl >= 14 && !strncmp(st, "!pto.tile_buf<", 14);
    ptk_buf b = {0};
    ptk_buf_printf(&b, "func.func private @s(%%a: %s%.*s%s)\n", whole ? "" : "!pto.tile_buf<", (int)sl, st,
                   whole ? "" : ">");
    ptk_source *src = ptk_source_from_string("<multi_tile_buf slot>", ptk_buf_cstr(&b), b.len);
    ptk_diags *q = ptk_diags_new();
    ptk_module *tm = src ? ptk_pto_read(src, q) : NULL;
    ptk_func *f = tm ? ptk_module_find_func(tm, "s") : NULL;
    if (f && f->nargs == 1 && ptk_type_is_tile(f->arg_types[0]))
      slot = ptk_type_tile_buf(m, &f->arg_types[0]->tile); /* its element: a shared scalar type */
    ptk_module_free(tm);
    ptk_diags_free(q);
    ptk_source_free(src);
    ptk_buf_free(&b);
  }
  if (!slot) {
    char *ts = ptk_type_str(t);
    ptk_error_loc(d, op->loc, "%s: the slot of %s does not read as a !pto.tile_buf", opname(op), ts);
    free(ts);
    return NULL;
  }
  *count = n;
  return slot;
}

const ptk_type *ptk_lower_alloc_type(const ptk_op *op, int64_t *count, ptk_diags *d) {
  *count = 1;
  const ptk_type *t = op->nresults == 1 ? op->results[0].type : NULL;
  if (op->kind != PTK_OP_ALLOC_MULTI_TILE || !t) return t;
  return ptk_lower_multi_slot(ptk_op_module(op), op, t, count, d);
}

const ptk_block *ptk_lower_region(const ptk_op *op, const ptk_region *r, ptk_diags *d) {
  if (!r->first) return NULL;
  if (r->first != r->last) {
    ptk_error_loc(d, op->loc, "%s: regions with several blocks cannot run on the host", opname(op));
    return NULL;
  }
  return r->first;
}

bool ptk_lower_dps(const ptk_op *op, uint32_t inlo, uint32_t inhi, uint32_t nout, ptk_dps *x,
                   ptk_diags *d) {
  x->in = ptk_op_segment(op, 0, &x->nin);
  x->out = ptk_op_segment(op, 1, &x->nout);
  if (x->nin >= inlo && x->nin <= inhi && x->nout == nout) return true;
  if (inlo == inhi)
    ptk_error_loc(d, op->loc, "%s: expected %u input%s and %u output%s, got %u and %u", opname(op),
                  inlo, inlo == 1 ? "" : "s", nout, nout == 1 ? "" : "s", x->nin, x->nout);
  else
    ptk_error_loc(d, op->loc, "%s: expected %u to %u inputs and %u output%s, got %u and %u",
                  opname(op), inlo, inhi, nout, nout == 1 ? "" : "s", x->nin, x->nout);
  return false;
}

bool ptk_lower_const(const ptk_op *op, ptk_sc *out, ptk_diags *d) {
  const ptk_value *r = op->nresults == 1 ? &op->results[0] : NULL;
  const ptk_attr *a = ptk_op_attr(op, "value");
  int idt;
  if (!r || !r->type || r->type->kind != PTK_TY_SCALAR || !ptk_lower_isa_dtype(r->type->dt, &idt)) {
    char *ts = r ? ptk_type_str(r->type) : NULL;
    ptk_error_loc(d, op->loc, "arith.constant: constants of type %s cannot run on the host",
                  ts ? ts : "(none)");
    free(ts);
    return false;
  }
  if (!a) {
    ptk_error_loc(d, op->loc, "arith.constant: missing value");
    return false;
  }
  ptk_dtype dt = r->type->dt;
  out->i = 0;
  if (ptk_dtype_is_float(dt)) {
    if (a->kind == PTK_ATTR_FLOAT)
      out->f = a->f.v;
    else if (a->kind == PTK_ATTR_INT)
      out->f = (double)a->i;
    else {
      ptk_error_loc(d, op->loc, "arith.constant: expected a float value");
      return false;
    }
    out->f = ptk_sc_fround(out->f, idt);
    return true;
  }
  if (a->kind == PTK_ATTR_BOOL)
    out->i = a->b;
  else if (a->kind == PTK_ATTR_INT)
    out->i = a->i;
  else {
    ptk_error_loc(d, op->loc, "arith.constant: expected an integer value");
    return false;
  }
  out->i = ptk_sc_norm(out->i, ptk_dtype_bits(dt));
  return true;
}
int ptk_lower_enum_attr(const ptk_op *op, const char *name, const char *mnemonic, int dflt,
                        ptk_diags *d) {
  const ptk_attr *a = ptk_op_attr(op, name);
  if (!a) return dflt;
  int64_t iv;
  if (a->kind == PTK_ATTR_INT && ptk_attr_get_int(a, &iv)) return (int)iv;
  int i = ptk_attr_enum_index(a, mnemonic);
  if (i < 0) {
    ptk_buf b = {0};
    ptk_attr_print(a, &b);
    ptk_error_loc(d, op->loc, "%s: unsupported value %s for attribute '%s'", opname(op),
                  ptk_buf_cstr(&b), name);
    ptk_buf_free(&b);
  }
  return i;
}

uint32_t ptk_lower_func_index(ptk_func_list *l, const ptk_func *f) {
  for (size_t i = 0; i < l->len; i++)
    if (l->data[i] == f) return (uint32_t)i;
  ptk_vec_push(l, f);
  return (uint32_t)l->len - 1;
}

const ptk_func *ptk_lower_callee(const ptk_op *op, const ptk_module *top, ptk_diags *d) {
  const ptk_attr *a = ptk_op_attr(op, "callee");
  if (!a || a->kind != PTK_ATTR_SYMBOL) {
    ptk_error_loc(d, op->loc, "func.call: missing callee");
    return NULL;
  }
  const char *name = a->str.s;
  const char *last = strrchr(name, '@');
  if (last) name = last + 1;
  const ptk_func *f = ptk_module_find_func_nested(top, name);
  if (!f) {
    ptk_error_loc(d, op->loc, "func.call: no function named '@%s' in the module", name);
    return NULL;
  }
  if (!f->body) {
    ptk_error_loc(d, op->loc, "func.call: '@%s' is only declared; the interpreter needs its body", name);
    return NULL;
  }
  if (op->noperands != f->nargs || op->nresults != f->nresults) {
    ptk_error_loc(d, op->loc,
                  "func.call: '@%s' takes %u argument%s and returns %u value%s; the call has %u and %u",
                  name, f->nargs, f->nargs == 1 ? "" : "s", f->nresults, f->nresults == 1 ? "" : "s",
                  op->noperands, op->nresults);
    return NULL;
  }
  return f;
}

bool ptk_lower_tstore(const ptk_op *op, ptk_dps *x, unsigned *flags, ptk_diags *d) {
  if (!ptk_lower_dps(op, 1, 2, 1, x, d)) return false;
  if (x->nin == 2) {
    ptk_error_loc(d, op->loc, "%s: quantized stores are not supported by the interpreter", opname(op));
    return false;
  }
  int relu = ptk_lower_enum_attr(op, "reluPreMode", "relu_pre_mode", 0, d);
  int atomic = ptk_lower_enum_attr(op, "atomicType", "atomic_type", 0, d);
  if (relu < 0 || atomic < 0) return false;
  if (relu > 1) {
    ptk_error_loc(d, op->loc, "%s: this reluPreMode is not supported by the interpreter", opname(op));
    return false;
  }
  *flags = (relu == 1 ? 1u : 0u) | (atomic == 1 ? 2u : 0u);
  return true;
}

/* ---- mixed kernels ---- */

const char *ptk_lower_kernel_kind(const ptk_func *f) {
  const ptk_attr *a = ptk_func_attr(f, "pto.kernel_kind");
  if (a && a->kind == PTK_ATTR_ENUM && a->en.value) return a->en.value;
  if (a && a->kind == PTK_ATTR_STRING && a->str.s) return a->str.s;
  return NULL;
}
static const char *kernel_kind(const ptk_func *f) {
  const char *k = ptk_lower_kernel_kind(f);
  return k ? k : "";
}

typedef struct defs_acc {
  const ptk_func *f[3];
  int n;
} defs_acc;

static void collect_bodies(const ptk_module *m, defs_acc *a) {
  for (uint32_t i = 0; i < m->nitems && a->n < 3; i++) {
    if (m->items[i].kind == PTK_ITEM_MODULE)
      collect_bodies(m->items[i].module, a);
    else if (m->items[i].func->body)
      a->f[a->n++] = m->items[i].func;
  }
}

bool ptk_lower_mixed_halves(const ptk_module *m, const ptk_func **cube, const ptk_func **vec) {
  defs_acc a = {{0}, 0};
  collect_bodies(ptk_module_top((ptk_module *)m), &a);
  if (a.n != 2) return false;
  int c = !strcmp(kernel_kind(a.f[0]), "cube") ? 0 : !strcmp(kernel_kind(a.f[1]), "cube") ? 1 : -1;
  if (c < 0 || strcmp(kernel_kind(a.f[1 - c]), "vector")) return false;
  if (cube) *cube = a.f[c];
  if (vec) *vec = a.f[1 - c];
  return true;
}

const ptk_func *ptk_lower_mixed_peer(const ptk_func *entry) {
  const ptk_func *c, *v;
  if (!entry || !entry->module || !ptk_lower_mixed_halves(entry->module, &c, &v)) return NULL;
  return entry == c ? v : entry == v ? c : NULL;
}

bool ptk_lower_is_cube(const ptk_func *f) { return !strcmp(kernel_kind(f), "cube"); }

bool ptk_lower_is_pipe(ptk_op_kind k) {
  switch (k) {
  case PTK_OP_RESERVE_BUFFER:
  case PTK_OP_IMPORT_RESERVED_BUFFER:
  case PTK_OP_AIC_INITIALIZE_PIPE:
  case PTK_OP_AIV_INITIALIZE_PIPE:
  case PTK_OP_TPUSH_TO_AIV:
  case PTK_OP_TPUSH_TO_AIC:
  case PTK_OP_TPOP_FROM_AIC:
  case PTK_OP_TPOP_FROM_AIV:
  case PTK_OP_TFREE_FROM_AIC:
  case PTK_OP_TFREE_FROM_AIV:
  case PTK_OP_SET_QUANT_VECTOR:
  case PTK_OP_SET_QUANT_SCALAR:
  case PTK_OP_TALLOC_TO_AIV:
  case PTK_OP_TALLOC_TO_AIC: return true;
  default: return false;
  }
}

bool ptk_lower_pipe(const ptk_op *op, ptk_pipe_vals *x, ptk_diags *d) {
  memset(x, 0, sizeof *x);
  const char *name = ptk_op_table[op->kind].name;
  bool buffer = op->kind == PTK_OP_RESERVE_BUFFER || op->kind == PTK_OP_IMPORT_RESERVED_BUFFER;
  if (!buffer && !ptk_lower_mixed_peer(ptk_op_func(op))) {
    ptk_error_loc(d, op->loc,
                  "%s cannot run on the host: its function is not one half of a mixed kernel (a module of "
                  "exactly one cube and one vector kernel, which run together)", name);
    return false;
  }
  const char *bad = NULL;
  switch (op->kind) {
  case PTK_OP_RESERVE_BUFFER:
  case PTK_OP_IMPORT_RESERVED_BUFFER:
    if (op->nresults != 1 || ptk_lower_value_kind(op->results[0].type) != PTK_VK_SCALAR) bad = "an i32 result";
    else x->sres = &op->results[0];
    break;
  case PTK_OP_AIC_INITIALIZE_PIPE:
  case PTK_OP_AIV_INITIALIZE_PIPE: {
    uint32_t n[4];
    ptk_value **seg[4];
    for (uint32_t s = 0; s < 4; s++) seg[s] = ptk_op_segment(op, s, &n[s]);
    if (n[1] && ptk_lower_value_kind(seg[1][0]->type) != PTK_VK_VIEW) bad = "a tensor_view gm_slot_tensor";
    x->vin = n[1] ? seg[1][0] : NULL;
    for (uint32_t s = 2; s < 4; s++)
      if (n[s] && ptk_lower_value_kind(seg[s][0]->type) != PTK_VK_SCALAR) bad = "i32 consumer buffers";
    x->s0 = n[2] ? seg[2][0] : NULL;
    x->s1 = n[3] ? seg[3][0] : NULL;
    break;
  }
  case PTK_OP_TPUSH_TO_AIV:
  case PTK_OP_TPUSH_TO_AIC:
  case PTK_OP_SET_QUANT_VECTOR: {
    /* aiv_subblockid (a second operand) names a sub-block; each sub-block runs as itself here */
    if (op->noperands == 2) {
      bad = "a push without aiv_subblockid";
      break;
    }
    int k = op->noperands == 1 ? ptk_lower_value_kind(op->operands[0]->type) : PTK_VK_NONE;
    if (k == PTK_VK_TILE) x->tin = op->operands[0];
    else if (k == PTK_VK_VIEW && op->kind != PTK_OP_SET_QUANT_VECTOR) x->vin = op->operands[0];
    else bad = "a tile or tensor_view entry";
    break;
  }
  case PTK_OP_TPOP_FROM_AIC:
  case PTK_OP_TPOP_FROM_AIV:
  case PTK_OP_TALLOC_TO_AIV:
  case PTK_OP_TALLOC_TO_AIC: {
    if (op->noperands) { /* ptoas's valid_row/valid_col and aiv_subblockid operands */
      bad = "a pop without valid_row/valid_col or aiv_subblockid operands";
      break;
    }
    int k = op->nresults == 1 ? ptk_lower_value_kind(op->results[0].type) : PTK_VK_NONE;
    if (k == PTK_VK_TILE && op->kind != PTK_OP_TALLOC_TO_AIV && op->kind != PTK_OP_TALLOC_TO_AIC)
      x->tres = &op->results[0];
    else if (k == PTK_VK_VIEW) x->vres = &op->results[0];
    else bad = "a tile or tensor_view entry";
    break;
  }
  case PTK_OP_TFREE_FROM_AIC:
  case PTK_OP_TFREE_FROM_AIV:
    if (op->noperands == 1 && ptk_lower_value_kind(op->operands[0]->type) == PTK_VK_VIEW) x->vin = op->operands[0];
    else if (op->noperands) bad = "no operand, or a tensor_view entry";
    break;
  case PTK_OP_SET_QUANT_SCALAR:
    if (op->noperands != 1 || op->operands[0]->type->kind != PTK_TY_SCALAR ||
        !ptk_dtype_is_float(op->operands[0]->type->dt))
      bad = "an f32 scale";
    else
      x->s0 = op->operands[0];
    break;
  default: bad = "a pipe op"; break;
  }
  if (bad) {
    ptk_error_loc(d, op->loc, "%s cannot run on the host: the host runs %s", name, bad);
    return false;
  }
  return true;
}

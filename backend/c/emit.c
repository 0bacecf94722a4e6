/* IR -> C (see emit.h). Ops of a call shape are printed from the one
 * lowering (backend/lower.h): the shape's expression with the record's
 * values substituted, the same expression the interpreter evaluates; the
 * hand-lowered ops call the host services both engines share. */
#include "backend/c/emit.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "backend/c/emit_int.h"
#include "backend/lower.h"

/* runtime/jit/abi.h and the headers it builds on, joined by the Makefile */
const char ptk_jit_rt_text[] =
#include "backend/c/ptk_jit_rt.inc"
    ;


/* Generated C is split so that the host compiler's optimizer, superlinear
 * in the size of a function, sees functions of bounded size: a function
 * with more than PTK_EMIT_SPLIT_OPS ops (nested ones counted) keeps its
 * values in a frame struct, and every block of it is emitted as a sequence
 * of chunk functions of at most about PTK_EMIT_CHUNK_OPS ops each (an op
 * bigger than that — a loop or if with a big body — stays in the caller
 * and its body is cut the same way). tests/bench/jit_compile.sh measures
 * compile time against kernel size. */
#define PTK_EMIT_SPLIT_OPS 200
#define PTK_EMIT_CHUNK_OPS 100

#define kind_of ptk_lower_value_kind

static int vkind(const ptk_value *v) { return v ? kind_of(v->type) : PTK_VK_NONE; }
static const char *ctype(int k) {
  switch (k) {
  case PTK_VK_SCALAR: return "ptk_rt_sc";
  case PTK_VK_PTR: return "ptk_rt_ptr";
  case PTK_VK_VIEW: return "ptk_rt_view";
  case PTK_VK_VREG: return "ptk_vreg";
  case PTK_VK_MASK: return "ptk_vmask";
  case PTK_VK_ALIGN: return "ptk_valign";
  case PTK_VK_HANDLE: return "ptk_rt_sc";
  default: return "ptk_tile";
  }
}
static const char *opname(const ptk_op *op) { return ptk_op_table[op->kind].name; }
/* A located error (counted in c->d). */
#define err(c, op, ...) ptk_error_loc((c)->d, (op) ? (op)->loc : (ptk_loc){0}, __VA_ARGS__)
static void unsupported(ec *c, const ptk_op *op) {
  ptk_lower_unsupported(op, c->d);
}


void ptk_emit_line(ec *c, const char *fmt, ...) {
  for (int i = 0; i < c->ind; i++) ptk_buf_puts(c->o, "  ");
  va_list ap;
  va_start(ap, fmt);
  ptk_buf_vprintf(c->o, fmt, ap);
  va_end(ap);
  ptk_buf_putc(c->o, '\n');
}

uint32_t ptk_emit_opid(ec *c, const ptk_op *op) {
  ptk_vec_push(&c->ops, op);
  return (uint32_t)c->ops.len - 1;
}

/* "v<uid>" */
#define VN(v) ((v) ? (v)->uid : 0u)

/* ---- declarations -------------------------------------------------------------------------- */

static void declare(ec *c, const ptk_value *v) {
  if (!v || v->uid >= c->nvalues || c->declared[v->uid]) return;
  int k = vkind(v);
  if (k == PTK_VK_NONE) return;
  c->declared[v->uid] = 1;
  if (c->split) {
    ptk_emit_line(c, "%s v%u;", ctype(k), v->uid);
    ptk_vec_push(&c->fvals, v->uid);
  } else {
    ptk_emit_line(c, "%s v%u = {0};", ctype(k), v->uid);
  }
}

static void declare_block(ec *c, const ptk_block *b, bool args) {
  if (args)
    for (uint32_t i = 0; i < b->nargs; i++) declare(c, b->args[i]);
  for (const ptk_op *op = b->first; op; op = op->next) {
    for (uint32_t i = 0; i < op->nresults; i++) declare(c, &op->results[i]);
    for (uint32_t r = 0; r < op->nregions; r++)
      for (const ptk_block *bb = op->regions[r].first; bb; bb = bb->next) declare_block(c, bb, true);
  }
}

/* dst[i] = src[i] all at once */
static void pmove(ec *c, ptk_value *const *dst, const ptk_value *dst_arr, ptk_value *const *src,
                  uint32_t n) {
  if (!n) return;
  ptk_emit_line(c, "{");
  c->ind++;
  for (uint32_t i = 0; i < n; i++) {
    const ptk_value *s = src[i];
    ptk_emit_line(c, "%s t%u = v%u;", ctype(vkind(s)), i, VN(s));
  }
  for (uint32_t i = 0; i < n; i++) {
    const ptk_value *t = dst ? dst[i] : &dst_arr[i];
    ptk_emit_line(c, "v%u = t%u;", VN(t), i);
  }
  c->ind--;
  ptk_emit_line(c, "}");
}

/* ---- ops --------------------------------------------------------------------------------- */


/* Ops in op and its regions, op itself included. */
static size_t op_weight(const ptk_op *op) {
  size_t w = 1;
  for (uint32_t r = 0; r < op->nregions; r++)
    for (const ptk_block *b = op->regions[r].first; b; b = b->next)
      for (const ptk_op *o = b->first; o; o = o->next) w += op_weight(o);
  return w;
}

/* ops [first, end) into a new chunk function, called from here. */
static void emit_chunk(ec *c, const ptk_op *first, const ptk_op *end) {
  uint32_t k = c->nchunks++;
  ptk_buf text = {0};
  ptk_buf *save = c->o;
  int ind = c->ind;
  c->o = &text;
  ptk_buf_printf(&text, "static int f%u_c%u(const ptkj_env *e, ptkj_ctx *cx, f%u_fr *F) {\n", c->fidx, k,
                 c->fidx);
  c->ind = 1;
  ptk_emit_line(c, "(void)e; (void)cx; (void)F;");
  for (const ptk_op *op = first; op != end; op = op->next) ptk_emit_op(c, op);
  ptk_emit_line(c, "return 0;");
  ptk_buf_puts(&text, "}\n\n");
  /* Chunks nested in this one were appended while it was written: they are
   * defined before it. */
  ptk_buf_putn(c->chunks, text.data ? text.data : "", text.len);
  ptk_buf_free(&text);
  c->o = save;
  c->ind = ind;
  ptk_emit_line(c, "PTKJ_CHK(f%u_c%u(e, cx, F));", c->fidx, k);
}


static const ptk_op *emit_body(ec *c, const ptk_block *b) {
  if (!c->split) {
    for (const ptk_op *op = b->first; op; op = op->next) {
      if (ptk_op_table[op->kind].flags & PTK_OPF_TERMINATOR) return op;
      const ptk_op *last;
      if (op->kind == PTK_OP_TLOAD && !c->in_fz && ptk_emit_fused(c, op, &last)) {
        op = last;
        continue;
      }
      ptk_emit_op(c, op);
    }
    return NULL;
  }
  const ptk_op *start = NULL; /* pending ops [start, op) of weight w */
  size_t w = 0;
  const ptk_op *op = b->first;
  for (; op; op = op->next) {
    if (ptk_op_table[op->kind].flags & PTK_OPF_TERMINATOR) break;
    size_t ow = op_weight(op);
    if (start && (w + ow > PTK_EMIT_CHUNK_OPS || ow > PTK_EMIT_CHUNK_OPS)) {
      emit_chunk(c, start, op);
      start = NULL;
      w = 0;
    }
    if (ow > PTK_EMIT_CHUNK_OPS) {
      ptk_emit_op(c, op); /* its own body is cut into chunks */
      continue;
    }
    if (!start) start = op;
    w += ow;
  }
  if (start) emit_chunk(c, start, op);
  return op;
}

static void emit_for(ec *c, const ptk_op *op) {
  uint32_t id = ptk_emit_opid(c, op);
  uint32_t ninit = op->noperands - 3;
  const ptk_block *b = ptk_lower_region(op, &op->regions[0], c->d);
  if (!b || b->nargs != 1 + ninit || op->nresults != ninit) {
    err(c, op, "scf.for: malformed operation");
    return;
  }
  ptk_emit_line(c, "{");
  c->ind++;
  ptk_emit_line(c, "int64_t lb = v%u.i, ub = v%u.i, st = v%u.i;", VN(op->operands[0]), VN(op->operands[1]),
       VN(op->operands[2]));
  pmove(c, b->args + 1, NULL, op->operands + 3, ninit);
  ptk_emit_line(c, "if (st <= 0) return e->err(cx, %u, PTKJ_E_STEP, st, 0);", id);
  ptk_emit_line(c, "v%u.i = lb;", VN(b->args[0]));
  ptk_emit_line(c, "if (lb < ub) for (;;) {");
  c->ind++;
  const ptk_op *term = emit_body(c, b);
  if (term && term->kind == PTK_OP_SCF_YIELD && term->noperands == ninit)
    pmove(c, b->args + 1, NULL, term->operands, ninit);
  else if (term || ninit)
    err(c, term ? term : op, "scf.for: the body must end with scf.yield of %u values", ninit);
  ptk_emit_line(c, "int64_t nx;");
  ptk_emit_line(c, "if (!__builtin_add_overflow(v%u.i, st, &nx) && nx < ub) {", VN(b->args[0]));
  ptk_emit_line(c, "  v%u.i = nx;", VN(b->args[0]));
  ptk_emit_line(c, "  if (PTKJ_ABORTED(cx)) return e->err(cx, %u, PTKJ_E_STOPPED, 0, 0);", id);
  ptk_emit_line(c, "  continue;");
  ptk_emit_line(c, "}");
  ptk_emit_line(c, "break;");
  c->ind--;
  ptk_emit_line(c, "}");
  ptk_value **iters = b->args + 1;
  pmove(c, NULL, op->results, iters, ninit);
  c->ind--;
  ptk_emit_line(c, "}");
}

static void emit_if(ec *c, const ptk_op *op) {
  ptk_emit_line(c, "if (v%u.i) {", VN(op->operands[0]));
  for (int br = 0; br < 2; br++) {
    c->ind++;
    const ptk_block *b = ptk_lower_region(op, &op->regions[br], c->d);
    const ptk_op *term = b ? emit_body(c, b) : NULL;
    if (term && term->kind == PTK_OP_SCF_YIELD && term->noperands == op->nresults)
      pmove(c, NULL, op->results, term->operands, op->nresults);
    else if (term || op->nresults)
      err(c, term ? term : op, "scf.if: both branches must yield %u values", op->nresults);
    c->ind--;
    ptk_emit_line(c, br == 0 ? "} else {" : "}");
  }
}

static void emit_while(ec *c, const ptk_op *op) {
  const ptk_block *bb = ptk_lower_region(op, &op->regions[0], c->d);
  const ptk_block *ab = ptk_lower_region(op, &op->regions[1], c->d);
  if (!bb || !ab || bb->nargs != op->noperands) {
    err(c, op, "scf.while: malformed operation");
    return;
  }
  pmove(c, bb->args, NULL, op->operands, op->noperands);
  ptk_emit_line(c, "for (;;) {");
  c->ind++;
  const ptk_op *term = emit_body(c, bb);
  if (!term || term->kind != PTK_OP_SCF_CONDITION || term->noperands < 1 ||
      term->noperands - 1 != ab->nargs || term->noperands - 1 != op->nresults) {
    err(c, term ? term : op, "scf.while: the before region must end with scf.condition");
    c->ind--;
    ptk_emit_line(c, "}");
    return;
  }
  ptk_emit_line(c, "if (!v%u.i) {", VN(term->operands[0]));
  c->ind++;
  pmove(c, NULL, op->results, term->operands + 1, op->nresults);
  ptk_emit_line(c, "break;");
  c->ind--;
  ptk_emit_line(c, "}");
  pmove(c, ab->args, NULL, term->operands + 1, ab->nargs);
  const ptk_op *aterm = emit_body(c, ab);
  if (!aterm || aterm->kind != PTK_OP_SCF_YIELD || aterm->noperands != bb->nargs)
    err(c, aterm ? aterm : op, "scf.while: the after region must end with scf.yield");
  else
    pmove(c, bb->args, NULL, aterm->operands, bb->nargs);
  ptk_emit_line(c, "if (PTKJ_ABORTED(cx)) return e->err(cx, %u, PTKJ_E_STOPPED, 0, 0);", ptk_emit_opid(c, op));
  c->ind--;
  ptk_emit_line(c, "}");
}

static void emit_call(ec *c, const ptk_op *op) {
  const ptk_func *f = ptk_lower_callee(op, c->top, c->d);
  if (!f) {
    return;
  }
  uint32_t id = ptk_emit_opid(c, op);
  uint32_t fi = ptk_lower_func_index(&c->funcs, f);
  ptk_emit_line(c, "if (e->enter(cx, %u)) return -1;", id);
  ptk_buf_printf(c->o, "%*s{ int rc_ = f%u(e, cx", c->ind * 2, "", fi);
  for (uint32_t i = 0; i < op->noperands; i++) ptk_buf_printf(c->o, ", v%u", VN(op->operands[i]));
  for (uint32_t i = 0; i < op->nresults; i++) ptk_buf_printf(c->o, ", &v%u", op->results[i].uid);
  ptk_buf_puts(c->o, "); e->leave(cx); if (rc_) return rc_; }\n");
}

static void emit_const(ec *c, const ptk_op *op) {
  ptk_sc v;
  if (!ptk_lower_const(op, &v, c->d)) return;
  const ptk_value *r = &op->results[0];
  if (ptk_dtype_is_float(r->type->dt))
    ptk_emit_line(c, "v%u.f = ptkj_f64(UINT64_C(0x%016" PRIx64 "));", r->uid, (uint64_t)v.i);
  else
    ptk_emit_line(c, "v%u.i = INT64_C(%" PRId64 ");", r->uid, v.i);
}
/* ---- lowered and hand-lowered ops ---------------------------------------------------------------- */

typedef ptk_dps dps;
/* The call record of the one lowering, printed: the shape's expression
 * (lang/ir/calls.def) with its tokens replaced by this op's values. */
static void emit_lowered(ec *c, const ptk_op *op) {
  ptk_call r;
  if (!ptk_lower_call(op, &r, c->d)) {
    return;
  }
  ptk_buf b = {0};
  ptk_expr_piece pc;
  for (const char *x = ptk_call_table[r.shape].expr; ptk_lower_expr_next(&x, &pc);) {
    unsigned k = pc.k;
    const ptk_value *v = pc.tok && pc.tok != 'U' && k < PTK_CALL_MAXV ? r.v[k] : NULL;
    bool tile = v && v->type->kind == PTK_TY_TILE_BUF;
    switch (pc.tok) {
    case 'U': ptk_buf_puts(&b, r.sub_name ? r.sub_name : "0"); break;
    case 'A': ptk_buf_printf(&b, "%lld", (long long)r.attr[k < PTK_CALL_MAXA ? k : 0]); break;
    case 'V':
    case 'M':
    case 'G':
    case 'R': ptk_buf_printf(&b, "&v%u", VN(v)); break;
    case 'P': ptk_buf_printf(&b, "ptkj_vptr(e, cx, &v%u)", VN(v)); break;
    case 'X': /* the cells of values k… (raw bits) */
      ptk_buf_puts(&b, "(const int64_t[]){");
      for (unsigned j = k; j < r.nv; j++) ptk_buf_printf(&b, "%sv%u.i", j > k ? ", " : "", VN(r.v[j]));
      if (k >= r.nv) ptk_buf_puts(&b, "0");
      ptk_buf_putc(&b, '}');
      break;
    case 'Y': ptk_buf_printf(&b, "%u", r.nv > k ? r.nv - k : 0); break;
    case 'O': /* optional: absent is NULL / 0 */
      if (tile) ptk_buf_printf(&b, "&v%u", v->uid);
      else ptk_buf_puts(&b, "NULL");
      break;
    case 'N':
      if (v && !tile) ptk_buf_printf(&b, "v%u.i", v->uid);
      else ptk_buf_puts(&b, "INT64_C(0)");
      break;
    case 'T': ptk_buf_printf(&b, "&v%u", VN(v)); break;
    case 'S': ptk_buf_printf(&b, "ptk_sc_isa(%d, v%u)", r.fl[k], VN(v)); break;
    case 'I':
    case 'H': ptk_buf_printf(&b, "v%u.i", VN(v)); break;
    case 'F': ptk_buf_printf(&b, "v%u.f", VN(v)); break;
    case 'C': ptk_buf_printf(&b, "v%u", VN(v)); break;
    case 'W': ptk_buf_printf(&b, "%u", r.width[k]); break;
    case 'D': ptk_buf_printf(&b, "%u", r.dt[k]); break;
    case 'E': ptk_buf_printf(&b, "%u", r.fmt[k]); break;
    default: /* text; out-of-line runtime/isa functions go through the host table */
      if (ptk_lower_is_entry_point(pc.s, pc.n)) ptk_buf_puts(&b, "e->isa.");
      ptk_buf_putn(&b, pc.s, pc.n);
      break;
    }
  }
  ptk_emit_line(c, "PTKJ_ISA(%u, %s);", ptk_emit_opid(c, op), ptk_buf_cstr(&b));
  ptk_buf_free(&b);
}

/* The hand-lowered DPS ops. */
static void emit_hand_dps(ec *c, const ptk_op *op) {
  dps x;
  if (ptk_lower_is_pipe(op->kind)) {
    ptk_pipe_vals pv;
    if (!ptk_lower_pipe(op, &pv, c->d)) return;
    char b[7][24];
    const ptk_value *vs[7] = {pv.sres, pv.tres, pv.tin, pv.s0, pv.s1, pv.vres, pv.vin};
    for (int i = 0; i < 7; i++)
      snprintf(b[i], sizeof b[i], vs[i] ? "&v%u" : "NULL", VN(vs[i]));
    ptk_emit_line(c, "PTKJ_CHK(e->pipe(cx, %u, %s, %s, %s, %s, %s, %s, %s));", ptk_emit_opid(c, op), b[0], b[1], b[2],
                  b[3], b[4], b[5], b[6]);
    return;
  }
  switch (op->kind) {
  case PTK_OP_TGETVAL: {
    uint32_t n;
    ptk_value **in = ptk_op_segment(op, 0, &n);
    if (n != 2 || op->nresults != 1) {
      err(c, op, "%s: malformed operation", opname(op));
      return;
    }
    ptk_emit_line(c, "PTKJ_CHK(e->tgetval(cx, %u, &v%u, &v%u, v%u.i));", ptk_emit_opid(c, op), op->results[0].uid,
         VN(in[0]), VN(in[1]));
    return;
  }
  case PTK_OP_TPRINT:
    if (op->noperands < 1) {
      err(c, op, "%s: expected a tile", opname(op));
      return;
    }
    ptk_emit_line(c, "PTKJ_CHK(e->tprint(cx, %u, &v%u));", ptk_emit_opid(c, op), VN(op->operands[0]));
    return;
  case PTK_OP_TLOAD:
    if (!ptk_lower_dps(op, 1, 1, 1, &x, c->d)) return;
    ptk_emit_line(c, "PTKJ_CHK(e->tload(cx, %u, &v%u, &v%u));", ptk_emit_opid(c, op), VN(x.out[0]), VN(x.in[0]));
    return;
  case PTK_OP_TSTORE: {
    unsigned flags;
    if (!ptk_lower_tstore(op, &x, &flags, c->d)) return;
    ptk_emit_line(c, "PTKJ_CHK(e->tstore(cx, %u, &v%u, &v%u));", ptk_emit_opid(c, op), VN(x.out[0]), VN(x.in[0]));
    return;
  }
  default: unsupported(c, op); return;
  }
}

void ptk_emit_op(ec *c, const ptk_op *op) {
  switch (ptk_op_table[op->kind].lower) {
  case PTK_LOWER_NOP: return;
  case PTK_LOWER_CALL: emit_lowered(c, op); return;
  case PTK_LOWER_NOEXEC: unsupported(c, op); return;
  case PTK_LOWER_HAND: break;
  }
  switch (op->kind) {
  case PTK_OP_ARITH_CONSTANT: emit_const(c, op); return;
  case PTK_OP_ARITH_SELECT:
    if (op->noperands != 3 || op->nresults != 1) break;
    ptk_emit_line(c, "v%u = v%u.i & 1 ? v%u : v%u;", op->results[0].uid, VN(op->operands[0]),
         VN(op->operands[1]), VN(op->operands[2]));
    return;
  case PTK_OP_SCF_FOR:
    if (op->noperands < 3 || op->nregions != 1) break;
    emit_for(c, op);
    return;
  case PTK_OP_SCF_IF:
    if (op->noperands != 1 || op->nregions != 2) break;
    emit_if(c, op);
    return;
  case PTK_OP_SCF_WHILE:
    if (op->nregions != 2) break;
    emit_while(c, op);
    return;
  case PTK_OP_FUNC_CALL: emit_call(c, op); return;
  case PTK_OP_MAKE_TENSOR_VIEW: {
    uint32_t np, ns, nst;
    ptk_value **p = ptk_op_segment(op, 0, &np), **sh = ptk_op_segment(op, 1, &ns),
              **st = ptk_op_segment(op, 2, &nst);
    if (np != 1 || op->nresults != 1 || ns != nst || ns < 1 || ns > 5) break;
    const char *layout = "PTK_ISA_GM_ND";
    const ptk_attr *la = ptk_op_attr(op, "layout");
    if (la) {
      int i = ptk_attr_enum_index(la, "layout");
      if (i == 1)
        layout = "PTK_ISA_GM_DN";
      else if (i == 2)
        layout = "PTK_ISA_GM_NZ";
      else if (i != 0)
        break;
    }
    uint32_t id = ptk_emit_opid(c, op), r = op->results[0].uid;
    ptk_emit_line(c, "v%u.buf = v%u.buf; v%u.boff = v%u.boff; v%u.rank = %u; v%u.layout = %s;", r, VN(p[0]),
         r, VN(p[0]), r, ns, r, layout);
    for (uint32_t d = 0; d < ns; d++) {
      ptk_emit_line(c, "v%u.shape[%u] = v%u.i; v%u.stride[%u] = v%u.i;", r, d, VN(sh[d]), r, d, VN(st[d]));
      ptk_emit_line(c, "if (v%u.shape[%u] < 0) return e->err(cx, %u, PTKJ_E_VIEWNEG, %u, v%u.shape[%u]);", r,
           d, id, d, r, d);
    }
    return;
  }
  case PTK_OP_PARTITION_VIEW: {
    uint32_t ns, no, nz;
    ptk_value **s = ptk_op_segment(op, 0, &ns), **o = ptk_op_segment(op, 1, &no),
              **z = ptk_op_segment(op, 2, &nz);
    if (ns != 1 || op->nresults != 1 || vkind(s[0]) != PTK_VK_VIEW) break;
    uint32_t rank = s[0]->type->rank;
    if (no != rank || nz != rank) break;
    ptk_dtype dt;
    int64_t esz = ptk_type_elem_dtype(s[0]->type, &dt) ? ptk_dtype_bytes(dt) : 0;
    uint32_t id = ptk_emit_opid(c, op), r = op->results[0].uid;
    ptk_emit_line(c, "{");
    c->ind++;
    ptk_emit_line(c, "ptk_rt_view nv = v%u; int64_t boff = nv.boff;", VN(s[0]));
    for (uint32_t d = 0; d < rank; d++) {
      ptk_emit_line(c, "if (v%u.i < 0) return e->err(cx, %u, PTKJ_E_PARTNEG, %u, v%u.i);", VN(z[d]), id, d,
           VN(z[d]));
      ptk_emit_line(c, "boff = ptk_rt_sadd(boff, ptk_rt_smul(ptk_rt_smul(v%u.i, nv.stride[%u]), %lld));", VN(o[d]),
           d, (long long)esz);
      ptk_emit_line(c, "nv.shape[%u] = v%u.i;", d, VN(z[d]));
    }
    ptk_emit_line(c, "nv.boff = boff; v%u = nv;", r);
    c->ind--;
    ptk_emit_line(c, "}");
    return;
  }
  case PTK_OP_ALLOC_TILE:
  case PTK_OP_ALLOC_MULTI_TILE: {
    uint32_t na, nr, nc;
    ptk_value **ad = ptk_op_segment(op, 0, &na), **vr = ptk_op_segment(op, 1, &nr),
              **vc = ptk_op_segment(op, 2, &nc);
    if (op->nresults != 1 || na > 1 || nr > 1 || nc > 1) break;
    ptk_buf a = {0}, r = {0}, cc = {0};
    if (na) ptk_buf_printf(&a, "v%u.i", VN(ad[0])); else ptk_buf_puts(&a, "0");
    if (nr) ptk_buf_printf(&r, "v%u.i", VN(vr[0])); else ptk_buf_puts(&r, "0");
    if (nc) ptk_buf_printf(&cc, "v%u.i", VN(vc[0])); else ptk_buf_puts(&cc, "0");
    ptk_emit_line(c, "PTKJ_CHK(e->alloc(cx, %u, &v%u, %s, %s, %s));", ptk_emit_opid(c, op), op->results[0].uid,
         ptk_buf_cstr(&a), ptk_buf_cstr(&r), ptk_buf_cstr(&cc));
    ptk_buf_free(&a), ptk_buf_free(&r), ptk_buf_free(&cc);
    return;
  }
  case PTK_OP_SUBVIEW: {
    uint32_t ns, no, nr, ncv;
    ptk_value **s = ptk_op_segment(op, 0, &ns), **o = ptk_op_segment(op, 1, &no),
              **vr = ptk_op_segment(op, 2, &nr), **vc = ptk_op_segment(op, 3, &ncv);
    if (ns != 1 || no != 2 || nr > 1 || ncv > 1 || op->nresults != 1) break;
    char b1[32] = "0", b2[32] = "0";
    if (nr) snprintf(b1, sizeof b1, "v%u.i", VN(vr[0]));
    if (ncv) snprintf(b2, sizeof b2, "v%u.i", VN(vc[0]));
    ptk_emit_line(c, "PTKJ_CHK(e->subview(cx, %u, &v%u, &v%u, v%u.i, v%u.i, %s, %s));", ptk_emit_opid(c, op),
         op->results[0].uid, VN(s[0]), VN(o[0]), VN(o[1]), b1, b2);
    return;
  }
  case PTK_OP_TRESHAPE:
    if (op->nresults != 1 || op->noperands < 1) break;
    ptk_emit_line(c, "PTKJ_CHK(e->reshape(cx, %u, &v%u, &v%u));", ptk_emit_opid(c, op), op->results[0].uid,
         VN(op->operands[0]));
    return;
  case PTK_OP_BITCAST: {
    if (op->nresults != 1 || op->noperands < 1) break;
    const ptk_type *t = op->results[0].type;
    ptk_dtype dt;
    if (!t || t->kind != PTK_TY_TILE_BUF || !ptk_type_elem_dtype(t, &dt)) break;
    int idt;
    if (!ptk_lower_isa_dtype(dt, &idt)) break;
    ptk_emit_line(c, "PTKJ_ISA(%u, e->isa.ptk_isa_bitcast(&v%u, %d, &v%u));", ptk_emit_opid(c, op), VN(op->operands[0]), idt,
         op->results[0].uid);
    return;
  }
  case PTK_OP_TASSIGN:
    if (op->noperands != 2 || op->nresults != 1) break;
    ptk_emit_line(c, "PTKJ_CHK(e->tassign(cx, %u, &v%u, &v%u, v%u.i));", ptk_emit_opid(c, op), op->results[0].uid,
         VN(op->operands[0]), VN(op->operands[1]));
    return;
  case PTK_OP_ADDPTR: {
    if (op->noperands != 2 || op->nresults != 1) break;
    ptk_dtype dt;
    int64_t esz = ptk_type_elem_dtype(op->operands[0]->type, &dt) ? ptk_dtype_bytes(dt) : 0;
    uint32_t r = op->results[0].uid;
    ptk_emit_line(c, "v%u = v%u; v%u.boff = ptk_rt_sadd(v%u.boff, ptk_rt_smul(v%u.i, %lld));", r,
         VN(op->operands[0]), r, r, VN(op->operands[1]), (long long)esz);
    return;
  }
  case PTK_OP_CASTPTR:
    if (op->noperands < 1 || op->nresults != 1) break;
    if (vkind(&op->results[0]) == PTK_VK_SCALAR) { /* a pointer's address (SIMT) */
      ptk_emit_line(c, "v%u.i = ptk_sc_norm(e->ptrtoint(cx, &v%u), %u);", op->results[0].uid, VN(op->operands[0]),
           ptk_dtype_bits(op->results[0].type->dt));
      return;
    }
    if (vkind(op->operands[0]) == PTK_VK_SCALAR) { /* an explicit address (VPTO: UB offsets) */
      if (op->results[0].type->space == PTK_SPACE_GM)
        ptk_emit_line(c, "e->inttoptr(cx, v%u.i, &v%u);", VN(op->operands[0]), op->results[0].uid);
      else
        ptk_emit_line(c, "v%u = ptk_rt_onchip_ptr(%d, v%u.i);", op->results[0].uid, (int)op->results[0].type->space,
             VN(op->operands[0]));
      return;
    }
    ptk_emit_line(c, "v%u = v%u;", op->results[0].uid, VN(op->operands[0]));
    return;
  case PTK_OP_PTRTOINT:
    if (op->noperands < 1 || op->nresults != 1) break;
    ptk_emit_line(c, "v%u.i = ptk_sc_norm(e->ptrtoint(cx, &v%u), %u);", op->results[0].uid,
         VN(op->operands[0]), ptk_dtype_bits(op->results[0].type->dt));
    return;
  case PTK_OP_INTTOPTR:
    if (op->noperands < 1 || op->nresults != 1) break;
    if (op->results[0].type->space != PTK_SPACE_GM)
      ptk_emit_line(c, "v%u = ptk_rt_onchip_ptr(%d, v%u.i);", op->results[0].uid, (int)op->results[0].type->space,
           VN(op->operands[0]));
    else
      ptk_emit_line(c, "e->inttoptr(cx, v%u.i, &v%u);", VN(op->operands[0]), op->results[0].uid);
    return;
  case PTK_OP_GET_TENSOR_VIEW_DIM:
  case PTK_OP_GET_TENSOR_VIEW_STRIDE: {
    if (op->noperands != 2 || op->nresults != 1) break;
    uint32_t id = ptk_emit_opid(c, op), v = VN(op->operands[0]), d = VN(op->operands[1]);
    ptk_emit_line(c, "if (v%u.i < 0 || v%u.i >= v%u.rank) return e->err(cx, %u, PTKJ_E_DIM, v%u.i, v%u.rank);",
         d, d, v, id, d, v);
    ptk_emit_line(c, "v%u.i = ptk_sc_norm(v%u.%s[v%u.i], %u);", op->results[0].uid, v,
         op->kind == PTK_OP_GET_TENSOR_VIEW_STRIDE ? "stride" : "shape", d,
         ptk_dtype_bits(op->results[0].type->dt));
    return;
  }
  case PTK_OP_LOAD_SCALAR:
    if (op->noperands != 2 || op->nresults != 1) break;
    ptk_emit_line(c, "PTKJ_CHK(e->ldsc(cx, %u, &v%u, &v%u, v%u.i));", ptk_emit_opid(c, op), op->results[0].uid,
         VN(op->operands[0]), VN(op->operands[1]));
    return;
  case PTK_OP_STORE_SCALAR:
    if (op->noperands != 3 || op->nresults != 0) break;
    ptk_emit_line(c, "PTKJ_CHK(e->stsc(cx, %u, &v%u, &v%u, v%u.i));", ptk_emit_opid(c, op), VN(op->operands[2]),
         VN(op->operands[0]), VN(op->operands[1]));
    return;
  case PTK_OP_SET_VALIDSHAPE:
    if (op->noperands != 3) break;
    ptk_emit_line(c, "PTKJ_CHK(e->setvalid(cx, %u, &v%u, v%u.i, v%u.i));", ptk_emit_opid(c, op), VN(op->operands[0]),
         VN(op->operands[1]), VN(op->operands[2]));
    return;
  case PTK_OP_GET_VALIDSHAPE:
    if (op->noperands != 1 || op->nresults != 2) break;
    ptk_emit_line(c, "v%u.i = v%u.vrows; v%u.i = v%u.vcols;", op->results[0].uid, VN(op->operands[0]),
         op->results[1].uid, VN(op->operands[0]));
    return;
  case PTK_OP_GET_BLOCK_IDX:
  case PTK_OP_GET_BLOCK_NUM:
  case PTK_OP_GET_SUBBLOCK_IDX:
  case PTK_OP_GET_SUBBLOCK_NUM:
    if (op->nresults != 1) break;
    ptk_emit_line(c, "v%u.i = ptk_sc_norm(e->block(cx, %d), %u);", op->results[0].uid,
         (int)(op->kind - PTK_OP_GET_BLOCK_IDX), ptk_dtype_bits(op->results[0].type->dt));
    return;
  case PTK_OP_STRICT_VECSCOPE: { /* the captures moved into the body's arguments, then the body */
    const ptk_block *b = op->nregions == 1 ? ptk_lower_region(op, &op->regions[0], c->d) : NULL;
    if (!b || b->nargs != op->noperands) break;
    pmove(c, b->args, NULL, op->operands, op->noperands);
    const ptk_op *term = emit_body(c, b);
    if (term) err(c, term, "%s: not allowed at the end of %s", ptk_op_table[term->kind].name, ptk_op_table[op->kind].name);
    return;
  }
  case PTK_OP_FUSION_REGION: { /* the body, then its pto.yield's values as the results */
    const ptk_block *b = op->nregions == 1 ? ptk_lower_region(op, &op->regions[0], c->d) : NULL;
    if (!b) break;
    const ptk_op *term = emit_body(c, b);
    if (term && term->kind == PTK_OP_PTO_YIELD && term->noperands == op->nresults)
      pmove(c, NULL, op->results, term->operands, op->nresults);
    else
      err(c, term ? term : op, "pto.fusion_region: the body must end with pto.yield of %u values", op->nresults);
    return;
  }
  case PTK_OP_SECTION_CUBE:
  case PTK_OP_SECTION_VECTOR:
  case PTK_OP_VECSCOPE: {
    if (op->nregions != 1) break;
    const ptk_block *b = ptk_lower_region(op, &op->regions[0], c->d);
    if (b) emit_body(c, b);
    return;
  }
  case PTK_OP_PRINT: {
    uint32_t id = ptk_emit_opid(c, op);
    if (!op->noperands) {
      ptk_emit_line(c, "PTKJ_CHK(e->print(cx, %u, NULL, 0));", id);
      return;
    }
    ptk_buf_printf(c->o, "%*s{ ptk_rt_sc a_[%u] = {", c->ind * 2, "", op->noperands);
    for (uint32_t i = 0; i < op->noperands; i++)
      ptk_buf_printf(c->o, "%sv%u", i ? ", " : "", VN(op->operands[i]));
    ptk_buf_printf(c->o, "}; PTKJ_CHK(e->print(cx, %u, a_, %u)); }\n", id, op->noperands);
    return;
  }
  case PTK_OP_TRAP: ptk_emit_line(c, "return e->err(cx, %u, PTKJ_E_TRAP, 0, 0);", ptk_emit_opid(c, op)); return;
  default: emit_hand_dps(c, op); return;
  }
  unsupported(c, op);
}

/* ---- functions ----------------------------------------------------------------------------- */

static void params(ec *c, uint32_t idx, bool names_only) {
  const ptk_func *f = c->funcs.data[idx];
  for (uint32_t i = 0; i < f->nargs; i++)
    if (names_only)
      ptk_buf_printf(c->o, ", a%u", i);
    else
      ptk_buf_printf(c->o, ", %s a%u", ctype(kind_of(f->arg_types[i])), i);
  for (uint32_t i = 0; i < f->nresults; i++)
    if (names_only)
      ptk_buf_printf(c->o, ", r%u", i);
    else
      ptk_buf_printf(c->o, ", %s *r%u", ctype(kind_of(f->result_types[i])), i);
}

static void proto(ec *c, uint32_t idx) {
  ptk_buf_printf(c->o, "static int f%u(const ptkj_env *e, ptkj_ctx *cx", idx);
  params(c, idx, false);
  ptk_buf_puts(c->o, ")");
}

static void emit_func(ec *c, uint32_t idx, ptk_buf *body) {
  const ptk_func *f = c->funcs.data[idx];
  ptk_buf *save = c->o;
  c->o = body;
  const ptk_block *b = ptk_func_entry(f);
  if (!b || b->nargs != f->nargs || f->body->first != f->body->last) {
    ptk_error_loc(c->d, f->loc, "function '@%s': no single-block body to emit", f->name);
    c->o = save;
    return;
  }
  for (uint32_t i = 0; i < f->nargs; i++)
    if (kind_of(f->arg_types[i]) == PTK_VK_NONE) {
      char *ts = ptk_type_str(f->arg_types[i]);
      ptk_error_loc(c->d, f->loc, "function '@%s': parameters of type %s are not supported by the C emitter",
                    f->name, ts);
      free(ts);
    }
  size_t weight = 0;
  for (const ptk_op *op = b->first; op; op = op->next) weight += op_weight(op);
  c->split = weight > PTK_EMIT_SPLIT_OPS;
  c->fidx = idx;
  c->nchunks = 0;
  c->fvals.len = 0;
  ptk_buf chunks = {0}, fn = {0};
  c->chunks = &chunks;
  ptk_buf_printf(body, "/* @%s */\n", f->name);
  if (c->split) {
    /* The values live in a frame struct that every chunk reaches through F;
     * #defines keep the code's vN spelling. */
    ptk_buf_printf(body, "typedef struct f%u_fr {\n", idx);
    c->ind = 1;
    ptk_emit_line(c, "char unused_;");
    declare_block(c, b, true);
    ptk_buf_printf(body, "} f%u_fr;\n", idx);
    for (size_t i = 0; i < c->fvals.len; i++) ptk_buf_printf(body, "#define v%u (F->v%u)\n", c->fvals.data[i], c->fvals.data[i]);
    c->o = &fn;
    ptk_buf_printf(&fn, "static int f%u_b(const ptkj_env *e, ptkj_ctx *cx, f%u_fr *F", idx, idx);
    params(c, idx, false);
    ptk_buf_puts(&fn, ") {\n");
  } else {
    c->o = &fn;
    proto(c, idx);
    ptk_buf_puts(&fn, " {\n");
    c->ind = 1;
    declare_block(c, b, true);
  }
  c->ind = 1;
  for (uint32_t i = 0; i < f->nargs; i++) ptk_emit_line(c, "v%u = a%u;", b->args[i]->uid, i);
  ptk_emit_line(c, "(void)e; (void)cx;");
  const ptk_op *term = emit_body(c, b);
  if (term && term->kind == PTK_OP_FUNC_RETURN && term->noperands == f->nresults) {
    for (uint32_t i = 0; i < f->nresults; i++) ptk_emit_line(c, "*r%u = v%u;", i, VN(term->operands[i]));
  } else if (term || f->nresults) {
    err(c, term, "function '@%s' must end with func.return", f->name);
  }
  ptk_emit_line(c, "return 0;");
  c->ind = 0;
  ptk_buf_puts(&fn, "}\n\n");
  ptk_buf_putn(body, chunks.data ? chunks.data : "", chunks.len);
  ptk_buf_putn(body, fn.data ? fn.data : "", fn.len);
  if (c->split) {
    c->o = body;
    proto(c, idx);
    ptk_buf_printf(body, " {\n  f%u_fr F_ = {0};\n  return f%u_b(e, cx, &F_", idx, idx);
    params(c, idx, true);
    ptk_buf_puts(body, ");\n}\n");
    for (size_t i = 0; i < c->fvals.len; i++) ptk_buf_printf(body, "#undef v%u\n", c->fvals.data[i]);
    ptk_buf_puts(body, "\n");
  }
  ptk_buf_free(&chunks);
  ptk_buf_free(&fn);
  c->chunks = NULL;
  c->split = false;
  c->o = save;
}

bool ptk_emit_c_ops(const ptk_func *entry, const ptk_func *peer, ptk_buf *out, const ptk_op ***ops,
                    uint32_t *nops, ptk_diags *d) {
  if (ops) *ops = NULL;
  if (nops) *nops = 0;
  if (!entry || !entry->module) {
    ptk_error(d, ptk_range_none(), "no function to emit");
    return false;
  }
  ec c = {0};
  c.d = d;
  c.errors0 = d->errors;
  c.top = ptk_module_top(entry->module);
  c.nvalues = ptk_module_value_count(c.top);
  c.declared = ptk_xcalloc(c.nvalues ? c.nvalues : 1, 1);
  ptk_vec_push(&c.funcs, entry);
  if (peer) ptk_lower_func_index(&c.funcs, peer); /* function 1 */
  ptk_buf body = {0};
  for (uint32_t i = 0; i < c.funcs.len; i++) emit_func(&c, i, &body);
  ptk_buf_printf(out, "/* Generated by ptk from @%s. Do not edit. */\n", entry->name);
  ptk_buf_puts(out, ptk_jit_rt_text);
  ptk_buf_puts(out, "\n");
  ptk_buf o2 = {0};
  c.o = &o2;
  for (uint32_t i = 0; i < c.funcs.len; i++) {
    proto(&c, i);
    ptk_buf_puts(&o2, ";\n");
  }
  ptk_buf_putn(out, o2.data ? o2.data : "", o2.len);
  ptk_buf_puts(out, "\n");
  ptk_buf_putn(out, body.data ? body.data : "", body.len);
  /* the entry (and a mixed kernel's other half): arguments from cells */
  ptk_buf_puts(out, "__attribute__((visibility(\"default\"))) const unsigned ptkj_abi = PTKJ_ABI_VERSION;\n");
  ptk_buf_puts(out, "__attribute__((visibility(\"default\"))) const unsigned ptkj_sizeof_tile = sizeof(ptk_tile);\n");
  for (uint32_t k = 0; k < (peer ? 2u : 1u); k++) {
    const ptk_func *f = k ? peer : entry;
    ptk_buf_printf(out, "__attribute__((visibility(\"default\"))) int ptkj_entry%s(const ptkj_env *e, ptkj_ctx *cx, void *const *args) {\n",
                   k ? "_peer" : "");
    ptk_buf_puts(out, "  (void)args;\n");
    for (uint32_t i = 0; i < f->nresults; i++)
      ptk_buf_printf(out, "  %s res%u;\n", ctype(kind_of(f->result_types[i])), i);
    ptk_buf_printf(out, "  return f%u(e, cx", k);
    for (uint32_t i = 0; i < f->nargs; i++)
      ptk_buf_printf(out, ", *(const %s *)args[%u]", ctype(kind_of(f->arg_types[i])), i);
    for (uint32_t i = 0; i < f->nresults; i++) ptk_buf_printf(out, ", &res%u", i);
    ptk_buf_puts(out, ");\n}\n");
  }
  ptk_buf_free(&o2);
  ptk_buf_free(&body);
  free(c.declared);
  ptk_emit_fuse_free(&c);
  ptk_vec_free(&c.funcs);
  ptk_vec_free(&c.fvals);
  bool ok = d->errors == c.errors0;
  if (ok && ops) {
    *ops = (const ptk_op **)c.ops.data;
    *nops = (uint32_t)c.ops.len;
  } else {
    ptk_vec_free(&c.ops);
  }
  return ok;
}

bool ptk_emit_c(const ptk_func *entry, ptk_buf *out, ptk_diags *d) {
  return ptk_emit_c_ops(entry, NULL, out, NULL, NULL, d);
}

/* Executes compiled functions (see interp_int.h) for one block. */
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "runtime/interp/interp_int.h"

#define SC(o) ((scell *)(fr + (o)))
#define PC(o) ((ptr_cell *)(fr + (o)))
#define VC(o) ((view_cell *)(fr + (o)))
#define TC(o) ((ptk_tile *)(fr + (o)))

enum { RUN_OK = 0, RUN_ERR = -1, RUN_ABORT = -2 };

/* ---- errors (runtime/block.c renders them) --------------------------------------------------- */

#define W (&w->b)
#define fail(w, I, ...) ptk_rt_fail(&(w)->b, (I)->ir, __VA_ARGS__)

static const char *opname(const insn *I) { return I->ir ? ptk_op_table[I->ir->kind].name : "op"; }

#define ISA(call)                                                                                  \
  do {                                                                                             \
    int rc_ = (call);                                                                              \
    if (rc_) return ptk_rt_isa_fail(W, I->ir, rc_);                                                \
  } while (0)
#define CHK(call)                                                                                  \
  do {                                                                                             \
    if (call) return RUN_ERR;                                                                      \
  } while (0)

/* ---- scalars ---------------------------------------------------------------------------------- */

static inline int64_t sx(int64_t v, unsigned wd) { return wd == 1 ? -(v & 1) : v; }
static inline uint64_t zx(int64_t v, unsigned wd) {
  return wd >= 64 ? (uint64_t)v : (uint64_t)v & (((uint64_t)1 << wd) - 1);
}
#define NORM(v, wd) ptk_rt_norm((int64_t)(v), (wd))

static int arith_i(worker *w, const insn *I, uint8_t *fr) {
  const uint32_t *a = I->a;
  unsigned wd = (unsigned)I->imm;
  int64_t x = SC(a[1])->i, y = SC(a[2])->i, r = 0;
  int64_t sxv = sx(x, wd), syv = sx(y, wd);
  uint64_t ux = zx(x, wd), uy = zx(y, wd);
  switch (I->sub) {
  case PTK_OP_ARITH_ADDI: r = (int64_t)(ux + uy); break;
  case PTK_OP_ARITH_SUBI: r = (int64_t)(ux - uy); break;
  case PTK_OP_ARITH_MULI: r = (int64_t)(ux * uy); break;
  case PTK_OP_ARITH_DIVSI:
  case PTK_OP_ARITH_REMSI:
  case PTK_OP_ARITH_CEILDIVSI:
  case PTK_OP_ARITH_FLOORDIVSI: {
    if (syv == 0) return fail(w, I, "integer division by zero", "%s with a zero divisor", opname(I));
    int64_t q, m;
    if (syv == -1) {
      q = (int64_t)(0 - (uint64_t)sxv); /* wraps for the minimum value */
      m = 0;
    } else {
      q = sxv / syv;
      m = sxv % syv;
    }
    if (I->sub == PTK_OP_ARITH_REMSI)
      r = m;
    else if (I->sub == PTK_OP_ARITH_CEILDIVSI)
      r = q + (m != 0 && ((sxv < 0) == (syv < 0)));
    else if (I->sub == PTK_OP_ARITH_FLOORDIVSI)
      r = q - (m != 0 && ((sxv < 0) != (syv < 0)));
    else
      r = q;
    break;
  }
  case PTK_OP_ARITH_DIVUI:
  case PTK_OP_ARITH_REMUI:
  case PTK_OP_ARITH_CEILDIVUI:
    if (uy == 0) return fail(w, I, "integer division by zero", "%s with a zero divisor", opname(I));
    if (I->sub == PTK_OP_ARITH_DIVUI)
      r = (int64_t)(ux / uy);
    else if (I->sub == PTK_OP_ARITH_REMUI)
      r = (int64_t)(ux % uy);
    else
      r = (int64_t)(ux / uy + (ux % uy != 0));
    break;
  case PTK_OP_ARITH_ANDI: r = x & y; break;
  case PTK_OP_ARITH_ORI: r = x | y; break;
  case PTK_OP_ARITH_XORI: r = x ^ y; break;
  case PTK_OP_ARITH_SHLI: r = uy >= wd ? 0 : (int64_t)(ux << uy); break;
  case PTK_OP_ARITH_SHRUI: r = uy >= wd ? 0 : (int64_t)(ux >> uy); break;
  case PTK_OP_ARITH_SHRSI: r = uy >= wd ? (sxv < 0 ? -1 : 0) : sxv >> uy; break;
  case PTK_OP_ARITH_MAXSI: r = sxv > syv ? sxv : syv; break;
  case PTK_OP_ARITH_MINSI: r = sxv < syv ? sxv : syv; break;
  case PTK_OP_ARITH_MAXUI: r = (int64_t)(ux > uy ? ux : uy); break;
  case PTK_OP_ARITH_MINUI: r = (int64_t)(ux < uy ? ux : uy); break;
  default: return fail(w, I, "internal error", "unknown integer op %d", I->sub);
  }
  SC(a[0])->i = NORM(r, wd);
  return RUN_OK;
}

static double fmaximum(double x, double y) {
  if (isnan(x) || isnan(y)) return NAN;
  if (x == y) return signbit(x) ? y : x;
  return x > y ? x : y;
}
static double fminimum(double x, double y) {
  if (isnan(x) || isnan(y)) return NAN;
  if (x == y) return signbit(x) ? x : y;
  return x < y ? x : y;
}

static void arith_f(const insn *I, uint8_t *fr) {
  const uint32_t *a = I->a;
  ptk_dtype dt = (ptk_dtype)I->imm;
  double x = SC(a[1])->f, y = SC(a[2])->f, r;
  if (dt == PTK_DT_F64) {
    switch (I->sub) {
    case PTK_OP_ARITH_ADDF: r = x + y; break;
    case PTK_OP_ARITH_SUBF: r = x - y; break;
    case PTK_OP_ARITH_MULF: r = x * y; break;
    case PTK_OP_ARITH_DIVF: r = x / y; break;
    case PTK_OP_ARITH_REMF: r = fmod(x, y); break;
    case PTK_OP_ARITH_MAXIMUMF: r = fmaximum(x, y); break;
    case PTK_OP_ARITH_MINIMUMF: r = fminimum(x, y); break;
    case PTK_OP_ARITH_MAXNUMF: r = fmax(x, y); break;
    case PTK_OP_ARITH_MINNUMF: r = fmin(x, y); break;
    default: r = -x; break; /* negf */
    }
  } else {
    float fx = (float)x, fy = (float)y, fr_;
    switch (I->sub) {
    case PTK_OP_ARITH_ADDF: fr_ = fx + fy; break;
    case PTK_OP_ARITH_SUBF: fr_ = fx - fy; break;
    case PTK_OP_ARITH_MULF: fr_ = fx * fy; break;
    case PTK_OP_ARITH_DIVF: fr_ = fx / fy; break;
    case PTK_OP_ARITH_REMF: fr_ = fmodf(fx, fy); break;
    case PTK_OP_ARITH_MAXIMUMF: fr_ = (float)fmaximum(fx, fy); break;
    case PTK_OP_ARITH_MINIMUMF: fr_ = (float)fminimum(fx, fy); break;
    case PTK_OP_ARITH_MAXNUMF: fr_ = fmaxf(fx, fy); break;
    case PTK_OP_ARITH_MINNUMF: fr_ = fminf(fx, fy); break;
    default: fr_ = -fx; break;
    }
    r = dt == PTK_DT_F32 ? (double)fr_ : ptk_float_round((double)fr_, dt);
  }
  SC(a[0])->f = r;
}

static bool cmpi(int pred, int64_t x, int64_t y, unsigned wd) {
  int64_t a = sx(x, wd), b = sx(y, wd);
  uint64_t ua = zx(x, wd), ub = zx(y, wd);
  switch (pred) {
  case PTK_CMPI_eq: return ua == ub;
  case PTK_CMPI_ne: return ua != ub;
  case PTK_CMPI_slt: return a < b;
  case PTK_CMPI_sle: return a <= b;
  case PTK_CMPI_sgt: return a > b;
  case PTK_CMPI_sge: return a >= b;
  case PTK_CMPI_ult: return ua < ub;
  case PTK_CMPI_ule: return ua <= ub;
  case PTK_CMPI_ugt: return ua > ub;
  default: return ua >= ub;
  }
}

static bool cmpf(int pred, double x, double y) {
  bool uno = isnan(x) || isnan(y);
  switch (pred) {
  case PTK_CMPF_false: return false;
  case PTK_CMPF_oeq: return !uno && x == y;
  case PTK_CMPF_ogt: return !uno && x > y;
  case PTK_CMPF_oge: return !uno && x >= y;
  case PTK_CMPF_olt: return !uno && x < y;
  case PTK_CMPF_ole: return !uno && x <= y;
  case PTK_CMPF_one: return !uno && x != y;
  case PTK_CMPF_ord: return !uno;
  case PTK_CMPF_ueq: return uno || x == y;
  case PTK_CMPF_ugt: return uno || x > y;
  case PTK_CMPF_uge: return uno || x >= y;
  case PTK_CMPF_ult: return uno || x < y;
  case PTK_CMPF_ule: return uno || x <= y;
  case PTK_CMPF_une: return uno || x != y;
  case PTK_CMPF_uno: return uno;
  default: return true;
  }
}

static void cast(const insn *I, uint8_t *fr) {
  *SC(I->a[0]) = ptk_rt_cast(I->sub, (ptk_dtype)(I->imm >> 8), (ptk_dtype)(I->imm & 0xff), *SC(I->a[1]));
}

static inline ptk_isa_scalar isc(const insn *I, const scell *c) {
  return (I->flags & 1) ? ptk_isa_sf(c->f) : ptk_isa_si(c->i);
}

/* ---- the loop ------------------------------------------------------------------------------------- */

static const ptk_interp_prog *prog(const worker *w) { return (const ptk_interp_prog *)w->b.p; }

static uint8_t *frame_at(worker *w, int depth) {
  if (!w->frames[depth]) w->frames[depth] = ptk_xmalloc(prog(w)->max_frame);
  return w->frames[depth];
}

#define aborted(w) ptk_rt_aborted(&(w)->b)

static int run(worker *w, const fn_code *fc, uint8_t *fr) {
  const insn *code = fc->code;
  uint32_t pc = 0;
  for (;;) {
    const insn *I = &code[pc++];
    const uint32_t *a = I->a;
    switch (I->op) {
    case I_NOP: break;
    case I_JMP:
      if (a[0] < pc && aborted(w)) return RUN_ABORT;
      pc = a[0];
      break;
    case I_JMPF:
      if (!SC(a[0])->i) pc = a[1];
      break;
    case I_MOV: memcpy(fr + a[0], fr + a[1], (size_t)I->imm); break;
    case I_FOR_INIT: {
      int64_t lb = SC(a[1])->i, ub = SC(a[2])->i, st = SC(a[3])->i;
      if (st <= 0)
        return fail(w, I, "bad loop step", "scf.for step %lld is not positive", (long long)st);
      SC(a[0])->i = lb;
      if (!(lb < ub)) pc = a[4];
      break;
    }
    case I_FOR_NEXT: {
      int64_t nx;
      if (!__builtin_add_overflow(SC(a[0])->i, SC(a[2])->i, &nx) && nx < SC(a[1])->i) {
        SC(a[0])->i = nx;
        pc = a[3];
        if (aborted(w)) return RUN_ABORT;
      }
      break;
    }
    case I_CALL: {
      const fn_code *cf = &prog(w)->fns[(uintptr_t)I->aux];
      CHK(ptk_rt_enter(W, I->ir));
      uint8_t *nf = frame_at(w, w->b.depth);
      memcpy(nf, cf->frame_init, cf->frame_size);
      for (uint32_t i = 0; i < cf->nargs; i++)
        memcpy(nf + cf->arg_off[i], fr + a[i], cf->arg_size[i]);
      int rc = run(w, cf, nf);
      w->b.depth--;
      if (rc) return rc;
      const insn *ret = w->ret;
      for (uint32_t j = 0; j < cf->nresults; j++)
        memcpy(fr + a[cf->nargs + j], nf + ret->a[j], cf->res_size[j]);
      break;
    }
    case I_RET: w->ret = I; return RUN_OK;
    case I_ARITH_I:
      if (arith_i(w, I, fr)) return RUN_ERR;
      break;
    case I_ARITH_F: arith_f(I, fr); break;
    case I_EXT2: {
      unsigned wd = (unsigned)I->imm;
      int64_t x = SC(a[2])->i, y = SC(a[3])->i;
      if (I->sub == PTK_OP_ARITH_ADDUI_EXTENDED) {
        uint64_t ux = zx(x, wd), uy = zx(y, wd), s = ux + uy;
        bool carry = wd >= 64 ? s < ux : (s >> wd) != 0;
        SC(a[0])->i = NORM(s, wd);
        SC(a[1])->i = carry;
      } else if (I->sub == PTK_OP_ARITH_MULSI_EXTENDED) {
        __int128 p = (__int128)sx(x, wd) * (__int128)sx(y, wd);
        SC(a[0])->i = NORM((int64_t)(uint64_t)p, wd);
        SC(a[1])->i = NORM((int64_t)(p >> wd), wd);
      } else {
        unsigned __int128 p = (unsigned __int128)zx(x, wd) * zx(y, wd);
        SC(a[0])->i = NORM((int64_t)(uint64_t)p, wd);
        SC(a[1])->i = NORM((int64_t)(uint64_t)(p >> wd), wd);
      }
      break;
    }
    case I_CMPI: SC(a[0])->i = cmpi(I->sub, SC(a[1])->i, SC(a[2])->i, (unsigned)I->imm); break;
    case I_CMPF: SC(a[0])->i = cmpf(I->sub, SC(a[1])->f, SC(a[2])->f); break;
    case I_SELECT: memcpy(fr + a[0], fr + (SC(a[1])->i & 1 ? a[2] : a[3]), (size_t)I->imm); break;
    case I_CAST: cast(I, fr); break;
    case I_BLOCK: {
      SC(a[0])->i = NORM(ptk_rt_block_id(W, I->sub), (unsigned)I->imm);
      break;
    }
    case I_MKVIEW: {
      view_cell *v = VC(a[0]);
      const ptr_cell *p = PC(a[1]);
      int r = (int)I->imm;
      v->buf = p->buf;
      v->boff = p->boff;
      v->rank = (uint8_t)r;
      v->layout = (uint8_t)I->sub;
      for (int d = 0; d < r; d++) {
        v->shape[d] = SC(a[2 + d])->i;
        v->stride[d] = SC(a[2 + r + d])->i;
        if (v->shape[d] < 0)
          return fail(w, I, "bad tensor view", "dimension %d has negative size %lld", d,
                      (long long)v->shape[d]);
      }
      break;
    }
    case I_PARTVIEW: {
      const view_cell *s = VC(a[1]);
      view_cell *v = VC(a[0]);
      int r = (int)I->imm;
      int64_t boff = s->boff, esz = I->sub;
      view_cell nv = *s;
      for (int d = 0; d < r; d++) {
        int64_t off = SC(a[2 + d])->i, sz = SC(a[2 + r + d])->i;
        if (sz < 0)
          return fail(w, I, "bad partition", "size %lld of dimension %d is negative", (long long)sz, d);
        boff = ptk_rt_sadd(boff, ptk_rt_smul(ptk_rt_smul(off, s->stride[d]), esz));
        nv.shape[d] = sz;
      }
      nv.boff = boff;
      *v = nv;
      break;
    }
    case I_VIEWDIM: {
      const view_cell *v = VC(a[1]);
      int64_t d = SC(a[2])->i;
      if (d < 0 || d >= v->rank)
        return fail(w, I, "bad dimension", "dimension %lld of a rank-%d view", (long long)d, v->rank);
      SC(a[0])->i = NORM(I->sub ? v->stride[d] : v->shape[d], (unsigned)I->imm);
      break;
    }
    case I_ADDPTR: {
      ptr_cell p = *PC(a[1]);
      p.boff = ptk_rt_sadd(p.boff, ptk_rt_smul(SC(a[2])->i, I->imm));
      *PC(a[0]) = p;
      break;
    }
    case I_PTRTOINT: {
      SC(a[0])->i = NORM(ptk_rt_ptrtoint(PC(a[1])), (unsigned)I->imm);
      break;
    }
    case I_INTTOPTR: {
      *PC(a[0]) = ptk_rt_inttoptr(W, SC(a[1])->i);
      break;
    }
    case I_LDSC:
    case I_STSC:
      CHK(ptk_rt_scalar_mem(W, I->ir, SC(a[0]), PC(a[1]), SC(a[2])->i, (ptk_dtype)I->imm, I->op == I_LDSC));
      break;
    case I_ALLOC:
      CHK(ptk_rt_alloc(W, I->ir, I->aux, a[1] != NOSLOT ? SC(a[1])->i : 0, a[2] != NOSLOT,
                       a[2] != NOSLOT ? SC(a[2])->i : 0, a[3] != NOSLOT, a[3] != NOSLOT ? SC(a[3])->i : 0,
                       TC(a[0])));
      break;
    case I_TASSIGN: CHK(ptk_rt_tassign(W, I->ir, TC(a[0]), TC(a[1]), SC(a[2])->i)); break;
    case I_SUBVIEW:
      CHK(ptk_rt_subview(W, I->ir, I->aux, TC(a[0]), TC(a[1]), SC(a[2])->i, SC(a[3])->i, a[4] != NOSLOT,
                         a[4] != NOSLOT ? SC(a[4])->i : 0, a[5] != NOSLOT,
                         a[5] != NOSLOT ? SC(a[5])->i : 0));
      break;
    case I_RESHAPE: {
      ptk_tile out = *(const ptk_tile *)I->aux;
      ISA(ptk_isa_treshape(TC(a[1]), &out));
      *TC(a[0]) = out;
      break;
    }
    case I_BITCAST: {
      ptk_tile out;
      ISA(ptk_isa_bitcast(TC(a[1]), (ptk_isa_dtype)I->sub, &out));
      *TC(a[0]) = out;
      break;
    }
    case I_SETVALID: CHK(ptk_rt_setvalid(W, I->ir, TC(a[0]), SC(a[1])->i, SC(a[2])->i)); break;
    case I_GETVALID:
      SC(a[0])->i = TC(a[2])->vrows;
      SC(a[1])->i = TC(a[2])->vcols;
      break;
    case I_TLOAD: CHK(ptk_rt_tload(W, I->ir, TC(a[0]), VC(a[1]), (ptk_isa_dtype)I->sub)); break;
    case I_TSTORE: CHK(ptk_rt_tstore(W, I->ir, VC(a[0]), TC(a[1]), (ptk_isa_dtype)I->sub, I->flags)); break;
    case I_TMOV: ISA(ptk_isa_tmov(TC(a[0]), TC(a[1]), I->flags & 1)); break;
    case I_TEXTRACT:
    case I_TINSERT: {
      int32_t r = 0, c = 0;
      CHK(ptk_rt_to_i32(W, I->ir, SC(a[2])->i, "row index", &r) ||
          ptk_rt_to_i32(W, I->ir, SC(a[3])->i, "column index", &c));
      if (I->op == I_TEXTRACT)
        ISA(ptk_isa_textract(TC(a[0]), TC(a[1]), r, c));
      else
        ISA(ptk_isa_tinsert(TC(a[0]), TC(a[1]), r, c));
      break;
    }
    case I_TTRANS: ISA(ptk_isa_ttrans(TC(a[0]), TC(a[1]))); break;
    case I_TFILLPAD: ISA(ptk_isa_tfillpad(TC(a[0]), TC(a[1]))); break;
    case I_UNARY: ISA(ptk_isa_unary((ptk_isa_unop)I->sub, TC(a[0]), TC(a[1]))); break;
    case I_BINARY: ISA(ptk_isa_binary((ptk_isa_binop)I->sub, TC(a[0]), TC(a[1]), TC(a[2]))); break;
    case I_BINTS:
      ISA(ptk_isa_binary_ts((ptk_isa_binop)I->sub, TC(a[0]), TC(a[1]), isc(I, SC(a[2]))));
      break;
    case I_BINST:
      ISA(ptk_isa_binary_st((ptk_isa_binop)I->sub, TC(a[0]), isc(I, SC(a[1])), TC(a[2])));
      break;
    case I_TPART: ISA(ptk_isa_tpart((ptk_isa_binop)I->sub, TC(a[0]), TC(a[1]), TC(a[2]))); break;
    case I_TERN:
      if (I->sub)
        ISA(ptk_isa_tsubc(TC(a[0]), TC(a[1]), TC(a[2]), TC(a[3])));
      else
        ISA(ptk_isa_taddc(TC(a[0]), TC(a[1]), TC(a[2]), TC(a[3])));
      break;
    case I_TERNS:
      if (I->sub)
        ISA(ptk_isa_tsubsc(TC(a[0]), TC(a[1]), isc(I, SC(a[2])), TC(a[3])));
      else
        ISA(ptk_isa_taddsc(TC(a[0]), TC(a[1]), isc(I, SC(a[2])), TC(a[3])));
      break;
    case I_TAXPY: ISA(ptk_isa_taxpy(TC(a[0]), TC(a[1]), isc(I, SC(a[2])))); break;
    case I_TEXPANDS: ISA(ptk_isa_texpands(TC(a[0]), isc(I, SC(a[1])))); break;
    case I_ROWRED: ISA(ptk_isa_trowreduce((ptk_isa_redop)I->sub, TC(a[0]), TC(a[1]))); break;
    case I_COLRED: ISA(ptk_isa_tcolreduce((ptk_isa_redop)I->sub, TC(a[0]), TC(a[1]))); break;
    case I_ROWEXP: ISA(ptk_isa_trowexpand(TC(a[0]), TC(a[1]))); break;
    case I_COLEXP: ISA(ptk_isa_tcolexpand(TC(a[0]), TC(a[1]))); break;
    case I_ROWEXPOP:
      ISA(ptk_isa_trowexpand_op((ptk_isa_binop)I->sub, TC(a[0]), TC(a[1]), TC(a[2])));
      break;
    case I_COLEXPOP:
      ISA(ptk_isa_tcolexpand_op((ptk_isa_binop)I->sub, TC(a[0]), TC(a[1]), TC(a[2])));
      break;
    case I_MATMUL: ISA(ptk_isa_tmatmul(TC(a[0]), TC(a[1]), TC(a[2]))); break;
    case I_MATMUL_ACC: ISA(ptk_isa_tmatmul_acc(TC(a[0]), TC(a[1]), TC(a[2]), TC(a[3]))); break;
    case I_MATMUL_BIAS: ISA(ptk_isa_tmatmul_bias(TC(a[0]), TC(a[1]), TC(a[2]), TC(a[3]))); break;
    case I_TCVT: ISA(ptk_isa_tcvt(TC(a[0]), TC(a[1]), (ptk_isa_rmode)I->sub, I->flags & 1)); break;
    case I_TCMP: ISA(ptk_isa_tcmp(TC(a[0]), TC(a[1]), TC(a[2]), (ptk_isa_cmp)I->sub)); break;
    case I_TCMPS:
      ISA(ptk_isa_tcmps(TC(a[0]), TC(a[1]), isc(I, SC(a[2])), (ptk_isa_cmp)I->sub));
      break;
    case I_TSEL: ISA(ptk_isa_tsel(TC(a[0]), TC(a[1]), TC(a[2]), TC(a[3]))); break;
    case I_TSELS: ISA(ptk_isa_tsels(TC(a[0]), TC(a[1]), TC(a[2]), isc(I, SC(a[3])))); break;
    case I_TCI: ISA(ptk_isa_tci(TC(a[0]), SC(a[1])->i, I->flags & 1)); break;
    case I_TTRI: ISA(ptk_isa_ttri(TC(a[0]), SC(a[1])->i, I->flags & 1)); break;
    case I_TGETVAL: CHK(ptk_rt_tgetval(W, I->ir, (ptk_dtype)I->imm, SC(a[0]), TC(a[1]), SC(a[2])->i)); break;
    case I_TSETVAL: ISA(ptk_isa_tsetval(TC(a[0]), SC(a[1])->i, isc(I, SC(a[2])))); break;
    case I_TPRINT: CHK(ptk_rt_tprint(W, I->ir, TC(a[0]))); break;
    case I_PRINT: {
      scell vals[16], *v = I->na <= 16 ? vals : ptk_xmalloc(I->na * sizeof *v);
      for (uint32_t i = 0; i < I->na; i++) v[i] = *SC(a[i]);
      int rc = ptk_rt_print(W, I->ir, v, I->na);
      if (v != vals) free(v);
      CHK(rc);
      break;
    }
    case I_TRAP: return fail(w, I, "pto.trap reached", NULL);
    default: return fail(w, I, "internal error", "unknown instruction %d", I->op);
    }
  }
}

static int run_block(ptk_rt_worker *b) {
  worker *w = (worker *)b;
  const ptk_interp_prog *p = prog(w);
  const fn_code *fc = &p->fns[0];
  uint8_t *fr = frame_at(w, 0);
  memcpy(fr, fc->frame_init, fc->frame_size);
  for (uint32_t i = 0; i < fc->nargs; i++) memcpy(fr + fc->arg_off[i], b->L->argv[i], fc->arg_size[i]);
  return run(w, fc, fr);
}

static void worker_fini(ptk_rt_worker *b) {
  worker *w = (worker *)b;
  for (int i = 0; i < PTK_RT_MAX_DEPTH; i++) free(w->frames[i]);
}

const ptk_rt_engine ptk_interp__engine = {sizeof(worker), run_block, worker_fini};

int ptk_interp_run(const ptk_interp_prog *p, const ptk_launch_opts *o, const ptk_launch_arg *args,
                   size_t nargs, ptk_diags *d) {
  return ptk_rt_run(&p->rt, o, args, nargs, d);
}

int ptk_interp_launch(const ptk_func *entry, const ptk_launch_opts *o, const ptk_launch_arg *args,
                      size_t nargs, ptk_diags *d) {
  ptk_interp_prog *p = ptk_interp_prepare(entry, d);
  if (!p) return 1;
  int rc = ptk_interp_run(p, o, args, nargs, d);
  ptk_interp_free(p);
  return rc;
}

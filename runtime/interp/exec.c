/* Executes compiled functions (see interp_int.h) for one block. */
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "runtime/interp/interp_int.h"

int64_t ptk_interp__norm(int64_t v, unsigned w);

#define SC(o) ((scell *)(fr + (o)))
#define PC(o) ((ptr_cell *)(fr + (o)))
#define VC(o) ((view_cell *)(fr + (o)))
#define TC(o) ((ptk_tile *)(fr + (o)))

enum { RUN_OK = 0, RUN_ERR = -1, RUN_ABORT = -2 };

/* ---- errors ---------------------------------------------------------------------------------- */

static void note(worker *w, ptk_loc loc, const char *fmt, ...) PTK_PRINTF(3, 4);
static void note(worker *w, ptk_loc loc, const char *fmt, ...) {
  if (w->err.nnotes >= ERR_MAX_NOTES) return;
  va_list ap;
  va_start(ap, fmt);
  ptk_buf b = {0};
  ptk_buf_vprintf(&b, fmt, ap);
  va_end(ap);
  w->err.note_loc[w->err.nnotes] = loc;
  w->err.note_msg[w->err.nnotes++] = ptk_buf_take(&b);
}

/* "<headline> in kernel 'k' (block B)[: detail]" at the op; then notes for
 * the active call sites. */
static int fail(worker *w, const insn *I, const char *headline, const char *fmt, ...)
    PTK_PRINTF(4, 5);
static int fail(worker *w, const insn *I, const char *headline, const char *fmt, ...) {
  ptk_buf b = {0};
  ptk_buf_printf(&b, "%s in kernel '%s' (block %lld)", headline, w->L->kernel, (long long)w->block);
  if (fmt) {
    ptk_buf_puts(&b, ": ");
    va_list ap;
    va_start(ap, fmt);
    ptk_buf_vprintf(&b, fmt, ap);
    va_end(ap);
  }
  w->err.op = I ? I->ir : NULL;
  w->err.msg = ptk_buf_take(&b);
  w->failed = true;
  w->fail_depth = w->depth;
  return RUN_ERR;
}

void ptk_interp__call_notes(worker *w);
void ptk_interp__call_notes(worker *w) {
  /* innermost first; runs of the same call site (recursion) fold into one */
  for (int d = w->fail_depth - 1; d >= 0;) {
    const ptk_op *call = w->calls[d];
    int n = 1;
    while (d - n >= 0 && w->calls[d - n] == call) n++;
    ptk_func *f = ptk_op_func(call);
    ptk_buf b = {0};
    ptk_buf_puts(&b, "called from here");
    if (f) ptk_buf_printf(&b, " in '@%s'", f->name);
    if (n > 1) ptk_buf_printf(&b, " (%d nested calls)", n);
    note(w, call->loc, "%s", ptk_buf_cstr(&b));
    ptk_buf_free(&b);
    d -= n;
  }
}

static const char *opname(const insn *I) { return I->ir ? ptk_op_table[I->ir->kind].name : "op"; }

static int isa_fail(worker *w, const insn *I, int rc) {
  if (rc == PTK_ISA_EDIVZERO) return fail(w, I, "integer division by zero", "%s", ptk_isa_error());
  ptk_buf h = {0};
  ptk_buf_printf(&h, "%s failed", opname(I));
  int r = fail(w, I, ptk_buf_cstr(&h), "%s", ptk_isa_error());
  ptk_buf_free(&h);
  return r;
}

#define ISA(call)                                                                                  \
  do {                                                                                             \
    int rc_ = (call);                                                                              \
    if (rc_) return isa_fail(w, I, rc_);                                                           \
  } while (0)

/* ---- saturating index arithmetic ------------------------------------------------------------- */

#define BIG ((int64_t)1 << 62)
static int64_t smul(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_mul_overflow(a, b, &r) || r > BIG || r < -BIG) return (a < 0) != (b < 0) ? -BIG : BIG;
  return r;
}
static int64_t sadd(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_add_overflow(a, b, &r) || r > BIG || r < -BIG) return r < 0 || (a < 0 && b < 0) ? -BIG : BIG;
  return r;
}

/* ---- scalars ---------------------------------------------------------------------------------- */

static inline int64_t sx(int64_t v, unsigned wd) { return wd == 1 ? -(v & 1) : v; }
static inline uint64_t zx(int64_t v, unsigned wd) {
  return wd >= 64 ? (uint64_t)v : (uint64_t)v & (((uint64_t)1 << wd) - 1);
}
#define NORM(v, wd) ptk_interp__norm((int64_t)(v), (wd))

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

/* Float -> integer: truncate, saturate to the w-bit signed/unsigned range,
 * NaN -> 0. */
static int64_t f2i(double v, unsigned wd, bool uns) {
  if (isnan(v)) return 0;
  v = trunc(v);
  if (uns) {
    if (v <= 0) return 0;
    double hi = ldexp(1.0, (int)wd);
    if (v >= hi) return wd >= 64 ? (int64_t)UINT64_MAX : (int64_t)(((uint64_t)1 << wd) - 1);
    return (int64_t)(uint64_t)v;
  }
  double lim = ldexp(1.0, (int)wd - 1);
  if (v >= lim) return wd >= 64 ? INT64_MAX : (int64_t)(((uint64_t)1 << (wd - 1)) - 1);
  if (v < -lim) return wd >= 64 ? INT64_MIN : -(int64_t)((uint64_t)1 << (wd - 1));
  return (int64_t)v;
}

static bool isa_dt(ptk_dtype dt, ptk_isa_dtype *o);
bool ptk_interp__isa_dtype(ptk_dtype dt, ptk_isa_dtype *out);
static bool isa_dt(ptk_dtype dt, ptk_isa_dtype *o) { return ptk_interp__isa_dtype(dt, o); }

static uint64_t float_bits(double v, ptk_dtype dt) {
  if (dt == PTK_DT_F32) {
    float f = (float)v;
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
  }
  if (dt == PTK_DT_F64) {
    uint64_t u;
    memcpy(&u, &v, 8);
    return u;
  }
  return ptk_float_to_bits(v, dt);
}
static double bits_float(uint64_t b, ptk_dtype dt) {
  if (dt == PTK_DT_F32) {
    uint32_t u = (uint32_t)b;
    float f;
    memcpy(&f, &u, 4);
    return f;
  }
  if (dt == PTK_DT_F64) {
    double d;
    memcpy(&d, &b, 8);
    return d;
  }
  return ptk_float_from_bits(b, dt);
}

/* int -> float of dtype dt, one rounding. */
static double i2f(int64_t v, bool uns, ptk_dtype dt) {
  switch (dt) {
  case PTK_DT_F64: return uns ? (double)(uint64_t)v : (double)v;
  case PTK_DT_F32: return uns ? (double)(float)(uint64_t)v : (double)(float)v;
  default: {
    ptk_isa_dtype d;
    uint8_t out[8] = {0};
    if (!isa_dt(dt, &d)) return 0;
    ptk_isa_convert_elem(d, out, uns ? PTK_ISA_U64 : PTK_ISA_I64, &v, PTK_ISA_RM_RINT, false);
    uint16_t h;
    memcpy(&h, out, 2);
    return ptk_float_from_bits(h, dt);
  }
  }
}

static void cast(const insn *I, uint8_t *fr) {
  const uint32_t *a = I->a;
  ptk_dtype s = (ptk_dtype)(I->imm >> 8), d = (ptk_dtype)(I->imm & 0xff);
  unsigned ws = ptk_dtype_bits(s), wd = ptk_dtype_bits(d);
  scell x = *SC(a[1]), r = {0};
  switch (I->sub) {
  case PTK_OP_ARITH_INDEX_CAST:
  case PTK_OP_ARITH_EXTSI:
  case PTK_OP_ARITH_TRUNCI: r.i = NORM(sx(x.i, ws), wd); break;
  case PTK_OP_ARITH_INDEX_CASTUI:
  case PTK_OP_ARITH_EXTUI: r.i = NORM(zx(x.i, ws), wd); break;
  case PTK_OP_ARITH_EXTF:
  case PTK_OP_ARITH_TRUNCF: r.f = ptk_float_round(x.f, d); break;
  case PTK_OP_ARITH_SITOFP: r.f = i2f(sx(x.i, ws), false, d); break;
  case PTK_OP_ARITH_UITOFP: r.f = i2f((int64_t)zx(x.i, ws), true, d); break;
  case PTK_OP_ARITH_FPTOSI: r.i = NORM(f2i(x.f, wd, false), wd); break;
  case PTK_OP_ARITH_FPTOUI: r.i = NORM(f2i(x.f, wd, true), wd); break;
  default: /* bitcast */
    if (ptk_dtype_is_float(s) && ptk_dtype_is_float(d))
      r.f = bits_float(float_bits(x.f, s), d);
    else if (ptk_dtype_is_float(s))
      r.i = NORM((int64_t)float_bits(x.f, s), wd);
    else if (ptk_dtype_is_float(d))
      r.f = bits_float(zx(x.i, ws), d);
    else
      r.i = NORM(x.i, wd);
    break;
  }
  *SC(a[0]) = r;
}

/* ---- global memory ------------------------------------------------------------------------------ */

static const gbuf *get_buf(worker *w, int32_t b) {
  if (b < 0 || (uint32_t)b >= w->L->nbufs || !w->L->bufs[b].param) return NULL;
  return &w->L->bufs[b];
}

static int no_buffer(worker *w, const insn *I, const char *what) {
  return fail(w, I, "access through an invalid pointer", "%s goes through a pointer that does not come from a kernel argument", what);
}

/* Element offset (in view elements from the view base) of transfer element
 * (r, c): the mapping of ptk_gm_view (runtime/isa/isa.h). */
static int64_t gm_off(const ptk_gm_view *v, int64_t r, int64_t c) {
  int n = v->rank;
  if (n == 1) return smul(c, v->stride[0]);
  int64_t off = 0;
  if (v->layout == PTK_ISA_GM_DN && n >= 3) {
    int64_t in = v->shape[n - 1] > 0 ? v->shape[n - 1] : 1;
    off = sadd(smul(r, v->stride[n - 2]), smul(c % in, v->stride[n - 1]));
    int64_t idx = c / in;
    for (int d = n - 3; d >= 0; d--) {
      int64_t s = v->shape[d] > 0 ? v->shape[d] : 1;
      off = sadd(off, smul(idx % s, v->stride[d]));
      idx /= s;
    }
    return off;
  }
  off = smul(c, v->stride[n - 1]);
  int64_t idx = r;
  for (int d = n - 2; d >= 0; d--) {
    int64_t s = v->shape[d] > 0 ? v->shape[d] : 1;
    off = sadd(off, smul(idx % s, v->stride[d]));
    idx /= s;
  }
  return off;
}

static int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

/* Out-of-bounds report. `bad` is the byte offset of the first element (in
 * transfer order) outside the buffer; [blo, bhi) the bytes the access spans. */
static int oob(worker *w, const insn *I, const char *what, const gbuf *b, int64_t bad, int64_t blo,
               int64_t bhi, int32_t rows, int32_t cols) {
  int64_t n = b->nbytes / b->esz;
  ptk_buf h = {0};
  ptk_buf_printf(&h, "out-of-bounds %s", what);
  fail(w, I, ptk_buf_cstr(&h), "element offset %lld is outside buffer '%s' of %lld element%s",
       (long long)floor_div(bad, b->esz), b->name, (long long)n, n == 1 ? "" : "s");
  ptk_buf_free(&h);
  bool rd = !strcmp(what, "tload") || !strcmp(what, "load_scalar");
  ptk_loc at = I->ir ? I->ir->loc : (ptk_loc){0};
  if (rows > 0)
    note(w, at, "the %dx%d transfer spans element offsets %lld to %lld; nothing was %s", rows,
         cols, (long long)floor_div(blo, b->esz), (long long)floor_div(bhi - 1, b->esz),
         rd ? "read" : "written");
  else
    note(w, at, "nothing was %s", rd ? "read" : "written");
  if (b->param) {
    ptk_func *f = b->param->block && b->param->block->region ? b->param->block->region->func : NULL;
    note(w, b->param->loc, "'%s' is parameter %u%s%s%s", b->name, b->param->index + 1,
         f ? " of '@" : "", f ? f->name : "", f ? "'" : "");
  }
  return RUN_ERR;
}

/* Checks a tload/tstore and builds its GM view. */
static int gm_prepare(worker *w, const insn *I, const view_cell *v, const ptk_tile *t,
                      ptk_isa_dtype vdt, const char *what, ptk_gm_view *gv) {
  const gbuf *b = get_buf(w, v->buf);
  if (!b) return no_buffer(w, I, what);
  memset(gv, 0, sizeof *gv);
  gv->dtype = vdt;
  gv->rank = v->rank;
  gv->layout = (ptk_isa_gm_layout)v->layout;
  for (int d = 0; d < v->rank; d++) {
    gv->shape[d] = v->shape[d];
    gv->stride[d] = v->stride[d];
  }
  int32_t rows, cols;
  ISA(ptk_isa_transfer_shape(t, gv, &rows, &cols));
  int64_t lo, hi;
  ISA(ptk_isa_gm_extent(gv, rows, cols, &lo, &hi));
  int64_t esz = (int64_t)ptk_isa_dtype_size(vdt);
  if (hi >= lo) {
    int64_t blo = sadd(v->boff, smul(lo, esz)), bhi = sadd(v->boff, smul(sadd(hi, 1), esz));
    if (blo < 0 || bhi > b->nbytes) {
      int64_t bad = blo;
      for (int32_t r = 0, found = 0; r < rows && !found; r++)
        for (int32_t c = 0; c < cols; c++) {
          int64_t o = sadd(v->boff, smul(gm_off(gv, r, c), esz));
          if (o < 0 || sadd(o, esz) > b->nbytes) {
            bad = o;
            found = 1;
            break;
          }
        }
      return oob(w, I, what, b, bad, blo, bhi, rows, cols);
    }
  }
  gv->base = (void *)((uintptr_t)b->data + (uintptr_t)v->boff);
  return RUN_OK;
}

static int scalar_mem(worker *w, const insn *I, uint8_t *fr, bool load) {
  const uint32_t *a = I->a;
  const ptr_cell *p = PC(a[1]);
  const char *what = load ? "load_scalar" : "store_scalar";
  const gbuf *b = get_buf(w, p->buf);
  if (!b) return no_buffer(w, I, what);
  int64_t esz = I->sub, idx = SC(a[2])->i;
  int64_t off = sadd(p->boff, smul(idx, esz));
  if (off < 0 || sadd(off, esz) > b->nbytes) return oob(w, I, what, b, off, off, sadd(off, esz), 0, 0);
  uint8_t *m = b->data + off;
  ptk_dtype dt = (ptk_dtype)I->imm;
  unsigned wd = ptk_dtype_bits(dt);
  scell *s = SC(a[0]);
  if (ptk_dtype_is_float(dt)) {
    uint64_t bits = 0;
    if (load) {
      memcpy(&bits, m, (size_t)esz);
      s->f = bits_float(bits, dt);
    } else {
      bits = float_bits(s->f, dt);
      memcpy(m, &bits, (size_t)esz);
    }
  } else {
    if (load) {
      uint64_t bits = 0;
      memcpy(&bits, m, (size_t)esz);
      s->i = NORM((int64_t)bits, wd == 1 ? 8 : wd);
      if (wd == 1) s->i &= 1;
    } else {
      uint64_t bits = (uint64_t)s->i;
      memcpy(m, &bits, (size_t)esz);
    }
  }
  return RUN_OK;
}

/* ---- tiles ------------------------------------------------------------------------------------------ */

static const char *mem_name(ptk_space s) {
  switch (s) {
  case PTK_SPACE_VEC: return "vec (UB)";
  case PTK_SPACE_MAT: return "mat (L1)";
  case PTK_SPACE_LEFT: return "left (L0A)";
  case PTK_SPACE_RIGHT: return "right (L0B)";
  case PTK_SPACE_ACC: return "acc (L0C)";
  case PTK_SPACE_BIAS: return "bias";
  case PTK_SPACE_SCALING: return "scaling";
  default: return "?";
  }
}

static void poison_pattern(ptk_isa_dtype dt, uint8_t *pat, size_t *n) {
  switch (dt) {
  case PTK_ISA_F32: { uint32_t u = 0x7FC00000u; memcpy(pat, &u, 4); *n = 4; return; }
  case PTK_ISA_F16: { uint16_t u = 0x7E00u; memcpy(pat, &u, 2); *n = 2; return; }
  case PTK_ISA_BF16: { uint16_t u = 0x7FC0u; memcpy(pat, &u, 2); *n = 2; return; }
  case PTK_ISA_F64: { uint64_t u = 0x7FF8000000000000ull; memcpy(pat, &u, 8); *n = 8; return; }
  default: pat[0] = 0xA5; *n = 1; return;
  }
}

void ptk_interp__poison(uint8_t *p, int64_t bytes, ptk_isa_dtype dt);
void ptk_interp__poison(uint8_t *p, int64_t bytes, ptk_isa_dtype dt) {
  uint8_t pat[8];
  size_t n;
  poison_pattern(dt, pat, &n);
  for (int64_t i = 0; i < bytes; i++) p[i] = pat[(size_t)i % n];
}

/* Places a tile of `bytes` at byte `addr` of memory `loc`. */
static int place(worker *w, const insn *I, ptk_tile *t, ptk_space loc, int64_t addr, int64_t bytes) {
  uint32_t cap = w->L->cap[loc];
  if (addr < 0 || addr > (int64_t)cap || bytes > (int64_t)cap - addr) {
    fail(w, I, "tile outside on-chip memory",
         "a %lld-byte tile at address %lld does not fit in %s memory of %u bytes (%u KiB on %s)",
         (long long)bytes, (long long)addr, mem_name(loc), cap, cap / 1024, w->L->target);
    note(w, I->ir ? I->ir->loc : (ptk_loc){0}, "the tile would occupy bytes [%lld, %lld)",
         (long long)addr, (long long)sadd(addr, bytes));
    return RUN_ERR;
  }
  size_t esz = ptk_isa_dtype_size(t->dtype);
  if (esz && addr % (int64_t)esz)
    return fail(w, I, "misaligned tile address",
                "address %lld is not a multiple of the %s element size (%zu bytes)",
                (long long)addr, ptk_isa_dtype_name(t->dtype), esz);
  uint8_t *m = w->mem[loc];
  if (!m) return fail(w, I, "internal error", "memory %s was not allocated", mem_name(loc));
  t->data = m + addr;
  if (w->L->poison) {
    uint8_t *cl = w->claimed[loc];
    uint8_t pat[8];
    size_t n;
    poison_pattern(t->dtype, pat, &n);
    for (int64_t i = 0; i < bytes; i++)
      if (!cl[addr + i]) {
        cl[addr + i] = 1;
        m[addr + i] = n == 1 ? 0xA5 : pat[(size_t)i % n];
      }
  }
  return RUN_OK;
}

static int valid_dim(worker *w, const insn *I, int64_t v, int32_t max, const char *what,
                     int32_t *out) {
  if (v < 0 || v > max)
    return fail(w, I, "bad valid shape", "%s %lld is outside 0..%d", what, (long long)v, (int)max);
  *out = (int32_t)v;
  return RUN_OK;
}

static int to_i32(worker *w, const insn *I, int64_t v, const char *what, int32_t *out) {
  if (v < INT32_MIN || v > INT32_MAX)
    return fail(w, I, "index out of range", "%s %lld does not fit in 32 bits", what, (long long)v);
  *out = (int32_t)v;
  return RUN_OK;
}

static inline ptk_isa_scalar isc(const insn *I, const scell *c) {
  return (I->flags & 1) ? ptk_isa_sf(c->f) : ptk_isa_si(c->i);
}

/* ---- printing ------------------------------------------------------------------------------------- */

static void out_write(worker *w, const char *s, size_t n) {
  if (w->out) {
    ptk_buf_putn(w->out, s, n);
    return;
  }
  pthread_mutex_lock(&w->L->mu);
  fwrite(s, 1, n, w->L->out);
  pthread_mutex_unlock(&w->L->mu);
}

static void format_print(ptk_buf *b, const print_info *pi, const uint8_t *fr, const uint32_t *a,
                         uint32_t na) {
  const char *f = pi->fmt, *end = pi->fmt + pi->len;
  uint32_t arg = 0;
  while (f < end) {
    if (*f != '%') {
      ptk_buf_putc(b, *f++);
      continue;
    }
    const char *start = f++;
    if (f < end && *f == '%') {
      ptk_buf_putc(b, '%');
      f++;
      continue;
    }
    char spec[48];
    size_t n = 0;
    spec[n++] = '%';
    while (f < end && strchr("-+ #0", *f) && n < 8) spec[n++] = *f++;
    while (f < end && *f >= '0' && *f <= '9' && n < 20) spec[n++] = *f++;
    if (f < end && *f == '.') {
      spec[n++] = *f++;
      while (f < end && *f >= '0' && *f <= '9' && n < 30) spec[n++] = *f++;
    }
    while (f < end && strchr("hlLqjzt", *f)) f++;
    char conv = f < end ? *f++ : 0;
    bool is_int = conv && strchr("diuxXoc", conv), is_flt = conv && strchr("fFeEgGaA", conv);
    if ((!is_int && !is_flt) || arg >= na) {
      ptk_buf_putn(b, start, (size_t)(f - start));
      continue;
    }
    ptk_dtype dt = pi->dts[arg];
    scell v = *(const scell *)(fr + a[arg]);
    arg++;
    bool vf = ptk_dtype_is_float(dt);
    unsigned wd = ptk_dtype_bits(dt);
    if (is_flt) {
      spec[n++] = conv;
      spec[n] = 0;
      ptk_buf_printf(b, spec, vf ? v.f : (double)sx(v.i, wd));
    } else if (conv == 'c') {
      spec[n++] = 'c';
      spec[n] = 0;
      ptk_buf_printf(b, spec, (int)(vf ? (int64_t)v.f : v.i));
    } else {
      spec[n++] = 'l';
      spec[n++] = 'l';
      spec[n++] = conv;
      spec[n] = 0;
      if (conv == 'd' || conv == 'i')
        ptk_buf_printf(b, spec, (long long)(vf ? f2i(v.f, 64, false) : sx(v.i, wd)));
      else
        ptk_buf_printf(b, spec, (unsigned long long)(vf ? (uint64_t)f2i(v.f, 64, true) : zx(v.i, wd)));
    }
  }
}

/* ---- the loop ------------------------------------------------------------------------------------- */

static uint8_t *frame_at(worker *w, int depth) {
  if (!w->frames[depth]) w->frames[depth] = ptk_xmalloc(w->p->max_frame);
  return w->frames[depth];
}

static inline bool aborted(worker *w) {
  return atomic_load_explicit(&w->L->fail_block, memory_order_relaxed) < w->block;
}

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
      const fn_code *cf = &w->p->fns[(uintptr_t)I->aux];
      if (w->depth + 1 >= MAX_CALL_DEPTH)
        return fail(w, I, "call depth limit exceeded", "more than %d nested calls", MAX_CALL_DEPTH - 1);
      uint8_t *nf = frame_at(w, w->depth + 1);
      memcpy(nf, cf->frame_init, cf->frame_size);
      for (uint32_t i = 0; i < cf->nargs; i++)
        memcpy(nf + cf->arg_off[i], fr + a[i], cf->arg_size[i]);
      w->calls[w->depth++] = I->ir;
      int rc = run(w, cf, nf);
      if (rc) {
        w->depth--;
        return rc;
      }
      w->depth--;
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
      int64_t v = I->sub == 0 ? w->block : I->sub == 1 ? (int64_t)w->L->blocks : I->sub == 2 ? 0 : 1;
      SC(a[0])->i = NORM(v, (unsigned)I->imm);
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
        boff = sadd(boff, smul(smul(off, s->stride[d]), esz));
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
      p.boff = sadd(p.boff, smul(SC(a[2])->i, I->imm));
      *PC(a[0]) = p;
      break;
    }
    case I_PTRTOINT: {
      const ptr_cell *p = PC(a[1]);
      int64_t v = p->buf >= 0 ? (int64_t)(((uint64_t)p->buf + 1) << 40) + p->boff : p->boff;
      SC(a[0])->i = NORM(v, (unsigned)I->imm);
      break;
    }
    case I_INTTOPTR: {
      int64_t x = SC(a[1])->i, k = (x >> 40) - 1;
      ptr_cell p = {-1, 0, x};
      if (x >= 0 && k >= 0 && k < (int64_t)w->L->nbufs && w->L->bufs[k].param) {
        p.buf = (int32_t)k;
        p.boff = x & (((int64_t)1 << 40) - 1);
      }
      *PC(a[0]) = p;
      break;
    }
    case I_LDSC:
      if (scalar_mem(w, I, fr, true)) return RUN_ERR;
      break;
    case I_STSC:
      if (scalar_mem(w, I, fr, false)) return RUN_ERR;
      break;
    case I_ALLOC: {
      const alloc_info *ai = I->aux;
      ptk_tile t = ai->tmpl;
      if (a[2] != NOSLOT && valid_dim(w, I, SC(a[2])->i, t.rows, "valid_row", &t.vrows)) return RUN_ERR;
      if (a[3] != NOSLOT && valid_dim(w, I, SC(a[3])->i, t.cols, "valid_col", &t.vcols)) return RUN_ERR;
      if (ai->left_bl[w->L->a5] >= 0) t.blayout = (ptk_isa_blayout)ai->left_bl[w->L->a5];
      if (ai->priv >= 0)
        t.data = w->priv + ai->priv;
      else if (place(w, I, &t, ai->loc, SC(a[1])->i, ai->bytes))
        return RUN_ERR;
      *TC(a[0]) = t;
      break;
    }
    case I_TASSIGN: {
      ptk_tile t = *TC(a[1]);
      t.srows = t.rows;
      t.scols = t.cols;
      t.r0 = t.c0 = 0;
      ptk_space loc = I->ir->results[0].type->tile.loc;
      if (place(w, I, &t, loc, SC(a[2])->i, (int64_t)ptk_isa_tile_bytes(&t))) return RUN_ERR;
      *TC(a[0]) = t;
      break;
    }
    case I_SUBVIEW: {
      const ptk_tile *tm = I->aux;
      int32_t r = 0, c = 0, vr = tm->vrows, vc = tm->vcols;
      if (to_i32(w, I, SC(a[2])->i, "row offset", &r) || to_i32(w, I, SC(a[3])->i, "column offset", &c))
        return RUN_ERR;
      if (a[4] != NOSLOT && valid_dim(w, I, SC(a[4])->i, tm->rows, "valid rows", &vr)) return RUN_ERR;
      if (a[5] != NOSLOT && valid_dim(w, I, SC(a[5])->i, tm->cols, "valid columns", &vc)) return RUN_ERR;
      ptk_tile out;
      ISA(ptk_isa_subview(TC(a[1]), r, c, tm->rows, tm->cols, vr, vc, &out));
      *TC(a[0]) = out;
      break;
    }
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
    case I_SETVALID: {
      ptk_tile *t = TC(a[0]);
      int32_t vr = 0, vc = 0;
      if (valid_dim(w, I, SC(a[1])->i, t->rows, "valid rows", &vr) ||
          valid_dim(w, I, SC(a[2])->i, t->cols, "valid columns", &vc))
        return RUN_ERR;
      t->vrows = vr;
      t->vcols = vc;
      break;
    }
    case I_GETVALID:
      SC(a[0])->i = TC(a[2])->vrows;
      SC(a[1])->i = TC(a[2])->vcols;
      break;
    case I_TLOAD: {
      ptk_gm_view gv;
      if (gm_prepare(w, I, VC(a[1]), TC(a[0]), (ptk_isa_dtype)I->sub, "tload", &gv)) return RUN_ERR;
      ISA(ptk_isa_tload(TC(a[0]), &gv));
      break;
    }
    case I_TSTORE: {
      ptk_gm_view gv;
      if (gm_prepare(w, I, VC(a[0]), TC(a[1]), (ptk_isa_dtype)I->sub, "tstore", &gv)) return RUN_ERR;
      ptk_isa_store_opts so = {(I->flags & 1) != 0, (I->flags & 2) != 0};
      ISA(ptk_isa_tstore(&gv, TC(a[1]), &so));
      break;
    }
    case I_TMOV: ISA(ptk_isa_tmov(TC(a[0]), TC(a[1]), I->flags & 1)); break;
    case I_TEXTRACT:
    case I_TINSERT: {
      int32_t r = 0, c = 0;
      if (to_i32(w, I, SC(a[2])->i, "row index", &r) || to_i32(w, I, SC(a[3])->i, "column index", &c))
        return RUN_ERR;
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
    case I_TGETVAL: {
      ptk_isa_scalar s;
      ISA(ptk_isa_tgetval(TC(a[1]), SC(a[2])->i, &s));
      ptk_dtype dt = (ptk_dtype)I->imm;
      if (ptk_dtype_is_float(dt))
        SC(a[0])->f = ptk_float_round(s.is_float ? s.f : (double)s.i, dt);
      else
        SC(a[0])->i = NORM(s.is_float ? f2i(s.f, 64, false) : s.i, ptk_dtype_bits(dt));
      break;
    }
    case I_TSETVAL: ISA(ptk_isa_tsetval(TC(a[0]), SC(a[1])->i, isc(I, SC(a[2])))); break;
    case I_TPRINT: {
      ptk_buf *b = &w->scratch;
      ptk_buf_clear(b);
      int rc = ptk_isa_format(b, TC(a[0]));
      if (rc) return isa_fail(w, I, rc);
      out_write(w, ptk_buf_cstr(b), b->len);
      break;
    }
    case I_PRINT: {
      ptk_buf *b = &w->scratch;
      ptk_buf_clear(b);
      format_print(b, I->aux, fr, a, I->na);
      out_write(w, ptk_buf_cstr(b), b->len);
      break;
    }
    case I_TRAP: return fail(w, I, "pto.trap reached", NULL);
    default: return fail(w, I, "internal error", "unknown instruction %d", I->op);
    }
  }
}

int ptk_interp__exec_block(worker *w, int64_t block) {
  const ptk_interp_prog *p = w->p;
  launch *L = w->L;
  w->block = block;
  w->depth = 0;
  w->failed = false;
  for (int s = 0; s < PTK_SPACE__COUNT; s++) {
    if (!w->mem[s]) continue;
    memset(w->mem[s], L->poison ? 0xA5 : 0, L->cap[s]);
    if (L->poison) memset(w->claimed[s], 0, L->cap[s]);
  }
  if (p->priv_bytes) {
    if (L->poison)
      for (uint32_t i = 0; i < p->nsites; i++)
        ptk_interp__poison(w->priv + p->sites[i].off, p->sites[i].bytes, p->sites[i].dtype);
    else
      memset(w->priv, 0, (size_t)p->priv_bytes);
  }
  const fn_code *fc = &p->fns[0];
  uint8_t *fr = frame_at(w, 0);
  memcpy(fr, fc->frame_init, fc->frame_size);
  for (uint32_t i = 0; i < fc->nargs; i++) {
    if (fc->arg_kind[i] == K_PTR) {
      ptr_cell pc = {(int32_t)i, 0, 0};
      memcpy(fr + fc->arg_off[i], &pc, sizeof pc);
    } else {
      memcpy(fr + fc->arg_off[i], &L->scalars[i], sizeof(scell));
    }
  }
  int rc = run(w, fc, fr);
  if (rc == RUN_ERR) ptk_interp__call_notes(w);
  return rc;
}

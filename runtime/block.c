/* The host services a block of either engine calls (see launch.h): located
 * runtime errors, scalar casts, bounds-checked global memory, on-chip tile
 * placement, printing; and the tile templates both engines prepare. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/launch.h"

/* ---- errors ---------------------------------------------------------------------------------- */

void ptk_rt_note(ptk_rt_worker *w, ptk_loc loc, const char *fmt, ...) {
  if (w->err.nnotes >= PTK_RT_MAX_NOTES) return;
  va_list ap;
  va_start(ap, fmt);
  ptk_buf b = {0};
  ptk_buf_vprintf(&b, fmt, ap);
  va_end(ap);
  w->err.note_loc[w->err.nnotes] = loc;
  w->err.note_msg[w->err.nnotes++] = ptk_buf_take(&b);
}

int ptk_rt_fail(ptk_rt_worker *w, const ptk_op *op, const char *headline, const char *fmt, ...) {
  if (w->failed) return -1;
  ptk_buf b = {0};
  ptk_buf_printf(&b, "%s in kernel '%s' (block %lld", headline, w->L->kernel, (long long)w->block);
  if (w->core == 1) ptk_buf_puts(&b, ", cube");
  if (w->core >= 2) ptk_buf_printf(&b, ", vector sub-block %d", w->core - 2);
  ptk_buf_puts(&b, ")");
  if (fmt) {
    ptk_buf_puts(&b, ": ");
    va_list ap;
    va_start(ap, fmt);
    ptk_buf_vprintf(&b, fmt, ap);
    va_end(ap);
  }
  w->err.op = op;
  w->err.msg = ptk_buf_take(&b);
  w->failed = true;
  w->fail_depth = w->depth;
  return -1;
}

int ptk_rt_oom(ptk_rt_worker *w, const ptk_op *op, const char *what, uint64_t bytes) {
  ptk_rt_fail(w, op, "out of memory", "cannot allocate %llu bytes for %s", (unsigned long long)bytes, what);
  w->err.oom = true;
  return -1;
}

/* Notes for the active call sites at the failure: innermost first; runs of
 * the same call site (recursion) fold into one. */
void ptk_rt_call_notes(ptk_rt_worker *w) {
  for (int d = w->fail_depth - 1; d >= 0;) {
    const ptk_op *call = w->calls[d];
    int n = 1;
    while (d - n >= 0 && w->calls[d - n] == call) n++;
    ptk_func *f = ptk_op_func(call);
    ptk_buf b = {0};
    ptk_buf_puts(&b, "called from here");
    if (f) ptk_buf_printf(&b, " in '@%s'", f->name);
    if (n > 1) ptk_buf_printf(&b, " (%d nested calls)", n);
    ptk_rt_note(w, call->loc, "%s", ptk_buf_cstr(&b));
    ptk_buf_free(&b);
    d -= n;
  }
}

static const char *opname(const ptk_op *op) { return op ? ptk_op_table[op->kind].name : "op"; }

/* A VPTO op failed: name the kernel buffers its global pointers come from
 * (its messages speak of "source" and "destination" memories). */
static void vop_buffer_notes(ptk_rt_worker *w, const ptk_op *op) {
  for (uint32_t i = 0; i < op->noperands; i++) {
    const ptk_value *v = op->operands[i];
    if (!v || !v->type || v->type->kind != PTK_TY_PTR || v->type->space != PTK_SPACE_GM) continue;
    while (v->def && (v->def->kind == PTK_OP_ADDPTR || v->def->kind == PTK_OP_CASTPTR) && v->def->noperands)
      v = v->def->operands[0];
    for (uint32_t b = 0; b < w->L->nbufs; b++)
      if (w->L->bufs[b].param == v && w->L->bufs[b].data)
        ptk_rt_note(w, v->loc, "operand %u of %s is in kernel argument %u ('%s'), %lld bytes", i,
                    ptk_op_table[op->kind].name, b + 1, w->L->bufs[b].name, (long long)w->L->bufs[b].nbytes);
  }
}

int ptk_rt_isa_fail(ptk_rt_worker *w, const ptk_op *op, int rc) {
  if (rc == PTK_ISA_EDIVZERO) {
    /* scalar arith (runtime/isa/scalar.h) has no message of its own */
    if (op && ptk_op_table[op->kind].family == PTK_FAM_ARITH)
      return ptk_rt_fail(w, op, "integer division by zero", "%s with a zero divisor", opname(op));
    int r = ptk_rt_fail(w, op, "integer division by zero", "%s", ptk_isa_error());
    ptk_isa_clear_error();
    return r;
  }
  ptk_buf h = {0};
  ptk_buf_printf(&h, "%s failed", opname(op));
  const char *msg = ptk_isa_error();
  if (!msg[0]) /* a header-only function: the code says what */
    msg = rc == PTK_ISA_EDTYPE    ? "an element type or combination of element types the operation does not take"
          : rc == PTK_ISA_ELAYOUT ? "a layout or memory the operation does not take"
          : rc == PTK_ISA_ESHAPE  ? "an access outside its memory or a shape mismatch"
          : rc == PTK_ISA_EARG    ? "an argument value out of range"
                                  : "an error";
  int r = ptk_rt_fail(w, op, ptk_buf_cstr(&h), "%s", msg);
  ptk_buf_free(&h);
  ptk_isa_clear_error();
  if (op && ptk_op_table[op->kind].family == PTK_FAM_VOP) vop_buffer_notes(w, op);
  return r;
}

#define ISA(call)                                                                                  \
  do {                                                                                             \
    int rc_ = (call);                                                                              \
    if (rc_) return ptk_rt_isa_fail(w, op, rc_);                                                   \
  } while (0)

int ptk_rt_enter(ptk_rt_worker *w, const ptk_op *call) {
  if (w->depth + 1 >= PTK_RT_MAX_DEPTH)
    return ptk_rt_fail(w, call, "call depth limit exceeded", "more than %d nested calls",
                       PTK_RT_MAX_DEPTH - 1);
  w->calls[w->depth++] = call;
  return 0;
}

int64_t ptk_rt_block_id(const ptk_rt_worker *w, int which) {
  /* a mixed block's vector cores are its sub-blocks (runtime/mix.c) */
  if (which == 2) return w->core >= 2 ? w->core - 2 : 0;
  if (which == 3) return w->core >= 2 ? w->p->mix_nvec : 1;
  return which == 0 ? w->block : (int64_t)w->L->blocks;
}

/* ---- saturating index arithmetic ------------------------------------------------------------- */

#define smul ptk_rt_smul
#define sadd ptk_rt_sadd
static int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

/* ---- scalars ---------------------------------------------------------------------------------- */

static inline int64_t sx(int64_t v, unsigned wd) { return ptk_sc_sx(v, wd); }
static inline uint64_t zx(int64_t v, unsigned wd) { return ptk_sc_zx(v, wd); }

/* ---- global memory ---------------------------------------------------------------------------- */

static const char *mem_name(ptk_space s);

static const ptk_rt_gbuf *get_buf(const ptk_rt_worker *w, int32_t b) {
  if (b < 0 || (uint32_t)b >= w->L->nbufs || !w->L->bufs[b].param) return NULL;
  return &w->L->bufs[b];
}

static int no_buffer(ptk_rt_worker *w, const ptk_op *op, const char *what) {
  return ptk_rt_fail(w, op, "access through an invalid pointer",
                     "%s goes through a pointer that does not come from a kernel argument", what);
}

/* Out-of-bounds report. `bad` is the byte offset of the first element (in
 * transfer order) outside the buffer; [blo, bhi) the bytes the access spans. */
static int oob(ptk_rt_worker *w, const ptk_op *op, const char *what, const ptk_rt_gbuf *b,
               int64_t bad, int64_t blo, int64_t bhi, int32_t rows, int32_t cols) {
  int64_t n = b->nbytes / b->esz;
  ptk_buf h = {0};
  ptk_buf_printf(&h, "out-of-bounds %s", what);
  ptk_rt_fail(w, op, ptk_buf_cstr(&h), "element offset %lld is outside buffer '%s' of %lld element%s",
              (long long)floor_div(bad, b->esz), b->name, (long long)n, n == 1 ? "" : "s");
  ptk_buf_free(&h);
  bool rd = !strcmp(what, "tload") || !strcmp(what, "load_scalar");
  ptk_loc at = op ? op->loc : (ptk_loc){0};
  if (rows > 0)
    ptk_rt_note(w, at, "the %dx%d transfer spans element offsets %lld to %lld; nothing was %s", rows,
                cols, (long long)floor_div(blo, b->esz), (long long)floor_div(bhi - 1, b->esz),
                rd ? "read" : "written");
  else
    ptk_rt_note(w, at, "nothing was %s", rd ? "read" : "written");
  if (b->param) {
    const ptk_value *pv = b->param;
    char nm[72];
    const char *name = b->name;
    if (w->fn) { /* a mixed kernel's other half (runtime/mix.c): its own parameter */
      const ptk_func *run = ptk_lower_mixed_peer(w->p->entry);
      if (run && pv->index < run->nargs && ptk_func_arg(run, pv->index)) {
        pv = ptk_func_arg(run, pv->index);
        if (pv->name && b->name[0] == '%') snprintf(nm, sizeof nm, "%%%s", pv->name), name = nm;
      }
    }
    ptk_func *f = pv->block && pv->block->region ? pv->block->region->func : NULL;
    bool ptk = b->name[0] != '%'; /* a .ptk kernel's parameter (runtime/launch.c param_name) */
    ptk_rt_note(w, pv->loc, "'%s' is parameter %u%s%s%s", name, pv->index + 1,
                f ? (ptk ? " of kernel '" : " of '@") : "", f ? f->name : "", f ? "'" : "");
  }
  return -1;
}

/* Checks a tload/tstore and builds its GM view. */
/* --check-races: the bytes a checked transfer touches, one range per
 * contiguous row (element by element when a row is strided). */
static void record_transfer(ptk_rt_worker *w, const ptk_op *op, const ptk_rt_view *v,
                            const ptk_gm_view *gv, int32_t rows, int32_t cols, int64_t esz, int kind) {
  int n = gv->rank;
  bool contig = n >= 1 && gv->stride[n - 1] == 1 && !(gv->layout == PTK_ISA_GM_DN && n >= 3) &&
                gv->layout != PTK_ISA_GM_NZ;
  for (int32_t r = 0; r < rows; r++) {
    if (contig || cols == 1) {
      int64_t o = sadd(v->boff, smul(ptk_isa_gm_offset(gv, r, 0), esz));
      ptk_rt_record(w, op, v->buf, o, sadd(o, smul(cols, esz)), kind);
    } else {
      for (int32_t c = 0; c < cols; c++) {
        int64_t o = sadd(v->boff, smul(ptk_isa_gm_offset(gv, r, c), esz));
        ptk_rt_record(w, op, v->buf, o, sadd(o, esz), kind);
      }
    }
  }
}

static int gm_prepare(ptk_rt_worker *w, const ptk_op *op, const ptk_rt_view *v, const ptk_tile *t,
                      ptk_isa_dtype vdt, const char *what, int kind, ptk_gm_view *gv) {
  const ptk_rt_gbuf *b = get_buf(w, v->buf);
  if (!b) return no_buffer(w, op, what);
  memset(gv, 0, sizeof *gv);
  gv->dtype = vdt;
  gv->rank = v->rank;
  gv->layout = (ptk_isa_gm_layout)v->layout;
  for (int d = 0; d < v->rank; d++) {
    gv->shape[d] = v->shape[d];
    gv->stride[d] = v->stride[d];
  }
  /* A vec Nz tile moves only to and from NZ data on the NPU (pto-isa: vec
   * loads need one layout on both sides; PTOAS's A5 tload picks its NZ
   * copy by the tile's layout), so a rank-5 ND view is read as NZ. */
  if (gv->layout == PTK_ISA_GM_ND && gv->rank == 5 && t->loc == PTK_ISA_VEC && t->blayout == PTK_ISA_COL_MAJOR &&
      t->slayout == PTK_ISA_BOX_ROW_MAJOR)
    gv->layout = PTK_ISA_GM_NZ;
  /* A transfer moves the tile's valid region: more valid elements than the
   * partition holds would reach past it on the device (the static form of
   * this is a check-shapes error); fewer, or a reshaped equal count, are fine. */
  int64_t pn = 1;
  for (int d = 0; d < v->rank; d++) pn = smul(pn, v->shape[d] > 0 ? v->shape[d] : 0);
  int64_t tn = (int64_t)t->vrows * t->vcols;
  if (tn > pn) {
    ptk_buf ps = {0};
    for (int d = 0; d < v->rank; d++) ptk_buf_printf(&ps, "%s%lld", d ? "x" : "", (long long)v->shape[d]);
    ptk_rt_fail(w, op, "partition smaller than the tile",
                "%s of a tile whose valid shape is %dx%d (%lld elements) through a %s partition (%lld elements)",
                what, (int)t->vrows, (int)t->vcols, (long long)tn, ptk_buf_cstr(&ps), (long long)pn);
    ptk_buf_free(&ps);
    return -1;
  }
  int32_t rows, cols;
  ISA(ptk_isa_transfer_shape(t, gv, &rows, &cols));
  int64_t lo, hi;
  ISA(ptk_isa_gm_extent(gv, rows, cols, &lo, &hi));
  int64_t esz = (int64_t)ptk_isa_dtype_size(vdt);
  int64_t mx = ptk_isa_mx_scale_extent(t);
  if (mx > 0 && esz == 1) { /* an MX scale tile moves its packed bytes from the view's base */
    int64_t blo = v->boff, bhi = sadd(v->boff, mx);
    if (blo < 0 || bhi > b->nbytes) return oob(w, op, what, b, blo < 0 ? blo : b->nbytes, blo, bhi, 0, 0);
    if (w->L->races) ptk_rt_record(w, op, v->buf, blo, bhi, kind);
    gv->base = (void *)((uintptr_t)b->data + (uintptr_t)v->boff);
    return 0;
  }
  if (hi >= lo) {
    int64_t blo = sadd(v->boff, smul(lo, esz)), bhi = sadd(v->boff, smul(sadd(hi, 1), esz));
    if (blo < 0 || bhi > b->nbytes) {
      int64_t bad = blo;
      for (int32_t r = 0, found = 0; r < rows && !found; r++)
        for (int32_t c = 0; c < cols; c++) {
          int64_t o = sadd(v->boff, smul(ptk_isa_gm_offset(gv, r, c), esz));
          if (o < 0 || sadd(o, esz) > b->nbytes) {
            bad = o;
            found = 1;
            break;
          }
        }
      return oob(w, op, what, b, bad, blo, bhi, rows, cols);
    }
    if (w->L->races) record_transfer(w, op, v, gv, rows, cols, esz, kind);
  }
  gv->base = (void *)((uintptr_t)b->data + (uintptr_t)v->boff);
  return 0;
}

int ptk_rt_tload(ptk_rt_worker *w, const ptk_op *op, const ptk_tile *t, const ptk_rt_view *v,
                 ptk_isa_dtype vdt) {
  ptk_gm_view gv;
  if (gm_prepare(w, op, v, t, vdt, "tload", 0, &gv)) return -1;
  ISA(ptk_isa_tload(t, &gv));
  return 0;
}

int ptk_rt_tstore(ptk_rt_worker *w, const ptk_op *op, const ptk_rt_view *v, const ptk_tile *t,
                  ptk_isa_dtype vdt, unsigned flags) {
  ptk_gm_view gv;
  if (gm_prepare(w, op, v, t, vdt, "tstore", flags & 2 ? 2 : 1, &gv)) return -1;
  ptk_isa_store_opts so = {(flags & 1) != 0, (flags & 2) != 0};
  ISA(ptk_isa_tstore(&gv, t, &so));
  return 0;
}

int ptk_rt_gm_direct(ptk_rt_worker *w, const ptk_op *op, const ptk_tile *t, const ptk_rt_view *v,
                     ptk_isa_dtype vdt, bool store, float **p, int64_t *ld) {
  if (w->L->races || v->rank != 2 || v->layout != PTK_ISA_GM_ND || vdt != PTK_ISA_F32 ||
      t->dtype != PTK_ISA_F32 || t->loc != PTK_ISA_VEC || t->blayout != PTK_ISA_ROW_MAJOR || t->slayout != PTK_ISA_NONE_BOX ||
      t->r0 || t->c0 || t->pad != PTK_ISA_PAD_NULL || v->shape[0] != t->vrows ||
      v->shape[1] != t->vcols || v->stride[1] != 1)
    return 1;
  ptk_gm_view gv;
  if (gm_prepare(w, op, v, t, vdt, store ? "tstore" : "tload", store ? 1 : 0, &gv)) return -1;
  *p = gv.base;
  *ld = v->stride[0];
  return 0;
}

int ptk_rt_scalar_mem(ptk_rt_worker *w, const ptk_op *op, ptk_rt_sc *s, const ptk_rt_ptr *p,
                      int64_t idx, ptk_dtype dt, bool load) {
  const char *what = load ? "load_scalar" : "store_scalar";
  int64_t esz = ptk_dtype_bytes(dt);
  int64_t off = sadd(p->boff, smul(idx, esz));
  uint8_t *m;
  int sp = ptk_rt_ptr_onchip(p);
  if (sp >= 0) { /* VPTO: UB and the other on-chip memories */
    ptk_vptr r = ptk_rt_vptr(w, p);
    if (off < 0 || sadd(off, esz) > r.cap)
      return ptk_rt_fail(w, op, "on-chip access out of range",
                         "%s of bytes [%lld, %lld) outside %s memory of %lld bytes", what, (long long)off,
                         (long long)sadd(off, esz), sp < PTK_SPACE__COUNT ? mem_name((ptk_space)sp) : "?",
                         (long long)r.cap);
    m = r.base + off;
  } else {
    const ptk_rt_gbuf *b = get_buf(w, p->buf);
    if (!b) return no_buffer(w, op, what);
    if (off < 0 || sadd(off, esz) > b->nbytes) return oob(w, op, what, b, off, off, sadd(off, esz), 0, 0);
    if (w->L->races) ptk_rt_record(w, op, p->buf, off, off + esz, load ? 0 : 1);
    m = b->data + off;
  }
  unsigned wd = ptk_dtype_bits(dt);
  ptk_isa_dtype idt = PTK_ISA_F64;
  int sdt;
  if (ptk_dtype_is_float(dt) && ptk_lower_isa_dtype(dt, &sdt)) { /* computable floats only */
    idt = (ptk_isa_dtype)sdt;
    uint64_t bits = 0;
    if (load) {
      memcpy(&bits, m, (size_t)esz);
      s->f = ptk_sc_bitsf(bits, idt);
    } else {
      bits = ptk_sc_fbits(s->f, idt);
      memcpy(m, &bits, (size_t)esz);
    }
  } else {
    if (load) {
      uint64_t bits = 0;
      memcpy(&bits, m, (size_t)esz);
      s->i = ptk_sc_norm((int64_t)bits, wd == 1 ? 8 : wd);
      if (wd == 1) s->i &= 1;
    } else {
      uint64_t bits = (uint64_t)s->i;
      memcpy(m, &bits, (size_t)esz);
    }
  }
  return 0;
}

int64_t ptk_rt_ptrtoint(const ptk_rt_ptr *p) {
  return p->buf >= 0 ? (int64_t)(((uint64_t)p->buf + 1) << 40) + p->boff : p->boff;
}

ptk_rt_ptr ptk_rt_inttoptr(const ptk_rt_worker *w, int64_t x) {
  int64_t k = (x >> 40) - 1;
  ptk_rt_ptr p = {-1, 0, x};
  if (x >= 0 && k >= 0 && k < (int64_t)w->L->nbufs && w->L->bufs[k].param) {
    p.buf = (int32_t)k;
    p.boff = x & (((int64_t)1 << 40) - 1);
  }
  return p;
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

/* The worker's first use of on-chip memory loc: allocated and filled (zero,
 * or the poison byte). */
static int onchip_mem(ptk_rt_worker *w, const ptk_op *op, ptk_space loc) {
  uint32_t cap = w->L->cap[loc];
  size_t sz = ((size_t)cap + 63) & ~(size_t)63;
  w->mem[loc] = aligned_alloc(64, sz ? sz : 64);
  if (!w->mem[loc]) return ptk_rt_oom(w, op, mem_name(loc), cap);
  w->cap[loc] = cap;
  w->mem_fill[loc] = w->L->poison ? 0xA5 : 0;
  memset(w->mem[loc], w->mem_fill[loc], cap);
  w->dirty_lo[loc] = UINT32_MAX;
  w->dirty_hi[loc] = 0;
  return 0;
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

void ptk_rt_poison(uint8_t *p, int64_t bytes, ptk_isa_dtype dt) {
  uint8_t pat[8];
  size_t n;
  poison_pattern(dt, pat, &n);
  for (int64_t i = 0; i < bytes; i++) p[i] = pat[(size_t)i % n];
}

/* Places a tile of `bytes` at byte `addr` of memory `loc`. */
static int place(ptk_rt_worker *w, const ptk_op *op, ptk_tile *t, ptk_space loc, int64_t addr,
                 int64_t bytes) {
  uint32_t cap = w->L->cap[loc];
  if (addr < 0 || addr > (int64_t)cap || bytes > (int64_t)cap - addr) {
    ptk_rt_fail(w, op, "tile outside on-chip memory",
                "a %lld-byte tile at address %lld does not fit in %s memory of %u bytes (%u KiB on %s)",
                (long long)bytes, (long long)addr, mem_name(loc), cap, cap / 1024, w->L->target);
    ptk_rt_note(w, op ? op->loc : (ptk_loc){0}, "the tile would occupy bytes [%lld, %lld)",
                (long long)addr, (long long)sadd(addr, bytes));
    return -1;
  }
  size_t esz = ptk_isa_dtype_size(t->dtype);
  if (esz && addr % (int64_t)esz)
    return ptk_rt_fail(w, op, "misaligned tile address",
                       "address %lld is not a multiple of the %s element size (%zu bytes)",
                       (long long)addr, ptk_isa_dtype_name(t->dtype), esz);
  if (!w->mem[loc] && onchip_mem(w, op, loc)) return -1;
  if (w->L->poison && !w->claimed[loc] && !(w->claimed[loc] = calloc(cap ? cap : 1, 1)))
    return ptk_rt_oom(w, op, "poison tracking", cap);
  uint8_t *m = w->mem[loc];
  t->data = m + addr;
  if ((uint64_t)addr < w->dirty_lo[loc]) w->dirty_lo[loc] = (uint32_t)addr;
  if ((uint64_t)(addr + bytes) > w->dirty_hi[loc]) w->dirty_hi[loc] = (uint32_t)(addr + bytes);
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
  return 0;
}

/* ---- VPTO: pointers into on-chip memory ------------------------------------------------------ */

ptk_vptr ptk_rt_vptr(ptk_rt_worker *w, const ptk_rt_ptr *p) {
  ptk_vptr r = {NULL, 0, p->boff};
  int sp = ptk_rt_ptr_onchip(p);
  if (sp >= PTK_SPACE__COUNT) return r;
  if (sp >= 0) {
    if (!w->mem[sp] && onchip_mem(w, NULL, (ptk_space)sp)) {
      w->failed = false; /* an out-of-memory here becomes an access outside cap 0 */
      return r;
    }
    r.base = w->mem[sp];
    r.cap = w->cap[sp];
    /* register-level code may touch any byte: the next block starts clean */
    w->dirty_lo[sp] = 0;
    w->dirty_hi[sp] = w->cap[sp];
    w->vbase[sp] = r.base;
    w->vcap[sp] = r.cap;
    return r;
  }
  const ptk_rt_gbuf *b = get_buf(w, p->buf);
  if (b) {
    r.base = b->data;
    r.cap = b->nbytes;
  }
  return r;
}

static int valid_dim(ptk_rt_worker *w, const ptk_op *op, int64_t v, int32_t max, const char *what,
                     int32_t *out) {
  if (v < 0 || v > max)
    return ptk_rt_fail(w, op, "bad valid shape", "%s %lld is outside 0..%d", what, (long long)v, (int)max);
  *out = (int32_t)v;
  return 0;
}

int ptk_rt_to_i32(ptk_rt_worker *w, const ptk_op *op, int64_t v, const char *what, int32_t *out) {
  if (v < INT32_MIN || v > INT32_MAX)
    return ptk_rt_fail(w, op, "index out of range", "%s %lld does not fit in 32 bits", what, (long long)v);
  *out = (int32_t)v;
  return 0;
}

/* Private tile storage: allocated on the worker's first private alloc_tile;
 * a site is cleared (zeros, or its poison pattern) on its first alloc_tile
 * in each block, which is all a block can observe of it. */
static int priv_site(ptk_rt_worker *w, const ptk_op *op, const ptk_rt_alloc_info *ai) {
  const ptk_rt_prog *p = w->p;
  if (!w->priv) {
    size_t sz = ((size_t)p->priv_bytes + 63) & ~(size_t)63;
    w->priv = aligned_alloc(64, sz ? sz : 64);
    if (!w->priv) return ptk_rt_oom(w, op, "private tile storage", (uint64_t)p->priv_bytes);
  }
  if (!w->site_epoch && !(w->site_epoch = calloc(p->nsites ? p->nsites : 1, sizeof *w->site_epoch)))
    return ptk_rt_oom(w, op, "private tile bookkeeping", (uint64_t)p->nsites * sizeof *w->site_epoch);
  uint32_t lo = 0, hi = p->nsites; /* the site at offset ai->priv */
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (p->sites[mid].off < ai->priv) lo = mid + 1;
    else hi = mid;
  }
  if (lo >= p->nsites || p->sites[lo].off != ai->priv)
    return ptk_rt_fail(w, op, "internal error", "no private tile site at offset %lld", (long long)ai->priv);
  if (w->site_epoch[lo] != w->epoch) {
    const ptk_rt_site *s = &p->sites[lo];
    if (w->L->poison) ptk_rt_poison(w->priv + s->off, s->bytes, s->dtype);
    else memset(w->priv + s->off, 0, (size_t)s->bytes);
    w->site_epoch[lo] = w->epoch;
  }
  return 0;
}

int ptk_rt_alloc(ptk_rt_worker *w, const ptk_op *op, const ptk_rt_alloc_info *ai, int64_t addr,
                 bool has_vr, int64_t vr, bool has_vc, int64_t vc, ptk_tile *dst) {
  ptk_tile t = ai->tmpl;
  if (has_vr && valid_dim(w, op, vr, t.rows, "valid_row", &t.vrows)) return -1;
  if (has_vc && valid_dim(w, op, vc, t.cols, "valid_col", &t.vcols)) return -1;
  if (ai->left_bl[w->L->a5] >= 0) t.blayout = (ptk_isa_blayout)ai->left_bl[w->L->a5];
  if (ai->priv >= 0) {
    if (priv_site(w, op, ai)) return -1;
    t.data = w->priv + ai->priv;
  } else if (place(w, op, &t, ai->loc, addr, ai->bytes))
    return -1;
  *dst = t;
  return 0;
}

int ptk_rt_tassign(ptk_rt_worker *w, const ptk_op *op, ptk_tile *dst, const ptk_tile *src,
                   int64_t addr) {
  ptk_tile t = *src;
  t.srows = t.rows;
  t.scols = t.cols;
  t.r0 = t.c0 = 0;
  ptk_space loc = op->results[0].type->tile.loc;
  if (place(w, op, &t, loc, addr, (int64_t)ptk_isa_tile_bytes(&t))) return -1;
  *dst = t;
  return 0;
}

int ptk_rt_subview(ptk_rt_worker *w, const ptk_op *op, const ptk_tile *tm, ptk_tile *dst,
                   const ptk_tile *src, int64_t r64, int64_t c64, bool has_vr, int64_t vr64,
                   bool has_vc, int64_t vc64) {
  int32_t r = 0, c = 0, vr = tm->vrows, vc = tm->vcols;
  if (ptk_rt_to_i32(w, op, r64, "row offset", &r) || ptk_rt_to_i32(w, op, c64, "column offset", &c))
    return -1;
  if (has_vr && valid_dim(w, op, vr64, tm->rows, "valid rows", &vr)) return -1;
  if (has_vc && valid_dim(w, op, vc64, tm->cols, "valid columns", &vc)) return -1;
  ptk_tile out;
  ISA(ptk_isa_subview(src, r, c, tm->rows, tm->cols, vr, vc, &out));
  *dst = out;
  return 0;
}

int ptk_rt_setvalid(ptk_rt_worker *w, const ptk_op *op, ptk_tile *t, int64_t vr64, int64_t vc64) {
  int32_t vr = 0, vc = 0;
  if (valid_dim(w, op, vr64, t->rows, "valid rows", &vr) ||
      valid_dim(w, op, vc64, t->cols, "valid columns", &vc))
    return -1;
  t->vrows = vr;
  t->vcols = vc;
  return 0;
}

int ptk_rt_tgetval(ptk_rt_worker *w, const ptk_op *op, ptk_dtype dt, ptk_rt_sc *dst,
                   const ptk_tile *t, int64_t off) {
  ptk_isa_scalar s;
  ISA(ptk_isa_tgetval(t, off, &s));
  if (ptk_dtype_is_float(dt))
    dst->f = ptk_float_round(s.is_float ? s.f : (double)s.i, dt);
  else
    dst->i = ptk_sc_norm(s.is_float ? ptk_sc_f2i(s.f, 64, false) : s.i, ptk_dtype_bits(dt));
  return 0;
}

/* ---- printing ------------------------------------------------------------------------------------- */

static void out_write(ptk_rt_worker *w, const char *s, size_t n) {
  if (w->out) {
    ptk_buf_putn(w->out, s, n);
    return;
  }
  pthread_mutex_lock(&w->L->mu);
  fwrite(s, 1, n, w->L->out);
  pthread_mutex_unlock(&w->L->mu);
}

int ptk_rt_tprint(ptk_rt_worker *w, const ptk_op *op, const ptk_tile *t) {
  ptk_buf *b = &w->scratch;
  ptk_buf_clear(b);
  ISA(ptk_isa_format(b, t));
  out_write(w, ptk_buf_cstr(b), b->len);
  return 0;
}

int ptk_rt_print(ptk_rt_worker *w, const ptk_op *op, const ptk_rt_sc *vals, uint32_t na) {
  const ptk_attr *fa = ptk_op_attr(op, "format");
  ptk_buf *b = &w->scratch;
  ptk_buf_clear(b);
  const char *f = fa ? fa->str.s : "", *end = fa ? fa->str.s + fa->str.len : f;
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
    const ptk_value *av = op->operands[arg];
    ptk_dtype dt = av->type && av->type->kind == PTK_TY_SCALAR ? av->type->dt : PTK_DT_I64;
    ptk_rt_sc v = vals[arg];
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
        ptk_buf_printf(b, spec, (long long)(vf ? ptk_sc_f2i(v.f, 64, false) : sx(v.i, wd)));
      else
        ptk_buf_printf(b, spec,
                       (unsigned long long)(vf ? (uint64_t)ptk_sc_f2i(v.f, 64, true) : zx(v.i, wd)));
    }
  }
  out_write(w, ptk_buf_cstr(b), b->len);
  return 0;
}

/* ---- preparing ------------------------------------------------------------------------------------ */

static ptk_isa_loc isa_loc(ptk_space s) {
  switch (s) {
  case PTK_SPACE_MAT: return PTK_ISA_MAT;
  case PTK_SPACE_LEFT: return PTK_ISA_LEFT;
  case PTK_SPACE_RIGHT: return PTK_ISA_RIGHT;
  case PTK_SPACE_ACC: return PTK_ISA_ACC;
  case PTK_SPACE_BIAS: return PTK_ISA_BIAS;
  case PTK_SPACE_SCALING: return PTK_ISA_SCALING;
  default: return PTK_ISA_VEC;
  }
}

int ptk_rt_tile_template(const ptk_type *t, ptk_tile *out) {
  memset(out, 0, sizeof *out);
  if (!t || t->kind != PTK_TY_TILE_BUF) return 1;
  const ptk_tile_desc *d = &t->tile;
  ptk_isa_dtype dt;
  if (!d->elem || d->elem->kind != PTK_TY_SCALAR || !ptk_rt_isa_dtype(d->elem->dt, &dt)) return 1;
  if (d->rows <= 0 || d->cols <= 0 || d->rows > 65535 || d->cols > 65535) return 2;
  bool rd = d->v_row == PTK_DYN || d->v_row < 0, cd = d->v_col == PTK_DYN || d->v_col < 0;
  int64_t vr = rd ? d->rows : d->v_row, vcv = cd ? d->cols : d->v_col;
  if (vr > d->rows || vcv > d->cols) return 3;
  if (d->pad < 0 || d->pad > 3) return 4;
  ptk_isa_blayout bl = d->blayout == PTK_BLAYOUT_COL_MAJOR ? PTK_ISA_COL_MAJOR : PTK_ISA_ROW_MAJOR;
  ptk_isa_slayout sl = d->slayout == PTK_SLAYOUT_ROW_MAJOR   ? PTK_ISA_BOX_ROW_MAJOR
                       : d->slayout == PTK_SLAYOUT_COL_MAJOR ? PTK_ISA_BOX_COL_MAJOR
                                                             : PTK_ISA_NONE_BOX;
  /* A dummy non-NULL pointer for the geometry check. */
  static uint8_t dummy[16];
  if (ptk_isa_tile_init(out, dummy, dt, isa_loc(d->loc), (int32_t)d->rows, (int32_t)d->cols,
                        (int32_t)vr, (int32_t)vcv, bl, sl, (int32_t)d->fractal, (ptk_isa_pad)d->pad))
    return 5;
  out->data = NULL;
  return 0;
}

int ptk_rt_alloc_init(ptk_rt_alloc_info *ai, const ptk_type *t, int64_t count) {
  memset(ai, 0, sizeof *ai);
  ai->priv = -1;
  int rc = ptk_rt_tile_template(t, &ai->tmpl);
  if (rc) return rc;
  ai->loc = t->tile.loc;
  ai->bytes = smul((int64_t)ptk_isa_tile_bytes(&ai->tmpl), count);
  /* ptoas reads a boxed left tile's blayout from the target (a3 row_major,
   * a5 col_major; pto-ir.md §4.5); it only changes the physical layout,
   * which matters when tiles alias. Kept as written when the forced
   * layout would not be a valid descriptor. */
  for (int a5 = 0; a5 < 2; a5++) {
    ai->left_bl[a5] = -1;
    if (ai->tmpl.loc != PTK_ISA_LEFT || ai->tmpl.slayout == PTK_ISA_NONE_BOX) continue;
    ptk_tile t2 = ai->tmpl;
    static uint8_t dummy[16];
    t2.data = dummy;
    t2.blayout = a5 ? PTK_ISA_COL_MAJOR : PTK_ISA_ROW_MAJOR;
    if (t2.blayout != ai->tmpl.blayout && ptk_isa_tile_check(&t2) == 0) ai->left_bl[a5] = (int8_t)t2.blayout;
  }
  return 0;
}

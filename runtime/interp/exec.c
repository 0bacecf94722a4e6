/* Executes compiled functions (see interp_int.h) for one block. */
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "runtime/interp/interp_int.h"
#include "runtime/isa/vec.h" /* the VPTO semantics the call shapes name */
#include "runtime/mix.h"

#define SC(o) ((scell *)(fr + (o)))
#define NORM(v, wd) ptk_sc_norm((int64_t)(v), (wd))
#define PC(o) ((ptr_cell *)(fr + (o)))
#define VC(o) ((view_cell *)(fr + (o)))
#define TC(o) ((ptk_tile *)(fr + (o)))

enum { RUN_OK = 0, RUN_ERR = -1, RUN_ABORT = -2 };

/* ---- errors (runtime/block.c renders them) --------------------------------------------------- */

#define W (&w->b)
#define fail(w, I, ...) ptk_rt_fail(&(w)->b, (I)->ir, __VA_ARGS__)


#define ISA(call)                                                                                  \
  do {                                                                                             \
    int rc_ = (call);                                                                              \
    if (rc_) return ptk_rt_isa_fail(W, I->ir, rc_);                                                \
  } while (0)
#define CHK(call)                                                                                  \
  do {                                                                                             \
    if (call) return RUN_ERR;                                                                      \
  } while (0)

/* ---- lowered calls ------------------------------------------------------------------------------ */

/* The tokens of lang/ir/calls.def expressions, over this instruction's
 * frame slots and constants. */
#define SUB (X->sub)
#define A0 (X->attr[0])
#define A1 (X->attr[1])
#define TV(k) TC(a[k])
#define SV(k) ptk_sc_isa(X->fl[k], *SC(a[k]))
/* optional values (lower.h PTK_ROLE_OPT): absent = NOSLOT; w[k] != 0 = an integer */
#define OV(k) (a[k] == NOSLOT || X->w[k] ? (const ptk_tile *)NULL : (const ptk_tile *)TC(a[k]))
#define NV(k) (a[k] == NOSLOT || !X->w[k] ? (int64_t)0 : SC(a[k])->i)
// clang-format off
/* VPTO: registers in the frame, pointers as memory (runtime/block.c); Xk Yk: the cells of
 * values k… as an array of raw bits, and their count */
#define VR(k) ((ptk_vreg *)(fr + a[k]))
#define MR(k) ((ptk_vmask *)(fr + a[k]))
#define GR(k) ((ptk_valign *)(fr + a[k]))
#define PR(k) ptk_rt_vptr_fast(W, PC(a[k]))
#define RR(k) PC(a[k])
/* calls.def's ptkj_gm(e, cx, Rk, Dk): a view's cell as global memory (the JIT's is in
 * runtime/jit/abi.h; e and cx name its context there and are not used here) */
#define ptkj_gm(e_, cx_, v, dt) ptk_rt_gm_ref(W, (const ptk_rt_view *)(const void *)(v), (dt))
#define XR(k) xrest(I, fr, (k), xbuf)
#define YR(k) ((int)(I->na > (k) ? I->na - (k) : 0))
#define T0 TV(0)
#define T1 TV(1)
#define T2 TV(2)
#define T3 TV(3)
#define T4 TV(4)
#define T5 TV(5)
#define S1 SV(1)
#define S2 SV(2)
#define S4 SV(4)
#define I0 (SC(a[0])->i)
#define I1 (SC(a[1])->i)
#define I2 (SC(a[2])->i)
#define I3 (SC(a[3])->i)
#define I4 (SC(a[4])->i)
#define I5 (SC(a[5])->i)
#define I6 (SC(a[6])->i)
#define I7 (SC(a[7])->i)
#define F1 (SC(a[1])->f)
#define F2 (SC(a[2])->f)
#define O2 OV(2)
#define O3 OV(3)
#define O4 OV(4)
#define O5 OV(5)
#define N0 NV(0)
#define N1 NV(1)
#define N2 NV(2)
#define N3 NV(3)
#define N4 NV(4)
#define N5 NV(5)
#define N6 NV(6)
#define N7 NV(7)
#define C0 (*SC(a[0]))
#define C1 (*SC(a[1]))
#define C2 (*SC(a[2]))
#define C3 (*SC(a[3]))
#define W0 (X->w[0])
#define W1 (X->w[1])
#define W2 (X->w[2])
#define W3 (X->w[3])
#define W4 (X->w[4])
#define W5 (X->w[5])
#define W6 (X->w[6])
#define W7 (X->w[7])
#define D0 (X->dt[0])
#define D1 (X->dt[1])
#define D2 (X->dt[2])
#define D3 (X->dt[3])
#define D4 (X->dt[4])
#define D5 (X->dt[5])
#define D6 (X->dt[6])
#define D7 (X->dt[7])
#define E0 (X->fmt[0])
#define E1 (X->fmt[1])
#define A2 (X->attr[2])
#define A3 (X->attr[3])
#define A4 (X->attr[4])
#define A5 (X->attr[5])
#define A6 (X->attr[6])
#define A7 (X->attr[7])
#define V0 VR(0)
#define V1 VR(1)
#define V2 VR(2)
#define V3 VR(3)
#define V4 VR(4)
#define V5 VR(5)
#define V6 VR(6)
#define V7 VR(7)
#define M0 MR(0)
#define M1 MR(1)
#define M2 MR(2)
#define M3 MR(3)
#define M4 MR(4)
#define M5 MR(5)
#define M6 MR(6)
#define M7 MR(7)
#define G0 GR(0)
#define G1 GR(1)
#define G2 GR(2)
#define G3 GR(3)
#define G4 GR(4)
#define G5 GR(5)
#define G6 GR(6)
#define G7 GR(7)
#define P0 PR(0)
#define P1 PR(1)
#define P2 PR(2)
#define P3 PR(3)
#define P4 PR(4)
#define P5 PR(5)
#define P6 PR(6)
#define P7 PR(7)
#define R0 RR(0)
#define R1 RR(1)
#define R2 RR(2)
#define R3 RR(3)
#define R4 RR(4)
#define R5 RR(5)
#define R6 RR(6)
#define R7 RR(7)
/* async handles: one integer cell */
#define H0 (SC(a[0])->i)
#define H1 (SC(a[1])->i)
#define H2 (SC(a[2])->i)
#define X1 XR(1)
#define X2 XR(2)
#define X3 XR(3)
#define Y1 YR(1)
#define Y2 YR(2)
#define Y3 YR(3)
// clang-format on

static const int64_t *xrest(const insn *I, const uint8_t *fr, uint32_t k, int64_t *buf) {
  for (uint32_t j = k; j < I->na; j++) buf[j - k] = I->a[j] == NOSLOT ? 0 : ((const scell *)(fr + I->a[j]))->i;
  return buf;
}

static inline __attribute__((always_inline)) int lcall(worker *w, const insn *I, uint8_t *fr) {
  const uint32_t *a = I->a;
  const call_x *X = I->aux;
  int64_t xbuf[PTK_CALL_MAXV];
  int rc;
  switch (I->sub) {
#define PTK_CALL(ID, EXPR, ATTRS, MAXIN, CHECK, NCHECK)                                            \
  case PTK_CALL_##ID: rc = EXPR; break;
#include "lang/ir/calls.def"
#undef PTK_CALL
  default: return fail(w, I, "internal error", "unknown call shape %d", I->sub);
  }
  return rc < 0 ? rc : rc ? ptk_rt_isa_fail(W, I->ir, rc) : RUN_OK;
}

/* ---- the loop ------------------------------------------------------------------------------------- */

static const ptk_interp_prog *prog(const worker *w) { return (const ptk_interp_prog *)w->b.p; }

static uint8_t *frame_at(worker *w, int depth) {
  if (!w->frames[depth]) w->frames[depth] = ptk_xmalloc_aligned(64, prog(w)->max_frame);
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
      if (a[0] < pc && aborted(w)) return ptk_rt_stopped(W, I->ir);
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
        if (aborted(w)) return ptk_rt_stopped(W, I->ir);
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
    case I_SELECT: memcpy(fr + a[0], fr + (SC(a[1])->i & 1 ? a[2] : a[3]), (size_t)I->imm); break;
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
      *PC(a[0]) = I->sub == PTK_SPACE_GM ? ptk_rt_inttoptr(W, SC(a[1])->i)
                                          : ptk_rt_onchip_ptr((ptk_space)I->sub, SC(a[1])->i);
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
    case I_LCALL:
      if (lcall(w, I, fr)) return RUN_ERR;
      break;
    case I_TGETVAL: CHK(ptk_rt_tgetval(W, I->ir, (ptk_dtype)I->imm, SC(a[0]), TC(a[1]), SC(a[2])->i)); break;
    case I_TPRINT: CHK(ptk_rt_tprint(W, I->ir, TC(a[0]))); break;
    case I_PIPE: {
      int rc = ptk_rt_pipe(W, I->ir, a[0] == NOSLOT ? NULL : SC(a[0]), a[1] == NOSLOT ? NULL : TC(a[1]),
                           a[2] == NOSLOT ? NULL : TC(a[2]), a[3] == NOSLOT ? NULL : SC(a[3]),
                           a[4] == NOSLOT ? NULL : SC(a[4]), a[5] == NOSLOT ? NULL : VC(a[5]),
                           a[6] == NOSLOT ? NULL : VC(a[6]));
      if (rc) return rc == -2 ? RUN_ABORT : RUN_ERR;
      break;
    }
    case I_PRINT: {
      scell vals[16], *v = I->na <= 16 ? vals : ptk_xmalloc(I->na * sizeof *v);
      for (uint32_t i = 0; i < I->na; i++) v[i] = *SC(a[i]);
      int rc = ptk_rt_print(W, I->ir, v, I->na);
      if (v != vals) free(v);
      CHK(rc);
      break;
    }
    case I_TRAP: return fail(w, I, "pto.trap reached", NULL);
    case I_FZ_STEP: {
      int r = ptk_interp__fz_step(w, fr, I);
      if (r < 0) return RUN_ERR;
      if (r == 0) pc = a[0];
      else if (r == 1) pc = a[1];
      break;
    }
    default: return fail(w, I, "internal error", "unknown instruction %d", I->op);
    }
  }
}

static int run_block(ptk_rt_worker *b) {
  worker *w = (worker *)b;
  const ptk_interp_prog *p = prog(w);
  const fn_code *fc = &p->fns[b->fn]; /* a mixed block's vector cores run function 1 */
  uint8_t *fr = frame_at(w, 0);
  memcpy(fr, fc->frame_init, fc->frame_size);
  for (uint32_t i = 0; i < fc->nargs; i++) memcpy(fr + fc->arg_off[i], b->L->argv[i], fc->arg_size[i]);
  return run(w, fc, fr);
}

static void worker_fini(ptk_rt_worker *b) {
  worker *w = (worker *)b;
  for (int i = 0; i < PTK_RT_MAX_DEPTH; i++) free(w->frames[i]);
  free(w->fzbuf);
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

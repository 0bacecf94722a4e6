/* Shared body of the back-end fuzz targets (fuzz_ptk_run.c, fuzz_pto_run.c,
 * fuzz_diff.c); see tests/fuzz/README.md.
 *
 * FUZZ_PTK (else .pto): the input is .ptk and goes through the tracer.
 * FUZZ_DIFF: the differential target (below); otherwise the run target:
 *   load through the one loader (trace / read, the whole pass pipeline with
 *   the verifier after every pass), then — when the kernel is bounded — an
 *   interpreter run over 2 blocks with generated arguments. Contract: no
 *   crash, hang, leak or sanitizer report; a rejected input carries a
 *   located error.
 * FUZZ_DIFF: the input is read twice without passes; one copy gets only the
 *   required passes (check-shapes, plan-memory), the other first the
 *   optimizing ones (canonicalize, cse), with the verifier after each; both
 *   run in the interpreter on the same inputs and must end with the same
 *   bytes in every pointer argument and the same success or failure.
 *
 * "Bounded": no scf.while, no func.call, every scf.for with constant bounds
 * and at most FUZZ_MAX_WORK ops executed in total (trip counts multiplied
 * through the nesting). Unbounded kernels are only loaded, not run (ptk has
 * no run-time limit yet). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/lower.h"
#include "backend/passes/passes.h"
#include "backend/verify.h"
#include "lang/diag.h"
#include "lang/ir/ir.h"
#include "lang/ir/target.h"
#include "runtime/interp/interp.h"
#include "runtime/kernel.h"
#include "runtime/tensor.h"

#define MAX_INPUT (1u << 16)
#define FUZZ_MAX_WORK 20000.0
#define FUZZ_ELEMS 4096

static void fuzz_fail(const char *what, ptk_diags *d) {
  fprintf(stderr, "fuzz: %s\n", what);
  if (d) {
    ptk_buf b = {0};
    ptk_diags_render(d, &b, false);
    fprintf(stderr, "%s", ptk_buf_cstr(&b));
    ptk_buf_free(&b);
  }
  abort();
}

static void check_rejected(ptk_diags *d) {
  if (ptk_diags_errors(d) == 0) fuzz_fail("rejected without an error", d);
  for (size_t i = 0; i < d->items.len; i++)
    if (d->items.data[i].sev == PTK_SEV_ERROR && d->items.data[i].line == 0)
      fuzz_fail("an error without a location", d);
}

static bool const_int(const ptk_value *v, int64_t *out) {
  if (!v || !v->def || v->def->kind != PTK_OP_ARITH_CONSTANT) return false;
  ptk_sc s;
  ptk_diags *d = ptk_diags_new();
  bool ok = ptk_lower_const(v->def, &s, d);
  ptk_diags_free(d);
  if (ok) *out = s.i;
  return ok;
}

/* Ops executed by block b run `mult` times; false when unbounded. */
static bool bounded_block(const ptk_block *b, double mult, double *work) {
  for (const ptk_op *op = b->first; op; op = op->next) {
    *work += mult;
    if (*work > FUZZ_MAX_WORK) return false;
    if (op->kind == PTK_OP_SCF_WHILE || op->kind == PTK_OP_FUNC_CALL) return false;
    double m = mult;
    if (op->kind == PTK_OP_SCF_FOR) {
      int64_t lo, hi, st;
      if (op->noperands < 3 || !const_int(op->operands[0], &lo) || !const_int(op->operands[1], &hi) ||
          !const_int(op->operands[2], &st) || st <= 0)
        return false;
      double trips = hi > lo ? ((double)hi - (double)lo) / (double)st + 1 : 0;
      m = mult * trips;
    }
    for (uint32_t r = 0; r < op->nregions; r++)
      for (const ptk_block *bb = op->regions[r].first; bb; bb = bb->next)
        if (!bounded_block(bb, m, work)) return false;
  }
  return true;
}

static bool bounded(const ptk_func *f) {
  double work = 0;
  for (const ptk_block *b = f->body->first; b; b = b->next)
    if (!bounded_block(b, 1, &work)) return false;
  return true;
}

typedef struct {
  ptk_launch_arg a[16];
  ptk_tensor *t[16];
  size_t n;
} fuzz_args;

static void args_free(fuzz_args *x) {
  for (size_t i = 0; i < x->n; i++) ptk_tensor_free(x->t[i]);
  x->n = 0;
}

/* Deterministic arguments for the ABI; false when a parameter has a type
 * this harness cannot provide. */
static bool make_args(const ptk_abi *abi, fuzz_args *x) {
  memset(x, 0, sizeof *x);
  if (abi->nparams > 16) return false;
  for (size_t i = 0; i < abi->nparams; i++) {
    const ptk_abi_param *p = &abi->params[i];
    ptk_launch_arg *a = &x->a[x->n];
    memset(a, 0, sizeof *a);
    if (p->is_ptr) {
      ptk_tdtype td;
      const char *nm = p->known ? ptk_dtype_name(p->dtype) : NULL;
      if (!nm || !ptk_tdtype_parse(nm, strlen(nm), &td)) return false;
      int64_t shape[1] = {FUZZ_ELEMS};
      x->t[x->n] = ptk_tensor_zeros(td, 1, shape, NULL);
      if (!x->t[x->n]) return false;
      unsigned char *bytes = x->t[x->n]->data;
      size_t nb = ptk_tensor_nbytes(x->t[x->n]);
      uint32_t s = 12345u + (uint32_t)i;
      for (size_t k = 0; k < nb; k++) {
        s = s * 1103515245u + 12345u;
        bytes[k] = (unsigned char)(s >> 16);
      }
      if (ptk_tdtype_is_float(td)) /* small finite values: mostly meaningful arithmetic */
        for (size_t k = 0; k < nb; k += ptk_tdtype_size(td)) bytes[k + ptk_tdtype_size(td) - 1] &= 0x3f;
      a->kind = PTK_ARG_TENSOR;
      a->tensor = x->t[x->n];
    } else {
      /* Other parameter types (memref, vector, f8 …): the interpreter
       * rejects them, and without a location (reported, not ours). */
      if (!p->known) return false;
      a->kind = PTK_ARG_SCALAR;
      if (p->known && ptk_dtype_is_float(p->dtype)) {
        a->dt = PTK_DT_F64;
        a->f = 1.5;
      } else {
        a->dt = PTK_DT_I64;
        a->i = p->known && p->dtype == PTK_DT_I1 ? 1 : 3;
      }
    }
    x->n++;
  }
  return true;
}

/* 0 ok, 1 failed with a located error; aborts on a contract violation. */
static int run_interp(const ptk_func *entry, fuzz_args *x) {
  ptk_diags *d = ptk_diags_new();
  ptk_interp_prog *p = ptk_interp_prepare(entry, d);
  int rc = 1;
  if (p) {
    ptk_launch_opts o;
    memset(&o, 0, sizeof o);
    o.blocks = 2;
    /* one thread: blocks run in block order, so even a racy kernel (two
     * blocks writing the same elements, a fuzz_diff finding that was not a
     * pass bug) gives one result to compare */
    o.threads = 1;
    rc = ptk_interp_run(p, &o, x->a, x->n, d) ? 1 : 0;
  }
  if (rc) check_rejected(d);
  ptk_interp_free(p);
  ptk_diags_free(d);
  return rc;
}

#ifndef FUZZ_DIFF
static void fuzz_one(ptk_source *src) {
  ptk_diags *d = ptk_diags_new();
  ptk_kernel_load_opts ko;
  memset(&ko, 0, sizeof ko);
  ko.verify_each = true;
  ptk_loaded *l = ptk_kernel_load_with(src->path, src, &ko, d);
  if (!l) {
    check_rejected(d);
  } else {
    fuzz_args x;
    x.n = 0;
    ptk_func *f = ptk_loaded_entry(l);
    if (f && bounded(f) && make_args(ptk_loaded_abi(l), &x)) run_interp(f, &x);
    args_free(&x);
  }
  ptk_loaded_free(l);
  ptk_diags_free(d);
}
#else
/* Tiles with and without an explicit address: [0] counts those with, [1]
 * those without. */
static bool addr_cb(ptk_op *op, void *ctx) {
  if (op->kind == PTK_OP_ALLOC_TILE) {
    uint32_t n;
    ptk_op_segment(op, 0, &n);
    ((unsigned *)ctx)[n ? 0 : 1]++;
  }
  return true;
}
static bool has_addr(ptk_module *m) {
  unsigned k[2] = {0, 0};
  ptk_walk_module(m, addr_cb, k);
  return k[0] > 0;
}
/* Explicit addresses mixed with unplanned tiles: where the unplanned ones
 * land depends on which allocations exist, so removing a dead one may
 * legitimately move the others onto an explicit tile. Not compared. */
static bool mixed_addr(ptk_module *m) {
  unsigned k[2] = {0, 0};
  ptk_walk_module(m, addr_cb, k);
  return k[0] > 0 && k[1] > 0;
}

/* The required passes (and the optimizing ones first when opt), verifying
 * after each; false when a pass or the verifier rejects the module. */
static bool passes(ptk_loaded *l, bool opt) {
  ptk_module *m = ptk_loaded_module(l);
  ptk_diags *d = ptk_diags_new();
  bool ok = true;
  if (opt) {
    ptk_canon_stats st;
    memset(&st, 0, sizeof st);
    ptk_canonicalize(m, &st);
    if (!ptk_verify_module(m, d)) fuzz_fail("canonicalize broke the IR", d);
    ptk_cse(m);
    if (!ptk_verify_module(m, d)) fuzz_fail("cse broke the IR", d);
  }
  ok = ptk_check_shapes(m, d);
  if (ok && !has_addr(m)) {
    ptk_target t = PTK_TARGET_A3;
    ptk_mem_stats ms;
    memset(&ms, 0, sizeof ms);
    ok = ptk_plan_memory(m, t, &ms, d);
    if (ok && !ptk_verify_module(m, d)) fuzz_fail("plan-memory broke the IR", d);
  }
  ptk_diags_free(d);
  return ok;
}

static void fuzz_one(ptk_source *src) {
  ptk_diags *d = ptk_diags_new();
  ptk_kernel_load_opts ko;
  memset(&ko, 0, sizeof ko);
  ko.flags = PTK_LOAD_NO_PASSES;
  ptk_loaded *a = ptk_kernel_load_with(src->path, src, &ko, d);
  ptk_loaded *b = a ? ptk_kernel_load_with(src->path, src, &ko, d) : NULL;
  if (!a) check_rejected(d);
  if (a && b && bounded(ptk_loaded_entry(a)) && !mixed_addr(ptk_loaded_module(a))) {
    bool pa = passes(a, false), pb = passes(b, true);
    /* An optimizing pass may only remove errors that depend on dead code. */
    if (pa && !pb) fuzz_fail("the optimizing passes made a valid kernel fail check-shapes or plan-memory", NULL);
    fuzz_args xa, xb;
    xa.n = xb.n = 0;
    if (pa && pb && make_args(ptk_loaded_abi(a), &xa)) {
      if (!make_args(ptk_loaded_abi(b), &xb)) fuzz_fail("ABI changed", NULL);
      int ra = run_interp(ptk_loaded_entry(a), &xa), rb = run_interp(ptk_loaded_entry(b), &xb);
      /* Dead-code removal may drop an op that would fail (an unused tile
       * of a type the interpreter lacks), so only a new failure counts. */
      if (!ra && rb) fuzz_fail("the optimizing passes made a kernel that runs fail", NULL);
      if (rb) ra = 1;
      for (size_t i = 0; !ra && i < xa.n; i++)
        if (xa.t[i] && (ptk_tensor_nbytes(xa.t[i]) != ptk_tensor_nbytes(xb.t[i]) ||
                        memcmp(xa.t[i]->data, xb.t[i]->data, ptk_tensor_nbytes(xa.t[i])))) {
          fprintf(stderr, "argument %zu differs\n", i);
          fuzz_fail("the optimizing passes changed the result", NULL);
        }
      args_free(&xb);
    }
    args_free(&xa);
  }
  ptk_loaded_free(a);
  ptk_loaded_free(b);
  ptk_diags_free(d);
}
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > MAX_INPUT) return 0;
#ifdef FUZZ_PTK
  ptk_source *src = ptk_source_from_string("fuzz.ptk", (const char *)data, size);
#else
  ptk_source *src = ptk_source_from_string("fuzz.pto", (const char *)data, size);
#endif
  if (!src) return 0;
  fuzz_one(src);
  ptk_source_free(src);
  return 0;
}

/* The verifier's VPTO rules (micro-instruction level), for every op of the
 * VOP family: register shapes, mask granularity, address spaces of the DMA
 * and load/store ops. Op-specific operand rules
 * come from the table's SIG column like everywhere else. */
#include <stdlib.h>
#include <string.h>

#include "backend/verify_int.h"

/* A vector register type that is not 2048 bits wide. */
static bool bad_vreg(vctx *c, const ptk_op *op, const ptk_type *t, const char *what) {
  uint32_t lanes;
  ptk_dtype e;
  if (!t || t->kind != PTK_TY_OPAQUE || strncmp(t->text, "!pto.vreg<", 10) != 0) return false;
  if (!ptk_type_vreg(t, &lanes, &e)) {
    VERR(c, op, "'%s' %s has the malformed type %s (expected !pto.vreg<NxT>)", vop_name(op), what, vty(c, t));
    return true;
  }
  unsigned bits = ptk_dtype_bits(e);
  if ((uint64_t)lanes * bits != 2048) {
    VERR(c, op, "'%s' %s has type %s: a vector register holds 2048 bits (%u lanes of %s), not %llu",
         vop_name(op), what, vty(c, t), bits ? 2048 / bits : 0, ptk_dtype_name(e),
         (unsigned long long)lanes * bits);
    return true;
  }
  return false;
}

static bool bad_mask(vctx *c, const ptk_op *op, const ptk_type *t, const char *what) {
  if (!t || t->kind != PTK_TY_OPAQUE || strncmp(t->text, "!pto.mask<", 10) != 0) return false;
  if (ptk_type_mask_bits(t)) return false;
  VERR(c, op, "'%s' %s has type %s: a mask is !pto.mask<b8>, <b16> or <b32>", vop_name(op), what, vty(c, t));
  return true;
}

/* The op name after "pto.". */
static const char *short_name(const ptk_op *op) { return vop_name(op) + 4; }

static bool starts(const char *s, const char *p) { return strncmp(s, p, strlen(p)) == 0; }

/* A memref's #pto.address_space<…> (PTK_SPACE__COUNT when it names none). */
static ptk_space memref_space(const ptk_type *t) {
  if (!t || t->kind != PTK_TY_OPAQUE || !t->text || strncmp(t->text, "memref<", 7) != 0) return PTK_SPACE__COUNT;
  const char *a = strstr(t->text, "#pto.address_space<");
  if (!a) return PTK_SPACE__COUNT;
  a += 19;
  size_t n = strcspn(a, ">");
  for (int s = 0; s < PTK_SPACE__COUNT; s++)
    if (strlen(ptk_space_name((ptk_space)s)) == n && !memcmp(ptk_space_name((ptk_space)s), a, n)) return (ptk_space)s;
  return PTK_SPACE__COUNT;
}

static void check_space(vctx *c, ptk_op *op, uint32_t i, ptk_space want, const char *role) {
  if (i >= op->noperands || !op->operands[i]) return;
  const ptk_type *t = op->operands[i]->type;
  ptk_space ms = memref_space(t);
  if (ms != PTK_SPACE__COUNT && ms != want) {
    VERR(c, op, "'%s' %s %s must be in %s, but has type %s", vop_name(op), voperand(c, op, i), role,
         ptk_space_name(want), vty(c, t));
    vnote_def(c, op->operands[i]);
    return;
  }
  if (!t || t->kind != PTK_TY_PTR || t->space == want) return;
  VERR(c, op, "'%s' %s %s must point into %s, but has type %s", vop_name(op), voperand(c, op, i), role,
       ptk_space_ptr_name(want), vty(c, t));
  vnote_def(c, op->operands[i]);
}

/* pto.castptr: a pointer or an integer address on each side, not two integers. */
void vop_check_castptr(vctx *c, ptk_op *op) {
  if (op->noperands != 1 || op->nresults != 1) return;
  const ptk_type *a = op->operands[0]->type, *r = op->results[0].type;
  bool ap = a && a->kind == PTK_TY_PTR, rp = r && r->kind == PTK_TY_PTR;
  bool ai = a && a->kind == PTK_TY_SCALAR && ptk_dtype_is_int(a->dt), ri = r && r->kind == PTK_TY_SCALAR && ptk_dtype_is_int(r->dt);
  if ((ap || ai) && (rp || ri) && (ap || rp)) return;
  VERR(c, op, "'%s' converts between a pointer and a pointer or an integer address, not %s to %s", vop_name(op),
       vty(c, a), vty(c, r));
}

/* ptoas (VPTO.cpp verifyNonLowPrecisionVRegElementTypeLike): fp8, hif8,
 * e8m0 and fp4 lanes are only loaded, stored and converted; the arithmetic,
 * unary, reduction and select ops reject them in their first register
 * operand (the bitwise vand/vor/vxor accept them). */
static void check_low_precision(vctx *c, ptk_op *op) {
  switch (op->kind) {
  case PTK_OP_VADD: case PTK_OP_VSUB: case PTK_OP_VMUL: case PTK_OP_VDIV: case PTK_OP_VSHL: case PTK_OP_VSHR:
  case PTK_OP_VMULS: case PTK_OP_VADDS: case PTK_OP_VMAXS: case PTK_OP_VMINS: case PTK_OP_VLRELU:
  case PTK_OP_VEXP: case PTK_OP_VLN: case PTK_OP_VSQRT: case PTK_OP_VNEG: case PTK_OP_VRELU: case PTK_OP_VNOT:
  case PTK_OP_VSQZ: case PTK_OP_VCGADD: case PTK_OP_VCGMAX: case PTK_OP_VCGMIN: case PTK_OP_VCPADD:
  case PTK_OP_VSEL: break;
  default: return;
  }
  if (op->noperands < 1 || !op->operands[0]) return;
  uint32_t lanes;
  ptk_dtype e;
  if (!ptk_type_vreg(op->operands[0]->type, &lanes, &e) || !ptk_dtype_is_narrow_float(e)) return;
  VERR(c, op, "'%s' %s has type %s: low-precision lanes (fp8, hif8, e8m0, fp4) are only loaded, stored and "
       "converted (vlds, vsts, vcvt, vmulscvt, vpack), not computed with", vop_name(op), voperand(c, op, 0),
       vty(c, op->operands[0]->type));
}

/* A word operand (w0, w1, …) equal to one of the `|`-separated names. */
static bool word_is(const ptk_op *op, const char *w, const char *names) {
  const ptk_attr *a = ptk_op_attr(op, w);
  if (!a || a->kind != PTK_ATTR_STRING) return true; /* absent: the form's own rule */
  for (const char *p = names; *p;) {
    size_t n = strcspn(p, "|");
    if (a->str.len == n && !memcmp(a->str.s, p, n)) return true;
    p += n + (p[n] ? 1 : 0);
  }
  return false;
}

/* ptoas (VPTO.cpp VmulscvtOp::verify): the rounding word is A (only A is
 * implemented), the part word EVEN or ODD (the half of the f16 result). */
static void check_vmulscvt(vctx *c, ptk_op *op) {
  if (!word_is(op, "w0", "A|ROUND_A")) {
    const ptk_attr *a = ptk_op_attr(op, "w0");
    VERR(c, op, "'%s' rounds with mode A only, not \"%.*s\"", vop_name(op), (int)a->str.len, a->str.s);
  } else if (!word_is(op, "w1", "EVEN|ODD|PART_EVEN|PART_ODD")) {
    const ptk_attr *a = ptk_op_attr(op, "w1");
    VERR(c, op, "'%s' writes part EVEN or ODD of its result, not \"%.*s\"", vop_name(op), (int)a->str.len,
         a->str.s);
  }
}

static bool ptr_dt(const ptk_op *op, uint32_t i, ptk_dtype *dt) {
  const ptk_type *t = i < op->noperands && op->operands[i] ? op->operands[i]->type : NULL;
  if (!t || t->kind != PTK_TY_PTR || !t->elem || t->elem->kind != PTK_TY_SCALAR) return false;
  *dt = t->elem->dt;
  return true;
}

/* ptoas (VPTO.cpp verifyMadSemanticClauses), lhs/rhs/dst = operands 0-2:
 * tf32_mode only for f32 × f32 → f32; hif8 meets hif8 only; sat/nosat only
 * when all three are floating-point. */
static void check_mad(vctx *c, ptk_op *op) {
  switch (op->kind) {
  case PTK_OP_MAD: case PTK_OP_MAD_ACC: case PTK_OP_MAD_BIAS:
  case PTK_OP_MAD_MX: case PTK_OP_MAD_MX_ACC: case PTK_OP_MAD_MX_BIAS: break;
  default: return;
  }
  ptk_dtype l, r, d;
  if (!ptr_dt(op, 0, &l) || !ptr_dt(op, 1, &r) || !ptr_dt(op, 2, &d)) return;
  if (ptk_op_attr(op, "tf32_mode") && !(l == PTK_DT_F32 && r == PTK_DT_F32 && d == PTK_DT_F32)) {
    VERR(c, op, "'%s' tf32_mode(…) rounds f32 inputs: it needs f32 lhs, rhs and dst, not %s, %s and %s",
         vop_name(op), ptk_dtype_name(l), ptk_dtype_name(r), ptk_dtype_name(d));
    return;
  }
  if ((l == PTK_DT_HIF8) != (r == PTK_DT_HIF8)) {
    VERR(c, op, "'%s' multiplies hif8 by hif8 only, not %s by %s", vop_name(op), ptk_dtype_name(l),
         ptk_dtype_name(r));
    return;
  }
  bool sat = false;
  for (int k = 0; k < 4; k++) {
    char wn[3] = {'w', (char)('0' + k), 0};
    const ptk_attr *a = ptk_op_attr(op, wn);
    if (a && a->kind == PTK_ATTR_STRING &&
        ((a->str.len == 3 && !memcmp(a->str.s, "sat", 3)) || (a->str.len == 5 && !memcmp(a->str.s, "nosat", 5))))
      sat = true;
  }
  if (sat && !(ptk_dtype_is_float(l) && ptk_dtype_is_float(r) && ptk_dtype_is_float(d)))
    VERR(c, op, "'%s' sat/nosat applies to floating-point operands only, not %s, %s and %s", vop_name(op),
         ptk_dtype_name(l), ptk_dtype_name(r), ptk_dtype_name(d));
}

/* ptoas (VPTO.cpp VcvtOp::verify, classifyVcvtPartFamily): a conversion
 * between widths 2:1 writes or reads half the lanes (part EVEN or ODD), one
 * between widths 4:1 a quarter (P0-P3); fp8 -> f32 and fp4 <-> bf16 (fp4
 * pairs stored in 8 bits) are quarter forms by contract. */
static void check_vcvt_part(vctx *c, ptk_op *op) {
  const ptk_attr *p = ptk_op_attr(op, "part");
  uint32_t ln;
  ptk_dtype s, d;
  if (!p || p->kind != PTK_ATTR_STRING || op->noperands < 1 || op->nresults < 1 ||
      !ptk_type_vreg(op->operands[0]->type, &ln, &s) || !ptk_type_vreg(op->results[0].type, &ln, &d))
    return;
  const char *t = p->str.s;
  size_t n = p->str.len;
  if (n > 5 && !memcmp(t, "PART_", 5)) t += 5, n -= 5;
  bool eo = (n == 4 && !memcmp(t, "EVEN", 4)) || (n == 3 && !memcmp(t, "ODD", 3));
  bool p4 = n == 2 && t[0] == 'P' && t[1] >= '0' && t[1] <= '3';
  if (!eo && !p4) return; /* other words: the attribute check */
  bool quarter;
  if (((s == PTK_DT_F8E4M3FN || s == PTK_DT_F8E5M2 || s == PTK_DT_HIF8) && d == PTK_DT_F32) ||
      ((s == PTK_DT_F4E1M2X2 || s == PTK_DT_F4E2M1X2) && d == PTK_DT_BF16) ||
      ((d == PTK_DT_F4E1M2X2 || d == PTK_DT_F4E2M1X2) && s == PTK_DT_BF16))
    quarter = true;
  else {
    unsigned a = ptk_dtype_bits(s), b = ptk_dtype_bits(d), hi = a > b ? a : b, lo = a > b ? b : a;
    if (hi == 2 * lo) quarter = false;
    else if (hi == 4 * lo) quarter = true;
    else return;
  }
  if (quarter && !p4)
    VERR(c, op, "'%s' from %s to %s is a 4:1 conversion: its part is P0, P1, P2 or P3, not %.*s", vop_name(op),
         ptk_dtype_name(s), ptk_dtype_name(d), (int)p->str.len, p->str.s);
  else if (!quarter && !eo)
    VERR(c, op, "'%s' from %s to %s is a 2:1 conversion: its part is EVEN or ODD, not %.*s", vop_name(op),
         ptk_dtype_name(s), ptk_dtype_name(d), (int)p->str.len, p->str.s);
}

/* ptoas (VPTO.cpp Vgather2Op::verify): the result keeps the source's
 * kind (8-bit integers widen to 16 bits, same signedness; floats stay the
 * same type); offsets and mask follow the width: ui16/i16 offsets and a b16
 * mask for 8/16-bit sources, ui32/i32 and b32 for 32-bit ones. */
static void check_vgather2(vctx *c, ptk_op *op) {
  ptk_dtype s, r, o;
  uint32_t ln;
  if (op->noperands < 3 || op->nresults < 1 || !ptr_dt(op, 0, &s) || !ptk_type_vreg(op->results[0].type, &ln, &r) ||
      !ptk_type_vreg(op->operands[1]->type, &ln, &o))
    return;
  unsigned sb = ptk_dtype_bits(s);
  bool si = ptk_dtype_is_int(s), ri = ptk_dtype_is_int(r);
  bool su = ptk_dtype_class_of(s) == PTK_DTC_UINT, ru = ptk_dtype_class_of(r) == PTK_DTC_UINT;
  bool ok;
  if (sb == 8 && si) ok = ri && ptk_dtype_bits(r) == 16 && su == ru;
  else if (si && (sb == 16 || sb == 32)) ok = ri && ptk_dtype_bits(r) == sb && su == ru;
  else if (s == PTK_DT_F16 || s == PTK_DT_BF16 || s == PTK_DT_F32) ok = r == s;
  else return; /* other sources: the element type rules */
  if (!ok) {
    VERR(c, op, "'%s' gathers %s into %s: the result must be %s", vop_name(op), ptk_dtype_name(s),
         ptk_dtype_name(r),
         sb == 8 ? "a 16-bit integer of the same signedness" : !si ? "the source type" : "an integer of the same width and signedness");
    return;
  }
  unsigned w = sb == 32 ? 32 : 16;
  if (!ptk_dtype_is_int(o) || ptk_dtype_class_of(o) == PTK_DTC_SINT || ptk_dtype_bits(o) != w) {
    VERR(c, op, "'%s' from %s takes ui%u or i%u offsets, not %s", vop_name(op), ptk_dtype_name(s), w, w,
         ptk_dtype_name(o));
    return;
  }
  unsigned mb = ptk_type_mask_bits(op->operands[2]->type);
  if (mb && mb != w)
    VERR(c, op, "'%s' from %s takes a !pto.mask<b%u>, not !pto.mask<b%u>", vop_name(op), ptk_dtype_name(s), w, mb);
}

/* ptoas (VPTO.cpp VldsOp/VstsOp/VsstbOp::verify): the post-updated base
 * a load or store returns has the base pointer's type. */
static void check_post_update(vctx *c, ptk_op *op) {
  const ptk_type *base = NULL;
  for (uint32_t i = 0; i < op->noperands && !base; i++)
    if (op->operands[i] && op->operands[i]->type && op->operands[i]->type->kind == PTK_TY_PTR)
      base = op->operands[i]->type;
  for (uint32_t i = 0; base && i < op->nresults; i++) {
    const ptk_type *t = op->results[i].type;
    if (t && t->kind == PTK_TY_PTR && t != base) {
      VERR(c, op, "'%s' result #%u (the updated base) has type %s, but its base has type %s", vop_name(op), i,
           vty(c, t), vty(c, base));
      return;
    }
  }
}

/* ptoas (VPTO.cpp getVstsMaskGranularityOverride): packing and merging
 * store distributions take the mask of the lanes they write. */
static void check_vsts_dist_mask(vctx *c, ptk_op *op) {
  const ptk_attr *d = ptk_op_attr(op, "dist");
  if (!d || d->kind != PTK_ATTR_STRING || op->noperands < 1) return;
  static const struct {
    const char *dist;
    unsigned bits;
  } over[] = {{"MRG4CHN_B8", 32}, {"MRG2CHN_B8", 16}, {"MRG2CHN_B16", 32}, {"PK_B16", 16},
              {"PK_B32", 32},     {"PK_B64", 32},     {"PK4_B32", 32}};
  unsigned want = 0;
  for (size_t i = 0; i < sizeof over / sizeof *over; i++)
    if (d->str.len == strlen(over[i].dist) && !memcmp(d->str.s, over[i].dist, d->str.len)) want = over[i].bits;
  uint32_t ln;
  ptk_dtype e;
  if (!want || !ptk_type_vreg(op->operands[0]->type, &ln, &e)) return;
  for (uint32_t i = 1; i < op->noperands; i++) {
    unsigned mb = op->operands[i] ? ptk_type_mask_bits(op->operands[i]->type) : 0;
    if (mb && mb != want) {
      VERR(c, op, "'%s' with dist \"%.*s\" takes a !pto.mask<b%u>, not !pto.mask<b%u>", vop_name(op),
           (int)d->str.len, d->str.s, want, mb);
      return;
    }
  }
}

/* ptoas (VPTO.cpp verifyCubeBridgeLoadStart): the L1 -> L0A/L0B loads'
 * start_row and start_col (operands 4 and 5) are not negative. */
static void check_bridge_start(vctx *c, ptk_op *op) {
  static const char *const what[] = {"start_row", "start_col"};
  for (uint32_t i = 4; i < 6 && i < op->noperands; i++) {
    const ptk_value *v = op->operands[i];
    const ptk_attr *a = v && v->def && v->def->kind == PTK_OP_ARITH_CONSTANT ? ptk_op_attr(v->def, "value") : NULL;
    if (a && a->kind == PTK_ATTR_INT && a->i < 0) {
      VERR(c, op, "'%s' %s %s is %lld: it must not be negative", vop_name(op), voperand(c, op, i), what[i - 4],
           (long long)a->i);
      return;
    }
  }
}

void vop_check_vpto(vctx *c, ptk_op *op) {
  const char *nm = short_name(op);
  for (uint32_t i = 0; i < op->noperands; i++)
    if (!op->operands[i]) return; /* reported by the signature check */
  unsigned width = 0, mbits = 0;
  bool mixed = false;
  for (uint32_t i = 0; i < op->noperands; i++) {
    const ptk_type *t = op->operands[i] ? op->operands[i]->type : NULL;
    if (bad_vreg(c, op, t, voperand(c, op, i)) || bad_mask(c, op, t, voperand(c, op, i))) return;
    uint32_t lanes;
    ptk_dtype e;
    if (ptk_type_vreg(t, &lanes, &e)) {
      unsigned w = ptk_dtype_bits(e);
      if (width && w != width) mixed = true;
      width = w;
    }
    if (ptk_type_mask_bits(t) && !mbits) mbits = ptk_type_mask_bits(t);
  }
  for (uint32_t i = 0; i < op->nresults; i++) {
    const ptk_type *t = op->results[i].type;
    char what[32];
    snprintf(what, sizeof what, "result #%u", i);
    if (bad_vreg(c, op, t, what) || bad_mask(c, op, t, what)) return;
    uint32_t lanes;
    ptk_dtype e;
    if (ptk_type_vreg(t, &lanes, &e)) {
      unsigned w = ptk_dtype_bits(e);
      if (width && w != width) mixed = true;
      width = w;
    }
  }
  /* A mask governs lanes of its granularity: b32 for 32-bit elements. */
  if (width && mbits && !mixed && mbits != width && !(ptk_op_table[op->kind].flags & PTK_OPF_VMIXED)) {
    VERR(c, op, "'%s' takes a !pto.mask<b%u> for %u-bit lanes, but its mask is !pto.mask<b%u>", vop_name(op),
         width, width, mbits);
    return;
  }
  /* pset_b32 / plt_b16 / …: the suffix is the result's granularity. */
  const char *suf = strstr(nm, "_b");
  if (suf && (starts(nm, "pset") || starts(nm, "plt") || starts(nm, "pge")) && op->nresults >= 1) {
    unsigned want = (unsigned)strtoul(suf + 2, NULL, 10), got = ptk_type_mask_bits(op->results[0].type);
    if (got != want) {
      VERR(c, op, "'%s' produces a !pto.mask<b%u>, but its result has type %s", vop_name(op), want,
           vty(c, op->results[0].type));
      return;
    }
  }
  /* mte_<src>_<dst> / copy_<src>_to_<dst>: the first two operands' spaces. */
  if (starts(nm, "mte_")) {
    const char *a = nm + 4, *u = strchr(a, '_');
    if (u) {
      const char *b = u + 1;
      size_t bl = strcspn(b, "_");
      ptk_space sa = ptk_space_from_ptr_name(a, (size_t)(u - a)), sb = ptk_space_from_ptr_name(b, bl);
      if (sa != PTK_SPACE__COUNT) check_space(c, op, 0, sa, "(the source)");
      if (sb != PTK_SPACE__COUNT) check_space(c, op, 1, sb, "(the destination)");
    }
  }
  /* vector and predicate loads/stores address UB */
  if (starts(nm, "vld") || starts(nm, "vst") || starts(nm, "pld") || starts(nm, "pst"))
    for (uint32_t i = 0; i < op->noperands; i++)
      if (op->operands[i] && op->operands[i]->type && op->operands[i]->type->kind == PTK_TY_PTR)
        check_space(c, op, i, PTK_SPACE_VEC, "(the address)");
  /* ptoas (VPTO.cpp UBV*Op::verify): the a2/a3 raw UB vector ops read and
   * write UB only */
  if (starts(nm, "ub.v"))
    for (uint32_t i = 0; i < op->noperands; i++)
      if (op->operands[i] && op->operands[i]->type && op->operands[i]->type->kind == PTK_TY_PTR)
        check_space(c, op, i, PTK_SPACE_VEC, "(a UB vector operand)");
  /* ptoas (PTO.cpp CmoCacheInvalidOp::verify): one cache line of GM */
  if (op->kind == PTK_OP_CMO_CACHEINVALID && op->noperands == 1) check_space(c, op, 0, PTK_SPACE_GM, "(the line)");
  /* ptoas (VPTO.cpp DcciOp::verify): the line is in GM or UB */
  if (op->kind == PTK_OP_DCCI && op->noperands == 1) {
    const ptk_type *t = op->operands[0]->type;
    if (t && t->kind == PTK_TY_PTR && t->space != PTK_SPACE_GM && t->space != PTK_SPACE_VEC) {
      VERR(c, op, "'%s' %s must point into gm or ub, but has type %s", vop_name(op), voperand(c, op, 0), vty(c, t));
      vnote_def(c, op->operands[0]);
    }
  }
  check_low_precision(c, op);
  if (op->kind == PTK_OP_VMULSCVT) check_vmulscvt(c, op);
  vop_check_vpto_fixpipe(c, op);
  vop_check_vpto_simt(c, op);
  check_mad(c, op);
  if (op->kind == PTK_OP_VCVT) check_vcvt_part(c, op);
  if (op->kind == PTK_OP_VGATHER2) check_vgather2(c, op);
  if (op->kind == PTK_OP_VLDS || op->kind == PTK_OP_VSTS || op->kind == PTK_OP_VSSTB) check_post_update(c, op);
  if (op->kind == PTK_OP_VSTS) check_vsts_dist_mask(c, op);
  if (op->kind == PTK_OP_MTE_L1_L0A || op->kind == PTK_OP_MTE_L1_L0B || op->kind == PTK_OP_MTE_L1_L0A_MX ||
      op->kind == PTK_OP_MTE_L1_L0B_MX)
    check_bridge_start(c, op);
  /* No containment rule: register-level ops may also stand outside a
   * pto.vecscope, whose extent ptoas infers (its auto_vecscope_infer tests). */
}

/* ptoas's element types of vector ops per target (lib/PTO/IR/PTO.cpp:
 * verifyArithmeticElemTypeForArch and the flags each arithmetic op passes
 * it, TSelOp::verify, verifyTColExpandBinaryLikeOp). A2/A3's vector unit
 * computes a base set of types; A5 adds 8-bit integers and/or bf16 for
 * some ops. In a module that names no target, a type only A5 adds makes
 * the op A5 code (vptoas_rule_arch); a type no target computes is an error
 * everywhere. Integer widths count regardless of signedness, as in ptoas.
 * taddrelu exists on A2/A3 only; A2/A3's tload/tprefetch move no
 * low-precision floats. */
#include <string.h>

#include "backend/verify_int.h"

enum { E_I8 = 1, E_I16 = 2, E_I32 = 4, E_F16 = 8, E_BF16 = 16, E_F32 = 32 };
#define E_ARITH (E_I16 | E_I32 | E_F16 | E_F32)

static unsigned elem_bit(ptk_dtype dt) {
  switch (dt) {
  case PTK_DT_F16: return E_F16;
  case PTK_DT_BF16: return E_BF16;
  case PTK_DT_F32: return E_F32;
  default: break;
  }
  if (ptk_dtype_is_float(dt) || dt == PTK_DT_INDEX || dt == PTK_DT_I1) return 0;
  switch (ptk_dtype_bits(dt)) {
  case 8: return E_I8;
  case 16: return E_I16;
  case 32: return E_I32;
  default: return 0;
  }
}

/* The types an op computes on A2/A3 (*base) and those A5 adds (*a5). */
static bool elem_sets(ptk_op_kind k, unsigned *base, unsigned *a5) {
  *base = E_ARITH;
  switch (k) {
  case PTK_OP_TADD:
  case PTK_OP_TADDS:
  case PTK_OP_TMAXS:
  case PTK_OP_TMIN:
  case PTK_OP_TMINS:
  case PTK_OP_TMULS:
  case PTK_OP_TSUBS: *a5 = E_I8 | E_BF16; return true;
  case PTK_OP_TMAX:
  case PTK_OP_TSUB: *a5 = E_I8; return true;
  case PTK_OP_TMUL:
  case PTK_OP_TFMOD: *a5 = 0; return true;
  case PTK_OP_TSEL: *base = E_ARITH | E_BF16, *a5 = E_I8; return true;
  case PTK_OP_TCOLEXPANDADD: *a5 = E_I8; return true;
  case PTK_OP_TCOLEXPANDDIV: *base = E_F16 | E_F32, *a5 = E_I8 | E_I16 | E_I32; return true;
  default: return false;
  }
}

static const char *set_names(vctx *c, unsigned set) {
  static const char *const nm[] = {"i8", "i16", "i32", "f16", "bf16", "f32"};
  char buf[64] = "";
  unsigned n = 0, total = 0;
  for (unsigned i = 0; i < 6; i++) total += (set >> i) & 1u;
  for (unsigned i = 0; i < 6; i++) {
    if (!((set >> i) & 1u)) continue;
    if (n) strcat(buf, n + 1 == total ? " or " : ", ");
    strcat(buf, nm[i]);
    n++;
  }
  return vstr(c, strdup(buf));
}

/* The element type of a memref kept as text (`memref<16x16x!pto.hif8,
 * …>`): what follows the static/dynamic dimensions. */
static bool memref_elem(const char *text, ptk_dtype *dt) {
  if (!text || strncmp(text, "memref<", 7) != 0) return false;
  const char *p = text + 7;
  for (;;) {
    const char *q = p;
    while (*q == '?' || (*q >= '0' && *q <= '9')) q++;
    if (q == p || *q != 'x') break;
    p = q + 1;
  }
  size_t n = strcspn(p, ",>");
  for (int k = 0; k < PTK_DT__COUNT; k++) {
    const char *name = ptk_dtype_name((ptk_dtype)k);
    if (strlen(name) == n && !strncmp(p, name, n)) {
      *dt = (ptk_dtype)k;
      return true;
    }
  }
  return false;
}

/* The element type of a tile, view, pointer or memref operand. */
static bool operand_elem(const ptk_value *v, ptk_dtype *dt) {
  if (v->type->kind == PTK_TY_OPAQUE) return memref_elem(v->type->text, dt);
  return v->type->kind != PTK_TY_SCALAR && ptk_type_elem_dtype(v->type, dt);
}

/* TLoadOp / TPrefetchOp::verify (A2/A3): GM -> tile transfers move no
 * low-precision (fp8, hif8, e8m0, fp4) elements; those paths are A5's.
 * Only in a module that names A2/A3: elsewhere such a type is A5 code. */
static void check_a3_transfer_elems(vctx *c, ptk_op *op) {
  if ((op->kind != PTK_OP_TLOAD && op->kind != PTK_OP_TPREFETCH) || vptoas_arch(c) != 3) return;
  for (uint32_t i = 0; i < op->noperands; i++) {
    ptk_dtype dt;
    if (!operand_elem(op->operands[i], &dt) || !ptk_dtype_is_narrow_float(dt)) continue;
    VERR(c, op, "'%s' on A2/A3 does not move low-precision (%s) elements: %s has them", vop_name(op),
         ptk_dtype_name(dt), voperand(c, op, i));
    return;
  }
}

void vop_check_ptoas_elem(vctx *c, ptk_op *op) {
  /* TAddReluOp::verify: the fused add+relu is an A2/A3 instruction. */
  if (op->kind == PTK_OP_TADDRELU && vptoas_arch(c) == 5) {
    VERR(c, op, "'pto.taddrelu' is only supported on A2/A3, but the module targets A5");
    return;
  }
  check_a3_transfer_elems(c, op);
  unsigned base, a5;
  if (!elem_sets(op->kind, &base, &a5)) return;
  uint32_t ni = op->nsegs >= 1 ? op->segs[0] : op->noperands;
  const ptk_tile_desc *d = ni < op->noperands ? vtile(op->operands[ni]) : NULL;
  ptk_dtype dt;
  if (!d || !vptoas_elem(d, &dt)) return;
  unsigned b = elem_bit(dt);
  int arch = vptoas_rule_arch(c, (b & a5) != 0);
  unsigned ok = arch == 5 ? base | a5 : base;
  if (b & ok) return;
  VERR(c, op, "'%s' on %s computes %s elements, not %s", vop_name(op), vptoas_arch_name(arch), set_names(c, ok),
       ptk_dtype_name(dt));
}

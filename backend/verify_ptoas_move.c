/* ptoas's rules for the data-movement ops between on-chip tiles (lib/PTO/IR/
 * PTO.cpp: TExtractOp, TExtractFPOp, TInsertOp, TFillPadOp::verify). Which
 * memories an extract may move between and how each side is laid out are
 * fixed by the hardware's data paths and differ between A2/A3 and A5; the
 * architecture is vptoas_rule_arch's (the module's, else A3), and a data
 * path only A5 has (acc -> vec, vec -> mat, mat -> scaling) is an A5-only
 * feature like an fp8 element type. */
#include <inttypes.h>
#include <string.h>

#include "backend/verify_int.h"

static bool is_int_bits(ptk_dtype dt, unsigned bits) {
  return !ptk_dtype_is_float(dt) && dt != PTK_DT_INDEX && ptk_dtype_bits(dt) == bits;
}

static bool nz(const ptk_tile_desc *t) {
  return t->blayout == PTK_BLAYOUT_COL_MAJOR && t->slayout == PTK_SLAYOUT_ROW_MAJOR;
}

static bool nd(const ptk_tile_desc *t) {
  return t->blayout == PTK_BLAYOUT_ROW_MAJOR && t->slayout == PTK_SLAYOUT_NONE_BOX;
}

static const char *sp(const ptk_tile_desc *t) { return ptk_space_name(t->loc); }

/* "a 'mat'" / "an 'acc'" (for messages). */
static const char *a_sp(const ptk_tile_desc *t) {
  switch (t->loc) {
  case PTK_SPACE_ACC: return "an 'acc'";
  case PTK_SPACE_VEC: return "a 'vec'";
  case PTK_SPACE_MAT: return "a 'mat'";
  case PTK_SPACE_LEFT: return "a 'left'";
  case PTK_SPACE_RIGHT: return "a 'right'";
  case PTK_SPACE_BIAS: return "a 'bias'";
  case PTK_SPACE_SCALING: return "a 'scaling'";
  default: return "a 'gm'";
  }
}

/* The tile's layout as "blayout=B, slayout=S" (for messages). */
static const char *layout(vctx *c, const ptk_tile_desc *t) {
  char buf[64];
  snprintf(buf, sizeof buf, "blayout=%s, slayout=%s", vptoas_blayout(t), vptoas_slayout(t));
  return vstr(c, strdup(buf));
}

/* The mat source layouts the mat -> left/right paths read
 * (hasMatExtractSourceLayoutA2A3 / A5). */
static bool mat_src_ok(int arch, const ptk_tile_desc *s, ptk_space dst) {
  bool row = s->blayout == PTK_BLAYOUT_ROW_MAJOR;
  if (arch == 3 || dst == PTK_SPACE_LEFT) return row || s->slayout == PTK_SLAYOUT_ROW_MAJOR;
  return (row && s->slayout == PTK_SLAYOUT_COL_MAJOR) || (!row && s->slayout == PTK_SLAYOUT_ROW_MAJOR);
}

/* The L0A / L0B layouts a mat -> left/right extract writes: left is zZ on
 * A2/A3 (row_major, row_major) and nZ on A5 (col_major, row_major); right
 * is zN (row_major, col_major) on both. */
static bool l0_dst_ok(const ptk_tile_desc *d, const char **want) {
  /* ptoas's reader replaces a left tile's blayout by the target's (zZ
   * row_major on A2/A3, nZ col_major on A5): only its slayout counts. */
  if (d->loc == PTK_SPACE_LEFT) {
    *want = "slayout=row_major";
    return d->slayout == PTK_SLAYOUT_ROW_MAJOR;
  }
  *want = "blayout=row_major, slayout=col_major";
  return d->blayout == PTK_BLAYOUT_ROW_MAJOR && d->slayout == PTK_SLAYOUT_COL_MAJOR;
}

/* The destination of a DPS op (outs[0]). */
static const ptk_tile_desc *dst_tile(const ptk_op *op) {
  uint32_t n;
  ptk_value **outs = ptk_op_segment(op, 1, &n);
  return n ? vtile(outs[0]) : NULL;
}

/* textract / tinsert ins after (src, row, col): tinsert's fp tile and the
 * pre-quantization scalar. */
static void quant_ins(const ptk_op *op, const ptk_value **fp, const ptk_value **pre) {
  uint32_t n;
  ptk_value **ins = ptk_op_segment(op, 0, &n);
  *fp = *pre = NULL;
  for (uint32_t i = 3; i < n; i++) {
    if (vtile(ins[i]))
      *fp = ins[i];
    else
      *pre = ins[i];
  }
}

/* The fixpipe forms of textract / tinsert (TExtractOp / TInsertOp::verify):
 * a pre-quantization scalar, tinsert's fp tile and a reluPreMode other than
 * no_relu act on an 'acc' source only; the fp tile is a 'scaling' tile and
 * excludes the scalar. False when reported. */
static bool fixpipe_forms_ok(vctx *c, ptk_op *op, const ptk_tile_desc *s, const ptk_value *fp, const ptk_value *pre) {
  const char *nm = ptk_op_table[op->kind].name;
  const ptk_attr *relu = ptk_op_attr(op, "reluPreMode");
  bool has_relu = relu && ptk_attr_enum_index(relu, "relu_pre_mode") > 0;
  if (fp && pre) {
    VERR(c, op, "'%s' takes an fp tile or a pre-quantization scalar, not both", nm);
    return false;
  }
  const char *form = pre ? "a pre-quantization scalar" : fp ? "an fp tile" : has_relu ? "a reluPreMode" : NULL;
  if (form && s->loc != PTK_SPACE_ACC) {
    VERR(c, op, "'%s' with %s needs an 'acc' source, but it is %s tile", nm, form, a_sp(s));
    return false;
  }
  const ptk_tile_desc *f = fp ? vtile(fp) : NULL;
  if (f && f->loc != PTK_SPACE_SCALING) {
    VERR(c, op, "'%s' takes its fp tile from 'scaling', but it is %s tile", nm, a_sp(f));
    return false;
  }
  return true;
}

/* The element pairs an acc source's quantizing fixpipe writes: A2/A3 f32
 * -> i8, i32 -> i8/f16/i16; A5 f32 -> i8/fp8/hif8/f16/bf16/f32, i32 ->
 * i8/f16/bf16. */
static bool quant_pair_ok(int arch, ptk_dtype se, ptk_dtype de) {
  if (arch == 5)
    return se == PTK_DT_F32 ? is_int_bits(de, 8) || (ptk_dtype_is_float(de) && ptk_dtype_bits(de) == 8) ||
                                  de == PTK_DT_F16 || de == PTK_DT_BF16 || de == PTK_DT_F32
                            : is_int_bits(se, 32) && (is_int_bits(de, 8) || de == PTK_DT_F16 || de == PTK_DT_BF16);
  return se == PTK_DT_F32 ? is_int_bits(de, 8)
                          : is_int_bits(se, 32) && (is_int_bits(de, 8) || de == PTK_DT_F16 || is_int_bits(de, 16));
}

/* TExtractOp::verify. */
static void vfy_textract(vctx *c, ptk_op *op) {
  const ptk_tile_desc *s = vtile(op->operands[0]), *d = dst_tile(op);
  const ptk_value *fp, *pre;
  ptk_dtype se, de;
  if (!s || !d || !vptoas_elem(s, &se) || !vptoas_elem(d, &de)) return;
  quant_ins(op, &fp, &pre);
  if (!fixpipe_forms_ok(c, op, s, fp, pre)) return;
  if (s->loc != PTK_SPACE_ACC && se != de) {
    VERR(c, op, "'pto.textract' source and destination must have one element type, but have %s and %s",
         ptk_dtype_name(se), ptk_dtype_name(de));
    return;
  }
  ptk_space sl = s->loc, dl = d->loc;
  bool a5_path = (sl == PTK_SPACE_MAT && dl == PTK_SPACE_SCALING) || (sl == PTK_SPACE_VEC && dl == PTK_SPACE_MAT) ||
                 (sl == PTK_SPACE_ACC && dl == PTK_SPACE_VEC);
  int arch = vptoas_rule_arch(c, a5_path || vptoas_a5_only_dtype(se) || vptoas_a5_only_dtype(de) ||
                                     ptk_op_attr(op, "accToVecMode") != NULL);
  const char *an = vptoas_arch_name(arch);
  bool elem_ok = arch == 5 ? (ptk_dtype_bits(de) == 8 && de != PTK_DT_I1) || de == PTK_DT_F16 ||
                                 de == PTK_DT_BF16 || de == PTK_DT_F32
                           : is_int_bits(de, 8) || de == PTK_DT_F16 || de == PTK_DT_BF16 || de == PTK_DT_F32;
  if (!elem_ok) {
    VERR(c, op, "'pto.textract' on %s extracts %s elements, not %s", an,
         arch == 5 ? "fp8, fp4, 8-bit integer, f16, bf16 or f32" : "i8, f16, bf16 or f32", ptk_dtype_name(de));
    return;
  }
  if (ptk_op_attr(op, "accToVecMode") && (arch != 5 || s->loc != PTK_SPACE_ACC || d->loc != PTK_SPACE_VEC)) {
    VERR(c, op, "'pto.textract' accToVecMode is only for acc -> vec extracts on A5");
    return;
  }
  bool pair_ok = arch == 5 ? (sl == PTK_SPACE_MAT && (dl == PTK_SPACE_LEFT || dl == PTK_SPACE_RIGHT ||
                                                      dl == PTK_SPACE_SCALING)) ||
                                 ((sl == PTK_SPACE_VEC || sl == PTK_SPACE_ACC) &&
                                  (dl == PTK_SPACE_MAT || dl == PTK_SPACE_VEC))
                           : (sl == PTK_SPACE_MAT && (dl == PTK_SPACE_LEFT || dl == PTK_SPACE_RIGHT)) ||
                                 (sl == PTK_SPACE_ACC && dl == PTK_SPACE_MAT) ||
                                 (sl == PTK_SPACE_VEC && dl == PTK_SPACE_VEC);
  if (!pair_ok) {
    VERR(c, op, "'pto.textract' on %s cannot move %s tile to %s tile (it moves %s)", an, a_sp(s), a_sp(d),
         arch == 5 ? "mat -> left/right/scaling, vec -> mat/vec or acc -> mat/vec"
                   : "mat -> left/right, acc -> mat or vec -> vec");
    return;
  }
  if (sl == PTK_SPACE_MAT) {
    const char *want;
    if (!mat_src_ok(arch, s, dl))
      VERR(c, op, "'pto.textract' on %s cannot read a 'mat' source laid out %s into a '%s' tile", an,
           layout(c, s), sp(d));
    else if ((dl == PTK_SPACE_LEFT || dl == PTK_SPACE_RIGHT) && !l0_dst_ok(d, &want))
      VERR(c, op, "'pto.textract' on %s needs a '%s' destination laid out %s, but it is %s", an, sp(d), want,
           layout(c, d));
    return;
  }
  if (sl == PTK_SPACE_VEC) {
    if (arch == 5 && dl == PTK_SPACE_VEC && (!nd(s) || !nd(d)))
      VERR(c, op, "'pto.textract' on A5 from 'vec' to 'vec' needs source and destination laid out ND "
                  "(blayout=row_major, slayout=none_box), but they are %s and %s",
           layout(c, s), layout(c, d));
    return;
  }
  /* acc source: the fixpipe reads NZ and converts f32 (or i32) results. */
  if (!nz(s)) {
    VERR(c, op, "'pto.textract' needs an 'acc' source laid out blayout=col_major, slayout=row_major, but it is %s",
         layout(c, s));
    return;
  }
  if (dl == PTK_SPACE_MAT && !nz(d)) {
    VERR(c, op, "'pto.textract' from 'acc' needs a 'mat' destination laid out blayout=col_major, "
                "slayout=row_major, but it is %s", layout(c, d));
    return;
  }
  if (dl == PTK_SPACE_MAT && arch == 3 && d->fractal != 512) {
    VERR(c, op, "'pto.textract' on A2/A3 from 'acc' needs a 'mat' destination with fractal=512, but it has %" PRId64,
         d->fractal);
    return;
  }
  if (dl == PTK_SPACE_VEC && !nd(d)) {
    VERR(c, op, "'pto.textract' on A5 from 'acc' needs a 'vec' destination laid out ND (blayout=row_major, "
                "slayout=none_box), but it is %s", layout(c, d));
    return;
  }
  bool cast_ok = arch == 5 ? (se == PTK_DT_F32 && (de == PTK_DT_F16 || de == PTK_DT_BF16 || de == PTK_DT_F32)) ||
                                 (is_int_bits(se, 32) && is_int_bits(de, 32))
                           : se == PTK_DT_F32 && (de == PTK_DT_F16 || de == PTK_DT_BF16);
  if (pre && !quant_pair_ok(arch, se, de))
    VERR(c, op, "'pto.textract' on %s from 'acc' with a pre-quantization scalar converts %s, not %s to %s", an,
         arch == 5 ? "f32 to i8/fp8/f16/bf16/f32 or i32 to i8/f16/bf16" : "f32 to i8 or i32 to i8/f16/i16",
         ptk_dtype_name(se), ptk_dtype_name(de));
  else if (!pre && !cast_ok)
    VERR(c, op, "'pto.textract' on %s from 'acc' converts %s, not %s to %s", an,
         arch == 5 ? "f32 to f16/bf16/f32 or i32 to i32" : "f32 to f16/bf16", ptk_dtype_name(se),
         ptk_dtype_name(de));
}

/* TExtractFPOp::verify: an acc (NZ) source quantized by a scaling tile into
 * mat (NZ) or, on A5, vec (ND); the element pairs of the fixpipe's vector
 * quantization. */
static void vfy_textract_fp(vctx *c, ptk_op *op) {
  const ptk_tile_desc *s = vtile(op->operands[0]), *f = vtile(op->operands[1]), *d = vtile(op->operands[4]);
  ptk_dtype se, de;
  if (!s || !f || !d || !vptoas_elem(s, &se) || !vptoas_elem(d, &de)) return;
  if (s->loc != PTK_SPACE_ACC)
    VERR(c, op, "'pto.textract_fp' reads an 'acc' source, but it is a '%s' tile", sp(s));
  else if (f->loc != PTK_SPACE_SCALING)
    VERR(c, op, "'pto.textract_fp' takes its quantization parameters (fp) from a 'scaling' tile, but it is a '%s' tile",
         sp(f));
  else if (d->loc != PTK_SPACE_MAT && d->loc != PTK_SPACE_VEC)
    VERR(c, op, "'pto.textract_fp' writes a 'mat' or 'vec' tile, but the destination is a '%s' tile", sp(d));
  else if (!nz(s))
    VERR(c, op, "'pto.textract_fp' needs an 'acc' source laid out blayout=col_major, slayout=row_major, but it is %s",
         layout(c, s));
  else if (d->loc == PTK_SPACE_MAT && !nz(d))
    VERR(c, op, "'pto.textract_fp' needs a 'mat' destination laid out blayout=col_major, slayout=row_major, but it "
                "is %s", layout(c, d));
  else if (d->loc == PTK_SPACE_VEC && !nd(d))
    VERR(c, op, "'pto.textract_fp' needs a 'vec' destination laid out ND (blayout=row_major, slayout=none_box), but "
                "it is %s", layout(c, d));
  else {
    int arch = vptoas_rule_arch(c, d->loc == PTK_SPACE_VEC || vptoas_a5_only_dtype(de) ||
                                       ptk_op_attr(op, "accToVecMode") != NULL);
    bool ok;
    if (arch == 3) {
      if (d->loc != PTK_SPACE_MAT) {
        VERR(c, op, "'pto.textract_fp' on A2/A3 writes a 'mat' tile, but the destination is a '%s' tile", sp(d));
        return;
      }
      if (ptk_op_attr(op, "accToVecMode")) {
        VERR(c, op, "'pto.textract_fp' accToVecMode is only for acc -> vec extracts on A5");
        return;
      }
      if (d->fractal != 512) {
        VERR(c, op, "'pto.textract_fp' needs a destination with fractal=512, but it has %" PRId64, d->fractal);
        return;
      }
      ok = (se == PTK_DT_F32 && is_int_bits(de, 8)) ||
           (is_int_bits(se, 32) && (is_int_bits(de, 8) || de == PTK_DT_F16 || is_int_bits(de, 16)));
    } else {
      ok = (se == PTK_DT_F32 && (is_int_bits(de, 8) || (ptk_dtype_is_float(de) && ptk_dtype_bits(de) == 8) ||
                                 de == PTK_DT_F16 || de == PTK_DT_BF16 || de == PTK_DT_F32)) ||
           (is_int_bits(se, 32) && (is_int_bits(de, 8) || de == PTK_DT_F16 || de == PTK_DT_BF16));
    }
    if (!ok)
      VERR(c, op, "'pto.textract_fp' on %s quantizes %s, not %s to %s", vptoas_arch_name(arch),
           arch == 5 ? "f32 to i8/fp8/f16/bf16/f32 or i32 to i8/f16/bf16" : "f32 to i8 or i32 to i8/f16/i16",
           ptk_dtype_name(se), ptk_dtype_name(de));
  }
}

/* TInsertOp::verify (base form: ptk's tinsert has no fp / preQuantScalar
 * operands). A2/A3: vec -> vec of one i8/f16/bf16/f32 dtype, or acc (NZ)
 * -> mat (NZ, fractal 512) converting f32 to f16/bf16. A5: acc -> mat (NZ)
 * or vec (ND or NZ) converting f32 to f16/bf16/f32 or i32 to i32; vec ->
 * mat (NZ) from ND or NZ, and vec -> vec between like layouts, of one
 * fp8/fp4/f16/bf16/f32/8-bit/32-bit integer dtype. */
static void vfy_tinsert(vctx *c, ptk_op *op) {
  const ptk_tile_desc *s = vtile(op->operands[0]), *d = dst_tile(op);
  const ptk_value *fp, *pre;
  ptk_dtype se, de;
  if (!s || !d || !vptoas_elem(s, &se) || !vptoas_elem(d, &de)) return;
  quant_ins(op, &fp, &pre);
  if (!fixpipe_forms_ok(c, op, s, fp, pre)) return;
  bool a5_path = (s->loc == PTK_SPACE_ACC && d->loc == PTK_SPACE_VEC) || (s->loc == PTK_SPACE_VEC && d->loc == PTK_SPACE_MAT);
  int arch = vptoas_rule_arch(c, a5_path || vptoas_a5_only_dtype(se) || vptoas_a5_only_dtype(de) ||
                                     ptk_op_attr(op, "tinsertMode") != NULL || ptk_op_attr(op, "accToVecMode") != NULL);
  if (arch == 3) {
    if (s->loc == PTK_SPACE_VEC && d->loc == PTK_SPACE_VEC) {
      if (se != de || !(is_int_bits(se, 8) || se == PTK_DT_F16 || se == PTK_DT_BF16 || se == PTK_DT_F32))
        VERR(c, op, "'pto.tinsert' on A2/A3 from 'vec' to 'vec' needs one element type of i8, f16, bf16 or f32, "
                    "but has %s and %s", ptk_dtype_name(se), ptk_dtype_name(de));
      return;
    }
    if (s->loc != PTK_SPACE_ACC || d->loc != PTK_SPACE_MAT)
      VERR(c, op, "'pto.tinsert' on A2/A3 cannot move %s tile to %s tile (it moves acc -> mat or vec -> vec)",
           a_sp(s), a_sp(d));
    else if (!nz(s))
      VERR(c, op, "'pto.tinsert' needs an 'acc' source laid out blayout=col_major, slayout=row_major, but it is %s",
           layout(c, s));
    else if (!nz(d))
      VERR(c, op, "'pto.tinsert' from 'acc' needs a 'mat' destination laid out blayout=col_major, slayout=row_major, "
                  "but it is %s", layout(c, d));
    else if (d->fractal != 512)
      VERR(c, op, "'pto.tinsert' on A2/A3 from 'acc' needs a 'mat' destination with fractal=512, but it has %" PRId64,
           d->fractal);
    else if (pre && !quant_pair_ok(3, se, de))
      VERR(c, op, "'pto.tinsert' on A2/A3 from 'acc' with a pre-quantization scalar converts f32 to i8 or i32 to "
                  "i8/f16/i16, not %s to %s", ptk_dtype_name(se), ptk_dtype_name(de));
    else if (!pre && !(se == PTK_DT_F32 && (de == PTK_DT_F16 || de == PTK_DT_BF16)))
      VERR(c, op, "'pto.tinsert' on A2/A3 from 'acc' converts f32 to f16 or bf16, not %s to %s", ptk_dtype_name(se),
           ptk_dtype_name(de));
    return;
  }
  if (s->loc == PTK_SPACE_ACC && (d->loc == PTK_SPACE_MAT || d->loc == PTK_SPACE_VEC)) {
    if (!nz(s))
      VERR(c, op, "'pto.tinsert' needs an 'acc' source laid out blayout=col_major, slayout=row_major, but it is %s",
           layout(c, s));
    else if (d->loc == PTK_SPACE_MAT && !nz(d))
      VERR(c, op, "'pto.tinsert' from 'acc' needs a 'mat' destination laid out blayout=col_major, slayout=row_major, "
                  "but it is %s", layout(c, d));
    else if (d->loc == PTK_SPACE_VEC && !nz(d) && !nd(d))
      VERR(c, op, "'pto.tinsert' on A5 from 'acc' needs a 'vec' destination laid out ND (row_major, none_box) or NZ "
                  "(col_major, row_major), but it is %s", layout(c, d));
    else if ((fp || pre) && !quant_pair_ok(5, se, de))
      VERR(c, op, "'pto.tinsert' on A5 from 'acc' with %s converts f32 to i8/fp8/f16/bf16/f32 or i32 to "
                  "i8/f16/bf16, not %s to %s", fp ? "an fp tile" : "a pre-quantization scalar", ptk_dtype_name(se),
           ptk_dtype_name(de));
    else if (!fp && !pre && !((se == PTK_DT_F32 && (de == PTK_DT_F16 || de == PTK_DT_BF16 || de == PTK_DT_F32)) ||
                              (is_int_bits(se, 32) && is_int_bits(de, 32))))
      VERR(c, op, "'pto.tinsert' on A5 from 'acc' converts f32 to f16/bf16/f32 or i32 to i32, not %s to %s",
           ptk_dtype_name(se), ptk_dtype_name(de));
    return;
  }
  if (s->loc != PTK_SPACE_VEC || (d->loc != PTK_SPACE_MAT && d->loc != PTK_SPACE_VEC)) {
    VERR(c, op, "'pto.tinsert' on A5 cannot move %s tile to %s tile (it moves acc -> mat/vec or vec -> mat/vec)",
         a_sp(s), a_sp(d));
    return;
  }
  if (d->loc == PTK_SPACE_MAT && !nz(d))
    VERR(c, op, "'pto.tinsert' on A5 from 'vec' needs a 'mat' destination laid out blayout=col_major, "
                "slayout=row_major, but it is %s", layout(c, d));
  else if (d->loc == PTK_SPACE_MAT && !nz(s) && !nd(s))
    VERR(c, op, "'pto.tinsert' on A5 into 'mat' needs a 'vec' source laid out ND (row_major, none_box) or NZ "
                "(col_major, row_major), but it is %s", layout(c, s));
  else if (d->loc == PTK_SPACE_VEC && !((nd(s) && nd(d)) || (nz(s) && nz(d))))
    VERR(c, op, "'pto.tinsert' on A5 from 'vec' to 'vec' needs both tiles ND (row_major, none_box) or both NZ "
                "(col_major, row_major), but they are %s and %s", layout(c, s), layout(c, d));
  else if (se != de || !((ptk_dtype_bits(se) == 8 && se != PTK_DT_I1) || is_int_bits(se, 32) || se == PTK_DT_F16 ||
                         se == PTK_DT_BF16 || se == PTK_DT_F32))
    VERR(c, op, "'pto.tinsert' on A5 from 'vec' needs one element type of fp8, fp4, f16, bf16, f32, 8-bit or 32-bit "
                "integers, but has %s and %s", ptk_dtype_name(se), ptk_dtype_name(de));
}

/* TFillPadOp::verify: between 'mat' tiles only the homogeneous TFILLPAD
 * exists, so source and destination have one type (the padded copy of a
 * tile into a differently typed one is a 'vec' operation). */
static void vfy_tfillpad(vctx *c, ptk_op *op) {
  const ptk_value *s = op->operands[0], *d = op->operands[1];
  const ptk_tile_desc *st = vtile(s), *dt = vtile(d);
  if (!st || !dt || st->loc != PTK_SPACE_MAT || dt->loc != PTK_SPACE_MAT || ptk_type_equal(s->type, d->type)) return;
  VERR(c, op, "'pto.tfillpad' between 'mat' tiles needs source and destination of one type (only 'vec' tiles "
              "can be padded into a different tile type), but they are %s and %s",
       vty(c, s->type), vty(c, d->type));
}

void vop_check_ptoas_move(vctx *c, ptk_op *op) {
  switch (op->kind) {
  case PTK_OP_TEXTRACT: vfy_textract(c, op); break;
  case PTK_OP_TEXTRACT_FP: vfy_textract_fp(c, op); break;
  case PTK_OP_TINSERT: vfy_tinsert(c, op); break;
  case PTK_OP_TFILLPAD: vfy_tfillpad(c, op); break;
  default: break;
  }
}

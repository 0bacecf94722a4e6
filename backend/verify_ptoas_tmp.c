/* ptoas's rules for the scratch (tmp) operands and element widths of vector
 * ops (lib/PTO/IR/PTO.cpp: verifyTColArgTmpA2A3, verifyTRowArgTmpA2A3,
 * TPReluOp, TRemOp, TRemSOp, TXorOp, TXorSOp, TQuantOp::verify). The A2/A3
 * library routines use tmp as working rows of a fixed geometry; A5's do
 * not, so most rules are A2/A3 ones (vptoas_rule_arch: the module's
 * architecture, else A3). ptk's rows make tmp optional where ptoas requires
 * it: the rules apply when it is given. */
#include <inttypes.h>
#include <string.h>

#include "backend/verify_int.h"

static uint32_t nins(const ptk_op *op) { return op->nsegs >= 1 ? op->segs[0] : op->noperands; }

#define KNOWN(x) ((x) != PTK_DYN)

static bool a5_dtypes(const ptk_op *op) {
  for (uint32_t i = 0; i < op->noperands; i++) {
    const ptk_tile_desc *t = vtile(op->operands[i]);
    ptk_dtype dt;
    if (t && vptoas_elem(t, &dt) && vptoas_a5_only_dtype(dt)) return true;
  }
  return false;
}

static int rule_arch(vctx *c, const ptk_op *op) { return vptoas_rule_arch(c, a5_dtypes(op)); }

/* The tmp geometry rules are the A2/A3 routines' working-space needs: they
 * apply to a module that names A2/A3, not to one that names no target (A5
 * code sizes tmp differently and often does not say so), and not when the
 * destination is empty (no work, no scratch; ptoas issue 708's markers). */
static bool a3_tmp_rules(vctx *c, const ptk_op *op, const ptk_tile_desc *d) {
  if (vptoas_arch(c) != 3 || a5_dtypes(op)) return false;
  return !d || (d->v_row != 0 && d->v_col != 0);
}

/* ---- arg reductions ---------------------------------------------------- */

/* getArgReductionTmpMinStride: the A2/A3 arg-reduction keeps, per 256-byte
 * repeat of a source row, a value and an index (two slots) plus one more
 * slot, each rounded to 32-byte blocks. */
static int64_t arg_tmp_min_cols(unsigned bits, int64_t src_cols) {
  int64_t rep = 2048 / bits, blk = 256 / bits;
  int64_t repeats = (src_cols + rep - 1) / rep;
  return ((repeats * 2 + blk - 1) / blk + (repeats + blk - 1) / blk) * blk;
}

static void vfy_arg_reduction(vctx *c, ptk_op *op) {
  const ptk_tile_desc *s = vtile(op->operands[0]);
  ptk_dtype se, te;
  if (!s || !vptoas_elem(s, &se)) return;
  unsigned bits = ptk_dtype_bits(se);
  if (se == PTK_DT_INDEX || se == PTK_DT_I1 || (bits != 8 && bits != 16 && bits != 32)) {
    VERR(c, op, "'%s' source elements must be 1, 2 or 4 bytes wide, but are %s", vop_name(op), ptk_dtype_name(se));
    return;
  }
  if (nins(op) < 2 || !a3_tmp_rules(c, op, vtile(op->operands[2]))) return;
  const ptk_tile_desc *t = vtile(op->operands[1]);
  if (!t || !vptoas_elem(t, &te)) return;
  if (te != se) {
    VERR(c, op, "'%s' tmp %s must have the source's dtype %s, but has %s", vop_name(op), voperand(c, op, 1),
         ptk_dtype_name(se), ptk_dtype_name(te));
    return;
  }
  if (s->v_row == t->v_row && s->v_col == t->v_col) return; /* a tmp shaped like the source always fits */
  const char *tmp = voperand(c, op, 1);
  bool row = op->kind == PTK_OP_TROWARGMAX || op->kind == PTK_OP_TROWARGMIN;
  if (row && KNOWN(s->v_col) && s->v_col <= 2048 / bits) {
    /* The whole valid row fits one repeat: a DN column of 2 entries per
     * row, or an ND tile of 2 columns per row. */
    if (t->slayout == PTK_SLAYOUT_NONE_BOX && t->blayout == PTK_BLAYOUT_COL_MAJOR) {
      if ((KNOWN(t->v_col) && t->v_col != 1) || t->cols != 1)
        VERR(c, op, "'%s' on A2/A3 with a col_major tmp %s needs it to be one column wide", vop_name(op), tmp);
      else if (KNOWN(s->v_row) && KNOWN(t->v_row) && t->v_row < 2 * s->v_row)
        VERR(c, op, "'%s' on A2/A3 needs a col_major tmp %s of at least %" PRId64 " valid rows (2 per source row), "
                    "but it has %" PRId64, vop_name(op), tmp, 2 * s->v_row, t->v_row);
      return;
    }
    if (t->slayout != PTK_SLAYOUT_NONE_BOX) {
      VERR(c, op, "'%s' on A2/A3 needs tmp %s to be a none_box tile (row_major with 2 columns, or one col_major "
                  "column) when the source's valid row fits one repeat", vop_name(op), tmp);
      return;
    }
    if (KNOWN(s->v_row) && KNOWN(t->v_row) && t->v_row < s->v_row)
      VERR(c, op, "'%s' on A2/A3 needs tmp %s to have the source's %" PRId64 " valid rows, but it has %" PRId64,
           vop_name(op), tmp, s->v_row, t->v_row);
    else if (KNOWN(t->v_col) && t->v_col < 2)
      VERR(c, op, "'%s' on A2/A3 needs tmp %s to have at least 2 valid columns, but it has %" PRId64, vop_name(op),
           tmp, t->v_col);
    return;
  }
  if (row && s->rows != t->rows) {
    VERR(c, op, "'%s' on A2/A3 needs tmp %s to have the source's %" PRId64 " rows, but it has %" PRId64, vop_name(op),
         tmp, s->rows, t->rows);
    return;
  }
  if (KNOWN(t->v_row) && t->v_row < (row && KNOWN(s->v_row) ? s->v_row : 1)) {
    VERR(c, op, "'%s' on A2/A3 needs tmp %s to have at least %" PRId64 " valid %s, but it has %" PRId64, vop_name(op),
         tmp, row && KNOWN(s->v_row) ? s->v_row : 1, row && s->v_row != 1 ? "rows" : "row", t->v_row);
    return;
  }
  if (!KNOWN(s->v_col) || !KNOWN(t->v_col)) return;
  int64_t need = arg_tmp_min_cols(bits, s->v_col);
  if (t->v_col < need)
    VERR(c, op, "'%s' on A2/A3 needs tmp %s to have at least %" PRId64 " valid columns for %" PRId64
                " valid source columns, but it has %" PRId64,
         vop_name(op), tmp, need, s->v_col, t->v_col);
}

/* ---- tprelu ------------------------------------------------------------ */

/* TPReluOp::verify (A2/A3): tmp is a byte mask, one bit per destination
 * element, with one spare row. */
static void vfy_tprelu(vctx *c, ptk_op *op) {
  if (nins(op) < 3 || !a3_tmp_rules(c, op, vtile(op->operands[3]))) return;
  const ptk_tile_desc *t = vtile(op->operands[2]), *d = vtile(op->operands[3]);
  ptk_dtype te;
  if (!t || !d || !vptoas_elem(t, &te)) return;
  const char *tmp = voperand(c, op, 2);
  if (te == PTK_DT_INDEX || ptk_dtype_is_float(te) || ptk_dtype_bits(te) != 8)
    VERR(c, op, "'pto.tprelu' on A2/A3 needs tmp %s to hold 8-bit integers (a bit mask), but it holds %s", tmp,
         ptk_dtype_name(te));
  else if (KNOWN(d->v_row) && t->rows < d->v_row + 1)
    VERR(c, op, "'pto.tprelu' on A2/A3 needs tmp %s to have at least %" PRId64
                " rows (the destination's valid rows + 1), but it has %" PRId64,
         tmp, d->v_row + 1, t->rows);
  else if (KNOWN(d->v_col) && KNOWN(t->v_col) && t->v_col < (d->v_col + 7) / 8)
    VERR(c, op, "'pto.tprelu' on A2/A3 needs tmp %s to have at least %" PRId64
                " valid columns (one bit per destination valid column), but it has %" PRId64,
         tmp, (d->v_col + 7) / 8, t->v_col);
}

/* ---- trem, trems --------------------------------------------------------- */

/* TRemOp / TRemSOp::verify (A2/A3): tmp holds the destination's dtype,
 * covers its valid columns, and has 2 (trem) or 1 (trems) valid rows. */
static void vfy_trem(vctx *c, ptk_op *op) {
  if (nins(op) < 3 || !a3_tmp_rules(c, op, vtile(op->operands[3]))) return;
  const ptk_tile_desc *t = vtile(op->operands[2]), *d = vtile(op->operands[3]);
  ptk_dtype te, de;
  if (!t || !d || !vptoas_elem(t, &te) || !vptoas_elem(d, &de)) return;
  const char *tmp = voperand(c, op, 2);
  int64_t rows = op->kind == PTK_OP_TREM ? 2 : 1;
  if (te != de)
    VERR(c, op, "'%s' on A2/A3 needs tmp %s to have the destination's dtype %s, but it has %s", vop_name(op), tmp,
         ptk_dtype_name(de), ptk_dtype_name(te));
  else if (KNOWN(t->v_row) && t->v_row < rows)
    VERR(c, op, "'%s' on A2/A3 needs tmp %s to have at least %" PRId64 " valid %s, but it has %" PRId64,
         vop_name(op), tmp, rows, rows == 1 ? "row" : "rows", t->v_row);
  else if (KNOWN(t->v_col) && KNOWN(d->v_col) && t->v_col < d->v_col)
    VERR(c, op, "'%s' on A2/A3 needs tmp %s to cover the destination's %" PRId64 " valid columns, but it has %" PRId64,
         vop_name(op), tmp, d->v_col, t->v_col);
}

/* ---- txor, txors ------------------------------------------------------- */

/* TXorOp / TXorSOp::verify (A2/A3): tmp is a row_major tile of the
 * destination's dtype (txor: of its valid shape too). */
static void vfy_txor(vctx *c, ptk_op *op) {
  if (nins(op) < 3 || rule_arch(c, op) != 3) return;
  const ptk_tile_desc *t = vtile(op->operands[2]), *d = vtile(op->operands[3]);
  ptk_dtype te, de;
  if (!t || !d || !vptoas_elem(t, &te) || !vptoas_elem(d, &de)) return;
  const char *tmp = voperand(c, op, 2);
  if (te != de)
    VERR(c, op, "'%s' on A2/A3 needs tmp %s to have the destination's dtype %s, but it has %s", vop_name(op), tmp,
         ptk_dtype_name(de), ptk_dtype_name(te));
  else if (t->blayout != PTK_BLAYOUT_ROW_MAJOR)
    VERR(c, op, "'%s' on A2/A3 needs tmp %s to be row_major", vop_name(op), tmp);
  else if (op->kind == PTK_OP_TXOR && KNOWN(t->v_row) && KNOWN(t->v_col) && KNOWN(d->v_row) && KNOWN(d->v_col) &&
           (t->v_row != d->v_row || t->v_col != d->v_col))
    VERR(c, op, "'pto.txor' on A2/A3 needs tmp %s to have the destination's valid shape %" PRId64 "x%" PRId64
                ", but it has %" PRId64 "x%" PRId64,
         tmp, d->v_row, d->v_col, t->v_row, t->v_col);
}

/* ---- tquant ------------------------------------------------------------ */

/* TQuantOp::verify (A2/A3): source and destination are row_major; the
 * per-row parameters (fp, offset) are a column: col_major, one valid
 * column, the destination's valid rows. */
static void vfy_tquant_a3(vctx *c, ptk_op *op) {
  uint32_t ni = nins(op);
  if (ni < 2 || ni >= op->noperands || rule_arch(c, op) != 3) return;
  const ptk_tile_desc *s = vtile(op->operands[0]), *d = vtile(op->operands[ni]);
  if (!s || !d) return;
  if (s->blayout != PTK_BLAYOUT_ROW_MAJOR || d->blayout != PTK_BLAYOUT_ROW_MAJOR) {
    VERR(c, op, "'pto.tquant' on A2/A3 needs a row_major source and destination");
    return;
  }
  for (uint32_t i = 1; i < ni && i < 3; i++) {
    const ptk_tile_desc *p = vtile(op->operands[i]);
    const char *pn = voperand(c, op, i);
    if (!p) continue;
    const char *what = i == 1 ? "fp" : "offset";
    if (p->blayout == PTK_BLAYOUT_ROW_MAJOR)
      VERR(c, op, "'pto.tquant' on A2/A3 needs the %s parameters %s to be a col_major column, but they are row_major",
           what, pn);
    else if (KNOWN(p->v_row) && KNOWN(d->v_row) && p->v_row != d->v_row)
      VERR(c, op, "'pto.tquant' on A2/A3 needs the %s parameters %s to have the destination's %" PRId64
                  " valid rows, but they have %" PRId64, what, pn, d->v_row, p->v_row);
    else if (KNOWN(p->v_col) && p->v_col != 1)
      VERR(c, op, "'pto.tquant' on A2/A3 needs the %s parameters %s to have one valid column, but they have %" PRId64,
           what, pn, p->v_col);
    else
      continue;
    return;
  }
}

void vop_check_ptoas_tmp(vctx *c, ptk_op *op) {
  switch (op->kind) {
  case PTK_OP_TROWARGMAX:
  case PTK_OP_TROWARGMIN:
  case PTK_OP_TCOLARGMAX:
  case PTK_OP_TCOLARGMIN: vfy_arg_reduction(c, op); break;
  case PTK_OP_TPRELU: vfy_tprelu(c, op); break;
  case PTK_OP_TREM:
  case PTK_OP_TREMS: vfy_trem(c, op); break;
  case PTK_OP_TXOR:
  case PTK_OP_TXORS: vfy_txor(c, op); break;
  case PTK_OP_TQUANT: vfy_tquant_a3(c, op); break;
  default: break;
  }
}

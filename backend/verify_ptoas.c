/* Verifier rules ptoas has (lib/PTO/IR/PTO.cpp, lib/PTO/Transforms/…),
 * each cited at its rule. Called from vop_check (verify_ops.c) once the
 * operand kinds are known to be right, and per function from verify.c.
 *
 * The target: rules ptoas applies to one architecture only (its
 * dispatchVerifierByArch) follow the module's `pto.target_arch` (or a
 * `pto.device-spec`); a module that names none is judged as A2/A3 code,
 * ptoas's default (--pto-arch defaults to a3, tools/ptoas/ptoas.cpp) and
 * ptk's default target, unless the op uses something only A5 has (fp8/fp4
 * elements, high_precision, an A5-only data path): a .pto file does not
 * carry ptoas's command line, and such a file is A5 code
 * (vptoas_rule_arch). Rules that reject an A5-only feature on A2/A3
 * (thistogram, high_precision, i8 tsel, bf16 tmaxs, integer tcolexpanddiv)
 * therefore fire only in a module that names A2/A3, and the A2/A3 tmp
 * geometry rules (verify_ptoas_tmp.c) only there too. Rules about ptoas's
 * own code generation (--pto-level=level3 addresses, --enable-op-fusion,
 * the mixed/partitioned backends, VPTO lowering templates) are not ptk's
 * and are not checked. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/verify_int.h"
#include "lang/ir/target.h"

/* ======================================================================
 * Helpers
 * ====================================================================== */

static uint32_t nins(const ptk_op *op) { return op->nsegs >= 1 ? op->segs[0] : op->noperands; }

static bool const_int(const ptk_value *v, int64_t *out) {
  if (!v || !v->def || v->def->kind != PTK_OP_ARITH_CONSTANT) return false;
  const ptk_attr *a = ptk_op_attr(v->def, "value");
  if (!a || a->kind != PTK_ATTR_INT) return false;
  *out = a->i;
  return true;
}

static bool attr_int(const ptk_op *op, const char *name, int64_t *v) {
  const ptk_attr *a = ptk_op_attr(op, name);
  return a && ptk_attr_get_int(a, v);
}

/* The enum value of an attribute (#pto<quant_type INT8_SYM> -> "INT8_SYM"). */
static const char *attr_enum(const ptk_op *op, const char *name) {
  const ptk_attr *a = ptk_op_attr(op, name);
  if (!a) return NULL;
  if (a->kind == PTK_ATTR_ENUM) return a->en.value;
  if (a->kind == PTK_ATTR_STRING) return a->str.s;
  return NULL;
}

static bool elem_dt(const ptk_tile_desc *t, ptk_dtype *dt) {
  if (!t || !t->elem || t->elem->kind != PTK_TY_SCALAR) return false;
  *dt = t->elem->dt;
  return true;
}

static bool signless_i32(ptk_dtype dt) { return dt == PTK_DT_I32 || dt == PTK_DT_SI32 || dt == PTK_DT_UI32; }

static bool is_tile(const ptk_value *v) { return vtile(v) != NULL; }

int vptoas_arch(vctx *c) {
  for (const ptk_module *m = c->func ? c->func->module : c->top; m; m = m->parent) {
    const ptk_attr *a = ptk_module_attr(m, "pto.target_arch");
    ptk_target t;
    if (a && a->kind == PTK_ATTR_STRING) return ptk_target_parse(a->str.s, &t) && t == PTK_TARGET_A5 ? 5 : 3;
    /* ptoas lets a device spec force A5 only (isA5ModuleTarget) and takes
     * an A2/A3 part's module from --pto-arch; ptk has no such option, so
     * the part named is the architecture. */
    a = ptk_module_attr(m, "pto.device-spec");
    if (a && a->kind == PTK_ATTR_STRING)
      return !strncmp(a->str.s, "Ascend950", 9) || !strncmp(a->str.s, "Ascend910_95", 12) ? 5 : 3;
  }
  return 0;
}

int vptoas_rule_arch(vctx *c, bool a5_feature) {
  int a = vptoas_arch(c);
  return a ? a : a5_feature ? 5 : 3;
}

bool vptoas_elem(const ptk_tile_desc *t, ptk_dtype *dt) { return elem_dt(t, dt); }

bool vptoas_a5_only_dtype(ptk_dtype dt) { return ptk_dtype_is_narrow_float(dt); }

const char *vptoas_arch_name(int arch) { return arch == 5 ? "A5" : "A2/A3"; }

const char *vptoas_blayout(const ptk_tile_desc *t) {
  return t->blayout == PTK_BLAYOUT_ROW_MAJOR ? "row_major" : "col_major";
}

const char *vptoas_slayout(const ptk_tile_desc *t) {
  return t->slayout == PTK_SLAYOUT_NONE_BOX ? "none_box" : t->slayout == PTK_SLAYOUT_ROW_MAJOR ? "row_major" : "col_major";
}

static int varch(vctx *c) { return vptoas_arch(c); }

static const char *space(ptk_space s) { return ptk_space_name(s); }

/* ======================================================================
 * Tile layout and addresses (AllocTileOp::verify, TAssignOp::verify)
 * ====================================================================== */

/* verifyTileBufLayoutConstraints: a none_box tile's major dimension is a
 * whole number of 32-byte blocks; a boxed tile is a whole number of
 * fractals (rows may be ragged in 'vec', with 32-byte fractals, or for one
 * row). */
static void check_tile_layout(vctx *c, ptk_op *op, const ptk_tile_desc *t) {
  /* ptoas checks tile_buf types only, not a buffer already lowered to a
   * memref (memref.alloc, pto.pointer_cast). */
  if (op->form && !strcmp(op->form, PTK_FORM_MEMREF)) return;
  ptk_dtype dt;
  if (!elem_dt(t, &dt)) return;
  int64_t eb = ptk_dtype_bytes(dt);
  if (eb <= 0) return;
  const char *ty = vty(c, op->results[0].type);
  if (t->slayout == PTK_SLAYOUT_NONE_BOX) {
    bool row = t->blayout == PTK_BLAYOUT_ROW_MAJOR;
    int64_t dim = row ? t->cols : t->rows;
    if (dim == PTK_DYN || (dim * eb) % 32 == 0) return;
    VERR(c, op,
         "'%s' result %s: a %s none_box tile needs %s * %" PRId64 " bytes to be a multiple of 32 "
         "bytes, but it is %" PRId64 " bytes",
         vop_name(op), ty, row ? "row_major" : "col_major", row ? "cols" : "rows", eb, dim * eb);
    return;
  }
  int64_t ir = 0, ic = 0;
  switch (t->fractal) {
  case 1024: ir = ic = 16; break;
  case 32: ir = 16, ic = 2; break;
  case 512:
    if (32 % eb != 0) {
      VERR(c, op, "'%s' result %s: a boxed fractal=512 tile needs an element size dividing 32 bytes",
           vop_name(op), ty);
      return;
    }
    if (t->slayout == PTK_SLAYOUT_ROW_MAJOR)
      ir = 16, ic = 32 / eb;
    else
      ir = 32 / eb, ic = 16;
    break;
  default: return; /* the type check reports the fractal */
  }
  bool ragged_rows = t->loc == PTK_SPACE_VEC || t->fractal == 32 || t->rows == 1;
  if (!ragged_rows && t->rows != PTK_DYN && t->rows % ir != 0)
    VERR(c, op,
         "'%s' result %s: a boxed tile's rows must be a multiple of the fractal's %" PRId64
         " rows, but are %" PRId64,
         vop_name(op), ty, ir, t->rows);
  if (t->cols != PTK_DYN && t->cols % ic != 0)
    VERR(c, op,
         "'%s' result %s: a boxed tile's cols must be a multiple of the fractal's %" PRId64
         " cols, but are %" PRId64,
         vop_name(op), ty, ic, t->cols);
}

/* verifyConstantLocalAddress: constant local addresses are aligned (32
 * bytes) and non-negative. */
static void check_addr(vctx *c, ptk_op *op, const ptk_value *addr, ptk_space loc) {
  int64_t a;
  if (!addr || !const_int(addr, &a)) return;
  /* ptoas wants 512 bytes in left/right/acc; ptk's plan-memory aligns
   * every memory to 32 bytes (PTK_TILE_ALIGN, backend/passes), so a
   * one-row acc tile can leave the next at a 32-byte address: only 32 is
   * checked until plan-memory aligns those three memories to 512. */
  int64_t align = loc == PTK_SPACE_GM ? 0 : 32;
  if (!align) return;
  if (a < 0)
    VERR(c, op, "'%s' address %" PRId64 " must be non-negative", vop_name(op), a);
  else if (a % align)
    VERR(c, op, "'%s' address %" PRId64 " is not a multiple of %" PRId64 " bytes ('%s' memory)",
         vop_name(op), a, align, space(loc));
  else
    return;
  vnote_def(c, addr);
}

/* ptoas --pto-level=level3 (ptk's explicit mode) skips PTOPlanMemory: the
 * kernel places every tile (AllocTileOp / AllocMultiTileOp need an addr),
 * and only there may it rebind one (TAssignOp; tools/ptoas/ptoas.cpp).
 * Without a forced mode a file that places any tile is level3
 * (vctx.level). ptoas's lower levels also refuse an addr; ptk's auto mode
 * keeps one as a pre-placement (its output is placed, level3 text). */
static void check_level_addr(vctx *c, ptk_op *op, bool has_addr) {
  if (c->level == 3 && c->level_forced && !has_addr)
    VERR(c, op, "'%s' needs an 'addr' operand in explicit mode (ptoas --pto-level=level3): nothing plans its "
                "address",
         vop_name(op));
}

static void vfy_alloc_tile(vctx *c, ptk_op *op) {
  const ptk_tile_desc *t = vtile(&op->results[0]);
  if (!t) return;
  check_tile_layout(c, op, t);
  uint32_t n;
  ptk_value **addr = ptk_op_segment(op, 0, &n);
  if (n == 1) check_addr(c, op, addr[0], t->loc);
  if (!(op->form && !strcmp(op->form, PTK_FORM_MEMREF))) check_level_addr(c, op, n == 1);
}

static void vfy_tassign(vctx *c, ptk_op *op) {
  const ptk_tile_desc *t = vtile(op->operands[0]);
  if (c->level != 3) {
    VERR(c, op, "'pto.tassign' rebinds a tile's address, which only an explicit-address kernel does (ptoas "
                "--pto-level=level3): one that places its tiles with alloc_tile addr = …, or checked with "
                "--mode explicit");
    return;
  }
  if (t) check_addr(c, op, op->operands[1], t->loc);
}

/* ======================================================================
 * Multi-buffered tiles (AllocMultiTileOp / MultiTileGetOp::verify). The
 * !pto.multi_tile_buf type is opaque to ptk: its count and slot compaction
 * are read from the spelling.
 * ====================================================================== */

static bool opaque_field(const ptk_type *t, const char *key, int64_t *out, const char **word) {
  if (!t || t->kind != PTK_TY_OPAQUE || !t->text || !strstr(t->text, "multi_tile_buf")) return false;
  size_t kl = strlen(key);
  for (const char *p = strstr(t->text, key); p; p = strstr(p + 1, key)) {
    if (p > t->text && (p[-1] == '_' || (p[-1] >= 'a' && p[-1] <= 'z'))) continue;
    const char *v = p + kl;
    while (*v == ' ') v++;
    if (*v != '=') continue;
    v++;
    while (*v == ' ') v++;
    if (word) *word = v;
    char *end;
    long long x = strtoll(v, &end, 10);
    if (end == v) {
      if (!word) continue;
      *out = -1;
      return true;
    }
    *out = x;
    return true;
  }
  return false;
}

static void vfy_alloc_multi_tile(vctx *c, ptk_op *op) {
  uint32_t naddr = 0;
  ptk_op_segment(op, 0, &naddr);
  check_level_addr(c, op, naddr == 1);
  const ptk_type *t = op->results[0].type;
  int64_t count, compact;
  const char *w = NULL;
  if (opaque_field(t, "count", &count, NULL) && (count < 2 || count > 16))
    VERR(c, op, "'pto.alloc_multi_tile' count must be in 2..16, but is %" PRId64, count);
  if (opaque_field(t, "compact", &compact, &w) &&
      (compact == 2 || (w && !strncmp(w, "row_plus_one", 12))))
    VERR(c, op,
         "'pto.alloc_multi_tile' slots cannot use row_plus_one compaction: a padded slot is larger "
         "than rows x cols elements and would overlap the next slot");
}

static void vfy_multi_tile_get(vctx *c, ptk_op *op) {
  int64_t count, slot;
  if (!opaque_field(op->operands[0]->type, "count", &count, NULL) || !const_int(op->operands[1], &slot))
    return;
  if (slot < 0 || slot >= count) {
    VERR(c, op, "'pto.multi_tile_get' slot %" PRId64 " is out of range: the buffer has %" PRId64 " %s",
         slot, count, vplural((uint64_t)count, "slot", "slots"));
    vnote_def(c, op->operands[1]);
  }
}

/* ======================================================================
 * Pointers (IntToPtrOp::verify, PTOValidateIntToPtrUses)
 * ====================================================================== */

static void vfy_inttoptr(vctx *c, ptk_op *op) {
  const ptk_type *a = op->operands[0]->type, *r = op->results[0].type;
  if (!ptk_type_is_scalar(a, PTK_DT_I64)) {
    VERR(c, op, "'pto.inttoptr' address operand must be i64, but has type %s", vty(c, a));
    vnote_def(c, op->operands[0]);
  }
  if (r && r->kind == PTK_TY_PTR && ptk_type_is_scalar(r->elem, PTK_DT_INDEX))
    VERR(c, op, "'pto.inttoptr' result %s points to index, which has no memory representation",
         vty(c, r));
}

/* Every use of an inttoptr result is the pointer of load_scalar/store_scalar. */
static void check_inttoptr_uses(vctx *c, ptk_op *op) {
  for (uint32_t i = 0; i < op->noperands; i++) {
    const ptk_value *v = op->operands[i];
    if (!v || !v->def || v->def->kind != PTK_OP_INTTOPTR) continue;
    if ((op->kind == PTK_OP_LOAD_SCALAR || op->kind == PTK_OP_STORE_SCALAR) && i == 0) continue;
    ptk_error(c->d, ptk_op_range(v->def),
              "'pto.inttoptr' result may only be the pointer of 'pto.load_scalar' or "
              "'pto.store_scalar', but is %s of '%s'",
              voperand(c, op, i), vop_name(op));
    ptk_note(c->d, ptk_op_range(op), "'%s' uses it here", vop_name(op));
  }
}

/* ======================================================================
 * Tile ops
 * ====================================================================== */

/* TPowOp / TPowSOp::verify: float pow needs a tmp operand, integer pow
 * takes none; tmp has dst's dtype, is row_major and has dst's valid shape. The precision attribute by target (A2/A3: no high_precision; A5:
 * high_precision only for floats). */
static void vfy_tpow(vctx *c, ptk_op *op) {
  uint32_t ni = nins(op);
  bool has_tmp = ni == 3;
  const ptk_tile_desc *d = vtile(op->operands[ni]);
  ptk_dtype dt;
  if (!d || !elem_dt(d, &dt)) return;
  unsigned b = ptk_dtype_bits(dt);
  bool is_int = !ptk_dtype_is_float(dt) && dt != PTK_DT_INDEX && (b == 8 || b == 16 || b == 32);
  bool is_fp = dt == PTK_DT_F16 || dt == PTK_DT_F32 || dt == PTK_DT_BF16;
  const char *prec = attr_enum(op, "precisionType");
  bool hp = prec && !strcmp(prec, "high_precision");
  /* high_precision exists on A5 only: a module naming no target that
   * asks for it is A5 code. */
  int arch = hp ? vptoas_rule_arch(c, true) : varch(c);
  if (arch == 3 && hp) {
    VERR(c, op, "'%s' precisionType high_precision is not supported on A2/A3", vop_name(op));
    return;
  }
  if (arch == 5 && hp && !is_fp) {
    VERR(c, op, "'%s' precisionType high_precision needs f16, f32 or bf16 elements on A5, but has %s",
         vop_name(op), ptk_dtype_name(dt));
    return;
  }
  /* On every target ptoas's float pow lowering calls the TPOW overload
   * with tmp (the host does not need it; the tracer allocates one). */
  if (is_fp && !has_tmp) {
    VERR(c, op, "'%s' on floating-point (%s) elements needs a tmp operand (ins[2]) for the float pow lowering",
         vop_name(op), ptk_dtype_name(dt));
    return;
  }
  if (is_int && has_tmp) {
    VERR(c, op, "'%s' on integer (%s) elements takes no tmp operand", vop_name(op), ptk_dtype_name(dt));
    return;
  }
  if (!has_tmp) return;
  const ptk_tile_desc *t = vtile(op->operands[2]);
  ptk_dtype tt;
  if (!t || !elem_dt(t, &tt)) return;
  if (tt != dt)
    VERR(c, op, "'%s' tmp %s must have dtype %s like the destination, but has %s", vop_name(op),
         voperand(c, op, 2), ptk_dtype_name(dt), ptk_dtype_name(tt));
  else if (t->blayout != PTK_BLAYOUT_ROW_MAJOR)
    VERR(c, op, "'%s' tmp %s must be row_major", vop_name(op), voperand(c, op, 2));
  else if (t->v_row != PTK_DYN && t->v_col != PTK_DYN && d->v_row != PTK_DYN && d->v_col != PTK_DYN &&
           (t->v_row != d->v_row || t->v_col != d->v_col))
    VERR(c, op,
         "'%s' tmp %s must have the destination's valid shape %" PRId64 "x%" PRId64
         ", but has %" PRId64 "x%" PRId64,
         vop_name(op), voperand(c, op, 2), d->v_row, d->v_col, t->v_row, t->v_col);
}

/* TMrgSortOp::verify, format 2 (srcs…, tmp) -> (dst, executed): the tmp
 * row holds at least dst's columns. */
static void vfy_tmrgsort(vctx *c, ptk_op *op) {
  uint32_t ni = nins(op);
  if (op->noperands < ni + 2 || ni < 3) return;
  if (is_tile(op->operands[op->noperands - 1]) || op->noperands != ni + 2) return;
  const ptk_tile_desc *tmp = vtile(op->operands[ni - 1]), *dst = vtile(op->operands[ni]);
  if (!tmp || !dst) return;
  if (tmp->cols != PTK_DYN && dst->cols != PTK_DYN && tmp->cols < dst->cols)
    VERR(c, op,
         "'pto.tmrgsort' tmp %s must have at least the destination's %" PRId64
         " columns, but has %" PRId64,
         voperand(c, op, ni - 1), dst->cols, tmp->cols);
}

/* TQuantOp::verify: INT8_SYM takes no offset, INT8_ASYM needs one; both
 * write 8-bit integers; other quant types are tquant.mx's. */
static void vfy_tquant(vctx *c, ptk_op *op) {
  const char *q = attr_enum(op, "quant_type");
  if (!q) return;
  uint32_t ni = nins(op);
  bool sym = !strcmp(q, "INT8_SYM"), asym = !strcmp(q, "INT8_ASYM");
  if (!sym && !asym) {
    VERR(c, op, "'pto.tquant' quant_type must be INT8_SYM or INT8_ASYM, but is %s (MX quantization is "
                "'pto.tquant.mx')", q);
    return;
  }
  if (sym && ni >= 3) {
    VERR(c, op, "'pto.tquant' INT8_SYM quantization takes no offset operand, but has %s",
         voperand(c, op, 2));
    return;
  }
  if (asym && ni < 3) {
    VERR(c, op, "'pto.tquant' INT8_ASYM quantization needs an offset operand");
    return;
  }
  const ptk_tile_desc *d = ni < op->noperands ? vtile(op->operands[ni]) : NULL;
  ptk_dtype dt;
  if (d && elem_dt(d, &dt) && (ptk_dtype_is_float(dt) || ptk_dtype_bits(dt) != 8)) {
    VERR(c, op, "'pto.tquant' %s quantization writes i8 or ui8, but the destination has %s", q,
         ptk_dtype_name(dt));
    return;
  }
  /* outs(%dst, %tmp): f32 scratch; on A2/A3 a row-major tile of the
   * source's shape (its row-wise broadcast) */
  const ptk_tile_desc *t = ni + 1 < op->noperands ? vtile(op->operands[ni + 1]) : NULL, *s = vtile(op->operands[0]);
  if (!t || !s) return;
  if (!elem_dt(t, &dt) || dt != PTK_DT_F32)
    VERR(c, op, "'pto.tquant' tmp %s must hold f32, but holds %s", voperand(c, op, ni + 1),
         elem_dt(t, &dt) ? ptk_dtype_name(dt) : "no scalar");
  else if (vptoas_rule_arch(c, false) == 3 && (t->rows != s->rows || t->cols != s->cols ||
                                               t->blayout != PTK_BLAYOUT_ROW_MAJOR))
    VERR(c, op, "'pto.tquant' on A2/A3 needs tmp %s to be a row-major tile of the source's %" PRId64 "x%" PRId64
                " shape", voperand(c, op, ni + 1), s->rows, s->cols);
}

/* TGatherOp::verify, the compare form ins(%src, %k, %tmp) outs(%dst,
 * %cdst): all four tiles in 'vec', row-major; dst and cdst hold 32-bit
 * integers (the indices and the counts); k has src's element type; cmpMode
 * eq (the default) or gt; src f16/f32 (or i32 with eq) on A2/A3, also i16
 * and any i32 on A5. */
static void vfy_tgather_cmp(vctx *c, ptk_op *op) {
  uint32_t ni = nins(op), no = op->noperands - ni;
  bool scalar_k = ni >= 2 && !is_tile(op->operands[1]);
  if (!scalar_k && no < 2 && !ptk_op_attr(op, "cmpMode")) return; /* index or mask form */
  if (!scalar_k || ni != 3 || no != 2 || !is_tile(op->operands[2])) {
    VERR(c, op, "'pto.tgather' compare form takes ins(%%src, %%k, %%tmp) and outs(%%dst, %%cdst)");
    return;
  }
  static const char *const role[] = {"src", NULL, "tmp", "dst", "cdst"};
  for (uint32_t i = 0; i < 5; i++) {
    const ptk_tile_desc *t = role[i] ? vtile(op->operands[i]) : NULL;
    if (t && (t->loc != PTK_SPACE_VEC || t->blayout != PTK_BLAYOUT_ROW_MAJOR)) {
      VERR(c, op, "'pto.tgather' compare form needs %s %s in 'vec' with blayout=row_major", role[i],
           voperand(c, op, i));
      return;
    }
  }
  ptk_dtype se, de, ce;
  if (!elem_dt(vtile(op->operands[0]), &se) || !elem_dt(vtile(op->operands[3]), &de) ||
      !elem_dt(vtile(op->operands[4]), &ce))
    return;
  if (ptk_dtype_is_float(de) || de == PTK_DT_INDEX || ptk_dtype_bits(de) != 32) {
    VERR(c, op, "'pto.tgather' compare form writes i32 indices, but dst holds %s", ptk_dtype_name(de));
    return;
  }
  if (ce != de) {
    VERR(c, op, "'pto.tgather' compare form needs cdst of dst's element type %s, but it holds %s",
         ptk_dtype_name(de), ptk_dtype_name(ce));
    return;
  }
  const ptk_type *kt = op->operands[1]->type;
  if (!ptk_type_is_scalar(kt, se)) {
    VERR(c, op, "'pto.tgather' compare value %s must have src's element type %s, but has type %s",
         voperand(c, op, 1), ptk_dtype_name(se), vty(c, kt));
    return;
  }
  const char *m = attr_enum(op, "cmpMode");
  if (m && strcmp(m, "eq") && strcmp(m, "gt")) {
    VERR(c, op, "'pto.tgather' compare form compares with eq or gt, not %s", m);
    return;
  }
  bool eq = !m || !strcmp(m, "eq"), i32 = !ptk_dtype_is_float(se) && ptk_dtype_bits(se) == 32;
  bool i16 = !ptk_dtype_is_float(se) && ptk_dtype_bits(se) == 16 && se != PTK_DT_INDEX;
  bool a5 = vptoas_rule_arch(c, false) == 5;
  bool ok = se == PTK_DT_F16 || se == PTK_DT_F32 || (i32 && se != PTK_DT_INDEX && (a5 || eq)) || (a5 && i16);
  if (!ok)
    VERR(c, op, "'pto.tgather' compare form on %s compares %s, not %s", a5 ? "A5" : "A2/A3",
         a5 ? "i16, i32, f16 or f32" : "f16 or f32 (or i32 with cmpMode eq)", ptk_dtype_name(se));
}

/* TQuantMxOp::verify (an A5-only op): MX quantization of f32/f16/bf16
 * rows in groups of 32 elements (so the valid columns are whole groups)
 * into 8-bit integers (MXFP8) or packed fp4 from 16-bit floats
 * (MXFP4_E2M1), with a ui8/i8 shared exponent and a max per group in the
 * source's dtype. ptoas also wants the scaling output in the source's dtype
 * and exp/max/scaling to hold exactly one element per group; ptk's own
 * test lit/pto/sweep_noexec_dps.pto writes a ui8 scaling of 32 elements
 * per 16 groups, so those two are not checked yet. */
static void vfy_tquant_mx(vctx *c, ptk_op *op) {
  if (varch(c) == 3) {
    VERR(c, op, "'pto.tquant.mx' is only supported on A5, but the module targets A2/A3");
    return;
  }
  uint32_t ni = nins(op);
  const char *q = attr_enum(op, "quant_type");
  const ptk_tile_desc *s = ni >= 1 ? vtile(op->operands[0]) : NULL;
  const ptk_tile_desc *d = ni < op->noperands ? vtile(op->operands[ni]) : NULL;
  const ptk_tile_desc *e = ni + 1 < op->noperands ? vtile(op->operands[ni + 1]) : NULL;
  const ptk_tile_desc *mx = ni + 2 < op->noperands ? vtile(op->operands[ni + 2]) : NULL;
  ptk_dtype sd, dd, ed, md;
  if (!s || !vptoas_elem(s, &sd)) return;
  bool fp4 = q && !strcmp(q, "MXFP4_E2M1");
  if (q && strcmp(q, "MXFP8") != 0 && !fp4) {
    VERR(c, op, "'pto.tquant.mx' quant_type must be MXFP8 or MXFP4_E2M1, but is %s", q);
    return;
  }
  if (sd != PTK_DT_F32 && sd != PTK_DT_F16 && sd != PTK_DT_BF16) {
    VERR(c, op, "'pto.tquant.mx' source must hold f32, f16 or bf16, but holds %s", ptk_dtype_name(sd));
    return;
  }
  if (fp4 && sd == PTK_DT_F32) {
    VERR(c, op, "'pto.tquant.mx' MXFP4_E2M1 quantizes f16 or bf16, not f32");
    return;
  }
  if (d && vptoas_elem(d, &dd) && (fp4 ? dd != PTK_DT_F4E2M1X2 : (ptk_dtype_is_float(dd) || ptk_dtype_bits(dd) != 8))) {
    VERR(c, op, "'pto.tquant.mx' %s writes %s, but the destination holds %s", fp4 ? "MXFP4_E2M1" : "MXFP8",
         fp4 ? "!pto.f4E2M1x2" : "i8 or ui8", ptk_dtype_name(dd));
    return;
  }
  if (e && vptoas_elem(e, &ed) && (ptk_dtype_is_float(ed) || ptk_dtype_bits(ed) != 8)) {
    VERR(c, op, "'pto.tquant.mx' exponent output %s must hold i8 or ui8, but holds %s", voperand(c, op, ni + 1),
         ptk_dtype_name(ed));
    return;
  }
  if (mx && vptoas_elem(mx, &md) && md != sd) {
    VERR(c, op, "'pto.tquant.mx' max output %s must hold the source's %s, but holds %s", voperand(c, op, ni + 2),
         ptk_dtype_name(sd), ptk_dtype_name(md));
    return;
  }
  if (s->v_col != PTK_DYN && s->v_col % 32)
    VERR(c, op, "'pto.tquant.mx' quantizes groups of 32 elements: the source's valid columns must be a multiple "
                "of 32, but are %" PRId64, s->v_col);
}

/* SyncAllOp::parse / verify: a hard syncall takes no operands; a soft one
 * a GM workspace, then the workspace of each core type it syncs (ub for
 * aiv_only, l1 for aic_only, both for mix; tiles in 'vec' / 'mat'), then
 * optionally the i32 number of cores used. */
static void vfy_syncall(vctx *c, ptk_op *op) {
  const char *mode = attr_enum(op, "mode"), *ct = attr_enum(op, "core_type");
  if (!mode) return;
  if (!strcmp(mode, "hard")) {
    if (op->noperands)
      VERR(c, op, "'pto.syncall' in hard mode takes no operands, but has %" PRIu32, op->noperands);
    return;
  }
  if (!ct) return;
  bool ub = strcmp(ct, "aic_only") != 0, l1 = strcmp(ct, "aiv_only") != 0;
  uint32_t need = 1 + ub + l1;
  if (op->noperands != need && op->noperands != need + 1) {
    VERR(c, op, "'pto.syncall' in soft mode with core_type %s takes a gm workspace%s%s and an optional i32 "
                "used-core count (%" PRIu32 " or %" PRIu32 " operands), but has %" PRIu32,
         ct, ub ? ", a ub ('vec') workspace" : "", l1 ? ", an l1 ('mat') workspace" : "", need, need + 1,
         op->noperands);
    return;
  }
  for (uint32_t i = 1; i < need; i++) {
    const ptk_tile_desc *t = vtile(op->operands[i]);
    ptk_space want = ub && i == 1 ? PTK_SPACE_VEC : PTK_SPACE_MAT;
    if (t && t->loc != want) {
      VERR(c, op, "'pto.syncall' %s workspace %s must be a '%s' tile, but is a '%s' tile",
           want == PTK_SPACE_VEC ? "ub" : "l1", voperand(c, op, i), space(want), space(t->loc));
      return;
    }
  }
  if (op->noperands == need + 1 && !signless_i32(op->operands[need]->type->kind == PTK_TY_SCALAR
                                                     ? op->operands[need]->type->dt
                                                     : PTK_DT_I64)) {
    VERR(c, op, "'pto.syncall' used-core count %s must be i32, but has type %s", voperand(c, op, need),
         vty(c, op->operands[need]->type));
    vnote_def(c, op->operands[need]);
  }
}

/* THistogramOp::verify: with ui16 sources the byte selects one of two. The
 * op exists on A5 only (on an A2/A3 module it is an error). */
static void vfy_thistogram_ptoas(vctx *c, ptk_op *op) {
  if (varch(c) == 3) {
    VERR(c, op, "'pto.thistogram' is only supported on A5, but the module targets A2/A3");
    return;
  }
  const ptk_tile_desc *s = op->noperands ? vtile(op->operands[0]) : NULL;
  ptk_dtype dt;
  int64_t byte = 1;
  if (!s || !elem_dt(s, &dt) || dt != PTK_DT_UI16) return;
  const ptk_attr *msb = ptk_op_attr(op, "isMSB");
  if (!attr_int(op, "byte", &byte) && msb && msb->kind == PTK_ATTR_BOOL) byte = msb->b;
  if (byte > 1 && byte <= 3)
    VERR(c, op, "'pto.thistogram' byte must be 0 or 1 for a ui16 source, but is %" PRId64, byte);
}

/* TColSumOp::verify (verifyTColSumTmpStride): with isBinary the tmp row
 * holds the source's valid columns. */
static void vfy_tcolsum(vctx *c, ptk_op *op) {
  const ptk_attr *b = ptk_op_attr(op, "isBinary");
  bool bin = b && ((b->kind == PTK_ATTR_BOOL && b->b) || b->kind == PTK_ATTR_UNIT);
  if (!bin || nins(op) < 2) return;
  const ptk_tile_desc *s = vtile(op->operands[0]), *t = vtile(op->operands[1]);
  if (!s || !t || s->v_col == PTK_DYN || t->cols == PTK_DYN || t->cols >= s->v_col) return;
  VERR(c, op,
       "'pto.tcolsum' with isBinary, tmp %s needs at least the source's %" PRId64
       " valid columns, but has %" PRId64 " columns",
       voperand(c, op, 1), s->v_col, t->cols);
}

/* verifyMGatherMScatterTileShape with coalesce = row: the index is one row
 * or one column of the data tile's valid rows. */
static void check_row_coalesce(vctx *c, ptk_op *op, const ptk_tile_desc *data, const ptk_tile_desc *idx,
                               const char *dname) {
  if (!data || !idx) return;
#define UNIT(x) ((x) == PTK_DYN || (x) == 0 || (x) == 1)
#define SAME(x, y) ((x) == PTK_DYN || (y) == PTK_DYN || (x) == (y))
  bool r1 = idx->blayout == PTK_BLAYOUT_ROW_MAJOR && UNIT(idx->v_row) && SAME(idx->v_col, data->v_row);
  bool c1 = idx->blayout == PTK_BLAYOUT_COL_MAJOR && SAME(idx->v_row, data->v_row) && UNIT(idx->v_col);
#undef UNIT
#undef SAME
  if (r1 || c1) return;
  VERR(c, op,
       "'%s' with coalesce = row needs an index of valid shape 1x%" PRId64 " (row_major) or %" PRId64
       "x1 (col_major), one entry per valid row of the %s, but it is %s %" PRId64 "x%" PRId64,
       vop_name(op), data->v_row, data->v_row, dname,
       idx->blayout == PTK_BLAYOUT_ROW_MAJOR ? "row_major" : "col_major", idx->v_row, idx->v_col);
}

/* MGatherOp::verify: a 'mat' destination (GM ->
 * L1) takes its index from GM, not a tile. */
static void vfy_mgather(vctx *c, ptk_op *op) {
  const char *co = attr_enum(op, "coalesce");
  uint32_t ni = nins(op);
  if (ni < 2 || ni >= op->noperands) return;
  const ptk_tile_desc *d = vtile(op->operands[ni]);
  if (!d) return;
  if (d->loc == PTK_SPACE_MAT) {
    if (is_tile(op->operands[1]))
      VERR(c, op, "'pto.mgather' into a 'mat' tile takes its index %s from global memory (a "
                  "partition view), not a tile", voperand(c, op, 1));
    return;
  }
  if (co && !strcmp(co, "row")) check_row_coalesce(c, op, d, vtile(op->operands[1]), "destination");
}

/* MScatterOp::verify: scatterAtomicOp / scatterOob / scatterConflict need
 * an explicit coalesce. */
static void vfy_mscatter(vctx *c, ptk_op *op) {
  const char *co = attr_enum(op, "coalesce");
  if (!ptk_op_attr(op, "coalesce")) {
    const char *atomic = attr_enum(op, "scatterAtomicOp"), *oob = attr_enum(op, "scatterOob");
    const char *which = ptk_op_attr(op, "scatterConflict")        ? "scatterConflict"
                        : oob && strcmp(oob, "undefined") != 0     ? "scatterOob"
                        : atomic && strcmp(atomic, "none") != 0 ? "scatterAtomicOp"
                                                                  : NULL;
    if (which)
      VERR(c, op, "'pto.mscatter' with %s needs an explicit coalesce attribute", which);
    return;
  }
  if (co && !strcmp(co, "row") && op->noperands >= 2)
    check_row_coalesce(c, op, vtile(op->operands[0]), vtile(op->operands[1]), "source");
}

/* SubViewOp::verify: without a valid operand the result's valid dimension
 * is static (0 to the size); with a constant operand, a static result
 * valid dimension is min(operand, size). */
static void vfy_subview_valid(vctx *c, ptk_op *op) {
  const ptk_tile_desc *r = vtile(&op->results[0]);
  if (!r || op->nsegs < 4) return;
  static const char *const nm[2] = {"rows", "columns"};
  for (int k = 0; k < 2; k++) {
    uint32_t n;
    ptk_value **v = ptk_op_segment(op, 2 + (uint32_t)k, &n);
    int64_t size = k ? r->cols : r->rows, got = k ? r->v_col : r->v_row;
    if (n == 0) {
      if (got == PTK_DYN)
        VERR(c, op, "'pto.subview' result has dynamic valid %s, which needs a valid operand", nm[k]);
      continue;
    }
    /* ptoas also wants a constant operand folded into the type and a
     * static type for a variable operand; ptk's tracer writes '?' with
     * constant operands, and a static type is the author's promise. */
    int64_t cv, want;
    if (got == PTK_DYN || !const_int(v[0], &cv)) continue;
    want = cv < size ? cv : size;
    if (got == want) continue;
    VERR(c, op,
         "'pto.subview' result valid %s are %" PRId64 ", but the constant valid operand makes them %" PRId64
         " (the smaller of it and the size %" PRId64 ")",
         nm[k], got, want, size);
    vnote_def(c, v[0]);
  }
}

/* TLoadOp::verify (A5): a 'vec' destination is ND (row_major none_box),
 * DN (col_major none_box) or NZ (col_major row_major). */
static void vfy_tload_a5(vctx *c, ptk_op *op) {
  if (varch(c) != 5 || op->noperands < 2) return;
  const ptk_tile_desc *d = vtile(op->operands[1]);
  if (!d || d->loc != PTK_SPACE_VEC) return;
  bool nd = d->blayout == PTK_BLAYOUT_ROW_MAJOR && d->slayout == PTK_SLAYOUT_NONE_BOX;
  bool dn = d->blayout == PTK_BLAYOUT_COL_MAJOR && d->slayout == PTK_SLAYOUT_NONE_BOX;
  bool nz = d->blayout == PTK_BLAYOUT_COL_MAJOR && d->slayout == PTK_SLAYOUT_ROW_MAJOR;
  if (!nd && !dn && !nz)
    VERR(c, op, "'pto.tload' on A5 needs a 'vec' destination laid out ND (row_major, none_box), DN "
                "(col_major, none_box) or NZ (col_major, row_major), but it is %s",
         vty(c, op->operands[1]->type));
}

/* TStoreOp::verify (A5): the source is a 'vec' or 'acc' tile. */
static void vfy_tstore_a5(vctx *c, ptk_op *op) {
  if (varch(c) != 5 || !op->noperands) return;
  const ptk_tile_desc *s = vtile(op->operands[0]);
  if (s && s->loc != PTK_SPACE_VEC && s->loc != PTK_SPACE_ACC)
    VERR(c, op, "'pto.tstore' on A5 stores from a 'vec' or 'acc' tile, but the source is a '%s' tile",
         space(s->loc));
}

/* TStoreOp::verify, an 'acc' source (both targets): the fixpipe stores
 * f32 or i32 results as i32/f32/f16/bf16, or with a pre-quantization
 * scalar as 8-bit integers (A2/A3: f32 -> i8/ui8, i32 -> i8/ui8/f16; A5:
 * i32 -> i8/f16/bf16, f32 -> i8/f16/bf16/f32/hif8/f8E4M3). */
static void vfy_tstore_acc(vctx *c, ptk_op *op) {
  uint32_t ni = nins(op);
  const ptk_tile_desc *s = op->noperands ? vtile(op->operands[0]) : NULL;
  ptk_dtype sd, dd;
  if (!s || s->loc != PTK_SPACE_ACC || ni >= op->noperands || !elem_dt(s, &sd) ||
      !ptk_type_elem_dtype(op->operands[ni]->type, &dd))
    return;
  if (sd != PTK_DT_F32 && !signless_i32(sd)) {
    VERR(c, op, "'pto.tstore' from an 'acc' tile stores f32 or i32 results, but the source holds %s",
         ptk_dtype_name(sd));
    return;
  }
  bool i8 = !ptk_dtype_is_float(dd) && dd != PTK_DT_INDEX && ptk_dtype_bits(dd) == 8;
  /* A5 quantizes to every type A2/A3 does and more: in a module naming no
   * target, a pair only A5 converts is an A5-only feature. */
  int arch = vptoas_rule_arch(c, ni >= 2);
  const char *want;
  bool ok;
  if (ni < 2) {
    ok = signless_i32(dd) || dd == PTK_DT_F32 || dd == PTK_DT_F16 || dd == PTK_DT_BF16;
    want = "i32, f32, f16 or bf16";
  } else if (arch == 3) {
    ok = i8 || (sd != PTK_DT_F32 && dd == PTK_DT_F16);
    want = sd == PTK_DT_F32 ? "i8 or ui8" : "i8, ui8 or f16";
  } else if (sd != PTK_DT_F32) {
    ok = i8 || dd == PTK_DT_F16 || dd == PTK_DT_BF16;
    want = "i8, ui8, f16 or bf16";
  } else {
    ok = i8 || dd == PTK_DT_F16 || dd == PTK_DT_BF16 || dd == PTK_DT_F32 || dd == PTK_DT_HIF8 ||
         dd == PTK_DT_F8E4M3FN;
    want = "i8, ui8, f16, bf16, f32, hif8 or f8E4M3FN";
  }
  if (!ok)
    VERR(c, op, "'pto.tstore' from an 'acc' tile of %s%s%s writes %s, but the destination holds %s",
         ptk_dtype_name(sd), ni >= 2 ? " with a pre-quantization scalar" : "", ni >= 2 ? (arch == 5 ? " on A5" : " on A2/A3") : "",
         want, ptk_dtype_name(dd));
}

/* TStoreFPOp::verify: the acc source holds f32 or i32 (every target). */
static void vfy_tstore_fp(vctx *c, ptk_op *op) {
  const ptk_tile_desc *s = op->noperands ? vtile(op->operands[0]) : NULL;
  ptk_dtype dt;
  if (s && elem_dt(s, &dt) && dt != PTK_DT_F32 && !signless_i32(dt))
    VERR(c, op, "'pto.tstore_fp' source must have dtype f32 or i32, but has %s", ptk_dtype_name(dt));
}

/* verifyA5MxMatScaleTile: one e8m0 scale per 32 elements of K, so
 * a_scale is M x ceil(K/32) (row_major, slayout row_major) and b_scale
 * ceil(K/32) x N (col_major, slayout col_major), both 'scaling' tiles with
 * 32-byte fractals; shapes and valid shapes alike. True when it reported. */
static bool check_mx_scale(vctx *c, ptk_op *op, uint32_t si, const ptk_tile_desc *a, const ptk_tile_desc *b,
                           bool left) {
  const ptk_tile_desc *s = si < op->noperands ? vtile(op->operands[si]) : NULL;
  if (!s) return false;
  const char *name = left ? "a_scale" : "b_scale", *lay = left ? "row_major" : "col_major";
  if (s->loc != PTK_SPACE_SCALING) {
    VERR(c, op, "'%s' %s %s must be a 'scaling' tile, but is a '%s' tile", vop_name(op), name, voperand(c, op, si),
         space(s->loc));
    return true;
  }
#define CEIL32(k) ((k) == PTK_DYN ? PTK_DYN : ((k) + 31) / 32)
#define FITS(x, want) ((x) == PTK_DYN || (want) == PTK_DYN || (x) == (want))
  for (int valid = 0; valid < 2; valid++) {
    int64_t m = valid ? a->v_row : a->rows, k = valid ? a->v_col : a->cols, n = valid ? b->v_col : b->cols;
    int64_t wr = left ? m : CEIL32(k), wc = left ? CEIL32(k) : n;
    int64_t gr = valid ? s->v_row : s->rows, gc = valid ? s->v_col : s->cols;
    if (FITS(gr, wr) && FITS(gc, wc)) continue;
    VERR(c, op, "'%s' %s %s must have %s %s (%s), but has %" PRId64 "x%" PRId64, vop_name(op), name,
         voperand(c, op, si), valid ? "valid shape" : "shape",
         vstr(c, ptk_xasprintf("%" PRId64 "x%" PRId64, wr, wc)), left ? "M x ceil(K/32)" : "ceil(K/32) x N", gr, gc);
    return true;
  }
#undef CEIL32
#undef FITS
  bool bl_ok = s->blayout == (left ? PTK_BLAYOUT_ROW_MAJOR : PTK_BLAYOUT_COL_MAJOR);
  bool sl_ok = s->slayout == (left ? PTK_SLAYOUT_ROW_MAJOR : PTK_SLAYOUT_COL_MAJOR);
  if (!bl_ok || !sl_ok) {
    VERR(c, op, "'%s' %s %s must be laid out blayout=%s, slayout=%s", vop_name(op), name, voperand(c, op, si), lay,
         lay);
    return true;
  }
  if (s->fractal != 32) {
    VERR(c, op, "'%s' %s %s must have fractal=32, but has %" PRId64, vop_name(op), name, voperand(c, op, si),
         s->fractal);
    return true;
  }
  return false;
}

/* tmatmul.mx (A5 only; verifyA5MxTypeTriple, verifyA5MxMatTileOperands):
 * A and B are both fp8 (e4m3/e5m2) or both packed fp4, and their physical
 * K (A's columns, B's rows) is a positive multiple of 64. */
static void vfy_matmul_mx(vctx *c, ptk_op *op) {
  bool acc = op->kind == PTK_OP_TMATMUL_MX_ACC;
  uint32_t ai = acc ? 1 : 0, bi = acc ? 3 : 2;
  if (bi >= op->noperands) return;
  const ptk_tile_desc *a = vtile(op->operands[ai]), *b = vtile(op->operands[bi]);
  ptk_dtype da, db;
  if (!a || !b || !elem_dt(a, &da) || !elem_dt(b, &db)) return;
#define FP8(d) ((d) == PTK_DT_F8E4M3FN || (d) == PTK_DT_F8E5M2)
#define FP4(d) ((d) == PTK_DT_F4E1M2X2 || (d) == PTK_DT_F4E2M1X2)
  if (!((FP8(da) && FP8(db)) || (FP4(da) && FP4(db)))) {
    VERR(c, op, "'%s' A and B must both be fp8 (f8E4M3FN/f8E5M2) or both packed fp4, but are %s and %s",
         vop_name(op), ptk_dtype_name(da), ptk_dtype_name(db));
    return;
  }
#undef FP8
#undef FP4
  if (a->cols != PTK_DYN && (a->cols < 1 || a->cols % 64))
    VERR(c, op, "'%s' A's K (its %" PRId64 " columns) must be a positive multiple of 64", vop_name(op),
         a->cols);
  else if (b->rows != PTK_DYN && (b->rows < 1 || b->rows % 64))
    VERR(c, op, "'%s' B's K (its %" PRId64 " rows) must be a positive multiple of 64", vop_name(op),
         b->rows);
  else if (!check_mx_scale(c, op, ai + 1, a, b, true))
    check_mx_scale(c, op, bi + 1, a, b, false);
}

/* tgemv.mx (verifyA5MxGemvScaleTile): the scales follow A's and B's valid
 * sizes: a_scale is M x ceil(K/32) in shape and valid shape, b_scale has
 * ceil(K/32) rows, B's columns and B's valid columns; both 'scaling' tiles. */
static void vfy_gemv_mx(vctx *c, ptk_op *op) {
  bool acc = op->kind == PTK_OP_TGEMV_MX_ACC;
  uint32_t ai = acc ? 1 : 0, bi = acc ? 3 : 2;
  if (bi + 1 >= op->noperands) return;
  const ptk_tile_desc *a = vtile(op->operands[ai]), *b = vtile(op->operands[bi]);
  if (!a || !b) return;
  for (int left = 1; left >= 0; left--) {
    uint32_t si = left ? ai + 1 : bi + 1;
    const ptk_tile_desc *s = vtile(op->operands[si]);
    const char *name = left ? "a_scale" : "b_scale";
    if (!s) continue;
    if (s->loc != PTK_SPACE_SCALING) {
      VERR(c, op, "'%s' %s %s must be a 'scaling' tile, but is a '%s' tile", vop_name(op), name,
           voperand(c, op, si), space(s->loc));
      return;
    }
    int64_t k = a->v_col == PTK_DYN ? PTK_DYN : (a->v_col + 31) / 32;
    int64_t want[4] = {left ? a->v_row : k, left ? k : b->cols, left ? a->v_row : k, left ? k : b->v_col};
    int64_t got[4] = {s->rows, s->cols, s->v_row, s->v_col};
    bool ok = true;
    for (int i = 0; i < 4; i++) ok &= got[i] == PTK_DYN || want[i] == PTK_DYN || got[i] == want[i];
    if (ok) continue;
    VERR(c, op, "'%s' %s %s must have shape %s and valid shape %s (%s), but has %" PRId64 "x%" PRId64
                " valid %" PRId64 "x%" PRId64,
         vop_name(op), name, voperand(c, op, si), vstr(c, ptk_xasprintf("%" PRId64 "x%" PRId64, want[0], want[1])),
         vstr(c, ptk_xasprintf("%" PRId64 "x%" PRId64, want[2], want[3])),
         left ? "M x ceil(K/32) of A's valid sizes" : "ceil(K/32) x B's columns", got[0], got[1], got[2], got[3]);
    return;
  }
}

/* ======================================================================
 * Functions (validatePTOEntryFunctions)
 * ====================================================================== */

static bool unit_attr(const ptk_func *f, const char *name) {
  const ptk_attr *a = ptk_func_attr(f, name);
  return a && (a->kind == PTK_ATTR_UNIT || (a->kind == PTK_ATTR_BOOL && a->b));
}

/* Call-graph search for check_recursion: do the calls of `from` reach
 * `target`? */
typedef struct {
  vctx *c;
  const ptk_func *from, *target;
  const ptk_func *seen[128];
  uint32_t nseen;
  ptk_op *hit; /* the call in target itself that leads back to it */
} callsearch;

static bool cs_visit(callsearch *s, const ptk_func *f);

static bool cs_op(ptk_op *op, void *ctx) {
  callsearch *s = ctx;
  const ptk_attr *a = op->kind == PTK_OP_FUNC_CALL ? ptk_op_attr(op, "callee") : NULL;
  if (!a || a->kind != PTK_ATTR_SYMBOL) return true;
  const ptk_func *callee = vresolve_callee(s->c, s->from, a->str.s);
  if (!callee) return true;
  const ptk_func *saved = s->from;
  bool found = callee == s->target || cs_visit(s, callee);
  s->from = saved;
  if (found && saved == s->target) s->hit = op;
  return !found;
}

static bool cs_visit(callsearch *s, const ptk_func *f) {
  for (uint32_t i = 0; i < s->nseen; i++)
    if (s->seen[i] == f) return false;
  if (!f->body || s->nseen == PTK_ARRAY_LEN(s->seen)) return false;
  s->seen[s->nseen++] = f;
  s->from = f;
  return !ptk_walk_func((ptk_func *)f, cs_op, s);
}

/* ptoas's EmitC emission (reorderEmitCFunctions) writes each function
 * before its callers, so a function that calls itself, directly or
 * through others, cannot be emitted. Reported once per cycle, at its
 * first function in module order. */
static void check_recursion(vctx *c, ptk_func *f) {
  callsearch s = {.c = c, .target = f};
  s.from = f;
  s.seen[s.nseen++] = f;
  if (ptk_walk_func(f, cs_op, &s) || !s.hit) return;
  /* an earlier function on the same cycle has reported it */
  for (uint32_t i = 0; i < f->module->nitems; i++) {
    const ptk_module_item *it = &f->module->items[i];
    if (it->kind != PTK_ITEM_FUNC) continue;
    if (it->func == f) break;
    callsearch a = {.c = c, .target = f}, b = {.c = c, .target = it->func};
    if (cs_visit(&a, it->func) && cs_visit(&b, f)) return;
  }
  const ptk_attr *callee = ptk_op_attr(s.hit, "callee");
  if (callee && !strcmp(callee->str.s, f->name))
    VERR(c, s.hit, "'@%s' calls itself: recursive calls are not supported (ptoas emits each function before its callers)",
         f->name);
  else
    VERR(c, s.hit,
         "'@%s' calls '@%s', which calls '@%s' back: recursive calls are not supported (ptoas emits each "
         "function before its callers)",
         f->name, callee ? callee->str.s : "?", f->name);
}

void vfunc_check_ptoas(vctx *c, ptk_func *f) {
  if (f->body) check_recursion(c, f);
  vfunc_check_ptoas_sections(c, f);
  if (!f->body || !f->nresults) return;
  static const char *const entry[] = {"pto.entry", "hacc.entry", "pto.kernel", "pto.aicore"};
  for (size_t i = 0; i < PTK_ARRAY_LEN(entry); i++)
    if (unit_attr(f, entry[i])) {
      ptk_error(c->d, vfunc_range(f), "entry function '@%s' (%s) must not return values, but returns %" PRIu32,
                f->name, entry[i], f->nresults);
      return;
    }
}

/* ======================================================================
 * Dispatch
 * ====================================================================== */

void vop_check_ptoas(vctx *c, ptk_op *op) {
  check_inttoptr_uses(c, op);
  vop_check_ptoas_move(c, op);
  vop_check_ptoas_tmp(c, op);
  vop_check_ptoas_pipe(c, op);
  vop_check_ptoas_peer(c, op);
  vop_check_ptoas_fixpipe(c, op);
  vop_check_ptoas_elem(c, op);
  vop_check_ptoas_async(c, op);
  switch (op->kind) {
  case PTK_OP_ALLOC_TILE: vfy_alloc_tile(c, op); break;
  case PTK_OP_TASSIGN: vfy_tassign(c, op); break;
  case PTK_OP_ALLOC_MULTI_TILE: vfy_alloc_multi_tile(c, op); break;
  case PTK_OP_MULTI_TILE_GET: vfy_multi_tile_get(c, op); break;
  case PTK_OP_INTTOPTR: vfy_inttoptr(c, op); break;
  case PTK_OP_TPOW:
  case PTK_OP_TPOWS: vfy_tpow(c, op); break;
  case PTK_OP_TMRGSORT: vfy_tmrgsort(c, op); break;
  case PTK_OP_TQUANT: vfy_tquant(c, op); break;
  case PTK_OP_TGATHER: vfy_tgather_cmp(c, op); break;
  case PTK_OP_TQUANT_MX: vfy_tquant_mx(c, op); break;
  case PTK_OP_SYNCALL: vfy_syncall(c, op); break;
  case PTK_OP_THISTOGRAM: vfy_thistogram_ptoas(c, op); break;
  case PTK_OP_TCOLSUM: vfy_tcolsum(c, op); break;
  case PTK_OP_MGATHER: vfy_mgather(c, op); break;
  case PTK_OP_MSCATTER: vfy_mscatter(c, op); break;
  case PTK_OP_SUBVIEW: vfy_subview_valid(c, op); break;
  case PTK_OP_TLOAD: vfy_tload_a5(c, op); break;
  case PTK_OP_TSTORE:
    vfy_tstore_a5(c, op);
    vfy_tstore_acc(c, op);
    break;
  case PTK_OP_TSTORE_FP: vfy_tstore_fp(c, op); break;
  case PTK_OP_TMATMUL_MX:
  case PTK_OP_TMATMUL_MX_ACC:
  case PTK_OP_TMATMUL_MX_BIAS: vfy_matmul_mx(c, op); break;
  case PTK_OP_TGEMV_MX:
  case PTK_OP_TGEMV_MX_ACC:
  case PTK_OP_TGEMV_MX_BIAS: vfy_gemv_mx(c, op); break;
  default: break;
  }
}

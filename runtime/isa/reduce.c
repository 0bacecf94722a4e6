/* Row and column reductions (sum, max, min, prod, argmax, argmin). */
#include "runtime/isa/internal.h"

static const char *const red_names[] = {"sum", "max", "min", "prod", "argmax", "argmin"};

static int red_check(const char *kind, ptk_isa_redop op, const ptk_tile *dst, const ptk_tile *src,
                     ptk_isa_lay *DL, ptk_isa_lay *SL) {
  if ((unsigned)op > PTK_ISA_RARGMIN)
    return ptk_isa__fail(PTK_ISA_EARG, "%s: bad reduction %d", kind, (int)op);
  int rc = ptk_isa__prep(dst, kind, "dst", DL);
  if (rc || (rc = ptk_isa__prep(src, kind, "src", SL))) return rc;
  int sc = ptk_isa__cls(src->dtype), dc = ptk_isa__cls(dst->dtype);
  if (op == PTK_ISA_RARGMAX || op == PTK_ISA_RARGMIN) {
    if (dc != CLS_I)
      return ptk_isa__fail(PTK_ISA_EDTYPE, "%s %s: index tile must be an integer tile, not %s",
                           kind, red_names[op], ptk_isa_dtype_name(dst->dtype));
  } else if (sc != dc) {
    return ptk_isa__fail(PTK_ISA_EDTYPE, "%s %s: %s -> %s is not supported", kind, red_names[op],
                         ptk_isa_dtype_name(src->dtype), ptk_isa_dtype_name(dst->dtype));
  }
  return PTK_ISA_OK;
}

/* Store an index or a compute-class value into dst element p. */
/* One step of an integer row or column reduction: element x at index idx
 * (wrapping sum/product; max/min and arg-variants keep the first extreme). */
static inline void int_step(ptk_isa_redop op, bool uns, int64_t x, int64_t idx, int64_t *acc,
                            int64_t *best) {
  bool lt = uns ? (uint64_t)x < (uint64_t)*acc : x < *acc;
  bool gt = uns ? (uint64_t)x > (uint64_t)*acc : x > *acc;
  switch (op) {
  case PTK_ISA_RSUM: *acc = (int64_t)((uint64_t)*acc + (uint64_t)x); break;
  case PTK_ISA_RPROD: *acc = (int64_t)((uint64_t)*acc * (uint64_t)x); break;
  case PTK_ISA_RMAX:
    if (gt) *acc = x;
    break;
  case PTK_ISA_RMIN:
    if (lt) *acc = x;
    break;
  case PTK_ISA_RARGMAX:
    if (gt) *acc = x, *best = idx;
    break;
  default:
    if (lt) *acc = x, *best = idx;
    break;
  }
}

static void put_f(const ptk_tile *dst, uint8_t *p, ptk_isa_redop op, float v, int64_t idx) {
  if (op >= PTK_ISA_RARGMAX)
    ptk_isa__st_i(dst->dtype, p, idx);
  else
    ptk_isa__st_f(dst->dtype, p, v);
}

/* Float row sum/max/min in the defined lane order (README "Reductions"):
 * PTK_ISA_RLANES lanes, lane j takes the row's elements c = j, j+L, j+2L, ...
 * (c mod L == j) in ascending c, from +0.0f (sum) or element 0 (max/min);
 * then the lanes are combined by halving, lane j with lane j+w for w = L/2,
 * L/4, ..., 1. Vector code computes exactly this (one vector lane per
 * lane), so it vectorizes with any width and gives the same bits. A row is
 * fed in pieces that start at multiples of L (rlane_feed keeps the state). */
enum { RL = PTK_ISA_RLANES };

PTK_ISA_CLONES static void rlane_feed(ptk_isa_redop op, float *restrict acc,
                                      const float *restrict x, int32_t n) {
  int32_t m = n & ~(RL - 1), c;
  switch (op) {
  case PTK_ISA_RSUM:
    for (c = 0; c < m; c += RL)
      for (int j = 0; j < RL; j++) acc[j] += x[c + j];
    for (; c < n; c++) acc[c - m] += x[c];
    break;
  case PTK_ISA_RMAX:
    for (c = 0; c < m; c += RL)
      for (int j = 0; j < RL; j++) acc[j] = acc[j] < x[c + j] ? x[c + j] : acc[j];
    for (; c < n; c++) acc[c - m] = acc[c - m] < x[c] ? x[c] : acc[c - m];
    break;
  default:
    for (c = 0; c < m; c += RL)
      for (int j = 0; j < RL; j++) acc[j] = x[c + j] < acc[j] ? x[c + j] : acc[j];
    for (; c < n; c++) acc[c - m] = x[c] < acc[c - m] ? x[c] : acc[c - m];
    break;
  }
}

static void rlane_init(ptk_isa_redop op, float *acc, float first) {
  for (int j = 0; j < RL; j++) acc[j] = op == PTK_ISA_RSUM ? 0.0f : first;
}

static float rlane_combine(ptk_isa_redop op, float *acc) {
  for (int w = RL / 2; w >= 1; w >>= 1)
    for (int j = 0; j < w; j++) {
      float a = acc[j], b = acc[j + w];
      acc[j] = op == PTK_ISA_RSUM ? a + b : op == PTK_ISA_RMAX ? (a < b ? b : a) : (b < a ? b : a);
    }
  return acc[0];
}

/* One row of an f32 column sum/max/min: every column is its own sequential
 * chain over the rows (row 0 first), the vector lanes are columns. */
PTK_ISA_CLONES static void col_step_f32(ptk_isa_redop op, float *restrict acc,
                                        const float *restrict x, int32_t n) {
  switch (op) {
  case PTK_ISA_RSUM: VLOOP(i, n, acc[i] = acc[i] + x[i]); break;
  case PTK_ISA_RMAX: VLOOP(i, n, acc[i] = acc[i] < x[i] ? x[i] : acc[i]); break;
  default: VLOOP(i, n, acc[i] = x[i] < acc[i] ? x[i] : acc[i]); break;
  }
}

/* f32 rows in place (contiguous rows). */
static void row_group_f32(ptk_isa_redop op, const ptk_tile *dst, const ptk_isa_lay *DL,
                          const ptk_isa_lay *SL, int32_t rows, int32_t cols) {
  float acc[RL];
  for (int32_t r = 0; r < rows; r++) {
    const float *p = (const float *)(const void *)ptk_isa__row(SL, r);
    rlane_init(op, acc, p[0]);
    rlane_feed(op, acc, p, cols);
    put_f(dst, ptk_isa__ptr(DL, r, 0), op, rlane_combine(op, acc), 0);
  }
}

int ptk_isa_trowreduce(ptk_isa_redop op, const ptk_tile *dst, const ptk_tile *src) {
  ptk_isa_lay DL, SL;
  int rc = red_check("trowreduce", op, dst, src, &DL, &SL);
  if (rc) return rc;
  if (dst->vrows == 0 && dst->vcols == 0) return PTK_ISA_OK; /* ptoas's 0x0 no-op marker */
  int32_t rows = src->vrows, cols = src->vcols;
  if ((rc = ptk_isa__need(dst, rows, 1, "trowreduce", "dst"))) return rc;
  if (cols == 0) {
    /* empty rows: sums are 0, products 1, the rest have no value */
    if (op != PTK_ISA_RSUM && op != PTK_ISA_RPROD) return PTK_ISA_OK;
    ptk_isa_scalar v = op == PTK_ISA_RSUM ? ptk_isa_si(0) : ptk_isa_si(1);
    for (int32_t r = 0; r < rows; r++) {
      uint8_t *p = ptk_isa__ptr(&DL, r, 0);
      if (ptk_isa__cls(dst->dtype) == CLS_I)
        ptk_isa__st_i(dst->dtype, p, v.i);
      else {
        double d = (double)v.i;
        ptk_isa_convert_elem(dst->dtype, p, PTK_ISA_F64, &d, PTK_ISA_RM_RINT, false);
      }
    }
    return PTK_ISA_OK;
  }
  int cls = ptk_isa__cls(src->dtype);
  int dprec = ptk_isa__prec(dst->dtype);
  if (src->dtype == PTK_ISA_F32 && SL.kind == LK_ROW &&
      (op == PTK_ISA_RSUM || op == PTK_ISA_RMAX || op == PTK_ISA_RMIN)) {
    row_group_f32(op, dst, &DL, &SL, rows, cols);
    return PTK_ISA_OK;
  }
  for (int32_t r = 0; r < rows; r++) {
    uint8_t *out = ptk_isa__ptr(&DL, r, 0);
    if (cls == CLS_F) {
      float buf[PTK_ISA_CHUNK], acc = 0, lanes[RL];
      int64_t best = 0;
      bool laned = op == PTK_ISA_RSUM || op == PTK_ISA_RMAX || op == PTK_ISA_RMIN;
      for (int32_t c0 = 0; c0 < cols; c0 += PTK_ISA_CHUNK) {
        int32_t n = cols - c0 < PTK_ISA_CHUNK ? cols - c0 : PTK_ISA_CHUNK;
        ptk_isa__load_f(src, &SL, r, c0, n, 0, buf);
        if (laned) { /* PTK_ISA_CHUNK is a multiple of RL */
          if (c0 == 0) rlane_init(op, lanes, buf[0]);
          rlane_feed(op, lanes, buf, n);
          if (c0 + n >= cols) acc = rlane_combine(op, lanes);
          continue;
        }
        int32_t i = 0;
        if (c0 == 0) {
          acc = op == PTK_ISA_RSUM ? 0.0f : op == PTK_ISA_RPROD ? 1.0f : buf[0];
          if (op != PTK_ISA_RSUM && op != PTK_ISA_RPROD) i = 1;
        }
        switch (op) {
        case PTK_ISA_RPROD:
          for (; i < n; i++) acc = ptk_isa__rnd(acc * buf[i], dprec);
          break;
        case PTK_ISA_RMAX:
          for (; i < n; i++) acc = acc < buf[i] ? buf[i] : acc;
          break;
        case PTK_ISA_RMIN:
          for (; i < n; i++) acc = buf[i] < acc ? buf[i] : acc;
          break;
        case PTK_ISA_RARGMAX:
          for (; i < n; i++)
            if (buf[i] > acc) acc = buf[i], best = c0 + i;
          break;
        default:
          for (; i < n; i++)
            if (buf[i] < acc) acc = buf[i], best = c0 + i;
          break;
        }
      }
      put_f(dst, out, op, acc, best);
    } else if (cls == CLS_D) {
      double acc = 0, x;
      int64_t best = 0;
      for (int32_t c = 0; c < cols; c++) {
        memcpy(&x, ptk_isa__ptr(&SL, r, c), 8);
        if (c == 0) {
          acc = op == PTK_ISA_RSUM ? 0.0 + x : x;
          continue;
        }
        switch (op) {
        case PTK_ISA_RSUM: acc += x; break;
        case PTK_ISA_RPROD: acc *= x; break;
        case PTK_ISA_RMAX: acc = acc < x ? x : acc; break;
        case PTK_ISA_RMIN: acc = x < acc ? x : acc; break;
        case PTK_ISA_RARGMAX:
          if (x > acc) acc = x, best = c;
          break;
        default:
          if (x < acc) acc = x, best = c;
          break;
        }
      }
      if (op >= PTK_ISA_RARGMAX)
        ptk_isa__st_i(dst->dtype, out, best);
      else
        memcpy(out, &acc, 8);
    } else {
      bool uns = ptk_isa_dtype_is_unsigned(src->dtype);
      int64_t acc = 0, best = 0;
      for (int32_t c = 0; c < cols; c++) {
        int64_t x = ptk_isa__ld_i(src->dtype, ptk_isa__ptr(&SL, r, c));
        if (c == 0) {
          acc = x;
          continue;
        }
        int_step(op, uns, x, c, &acc, &best);
      }
      ptk_isa__st_i(dst->dtype, out, op >= PTK_ISA_RARGMAX ? best : acc);
    }
  }
  return PTK_ISA_OK;
}

int ptk_isa_tcolreduce(ptk_isa_redop op, const ptk_tile *dst, const ptk_tile *src) {
  ptk_isa_lay DL, SL;
  int rc = red_check("tcolreduce", op, dst, src, &DL, &SL);
  if (rc) return rc;
  if (dst->vrows == 0 && dst->vcols == 0) return PTK_ISA_OK; /* ptoas's 0x0 no-op marker */
  int32_t rows = src->vrows, cols = src->vcols;
  if ((rc = ptk_isa__need(dst, 1, cols, "tcolreduce", "dst"))) return rc;
  int cls = ptk_isa__cls(src->dtype);
  bool arg = op >= PTK_ISA_RARGMAX;
  if (rows == 0) {
    if (op != PTK_ISA_RSUM && op != PTK_ISA_RPROD) return PTK_ISA_OK;
    double d = op == PTK_ISA_RSUM ? 0 : 1;
    for (int32_t c = 0; c < cols; c++)
      ptk_isa_convert_elem(dst->dtype, ptk_isa__ptr(&DL, 0, c), PTK_ISA_F64, &d, PTK_ISA_RM_RINT,
                           false);
    return PTK_ISA_OK;
  }
  if (cls == CLS_F) {
    /* accumulate in the destination's precision (f16 sums round each add) */
    int prec = arg ? ptk_isa__prec(src->dtype) : ptk_isa__prec(dst->dtype);
    float acc[PTK_ISA_CHUNK], buf[PTK_ISA_CHUNK];
    int64_t best[PTK_ISA_CHUNK];
    for (int32_t c0 = 0; c0 < cols; c0 += PTK_ISA_CHUNK) {
      int32_t n = cols - c0 < PTK_ISA_CHUNK ? cols - c0 : PTK_ISA_CHUNK;
      for (int32_t r = 0; r < rows; r++) {
        ptk_isa__load_f(src, &SL, r, c0, n, 0, buf);
        if (r == 0) {
          for (int32_t i = 0; i < n; i++) {
            acc[i] = op == PTK_ISA_RSUM    ? ptk_isa__rnd(0.0f + buf[i], prec)
                     : op == PTK_ISA_RPROD ? ptk_isa__rnd(buf[i], prec)
                                           : buf[i];
            best[i] = 0;
          }
          continue;
        }
        if (prec == 0 && op <= PTK_ISA_RMIN) { /* one vector lane per column */
          col_step_f32(op, acc, buf, n);
          continue;
        }
        for (int32_t i = 0; i < n; i++) {
          float x = buf[i];
          switch (op) {
          case PTK_ISA_RSUM: acc[i] = ptk_isa__rnd(acc[i] + x, prec); break;
          case PTK_ISA_RPROD: acc[i] = ptk_isa__rnd(acc[i] * x, prec); break;
          case PTK_ISA_RMAX: acc[i] = acc[i] < x ? x : acc[i]; break;
          case PTK_ISA_RMIN: acc[i] = x < acc[i] ? x : acc[i]; break;
          case PTK_ISA_RARGMAX:
            if (x > acc[i]) acc[i] = x, best[i] = r;
            break;
          default:
            if (x < acc[i]) acc[i] = x, best[i] = r;
            break;
          }
        }
      }
      for (int32_t i = 0; i < n; i++) put_f(dst, ptk_isa__ptr(&DL, 0, c0 + i), op, acc[i], best[i]);
    }
    return PTK_ISA_OK;
  }
  for (int32_t c = 0; c < cols; c++) {
    int64_t best = 0;
    if (cls == CLS_D) {
      double acc = 0, x;
      for (int32_t r = 0; r < rows; r++) {
        memcpy(&x, ptk_isa__ptr(&SL, r, c), 8);
        if (r == 0) {
          acc = op == PTK_ISA_RSUM ? 0.0 + x : x;
          continue;
        }
        switch (op) {
        case PTK_ISA_RSUM: acc += x; break;
        case PTK_ISA_RPROD: acc *= x; break;
        case PTK_ISA_RMAX: acc = acc < x ? x : acc; break;
        case PTK_ISA_RMIN: acc = x < acc ? x : acc; break;
        case PTK_ISA_RARGMAX:
          if (x > acc) acc = x, best = r;
          break;
        default:
          if (x < acc) acc = x, best = r;
          break;
        }
      }
      if (arg)
        ptk_isa__st_i(dst->dtype, ptk_isa__ptr(&DL, 0, c), best);
      else
        memcpy(ptk_isa__ptr(&DL, 0, c), &acc, 8);
      continue;
    }
    bool uns = ptk_isa_dtype_is_unsigned(src->dtype);
    int64_t acc = 0;
    for (int32_t r = 0; r < rows; r++) {
      int64_t x = ptk_isa__ld_i(src->dtype, ptk_isa__ptr(&SL, r, c));
      if (r == 0) {
        acc = x;
        continue;
      }
      int_step(op, uns, x, r, &acc, &best);
    }
    ptk_isa__st_i(dst->dtype, ptk_isa__ptr(&DL, 0, c), arg ? best : acc);
  }
  return PTK_ISA_OK;
}

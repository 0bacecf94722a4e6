/* Row / column reductions against sequential C references. */
#include "tests/unit/test_isa_util.h"

static double rnd_to(ptk_isa_dtype d, double x) {
  switch (d) {
  case PTK_ISA_F32: return (float)x;
  case PTK_ISA_F16: return t_f16_to_f32(t_f32_to_f16((float)x));
  case PTK_ISA_BF16: return t_bf16_to_f32(t_f32_to_bf16((float)x));
  default: return x;
  }
}

typedef struct {
  ptk_isa_dtype src, dst;
} pair;

static const pair FPAIRS[] = {{PTK_ISA_F32, PTK_ISA_F32},   {PTK_ISA_F16, PTK_ISA_F16},
                              {PTK_ISA_F16, PTK_ISA_F32},   {PTK_ISA_BF16, PTK_ISA_F32},
                              {PTK_ISA_BF16, PTK_ISA_BF16}, {PTK_ISA_F64, PTK_ISA_F64}};

/* Reference row/col reduction of n values (sequential, simulator order; f32
 * row sums in ptk's lane order). */
static double ref_red(ptk_isa_redop op, ptk_isa_dtype sd, ptk_isa_dtype dd, const double *v, int n,
                      bool col, long *idx) {
  double acc;
  *idx = 0;
  if (op == PTK_ISA_RSUM) {
    if (sd == PTK_ISA_F64) {
      acc = 0;
      for (int i = 0; i < n; i++) acc += v[i];
      return acc;
    }
    if (col) { /* in the destination's precision */
      acc = 0;
      for (int i = 0; i < n; i++) acc = rnd_to(dd, acc + v[i]);
      return acc;
    }
    /* f32 accumulation in the defined lane order (runtime/isa/README.md
     * "Reductions"): 32 lanes by column index mod 32, then halving */
    float lane[32] = {0};
    for (int i = 0; i < n; i++) lane[i % 32] += (float)v[i];
    for (int w = 16; w >= 1; w /= 2)
      for (int j = 0; j < w; j++) lane[j] += lane[j + w];
    return rnd_to(dd, lane[0]);
  }
  if (op == PTK_ISA_RPROD) {
    acc = 1;
    for (int i = 0; i < n; i++) acc = rnd_to(dd, acc * v[i]);
    return acc;
  }
  acc = v[0];
  for (int i = 1; i < n; i++) {
    switch (op) {
    case PTK_ISA_RMAX: acc = acc < v[i] ? v[i] : acc; break;
    case PTK_ISA_RMIN: acc = v[i] < acc ? v[i] : acc; break;
    case PTK_ISA_RARGMAX:
      if (v[i] > acc) acc = v[i], *idx = i;
      break;
    default:
      if (v[i] < acc) acc = v[i], *idx = i;
      break;
    }
  }
  return acc;
}

TEST(row_and_col_reductions_float) {
  uint64_t s = 31;
  int bad = 0;
  static const int sizes[][2] = {{32, 32}, {7, 13}, {1, 1}, {1, 32}, {32, 1}};
  for (size_t pi = 0; pi < PTK_ARRAY_LEN(FPAIRS); pi++)
    for (int op = 0; op <= PTK_ISA_RARGMIN; op++)
      for (size_t sz = 0; sz < PTK_ARRAY_LEN(sizes); sz++)
        for (int col = 0; col < 2; col++) {
          ptk_isa_dtype sd = FPAIRS[pi].src, dd = FPAIRS[pi].dst;
          bool arg = op >= PTK_ISA_RARGMAX;
          if (arg) dd = PTK_ISA_I32;
          int vr = sizes[sz][0], vc = sizes[sz][1];
          int l = (int)((pi + op + sz) % T_NLAYOUTS);
          ptk_tile src = t_mkl(sd, 32, 32, vr, vc, l, 512);
          /* row results go to a 32x1 col_major column or column 0 of a row-major tile */
          ptk_tile dst = col ? t_mk(dd, 1, 32, 1, vc, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512)
                         : (sz % 2)
                             ? t_mk(dd, 32, 1, vr, 1, PTK_ISA_COL_MAJOR, PTK_ISA_NONE_BOX, 512)
                             : t_mk(dd, 32, 8, vr, 1, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
          for (int r = 0; r < vr; r++)
            for (int c = 0; c < vc; c++) {
              double v = op == PTK_ISA_RPROD ? t_uni(&s, 0.9, 1.1) : t_uni(&s, -100, 100);
              if (arg && t_rand(&s) % 4 == 0) v = 7; /* ties */
              if (t_rand(&s) % 40 == 0) v = NAN;
              t_setd(&src, r, c, v);
            }
          int rc = col ? ptk_isa_tcolreduce((ptk_isa_redop)op, &dst, &src)
                       : ptk_isa_trowreduce((ptk_isa_redop)op, &dst, &src);
          if (rc) {
            printf("  %s\n", ptk_isa_error());
            bad++;
          }
          int outer = col ? vc : vr, inner = col ? vr : vc;
          for (int o = 0; o < outer; o++) {
            double v[32];
            for (int i = 0; i < inner; i++) v[i] = col ? t_getd(&src, i, o) : t_getd(&src, o, i);
            long idx;
            double want = ref_red((ptk_isa_redop)op, sd, dd, v, inner, col, &idx);
            bool ok;
            if (arg)
              ok = t_geti(&dst, col ? 0 : o, col ? o : 0) == idx;
            else
              ok = t_same(t_getd(&dst, col ? 0 : o, col ? o : 0), want);
            if (!ok && bad < 5)
              printf("  %s->%s op %d col %d %dx%d [%d]: got %.9g want %.9g\n",
                     ptk_isa_dtype_name(sd), ptk_isa_dtype_name(dd), op, col, vr, vc, o,
                     arg ? (double)t_geti(&dst, col ? 0 : o, col ? o : 0)
                         : t_getd(&dst, col ? 0 : o, col ? o : 0),
                     arg ? (double)idx : want);
            bad += !ok;
          }
          bad += t_touched_outside(&dst, col ? 1 : vr, col ? vc : 1);
          t_free(&src);
          t_free(&dst);
        }
  CHECK_INT(bad, 0);
}

TEST(f16_rowsum_f32_acc_vs_colsum_f16_acc) {
  ptk_tile r = t_mk(PTK_ISA_F16, 1, 16, 1, 3, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  t_setd(&r, 0, 0, 2048);
  t_setd(&r, 0, 1, 1);
  t_setd(&r, 0, 2, 1);
  ptk_tile out = t_mk(PTK_ISA_F16, 16, 1, 1, 1, PTK_ISA_COL_MAJOR, PTK_ISA_NONE_BOX, 512);
  CHECK_INT(ptk_isa_trowsum(&out, &r), 0);
  CHECK(t_getd(&out, 0, 0) == 2050.0); /* f32 accumulation, one rounding */
  ptk_tile c = t_mk(PTK_ISA_F16, 3, 16, 3, 1, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  t_setd(&c, 0, 0, 2048);
  t_setd(&c, 1, 0, 1);
  t_setd(&c, 2, 0, 1);
  ptk_tile co = t_mk(PTK_ISA_F16, 1, 16, 1, 1, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  CHECK_INT(ptk_isa_tcolsum(&co, &c), 0);
  CHECK(t_getd(&co, 0, 0) == 2048.0); /* f16 accumulation: 2049 rounds to 2048 twice */
  t_free(&r);
  t_free(&out);
  t_free(&c);
  t_free(&co);
}

TEST(nan_handling_in_max_and_arg) {
  ptk_tile s = t_mk(PTK_ISA_F32, 2, 8, 2, 4, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  double v0[] = {NAN, 5, 9, 1}, v1[] = {3, NAN, 9, 9};
  for (int c = 0; c < 4; c++) {
    t_setd(&s, 0, c, v0[c]);
    t_setd(&s, 1, c, v1[c]);
  }
  ptk_tile m = t_mk(PTK_ISA_F32, 2, 1, 2, 1, PTK_ISA_COL_MAJOR, PTK_ISA_NONE_BOX, 512);
  ptk_tile i = t_mk(PTK_ISA_U32, 2, 1, 2, 1, PTK_ISA_COL_MAJOR, PTK_ISA_NONE_BOX, 512);
  CHECK_INT(ptk_isa_trowmax(&m, &s), 0);
  CHECK(isnan(t_getd(&m, 0, 0))); /* NaN at element 0 stays */
  CHECK(t_getd(&m, 1, 0) == 9.0); /* NaN later is never taken */
  CHECK_INT(ptk_isa_trowargmax(&i, &s), 0);
  CHECK_INT(t_geti(&i, 0, 0), 0);
  CHECK_INT(t_geti(&i, 1, 0), 2); /* first of the tied maxima */
  CHECK_INT(ptk_isa_trowargmin(&i, &s), 0);
  CHECK_INT(t_geti(&i, 1, 0), 0);
  CHECK_INT(ptk_isa_trowargmax(&m, &s), PTK_ISA_EDTYPE); /* index tile must be integer */
  t_free(&s);
  t_free(&m);
  t_free(&i);
}

TEST(integer_reductions) {
  uint64_t sd = 4;
  static const pair ip[] = {{PTK_ISA_I16, PTK_ISA_I16}, {PTK_ISA_I16, PTK_ISA_I32},
                            {PTK_ISA_I32, PTK_ISA_I32}, {PTK_ISA_U16, PTK_ISA_U32},
                            {PTK_ISA_U32, PTK_ISA_U32}, {PTK_ISA_I8, PTK_ISA_I32}};
  int bad = 0;
  for (size_t k = 0; k < PTK_ARRAY_LEN(ip); k++)
    for (int op = 0; op <= PTK_ISA_RARGMIN; op++)
      for (int col = 0; col < 2; col++) {
        ptk_tile s = t_mkl(ip[k].src, 32, 32, 9, 23, (int)(k + op) % T_NLAYOUTS, 512);
        ptk_tile d = col ? t_mk(ip[k].dst, 1, 32, 1, 23, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512)
                         : t_mk(ip[k].dst, 32, 1, 9, 1, PTK_ISA_COL_MAJOR, PTK_ISA_NONE_BOX, 512);
        bool uns = ip[k].src == PTK_ISA_U16 || ip[k].src == PTK_ISA_U32;
        for (int r = 0; r < 9; r++)
          for (int c = 0; c < 23; c++) t_seti(&s, r, c, (long long)t_rand(&sd));
        CHECK_INT((col ? ptk_isa_tcolreduce : ptk_isa_trowreduce)((ptk_isa_redop)op, &d, &s), 0);
        int outer = col ? 23 : 9, inner = col ? 9 : 23;
        for (int o = 0; o < outer; o++) {
          unsigned long long acc = 0;
          long long best = 0;
          for (int i = 0; i < inner; i++) {
            long long x = col ? t_geti(&s, i, o) : t_geti(&s, o, i);
            if (i == 0) {
              acc = (unsigned long long)x;
              continue;
            }
            long long a = (long long)acc;
            bool lt = uns ? (unsigned long long)x < acc : x < a;
            bool gt = uns ? (unsigned long long)x > acc : x > a;
            switch (op) {
            case PTK_ISA_RSUM: acc += (unsigned long long)x; break;
            case PTK_ISA_RPROD: acc *= (unsigned long long)x; break;
            case PTK_ISA_RMAX:
              if (gt) acc = (unsigned long long)x;
              break;
            case PTK_ISA_RMIN:
              if (lt) acc = (unsigned long long)x;
              break;
            case PTK_ISA_RARGMAX:
              if (gt) acc = (unsigned long long)x, best = i;
              break;
            default:
              if (lt) acc = (unsigned long long)x, best = i;
              break;
            }
          }
          long long want = op >= PTK_ISA_RARGMAX ? best : (long long)acc;
          long long got = t_geti(&d, col ? 0 : o, col ? o : 0);
          /* compare at the destination width */
          unsigned long long mask =
              t_esz(ip[k].dst) == 8 ? ~0ull : (1ull << (8 * t_esz(ip[k].dst))) - 1;
          bad += ((unsigned long long)got & mask) != ((unsigned long long)want & mask);
        }
        t_free(&s);
        t_free(&d);
      }
  CHECK_INT(bad, 0);
}

TEST(reduce_errors_and_empty) {
  ptk_tile s = t_mk(PTK_ISA_F32, 4, 8, 4, 8, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  ptk_tile d = t_mk(PTK_ISA_F32, 2, 1, 2, 1, PTK_ISA_COL_MAJOR, PTK_ISA_NONE_BOX, 512);
  CHECK_INT(ptk_isa_trowsum(&d, &s), PTK_ISA_ESHAPE); /* 4 rows into 2 */
  ptk_tile i = t_mk(PTK_ISA_I32, 4, 1, 4, 1, PTK_ISA_COL_MAJOR, PTK_ISA_NONE_BOX, 512);
  CHECK_INT(ptk_isa_trowsum(&i, &s), PTK_ISA_EDTYPE);
  CHECK_INT(ptk_isa_trowreduce((ptk_isa_redop)42, &i, &s), PTK_ISA_EARG);
  ptk_tile e = t_mk(PTK_ISA_F32, 4, 8, 4, 0, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  ptk_tile d4 = t_mk(PTK_ISA_F32, 4, 1, 4, 1, PTK_ISA_COL_MAJOR, PTK_ISA_NONE_BOX, 512);
  CHECK_INT(ptk_isa_trowsum(&d4, &e), 0);
  CHECK(t_getd(&d4, 3, 0) == 0.0);
  t_free(&s);
  t_free(&d);
  t_free(&i);
  t_free(&e);
  t_free(&d4);
}

/* The documented row order: lane j = columns j, j+32, ...; lanes halved.
 * 1e8 in column 0 and -1e8 in column 32 cancel inside lane 0 before the
 * small values are added (sequential order would lose them); a NaN in
 * column 0 of a max stays; a later NaN is never taken. */
TEST(row_reduction_lane_order) {
  enum { C = 70 };
  float in[C], out[1];
  ptk_tile s, d;
  CHECK_INT(ptk_isa_tile_init(&s, in, PTK_ISA_F32, PTK_ISA_VEC, 1, C, 1, C, PTK_ISA_ROW_MAJOR,
                              PTK_ISA_NONE_BOX, 512, PTK_ISA_PAD_NULL),
            0);
  CHECK_INT(ptk_isa_tile_init(&d, out, PTK_ISA_F32, PTK_ISA_VEC, 1, 1, 1, 1, PTK_ISA_ROW_MAJOR,
                              PTK_ISA_NONE_BOX, 512, PTK_ISA_PAD_NULL),
            0);
  for (int i = 0; i < C; i++) in[i] = 1.0f;
  in[0] = 1e8f;
  in[32] = -1e8f;
  CHECK_INT(ptk_isa_trowsum(&d, &s), 0);
  CHECK_DBL(out[0], 68.0, 0); /* sequential order: the 31 ones after 1e8 round away, 37 */
  in[0] = NAN;
  CHECK_INT(ptk_isa_trowmax(&d, &s), 0);
  CHECK(isnan(out[0]));
  in[0] = 0.5f;
  in[69] = NAN;
  CHECK_INT(ptk_isa_trowmax(&d, &s), 0);
  CHECK_DBL(out[0], 1.0, 0);
  CHECK_INT(ptk_isa_trowmin(&d, &s), 0);
  CHECK_DBL(out[0], -1e8, 0);
}

/* tmatmul / tmatmul.acc / tmatmul.bias against a direct C reference:
 * sum from 0 with fmaf in ascending k, then + Cin or + bias. */
#include "tests/unit/test_isa_util.h"

typedef struct {
  ptk_isa_dtype a, c;
} mmtype;

static double getv(const ptk_tile *t, int r, int c) {
  return t_is_float(t->dtype) ? t_getd(t, r, c) : (double)t_geti(t, r, c);
}

/* kind: 0 plain, 1 acc, 2 bias */
static int check_mm(mmtype ty, int kind, int M, int K, int N, int la, uint64_t *s) {
  int R = 32, KK = 64, C = 32;
  /* left: Zz (A3) or Nz (A5); right: Zn; acc: Nz 1024 */
  ptk_tile a = t_mk(ty.a, R, KK, M, K, la ? PTK_ISA_COL_MAJOR : PTK_ISA_ROW_MAJOR,
                    PTK_ISA_BOX_ROW_MAJOR, 512);
  ptk_tile b = t_mk(ty.a, KK, C, K, N, PTK_ISA_ROW_MAJOR, PTK_ISA_BOX_COL_MAJOR, 512);
  ptk_tile c = t_mk(ty.c, R, C, M, N, PTK_ISA_COL_MAJOR, PTK_ISA_BOX_ROW_MAJOR, 1024);
  ptk_tile bias = t_mk(ty.c, 1, C, 1, N, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  a.loc = PTK_ISA_LEFT;
  b.loc = PTK_ISA_RIGHT;
  c.loc = PTK_ISA_ACC;
  bias.loc = PTK_ISA_BIAS;
  bool fl = t_is_float(ty.a);
  for (int i = 0; i < R; i++)
    for (int k = 0; k < KK; k++) {
      if (fl)
        t_setd(&a, i, k, t_uni(s, -2, 2));
      else
        t_seti(&a, i, k, (long long)(t_rand(s) % 256) - 128);
    }
  for (int k = 0; k < KK; k++)
    for (int j = 0; j < C; j++) {
      if (fl)
        t_setd(&b, k, j, t_uni(s, -2, 2));
      else
        t_seti(&b, k, j, (long long)(t_rand(s) % 256) - 128);
    }
  for (int j = 0; j < C; j++) {
    if (fl)
      t_setd(&bias, 0, j, t_uni(s, -1, 1));
    else
      t_seti(&bias, 0, j, (long long)(t_rand(s) % 100000));
  }
  for (int i = 0; i < R; i++)
    for (int j = 0; j < C; j++) {
      if (fl)
        t_setd(&c, i, j, t_uni(s, -3, 3));
      else
        t_seti(&c, i, j, (long long)(int32_t)t_rand(s));
    }
  ptk_tile cin = t_mk(ty.c, R, C, M, N, PTK_ISA_COL_MAJOR, PTK_ISA_BOX_ROW_MAJOR, 1024);
  memcpy(cin.data, c.data, (size_t)R * C * 4);
  int rc = kind == 0   ? ptk_isa_tmatmul(&c, &a, &b)
           : kind == 1 ? ptk_isa_tmatmul_acc(&c, &c, &a, &b) /* Cin is C, in place */
                       : ptk_isa_tmatmul_bias(&c, &a, &b, &bias);
  int bad = rc != 0;
  if (rc) printf("  %s\n", ptk_isa_error());
  for (int i = 0; i < R; i++)
    for (int j = 0; j < C; j++) {
      if (i >= M || j >= N) { /* outside M x N: untouched */
        bad += t_bits(&c, i, j) != t_bits(&cin, i, j);
        continue;
      }
      if (fl) {
        float acc = 0;
        for (int k = 0; k < K; k++) acc = fmaf((float)getv(&a, i, k), (float)getv(&b, k, j), acc);
        if (kind == 1) acc = (float)t_getd(&cin, i, j) + acc;
        if (kind == 2) acc = acc + (float)t_getd(&bias, 0, j);
        bad += !t_same(t_getd(&c, i, j), acc);
      } else {
        uint32_t acc = 0;
        for (int k = 0; k < K; k++) acc += (uint32_t)(t_geti(&a, i, k) * t_geti(&b, k, j));
        if (kind == 1) acc += (uint32_t)t_geti(&cin, i, j);
        if (kind == 2) acc += (uint32_t)t_geti(&bias, 0, j);
        bad += t_geti(&c, i, j) != (int32_t)acc;
      }
    }
  t_free(&a);
  t_free(&b);
  t_free(&c);
  t_free(&cin);
  t_free(&bias);
  return bad;
}

TEST(matmul_dtypes_kinds_partial) {
  static const mmtype tys[] = {{PTK_ISA_F32, PTK_ISA_F32},
                               {PTK_ISA_F16, PTK_ISA_F32},
                               {PTK_ISA_BF16, PTK_ISA_F32},
                               {PTK_ISA_I8, PTK_ISA_I32}};
  static const int shapes[][3] = {{32, 64, 32}, {7, 13, 5},  {1, 1, 1}, {1, 64, 32},
                                  {32, 64, 1},  {16, 0, 16}, {0, 8, 8}};
  uint64_t s = 1;
  int bad = 0;
  for (size_t t = 0; t < 4; t++)
    for (int kind = 0; kind < 3; kind++)
      for (size_t sh = 0; sh < PTK_ARRAY_LEN(shapes); sh++)
        for (int la = 0; la < 2; la++) {
          int n = check_mm(tys[t], kind, shapes[sh][0], shapes[sh][1], shapes[sh][2], la, &s);
          if (n)
            printf("  %s kind %d %dx%dx%d: %d bad\n", ptk_isa_dtype_name(tys[t].a), kind,
                   shapes[sh][0], shapes[sh][1], shapes[sh][2], n);
          bad += n;
        }
  CHECK_INT(bad, 0);
}

TEST(matmul_plain_layouts) {
  /* any layouts work (logical access): row-major everything */
  ptk_tile a = t_mk(PTK_ISA_F32, 3, 8, 3, 5, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  ptk_tile b = t_mk(PTK_ISA_F32, 5, 8, 5, 2, PTK_ISA_COL_MAJOR, PTK_ISA_NONE_BOX, 512);
  ptk_tile c = t_mk(PTK_ISA_F32, 3, 8, 3, 2, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  for (int i = 0; i < 3; i++)
    for (int k = 0; k < 5; k++) t_setd(&a, i, k, i + k);
  for (int k = 0; k < 5; k++)
    for (int j = 0; j < 2; j++) t_setd(&b, k, j, (j ? -1.0 : 1.0) * (k + 1));
  CHECK_INT(ptk_isa_tmatmul(&c, &a, &b), 0);
  CHECK(t_getd(&c, 0, 0) == 0 * 1 + 1 * 2 + 2 * 3 + 3 * 4 + 4 * 5);
  CHECK(t_getd(&c, 2, 1) == -(2 * 1 + 3 * 2 + 4 * 3 + 5 * 4 + 6 * 5));
  t_free(&a);
  t_free(&b);
  t_free(&c);
}

TEST(matmul_errors) {
  ptk_tile a = t_mk(PTK_ISA_F16, 16, 16, 16, 16, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  ptk_tile b = t_mk(PTK_ISA_F16, 8, 16, 8, 16, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  ptk_tile c = t_mk(PTK_ISA_F32, 16, 16, 16, 16, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  ptk_tile c16 = t_mk(PTK_ISA_F16, 16, 16, 16, 16, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  CHECK_INT(ptk_isa_tmatmul(&c, &a, &b), PTK_ISA_ESHAPE); /* K = 16 but B has 8 rows */
  CHECK(strstr(ptk_isa_error(), "tmatmul: B is 8x16") != NULL);
  CHECK_INT(ptk_isa_tmatmul(&c16, &a, &a), PTK_ISA_EDTYPE);
  CHECK(strstr(ptk_isa_error(), "(f16, f16, f16)") != NULL);
  CHECK_INT(ptk_isa_tmatmul_bias(&c, &a, &a, &c16), PTK_ISA_EDTYPE);
  CHECK_INT(ptk_isa_tmatmul_acc(&c, NULL, &a, &a), PTK_ISA_EARG);
  t_free(&a);
  t_free(&b);
  t_free(&c);
  t_free(&c16);
}

/* The packed / blocked kernel against the plain fmaf triple loop, bit for
 * bit: random f32 / f16 / bf16 / i8 operands, odd M, K, N (K past the 256
 * K block), every layout of A, B and C. */
static int check_mm_layouts(ptk_isa_dtype at, int M, int K, int N, int la, int lb, int lc,
                            uint64_t *s) {
  ptk_isa_dtype ct = at == PTK_ISA_I8 ? PTK_ISA_I32 : PTK_ISA_F32;
  int R = (M + 31) / 32 * 32, KK = (K + 31) / 32 * 32, C = (N + 31) / 32 * 32;
  ptk_tile a = t_mkl(at, R, KK, M, K, la, 512), b = t_mkl(at, KK, C, K, N, lb, 512);
  ptk_tile c = t_mkl(ct, R, C, M, N, lc, 512);
  bool fl = t_is_float(at);
  for (int i = 0; i < M; i++)
    for (int k = 0; k < K; k++) {
      if (fl)
        t_setd(&a, i, k, t_uni(s, -2, 2));
      else
        t_seti(&a, i, k, (long long)(t_rand(s) % 256) - 128);
    }
  for (int k = 0; k < K; k++)
    for (int j = 0; j < N; j++) {
      if (fl)
        t_setd(&b, k, j, t_uni(s, -2, 2));
      else
        t_seti(&b, k, j, (long long)(t_rand(s) % 256) - 128);
    }
  int bad = ptk_isa_tmatmul(&c, &a, &b) != 0;
  for (int i = 0; i < M; i++)
    for (int j = 0; j < N; j++) {
      if (fl) {
        float acc = 0;
        for (int k = 0; k < K; k++) acc = fmaf((float)getv(&a, i, k), (float)getv(&b, k, j), acc);
        bad += !t_same(t_getd(&c, i, j), acc);
      } else {
        uint32_t acc = 0;
        for (int k = 0; k < K; k++) acc += (uint32_t)(t_geti(&a, i, k) * t_geti(&b, k, j));
        bad += t_geti(&c, i, j) != (int32_t)acc;
      }
    }
  t_free(&a);
  t_free(&b);
  t_free(&c);
  return bad;
}

TEST(matmul_blocked_exact_all_layouts) {
  static const ptk_isa_dtype dts[] = {PTK_ISA_F32, PTK_ISA_F16, PTK_ISA_BF16, PTK_ISA_I8};
  static const int shapes[][3] = {{7, 13, 5}, {13, 37, 19}, {1, 33, 17}, {25, 300, 35}};
  uint64_t s = 7;
  int bad = 0;
  for (size_t d = 0; d < 4; d++)
    for (size_t sh = 0; sh < PTK_ARRAY_LEN(shapes); sh++)
      for (int la = 0; la < T_NLAYOUTS; la++)
        for (int lb = 0; lb < T_NLAYOUTS; lb++) {
          int lc = (la + lb) % T_NLAYOUTS;
          if (sh == 3 && (la + lb) % 5) continue; /* the big shape: a sample of the pairs */
          int n = check_mm_layouts(dts[d], shapes[sh][0], shapes[sh][1], shapes[sh][2], la, lb,
                                   lc, &s);
          if (n)
            printf("  %s %dx%dx%d A %s B %s C %s: %d bad\n", ptk_isa_dtype_name(dts[d]),
                   shapes[sh][0], shapes[sh][1], shapes[sh][2], T_LAYOUTS[la].name,
                   T_LAYOUTS[lb].name, T_LAYOUTS[lc].name, n);
          bad += n;
        }
  CHECK_INT(bad, 0);
}

/* Every f16 bit pattern through the packed path (F16C where present): A is
 * 4096 x 16 holding all 65536 patterns, B the 16 x 16 identity, so C[i][j]
 * = fmaf chain of a[i][j] * 1 among zeros; compared with the scalar fmaf
 * chain over the test's own f16 widening (NaNs: both NaN). */
TEST(matmul_f16_every_pattern) {
  ptk_tile a = t_mkl(PTK_ISA_F16, 4096, 16, 4096, 16, 4, 512);
  ptk_tile b = t_mkl(PTK_ISA_F16, 16, 16, 16, 16, 3, 512);
  ptk_tile c = t_mkl(PTK_ISA_F32, 4096, 16, 4096, 16, 0, 512);
  for (int i = 0; i < 4096; i++)
    for (int k = 0; k < 16; k++) {
      uint16_t h = (uint16_t)(i * 16 + k);
      memcpy(a.data + t_off(&a, i, k) * 2, &h, 2);
    }
  for (int k = 0; k < 16; k++)
    for (int j = 0; j < 16; j++) t_setd(&b, k, j, k == j);
  CHECK_INT(ptk_isa_tmatmul(&c, &a, &b), 0);
  int bad = 0;
  for (int i = 0; i < 4096; i++)
    for (int j = 0; j < 16; j++) {
      float acc = 0;
      for (int k = 0; k < 16; k++) {
        uint16_t h;
        memcpy(&h, a.data + t_off(&a, i, k) * 2, 2);
        acc = fmaf(t_f16_to_f32(h), k == j ? 1.0f : 0.0f, acc);
      }
      bad += !t_same(t_getd(&c, i, j), acc);
    }
  CHECK_INT(bad, 0);
  t_free(&a);
  t_free(&b);
  t_free(&c);
}

/* tmatmul.acc with Cin a separate tile (so C is written straight from the
 * microkernel, Cin read beside it), with Cin C itself, and with Cin a window
 * of C's storage one row below or above C or a box to the left or right
 * (overlapping: rows are finished in ascending order, each whole Cin row
 * read before the C row is written, as the row-by-row path always did; so
 * Cin above C sees rows already written), K past the 256 K block, M and N
 * not multiples of the 6 x 16 microtile; C in the acc layout (16-wide
 * boxes) and row-major. Bit for bit against Cin + the fmaf chain. */
TEST(matmul_acc_cin_placements) {
  enum { M = 13, K = 300, N = 35, R = 32, KK = 320, C = 48 };
  uint64_t s = 11;
  int bad = 0;
  for (int lc = 0; lc < 2; lc++)
    for (int place = 0; place < 6; place++) {
      ptk_tile a = t_mk(PTK_ISA_F32, R, KK, M, K, PTK_ISA_ROW_MAJOR, PTK_ISA_BOX_ROW_MAJOR, 512);
      ptk_tile b = t_mk(PTK_ISA_F32, KK, C, K, N, PTK_ISA_ROW_MAJOR, PTK_ISA_BOX_COL_MAJOR, 512);
      ptk_tile big = lc ? t_mk(PTK_ISA_F32, R + 16, C + 16, R + 16, C + 16, PTK_ISA_ROW_MAJOR,
                               PTK_ISA_NONE_BOX, 512)
                        : t_mk(PTK_ISA_F32, R + 16, C + 16, R + 16, C + 16, PTK_ISA_COL_MAJOR,
                               PTK_ISA_BOX_ROW_MAJOR, 1024);
      ptk_tile sep = t_mk(PTK_ISA_F32, R, C, M, N, PTK_ISA_COL_MAJOR, PTK_ISA_BOX_ROW_MAJOR, 1024);
      for (int i = 0; i < M; i++)
        for (int k = 0; k < K; k++) t_setd(&a, i, k, t_uni(&s, -2, 2));
      for (int k = 0; k < K; k++)
        for (int j = 0; j < N; j++) t_setd(&b, k, j, t_uni(&s, -2, 2));
      for (int i = 0; i < R + 16; i++)
        for (int j = 0; j < C + 16; j++) t_setd(&big, i, j, t_uni(&s, -3, 3));
      for (int i = 0; i < R; i++)
        for (int j = 0; j < C; j++) t_setd(&sep, i, j, t_uni(&s, -3, 3));
      ptk_tile c, cin;
      /* boxed windows move by whole boxes: one row down is 16 rows there */
      int down = lc ? 1 : 16;
      int cr = place == 3 ? down : 0, cc = place == 4 ? 16 : 0;
      int ir = place == 2 ? down : 0, ic = place == 5 ? 16 : 0;
      CHECK_INT(ptk_isa_subview(&big, cr, cc, R, C, M, N, &c), 0);
      if (place == 0) cin = sep;
      if (place == 1) cin = c;
      if (place >= 2) CHECK_INT(ptk_isa_subview(&big, ir, ic, R, C, M, N, &cin), 0);
      /* the reference runs row by row on a copy of the storage */
      ptk_tile ref = big, rc_, rin;
      ref.data = malloc((size_t)(R + 16) * (C + 16) * 4);
      memcpy(ref.data, big.data, (size_t)(R + 16) * (C + 16) * 4);
      CHECK_INT(ptk_isa_subview(&ref, cr, cc, R, C, M, N, &rc_), 0);
      rin = rc_;
      if (place == 0) rin = sep;
      if (place >= 2) CHECK_INT(ptk_isa_subview(&ref, ir, ic, R, C, M, N, &rin), 0);
      for (int i = 0; i < M; i++) {
        float row[N];
        for (int j = 0; j < N; j++) {
          float d = 0;
          for (int k = 0; k < K; k++) d = fmaf((float)t_getd(&a, i, k), (float)t_getd(&b, k, j), d);
          row[j] = (float)t_getd(&rin, i, j) + d;
        }
        for (int j = 0; j < N; j++) t_setd(&rc_, i, j, row[j]);
      }
      CHECK_INT(ptk_isa_tmatmul_acc(&c, &cin, &a, &b), 0);
      for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) bad += !t_same(t_getd(&c, i, j), t_getd(&rc_, i, j));
      free(ref.data);
      t_free(&a);
      t_free(&b);
      t_free(&big);
      t_free(&sep);
    }
  CHECK_INT(bad, 0);
}

/* tload / tstore / extents / tmov / textract / tinsert / ttrans / tfillpad. */
#include <float.h>
#include "tests/unit/test_isa_util.h"

/* Reference GM offset of tile (r, c) for a view (see ptk_gm_view). */
static long ref_gm(const ptk_gm_view *v, long r, long c) {
  int n = v->rank;
  long off = 0;
  if (n == 1) return c * v->stride[0];
  if (v->layout == PTK_ISA_GM_ND || n == 2) {
    off = c * v->stride[n - 1];
    for (int d = n - 2; d >= 0; d--) {
      off += (r % v->shape[d]) * v->stride[d];
      r /= v->shape[d];
    }
    return off;
  }
  off = r * v->stride[n - 2] + (c % v->shape[n - 1]) * v->stride[n - 1];
  c /= v->shape[n - 1];
  for (int d = n - 3; d >= 0; d--) {
    off += (c % v->shape[d]) * v->stride[d];
    c /= v->shape[d];
  }
  return off;
}

static ptk_gm_view view2(void *base, ptk_isa_dtype dt, long r, long c, long s0, long s1) {
  ptk_gm_view v;
  memset(&v, 0, sizeof v);
  v.base = base;
  v.dtype = dt;
  v.rank = 2;
  v.shape[0] = r;
  v.shape[1] = c;
  v.stride[0] = s0;
  v.stride[1] = s1;
  v.layout = PTK_ISA_GM_ND;
  return v;
}

/* Max/Min pads are the largest/lowest finite values (PTOAS A5 fill-pad
 * templates, tfillpad/tload ST goldens), never +-inf. */
static uint64_t pad_bits(ptk_isa_dtype dt, ptk_isa_pad pad) {
  if (pad == PTK_ISA_PAD_NULL || pad == PTK_ISA_PAD_ZERO) return 0;
  bool mx = pad == PTK_ISA_PAD_MAX;
  switch (dt) {
  case PTK_ISA_F32: return mx ? 0x7f7fffffu : 0xff7fffffu; /* +-3.4028235e38 */
  case PTK_ISA_F16: return mx ? 0x7bff : 0xfbff;           /* +-65504 */
  case PTK_ISA_BF16: return mx ? 0x7f7f : 0xff7f;          /* +-3.3895314e38 */
  case PTK_ISA_F64: return mx ? 0x7fefffffffffffffull : 0xffefffffffffffffull;
  case PTK_ISA_I8: return mx ? 0x7f : 0x80;
  case PTK_ISA_U8: return mx ? 0xff : 0;
  case PTK_ISA_I16: return mx ? 0x7fff : 0x8000;
  case PTK_ISA_U16: return mx ? 0xffff : 0;
  case PTK_ISA_I32: return mx ? 0x7fffffffu : 0x80000000u;
  case PTK_ISA_U32: return mx ? 0xffffffffu : 0;
  default: return 0;
  }
}

TEST(tload_all_layouts_pads_dtypes) {
  static const ptk_isa_dtype dts[] = {PTK_ISA_F32, PTK_ISA_F16, PTK_ISA_BF16, PTK_ISA_I8,
                                      PTK_ISA_U8,  PTK_ISA_I16, PTK_ISA_I32,  PTK_ISA_U32};
  static const int shapes[][2] = {{32, 32}, {7, 13}, {1, 1}, {1, 32}, {32, 1}, {0, 5}};
  for (size_t d = 0; d < PTK_ARRAY_LEN(dts); d++) {
    size_t esz = t_esz(dts[d]);
    /* GM: 40 x 48 elements of distinct bit patterns */
    uint8_t *gm = malloc(40 * 48 * esz);
    for (size_t i = 0; i < 40 * 48 * esz; i++) gm[i] = (uint8_t)(i * 7 + 3);
    for (int l = 0; l < T_NLAYOUTS; l++)
      for (size_t s = 0; s < PTK_ARRAY_LEN(shapes); s++)
        for (int pad = 0; pad < 4; pad++) {
          int vr = shapes[s][0], vc = shapes[s][1];
          ptk_tile t = t_mkl(dts[d], 32, 32, vr, vc, l, 512);
          t.pad = (ptk_isa_pad)pad;
          /* partition at (3, 5) of a 40 x 48 tensor, sizes = valid region */
          ptk_gm_view v = view2(gm + (3 * 48 + 5) * esz, dts[d], vr, vc, 48, 1);
          CHECK_INT(ptk_isa_tload(&t, &v), 0);
          int bad = 0;
          for (int r = 0; r < 32; r++)
            for (int c = 0; c < 32; c++) {
              uint64_t want = 0;
              if (r < vr && c < vc)
                memcpy(&want, gm + ((3 + r) * 48 + 5 + c) * esz, esz);
              else
                want = pad_bits(dts[d], (ptk_isa_pad)pad);
              if (t_bits(&t, r, c) != want) bad++;
            }
          if (bad)
            printf("  %s %s %dx%d pad %d: %d bad\n", ptk_isa_dtype_name(dts[d]), T_LAYOUTS[l].name,
                   vr, vc, pad, bad);
          CHECK_INT(bad, 0);
          t_free(&t);
        }
    free(gm);
  }
}

TEST(tload_partition_smaller_than_valid_pads) {
  float gm[64];
  for (int i = 0; i < 64; i++) gm[i] = (float)i;
  ptk_tile t = t_mk(PTK_ISA_F32, 8, 8, 8, 8, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  t.pad = PTK_ISA_PAD_MAX;
  ptk_gm_view v = view2(gm, PTK_ISA_F32, 3, 5, 8, 1);
  int32_t tr, tc;
  CHECK_INT(ptk_isa_transfer_shape(&t, &v, &tr, &tc), 0);
  CHECK_INT(tr, 3);
  CHECK_INT(tc, 5);
  CHECK_INT(ptk_isa_tload(&t, &v), 0);
  CHECK(t_getd(&t, 2, 4) == 20.0);
  CHECK(t_getd(&t, 2, 5) == (double)FLT_MAX); /* pad max is finite */
  CHECK(t_getd(&t, 3, 0) == (double)FLT_MAX);
  t_free(&t);
}

TEST(tload_errors) {
  float gm[16];
  ptk_tile t = t_mk(PTK_ISA_F32, 4, 8, 4, 8, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  ptk_gm_view v = view2(gm, PTK_ISA_F16, 2, 8, 8, 1);
  CHECK_INT(ptk_isa_tload(&t, &v), PTK_ISA_EDTYPE);
  CHECK(strstr(ptk_isa_error(), "element sizes differ") != NULL);
  v.dtype = PTK_ISA_I32; /* same size: bit copy is fine */
  CHECK_INT(ptk_isa_tload(&t, &v), 0);
  v.rank = 6;
  CHECK_INT(ptk_isa_tload(&t, &v), PTK_ISA_EARG);
  v.rank = 2;
  v.shape[0] = -3;
  CHECK_INT(ptk_isa_tload(&t, &v), PTK_ISA_EARG);
  v.shape[0] = 2;
  v.layout = (ptk_isa_gm_layout)7;
  CHECK_INT(ptk_isa_tload(&t, &v), PTK_ISA_ELAYOUT);
  t_free(&t);
}

/* Views of rank 1..5, ND and DN, random shapes/strides (some negative):
 * tload and the extent helper against the reference mapping. */
TEST(tload_ranks_and_extent) {
  uint64_t s = 42;
  float *gm = malloc(sizeof(float) * 20000);
  for (int i = 0; i < 20000; i++) gm[i] = (float)i;
  int bad = 0;
  for (int iter = 0; iter < 400; iter++) {
    ptk_gm_view v;
    memset(&v, 0, sizeof v);
    v.dtype = PTK_ISA_F32;
    v.rank = 1 + (int)(t_rand(&s) % 5);
    v.layout = (t_rand(&s) & 1) ? PTK_ISA_GM_DN : PTK_ISA_GM_ND;
    for (int d = 0; d < v.rank; d++) {
      v.shape[d] = 1 + (long)(t_rand(&s) % 4);
      long st = (long)(t_rand(&s) % 60);
      if (t_rand(&s) % 5 == 0) st = -st;
      v.stride[d] = st;
    }
    /* base in the middle so negative strides stay inside */
    v.base = gm + 10000;
    int l = (int)(t_rand(&s) % T_NLAYOUTS);
    ptk_tile t =
        t_mkl(PTK_ISA_F32, 32, 32, 1 + (int)(t_rand(&s) % 32), 1 + (int)(t_rand(&s) % 32), l, 512);
    int32_t tr, tc;
    CHECK_INT(ptk_isa_transfer_shape(&t, &v, &tr, &tc), 0);
    CHECK_INT(ptk_isa_tload(&t, &v), 0);
    long lo = 1L << 40, hi = -(1L << 40);
    for (int r = 0; r < tr; r++)
      for (int c = 0; c < tc; c++) {
        long o = ref_gm(&v, r, c);
        if (o < lo) lo = o;
        if (o > hi) hi = o;
        if (t_getd(&t, r, c) != gm[10000 + o]) bad++;
      }
    int64_t elo, ehi;
    CHECK_INT(ptk_isa_gm_extent(&v, tr, tc, &elo, &ehi), 0);
    if (tr && tc && (elo != lo || ehi != hi)) {
      bad++;
      printf("  extent rank %d: got [%ld,%ld] want [%ld,%ld]\n", v.rank, (long)elo, (long)ehi, lo,
             hi);
    }
    t_free(&t);
  }
  CHECK_INT(bad, 0);
  int64_t lo, hi;
  ptk_gm_view v = view2(gm, PTK_ISA_F32, 4, 4, 4, 1);
  CHECK_INT(ptk_isa_gm_extent(&v, 0, 4, &lo, &hi), 0);
  CHECK(lo == 0 && hi == -1);
  /* huge strides saturate instead of overflowing */
  v.stride[0] = INT64_MAX / 2;
  CHECK_INT(ptk_isa_gm_extent(&v, 4, 4, &lo, &hi), 0);
  CHECK(hi > (int64_t)1 << 61);
  free(gm);
}

TEST(tload_dn_view_into_zn) {
  /* paged-attention pattern: a K x N bf16 matrix stored row-major [N][K],
   * read transposed through a DN-style view (strides [1, K]) into a ZN mat tile */
  enum { K = 32, N = 16 };
  uint16_t kmat[N * K];
  for (int i = 0; i < N * K; i++) kmat[i] = (uint16_t)(i * 3 + 1);
  ptk_tile t = t_mk(PTK_ISA_BF16, K, N, K, N, PTK_ISA_ROW_MAJOR, PTK_ISA_BOX_COL_MAJOR, 512);
  ptk_gm_view v = view2(kmat, PTK_ISA_BF16, K, N, 1, K);
  v.layout = PTK_ISA_GM_DN;
  CHECK_INT(ptk_isa_tload(&t, &v), 0);
  int bad = 0;
  for (int k = 0; k < K; k++)
    for (int n = 0; n < N; n++)
      if (t_bits(&t, k, n) != kmat[n * K + k]) bad++;
  CHECK_INT(bad, 0);
  /* the same through a col-major none_box tile uses whole-column copies */
  ptk_tile c = t_mk(PTK_ISA_BF16, K, N, K, N, PTK_ISA_COL_MAJOR, PTK_ISA_NONE_BOX, 512);
  CHECK_INT(ptk_isa_tload(&c, &v), 0);
  bad = 0;
  for (int k = 0; k < K; k++)
    for (int n = 0; n < N; n++)
      if (t_bits(&c, k, n) != kmat[n * K + k]) bad++;
  CHECK_INT(bad, 0);
  t_free(&t);
  t_free(&c);
}

TEST(tstore_layouts_and_untouched) {
  for (int l = 0; l < T_NLAYOUTS; l++) {
    ptk_tile t = t_mkl(PTK_ISA_F32, 32, 32, 7, 13, l, 512);
    for (int r = 0; r < 32; r++)
      for (int c = 0; c < 32; c++) t_setd(&t, r, c, r * 100 + c);
    float gm[40 * 48];
    for (int i = 0; i < 40 * 48; i++) gm[i] = -7;
    ptk_gm_view v = view2(gm + 2 * 48 + 4, PTK_ISA_F32, 7, 13, 48, 1);
    CHECK_INT(ptk_isa_tstore(&v, &t, NULL), 0);
    int bad = 0;
    for (int r = 0; r < 40; r++)
      for (int c = 0; c < 48; c++) {
        bool in = r >= 2 && r < 9 && c >= 4 && c < 17;
        float want = in ? (float)((r - 2) * 100 + (c - 4)) : -7.0f;
        if (gm[r * 48 + c] != want) bad++;
      }
    CHECK_INT(bad, 0);
    t_free(&t);
  }
}

TEST(tstore_col_vector_to_column_view) {
  /* pa_softmax_prepare: 16x1 col_major tile -> view [16,1] strides [1,1] */
  ptk_tile t = t_mk(PTK_ISA_F32, 16, 1, 16, 1, PTK_ISA_COL_MAJOR, PTK_ISA_NONE_BOX, 512);
  for (int r = 0; r < 16; r++) t_setd(&t, r, 0, r + 0.5);
  float gm[17];
  for (int i = 0; i < 17; i++) gm[i] = -7;
  ptk_gm_view v = view2(gm, PTK_ISA_F32, 16, 1, 1, 1);
  CHECK_INT(ptk_isa_tstore(&v, &t, NULL), 0);
  for (int r = 0; r < 16; r++) CHECK(gm[r] == r + 0.5f);
  CHECK(gm[16] == -7);
  t_free(&t);
}

TEST(tstore_acc_converts_relu_atomic) {
  ptk_tile acc = t_mk(PTK_ISA_F32, 16, 16, 3, 16, PTK_ISA_COL_MAJOR, PTK_ISA_BOX_ROW_MAJOR, 1024);
  acc.loc = PTK_ISA_ACC;
  float vals[] = {1.0f, -2.5f, 65520.0f, 1e-8f, NAN, -0.0f, 3.14159f, 1.0f + 0x1p-8f};
  for (int r = 0; r < 3; r++)
    for (int c = 0; c < 16; c++) t_setd(&acc, r, c, vals[(r * 16 + c) % 8]);
  uint16_t h[3 * 16], b[3 * 16];
  ptk_gm_view vh = view2(h, PTK_ISA_F16, 3, 16, 16, 1), vb = view2(b, PTK_ISA_BF16, 3, 16, 16, 1);
  CHECK_INT(ptk_isa_tstore(&vh, &acc, NULL), 0);
  CHECK_INT(ptk_isa_tstore(&vb, &acc, NULL), 0);
  int bad = 0;
  for (int i = 0; i < 48; i++) {
    float f = vals[i % 8];
    uint16_t wh = t_f32_to_f16(f), wb = t_f32_to_bf16(f);
    if (isnan(f) ? !isnan(t_f16_to_f32(h[i])) : h[i] != wh) bad++;
    if (isnan(f) ? !isnan(t_bf16_to_f32(b[i])) : b[i] != wb) bad++;
  }
  CHECK_INT(bad, 0);
  ptk_isa_store_opts o = {.relu = true};
  CHECK_INT(ptk_isa_tstore(&vh, &acc, &o), 0);
  CHECK_UINT(h[1], 0);      /* -2.5 -> 0 */
  CHECK_UINT(h[0], 0x3c00); /* 1 */
  /* atomic add into an f32 view */
  float g[3 * 16];
  for (int i = 0; i < 48; i++) g[i] = 1.0f;
  ptk_gm_view vf = view2(g, PTK_ISA_F32, 3, 16, 16, 1);
  ptk_isa_store_opts at = {.atomic_add = true};
  CHECK_INT(ptk_isa_tstore(&vf, &acc, &at), 0);
  CHECK(g[0] == 2.0f && g[1] == -1.5f);
  CHECK(isnan(g[4]));
  /* vec tile, different element size: refused */
  ptk_tile vec = t_mk(PTK_ISA_F32, 3, 16, 3, 16, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  CHECK_INT(ptk_isa_tstore(&vh, &vec, NULL), PTK_ISA_EDTYPE);
  t_free(&vec);
  t_free(&acc);
}

static void fill_seq(const ptk_tile *t) {
  for (int r = 0; r < t->rows; r++)
    for (int c = 0; c < t->cols; c++) t_setd(t, r, c, r * 64 + c + 0.25);
}

TEST(tmov_all_layout_pairs) {
  for (int a = 0; a < T_NLAYOUTS; a++)
    for (int b = 0; b < T_NLAYOUTS; b++) {
      ptk_tile src = t_mkl(PTK_ISA_F32, 32, 32, 20, 17, a, 512);
      ptk_tile dst = t_mkl(PTK_ISA_F32, 32, 32, 32, 11, b, 512);
      fill_seq(&src);
      CHECK_INT(ptk_isa_tmov(&dst, &src, false), 0);
      int bad = 0;
      for (int r = 0; r < 20; r++)
        for (int c = 0; c < 11; c++)
          if (t_getd(&dst, r, c) != r * 64 + c + 0.25) bad++;
      bad += t_touched_outside(&dst, 20, 11);
      CHECK_INT(bad, 0);
      t_free(&src);
      t_free(&dst);
    }
}

TEST(tmov_acc_to_vec_converts) {
  ptk_tile acc = t_mk(PTK_ISA_F32, 16, 16, 16, 16, PTK_ISA_COL_MAJOR, PTK_ISA_BOX_ROW_MAJOR, 1024);
  acc.loc = PTK_ISA_ACC;
  for (int r = 0; r < 16; r++)
    for (int c = 0; c < 16; c++) t_setd(&acc, r, c, (r - 8) * 1.0009765625 + c * 1e-4);
  ptk_tile v = t_mk(PTK_ISA_F16, 16, 16, 16, 16, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  CHECK_INT(ptk_isa_tmov(&v, &acc, true), 0);
  int bad = 0;
  for (int r = 0; r < 16; r++)
    for (int c = 0; c < 16; c++) {
      float f = (float)t_getd(&acc, r, c);
      uint16_t want = t_f32_to_f16(f < 0 ? 0.0f : f);
      if (t_bits(&v, r, c) != want) bad++;
    }
  CHECK_INT(bad, 0);
  /* i32 acc -> f32 vec */
  ptk_tile ia = t_mk(PTK_ISA_I32, 16, 16, 2, 2, PTK_ISA_COL_MAJOR, PTK_ISA_BOX_ROW_MAJOR, 1024);
  t_seti(&ia, 0, 0, 16777217);
  t_seti(&ia, 0, 1, -3);
  t_seti(&ia, 1, 0, 7);
  t_seti(&ia, 1, 1, 0);
  ptk_tile fv = t_mk(PTK_ISA_F32, 2, 8, 2, 2, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  CHECK_INT(ptk_isa_tmov(&fv, &ia, false), 0);
  CHECK(t_getd(&fv, 0, 0) == 16777216.0);
  CHECK(t_getd(&fv, 0, 1) == -3.0);
  t_free(&acc);
  t_free(&v);
  t_free(&ia);
  t_free(&fv);
}

TEST(textract_tinsert) {
  for (int l = 0; l < T_NLAYOUTS; l++) {
    ptk_tile mat = t_mkl(PTK_ISA_F16, 32, 64, 32, 64, l, 512);
    fill_seq(&mat);
    ptk_tile left = t_mkl(PTK_ISA_F16, 16, 32, 16, 32, (l + 2) % T_NLAYOUTS, 512);
    CHECK_INT(ptk_isa_textract(&left, &mat, 16, 32, false), 0);
    int bad = 0;
    for (int r = 0; r < 16; r++)
      for (int c = 0; c < 32; c++)
        if (t_bits(&left, r, c) != t_bits(&mat, r + 16, c + 32)) bad++;
    CHECK_INT(bad, 0);
    CHECK_INT(ptk_isa_textract(&left, &mat, 17, 32, false), PTK_ISA_ESHAPE);
    CHECK(strstr(ptk_isa_error(), "textract") != NULL);
    /* tinsert: write a 5x7 valid block at (3, 40) */
    ptk_tile blk = t_mkl(PTK_ISA_F16, 16, 32, 5, 7, 0, 512);
    for (int r = 0; r < 5; r++)
      for (int c = 0; c < 7; c++) t_setd(&blk, r, c, -(r * 7 + c));
    CHECK_INT(ptk_isa_tinsert(&mat, &blk, 3, 40, false), 0);
    bad = 0;
    for (int r = 0; r < 32; r++)
      for (int c = 0; c < 64; c++) {
        bool in = r >= 3 && r < 8 && c >= 40 && c < 47;
        double want = in ? -((r - 3) * 7 + (c - 40)) : (float)(r * 64 + c + 0.25);
        want = t_f16_to_f32(t_f32_to_f16((float)want));
        if (t_getd(&mat, r, c) != want) bad++;
      }
    CHECK_INT(bad, 0);
    CHECK_INT(ptk_isa_tinsert(&mat, &blk, 30, 0, false), PTK_ISA_ESHAPE);
    t_free(&mat);
    t_free(&left);
    t_free(&blk);
  }
}

/* reluPreMode normal_relu on an acc source (textract / tinsert): the
 * fixpipe's conversion clamps negatives to 0 as it writes. */
TEST(textract_tinsert_relu) {
  ptk_tile acc = t_mkl(PTK_ISA_F32, 16, 16, 16, 16, 0, 512);
  for (int r = 0; r < 16; r++)
    for (int c = 0; c < 16; c++) t_setd(&acc, r, c, (r - 8) * 16 + c + 0.5);
  ptk_tile out = t_mkl(PTK_ISA_F16, 4, 16, 4, 16, 0, 512);
  CHECK_INT(ptk_isa_textract(&out, &acc, 6, 0, true), 0);
  CHECK(t_getd(&out, 0, 0) == 0.0);     /* (6-8)*16 + 0.5 = -31.5 */
  CHECK(t_getd(&out, 1, 15) == 0.0);    /* -16 + 15.5 = -0.5 */
  CHECK(t_getd(&out, 2, 3) == 3.5);
  CHECK(t_getd(&out, 3, 15) == 31.5);
  CHECK_INT(ptk_isa_textract(&out, &acc, 6, 0, false), 0);
  CHECK(t_getd(&out, 0, 0) == -31.5);
  ptk_tile dst = t_mkl(PTK_ISA_F16, 16, 16, 16, 16, 0, 512);
  ptk_tile src = t_mkl(PTK_ISA_F32, 2, 16, 2, 16, 0, 512);
  for (int c = 0; c < 16; c++) {
    t_setd(&src, 0, c, c - 8.0);
    t_setd(&src, 1, c, 8.0 - c);
  }
  CHECK_INT(ptk_isa_tinsert(&dst, &src, 4, 0, true), 0);
  CHECK(t_getd(&dst, 4, 0) == 0.0);
  CHECK(t_getd(&dst, 4, 9) == 1.0);
  CHECK(t_getd(&dst, 5, 0) == 8.0);
  CHECK(t_getd(&dst, 5, 15) == 0.0);
  t_free(&acc);
  t_free(&out);
  t_free(&dst);
  t_free(&src);
}

TEST(ttrans) {
  for (int l = 0; l < T_NLAYOUTS; l++) {
    ptk_tile s = t_mkl(PTK_ISA_I32, 32, 32, 9, 21, l, 512);
    ptk_tile d = t_mkl(PTK_ISA_U32, 32, 32, 21, 9, (l + 1) % T_NLAYOUTS, 512);
    for (int r = 0; r < 32; r++)
      for (int c = 0; c < 32; c++) t_seti(&s, r, c, r * 1000 + c);
    CHECK_INT(ptk_isa_ttrans(&d, &s), 0);
    int bad = 0;
    for (int r = 0; r < 9; r++)
      for (int c = 0; c < 21; c++)
        if (t_geti(&d, c, r) != r * 1000 + c) bad++;
    bad += t_touched_outside(&d, 21, 9);
    CHECK_INT(bad, 0);
    t_free(&s);
    t_free(&d);
  }
  ptk_tile a = t_mk(PTK_ISA_F32, 8, 8, 8, 8, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  ptk_tile b = t_mk(PTK_ISA_F16, 16, 16, 8, 8, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  CHECK_INT(ptk_isa_ttrans(&b, &a), PTK_ISA_EDTYPE);
  ptk_tile c = t_mk(PTK_ISA_F32, 8, 16, 8, 16, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  CHECK_INT(ptk_isa_ttrans(&a, &c), PTK_ISA_ESHAPE);
  t_free(&a);
  t_free(&b);
  t_free(&c);
}

TEST(tfillpad_modes) {
  static const ptk_isa_dtype dts[] = {PTK_ISA_F32, PTK_ISA_F16, PTK_ISA_BF16, PTK_ISA_F64,
                                      PTK_ISA_I8,  PTK_ISA_U8,  PTK_ISA_I16,  PTK_ISA_U16,
                                      PTK_ISA_I32, PTK_ISA_U32};
  for (size_t d = 0; d < PTK_ARRAY_LEN(dts); d++)
    for (int l = 0; l < T_NLAYOUTS; l++)
      for (int pad = 1; pad < 4; pad++) {
        ptk_tile src = t_mkl(dts[d], 32, 32, 5, 9, l, 512);
        ptk_tile dst = t_mkl(dts[d], 32, 32, 32, 32, (l + 3) % T_NLAYOUTS, 512);
        dst.pad = (ptk_isa_pad)pad;
        for (int r = 0; r < 32; r++)
          for (int c = 0; c < 32; c++) t_seti(&src, r, c, r * 3 + c + 1);
        CHECK_INT(ptk_isa_tfillpad(&dst, &src), 0);
        int bad = 0;
        for (int r = 0; r < 32; r++)
          for (int c = 0; c < 32; c++) {
            uint64_t want = (r < 5 && c < 9) ? t_bits(&src, r, c) : pad_bits(dts[d], dst.pad);
            if (t_bits(&dst, r, c) != want) bad++;
          }
        CHECK_INT(bad, 0);
        /* in place */
        ptk_tile ip = src;
        ip.pad = (ptk_isa_pad)pad;
        CHECK_INT(ptk_isa_tfillpad(&ip, &ip), 0);
        uint64_t emask = t_esz(dts[d]) == 8 ? ~0ull : (1ull << (8 * t_esz(dts[d]))) - 1;
        CHECK_UINT(t_bits(&ip, 4, 8), (uint64_t)(4 * 3 + 8 + 1) & emask);
        CHECK_UINT(t_bits(&ip, 4, 9), pad_bits(dts[d], ip.pad));
        t_free(&src);
        t_free(&dst);
      }
  ptk_tile t = t_mk(PTK_ISA_F32, 8, 8, 8, 8, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  CHECK_INT(ptk_isa_tfillpad(&t, &t), PTK_ISA_EARG); /* pad null */
  CHECK(strstr(ptk_isa_error(), "null") != NULL);
  t_free(&t);
}

/* tstore through random injective views of rank 1..5 (ND and DN, some dims
 * reversed): every tile element lands where the reference mapping says and
 * nothing else in GM changes; tload of the same view reads it back. */
TEST(tstore_ranks_roundtrip) {
  uint64_t s = 1234;
  int bad = 0;
  for (int iter = 0; iter < 300; iter++) {
    ptk_gm_view v;
    memset(&v, 0, sizeof v);
    v.dtype = PTK_ISA_I16;
    v.rank = 1 + (int)(t_rand(&s) % 5);
    v.layout = (t_rand(&s) & 1) ? PTK_ISA_GM_DN : PTK_ISA_GM_ND;
    long total = 1;
    for (int d = 0; d < v.rank; d++) {
      v.shape[d] = 1 + (long)(t_rand(&s) % 4);
      total *= v.shape[d];
    }
    /* dense strides in a random dim order */
    int perm[5] = {0, 1, 2, 3, 4};
    for (int d = v.rank - 1; d > 0; d--) {
      int j = (int)(t_rand(&s) % (uint64_t)(d + 1)), x = perm[d];
      perm[d] = perm[j];
      perm[j] = x;
    }
    long st = 1, base = 0;
    for (int k = v.rank - 1; k >= 0; k--) {
      int d = perm[k];
      v.stride[d] = st;
      if (t_rand(&s) % 4 == 0) { /* reversed dim */
        base += (v.shape[d] - 1) * st;
        v.stride[d] = -st;
      }
      st *= v.shape[d];
    }
    int16_t *gm = malloc(sizeof(int16_t) * (size_t)total);
    for (long i = 0; i < total; i++) gm[i] = -7;
    v.base = gm + base;
    int l = (int)(t_rand(&s) % T_NLAYOUTS);
    ptk_tile t =
        t_mkl(PTK_ISA_I16, 32, 32, 1 + (int)(t_rand(&s) % 32), 1 + (int)(t_rand(&s) % 32), l, 512);
    for (int r = 0; r < 32; r++)
      for (int c = 0; c < 32; c++) t_seti(&t, r, c, r * 32 + c);
    int32_t tr, tc;
    CHECK_INT(ptk_isa_transfer_shape(&t, &v, &tr, &tc), 0);
    CHECK_INT(ptk_isa_tstore(&v, &t, NULL), 0);
    char *hit = calloc((size_t)total, 1);
    for (int r = 0; r < tr; r++)
      for (int c = 0; c < tc; c++) {
        long o = base + ref_gm(&v, r, c);
        hit[o] = 1;
        if (gm[o] != r * 32 + c) bad++;
      }
    for (long i = 0; i < total; i++)
      if (!hit[i] && gm[i] != -7) bad++;
    ptk_tile back = t_mkl(PTK_ISA_I16, 32, 32, tr, tc, (l + 1) % T_NLAYOUTS, 512);
    CHECK_INT(ptk_isa_tload(&back, &v), 0);
    for (int r = 0; r < tr; r++)
      for (int c = 0; c < tc; c++) bad += t_geti(&back, r, c) != r * 32 + c;
    free(hit);
    free(gm);
    t_free(&t);
    t_free(&back);
  }
  CHECK_INT(bad, 0);
}

TEST(tload_tstore_u8_and_i1) {
  uint8_t gm[4 * 40];
  for (int i = 0; i < 160; i++) gm[i] = (uint8_t)(i * 13);
  ptk_tile t = t_mk(PTK_ISA_I1, 4, 64, 3, 37, PTK_ISA_ROW_MAJOR, PTK_ISA_NONE_BOX, 512);
  ptk_gm_view v = view2(gm, PTK_ISA_U8, 3, 37, 40, 1);
  CHECK_INT(ptk_isa_tload(&t, &v), 0);
  CHECK_INT(t_geti(&t, 2, 36), (uint8_t)((2 * 40 + 36) * 13));
  CHECK_INT(t_geti(&t, 3, 0), 0); /* pad null -> 0 */
  uint8_t out[4 * 40];
  memset(out, 0xEE, sizeof out);
  ptk_gm_view o = view2(out, PTK_ISA_U8, 3, 37, 40, 1);
  CHECK_INT(ptk_isa_tstore(&o, &t, NULL), 0);
  CHECK(memcmp(out, gm, 37) == 0 && out[37] == 0xEE);
  t_free(&t);
}

/* tmov between two windows of one boxed tile (overlapping storage): the
 * result is that of copying element by element in row-major order (rows
 * ascending, then columns), whatever the layout: here the destination is
 * 16 rows down and 16 columns left of the source in a column-major-box
 * tile, so elements written early are read again later. */
TEST(tmov_overlapping_windows_row_order) {
  for (int lay = 0; lay < 2; lay++) {
    ptk_isa_blayout bl = lay ? PTK_ISA_ROW_MAJOR : PTK_ISA_COL_MAJOR;
    ptk_isa_slayout sl = lay ? PTK_ISA_BOX_COL_MAJOR : PTK_ISA_BOX_ROW_MAJOR;
    ptk_tile t = t_mk(PTK_ISA_F32, 64, 64, 64, 64, bl, sl, 512);
    fill_seq(&t);
    ptk_tile ref = t;
    ref.data = malloc(64 * 64 * 4);
    memcpy(ref.data, t.data, 64 * 64 * 4);
    ptk_tile dst, src, rdst, rsrc;
    CHECK_INT(ptk_isa_subview(&t, 16, 0, 48, 48, 48, 48, &dst), 0);
    CHECK_INT(ptk_isa_subview(&t, 0, 16, 48, 48, 48, 48, &src), 0);
    CHECK_INT(ptk_isa_subview(&ref, 16, 0, 48, 48, 48, 48, &rdst), 0);
    CHECK_INT(ptk_isa_subview(&ref, 0, 16, 48, 48, 48, 48, &rsrc), 0);
    for (int r = 0; r < 48; r++)
      for (int c = 0; c < 48; c++) t_setd(&rdst, r, c, t_getd(&rsrc, r, c));
    CHECK_INT(ptk_isa_tmov(&dst, &src, false), 0);
    CHECK(memcmp(t.data, ref.data, 64 * 64 * 4) == 0);
    free(ref.data);
    t_free(&t);
  }
}

/* tmov of whole boxes between layouts with alike boxes (Nz <-> Zz, Zn <->
 * Nn: a copy box by box) and, for contrast, between unlike ones, for each
 * element size; every element checked. */
TEST(tmov_whole_boxes) {
  static const ptk_isa_dtype dts[] = {PTK_ISA_I8, PTK_ISA_I16, PTK_ISA_I32, PTK_ISA_I64};
  static const struct {
    ptk_isa_blayout bl;
    ptk_isa_slayout sl;
  } lays[] = {{PTK_ISA_COL_MAJOR, PTK_ISA_BOX_ROW_MAJOR},
              {PTK_ISA_ROW_MAJOR, PTK_ISA_BOX_ROW_MAJOR},
              {PTK_ISA_ROW_MAJOR, PTK_ISA_BOX_COL_MAJOR},
              {PTK_ISA_COL_MAJOR, PTK_ISA_BOX_COL_MAJOR}};
  int bad = 0;
  for (size_t d = 0; d < PTK_ARRAY_LEN(dts); d++)
    for (size_t a = 0; a < 4; a++)
      for (size_t b = 0; b < 4; b++) {
        ptk_tile src = t_mk(dts[d], 64, 64, 64, 64, lays[a].bl, lays[a].sl, 512);
        ptk_tile dst = t_mk(dts[d], 64, 64, 64, 64, lays[b].bl, lays[b].sl, 512);
        for (int r = 0; r < 64; r++)
          for (int c = 0; c < 64; c++) t_seti(&src, r, c, (r * 64 + c) % 101);
        CHECK_INT(ptk_isa_tmov(&dst, &src, false), 0);
        for (int r = 0; r < 64; r++)
          for (int c = 0; c < 64; c++) bad += t_geti(&dst, r, c) != (r * 64 + c) % 101;
        t_free(&src);
        t_free(&dst);
      }
  CHECK_INT(bad, 0);
}

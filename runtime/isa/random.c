/* trandom: the A5 counter-based (Philox-4x32 style) generator
 * (runtime/isa/README.md, "trandom"). */
#include "runtime/isa/internal.h"

enum { RND_LANES = 64, RND_PER_LOOP = 4 * RND_LANES };

/* ctr[w][l]: word w (0 = least significant) of lane l's 128-bit counter. */
static void ctr_add(uint32_t ctr[4][RND_LANES], int lane, uint64_t v) {
  for (int w = 0; w < 4 && v; w++) {
    uint64_t s = (uint64_t)ctr[w][lane] + v;
    ctr[w][lane] = (uint32_t)s;
    v = s >> 32;
  }
}

int ptk_isa_trandom(const ptk_tile *dst, int64_t key0, int64_t key1, int64_t c0, int64_t c1,
                    int64_t c2, int64_t c3, int64_t rounds) {
  ptk_isa_lay DL;
  int rc = ptk_isa__prep(dst, "trandom", "dst", &DL);
  if (rc) return rc;
  if (dst->dtype != PTK_ISA_I32 && dst->dtype != PTK_ISA_U32)
    return ptk_isa__fail(PTK_ISA_EDTYPE, "trandom: dst must be i32 or u32, not %s",
                         ptk_isa_dtype_name(dst->dtype));
  if (rounds != 7 && rounds != 10)
    return ptk_isa__fail(PTK_ISA_EARG, "trandom: rounds must be 7 or 10, not %lld",
                         (long long)rounds);
  static const uint32_t M0 = 0xD2511F53u, M1 = 0xCD9E8D57u, W0 = 0x9E3779B9u, W1 = 0xBB67AE85u;
  uint32_t ctr[4][RND_LANES];
  const uint32_t base[4] = {(uint32_t)c0, (uint32_t)c1, (uint32_t)c2, (uint32_t)c3};
  for (int l = 0; l < RND_LANES; l++) {
    for (int w = 0; w < 4; w++) ctr[w][l] = base[w];
    ctr_add(ctr, l, (uint64_t)l);
  }
  int32_t cols = dst->vcols, loops = (cols + RND_PER_LOOP - 1) / RND_PER_LOOP;
  for (int32_t r = 0; r < dst->vrows; r++) {
    for (int32_t j = 0; j < loops; j++) {
      for (int l = 0; l < RND_LANES; l++) {
        uint32_t x0 = ctr[0][l], x1 = ctr[1][l], x2 = ctr[2][l], x3 = ctr[3][l];
        uint32_t k0 = (uint32_t)key0, k1 = (uint32_t)key1;
        for (int64_t n = 0; n < rounds; n++) {
          uint64_t p0 = (uint64_t)x0 * M0, p1 = (uint64_t)x2 * M1;
          uint32_t y0 = (uint32_t)(p1 >> 32) ^ x1 ^ k0;
          uint32_t y2 = (uint32_t)(p0 >> 32) ^ x3 ^ k1;
          x1 = (uint32_t)p1;
          x3 = (uint32_t)p0;
          x0 = y0, x2 = y2;
          k0 += W0, k1 += W1;
        }
        /* the interleave puts lane l's four words at columns 4l .. 4l+3 */
        const uint32_t out[4] = {x0, x1, x2, x3};
        for (int w = 0; w < 4; w++) {
          int64_t c = (int64_t)j * RND_PER_LOOP + 4 * l + w;
          if (c < cols) memcpy(ptk_isa__ptr(&DL, r, (int32_t)c), &out[w], 4);
        }
      }
      /* every lane's counter moves by 64, by (cols - 1) % 64 + 1 after a
       * row's last loop (the A5 template's stride) */
      uint64_t step = j != loops - 1 ? RND_LANES : (uint64_t)((cols - 1) % RND_LANES + 1);
      for (int l = 0; l < RND_LANES; l++) ctr_add(ctr, l, step);
    }
  }
  return PTK_ISA_OK;
}

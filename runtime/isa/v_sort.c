/* pto.vbitsort and pto.vmrgsort4: UB-to-UB sorting helpers (v_perm.h). */
#include <math.h>
#include <stdlib.h>

#include "runtime/isa/internal.h"
#include "runtime/isa/v_perm.h"

/* [off, off + n) inside the pointer's memory. */
static bool in_range(const ptk_vptr *p, int64_t n) {
  return p && p->base && p->off >= 0 && n >= 0 && p->off <= p->cap && n <= p->cap - p->off;
}

static double score_of(int dt, const uint8_t *p) {
  if (dt == PTK_ISA_F16) {
    uint16_t h;
    memcpy(&h, p, 2);
    return ptk_f16_to_f32(h);
  }
  float f;
  memcpy(&f, p, 4);
  return f;
}

/* a sorts before b (descending, NaN last); equal: neither. */
static bool before(double a, double b) {
  if (isnan(a)) return false;
  return isnan(b) || a > b;
}

int ptk_v_bitsort(int dt, ptk_vptr dest_, ptk_vptr src_, ptk_vptr idx_, int64_t repeat) {
  const ptk_vptr *dest = &dest_, *src = &src_, *idx = &idx_;
  if (dt != PTK_ISA_F32 && dt != PTK_ISA_F16)
    return ptk_isa__fail(PTK_ISA_EDTYPE, "vbitsort: scores must be f32 or f16");
  if (repeat < 0 || repeat > 255)
    return ptk_isa__fail(PTK_ISA_EARG, "vbitsort: repeat %lld outside [0, 255]", (long long)repeat);
  int64_t ssz = dt == PTK_ISA_F16 ? 2 : 4;
  if (repeat && !in_range(dest, 256 * repeat))
    return ptk_isa__fail(PTK_ISA_ESHAPE, "vbitsort: destination bytes [%lld, %lld) outside a memory of %lld bytes",
                         (long long)dest->off, (long long)(dest->off + 256 * repeat), (long long)dest->cap);
  if (repeat && (!in_range(src, 32 * ssz * repeat) || !in_range(idx, 128 * repeat)))
    return ptk_isa__fail(PTK_ISA_ESHAPE, "vbitsort: %lld groups of 32 scores/indices run past their memory",
                         (long long)repeat);
  for (int64_t g = 0; g < repeat; g++) {
    const uint8_t *sp = src->base + src->off + g * 32 * ssz;
    const uint8_t *ip = idx->base + idx->off + g * 128;
    uint8_t rec[32][8];
    double key[32];
    int ord[32];
    for (int i = 0; i < 32; i++) {
      key[i] = score_of(dt, sp + i * ssz);
      memset(rec[i], 0, 8);
      memcpy(rec[i], sp + i * ssz, (size_t)ssz);
      memcpy(rec[i] + 4, ip + 4 * i, 4);
      ord[i] = i;
    }
    for (int i = 1; i < 32; i++) { /* stable insertion sort */
      int k = ord[i], j = i;
      while (j > 0 && before(key[k], key[ord[j - 1]])) {
        ord[j] = ord[j - 1];
        j--;
      }
      ord[j] = k;
    }
    uint8_t out[256]; /* staged: dest may overlap the sources */
    for (int i = 0; i < 32; i++) memcpy(out + 8 * i, rec[ord[i]], 8);
    memcpy(dest->base + dest->off + g * 256, out, 256);
  }
  return 0;
}

int ptk_v_mrgsort4(int dt, ptk_vptr dest_, ptk_vptr s0, ptk_vptr s1, ptk_vptr s2, ptk_vptr s3,
                   uint64_t count, uint64_t config, uint16_t *done) {
  const ptk_vptr *dest = &dest_, *src[4] = {&s0, &s1, &s2, &s3};
  uint16_t unused[4];
  if (!done) done = unused;
  if (dt != PTK_ISA_F32 && dt != PTK_ISA_F16)
    return ptk_isa__fail(PTK_ISA_EDTYPE, "vmrgsort4: scores must be f32 or f16");
  unsigned rep = config & 0xff, valid = (config >> 8) & 15;
  bool exhaust = (config >> 12) & 1;
  if (rep > 1) return ptk_isa__fail(PTK_ISA_EARG, "vmrgsort4: repeat %u is not supported (only 1)", rep);
  int64_t n[4], total = 0;
  for (int k = 0; k < 4; k++) {
    done[k] = 0;
    n[k] = (valid >> k) & 1 ? (int64_t)((count >> (16 * k)) & 0xffff) : 0;
    if (n[k] && !in_range(src[k], 8 * n[k]))
      return ptk_isa__fail(PTK_ISA_ESHAPE, "vmrgsort4: list %d (%lld records) runs past its memory", k,
                           (long long)n[k]);
    total += n[k];
  }
  if (!in_range(dest, 8 * total))
    return ptk_isa__fail(PTK_ISA_ESHAPE, "vmrgsort4: %lld records run past the destination memory",
                         (long long)total);
  if (total == 0) return 0;
  uint8_t *out = malloc((size_t)total * 8); /* staged: dest may overlap a source */
  if (!out) return PTK_ISA_EARG;
  int64_t pos[4] = {0, 0, 0, 0}, w = 0;
  bool stop = false;
  for (int k = 0; k < 4; k++) /* a valid list that starts empty is already exhausted */
    if (exhaust && ((valid >> k) & 1) && n[k] == 0) stop = true;
  while (!stop && w < total) {
    int best = -1;
    double bk = 0;
    for (int k = 0; k < 4; k++) {
      if (pos[k] >= n[k]) continue;
      double s = score_of(dt, src[k]->base + src[k]->off + 8 * pos[k]);
      if (best < 0 || before(s, bk)) best = k, bk = s;
    }
    memcpy(out + 8 * w++, src[best]->base + src[best]->off + 8 * pos[best], 8);
    pos[best]++;
    if (exhaust && pos[best] == n[best]) stop = true;
  }
  memcpy(dest->base + dest->off, out, (size_t)w * 8);
  free(out);
  for (int k = 0; k < 4; k++) done[k] = (uint16_t)pos[k];
  return 0;
}

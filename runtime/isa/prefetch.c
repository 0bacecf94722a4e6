/* tprefetch_async: an L2-cache warm-up through SDMA (runtime/isa/README.md,
 * "tprefetch_async"). It changes no value a kernel can observe, so the host
 * runs it eagerly at the op as a bounds check of the region the hardware
 * would read: nothing is read or written. */
#include "runtime/isa/internal.h"

int ptk_isa_prefetch_async(ptk_gm_ref src) {
  const ptk_gm_view *v = &src.v;
  static const char op[] = "tprefetch_async";
  if (!v->base) return ptk_isa__fail(PTK_ISA_EARG, "%s: the source does not point into a kernel buffer", op);
  if (v->rank < 1 || v->rank > 5) return ptk_isa__fail(PTK_ISA_EARG, "%s: a source of rank %d", op, v->rank);
  /* the smallest and largest element offset any index reaches */
  int64_t mn = 0, mx = 0;
  for (int d = 0; d < v->rank; d++) {
    if (v->shape[d] < 0) return ptk_isa__fail(PTK_ISA_ESHAPE, "%s: the source has a negative size", op);
    if (v->shape[d] == 0) return 0; /* an empty region: nothing to fetch */
    int64_t span;
    if (__builtin_mul_overflow(v->shape[d] - 1, v->stride[d], &span) ||
        __builtin_add_overflow(span < 0 ? mn : mx, span, span < 0 ? &mn : &mx))
      return ptk_isa__fail(PTK_ISA_ESHAPE, "%s: the source's offsets are out of range", op);
  }
  int64_t esz = (int64_t)ptk_isa_dtype_size(v->dtype), blo, bhi;
  if (__builtin_mul_overflow(mn, esz, &blo) || __builtin_mul_overflow(mx, esz, &bhi) ||
      __builtin_add_overflow(bhi, esz, &bhi) || blo < src.lo || bhi > src.hi) {
    /* element indices of the buffer (its base is lo bytes before the view's) */
    int64_t base = -src.lo / esz, n = (src.hi - src.lo) / esz;
    return ptk_isa__fail(PTK_ISA_ESHAPE,
                         "%s: the source spans elements %lld to %lld of a buffer of %lld element%s; nothing was fetched",
                         op, (long long)(base + mn), (long long)(base + mx), (long long)n, n == 1 ? "" : "s");
  }
  return 0;
}

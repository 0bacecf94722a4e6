/* VPTO special-purpose state (v_spr.h). */
#include "runtime/isa/v_spr.h"

#include <string.h>

#include "runtime/isa/v_mem.h"
#include "runtime/isa/v_perm.h"

static _Thread_local ptk_vspr tspr;

ptk_vspr *ptk_v_spr(void) { return &tspr; }
void ptk_v_spr_reset(void) { memset(&tspr, 0, sizeof tspr); }

int ptk_v_sprclr(int which) {
  if (which == 0) tspr.ar = 0;
  else if (which == 1) tspr.sqzn = 0;
  return 0;
}

static int64_t active(const ptk_vmask *m, unsigned esz) {
  int64_t c = 0;
  for (unsigned i = 0; esz && i < ptk_vlanes(esz); i++) c += ptk_vmask_lane(m, i, esz);
  return c;
}

int ptk_v_sqz_spr(unsigned esz, ptk_vreg *dst, const ptk_vreg *src, const ptk_vmask *m) {
  int rc = ptk_v_sqz(esz, dst, src, m);
  if (!rc) tspr.sqzn = active(m, esz) * (int64_t)esz;
  return rc;
}

int ptk_v_usqz_spr(int dt, ptk_vreg *dst, const ptk_vmask *m) {
  int rc = ptk_v_usqz(dt, dst, m);
  if (!rc) {
    unsigned esz = ptk_vp_esz(dt);
    tspr.sqzn = active(m, esz) * (int64_t)esz;
  }
  return rc;
}

int ptk_v_vstur_spr(ptk_valign *aout, const ptk_valign *ain, const ptk_vreg *v, ptk_vptr p, bool post) {
  return ptk_v_vstur(aout, ain, v, p, &tspr.ar, tspr.sqzn, post);
}

int ptk_v_vstar_spr(const ptk_valign *a, ptk_vptr p) { return ptk_v_vstar(a, p, tspr.ar); }

int ptk_v_mrgsort4_spr(int dt, ptk_vptr dest, ptk_vptr s0, ptk_vptr s1, ptk_vptr s2, ptk_vptr s3,
                       int64_t count, int64_t config) {
  uint16_t done[4] = {0, 0, 0, 0};
  int rc = ptk_v_mrgsort4(dt, dest, s0, s1, s2, s3, (uint64_t)count, (uint64_t)config, done);
  if (!rc) memcpy(tspr.vms4, done, sizeof done);
  return rc;
}

int ptk_v_get_vms4_sr(int64_t *a, int64_t *b, int64_t *c, int64_t *d) {
  *a = (int16_t)tspr.vms4[0];
  *b = (int16_t)tspr.vms4[1];
  *c = (int16_t)tspr.vms4[2];
  *d = (int16_t)tspr.vms4[3];
  return 0;
}

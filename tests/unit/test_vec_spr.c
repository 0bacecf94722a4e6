/* VPTO special registers (runtime/isa/v_spr.h): SQZN from vsqz / vusqz,
 * vstur at base + AR with and without post-update, vstar at base + AR,
 * sprclr, the per-block reset, and VMS4_SR from vmrgsort4. */
#include <string.h>

#include "runtime/isa/v_spr.h"
#include "runtime/isa/vec.h"
#include "tests/unit/ut.h"

static uint8_t ub[1024];
static ptk_vptr U(int64_t off) {
  ptk_vptr p = {ub, sizeof ub, off};
  return p;
}

TEST(spr_sqzn_ar_vstur_vstar) {
  ptk_v_spr_reset();
  memset(ub, 0, sizeof ub);
  ptk_vreg v, s;
  for (int i = 0; i < 64; i++) {
    float f = (float)(i + 1);
    memcpy(v.b + 4 * i, &f, 4);
  }
  ptk_vmask m;
  memset(&m, 0, sizeof m);
  for (int i = 0; i < 64; i += 8) ptk_vmask_set(&m, (unsigned)i * 4, true); /* 8 lanes */
  CHECK_INT(ptk_v_sqz_spr(4, &s, &v, &m), 0);
  CHECK_INT(ptk_v_spr()->sqzn, 32);
  ptk_valign a0, a1, a2;
  ptk_v_init_align(&a0);
  CHECK_INT(ptk_v_vstur_spr(&a1, &a0, &s, U(64), false), 0); /* no post-update: AR stays 0 */
  CHECK_INT(ptk_v_spr()->ar, 0);
  CHECK_INT(ptk_v_vstur_spr(&a1, &a0, &s, U(64), true), 0);
  CHECK_INT(ptk_v_spr()->ar, 32);
  CHECK_INT(ptk_v_vstur_spr(&a2, &a1, &s, U(64), true), 0);
  CHECK_INT(ptk_v_spr()->ar, 64);
  CHECK_INT(ptk_v_vstar_spr(&a2, U(64)), 0);
  for (int i = 0; i < 16; i++) {
    float f;
    memcpy(&f, ub + 64 + 4 * i, 4);
    CHECK_INT((int)f, (i % 8) * 8 + 1);
  }
  /* vusqz sets SQZN too; sprclr clears AR / SQZN; reset clears everything */
  ptk_vreg u;
  CHECK_INT(ptk_v_usqz_spr(PTK_ISA_I16, &u, &m), 0);
  CHECK_INT(ptk_v_spr()->sqzn, 2 * 8); /* b16 lanes 0, 16, ..., 112: 8 lanes of 2 bytes */
  CHECK_INT(ptk_v_sprclr(0), 0);
  CHECK_INT(ptk_v_spr()->ar, 0);
  CHECK_INT(ptk_v_sprclr(1), 0);
  CHECK_INT(ptk_v_spr()->sqzn, 0);
  ptk_v_spr()->ar = 5;
  ptk_v_spr()->vms4[2] = 9;
  ptk_v_spr_reset();
  CHECK_INT(ptk_v_spr()->ar, 0);
  CHECK_INT(ptk_v_spr()->vms4[2], 0);
  /* a flush past the memory fails */
  CHECK_INT(ptk_v_sqz_spr(4, &s, &v, &m), 0);
  CHECK_INT(ptk_v_vstur_spr(&a1, &a0, &s, U(1000), true), 0);
  CHECK(ptk_v_vstar_spr(&a1, U(1000)) != 0);
}

TEST(spr_vms4_from_mrgsort4) {
  ptk_v_spr_reset();
  memset(ub, 0, sizeof ub);
  /* list k: one record (score 10 - k, index k) at byte 32k; out at 512 */
  for (int k = 0; k < 4; k++) {
    float f = (float)(10 - k);
    uint32_t idx = (uint32_t)k;
    memcpy(ub + 32 * k, &f, 4);
    memcpy(ub + 32 * k + 4, &idx, 4);
  }
  int64_t count = 1 | (int64_t)1 << 16 | (int64_t)1 << 32 | (int64_t)1 << 48;
  CHECK_INT(ptk_v_mrgsort4_spr(PTK_ISA_F32, U(512), U(0), U(32), U(64), U(96), count, 0xF00 | 1), 0);
  int64_t a, b, c, d;
  CHECK_INT(ptk_v_get_vms4_sr(&a, &b, &c, &d), 0);
  CHECK_INT(a, 1);
  CHECK_INT(b, 1);
  CHECK_INT(c, 1);
  CHECK_INT(d, 1);
  float f;
  memcpy(&f, ub + 512 + 24, 4);
  CHECK_INT((int)f, 7);
  /* exhausted suspension: stops after the first list runs out */
  CHECK_INT(ptk_v_mrgsort4_spr(PTK_ISA_F32, U(512), U(0), U(32), U(64), U(96), count, 0x1F00 | 1), 0);
  CHECK_INT(ptk_v_get_vms4_sr(&a, &b, &c, &d), 0);
  CHECK_INT(a + b + c + d, 1);
  /* a failing merge leaves the register as it was */
  CHECK(ptk_v_mrgsort4_spr(PTK_ISA_F32, U(1020), U(0), U(32), U(64), U(96), count, 0xF00 | 1) != 0);
  CHECK_INT(ptk_v_get_vms4_sr(&a, &b, &c, &d), 0);
  CHECK_INT(a + b + c + d, 1);
}

/* Helpers for the pass unit tests (tests/unit/test_pass_*.c): read .pto
 * text, run something over the module, print it back. */
#ifndef PTK_TESTS_UNIT_PASS_HELPERS_H
#define PTK_TESTS_UNIT_PASS_HELPERS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/passes/passes.h"
#include "backend/verify.h"
#include "parser/pto_print.h"
#include "parser/pto_read.h"
#include "tests/unit/ut.h"

typedef struct pt_ir {
  ptk_source *src;
  ptk_diags *d;
  ptk_module *m;
} pt_ir;

static inline pt_ir pt_read(const char *text) {
  pt_ir r;
  r.src = ptk_source_from_string("t.pto", text, strlen(text));
  r.d = ptk_diags_new();
  r.m = ptk_pto_read(r.src, r.d);
  if (!r.m) ptk_diags_print(r.d, stderr);
  CHECK(r.m != NULL);
  return r;
}

static inline pt_ir pt_load(const char *path) {
  pt_ir r;
  r.src = ptk_source_load(path);
  r.d = ptk_diags_new();
  r.m = r.src ? ptk_pto_read(r.src, r.d) : NULL;
  return r;
}

static inline void pt_free(pt_ir *r) {
  ptk_module_free(r->m);
  ptk_diags_free(r->d);
  ptk_source_free(r->src);
}

/* The module printed (caller frees). */
static inline char *pt_print(const ptk_module *m) {
  ptk_buf b = {0};
  ptk_pto_print(m, &b);
  return ptk_buf_take(&b);
}

/* The diagnostics rendered without colour (caller frees). */
static inline char *pt_diags(const ptk_diags *d) {
  ptk_buf b = {0};
  ptk_diags_render(d, &b, false);
  return ptk_buf_take(&b);
}

/* The module must still verify. */
static inline void pt_verify(pt_ir *r) {
  ptk_diags *d = ptk_diags_new();
  bool ok = ptk_verify_module(r->m, d);
  if (!ok) ptk_diags_print(d, stderr);
  CHECK(ok);
  ptk_diags_free(d);
}

/* Applies fn to the module read from `in`, verifies, and compares the
 * printed result with `want`. */
static inline void pt_expect(const char *in, void (*fn)(pt_ir *), const char *want) {
  pt_ir r = pt_read(in);
  if (!r.m) {
    pt_free(&r);
    return;
  }
  fn(&r);
  pt_verify(&r);
  char *got = pt_print(r.m);
  CHECK_STR(got, want);
  free(got);
  pt_free(&r);
}

#endif

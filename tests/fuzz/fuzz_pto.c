/* libFuzzer target over the .pto front end: the re2c lexer, the Lemon
 * grammar and the IR builder (ptk_pto_read), the printer and ptk_ir_equal.
 * Built by `make fuzz`; see tests/fuzz/README.md.
 *
 * Besides "does not crash, hang or leak", the round-trip contract is
 * checked on every input that reads: the printed text reads again without
 * diagnostics, the two modules are structurally equal, and printing the
 * second gives the same text (printing is a fixpoint). Every rejected
 * input must come with at least one located error. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/diag.h"
#include "lang/ir/ir.h"
#include "parser/pto_print.h"
#include "parser/pto_read.h"

#define MAX_INPUT (1u << 20)

static void fail(const char *what, const char *text) {
  fprintf(stderr, "fuzz_pto: %s\n--- printed text ---\n%s\n", what, text ? text : "");
  abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > MAX_INPUT) return 0;
  ptk_source *src = ptk_source_from_string("fuzz.pto", (const char *)data, size);
  if (!src) return 0;
  ptk_diags *d = ptk_diags_new();
  ptk_module *m = ptk_pto_read(src, d);
  ptk_buf rendered = {0};
  ptk_diags_render(d, &rendered, false);
  if (!m) {
    if (ptk_diags_errors(d) == 0) fail("rejected without an error", NULL);
    if (d->items.data[0].line == 0) fail("error without a line", ptk_buf_cstr(&rendered));
  } else {
    ptk_buf p1 = {0}, p2 = {0};
    ptk_pto_print(m, &p1);
    ptk_source *s2 = ptk_source_from_string("printed.pto", ptk_buf_cstr(&p1), p1.len);
    ptk_diags *d2 = ptk_diags_new();
    ptk_module *m2 = ptk_pto_read(s2, d2);
    if (!m2) {
      ptk_buf r2 = {0};
      ptk_diags_render(d2, &r2, false);
      fprintf(stderr, "%s", ptk_buf_cstr(&r2));
      fail("printed text does not read back", ptk_buf_cstr(&p1));
    }
    ptk_buf why = {0};
    if (!ptk_ir_equal(m, m2, &why)) {
      fprintf(stderr, "why: %s\n", ptk_buf_cstr(&why));
      fail("re-read module is not equal", ptk_buf_cstr(&p1));
    }
    ptk_pto_print(m2, &p2);
    if (p1.len != p2.len || memcmp(ptk_buf_cstr(&p1), ptk_buf_cstr(&p2), p1.len) != 0)
      fail("printing is not a fixpoint", ptk_buf_cstr(&p1));
    ptk_buf_free(&why);
    ptk_buf_free(&p1);
    ptk_buf_free(&p2);
    ptk_module_free(m2);
    ptk_diags_free(d2);
    ptk_source_free(s2);
    ptk_module_free(m);
  }
  ptk_buf_free(&rendered);
  ptk_diags_free(d);
  ptk_source_free(src);
  return 0;
}

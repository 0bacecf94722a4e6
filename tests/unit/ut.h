/* A tiny unit-test framework. Tests register themselves at load time:
 *
 *   TEST(lexer_hex) { CHECK_INT(lex1("0x1F").ival, 31); }
 *
 * A test's name is "<file stem>.<name>" (e.g. "test_lexer.lexer_hex"); `make
 * test K=REGEX` selects by PCRE2 search on "unit/<that name>". A failed check
 * reports and the test continues, so one run shows every mismatch. */
#ifndef PTK_TESTS_UT_H
#define PTK_TESTS_UT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef void (*ut_fn)(void);
void ut_register(const char *file, const char *name, ut_fn fn);

#define TEST(name)                                                                                 \
  static void ut_test_##name(void);                                                                \
  __attribute__((constructor)) static void ut_reg_##name(void) {                                  \
    ut_register(__FILE__, #name, ut_test_##name);                                                  \
  }                                                                                                \
  static void ut_test_##name(void)

bool ut_check(bool ok, const char *expr, const char *file, int line);
bool ut_check_int(long long a, long long b, const char *ea, const char *eb, const char *file,
                  int line);
bool ut_check_uint(unsigned long long a, unsigned long long b, const char *ea, const char *eb,
                   const char *file, int line);
bool ut_check_str(const char *a, const char *b, const char *ea, const char *eb, const char *file,
                  int line);
/* Bit-exact for tol == 0 (NaN equals NaN); otherwise |a-b| <= tol. */
bool ut_check_dbl(double a, double b, double tol, const char *ea, const char *eb, const char *file,
                  int line);

#define CHECK(c) ut_check(!!(c), #c, __FILE__, __LINE__)
#define CHECK_INT(a, b) ut_check_int((long long)(a), (long long)(b), #a, #b, __FILE__, __LINE__)
#define CHECK_UINT(a, b)                                                                           \
  ut_check_uint((unsigned long long)(a), (unsigned long long)(b), #a, #b, __FILE__, __LINE__)
#define CHECK_STR(a, b) ut_check_str((a), (b), #a, #b, __FILE__, __LINE__)
#define CHECK_DBL(a, b, tol) ut_check_dbl((a), (b), (tol), #a, #b, __FILE__, __LINE__)

#endif

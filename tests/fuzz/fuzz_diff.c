/* libFuzzer target: differential, the interpreter on a .pto kernel before vs after the
 * optimizing passes (canonicalize, cse). See fuzz_backend.h and tests/fuzz/README.md. */
#define FUZZ_DIFF 1
#include "tests/fuzz/fuzz_backend.h"

/* libFuzzer target: .pto -> reader -> pass pipeline (verifier after each pass) -> bounded
 * interpreter run. See fuzz_backend.h and tests/fuzz/README.md. */
#include "tests/fuzz/fuzz_backend.h"

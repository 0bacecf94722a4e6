/* libFuzzer target: .ptk -> tracer -> pass pipeline (verifier after each pass) -> bounded
 * interpreter run. See fuzz_backend.h and tests/fuzz/README.md. */
#define FUZZ_PTK 1
#include "tests/fuzz/fuzz_backend.h"

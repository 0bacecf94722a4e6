#include "runtime/ptk.h"

#include "lang/version.h"

const char *ptk_version(void) { return PTK_VERSION; }

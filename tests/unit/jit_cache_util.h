/* A private JIT cache folder per test program (created at start, removed at
 * exit by the process that made it, not by forked test children), and JIT
 * options that use it. Header-only; include once per test file. */
#ifndef PTK_TESTS_UNIT_JIT_CACHE_UTIL_H
#define PTK_TESTS_UNIT_JIT_CACHE_UTIL_H

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime/jit/jit.h"
#include "tests/unit/api_util.h"

static char *cache;
static pid_t cache_owner;

static void cache_rm(void) {
  if (cache && getpid() == cache_owner) au_rm_tree(cache);
}

__attribute__((constructor)) static void cache_init(void) {
  cache = au_tmpdir();
  cache_owner = getpid();
  atexit(cache_rm);
}

static inline ptk_jit_opts jopts(void) {
  ptk_jit_opts o;
  memset(&o, 0, sizeof o);
  o.cache_dir = cache;
  return o;
}

#endif

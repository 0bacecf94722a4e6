/* The launch's helper threads (runtime/launch.c): a process-wide pool that
 * launches on several threads wake instead of creating. Results of many
 * multi-threaded launches in a row, of launches from two threads at once
 * (more helpers than one launch needs), and of a launch in a forked child
 * (whose parent's helpers do not exist there) are checked element by
 * element. Public API only. */
#include "tests/unit/api_util.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/ptk.h"
#include "tests/unit/ut.h"

/* y = 3 * x over n elements in 64-element tiles shared by the blocks */
static const char SCALE3[] =
    "kernel scale3(x: ptr<f32> in, y: ptr<f32> out, n: i32) {\n"
    "  let xv = make_tensor_view(x, shape = [1, n], strides = [n, 1]);\n"
    "  let yv = make_tensor_view(y, shape = [1, n], strides = [n, 1]);\n"
    "  for off in range(block_idx() * 64, n, block_num() * 64) {\n"
    "    let len = min(n - off, 64);\n"
    "    let a = alloc_tile(shape = [1, 64], dtype = f32, loc = vec, valid = [1, len]);\n"
    "    tload(xv[0:1, off:off + len], a);\n"
    "    tmuls(a, 3.0, a);\n"
    "    tstore(a, yv[0:1, off:off + len]);\n"
    "  }\n"
    "}\n";

enum { N = 1000 };

/* launches k `times` times on `blocks` blocks; the number of launches whose
 * output is not 3 * x (or that failed) */
static int run_many(ptk_kernel *k, int times, uint32_t blocks, unsigned seed) {
  int64_t n = N;
  ptk_tensor *x = ptk_tensor_new(PTK_F32, 1, &n), *y = ptk_tensor_new(PTK_F32, 1, &n);
  float *xp = ptk_tensor_data(x), *yp = ptk_tensor_data(y);
  int bad = 0;
  for (int t = 0; t < times; t++) {
    for (int i = 0; i < N; i++) xp[i] = (float)((i * 7 + t + (int)seed) % 97) - 48.0f, yp[i] = -1;
    ptk_arg a[3] = {ptk_arg_tensor(x), ptk_arg_tensor(y), ptk_arg_int(N)};
    if (ptk_launch(k, blocks, a, 3, NULL) != PTK_OK) {
      bad++;
      continue;
    }
    int wrong = 0;
    for (int i = 0; i < N; i++) wrong += yp[i] != 3.0f * xp[i];
    bad += wrong != 0;
  }
  ptk_tensor_free(x);
  ptk_tensor_free(y);
  return bad;
}

static ptk_kernel *load(ptk_ctx **c, uint32_t threads, const char *engine) {
  ptk_options o = {0};
  o.threads = threads;
  o.engine = engine;
  ptk_err err = {0};
  *c = ptk_open(&o, &err);
  ptk_kernel *k = *c ? ptk_load_string(*c, SCALE3, "scale3.ptk", NULL, NULL, 0, &err) : NULL;
  if (!k) printf("  %s\n", err.message ? err.message : "?");
  ptk_err_clear(&err);
  return k;
}

TEST(pool_many_launches_threads) {
  for (uint32_t th = 2; th <= 4; th++) {
    ptk_ctx *c;
    ptk_kernel *k = load(&c, th, NULL);
    CHECK(k != NULL);
    if (k) CHECK_INT(run_many(k, 200, 8, th), 0);
    ptk_close(c);
  }
}

typedef struct {
  ptk_kernel *k;
  unsigned seed;
  int bad;
} job;
static void *job_main(void *p) {
  job *j = p;
  j->bad = run_many(j->k, 100, 6, j->seed);
  return NULL;
}

TEST(pool_concurrent_launches) {
  ptk_ctx *c;
  ptk_kernel *k = load(&c, 3, NULL);
  CHECK(k != NULL);
  if (k) {
    job j1 = {k, 1, -1}, j2 = {k, 2, -1};
    pthread_t t1, t2;
    CHECK_INT(pthread_create(&t1, NULL, job_main, &j1), 0);
    CHECK_INT(pthread_create(&t2, NULL, job_main, &j2), 0);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    CHECK_INT(j1.bad, 0);
    CHECK_INT(j2.bad, 0);
  }
  ptk_close(c);
}

TEST(pool_launch_in_forked_child) {
  ptk_ctx *c;
  ptk_kernel *k = load(&c, 2, NULL);
  CHECK(k != NULL);
  if (k) {
    CHECK_INT(run_many(k, 20, 4, 5), 0); /* the parent has helpers now */
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
      alarm(20); /* a launch waiting for a helper that does not exist hangs */
      _exit(run_many(k, 20, 4, 6) == 0 ? 0 : 1);
    }
    int st = 0;
    CHECK(pid > 0 && waitpid(pid, &st, 0) == pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
  }
  ptk_close(c);
}

/* Stopping launches (ptk_cancel, ptk_set_timeout, SIGINT in ptk run) and
 * allocation failures in a launch (issue 16). */
#include "tests/unit/api_util.h"

#include <fcntl.h>
#include <pthread.h>
#include <time.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "lang/util.h"
#include "runtime/ptk.h"
#include "tests/unit/ut.h"

static const char SPIN[] =
    "kernel spin(x: ptr<f32> inout, stop: i32) {\n"
    "  let xv = make_tensor_view(x, shape = [1, 16], strides = [16, 1]);\n"
    "  let a = alloc_tile(shape = [1, 16], dtype = f32, loc = vec);\n"
    "  tload(xv[0:1, 0:16], a);\n"
    "  for i in range(0, 2147483647, stop) {\n"
    "    tadds(a, 1.0, a);\n"
    "  }\n"
    "  tstore(a, xv[0:1, 0:16]);\n"
    "}\n";

static char *au_read_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  char *b = calloc(1, 65537);
  size_t n = b ? fread(b, 1, 65536, f) : 0;
  (void)n;
  fclose(f);
  return b;
}

typedef struct launch_job {
  ptk_kernel *k;
  ptk_tensor *x;
  int rc;
  char *msg;
} launch_job;

static void *launch_thread(void *arg) {
  launch_job *j = arg;
  ptk_arg a[2] = {ptk_arg_tensor(j->x), ptk_arg_int(1)};
  ptk_err e = {0};
  j->rc = ptk_launch(j->k, 3, a, 2, &e);
  j->msg = e.message;
  return NULL;
}

TEST(stop_cancel_api) {
  ptk_err e = {0};
  ptk_ctx *c = ptk_open(NULL, &e);
  ptk_kernel *k = ptk_load_string(c, SPIN, "spin.ptk", NULL, NULL, 0, &e);
  CHECK(k);
  if (!k) return;
  int64_t shape[1] = {16};
  launch_job j = {k, ptk_tensor_new(PTK_F32, 1, shape), -1, NULL};
  pthread_t th;
  CHECK(pthread_create(&th, NULL, launch_thread, &j) == 0);
  /* cancel until the launch has returned (a cancel before it registers is a no-op) */
  for (;;) {
    CHECK(ptk_cancel(k, &e) == PTK_OK);
    struct timespec ts = {0, 2000000};
    nanosleep(&ts, NULL);
    if (j.rc != -1) break;
  }
  pthread_join(th, NULL);
  CHECK(j.rc == PTK_ERR_STOPPED);
  CHECK(j.msg && strstr(j.msg, "spin.ptk:5:3: error: launch of kernel 'spin' cancelled: block 0 was stopped in scf.for"));
  free(j.msg);
  CHECK(ptk_cancel(NULL, &e) == PTK_ERR_ARG);
  ptk_err_clear(&e);
  /* the kernel still runs normally afterwards */
  ptk_arg a[2] = {ptk_arg_tensor(j.x), ptk_arg_int(2147483647)};
  CHECK(ptk_launch(k, 1, a, 2, &e) == PTK_OK);
  ptk_tensor_free(j.x);
  ptk_close(c);
}

TEST(stop_timeout_api) {
  ptk_err e = {0};
  ptk_ctx *c = ptk_open(NULL, &e);
  ptk_kernel *k = ptk_load_string(c, SPIN, "spin.ptk", NULL, NULL, 0, &e);
  CHECK(k);
  if (!k) return;
  CHECK(ptk_set_timeout(c, -1, &e) == PTK_ERR_ARG);
  ptk_err_clear(&e);
  CHECK(ptk_set_timeout(c, 0.05, &e) == PTK_OK);
  int64_t shape[1] = {16};
  ptk_tensor *x = ptk_tensor_new(PTK_F32, 1, shape);
  ptk_arg a[2] = {ptk_arg_tensor(x), ptk_arg_int(1)};
  CHECK(ptk_launch(k, 2, a, 2, &e) == PTK_ERR_STOPPED);
  CHECK(e.message && strstr(e.message, "spin.ptk:5:3: error: launch of kernel 'spin' timed out after 0.05 s: block 0 was stopped in scf.for"));
  ptk_err_clear(&e);
  ptk_tensor_free(x);
  ptk_close(c);
}

/* ptk run interrupted by SIGINT: the launch stops, exit status 130, the
 * error names the loop, no --out files. */
TEST(stop_sigint_cli) {
  const char *ptk = au_path("build/ptk");
  if (access(ptk, X_OK)) return; /* another build folder: covered by lit */
  char *dir = au_tmpdir();
  char src[4200], out[4200], err[4200];
  snprintf(src, sizeof src, "%s/spin.ptk", dir);
  snprintf(out, sizeof out, "%s/out", dir);
  snprintf(err, sizeof err, "%s/err", dir);
  FILE *f = fopen(src, "w");
  fputs(SPIN, f);
  fclose(f);
  pid_t pid = fork();
  if (pid == 0) {
    signal(SIGINT, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    int fd = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(fd, 2);
    execl(ptk, ptk, "run", src, "--out", out, "--", "zeros:f32:16", "1", (char *)NULL);
    _exit(127);
  }
  /* wait until ptk has blocked SIGINT for its signal thread */
  char st[64];
  snprintf(st, sizeof st, "/proc/%ld/status", (long)pid);
  for (int tries = 0; tries < 20000; tries++) {
    FILE *s = fopen(st, "r");
    char line[256];
    bool blocked = false;
    while (s && fgets(line, sizeof line, s))
      if (!strncmp(line, "SigBlk:", 7)) blocked = (strtoull(line + 7, NULL, 16) & 2) != 0;
    if (s) fclose(s);
    if (blocked) break;
    struct timespec ts = {0, 1000000};
    nanosleep(&ts, NULL);
  }
  kill(pid, SIGINT);
  int status = 0;
  waitpid(pid, &status, 0);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 130);
  char *msg = au_read_file(err);
  CHECK(msg && strstr(msg, "interrupted (SIGINT)"));
  free(msg);
  CHECK(access(out, F_OK) != 0);
  au_rm_tree(dir);
  free(dir);
}

#ifndef __SANITIZE_ADDRESS__
/* A launch that cannot allocate its private tiles: a located error and
 * PTK_ERR_NOMEM, not abort(). The child process runs under an address
 * space limit. */
TEST(stop_out_of_memory) {
  /* The on-chip memories are allocated on first use (mmap-sized blocks);
   * under an address-space limit that allows no new mapping, the launch
   * must fail with a located error. */
  ptk_buf b = {0};
  ptk_buf_puts(&b, "kernel big(y: ptr<f32> out) {\n"
                   "  let yv = make_tensor_view(y, shape = [1, 16384], strides = [16384, 1]);\n");
  for (int i = 0; i < 4; i++)
    ptk_buf_printf(&b, "  let t%d = alloc_tile(shape = [1, 16384], dtype = f32, loc = vec);\n"
                       "  texpands(1.0, t%d);\n  tstore(t%d, yv[0:1, 0:16384]);\n", i, i, i);
  ptk_buf_puts(&b, "}\n");
  ptk_err e = {0};
  ptk_ctx *c = ptk_open(NULL, &e);
  ptk_kernel *k = ptk_load_string(c, ptk_buf_cstr(&b), "big.ptk", NULL, NULL, 0, &e);
  ptk_buf_free(&b);
  CHECK(k);
  if (!k) return;
  int64_t shape[1] = {16384};
  ptk_tensor *y = ptk_tensor_new(PTK_F32, 1, shape);
  pid_t pid = fork();
  if (pid == 0) {
    FILE *s = fopen("/proc/self/statm", "r");
    unsigned long pages = 0;
    if (!s || fscanf(s, "%lu", &pages) != 1) _exit(3);
    fclose(s);
    struct rlimit rl = {(rlim_t)pages * 4096, RLIM_INFINITY}; /* no new mappings */
    setrlimit(RLIMIT_AS, &rl);
    ptk_arg a[1] = {ptk_arg_tensor(y)};
    ptk_err e2 = {0};
    int rc = ptk_launch(k, 1, a, 1, &e2);
    _exit(rc == PTK_ERR_NOMEM && e2.message &&
                  strstr(e2.message, "big.ptk:3:12: error: out of memory in kernel 'big' (block 0): cannot allocate 196608") &&
                  strstr(e2.message, "bytes for vec (UB)")
              ? 0
              : 1);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  ptk_arg a[1] = {ptk_arg_tensor(y)};
  CHECK(ptk_launch(k, 1, a, 1, &e) == PTK_OK); /* without the limit it runs */
  ptk_tensor_free(y);
  ptk_close(c);
}
#endif

/* ptk-lit: runs lit-style tests (see tests/lit/README.md).
 *
 *   ptk-lit --ptk PATH [-k REGEX] [--summary FILE] [-v] [-j N] [--timeout S] PATH...
 *   ptk-lit --self-test
 *
 * Each test runs in a forked worker process (at most -j at a time); reports
 * are printed in test order whatever order the workers finish in. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/tools/lit/lit.h"

#define MAX_OUTPUT (64u << 20)

typedef struct {
  char *path; /* absolute */
  char *name; /* lit/<relative path> */
  lit_test t;
  pid_t pid;
  int status;
  bool done;
} item;

static PTK_VEC(item) items;
static const char *ptk_path, *lit_path, *root;
static double timeout_s = 60;

/* ---- small helpers ---------------------------------------------------- */

static char *absolute(const char *p) {
  char buf[PATH_MAX];
  if (realpath(p, buf)) return ptk_xstrdup(buf);
  if (p[0] == '/') return ptk_xstrdup(p);
  if (!getcwd(buf, sizeof buf)) return ptk_xstrdup(p);
  return ptk_xasprintf("%s/%s", buf, p);
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st, (void)ftw;
  if (flag == FTW_DP)
    rmdir(p);
  else
    unlink(p);
  return 0;
}

static void rm_rf(const char *p) { nftw(p, rm_one, 16, FTW_DEPTH | FTW_PHYS); }

/* Shell-quotes a path when it holds characters the shell would interpret. */
static void put_path(ptk_buf *b, const char *p) {
  if (p[strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_/.+-,=:@")] ==
      0) {
    ptk_buf_puts(b, p);
    return;
  }
  ptk_buf_putc(b, '\'');
  for (; *p; p++) {
    if (*p == '\'')
      ptk_buf_puts(b, "'\\''");
    else
      ptk_buf_putc(b, *p);
  }
  ptk_buf_putc(b, '\'');
}

static char *substitute(const char *cmd, const char *file, const char *dir, const char *tmp) {
  ptk_buf b = {0};
  for (const char *p = cmd; *p; p++) {
    if (*p != '%') {
      ptk_buf_putc(&b, *p);
      continue;
    }
    if (p[1] == '%') {
      ptk_buf_putc(&b, '%');
      p++;
    } else if (!strncmp(p, "%ptk", 4)) {
      put_path(&b, ptk_path);
      p += 3;
    } else if (!strncmp(p, "%lit", 4)) {
      put_path(&b, lit_path);
      p += 3;
    } else if (p[1] == 's') {
      put_path(&b, file);
      p++;
    } else if (p[1] == 'S') {
      put_path(&b, dir);
      p++;
    } else if (p[1] == 't') {
      put_path(&b, tmp);
      p++;
    } else
      ptk_buf_putc(&b, '%');
  }
  return ptk_buf_take(&b);
}

/* ---- discovery -------------------------------------------------------- */

static bool has_ext(const char *n) {
  size_t l = strlen(n);
  return l > 4 && (!strcmp(n + l - 4, ".ptk") || !strcmp(n + l - 4, ".pto"));
}

static void add_item(const char *abs, const char *rel) {
  item it = {0};
  it.path = ptk_xstrdup(abs);
  it.name = ptk_xasprintf("lit/%s", rel);
  ptk_vec_push(&items, it);
}

static void walk(const char *abs, const char *rel) {
  DIR *d = opendir(abs);
  if (!d) return;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.' || !strcmp(e->d_name, "Inputs")) continue;
    char *a = ptk_xasprintf("%s/%s", abs, e->d_name);
    char *r = *rel ? ptk_xasprintf("%s/%s", rel, e->d_name) : ptk_xstrdup(e->d_name);
    struct stat st;
    if (stat(a, &st) == 0) {
      if (S_ISDIR(st.st_mode))
        walk(a, r);
      else if (S_ISREG(st.st_mode) && has_ext(e->d_name))
        add_item(a, r);
    }
    free(a);
    free(r);
  }
  closedir(d);
}

static int by_name(const void *a, const void *b) {
  return strcmp(((const item *)a)->name, ((const item *)b)->name);
}

/* ---- running one test (inside a worker process) ----------------------- */

typedef enum { ST_EXITED, ST_SIGNALED, ST_TIMEOUT, ST_ERROR } st_kind;

/* Runs cmd with /bin/sh from dir, output to fd, killed at deadline. */
static st_kind run_cmd(const char *cmd, const char *dir, int fd, double deadline, int *code) {
  sigset_t set, old;
  sigemptyset(&set);
  sigaddset(&set, SIGCHLD);
  sigprocmask(SIG_BLOCK, &set, &old);
  pid_t pid = fork();
  if (pid < 0) return ST_ERROR;
  if (pid == 0) {
    sigprocmask(SIG_SETMASK, &old, NULL);
    setpgid(0, 0);
    int in = open("/dev/null", O_RDONLY);
    if (in >= 0) dup2(in, 0);
    dup2(fd, 1);
    dup2(fd, 2);
    if (chdir(dir) != 0) _exit(126);
    execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
    _exit(127);
  }
  setpgid(pid, pid);
  int st = 0;
  st_kind kind = ST_EXITED;
  for (;;) {
    /* Detect the exit without reaping, so the process group still exists
     * (and its id cannot be reused) when we kill what the command left. */
    siginfo_t si;
    si.si_pid = 0;
    int r = waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT);
    if (r == 0 && si.si_pid == pid) {
      kill(-pid, SIGKILL);
      waitpid(pid, &st, 0);
      break;
    }
    if (r < 0 && errno != EINTR) {
      kind = ST_ERROR;
      break;
    }
    double left = deadline - now();
    if (left <= 0) {
      kill(-pid, SIGKILL);
      kill(pid, SIGKILL);
      waitpid(pid, &st, 0);
      kind = ST_TIMEOUT;
      break;
    }
    if (left > 0.1) left = 0.1;
    struct timespec ts = {0, (long)(left * 1e9)};
    sigtimedwait(&set, NULL, &ts);
  }
  sigprocmask(SIG_SETMASK, &old, NULL);
  if (kind != ST_EXITED) return kind;
  if (WIFSIGNALED(st)) {
    *code = WTERMSIG(st);
    return ST_SIGNALED;
  }
  *code = WEXITSTATUS(st);
  return ST_EXITED;
}

static void read_fd(int fd, ptk_buf *out) {
  off_t size = lseek(fd, 0, SEEK_END);
  if (size <= 0) return;
  lseek(fd, 0, SEEK_SET);
  size_t n = (size_t)size > MAX_OUTPUT ? MAX_OUTPUT : (size_t)size;
  char *tmp = ptk_xmalloc(n);
  size_t got = 0;
  while (got < n) {
    ssize_t r = read(fd, tmp + got, n - got);
    if (r <= 0) break;
    got += (size_t)r;
  }
  ptk_buf_putn(out, tmp, got);
  if ((size_t)size > MAX_OUTPUT) ptk_buf_puts(out, "\n[ptk-lit: output truncated]\n");
  free(tmp);
}

/* Returns 0 on pass, 1 on fail; the report goes to rep. */
static int run_test(item *it, size_t idx, ptk_buf *rep) {
  lit_test *t = &it->t;
  if (t->n_errors) {
    ptk_buf_puts(rep, "  error in the test file:\n");
    ptk_buf_puts(rep, ptk_buf_cstr(&t->errors));
    if (t->runs.len == 0) ptk_buf_puts(rep, "  (no valid RUN line)\n");
    return 1;
  }
  char *dir = ptk_xstrdup(it->path);
  *strrchr(dir, '/') = 0;
  const char *base = strrchr(it->path, '/') + 1;
  char *tdir = ptk_xasprintf("%s/%zu", root, idx);
  char *tmp = ptk_xasprintf("%s/%s.tmp", tdir, base);
  char *outf = ptk_xasprintf("%s.out", tdir);
  mkdir(tdir, 0700);
  ptk_buf out = {0}, cmds = {0};
  double deadline = now() + timeout_s;
  int result = 0;
  for (size_t i = 0; i < t->runs.len && !result; i++) {
    const lit_run *r = &t->runs.data[i];
    char *cmd = substitute(r->cmd, it->path, dir, tmp);
    const char *body = cmd;
    while (*body == ' ' || *body == '\t') body++;
    bool neg = !strncmp(body, "not ", 4);
    if (neg) body += 4;
    ptk_buf_printf(&cmds, "  $ %s    (%s:%d)\n", cmd, base, r->line);
    int fd = open(outf, O_RDWR | O_CREAT | O_TRUNC, 0600);
    int code = 0;
    st_kind k = fd < 0 ? ST_ERROR : run_cmd(body, dir, fd, deadline, &code);
    size_t before = out.len;
    if (fd >= 0) {
      read_fd(fd, &out);
      close(fd);
    }
    const char *why = NULL;
    if (k == ST_ERROR)
      ptk_buf_puts(&cmds, "    could not run the command\n"), why = "";
    else if (k == ST_TIMEOUT)
      ptk_buf_printf(&cmds, "    timed out after %g s (killed)\n", timeout_s), why = "";
    else if (k == ST_SIGNALED)
      ptk_buf_printf(&cmds, "    killed by signal %d (%s): crash\n", code, strsignal(code)),
          why = "";
    else {
      bool crash = code == 98 || code == 99 || (code > 128 && code < 128 + 65);
      int want = t->has_exit ? t->exit_code : 0;
      ptk_buf_printf(&cmds, "    exit status %d", code);
      if (neg) {
        if (code == 0)
          why = "expected a non-zero exit status (RUN line starts with 'not')";
        else if (crash)
          why = code == 98 || code == 99
                    ? "exit status 98/99 is a sanitizer report: crash"
                    : "status above 128: a command was killed by a signal (crash)";
        else if (code == 126 || code == 127)
          why = "command not found or not executable";
      } else if (code != want) {
        static char msg[128];
        snprintf(msg, sizeof msg, "expected %d%s%s", want, t->has_exit ? " (RUN-EXIT)" : "",
                 crash ? "; this looks like a crash" : "");
        why = msg;
      }
      ptk_buf_printf(&cmds, "%s%s\n", why ? ": " : "", why ? why : "");
    }
    if (why) {
      result = 1;
      ptk_buf_puts(rep, ptk_buf_cstr(&cmds));
      ptk_buf_puts(rep, "  output of the failing command (last lines):\n");
      lit_context(rep, out.data ? out.data + before : "", out.len - before, out.len - before, 15);
    }
    free(cmd);
  }
  if (!result && !lit_match(t, out.data ? out.data : "", out.len, rep)) {
    ptk_buf clean = {0};
    ptk_buf_puts(&clean, ptk_buf_cstr(&cmds));
    ptk_buf_puts(&clean, ptk_buf_cstr(rep));
    ptk_buf_clear(rep);
    ptk_buf_puts(rep, ptk_buf_cstr(&clean));
    ptk_buf_free(&clean);
    result = 1;
  }
  rm_rf(tdir);
  unlink(outf);
  ptk_buf_free(&out);
  ptk_buf_free(&cmds);
  free(dir);
  free(tdir);
  free(tmp);
  free(outf);
  return result;
}

static void worker(size_t idx) {
  ptk_buf rep = {0};
  int rc = run_test(&items.data[idx], idx, &rep);
  char *rf = ptk_xasprintf("%s/%zu.report", root, idx);
  if (ptk_write_file_atomic(rf, rep.data ? rep.data : "", rep.len) != 0) rc = 3;
  _exit(rc);
}

/* ---- main ------------------------------------------------------------- */

static void usage(void) {
  fputs("usage: ptk-lit --ptk PATH [-k REGEX] [--summary FILE] [-v] [-j N] [--timeout SECONDS] "
        "PATH...\n       ptk-lit --self-test\n",
        stderr);
}

int main(int argc, char **argv) {
  const char *pattern = NULL, *summary = NULL, *ptk_arg = NULL;
  int verbose = 0, jobs = 2;
  PTK_VEC(const char *) paths = {0};
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    bool more = i + 1 < argc;
    if (!strcmp(a, "--self-test")) {
      int bad = lit_self_test();
      return bad ? 1 : 0;
    } else if (!strcmp(a, "--ptk") && more)
      ptk_arg = argv[++i];
    else if (!strcmp(a, "-k") && more)
      pattern = argv[++i];
    else if (!strcmp(a, "--summary") && more)
      summary = argv[++i];
    else if (!strcmp(a, "-v"))
      verbose = 1;
    else if (!strcmp(a, "-j") && more)
      jobs = atoi(argv[++i]);
    else if (!strncmp(a, "-j", 2) && a[2])
      jobs = atoi(a + 2);
    else if (!strcmp(a, "--timeout") && more)
      timeout_s = atof(argv[++i]);
    else if (a[0] == '-' && a[1]) {
      usage();
      return 2;
    } else
      ptk_vec_push(&paths, a);
  }
  if (!ptk_arg || paths.len == 0 || jobs < 1 || !(timeout_s > 0)) {
    usage();
    ptk_vec_free(&paths);
    return 2;
  }
  pcre2_code *re = NULL;
  pcre2_match_data *md = NULL;
  if (pattern && *pattern) {
    int err;
    PCRE2_SIZE off;
    re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, 0, &err, &off, NULL);
    if (!re) {
      PCRE2_UCHAR msg[256];
      pcre2_get_error_message(err, msg, sizeof msg);
      fprintf(stderr, "ptk-lit: bad -k pattern at offset %zu: %s\n", (size_t)off, (char *)msg);
      ptk_vec_free(&paths);
      return 2;
    }
    md = pcre2_match_data_create_from_pattern(re, NULL);
  }
  char *ptk_abs = absolute(ptk_arg), *lit_abs = absolute("/proc/self/exe");
  ptk_path = ptk_abs;
  lit_path = lit_abs;

  int status = 0;
  for (size_t i = 0; i < paths.len; i++) {
    struct stat st;
    char *abs = absolute(paths.data[i]);
    size_t first = items.len;
    if (stat(abs, &st) != 0) {
      fprintf(stderr, "ptk-lit: %s: %s\n", paths.data[i], strerror(errno));
      status = 2;
    } else if (S_ISDIR(st.st_mode))
      walk(abs, "");
    else
      add_item(abs, strrchr(abs, '/') + 1);
    qsort(items.data + first, items.len - first, sizeof(item), by_name);
    free(abs);
  }
  /* Parse; keep only selected tests. */
  size_t n = 0;
  for (size_t i = 0; i < items.len; i++) {
    item it = items.data[i];
    bool keep = false;
    size_t len;
    char *text = ptk_read_file(it.path, &len);
    if (!text) {
      fprintf(stderr, "ptk-lit: %s: %s\n", it.path, strerror(errno));
      status = 2;
    } else if (!re || pcre2_match(re, (PCRE2_SPTR)it.name, strlen(it.name), 0, 0, md, NULL) >= 0) {
      lit_parse(&it.t, it.path, text, len);
      keep = lit_is_test(&it.t);
      if (!keep) lit_test_free(&it.t);
    }
    free(text);
    if (keep)
      items.data[n++] = it;
    else {
      free(it.path);
      free(it.name);
    }
  }
  items.len = n;

  const char *tmpdir = getenv("TMPDIR");
  char *rootbuf = ptk_xasprintf("%s/ptk-lit.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
  if (!mkdtemp(rootbuf)) {
    fprintf(stderr, "ptk-lit: cannot create a temporary directory: %s\n", strerror(errno));
    return 2;
  }
  root = rootbuf;

  size_t next_start = 0, next_print = 0, running = 0;
  int passed = 0, failed = 0;
  while (next_print < n) {
    while (running < (size_t)jobs && next_start < n) {
      fflush(stdout);
      fflush(stderr);
      pid_t pid = fork();
      if (pid == 0) worker(next_start);
      if (pid < 0) {
        if (running) break; /* retry once a worker finished */
        perror("ptk-lit: fork");
        return 2;
      }
      items.data[next_start++].pid = pid;
      running++;
    }
    int st;
    pid_t p = waitpid(-1, &st, 0);
    if (p < 0) {
      if (errno == EINTR) continue;
      perror("ptk-lit: waitpid");
      return 2;
    }
    for (size_t i = 0; i < next_start; i++)
      if (items.data[i].pid == p && !items.data[i].done) {
        items.data[i].done = true;
        items.data[i].status = st;
        running--;
      }
    for (; next_print < n && items.data[next_print].done; next_print++) {
      item *it = &items.data[next_print];
      char *rf = ptk_xasprintf("%s/%zu.report", root, next_print);
      size_t len = 0;
      char *rep = ptk_read_file(rf, &len);
      int s = it->status;
      bool ok = WIFEXITED(s) && WEXITSTATUS(s) == 0;
      if (ok) {
        passed++;
        if (verbose) printf("PASS %s\n", it->name);
      } else {
        failed++;
        printf("FAIL %s\n", it->name);
        if (WIFEXITED(s) && WEXITSTATUS(s) == 1 && rep)
          fwrite(rep, 1, len, stdout);
        else
          printf("  internal error: the ptk-lit worker for this test died (wait status %d)\n", s);
      }
      free(rep);
      unlink(rf);
      free(rf);
    }
  }
  printf("[lit] %d run, %d failing\n", passed + failed, failed);
  fflush(stdout);
  if (summary) {
    char *s = ptk_xasprintf("%d %d\n", passed, failed);
    if (ptk_write_file_atomic(summary, s, strlen(s)) != 0)
      fprintf(stderr, "ptk-lit: cannot write %s: %s\n", summary, strerror(errno));
    free(s);
  }
  rm_rf(root);
  free(rootbuf);
  for (size_t i = 0; i < items.len; i++) {
    lit_test_free(&items.data[i].t);
    free(items.data[i].path);
    free(items.data[i].name);
  }
  ptk_vec_free(&items);
  ptk_vec_free(&paths);
  free(ptk_abs);
  free(lit_abs);
  pcre2_match_data_free(md);
  pcre2_code_free(re);
  if (failed) return 1;
  return status;
}

/* Helpers shared by the C API and end-to-end unit tests: locating the
 * repository, temporary folders, files. Header-only (static functions). */
#ifndef PTK_TESTS_UNIT_API_UTIL_H
#define PTK_TESTS_UNIT_API_UTIL_H

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The repository root: the current folder when it holds samples/vadd.ptk
 * (make test runs from there), else two levels above this program
 * (<repo>/<build>/ptk-unit). Never NULL; static storage. */
static inline const char *au_root(void) {
  static char root[4096];
  if (root[0]) return root;
  if (access("samples/vadd.ptk", R_OK) == 0 && getcwd(root, sizeof root)) return root;
  ssize_t n = readlink("/proc/self/exe", root, sizeof root - 1);
  if (n > 0) {
    root[n] = 0;
    for (int up = 0; up < 2; up++) {
      char *s = strrchr(root, '/');
      if (s) *s = 0;
    }
    return root;
  }
  strcpy(root, ".");
  return root;
}

/* root/rel in a static rotating buffer (4 slots). */
static inline const char *au_path(const char *rel) {
  static char buf[4][4096];
  static int k;
  char *b = buf[k++ & 3];
  const char *r = au_root();
  size_t nr = strlen(r), nl = strlen(rel);
  if (nr + nl + 2 > sizeof buf[0]) nr = nl = 0;
  memcpy(b, r, nr);
  b[nr] = '/';
  memcpy(b + nr + 1, rel, nl + 1);
  return b;
}

static inline void au_rm_tree(const char *p) {
  struct stat st;
  if (lstat(p, &st) != 0) return;
  if (S_ISDIR(st.st_mode)) {
    DIR *d = opendir(p);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
      if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
      size_t n = strlen(p) + strlen(e->d_name) + 2;
      char *c = malloc(n);
      if (!c) break;
      snprintf(c, n, "%s/%s", p, e->d_name);
      au_rm_tree(c);
      free(c);
    }
    if (d) closedir(d);
  }
  remove(p);
}

/* A fresh temporary folder (malloc'd path); au_rmdir removes it with its contents. */
static inline char *au_tmpdir(void) {
  char t[] = "/tmp/ptk-test-XXXXXX";
  if (!mkdtemp(t)) return NULL;
  return strdup(t);
}

static inline void au_rmdir(char *dir) {
  if (!dir) return;
  au_rm_tree(dir);
  free(dir);
}

/* Writes text to dir/name; returns the malloc'd path (NULL on failure). */
static inline char *au_write(const char *dir, const char *name, const char *text) {
  size_t n = strlen(dir) + strlen(name) + 2;
  char *p = malloc(n);
  if (!p) return NULL;
  snprintf(p, n, "%s/%s", dir, name);
  FILE *f = fopen(p, "wb");
  if (!f) {
    free(p);
    return NULL;
  }
  fputs(text, f);
  fclose(f);
  return p;
}

/* Under LeakSanitizer (make asan), true when nothing allocated so far is
 * unreachable; always true otherwise. The unit runner's children end with
 * _exit, which skips LSan's exit-time check, so tests that want leak
 * coverage call this at their end. */
int __lsan_do_recoverable_leak_check(void) __attribute__((weak));
static inline bool au_no_leaks(void) {
  return !__lsan_do_recoverable_leak_check || __lsan_do_recoverable_leak_check() == 0;
}

#endif

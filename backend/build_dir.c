/* Build folders (see build_dir.h). */
#include "backend/build_dir.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lang/sha256.h"
#include "parser/pto_print.h"

int ptk_mkdir_p(const char *path) {
  if (!path || !*path) {
    errno = ENOENT;
    return -1;
  }
  char *p = ptk_xstrdup(path);
  size_t n = strlen(p);
  while (n > 1 && p[n - 1] == '/') p[--n] = 0;
  for (char *s = p + 1; *s; s++) {
    if (*s != '/') continue;
    *s = 0;
    if (mkdir(p, 0777) != 0 && errno != EEXIST) {
      free(p);
      return -1;
    }
    *s = '/';
  }
  int rc = 0;
  if (mkdir(p, 0777) != 0) {
    if (errno == EEXIST) {
      struct stat st;
      if (stat(p, &st) != 0 || !S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        rc = -1;
      }
    } else {
      rc = -1;
    }
  }
  free(p);
  return rc;
}

char *ptk_build_dir_dump_path(const char *dir) { return ptk_xasprintf("%s/passes_dump", dir); }

bool ptk_build_dir_begin(const char *dir, ptk_diags *d) {
  if (ptk_mkdir_p(dir) != 0) {
    ptk_error_file(d, dir, "cannot create the build folder: %s", strerror(errno));
    return false;
  }
  char *cfg = ptk_xasprintf("%s/kernel_config.json", dir);
  if (unlink(cfg) != 0 && errno != ENOENT) {
    ptk_error_file(d, cfg, "cannot remove the old build manifest: %s", strerror(errno));
    free(cfg);
    return false;
  }
  free(cfg);
  return true;
}

bool ptk_build_dir_finish(const char *dir, const ptk_module *m, const ptk_kernel_config *cfg,
                          ptk_diags *d) {
  ptk_buf text = {0};
  ptk_pto_print(m, &text);
  const char *kf = cfg && cfg->kernel_file ? cfg->kernel_file : "kernel.pto";
  char *path = ptk_xasprintf("%s/%s", dir, kf);
  bool ok = true;
  if (ptk_write_file_atomic(path, ptk_buf_cstr(&text), text.len) != 0) {
    ptk_error_file(d, path, "cannot write: %s", strerror(errno));
    ok = false;
  }
  free(path);
  /* files.kernel_sha256: replay's test for an edited kernel.pto. */
  char hex[65];
  ptk_sha256_hex(ptk_buf_cstr(&text), text.len, hex);
  ptk_buf_free(&text);
  if (!ok || !cfg) return ok;
  ptk_kernel_config withsha = *cfg;
  withsha.kernel_sha256 = hex;
  char *cp = ptk_xasprintf("%s/kernel_config.json", dir);
  ok = ptk_kernel_config_write(cp, &withsha, d);
  free(cp);
  return ok;
}

bool ptk_build_dir_write_c(const char *dir, const char *core_type, const char *symbol,
                           const char *text, size_t len, ptk_diags *d) {
  bool cube = core_type && !strcmp(core_type, "cube");
  bool mixed = core_type && !strcmp(core_type, "mixed");
  const char *subs[2] = {cube || mixed ? "aic" : NULL, cube ? NULL : "aiv"};
  for (int i = 0; i < 2; i++) {
    if (!subs[i]) continue;
    char *sub = ptk_xasprintf("%s/kernels/%s", dir, subs[i]);
    char *path = ptk_xasprintf("%s/%s.c", sub, symbol);
    bool ok = ptk_mkdir_p(sub) == 0 && ptk_write_file_atomic(path, text, len) == 0;
    if (!ok) ptk_error_file(d, path, "cannot write the generated C: %s", strerror(errno));
    free(path);
    free(sub);
    if (!ok) return false;
  }
  return true;
}

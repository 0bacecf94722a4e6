#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "runtime/cli/cli.h"

bool ptk_cli_is_help(const char *arg) { return !strcmp(arg, "--help") || !strcmp(arg, "-h"); }

int ptk_cli_usage_error(const char *cmd, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "ptk %s: ", cmd);
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, "\nTry 'ptk %s --help'.\n", cmd);
  va_end(ap);
  return PTK_EXIT_USAGE;
}

ptk_source *ptk_cli_load(const char *path, ptk_diags *d) {
  if (!strcmp(path, "-")) {
    ptk_buf b = {0};
    char tmp[65536];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, stdin)) > 0) ptk_buf_putn(&b, tmp, n);
    ptk_source *s = ptk_source_from_string("<stdin>", ptk_buf_cstr(&b), b.len);
    ptk_buf_free(&b);
    if (!s) ptk_error_file(d, "<stdin>", "input is larger than 1 GiB");
    return s;
  }
  ptk_source *s = ptk_source_load(path);
  if (!s) {
    if (errno == EFBIG)
      ptk_error_file(d, path, "file is larger than 1 GiB");
    else
      ptk_error_file(d, path, "cannot read file: %s", strerror(errno));
  }
  return s;
}

bool ptk_cli_has_ext(const char *path, const char *ext) {
  size_t n = strlen(path), e = strlen(ext);
  return n > e && !strcmp(path + n - e, ext);
}

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
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
  return ptk_cli_load_as(path, "<stdin>", d);
}

ptk_source *ptk_cli_load_as(const char *path, const char *stdin_name, ptk_diags *d) {
  if (!strcmp(path, "-")) {
    ptk_buf b = {0};
    char tmp[65536];
    size_t n;
    /* Never more than the source limit (+1 to notice): stdin may be endless. */
    while (b.len <= PTK_SOURCE_MAX_BYTES && (n = fread(tmp, 1, sizeof tmp, stdin)) > 0)
      ptk_buf_putn(&b, tmp, n);
    ptk_source *s = ptk_source_from_string(stdin_name, ptk_buf_cstr(&b), b.len);
    ptk_buf_free(&b);
    if (!s) ptk_error_file(d, stdin_name, "input is larger than 1 GiB");
    return s;
  }
  ptk_source *s = ptk_source_load(path);
  if (!s) {
    if (errno == EFBIG)
      ptk_error_file(d, path, "file is larger than 1 GiB");
    else
      ptk_error_file(d, path, "cannot read file: %s", ptk_file_strerror(errno));
  }
  return s;
}

bool ptk_cli_has_ext(const char *path, const char *ext) {
  size_t n = strlen(path), e = strlen(ext);
  return n > e && !strcmp(path + n - e, ext);
}

int ptk_cli_kopt(ptk_cli_kopts *k, const char *cmd, int argc, char **argv, int *i) {
  const char *a = argv[*i];
  const char *val = NULL;
  bool is_entry = !strcmp(a, "--entry"), is_const = !strcmp(a, "--const"), is_inc = !strcmp(a, "-I");
  if (!strncmp(a, "--entry=", 8)) is_entry = true, val = a + 8;
  if (!strncmp(a, "--const=", 8)) is_const = true, val = a + 8;
  if (!strncmp(a, "-I", 2) && a[2]) is_inc = true, val = a + 2;
  if (!is_entry && !is_const && !is_inc) return 0;
  if (!val) {
    if (*i + 1 >= argc) {
      ptk_cli_usage_error(cmd, "option '%s' needs a value", a);
      return -1;
    }
    val = argv[++*i];
  }
  if (is_entry) {
    k->entry = val;
  } else if (is_inc) {
    ptk_vec_push(&k->includes, val);
  } else {
    const char *eq = strchr(val, '=');
    if (!eq || eq == val) {
      ptk_cli_usage_error(cmd, "--const expects NAME=VALUE, got '%s'", val);
      return -1;
    }
    /* Points into argv: only the NUL-terminated name needs a copy. */
    ptk_const_binding b = {ptk_xstrndup(val, (size_t)(eq - val)), eq + 1};
    ptk_vec_push(&k->consts, b);
  }
  return 1;
}

ptk_trace_opts ptk_cli_trace_opts(const ptk_cli_kopts *k) {
  return (ptk_trace_opts){.include_dirs = k->includes.data, .ninclude = k->includes.len};
}

void ptk_cli_kopts_free(ptk_cli_kopts *k) {
  for (size_t i = 0; i < k->consts.len; i++) free((char *)k->consts.data[i].name);
  ptk_vec_free(&k->consts);
  ptk_vec_free(&k->includes);
}

bool ptk_cli_target_ok(const char *v) { return v && (!strcmp(v, "a2") || !strcmp(v, "a3") || !strcmp(v, "a5")); }

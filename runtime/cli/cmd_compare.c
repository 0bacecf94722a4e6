/* ptk compare: diff two build folders (backend/compare.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "backend/compare.h"
#include "runtime/cli/cli.h"


extern const char ptk_cmd_compare_usage[];

const char ptk_cmd_compare_usage[] =
    "usage: ptk compare DIR_A DIR_B [--include-passes] [--ignore REGEX]... [-q] [-U N]\n"
    "\n"
    "Compare two build folders (e.g. from `ptk compile -o` on two revisions). Files\n"
    "are matched by relative path and listed as only in a, only in b, changed or\n"
    "unchanged (sorted by path), followed by unified diffs (diff -u style) of the\n"
    "changed text files (.pto, .json, .c, ...) and a summary line. Binary files\n"
    "(.npy, .so, or containing NUL bytes) are compared byte by byte, without a diff.\n"
    "\n"
    "options:\n"
    "  --include-passes  also compare the pass dumps under passes_dump/; without it\n"
    "                    they are listed as skipped, with their count\n"
    "  --ignore REGEX    drop lines matching REGEX (PCRE2) from text files before\n"
    "                    comparing and diffing; repeatable, e.g.\n"
    "                    --ignore '\"tool_version\"'\n"
    "  -q, --quiet       no diffs, no lists of unchanged and skipped files\n"
    "  -U N, --context N lines of context around each change (default 3)\n"
    "\n"
    "Exit status: 0 the folders are identical, 1 they differ, 2 usage error, a\n"
    "missing folder or a file that could not be read.\n";

static int usage(const char *fmt, const char *arg) {
  return ptk_cli_usage_error("compare", fmt, arg);
}

int ptk_cmd_compare(int argc, char **argv) {
  const char *dirs[2] = {0};
  int ndirs = 0;
  PTK_VEC(const char *) ignore = {0};
  ptk_compare_opts o = {.context = 3};
  bool rest = false;
  int rc = PTK_EXIT_USAGE;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (rest || a[0] != '-' || !a[1]) {
      if (ndirs == 2) {
        rc = usage("unexpected argument '%s' (expected two folders)", a);
        goto out;
      }
      dirs[ndirs++] = a;
      continue;
    }
    if (!strcmp(a, "--")) {
      rest = true;
    } else if (!strcmp(a, "--include-passes")) {
      o.include_passes = true;
    } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
      o.quiet = true;
    } else if (!strcmp(a, "--ignore") || !strncmp(a, "--ignore=", 9)) {
      const char *v = !strncmp(a, "--ignore=", 9) ? a + 9 : i + 1 < argc ? argv[++i] : NULL;
      if (!v) {
        rc = usage("option '%s' needs a value", "--ignore");
        goto out;
      }
      ptk_vec_push(&ignore, v);
    } else if (!strcmp(a, "-U") || !strcmp(a, "--context") || !strncmp(a, "--context=", 10)) {
      const char *v = !strncmp(a, "--context=", 10) ? a + 10 : i + 1 < argc ? argv[++i] : NULL;
      if (!v) {
        rc = usage("option '%s' needs a value", a);
        goto out;
      }
      char *end;
      errno = 0;
      long n = strtol(v, &end, 10);
      if (!*v || *end || errno || n < 0 || n > 100000) {
        rc = usage("--context needs a number from 0 to 100000, got '%s'", v);
        goto out;
      }
      o.context = (unsigned)n;
    } else {
      rc = usage("unknown option '%s'", a);
      goto out;
    }
  }
  if (ndirs < 2) {
    rc = usage("%s", ndirs ? "missing DIR_B" : "missing DIR_A and DIR_B");
    goto out;
  }
  char *err = NULL;
  o.ignore = ptk_regex_set_new(ignore.data, ignore.len, &err);
  if (!o.ignore) {
    rc = ptk_cli_usage_error("compare", "--ignore: %s", err);
    free(err);
    goto out;
  }
  fflush(stdout);
  rc = ptk_compare_dirs(dirs[0], dirs[1], &o, stdout, stderr, NULL);
  fflush(stdout);
  ptk_regex_set_free(o.ignore);
out:
  ptk_vec_free(&ignore);
  return rc;
}

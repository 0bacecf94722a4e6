/* Diagnostics rendering, source locations and the small utilities. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lang/diag.h"
#include "tests/unit/ut.h"

static char *render(ptk_diags *d) {
  ptk_buf b = {0};
  ptk_diags_render(d, &b, false);
  return ptk_buf_take(&b);
}

TEST(loc_lines_and_columns) {
  ptk_source *s = ptk_source_from_string("f.ptk", "ab\ncd\n\nxyz", 10);
  ptk_loc l = ptk_source_loc(s, 0);
  CHECK_INT(l.line, 1);
  CHECK_INT(l.col, 1);
  l = ptk_source_loc(s, 4);
  CHECK_INT(l.line, 2);
  CHECK_INT(l.col, 2);
  l = ptk_source_loc(s, 6);
  CHECK_INT(l.line, 3);
  CHECK_INT(l.col, 1);
  l = ptk_source_loc(s, 9);
  CHECK_INT(l.line, 4);
  CHECK_INT(l.col, 3);
  size_t n;
  const char *t = ptk_source_line(s, 4, &n);
  CHECK_INT(n, 3);
  CHECK(!strncmp(t, "xyz", 3));
  ptk_source_free(s);
}

TEST(render_caret_and_range) {
  ptk_source *s = ptk_source_from_string("k.ptk", "let x = foo + ;\n", 16);
  ptk_diags *d = ptk_diags_new();
  ptk_error(d, ptk_range_at(ptk_source_loc(s, 8), 3), "bad %s", "thing");
  ptk_note(d, ptk_range_at(ptk_source_loc(s, 0), 3), "declared here");
  char *out = render(d);
  CHECK_STR(out, "k.ptk:1:9: error: bad thing\n"
                 "let x = foo + ;\n"
                 "        ^~~\n"
                 "k.ptk:1:1: note: declared here\n"
                 "let x = foo + ;\n"
                 "^~~\n");
  CHECK_INT(ptk_diags_errors(d), 1);
  free(out);
  ptk_diags_free(d);
  ptk_source_free(s);
}

TEST(render_tabs_keep_alignment) {
  ptk_source *s = ptk_source_from_string("t.ptk", "\tx\t= 1;", 7);
  ptk_diags *d = ptk_diags_new();
  ptk_error_loc(d, ptk_source_loc(s, 3), "here");
  char *out = render(d);
  CHECK_STR(out, "t.ptk:1:4: error: here\n\tx\t= 1;\n\t \t^\n");
  free(out);
  ptk_diags_free(d);
  ptk_source_free(s);
}

TEST(render_utf8_and_control_bytes) {
  /* "é" is two bytes but one column; the NUL byte shows as '?'. */
  const char text[] = "s = \"\xc3\xa9\";\x01 z";
  ptk_source *s = ptk_source_from_string("u.ptk", text, sizeof text - 1);
  ptk_diags *d = ptk_diags_new();
  ptk_error_loc(d, ptk_source_loc(s, 11), "z");
  char *out = render(d);
  CHECK_STR(out, "u.ptk:1:12: error: z\ns = \"\xc3\xa9\";? z\n          ^\n");
  free(out);
  ptk_diags_free(d);
  ptk_source_free(s);
}

TEST(render_long_line_window) {
  char text[1001];
  memset(text, 'a', 1000);
  text[1000] = 0;
  text[700] = 'X';
  ptk_source *s = ptk_source_from_string("l.ptk", text, 1000);
  ptk_diags *d = ptk_diags_new();
  ptk_error_loc(d, ptk_source_loc(s, 700), "x");
  char *out = render(d);
  /* window of 160 bytes starting 80 before the caret, with ellipses */
  const char *line2 = strchr(out, '\n') + 1;
  CHECK(!strncmp(line2, "...", 3));
  const char *caret = strchr(line2, '\n') + 1;
  CHECK_INT(strchr(caret, '^') - caret, 3 + 80);
  CHECK(line2[3 + 80] == 'X');
  free(out);
  ptk_diags_free(d);
  ptk_source_free(s);
}

TEST(render_caret_past_end_of_line) {
  ptk_source *s = ptk_source_from_string("e.ptk", "abc\n", 4);
  ptk_diags *d = ptk_diags_new();
  ptk_error_loc(d, ptk_source_loc(s, 3), "at end");
  char *out = render(d);
  CHECK_STR(out, "e.ptk:1:4: error: at end\nabc\n   ^\n");
  free(out);
  ptk_diags_free(d);
  ptk_source_free(s);
}

TEST(render_file_and_tool_level) {
  ptk_diags *d = ptk_diags_new();
  ptk_error_file(d, "missing.ptk", "cannot read file: %s", "No such file or directory");
  ptk_error(d, ptk_range_none(), "no location");
  char *out = render(d);
  CHECK_STR(out, "missing.ptk: error: cannot read file: No such file or directory\n"
                 "ptk: error: no location\n");
  free(out);
  ptk_diags_free(d);
}

TEST(render_color) {
  ptk_source *s = ptk_source_from_string("c.ptk", "x", 1);
  ptk_diags *d = ptk_diags_new();
  ptk_error_loc(d, ptk_source_loc(s, 0), "m");
  ptk_buf b = {0};
  ptk_diags_render(d, &b, true);
  CHECK(strstr(ptk_buf_cstr(&b), "\033[1;31merror:") != NULL);
  ptk_buf_free(&b);
  ptk_diags_free(d);
  ptk_source_free(s);
}

TEST(multiline_range_underlines_to_end_of_line) {
  ptk_source *s = ptk_source_from_string("m.ptk", "foo(a,\n  b)", 11);
  ptk_diags *d = ptk_diags_new();
  ptk_range r = {ptk_source_loc(s, 0), ptk_source_loc(s, 11)};
  ptk_error(d, r, "call");
  char *out = render(d);
  CHECK_STR(out, "m.ptk:1:1: error: call\nfoo(a,\n^~~~~~\n");
  free(out);
  ptk_diags_free(d);
  ptk_source_free(s);
}

TEST(arena_and_buf) {
  ptk_arena *a = ptk_arena_new();
  char *p = ptk_arena_alloc(a, 3);
  CHECK(((uintptr_t)p & 15) == 0);
  CHECK(p[0] == 0 && p[2] == 0);
  char *big = ptk_arena_alloc(a, 100000);
  big[99999] = 1;
  char *q = ptk_arena_printf(a, "%d-%s", 42, "x");
  CHECK_STR(q, "42-x");
  CHECK(ptk_arena_bytes(a) >= 100000);
  ptk_arena_free(a);
  ptk_buf b = {0};
  CHECK_STR(ptk_buf_cstr(&b), "");
  for (int i = 0; i < 1000; i++) ptk_buf_printf(&b, "%d,", i % 10);
  CHECK_INT(b.len, 2000);
  char *t = ptk_buf_take(&b);
  CHECK_INT(strlen(t), 2000);
  free(t);
  CHECK(b.data == NULL);
}

TEST(write_file_atomic_roundtrip) {
  char path[] = "/tmp/ptk-ut-XXXXXX";
  int fd = mkstemp(path);
  CHECK(fd >= 0);
  if (fd < 0) return;
  close(fd);
  CHECK_INT(ptk_write_file_atomic(path, "hello", 5), 0);
  size_t n;
  char *t = ptk_read_file(path, &n);
  CHECK_INT(n, 5);
  CHECK_STR(t, "hello");
  free(t);
  remove(path);
  CHECK(ptk_read_file("/nonexistent/ptk/x", &n) == NULL);
}

/* Only regular files are read, never more than the limit: /dev/zero and a
 * FIFO used to be read until out of memory or to block forever. */
TEST(read_file_refuses_special_files) {
  size_t n = 123;
  errno = 0;
  CHECK(ptk_read_file("/dev/zero", &n) == NULL);
  CHECK_INT(errno, PTK_ENOTREG);
  CHECK_INT(n, 123);
  CHECK_STR(ptk_file_strerror(PTK_ENOTREG), "it is not a regular file");
  CHECK(ptk_read_file("/dev/urandom", &n) == NULL);
  CHECK_INT(errno, PTK_ENOTREG);
  CHECK(ptk_read_file("/tmp", &n) == NULL);
  CHECK_INT(errno, EISDIR);
  CHECK_STR(ptk_file_strerror(EISDIR), "it is a directory");
  char dir[] = "/tmp/ptk-ut-XXXXXX";
  CHECK(mkdtemp(dir) != NULL);
  char *fifo = ptk_xasprintf("%s/f.pto", dir);
  CHECK_INT(mkfifo(fifo, 0600), 0);
  CHECK(ptk_read_file(fifo, &n) == NULL); /* returns at once: no writer needed */
  CHECK_INT(errno, PTK_ENOTREG);
  remove(fifo);
  /* The bound: exactly max bytes is fine, one more is EFBIG. */
  char *path = ptk_xasprintf("%s/big", dir);
  CHECK_INT(ptk_write_file_atomic(path, "0123456789", 10), 0);
  char *t = ptk_read_file_max(path, 10, &n);
  CHECK_INT(n, 10);
  CHECK_STR(t, "0123456789");
  free(t);
  CHECK(ptk_read_file_max(path, 9, &n) == NULL);
  CHECK_INT(errno, EFBIG);
  /* A file reporting size 0 that has more (procfs) is still bounded. */
  if (access("/proc/self/status", R_OK) == 0) {
    CHECK(ptk_read_file_max("/proc/self/status", 10, &n) == NULL);
    CHECK_INT(errno, EFBIG);
    t = ptk_read_file_max("/proc/self/status", 1 << 20, &n);
    CHECK(t && n > 10 && strlen(t) == n);
    free(t);
  }
  remove(path);
  remove(dir);
  free(path);
  free(fifo);
}

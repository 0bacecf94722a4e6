/* kernel_config.json: written from a function's signature and the derived
 * directions, read back field by field; malformed files are located
 * errors; the build folder writes kernel.pto and the config atomically. */
#include <sys/stat.h>
#include <unistd.h>

#include "backend/build_dir.h"
#include "backend/config.h"
#include "tests/unit/pass_helpers.h"

static const char *KERNEL =
    "func.func @k(%x: !pto.ptr<f32>, %y: !pto.ptr<bf16>, %n: i32) {\n"
    "  %c0 = arith.constant 0 : index\n"
    "  %v = pto.load_scalar %x[%c0] : !pto.ptr<f32> -> f32\n"
    "  %t = pto.alloc_tile : !pto.tile_buf<vec, 16x16xbf16>\n"
    "  return\n"
    "}\n";

static char *tmpdir(void) {
  char tmpl[] = "/tmp/ptk-config-XXXXXX";
  char *d = mkdtemp(tmpl);
  return d ? ptk_xstrdup(d) : NULL;
}

TEST(config_roundtrip) {
  pt_ir r = pt_read(KERNEL);
  if (!r.m) {
    pt_free(&r);
    return;
  }
  ptk_func *f = r.m->items[0].func;
  ptk_arg_dirs dirs;
  ptk_derive_arg_directions(f, &dirs);
  ptk_kernel_config c;
  memset(&c, 0, sizeof c);
  ptk_kernel_config_from_func(&c, f, &dirs);
  CHECK_STR(c.symbol, "k");
  CHECK_STR(c.core_type, "vector");
  CHECK_INT(c.nparams, 3);
  CHECK_STR(c.params[0].name, "%x");
  c.target = "a3";
  c.mode = "auto";
  c.insert_sync = true;
  c.input_path = "k.pto";
  c.input_kind = "pto";
  c.input_sha256 = "00ff";
  const char *passes[] = {"canonicalize", "cse"};
  c.passes = passes;
  c.npasses = 2;
  ptk_config_const cs[] = {{"TILE", "int", "64", false}};
  c.consts = cs;
  c.nconsts = 1;
  c.source_backed = true;
  c.source_path = "k.pto";
  c.source_resolved = "/abs/k.pto";
  c.source_sha256 = "abcd";
  char *json = ptk_kernel_config_json(&c);
  CHECK(strstr(json, "\"format\": \"ptk-kernel-config\"") != NULL);
  CHECK(strstr(json, "\"direction\": \"in\"") != NULL);
  CHECK(strstr(json, "\"direction\": \"unused\"") != NULL);
  CHECK(strstr(json, "\"kind\": \"scalar\",\n      \"dtype\": \"i32\"\n") != NULL);
  char *dir = tmpdir();
  CHECK(dir != NULL);
  if (!dir) dir = ptk_xstrdup("/tmp");
  char *path = ptk_xasprintf("%s/kernel_config.json", dir);
  CHECK(ptk_kernel_config_write(path, &c, r.d));
  ptk_kernel_config *b = ptk_kernel_config_read(path, r.d);
  CHECK(b != NULL);
  if (b) {
    CHECK_STR(b->symbol, "k");
    CHECK_STR(b->target, "a3");
    CHECK_STR(b->mode, "auto");
    CHECK(b->insert_sync);
    CHECK_INT(b->nparams, 3);
    CHECK(b->params[0].is_ptr);
    CHECK_INT(b->params[0].dtype, PTK_DT_F32);
    CHECK_INT(b->params[0].direction, PTK_ARGDIR_IN);
    CHECK_INT(b->params[1].dtype, PTK_DT_BF16);
    CHECK_INT(b->params[1].direction, PTK_ARGDIR_UNUSED);
    CHECK(!b->params[2].is_ptr);
    CHECK_INT(b->params[2].dtype, PTK_DT_I32);
    CHECK_INT(b->nconsts, 1);
    CHECK_STR(b->consts[0].value, "64");
    CHECK(b->source_backed);
    CHECK_STR(b->source_resolved, "/abs/k.pto");
    CHECK_INT(b->npasses, 2);
    CHECK_STR(b->passes[1], "cse");
    CHECK_STR(b->kernel_file, "kernel.pto");
    /* Writing what was read gives the same text. */
    char *again = ptk_kernel_config_json(b);
    CHECK_STR(again, json);
    free(again);
  }
  ptk_kernel_config_free(b);
  unlink(path);
  rmdir(dir);
  free(path);
  free(dir);
  free(json);
  ptk_kernel_config_clear(&c);
  ptk_arg_dirs_free(&dirs);
  pt_free(&r);
}

static char *read_bad(const char *json) {
  char *dir = tmpdir();
  if (!dir) return ptk_xstrdup("");
  char *path = ptk_xasprintf("%s/kernel_config.json", dir);
  ptk_write_file_atomic(path, json, strlen(json));
  ptk_diags *d = ptk_diags_new();
  ptk_kernel_config *c = ptk_kernel_config_read(path, d);
  CHECK(c == NULL);
  ptk_kernel_config_free(c);
  char *s = pt_diags(d);
  ptk_diags_free(d);
  unlink(path);
  rmdir(dir);
  free(path);
  free(dir);
  return s;
}

TEST(config_malformed) {
  char *s = read_bad("{\"format\": \"ptk-kernel-config\", \"format_version\": 1,");
  CHECK(strstr(s, "kernel_config.json: error: invalid JSON at line 1") != NULL);
  free(s);
  s = read_bad("{\"format\": \"other\", \"format_version\": 1}");
  CHECK(strstr(s, "error: invalid kernel_config.json: \"format\" is not \"ptk-kernel-config\"") !=
        NULL);
  free(s);
  s = read_bad("{\"format\": \"ptk-kernel-config\", \"format_version\": 2}");
  CHECK(strstr(s, "unsupported \"format_version\"") != NULL);
  free(s);
  s = read_bad("{\"format\": \"ptk-kernel-config\", \"format_version\": 1, \"kernel\": {\"symbol\": "
               "\"k\", \"target\": \"a3\", \"mode\": \"auto\"}, \"params\": [{\"position\": 0, "
               "\"name\": \"x\", \"kind\": \"ptr\", \"dtype\": \"f32\", \"direction\": \"up\"}]}");
  CHECK(strstr(s, "params[0].direction must be unused, in, out or inout") != NULL);
  free(s);
  s = read_bad("{\"format\": \"ptk-kernel-config\", \"format_version\": 1, \"kernel\": {\"target\": "
               "\"a3\", \"mode\": \"auto\"}, \"params\": []}");
  CHECK(strstr(s, "missing string field \"symbol\"") != NULL);
  free(s);
  s = read_bad("{\"format\": \"ptk-kernel-config\", \"format_version\": 1, \"kernel\": {\"symbol\": "
               "\"k\", \"target\": \"a3\", \"mode\": \"auto\"}, \"params\": [], \"files\": "
               "{\"kernel\": \"../x.pto\"}}");
  CHECK(strstr(s, "files.kernel must be a relative path inside the build folder") != NULL);
  free(s);
}

TEST(config_core_type) {
  pt_ir r = pt_read(
      "func.func @c() {\n"
      "  %a = pto.alloc_tile : !pto.tile_buf<mat, 16x16xf32>\n"
      "  return\n"
      "}\n"
      "func.func @m() {\n"
      "  %a = pto.alloc_tile : !pto.tile_buf<mat, 16x16xf32>\n"
      "  %b = pto.alloc_tile : !pto.tile_buf<vec, 16x16xf32>\n"
      "  return\n"
      "}\n"
      "func.func @v() attributes {pto.kernel_kind = #pto.kernel_kind<cube>} {\n"
      "  return\n"
      "}\n");
  if (r.m) {
    CHECK_STR(ptk_core_type_of(r.m->items[0].func), "cube");
    CHECK_STR(ptk_core_type_of(r.m->items[1].func), "mixed");
    CHECK_STR(ptk_core_type_of(r.m->items[2].func), "cube");
  }
  pt_free(&r);
}

TEST(build_dir_layout) {
  pt_ir r = pt_read(KERNEL);
  if (!r.m) {
    pt_free(&r);
    return;
  }
  char *root = tmpdir();
  if (!root) root = ptk_xstrdup("/tmp/ptk-config-fallback");
  char *dir = ptk_xasprintf("%s/a/b", root); /* created with its parents */
  CHECK(ptk_build_dir_begin(dir, r.d));
  /* A stale manifest goes away first. */
  char *cfg = ptk_xasprintf("%s/kernel_config.json", dir);
  ptk_write_file_atomic(cfg, "{}", 2);
  CHECK(ptk_build_dir_begin(dir, r.d));
  CHECK(access(cfg, F_OK) != 0);
  ptk_kernel_config c;
  memset(&c, 0, sizeof c);
  ptk_kernel_config_from_func(&c, r.m->items[0].func, NULL);
  c.target = "a3";
  c.mode = "auto";
  CHECK(ptk_build_dir_finish(dir, r.m, &c, r.d));
  char *kp = ptk_xasprintf("%s/kernel.pto", dir);
  char *text = ptk_read_file(kp, NULL);
  char *want = pt_print(r.m);
  CHECK_STR(text, want);
  CHECK(access(cfg, F_OK) == 0);
  free(text);
  free(want);
  unlink(kp);
  unlink(cfg);
  char *ab = ptk_xasprintf("%s/a", root);
  rmdir(dir);
  rmdir(ab);
  rmdir(root);
  /* A path under a file cannot be made. */
  CHECK(!ptk_build_dir_begin("/dev/null/x", r.d));
  char *msg = pt_diags(r.d);
  CHECK(strstr(msg, "/dev/null/x: error: cannot create the build folder") != NULL);
  free(msg);
  free(ab);
  free(kp);
  free(cfg);
  free(dir);
  free(root);
  ptk_kernel_config_clear(&c);
  pt_free(&r);
}

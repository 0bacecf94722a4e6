/* plan-memory: addresses from liveness (reuse of dead tiles' space, tiles
 * used in loops live across them, tiles read before written live from the
 * start), the capacity error with the live tiles, the no-overlap checker,
 * and on every corpus kernel: peak <= capacity and <= the sum of the tile
 * sizes, the invariant holds, and the interpreter gives bit-identical
 * outputs with and without the pass. */
#include <dirent.h>
#include <jansson.h>

#include "backend/passes/pipeline.h"
#include "runtime/interp/interp.h"
#include "runtime/npy.h"
#include "tests/unit/pass_helpers.h"

static void plan(pt_ir *r) {
  ptk_mem_stats st;
  bool ok = ptk_plan_memory(r->m, PTK_TARGET_A3, &st, r->d);
  if (!ok) ptk_diags_print(r->d, stderr);
  CHECK(ok);
}

/* a, b die at the tadd, so d reuses a's space; %acc is read before it is
 * written (lives from the start, at 0); d is used in the loop (lives across
 * it); %t is defined at the top of the loop body (local); %small reuses
 * %acc's space after the loop. */
TEST(plan_reuse_and_loops) {
  pt_expect(
    "func.func @m(%p: !pto.ptr<f32>, %q: !pto.ptr<f32>, %n: index) {\n"
    "  %c0 = arith.constant 0 : index\n"
    "  %c1 = arith.constant 1 : index\n"
    "  %c32 = arith.constant 32 : index\n"
    "  %c1f = arith.constant 1.0 : f32\n"
    "  %v = pto.make_tensor_view %p, shape = [%c32, %c32], strides = [%c32, %c1] : !pto.tensor_view<?x?xf32>\n"
    "  %w = pto.make_tensor_view %q, shape = [%c32, %c32], strides = [%c32, %c1] : !pto.tensor_view<?x?xf32>\n"
    "  %pv = pto.partition_view %v, offsets = [%c0, %c0], sizes = [%c32, %c32] : !pto.tensor_view<?x?xf32> -> !pto.partition_tensor_view<32x32xf32>\n"
    "  %pw = pto.partition_view %w, offsets = [%c0, %c0], sizes = [%c32, %c32] : !pto.tensor_view<?x?xf32> -> !pto.partition_tensor_view<32x32xf32>\n"
    "  %a = pto.alloc_tile : !pto.tile_buf<vec, 32x32xf32>\n"
    "  %b = pto.alloc_tile : !pto.tile_buf<vec, 32x32xf32>\n"
    "  %c = pto.alloc_tile : !pto.tile_buf<vec, 32x32xf32>\n"
    "  %d = pto.alloc_tile : !pto.tile_buf<vec, 32x32xf32>\n"
    "  %acc = pto.alloc_tile : !pto.tile_buf<vec, 32x32xf32>\n"
    "  %small = pto.alloc_tile : !pto.tile_buf<vec, 1x8xf32, valid=1x5>\n"
    "  pto.tload ins(%pv : !pto.partition_tensor_view<32x32xf32>) outs(%a : !pto.tile_buf<vec, 32x32xf32>)\n"
    "  pto.tload ins(%pw : !pto.partition_tensor_view<32x32xf32>) outs(%b : !pto.tile_buf<vec, 32x32xf32>)\n"
    "  pto.tadd ins(%a, %b : !pto.tile_buf<vec, 32x32xf32>, !pto.tile_buf<vec, 32x32xf32>) outs(%c : !pto.tile_buf<vec, 32x32xf32>)\n"
    "  pto.tmul ins(%c, %c : !pto.tile_buf<vec, 32x32xf32>, !pto.tile_buf<vec, 32x32xf32>) outs(%d : !pto.tile_buf<vec, 32x32xf32>)\n"
    "  scf.for %i = %c0 to %n step %c1 {\n"
    "    pto.tadd ins(%acc, %d : !pto.tile_buf<vec, 32x32xf32>, !pto.tile_buf<vec, 32x32xf32>) outs(%acc : !pto.tile_buf<vec, 32x32xf32>)\n"
    "    %t = pto.alloc_tile : !pto.tile_buf<vec, 32x32xf32>\n"
    "    pto.tmuls ins(%acc, %c1f : !pto.tile_buf<vec, 32x32xf32>, f32) outs(%t : !pto.tile_buf<vec, 32x32xf32>)\n"
    "    pto.tstore ins(%t : !pto.tile_buf<vec, 32x32xf32>) outs(%pw : !pto.partition_tensor_view<32x32xf32>)\n"
    "  }\n"
    "  pto.texpands ins(%c1f : f32) outs(%small : !pto.tile_buf<vec, 1x8xf32, valid=1x5>)\n"
    "  return\n"
    "}\n",
      plan,
    "module {\n"
    "  func.func @m(%arg0: !pto.ptr<f32>, %arg1: !pto.ptr<f32>, %arg2: index) {\n"
    "    %c0 = arith.constant 0 : index\n"
    "    %c1 = arith.constant 1 : index\n"
    "    %c32 = arith.constant 32 : index\n"
    "    %cst = arith.constant 1.000000e+00 : f32\n"
    "    %c4096_i64 = arith.constant 4096 : i64\n"
    "    %c8192_i64 = arith.constant 8192 : i64\n"
    "    %c12288_i64 = arith.constant 12288 : i64\n"
    "    %c0_i64 = arith.constant 0 : i64\n"
    "    %0 = pto.make_tensor_view %arg0, shape = [%c32, %c32], strides = [%c32, %c1] : !pto.tensor_view<?x?xf32>\n"
    "    %1 = pto.make_tensor_view %arg1, shape = [%c32, %c32], strides = [%c32, %c1] : !pto.tensor_view<?x?xf32>\n"
    "    %2 = pto.partition_view %0, offsets = [%c0, %c0], sizes = [%c32, %c32] : !pto.tensor_view<?x?xf32> -> !pto.partition_tensor_view<32x32xf32>\n"
    "    %3 = pto.partition_view %1, offsets = [%c0, %c0], sizes = [%c32, %c32] : !pto.tensor_view<?x?xf32> -> !pto.partition_tensor_view<32x32xf32>\n"
    "    %4 = pto.alloc_tile addr = %c4096_i64 : !pto.tile_buf<vec, 32x32xf32>\n"
    "    %5 = pto.alloc_tile addr = %c8192_i64 : !pto.tile_buf<vec, 32x32xf32>\n"
    "    %6 = pto.alloc_tile addr = %c12288_i64 : !pto.tile_buf<vec, 32x32xf32>\n"
    "    %7 = pto.alloc_tile addr = %c4096_i64 : !pto.tile_buf<vec, 32x32xf32>\n"
    "    %8 = pto.alloc_tile addr = %c0_i64 : !pto.tile_buf<vec, 32x32xf32>\n"
    "    %9 = pto.alloc_tile addr = %c0_i64 : !pto.tile_buf<vec, 1x8xf32, valid=1x5>\n"
    "    pto.tload ins(%2 : !pto.partition_tensor_view<32x32xf32>) outs(%4 : !pto.tile_buf<vec, 32x32xf32>)\n"
    "    pto.tload ins(%3 : !pto.partition_tensor_view<32x32xf32>) outs(%5 : !pto.tile_buf<vec, 32x32xf32>)\n"
    "    pto.tadd ins(%4, %5 : !pto.tile_buf<vec, 32x32xf32>, !pto.tile_buf<vec, 32x32xf32>) outs(%6 : !pto.tile_buf<vec, 32x32xf32>)\n"
    "    pto.tmul ins(%6, %6 : !pto.tile_buf<vec, 32x32xf32>, !pto.tile_buf<vec, 32x32xf32>) outs(%7 : !pto.tile_buf<vec, 32x32xf32>)\n"
    "    scf.for %arg3 = %c0 to %arg2 step %c1 {\n"
    "      pto.tadd ins(%8, %7 : !pto.tile_buf<vec, 32x32xf32>, !pto.tile_buf<vec, 32x32xf32>) outs(%8 : !pto.tile_buf<vec, 32x32xf32>)\n"
    "      %10 = pto.alloc_tile addr = %c8192_i64 : !pto.tile_buf<vec, 32x32xf32>\n"
    "      pto.tmuls ins(%8, %cst : !pto.tile_buf<vec, 32x32xf32>, f32) outs(%10 : !pto.tile_buf<vec, 32x32xf32>)\n"
    "      pto.tstore ins(%10 : !pto.tile_buf<vec, 32x32xf32>) outs(%3 : !pto.partition_tensor_view<32x32xf32>)\n"
    "    }\n"
    "    pto.texpands ins(%cst : f32) outs(%9 : !pto.tile_buf<vec, 1x8xf32, valid=1x5>)\n"
    "    return\n"
    "  }\n"
    "}\n");
}

TEST(plan_overflow_names_the_live_tiles) {
  pt_ir r = pt_read(
    "func.func @big(%p: !pto.ptr<f32>) {\n"
    "  %c0 = arith.constant 0 : index\n"
    "  %c1 = arith.constant 1 : index\n"
    "  %c128 = arith.constant 128 : index\n"
    "  %v = pto.make_tensor_view %p, shape = [%c128, %c128], strides = [%c128, %c1] : !pto.tensor_view<?x?xf32>\n"
    "  %pv = pto.partition_view %v, offsets = [%c0, %c0], sizes = [%c128, %c128] : !pto.tensor_view<?x?xf32> -> !pto.partition_tensor_view<128x128xf32>\n"
    "  %a = pto.alloc_tile : !pto.tile_buf<vec, 128x128xf32>\n"
    "  %b = pto.alloc_tile : !pto.tile_buf<vec, 128x128xf32>\n"
    "  %c = pto.alloc_tile : !pto.tile_buf<vec, 128x128xf32>\n"
    "  %d = pto.alloc_tile : !pto.tile_buf<vec, 128x128xf32>\n"
    "  pto.tload ins(%pv : !pto.partition_tensor_view<128x128xf32>) outs(%a : !pto.tile_buf<vec, 128x128xf32>)\n"
    "  pto.tload ins(%pv : !pto.partition_tensor_view<128x128xf32>) outs(%b : !pto.tile_buf<vec, 128x128xf32>)\n"
    "  pto.tload ins(%pv : !pto.partition_tensor_view<128x128xf32>) outs(%c : !pto.tile_buf<vec, 128x128xf32>)\n"
    "  pto.tadd ins(%a, %b : !pto.tile_buf<vec, 128x128xf32>, !pto.tile_buf<vec, 128x128xf32>) outs(%d : !pto.tile_buf<vec, 128x128xf32>)\n"
    "  pto.tadd ins(%d, %c : !pto.tile_buf<vec, 128x128xf32>, !pto.tile_buf<vec, 128x128xf32>) outs(%d : !pto.tile_buf<vec, 128x128xf32>)\n"
    "  pto.tstore ins(%d : !pto.tile_buf<vec, 128x128xf32>) outs(%pv : !pto.partition_tensor_view<128x128xf32>)\n"
    "  return\n"
    "}\n");
  if (!r.m) {
    pt_free(&r);
    return;
  }
  CHECK(!ptk_plan_memory(r.m, PTK_TARGET_A3, NULL, r.d));
  CHECK_INT(ptk_diags_errors(r.d), 1);
  char *txt = pt_diags(r.d);
  CHECK(strstr(txt, "t.pto:10:8: error: plan-memory: vec memory (UB) overflows: 4 tiles are live "
                    "at the peak and need 262144 bytes, but its capacity on a3 is 196608 bytes "
                    "(192 KiB); tile '%d' (65536 bytes) does not fit") != NULL);
  CHECK(strstr(txt, "t.pto:7:8: note: tile '%a' (65536 bytes, !pto.tile_buf<vec, 128x128xf32>) is "
                    "live at the peak") != NULL);
  CHECK(strstr(txt, "t.pto:9:8: note: tile '%c'") != NULL);
  free(txt);
  pt_free(&r);
  /* a5 has 248 KiB of UB: still too small for 256 KiB. */
  r = pt_read(
    "func.func @big(%p: !pto.ptr<f32>) {\n"
    "  %c0 = arith.constant 0 : index\n"
    "  %c1 = arith.constant 1 : index\n"
    "  %c128 = arith.constant 128 : index\n"
    "  %v = pto.make_tensor_view %p, shape = [%c128, %c128], strides = [%c128, %c1] : !pto.tensor_view<?x?xf32>\n"
    "  %pv = pto.partition_view %v, offsets = [%c0, %c0], sizes = [%c128, %c128] : !pto.tensor_view<?x?xf32> -> !pto.partition_tensor_view<128x128xf32>\n"
    "  %a = pto.alloc_tile : !pto.tile_buf<vec, 128x128xf32>\n"
    "  %b = pto.alloc_tile : !pto.tile_buf<vec, 128x128xf32>\n"
    "  %c = pto.alloc_tile : !pto.tile_buf<vec, 128x128xf32>\n"
    "  %d = pto.alloc_tile : !pto.tile_buf<vec, 128x128xf32>\n"
    "  pto.tload ins(%pv : !pto.partition_tensor_view<128x128xf32>) outs(%a : !pto.tile_buf<vec, 128x128xf32>)\n"
    "  pto.tload ins(%pv : !pto.partition_tensor_view<128x128xf32>) outs(%b : !pto.tile_buf<vec, 128x128xf32>)\n"
    "  pto.tload ins(%pv : !pto.partition_tensor_view<128x128xf32>) outs(%c : !pto.tile_buf<vec, 128x128xf32>)\n"
    "  pto.tadd ins(%a, %b : !pto.tile_buf<vec, 128x128xf32>, !pto.tile_buf<vec, 128x128xf32>) outs(%d : !pto.tile_buf<vec, 128x128xf32>)\n"
    "  pto.tadd ins(%d, %c : !pto.tile_buf<vec, 128x128xf32>, !pto.tile_buf<vec, 128x128xf32>) outs(%d : !pto.tile_buf<vec, 128x128xf32>)\n"
    "  pto.tstore ins(%d : !pto.tile_buf<vec, 128x128xf32>) outs(%pv : !pto.partition_tensor_view<128x128xf32>)\n"
    "  return\n"
    "}\n");
  CHECK(!ptk_plan_memory(r.m, PTK_TARGET_A5, NULL, r.d));
  txt = pt_diags(r.d);
  CHECK(strstr(txt, "but its capacity on a5 is 253952 bytes (248 KiB)") != NULL);
  free(txt);
  pt_free(&r);
}

/* Two tiles live at the same time at overlapping addresses: the checker
 * reports them (all pairs checked when no planned set is given); with the
 * tiles marked as explicit (not planned), aliasing is allowed. */
TEST(plan_checker_finds_overlaps) {
  pt_ir r = pt_read(
      "func.func @f(%p: !pto.ptr<f32>) {\n"
      "  %c0 = arith.constant 0 : index\n"
      "  %c1 = arith.constant 1 : index\n"
      "  %c16 = arith.constant 16 : index\n"
      "  %a0 = arith.constant 0 : i64\n"
      "  %a1 = arith.constant 512 : i64\n"
      "  %v = pto.make_tensor_view %p, shape = [%c16, %c16], strides = [%c16, %c1] : !pto.tensor_view<?x?xf32>\n"
      "  %pv = pto.partition_view %v, offsets = [%c0, %c0], sizes = [%c16, %c16] : !pto.tensor_view<?x?xf32> -> !pto.partition_tensor_view<16x16xf32>\n"
      "  %x = pto.alloc_tile addr = %a0 : !pto.tile_buf<vec, 16x16xf32>\n"
      "  %y = pto.alloc_tile addr = %a1 : !pto.tile_buf<vec, 16x16xf32>\n"
      "  pto.tload ins(%pv : !pto.partition_tensor_view<16x16xf32>) outs(%x : !pto.tile_buf<vec, 16x16xf32>)\n"
      "  pto.tload ins(%pv : !pto.partition_tensor_view<16x16xf32>) outs(%y : !pto.tile_buf<vec, 16x16xf32>)\n"
      "  pto.tadd ins(%x, %y : !pto.tile_buf<vec, 16x16xf32>, !pto.tile_buf<vec, 16x16xf32>) outs(%x : !pto.tile_buf<vec, 16x16xf32>)\n"
      "  pto.tstore ins(%x : !pto.tile_buf<vec, 16x16xf32>) outs(%pv : !pto.partition_tensor_view<16x16xf32>)\n"
      "  return\n"
      "}\n");
  if (!r.m) {
    pt_free(&r);
    return;
  }
  CHECK(!ptk_check_memory_plan(r.m, PTK_TARGET_A3, NULL, 0, r.d));
  char *txt = pt_diags(r.d);
  CHECK(strstr(txt, "t.pto:10:8: error: plan-memory check: this tile [512, 1536) overlaps a tile "
                    "that is live at the same time in vec memory") != NULL);
  CHECK(strstr(txt, "t.pto:9:8: note: the other tile [0, 1024)") != NULL);
  free(txt);
  ptk_diags_clear(r.d);
  uint8_t none[64] = {0};
  CHECK(ptk_check_memory_plan(r.m, PTK_TARGET_A3, none, 64, r.d));
  pt_free(&r);
}

/* ---- the corpus ---- */

static bool has_addr(ptk_op *op, void *p) {
  (void)p;
  uint32_t n = 0;
  if (op->kind == PTK_OP_ALLOC_TILE) ptk_op_segment(op, 0, &n);
  return n == 0;
}

/* Launch args from case.json + run_args.txt (tensors read from in/). */
static bool case_args(const char *dir, json_t *c, ptk_launch_arg *args, size_t *nargs) {
  char path[1024];
  snprintf(path, sizeof path, "%s/run_args.txt", dir);
  char *text = ptk_read_file(path, NULL);
  if (!text) return false;
  json_t *ps = json_object_get(c, "params");
  size_t n = json_array_size(ps);
  char *save = NULL, *tok = strtok_r(text, "\n", &save);
  bool ok = true;
  for (size_t i = 0; i < n && ok; i++, tok = strtok_r(NULL, "\n", &save)) {
    if (!tok) {
      ok = false;
      break;
    }
    json_t *p = json_array_get(ps, i);
    const char *kind = json_string_value(json_object_get(p, "kind"));
    const char *dt = json_string_value(json_object_get(p, "dtype"));
    memset(&args[i], 0, sizeof args[i]);
    if (!strcmp(kind, "ptr")) {
      snprintf(path, sizeof path, "%s/%s", dir, tok);
      char *err = NULL;
      args[i].kind = PTK_ARG_TENSOR;
      args[i].tensor = ptk_npy_read(path, !strcmp(dt, "bf16") ? PTK_NPY_U16_AS_BF16 : 0, &err);
      if (!args[i].tensor) {
        fprintf(stderr, "%s\n", err);
        free(err);
        ok = false;
      }
    } else {
      args[i].kind = PTK_ARG_SCALAR;
      if (!strcmp(tok, "true") || !strcmp(tok, "false")) {
        args[i].dt = PTK_DT_I1;
        args[i].i = tok[0] == 't';
      } else if (strchr(tok, '.')) {
        args[i].dt = PTK_DT_F64;
        args[i].f = strtod(tok, NULL);
      } else {
        args[i].dt = PTK_DT_I64;
        args[i].i = strtoll(tok, NULL, 10);
      }
    }
  }
  *nargs = n;
  free(text);
  return ok;
}

static void free_args(ptk_launch_arg *a, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (a[i].kind == PTK_ARG_TENSOR) ptk_tensor_free(a[i].tensor);
}

static void corpus_case(const char *root, const char *id, int *count) {
  char dir[512], path[1024];
  snprintf(dir, sizeof dir, "%s/%s", root, id);
  snprintf(path, sizeof path, "%s/case.json", dir);
  json_error_t je;
  json_t *c = json_load_file(path, 0, &je);
  if (!c) return;
  snprintf(path, sizeof path, "%s/kernel.pto", dir);
  pt_ir orig = pt_load(path), r = pt_load(path);
  const char *entry = json_string_value(json_object_get(c, "entry"));
  if (!orig.m || !r.m || !ptk_walk_module(r.m, has_addr, NULL)) goto done; /* explicit kernels */
  ptk_pipeline_result res;
  memset(&res, 0, sizeof res);
  ptk_pipeline_opts o;
  memset(&o, 0, sizeof o);
  o.mode = PTK_MODE_AUTO;
  o.insert_sync = 0;
  o.result = &res;
  ptk_func *f = ptk_module_find_func_nested(r.m, entry);
  int rc = ptk_pipeline_run(r.m, f, &o, r.d, NULL);
  if (rc) ptk_diags_print(r.d, stderr);
  CHECK_INT(rc, 0);
  CHECK(res.mem_planned);
  for (int sp = PTK_SPACE_VEC; sp < PTK_SPACE__COUNT; sp++) {
    CHECK(res.mem.peak[sp] <= ptk_target_capacity(PTK_TARGET_A3, (ptk_space)sp));
    CHECK(res.mem.peak[sp] <= res.mem.total[sp]);
    CHECK(res.mem.used[sp] <= res.mem.total[sp]);
  }
  ptk_pipeline_result_free(&res);
  /* Every tile was planned: all pairs must be disjoint when both are live. */
  CHECK(ptk_check_memory_plan(r.m, PTK_TARGET_A3, NULL, 0, r.d));
  /* Same outputs, bit for bit. */
  ptk_launch_arg a1[16], a2[16];
  size_t n1 = 0, n2 = 0;
  if (case_args(dir, c, a1, &n1) && case_args(dir, c, a2, &n2)) {
    ptk_diags *d = ptk_diags_new();
    int r1 = ptk_interp_launch(ptk_module_find_func_nested(orig.m, entry), NULL, a1, n1, d);
    int r2 = ptk_interp_launch(ptk_module_find_func_nested(r.m, entry), NULL, a2, n2, d);
    if (r1 || r2) ptk_diags_print(d, stderr);
    CHECK_INT(r1, 0);
    CHECK_INT(r2, 0);
    for (size_t i = 0; i < n1; i++) {
      if (a1[i].kind != PTK_ARG_TENSOR) continue;
      size_t nb = ptk_tensor_nbytes(a1[i].tensor);
      bool same = nb == ptk_tensor_nbytes(a2[i].tensor) &&
                  memcmp(a1[i].tensor->data, a2[i].tensor->data, nb) == 0;
      if (!same) fprintf(stderr, "  %s: parameter %zu differs after plan-memory\n", id, i);
      CHECK(same);
    }
    ptk_diags_free(d);
    (*count)++;
  }
  free_args(a1, n1);
  free_args(a2, n2);
done:
  pt_free(&orig);
  pt_free(&r);
  json_decref(c);
}

TEST(plan_corpus_peaks_invariant_and_outputs) {
  const char *root = "../shared/corpus/pto";
  DIR *dir = opendir(root);
  if (!dir) return;
  int n = 0;
  struct dirent *e;
  while ((e = readdir(dir)) != NULL)
    if (e->d_name[0] != '.') corpus_case(root, e->d_name, &n);
  closedir(dir);
  CHECK(n >= 12);
}

/* insert-sync and its checker: set_flag/wait_flag pairs between pipes
 * (hazards inside an iteration and between iterations), a barrier before
 * return; the checker finds missing syncs, unmatched flags, branches and
 * loops that leave flags in different states, and accepts what the
 * inserter produces on every corpus kernel. */
#include <dirent.h>

#include "backend/passes/pipeline.h"
#include "tests/unit/pass_helpers.h"

static void sync(pt_ir *r) {
  ptk_sync_stats st;
  ptk_insert_sync(r->m, &st);
  CHECK_INT(st.pairs, 4);
  CHECK_INT(st.barriers, 1);
  bool ok = ptk_check_sync(r->m, r->d);
  if (!ok) ptk_diags_print(r->d, stderr);
  CHECK(ok);
}

static const char *VADD =
    "func.func @vadd(%a: !pto.ptr<f32>, %b: !pto.ptr<f32>, %c: !pto.ptr<f32>, %n: index) {\n"
    "  %c0 = arith.constant 0 : index\n"
    "  %c1 = arith.constant 1 : index\n"
    "  %c32 = arith.constant 32 : index\n"
    "  %a0 = arith.constant 0 : i64\n"
    "  %a1 = arith.constant 4096 : i64\n"
    "  %a2 = arith.constant 8192 : i64\n"
    "  %va = pto.make_tensor_view %a, shape = [%n, %c32], strides = [%c32, %c1] : !pto.tensor_view<?x?xf32>\n"
    "  %vb = pto.make_tensor_view %b, shape = [%n, %c32], strides = [%c32, %c1] : !pto.tensor_view<?x?xf32>\n"
    "  %vc = pto.make_tensor_view %c, shape = [%n, %c32], strides = [%c32, %c1] : !pto.tensor_view<?x?xf32>\n"
    "  %ta = pto.alloc_tile addr = %a0 : !pto.tile_buf<vec, 32x32xf32>\n"
    "  %tb = pto.alloc_tile addr = %a1 : !pto.tile_buf<vec, 32x32xf32>\n"
    "  %tc = pto.alloc_tile addr = %a2 : !pto.tile_buf<vec, 32x32xf32>\n"
    "  scf.for %i = %c0 to %n step %c32 {\n"
    "    %pa = pto.partition_view %va, offsets = [%i, %c0], sizes = [%c32, %c32] : !pto.tensor_view<?x?xf32> -> !pto.partition_tensor_view<32x32xf32>\n"
    "    %pb = pto.partition_view %vb, offsets = [%i, %c0], sizes = [%c32, %c32] : !pto.tensor_view<?x?xf32> -> !pto.partition_tensor_view<32x32xf32>\n"
    "    %pc = pto.partition_view %vc, offsets = [%i, %c0], sizes = [%c32, %c32] : !pto.tensor_view<?x?xf32> -> !pto.partition_tensor_view<32x32xf32>\n"
    "    pto.tload ins(%pa : !pto.partition_tensor_view<32x32xf32>) outs(%ta : !pto.tile_buf<vec, 32x32xf32>)\n"
    "    pto.tload ins(%pb : !pto.partition_tensor_view<32x32xf32>) outs(%tb : !pto.tile_buf<vec, 32x32xf32>)\n"
    "    pto.tadd ins(%ta, %tb : !pto.tile_buf<vec, 32x32xf32>, !pto.tile_buf<vec, 32x32xf32>) outs(%tc : !pto.tile_buf<vec, 32x32xf32>)\n"
    "    pto.tstore ins(%tc : !pto.tile_buf<vec, 32x32xf32>) outs(%pc : !pto.partition_tensor_view<32x32xf32>)\n"
    "  }\n"
    "  return\n"
    "}\n";

/* tload (MTE2) -> tadd (V) -> tstore (MTE3) in a loop over fixed addresses:
 * the next iteration's tload overwrites what this iteration's tadd reads
 * (V -> MTE2) and its tadd overwrites what the tstore reads (MTE3 -> V). */
TEST(sync_vadd_loop) {
  pt_expect(VADD, sync,
    "module {\n"
    "  func.func @vadd(%arg0: !pto.ptr<f32>, %arg1: !pto.ptr<f32>, %arg2: !pto.ptr<f32>, %arg3: index) {\n"
    "    %c0 = arith.constant 0 : index\n"
    "    %c1 = arith.constant 1 : index\n"
    "    %c32 = arith.constant 32 : index\n"
    "    %c0_i64 = arith.constant 0 : i64\n"
    "    %c4096_i64 = arith.constant 4096 : i64\n"
    "    %c8192_i64 = arith.constant 8192 : i64\n"
    "    %0 = pto.make_tensor_view %arg0, shape = [%arg3, %c32], strides = [%c32, %c1] : !pto.tensor_view<?x?xf32>\n"
    "    %1 = pto.make_tensor_view %arg1, shape = [%arg3, %c32], strides = [%c32, %c1] : !pto.tensor_view<?x?xf32>\n"
    "    %2 = pto.make_tensor_view %arg2, shape = [%arg3, %c32], strides = [%c32, %c1] : !pto.tensor_view<?x?xf32>\n"
    "    %3 = pto.alloc_tile addr = %c0_i64 : !pto.tile_buf<vec, 32x32xf32>\n"
    "    %4 = pto.alloc_tile addr = %c4096_i64 : !pto.tile_buf<vec, 32x32xf32>\n"
    "    %5 = pto.alloc_tile addr = %c8192_i64 : !pto.tile_buf<vec, 32x32xf32>\n"
    "    scf.for %arg4 = %c0 to %arg3 step %c32 {\n"
    "      %6 = pto.partition_view %0, offsets = [%arg4, %c0], sizes = [%c32, %c32] : !pto.tensor_view<?x?xf32> -> !pto.partition_tensor_view<32x32xf32>\n"
    "      %7 = pto.partition_view %1, offsets = [%arg4, %c0], sizes = [%c32, %c32] : !pto.tensor_view<?x?xf32> -> !pto.partition_tensor_view<32x32xf32>\n"
    "      %8 = pto.partition_view %2, offsets = [%arg4, %c0], sizes = [%c32, %c32] : !pto.tensor_view<?x?xf32> -> !pto.partition_tensor_view<32x32xf32>\n"
    "      pto.set_flag[<PIPE_V>, <PIPE_MTE2>, <EVENT_ID0>]\n"
    "      pto.wait_flag[<PIPE_V>, <PIPE_MTE2>, <EVENT_ID0>]\n"
    "      pto.tload ins(%6 : !pto.partition_tensor_view<32x32xf32>) outs(%3 : !pto.tile_buf<vec, 32x32xf32>)\n"
    "      pto.tload ins(%7 : !pto.partition_tensor_view<32x32xf32>) outs(%4 : !pto.tile_buf<vec, 32x32xf32>)\n"
    "      pto.set_flag[<PIPE_MTE2>, <PIPE_V>, <EVENT_ID0>]\n"
    "      pto.wait_flag[<PIPE_MTE2>, <PIPE_V>, <EVENT_ID0>]\n"
    "      pto.set_flag[<PIPE_MTE3>, <PIPE_V>, <EVENT_ID0>]\n"
    "      pto.wait_flag[<PIPE_MTE3>, <PIPE_V>, <EVENT_ID0>]\n"
    "      pto.tadd ins(%3, %4 : !pto.tile_buf<vec, 32x32xf32>, !pto.tile_buf<vec, 32x32xf32>) outs(%5 : !pto.tile_buf<vec, 32x32xf32>)\n"
    "      pto.set_flag[<PIPE_V>, <PIPE_MTE3>, <EVENT_ID0>]\n"
    "      pto.wait_flag[<PIPE_V>, <PIPE_MTE3>, <EVENT_ID0>]\n"
    "      pto.tstore ins(%5 : !pto.tile_buf<vec, 32x32xf32>) outs(%8 : !pto.partition_tensor_view<32x32xf32>)\n"
    "    }\n"
    "    pto.barrier <PIPE_ALL>\n"
    "    return\n"
    "  }\n"
    "}\n");
}

static char *check_text(const char *text, bool *ok) {
  pt_ir r = pt_read(text);
  char *s;
  if (!r.m) {
    *ok = false;
    s = ptk_xstrdup("<read error>");
  } else {
    *ok = ptk_check_sync(r.m, r.d);
    s = pt_diags(r.d);
  }
  pt_free(&r);
  return s;
}

TEST(sync_checker_unsynchronized) {
  bool ok;
  char *s = check_text(VADD, &ok);
  CHECK(!ok);
  CHECK(strstr(s, "t.pto:18:5: error: missing synchronization: this 'pto.tload' (PIPE_MTE2) writes "
                  "a tile that 'pto.tadd' (PIPE_V) reads, with no set_flag/wait_flag from PIPE_V "
                  "to PIPE_MTE2 in between") != NULL);
  CHECK(strstr(s, "t.pto:20:5: note: the 'pto.tadd' on PIPE_V is here") != NULL);
  CHECK(strstr(s, "t.pto:20:5: error: missing synchronization: this 'pto.tadd' (PIPE_V) reads a "
                  "tile that 'pto.tload' (PIPE_MTE2) writes") != NULL);
  CHECK(strstr(s, "t.pto:21:5: error: missing synchronization: this 'pto.tstore' (PIPE_MTE3) reads "
                  "a tile that 'pto.tadd' (PIPE_V) writes") != NULL);
  free(s);
}

/* The inserter's output with the MTE2 -> V wait removed. */
TEST(sync_checker_removed_wait) {
  bool ok;
  char *s = check_text(
    "module {\n"
    "  func.func @vadd(%arg0: !pto.ptr<f32>, %arg1: !pto.ptr<f32>, %arg2: !pto.ptr<f32>, %arg3: index) {\n"
    "    %c0 = arith.constant 0 : index\n"
    "    %c1 = arith.constant 1 : index\n"
    "    %c32 = arith.constant 32 : index\n"
    "    %c0_i64 = arith.constant 0 : i64\n"
    "    %c4096_i64 = arith.constant 4096 : i64\n"
    "    %c8192_i64 = arith.constant 8192 : i64\n"
    "    %0 = pto.make_tensor_view %arg0, shape = [%arg3, %c32], strides = [%c32, %c1] : !pto.tensor_view<?x?xf32>\n"
    "    %1 = pto.make_tensor_view %arg1, shape = [%arg3, %c32], strides = [%c32, %c1] : !pto.tensor_view<?x?xf32>\n"
    "    %2 = pto.make_tensor_view %arg2, shape = [%arg3, %c32], strides = [%c32, %c1] : !pto.tensor_view<?x?xf32>\n"
    "    %3 = pto.alloc_tile addr = %c0_i64 : !pto.tile_buf<vec, 32x32xf32>\n"
    "    %4 = pto.alloc_tile addr = %c4096_i64 : !pto.tile_buf<vec, 32x32xf32>\n"
    "    %5 = pto.alloc_tile addr = %c8192_i64 : !pto.tile_buf<vec, 32x32xf32>\n"
    "    scf.for %arg4 = %c0 to %arg3 step %c32 {\n"
    "      %6 = pto.partition_view %0, offsets = [%arg4, %c0], sizes = [%c32, %c32] : !pto.tensor_view<?x?xf32> -> !pto.partition_tensor_view<32x32xf32>\n"
    "      %7 = pto.partition_view %1, offsets = [%arg4, %c0], sizes = [%c32, %c32] : !pto.tensor_view<?x?xf32> -> !pto.partition_tensor_view<32x32xf32>\n"
    "      %8 = pto.partition_view %2, offsets = [%arg4, %c0], sizes = [%c32, %c32] : !pto.tensor_view<?x?xf32> -> !pto.partition_tensor_view<32x32xf32>\n"
    "      pto.set_flag[<PIPE_V>, <PIPE_MTE2>, <EVENT_ID0>]\n"
    "      pto.wait_flag[<PIPE_V>, <PIPE_MTE2>, <EVENT_ID0>]\n"
    "      pto.tload ins(%6 : !pto.partition_tensor_view<32x32xf32>) outs(%3 : !pto.tile_buf<vec, 32x32xf32>)\n"
    "      pto.tload ins(%7 : !pto.partition_tensor_view<32x32xf32>) outs(%4 : !pto.tile_buf<vec, 32x32xf32>)\n"
    "      pto.set_flag[<PIPE_MTE2>, <PIPE_V>, <EVENT_ID0>]\n"
    "      pto.set_flag[<PIPE_MTE3>, <PIPE_V>, <EVENT_ID0>]\n"
    "      pto.wait_flag[<PIPE_MTE3>, <PIPE_V>, <EVENT_ID0>]\n"
    "      pto.tadd ins(%3, %4 : !pto.tile_buf<vec, 32x32xf32>, !pto.tile_buf<vec, 32x32xf32>) outs(%5 : !pto.tile_buf<vec, 32x32xf32>)\n"
    "      pto.set_flag[<PIPE_V>, <PIPE_MTE3>, <EVENT_ID0>]\n"
    "      pto.wait_flag[<PIPE_V>, <PIPE_MTE3>, <EVENT_ID0>]\n"
    "      pto.tstore ins(%5 : !pto.tile_buf<vec, 32x32xf32>) outs(%8 : !pto.partition_tensor_view<32x32xf32>)\n"
    "    }\n"
    "    pto.barrier <PIPE_ALL>\n"
    "    return\n"
    "  }\n"
    "}\n", &ok);
  CHECK(!ok);
  CHECK(strstr(s, "error: missing synchronization: this 'pto.tadd' (PIPE_V) reads a tile that "
                  "'pto.tload' (PIPE_MTE2) writes, with no set_flag/wait_flag from PIPE_MTE2 to "
                  "PIPE_V in between") != NULL);
  CHECK(strstr(s, "error: unmatched flag: an iteration of this loop leaves different flags set "
                  "than it starts with: EVENT_ID0 from PIPE_MTE2 to PIPE_V") != NULL);
  free(s);
}

#define T "!pto.tile_buf<vec, 16x16xf32>"
#define P "!pto.partition_tensor_view<16x16xf32>"
#define HEAD                                                                                       \
  "func.func @f(%p: !pto.ptr<f32>, %flag: i1, %n: index) {\n"                                      \
  "  %c0 = arith.constant 0 : index\n"                                                             \
  "  %c1 = arith.constant 1 : index\n"                                                             \
  "  %c16 = arith.constant 16 : index\n"                                                           \
  "  %v = pto.make_tensor_view %p, shape = [%c16, %c16], strides = [%c16, %c1] : "                \
  "!pto.tensor_view<?x?xf32>\n"                                                                    \
  "  %pv = pto.partition_view %v, offsets = [%c0, %c0], sizes = [%c16, %c16] : "                  \
  "!pto.tensor_view<?x?xf32> -> " P "\n"                                                           \
  "  %t = pto.alloc_tile : " T "\n"
#define LOAD "  pto.tload ins(%pv : " P ") outs(%t : " T ")\n"
#define ADD "  pto.tadds ins(%t, %c1f : " T ", f32) outs(%t : " T ")\n"
#define STORE "  pto.tstore ins(%t : " T ") outs(%pv : " P ")\n"

static void expect_check(const char *text, const char *want) {
  bool ok;
  char *s = check_text(text, &ok);
  if (!want) {
    if (!ok) fprintf(stderr, "%s", s);
    CHECK(ok);
  } else {
    CHECK(!ok);
    if (!strstr(s, want)) fprintf(stderr, "want: %s\ngot:\n%s", want, s);
    CHECK(strstr(s, want) != NULL);
  }
  free(s);
}

TEST(sync_checker_flags) {
  /* Properly paired: clean. */
  expect_check(HEAD "  %c1f = arith.constant 1.0 : f32\n" LOAD
                    "  pto.set_flag[<PIPE_MTE2>, <PIPE_V>, <EVENT_ID0>]\n"
                    "  pto.wait_flag[<PIPE_MTE2>, <PIPE_V>, <EVENT_ID0>]\n" ADD
                    "  pto.set_flag[<PIPE_V>, <PIPE_MTE3>, <EVENT_ID1>]\n"
                    "  pto.wait_flag[<PIPE_V>, <PIPE_MTE3>, <EVENT_ID1>]\n" STORE "  return\n}\n",
               NULL);
  /* A barrier also orders everything. */
  expect_check(HEAD "  %c1f = arith.constant 1.0 : f32\n" LOAD "  pto.barrier <PIPE_ALL>\n" ADD
                    "  pto.barrier <PIPE_ALL>\n" STORE "  return\n}\n",
               NULL);
  /* Transitive: MTE2 -> V, then V -> MTE3 covers the tload for the tstore. */
  expect_check(HEAD "  %c1f = arith.constant 1.0 : f32\n"
                    "  %u = pto.alloc_tile : " T "\n" LOAD
                    "  pto.set_flag[<PIPE_MTE2>, <PIPE_V>, <EVENT_ID0>]\n"
                    "  pto.wait_flag[<PIPE_MTE2>, <PIPE_V>, <EVENT_ID0>]\n"
                    "  pto.tadds ins(%t, %c1f : " T ", f32) outs(%u : " T ")\n"
                    "  pto.set_flag[<PIPE_V>, <PIPE_MTE3>, <EVENT_ID0>]\n"
                    "  pto.wait_flag[<PIPE_V>, <PIPE_MTE3>, <EVENT_ID0>]\n"
                    "  pto.tstore ins(%t : " T ") outs(%pv : " P ")\n"
                    "  pto.tstore ins(%u : " T ") outs(%pv : " P ")\n"
                    "  return\n}\n",
               NULL);
  /* wait without set. */
  expect_check(HEAD "  pto.wait_flag[<PIPE_MTE2>, <PIPE_V>, <EVENT_ID3>]\n  return\n}\n",
               "t.pto:8:3: error: unmatched flag: this wait_flag waits for EVENT_ID3 from "
               "PIPE_MTE2 to PIPE_V, but no set_flag sets it before (on some path)");
  /* set twice. */
  expect_check(HEAD "  pto.set_flag[<PIPE_MTE2>, <PIPE_V>, <EVENT_ID0>]\n"
                    "  pto.set_flag[<PIPE_MTE2>, <PIPE_V>, <EVENT_ID0>]\n"
                    "  pto.wait_flag[<PIPE_MTE2>, <PIPE_V>, <EVENT_ID0>]\n  return\n}\n",
               "t.pto:9:3: error: unmatched flag: this set_flag sets EVENT_ID0 from PIPE_MTE2 to "
               "PIPE_V, which is already set and not waited for");
  /* set never waited. */
  expect_check(HEAD "  pto.set_flag[<PIPE_V>, <PIPE_MTE3>, <EVENT_ID2>]\n  return\n}\n",
               "t.pto:8:3: error: unmatched flag: EVENT_ID2 from PIPE_V to PIPE_MTE3 is set here "
               "but never waited for before the function returns");
  /* Branches that disagree. */
  expect_check(HEAD "  scf.if %flag {\n"
                    "    pto.set_flag[<PIPE_MTE2>, <PIPE_V>, <EVENT_ID0>]\n"
                    "  }\n"
                    "  pto.wait_flag[<PIPE_MTE2>, <PIPE_V>, <EVENT_ID0>]\n  return\n}\n",
               "t.pto:8:3: error: unmatched flag: the branches of this scf.if leave different "
               "flags set: EVENT_ID0 from PIPE_MTE2 to PIPE_V (set at line 9) in the 'then' "
               "branch only");
  /* Ping-pong across iterations (set before the loop, wait at the top of
   * the body, set again at its end, final wait after it): clean. */
  expect_check(HEAD "  %c1f = arith.constant 1.0 : f32\n"
                    "  pto.set_flag[<PIPE_V>, <PIPE_MTE2>, <EVENT_ID0>]\n"
                    "  scf.for %i = %c0 to %n step %c1 {\n"
                    "    pto.wait_flag[<PIPE_V>, <PIPE_MTE2>, <EVENT_ID0>]\n"
                    "  " LOAD
                    "    pto.set_flag[<PIPE_MTE2>, <PIPE_V>, <EVENT_ID1>]\n"
                    "    pto.wait_flag[<PIPE_MTE2>, <PIPE_V>, <EVENT_ID1>]\n"
                    "  " ADD
                    "    pto.set_flag[<PIPE_V>, <PIPE_MTE2>, <EVENT_ID0>]\n"
                    "  }\n"
                    "  pto.wait_flag[<PIPE_V>, <PIPE_MTE2>, <EVENT_ID0>]\n  return\n}\n",
               NULL);
  /* The same loop without the wait at the top: the next iteration's tload
   * races with the tadds, and the flag is set twice. */
  expect_check(HEAD "  %c1f = arith.constant 1.0 : f32\n"
                    "  scf.for %i = %c0 to %n step %c1 {\n"
                    "  " LOAD
                    "    pto.set_flag[<PIPE_MTE2>, <PIPE_V>, <EVENT_ID1>]\n"
                    "    pto.wait_flag[<PIPE_MTE2>, <PIPE_V>, <EVENT_ID1>]\n"
                    "  " ADD
                    "  }\n  return\n}\n",
               "t.pto:10:5: error: missing synchronization: this 'pto.tload' (PIPE_MTE2) writes a "
               "tile that 'pto.tadds' (PIPE_V) writes");
}

/* Global memory: a tstore then a tload of the same pointer need FIX/MTE3 ->
 * MTE2 (fa_full stores scores and reads them back). */
TEST(sync_global_memory) {
  expect_check(HEAD "  %u = pto.alloc_tile : " T "\n"
                    "  pto.tstore ins(%t : " T ") outs(%pv : " P ")\n"
                    "  pto.tload ins(%pv : " P ") outs(%u : " T ")\n  return\n}\n",
               "error: missing synchronization: this 'pto.tload' (PIPE_MTE2) reads global memory "
               "that 'pto.tstore' (PIPE_MTE3) writes");
}

/* Every corpus kernel through the whole auto pipeline: the checker accepts
 * the result; a second insert-sync leaves it alone. */
TEST(sync_corpus_checked) {
  const char *root = "../shared/corpus/pto";
  DIR *dir = opendir(root);
  if (!dir) return;
  struct dirent *e;
  int n = 0;
  while ((e = readdir(dir)) != NULL) {
    if (e->d_name[0] == '.') continue;
    char path[1024];
    snprintf(path, sizeof path, "%s/%s/kernel.pto", root, e->d_name);
    pt_ir r = pt_load(path);
    if (!r.m) {
      pt_free(&r);
      continue;
    }
    ptk_pipeline_opts o;
    memset(&o, 0, sizeof o);
    o.mode = PTK_MODE_AUTO;
    o.insert_sync = 1;
    o.verify_each = true;
    int rc = ptk_pipeline_run(r.m, NULL, &o, r.d, NULL);
    if (rc) ptk_diags_print(r.d, stderr);
    CHECK_INT(rc, 0);
    CHECK(ptk_check_sync(r.m, r.d));
    ptk_sync_stats st;
    ptk_insert_sync(r.m, &st);
    CHECK_INT(st.pairs, 0);
    CHECK_INT(st.barriers, 0);
    CHECK_INT(st.skipped, 1);
    n++;
    pt_free(&r);
  }
  closedir(dir);
  CHECK(n >= 14);
}

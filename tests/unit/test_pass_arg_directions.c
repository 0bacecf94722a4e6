/* derive-arg-directions: every public corpus kernel's pointer directions
 * equal the roles in its case.json; synthetic kernels for each way a
 * pointer reaches an access; the declared-direction checker. */
#include <dirent.h>
#include <jansson.h>

#include "backend/passes/pipeline.h"
#include "tests/unit/pass_helpers.h"

static const char *dir_of(const ptk_arg_dirs *a, uint32_t i) {
  return i < a->n ? ptk_arg_dir_name(a->dir[i]) : "?";
}

/* Directions of function `name` (NULL: the first function), joined "in,out,…". */
static char *dirs_text(const char *text, const char *name) {
  pt_ir r = pt_read(text);
  if (!r.m) {
    pt_free(&r);
    return ptk_xstrdup("<read error>");
  }
  ptk_func *f = name ? ptk_module_find_func_nested(r.m, name) : r.m->items[0].func;
  ptk_arg_dirs a;
  ptk_derive_arg_directions(f, &a);
  ptk_buf b = {0};
  for (uint32_t i = 0; i < a.n; i++) ptk_buf_printf(&b, "%s%s", i ? "," : "", dir_of(&a, i));
  ptk_arg_dirs_free(&a);
  pt_free(&r);
  return ptk_buf_take(&b);
}

static void check_case(const char *root, const char *id, bool after_pipeline, int *n) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s/case.json", root, id);
  json_error_t je;
  json_t *c = json_load_file(path, 0, &je);
  if (!c) return;
  snprintf(path, sizeof path, "%s/%s/kernel.pto", root, id);
  pt_ir r = pt_load(path);
  CHECK(r.m != NULL);
  const char *entry = json_string_value(json_object_get(c, "entry"));
  ptk_func *f = r.m && entry ? ptk_module_find_func_nested(r.m, entry) : NULL;
  CHECK(f != NULL);
  if (f) {
    ptk_arg_dirs a;
    if (after_pipeline) {
      ptk_pipeline_result res;
      memset(&res, 0, sizeof res);
      ptk_pipeline_opts o;
      memset(&o, 0, sizeof o);
      o.mode = PTK_MODE_EXPLICIT;
      o.insert_sync = 0;
      o.result = &res;
      CHECK_INT(ptk_pipeline_run(r.m, f, &o, r.d, NULL), 0);
      a = res.dirs;
      memset(&res.dirs, 0, sizeof res.dirs);
      ptk_pipeline_result_free(&res);
    } else {
      ptk_derive_arg_directions(f, &a);
    }
    json_t *ps = json_object_get(c, "params");
    CHECK_INT(json_array_size(ps), a.n);
    for (size_t i = 0; i < json_array_size(ps) && i < a.n; i++) {
      json_t *p = json_array_get(ps, i);
      const char *kind = json_string_value(json_object_get(p, "kind"));
      if (kind && !strcmp(kind, "scalar")) {
        CHECK_STR(dir_of(&a, (uint32_t)i), "");
        continue;
      }
      const char *role = json_string_value(json_object_get(p, "role"));
      if (strcmp(dir_of(&a, (uint32_t)i), role ? role : "") != 0)
        fprintf(stderr, "  %s param %zu: derived %s, case.json says %s\n", id, i,
                dir_of(&a, (uint32_t)i), role);
      CHECK_STR(dir_of(&a, (uint32_t)i), role ? role : "");
    }
    ptk_arg_dirs_free(&a);
    (*n)++;
  }
  pt_free(&r);
  json_decref(c);
}

static void corpus(bool after_pipeline) {
  const char *root = "../shared/corpus/pto";
  DIR *dir = opendir(root);
  if (!dir) return;
  int n = 0;
  struct dirent *e;
  while ((e = readdir(dir)) != NULL)
    if (e->d_name[0] != '.') check_case(root, e->d_name, after_pipeline, &n);
  closedir(dir);
  CHECK(n >= 14);
}

TEST(argdir_corpus_roles) { corpus(false); }
TEST(argdir_corpus_roles_after_pipeline) { corpus(true); }

#define T16 "!pto.tile_buf<vec, 16x16xf32>"
#define P16 "!pto.partition_tensor_view<16x16xf32>"
#define TV "!pto.tensor_view<?x?xf32>"

/* Views, addptr, iter_args, scf.if results, scalar accesses, unused. */
TEST(argdir_through_values) {
  char *s = dirs_text(
      "func.func @f(%a: !pto.ptr<f32>, %b: !pto.ptr<f32>, %c: !pto.ptr<f32>, %d: !pto.ptr<f32>,\n"
      "             %e: !pto.ptr<f32>, %n: index, %flag: i1) {\n"
      "  %c0 = arith.constant 0 : index\n"
      "  %c1 = arith.constant 1 : index\n"
      "  %c16 = arith.constant 16 : index\n"
      "  %a1 = pto.addptr %a, %c16 : !pto.ptr<f32> -> !pto.ptr<f32>\n"
      "  %x = pto.load_scalar %a1[%c0] : !pto.ptr<f32> -> f32\n"
      "  %r = scf.for %i = %c0 to %n step %c1 iter_args(%p = %b) -> (!pto.ptr<f32>) {\n"
      "    scf.yield %c : !pto.ptr<f32>\n"
      "  }\n"
      "  pto.store_scalar %x, %r[%c0] : !pto.ptr<f32>, f32\n"
      "  %s = scf.if %flag -> (!pto.ptr<f32>) {\n"
      "    scf.yield %d : !pto.ptr<f32>\n"
      "  } else {\n"
      "    scf.yield %d : !pto.ptr<f32>\n"
      "  }\n"
      "  %v = pto.make_tensor_view %s, shape = [%c16, %c16], strides = [%c16, %c1] : " TV "\n"
      "  %pv = pto.partition_view %v, offsets = [%c0, %c0], sizes = [%c16, %c16] : " TV " -> " P16 "\n"
      "  %t = pto.alloc_tile : " T16 "\n"
      "  pto.tload ins(%pv : " P16 ") outs(%t : " T16 ")\n"
      "  pto.tstore ins(%t : " T16 ") outs(%pv : " P16 ")\n"
      "  return\n"
      "}\n",
      NULL);
  /* %b and %c both flow into %r (init and yield); %d is loaded before the
   * store; %e is never touched; %n and %flag are scalars. */
  CHECK_STR(s, "in,out,out,inout,unused,,");
  free(s);
}

/* A tload of what a dominating full tstore wrote does not read the
 * caller's data; a store in a branch does not dominate; an atomic-add
 * store reads. */
TEST(argdir_written_first) {
  char *s = dirs_text(
      "func.func @f(%a: !pto.ptr<f32>, %b: !pto.ptr<f32>, %c: !pto.ptr<f32>, %flag: i1) {\n"
      "  %c0 = arith.constant 0 : index\n"
      "  %c1 = arith.constant 1 : index\n"
      "  %c16 = arith.constant 16 : index\n"
      "  %t = pto.alloc_tile : " T16 "\n"
      "  %va = pto.make_tensor_view %a, shape = [%c16, %c16], strides = [%c16, %c1] : " TV "\n"
      "  %pa = pto.partition_view %va, offsets = [%c0, %c0], sizes = [%c16, %c16] : " TV " -> " P16 "\n"
      "  pto.tstore ins(%t : " T16 ") outs(%pa : " P16 ")\n"
      "  pto.tload ins(%pa : " P16 ") outs(%t : " T16 ")\n"
      "  %vb = pto.make_tensor_view %b, shape = [%c16, %c16], strides = [%c16, %c1] : " TV "\n"
      "  %pb = pto.partition_view %vb, offsets = [%c0, %c0], sizes = [%c16, %c16] : " TV " -> " P16 "\n"
      "  scf.if %flag {\n"
      "    pto.tstore ins(%t : " T16 ") outs(%pb : " P16 ")\n"
      "  }\n"
      "  pto.tload ins(%pb : " P16 ") outs(%t : " T16 ")\n"
      "  %vc = pto.make_tensor_view %c, shape = [%c16, %c16], strides = [%c16, %c1] : " TV "\n"
      "  %pc = pto.partition_view %vc, offsets = [%c0, %c0], sizes = [%c16, %c16] : " TV " -> " P16 "\n"
      "  pto.tstore ins(%t : " T16 ") outs(%pc : " P16 ") {atomicType = #pto<atomic_type atomic_add>}\n"
      "  return\n"
      "}\n",
      NULL);
  CHECK_STR(s, "out,inout,inout,");
  free(s);
}

/* Written first, IR forms the .ptk language does not produce: a tile whose
 * valid shape is dynamic (or changed by set_validshape) writes an unknown
 * region; a 5-D DN view is mapped as the engines map it; scalar stores
 * through addptr; scf.while; a write inside a section is not credited
 * outside it; a select with a known condition picks its pointer. */
#define TD16 "!pto.tile_buf<vec, 16x16xf32, valid=?x?>"
#define P8 "!pto.partition_tensor_view<8x16xf32>"
TEST(argdir_written_first_ir) {
  char *s = dirs_text(
      "func.func @f(%a: !pto.ptr<f32>, %b: !pto.ptr<f32>, %c: !pto.ptr<f32>, %d: !pto.ptr<f32>,\n"
      "             %e: !pto.ptr<f32>, %g: !pto.ptr<f32>, %h: !pto.ptr<f32>, %vr: index) {\n"
      "  %c0 = arith.constant 0 : index\n"
      "  %c1 = arith.constant 1 : index\n"
      "  %c2 = arith.constant 2 : index\n"
      "  %c4 = arith.constant 4 : index\n"
      "  %c8 = arith.constant 8 : index\n"
      "  %c16 = arith.constant 16 : index\n"
      "  %t = pto.alloc_tile : " T16 "\n"
      /* %a: stored from a tile with a run-time valid shape, then loaded */
      "  %dt = pto.alloc_tile valid_row = %vr valid_col = %c16 : " TD16 "\n"
      "  %va = pto.make_tensor_view %a, shape = [%c16, %c16], strides = [%c16, %c1] : " TV "\n"
      "  %pa = pto.partition_view %va, offsets = [%c0, %c0], sizes = [%c16, %c16] : " TV " -> " P16 "\n"
      "  pto.tstore ins(%dt : " TD16 ") outs(%pa : " P16 ")\n"
      "  pto.tload ins(%pa : " P16 ") outs(%t : " T16 ")\n"
      /* %b: the stored tile's valid shape is changed by set_validshape */
      "  %st = pto.alloc_tile valid_row = %c16 valid_col = %c16 : " TD16 "\n"
      "  pto.set_validshape %st, %c8, %c16 : " TD16 "\n"
      "  %vb = pto.make_tensor_view %b, shape = [%c16, %c16], strides = [%c16, %c1] : " TV "\n"
      "  %pb = pto.partition_view %vb, offsets = [%c0, %c0], sizes = [%c16, %c16] : " TV " -> " P16 "\n"
      "  pto.tstore ins(%st : " TD16 ") outs(%pb : " P16 ")\n"
      "  pto.tload ins(%pb : " P16 ") outs(%t : " T16 ")\n"
      /* %c: 16 scalars stored through addptr in a loop, one read back */
      "  %c_4 = pto.addptr %c, %c4 : !pto.ptr<f32> -> !pto.ptr<f32>\n"
      "  %x = pto.load_scalar %a[%c0] : !pto.ptr<f32> -> f32\n"
      "  scf.for %i = %c0 to %c16 step %c1 {\n"
      "    pto.store_scalar %x, %c[%i] : !pto.ptr<f32>, f32\n"
      "  }\n"
      "  %y = pto.load_scalar %c_4[%c8] : !pto.ptr<f32> -> f32\n"
      /* %d: written in the `before` region of a while, read in `after` */
      "  %vd = pto.make_tensor_view %d, shape = [%c16, %c16], strides = [%c16, %c1] : " TV "\n"
      "  %pd = pto.partition_view %vd, offsets = [%c0, %c0], sizes = [%c16, %c16] : " TV " -> " P16 "\n"
      "  %w = scf.while (%k = %c0) : (index) -> (index) {\n"
      "    pto.tstore ins(%t : " T16 ") outs(%pd : " P16 ")\n"
      "    %go = arith.cmpi slt, %k, %vr : index\n"
      "    scf.condition(%go) %k : index\n"
      "  } do {\n"
      "  ^bb0(%k2: index):\n"
      "    pto.tload ins(%pd : " P16 ") outs(%t : " T16 ")\n"
      "    %k3 = arith.addi %k2, %c1 : index\n"
      "    scf.yield %k3 : index\n"
      "  }\n"
      /* %e: written in a cube section, read in a vector section */
      "  %ve = pto.make_tensor_view %e, shape = [%c16, %c16], strides = [%c16, %c1] : " TV "\n"
      "  %pe = pto.partition_view %ve, offsets = [%c0, %c0], sizes = [%c16, %c16] : " TV " -> " P16 "\n"
      "  pto.section.cube {\n"
      "    pto.tstore ins(%t : " T16 ") outs(%pe : " P16 ")\n"
      "  }\n"
      "  pto.section.vector {\n"
      "    pto.tload ins(%pe : " P16 ") outs(%t : " T16 ")\n"
      "  }\n"
      /* %g: a 16x16 tile stored through a 1x1x1x16x16 DN view of a 16x16
       * column-major tensor (columns contiguous), read back as two halves */
      "  %vg = pto.make_tensor_view %g, shape = [%c1, %c1, %c1, %c16, %c16], strides = [%c16, %c16, %c16, %c1, %c16] {layout = #pto.layout<dn>} : !pto.tensor_view<?x?x?x?x?xf32>\n"
      "  %pg = pto.partition_view %vg, offsets = [%c0, %c0, %c0, %c0, %c0], sizes = [%c1, %c1, %c1, %c16, %c16] : !pto.tensor_view<?x?x?x?x?xf32> -> !pto.partition_tensor_view<1x1x1x16x16xf32>\n"
      "  pto.tstore ins(%t : " T16 ") outs(%pg : !pto.partition_tensor_view<1x1x1x16x16xf32>)\n"
      "  %h8 = pto.alloc_tile : !pto.tile_buf<vec, 16x8xf32>\n"
      "  %pg2 = pto.partition_view %vg, offsets = [%c0, %c0, %c0, %c0, %c8], sizes = [%c1, %c1, %c1, %c16, %c8] : !pto.tensor_view<?x?x?x?x?xf32> -> !pto.partition_tensor_view<1x1x1x16x8xf32>\n"
      "  pto.tload ins(%pg2 : !pto.partition_tensor_view<1x1x1x16x8xf32>) outs(%h8 : !pto.tile_buf<vec, 16x8xf32>)\n"
      /* %h: select with a known condition between %h and %a */
      "  %true = arith.cmpi slt, %c1, %c2 : index\n"
      "  %sp = arith.select %true, %h, %a : !pto.ptr<f32>\n"
      "  pto.store_scalar %y, %sp[%c2] : !pto.ptr<f32>, f32\n"
      "  %z = pto.load_scalar %h[%c2] : !pto.ptr<f32> -> f32\n"
      "  pto.store_scalar %z, %h[%c0] : !pto.ptr<f32>, f32\n"
      "  return\n"
      "}\n",
      NULL);
  CHECK_STR(s, "inout,inout,out,out,inout,out,out,");
  free(s);
}

/* Partitions covering a read in pieces; a gap (or a stride that skips
 * elements) leaves it a read. */
TEST(argdir_written_first_pieces) {
  char *s = dirs_text(
      "func.func @f(%a: !pto.ptr<f32>, %b: !pto.ptr<f32>, %c: !pto.ptr<f32>) {\n"
      "  %c0 = arith.constant 0 : index\n"
      "  %c1 = arith.constant 1 : index\n"
      "  %c2 = arith.constant 2 : index\n"
      "  %c8 = arith.constant 8 : index\n"
      "  %c9 = arith.constant 9 : index\n"
      "  %c16 = arith.constant 16 : index\n"
      "  %c32 = arith.constant 32 : index\n"
      "  %t = pto.alloc_tile : " T16 "\n"
      "  %h = pto.alloc_tile : !pto.tile_buf<vec, 8x16xf32>\n"
      "  %va = pto.make_tensor_view %a, shape = [%c16, %c16], strides = [%c16, %c1] : " TV "\n"
      "  %pa0 = pto.partition_view %va, offsets = [%c0, %c0], sizes = [%c8, %c16] : " TV " -> " P8 "\n"
      "  %pa1 = pto.partition_view %va, offsets = [%c8, %c0], sizes = [%c8, %c16] : " TV " -> " P8 "\n"
      "  %pa = pto.partition_view %va, offsets = [%c0, %c0], sizes = [%c16, %c16] : " TV " -> " P16 "\n"
      "  pto.tstore ins(%h : !pto.tile_buf<vec, 8x16xf32>) outs(%pa1 : " P8 ")\n"
      "  pto.tstore ins(%h : !pto.tile_buf<vec, 8x16xf32>) outs(%pa0 : " P8 ")\n"
      "  pto.tload ins(%pa : " P16 ") outs(%t : " T16 ")\n"
      "  %vb = pto.make_tensor_view %b, shape = [%c16, %c16], strides = [%c16, %c1] : " TV "\n"
      "  %pb0 = pto.partition_view %vb, offsets = [%c0, %c0], sizes = [%c8, %c16] : " TV " -> " P8 "\n"
      "  %pb1 = pto.partition_view %vb, offsets = [%c9, %c0], sizes = [%c8, %c16] : " TV " -> " P8 "\n"
      "  %pb = pto.partition_view %vb, offsets = [%c0, %c0], sizes = [%c16, %c16] : " TV " -> " P16 "\n"
      "  pto.tstore ins(%h : !pto.tile_buf<vec, 8x16xf32>) outs(%pb0 : " P8 ")\n"
      "  pto.tstore ins(%h : !pto.tile_buf<vec, 8x16xf32>) outs(%pb1 : " P8 ")\n"
      "  pto.tload ins(%pb : " P16 ") outs(%t : " T16 ")\n"
      /* %c: stored with column stride 2 (even elements), read contiguously */
      "  %vc = pto.make_tensor_view %c, shape = [%c16, %c16], strides = [%c32, %c2] : " TV "\n"
      "  %pc = pto.partition_view %vc, offsets = [%c0, %c0], sizes = [%c16, %c16] : " TV " -> " P16 "\n"
      "  pto.tstore ins(%t : " T16 ") outs(%pc : " P16 ")\n"
      "  %vc2 = pto.make_tensor_view %c, shape = [%c16, %c16], strides = [%c32, %c1] : " TV "\n"
      "  %pc2 = pto.partition_view %vc2, offsets = [%c0, %c0], sizes = [%c16, %c16] : " TV " -> " P16 "\n"
      "  pto.tload ins(%pc2 : " P16 ") outs(%t : " T16 ")\n"
      "  return\n"
      "}\n",
      NULL);
  CHECK_STR(s, "out,inout,inout");
  free(s);
}

/* func.call: the callee's directions apply to the operands. */
TEST(argdir_through_calls) {
  const char *text =
      "module {\n"
      "  func.func private @ld(%p: !pto.ptr<f32>, %q: !pto.ptr<f32>) {\n"
      "    %c0 = arith.constant 0 : index\n"
      "    %x = pto.load_scalar %p[%c0] : !pto.ptr<f32> -> f32\n"
      "    pto.store_scalar %x, %q[%c0] : !pto.ptr<f32>, f32\n"
      "    return\n"
      "  }\n"
      "  func.func private @ext(%p: !pto.ptr<f32>)\n"
      "  func.func @k(%a: !pto.ptr<f32>, %b: !pto.ptr<f32>, %c: !pto.ptr<f32>) {\n"
      "    call @ld(%a, %b) : (!pto.ptr<f32>, !pto.ptr<f32>) -> ()\n"
      "    call @ext(%c) : (!pto.ptr<f32>) -> ()\n"
      "    return\n"
      "  }\n"
      "}\n";
  char *s = dirs_text(text, "k");
  CHECK_STR(s, "in,out,inout");
  free(s);
  s = dirs_text(text, "ld");
  CHECK_STR(s, "in,out");
  free(s);
}

TEST(argdir_declared_contradictions) {
  pt_ir r = pt_read(
      "func.func @f(%a: !pto.ptr<f32>, %b: !pto.ptr<f32>, %c: !pto.ptr<f32>, %d: !pto.ptr<f32>) {\n"
      "  %c0 = arith.constant 0 : index\n"
      "  %x = pto.load_scalar %a[%c0] : !pto.ptr<f32> -> f32\n"
      "  pto.store_scalar %x, %b[%c0] : !pto.ptr<f32>, f32\n"
      "  %y = pto.load_scalar %c[%c0] : !pto.ptr<f32> -> f32\n"
      "  pto.store_scalar %y, %d[%c0] : !pto.ptr<f32>, f32\n"
      "  return\n"
      "}\n");
  if (!r.m) {
    pt_free(&r);
    return;
  }
  ptk_arg_dirs a;
  ptk_derive_arg_directions(r.m->items[0].func, &a);
  /* Pretend declarations: a in (ok), b in (wrong), c out (wrong), d NONE. */
  const char *decl_text = "kernel f(a: ptr<f32> in, b: ptr<f32> in, c: ptr<f32> out, d: ptr<f32>)";
  ptk_source *ds = ptk_source_from_string("k.ptk", decl_text, strlen(decl_text));
  ptk_range ranges[4];
  const char *names[4] = {"a", "b", "c", "d"};
  const char *at[4] = {"a:", "b:", "c:", "d:"};
  for (int i = 0; i < 4; i++) {
    size_t off = (size_t)(strstr(decl_text, at[i]) - decl_text);
    ranges[i] = ptk_range_at(ptk_source_loc(ds, off), 1);
  }
  ptk_ast_dir decl[4] = {PTK_DIR_IN, PTK_DIR_IN, PTK_DIR_OUT, PTK_DIR_NONE};
  ptk_diags *d = ptk_diags_new();
  CHECK(!ptk_check_arg_directions(&a, decl, ranges, names, 4, d));
  CHECK_INT(ptk_diags_errors(d), 2);
  char *txt = pt_diags(d);
  CHECK(strstr(txt, "k.ptk:1:26: error: parameter 'b' is declared 'in', but the kernel writes it "
                    "(derived: out)") != NULL);
  CHECK(strstr(txt, "t.pto:4:3: note: 'b' is written here") != NULL);
  CHECK(strstr(txt, "k.ptk:1:42: error: parameter 'c' is declared 'out', but the kernel reads its "
                    "initial contents (derived: in)") != NULL);
  CHECK(strstr(txt, "t.pto:5:8: note: 'c' is read here") != NULL);
  free(txt);
  /* Consistent declarations pass. */
  ptk_diags_clear(d);
  ptk_ast_dir good[4] = {PTK_DIR_IN, PTK_DIR_OUT, PTK_DIR_IN, PTK_DIR_OUT};
  CHECK(ptk_check_arg_directions(&a, good, ranges, names, 4, d));
  CHECK_INT(ptk_diags_errors(d), 0);
  ptk_diags_free(d);
  ptk_source_free(ds);
  ptk_arg_dirs_free(&a);
  pt_free(&r);
}

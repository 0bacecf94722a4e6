/* Fused groups (issue 10): a chain "tload … → elementwise
 * f32 ops … → tstore" over tiles of one valid shape becomes one loop nest
 * that reads global memory once and writes it once, instead of staging
 * every value through tile buffers.
 *
 * The group is the tile ops from a tload to the first tstore in one block:
 * tloads into f32 vec tiles (row-major, no box, no pad), binary ops of
 * runtime/isa/ew.h on tiles of the group, and the tstore of a group tile;
 * between them only pure ops without tiles (views, scalar arithmetic),
 * alloc_tile and the sync ops, which run where they stand.
 *
 * Nothing observable changes:
 * - every tile op still does its checks at its own place in program order:
 *   a transfer's checks are ptk_rt_gm_direct, the same code as tload /
 *   tstore's, so errors and their order are the same;
 * - each element goes through the same expression (ew.h) as in the tile
 *   library;
 * - the loop writes each tile of the group too, so tile contents after the
 *   group are the unfused ones, except for a tile nothing else can see: an
 *   alloc_tile result used only by the group's ops, whose storage no other
 *   tile of the module can overlap (private storage, or a constant address
 *   no other tile's range meets, and no VPTO op that could point there) —
 *   every read of it in the group follows a write of the same elements in
 *   the same group;
 * - the fused form runs only when, at run time, the group's tiles all have
 *   the group's valid shape, distinct tiles' storages are disjoint, and the
 *   store's bytes are disjoint from or identical to each load's, so that
 *   element-by-element order gives what op-by-op order gives; and not when
 *   accesses are recorded (--check-races). Otherwise, at the first op where
 *   that fails, the pending ops run for real (their checks pass again:
 *   nothing is recorded, nothing changed) and the rest runs unfused.
 *
 * This file is the analysis both engines share: the C emitter
 * (backend/c/fuse.c) prints a group as one loop nest, the interpreter
 * (runtime/interp/fused.c) runs it chunk by chunk; both apply the same
 * run-time conditions, so they take the fused form in the same cases. */
#ifndef PTK_BACKEND_FUSE_H
#define PTK_BACKEND_FUSE_H

#include <stdbool.h>
#include <stdint.h>

#include "backend/lower.h"
#include "lang/ir/ir.h"

#define PTK_FUSE_MAX 64 /* tile ops of a group; longer chains run unfused */

/* An elementwise op of a group: dst = f(a, b) (binary), f(a, s), f(s, a)
 * (tile-scalar), f(a) (unary), or an expand op with one operand broadcast. */
typedef struct ptk_fuse_ew {
  ptk_call_shape shape;
  int sub;
  const ptk_value *dst, *a, *b; /* b: binary and expand ops only */
  const ptk_value *s;           /* the scalar of a tile-scalar op */
  bool sfl;                     /* it is a float */
  int bc;                       /* expand ops: 1 a, 2 b is the broadcast operand */
} ptk_fuse_ew;

typedef struct ptk_fuse_group {
  const ptk_op *first, *last;  /* first tload .. the tstore */
  const ptk_op *ops[PTK_FUSE_MAX];   /* the group's tile ops in order */
  bool inplace[PTK_FUSE_MAX];        /* ops[i] is a tload of a broadcast tile: runs where it stands */
  uint32_t nops;
  const ptk_value *tiles[PTK_FUSE_MAX]; /* distinct tile values computed element by element */
  uint32_t ntiles;
  bool hidden[PTK_FUSE_MAX];         /* tiles[i] is seen by nothing outside the group */
  const ptk_value *ext[PTK_FUSE_MAX]; /* broadcast operands of expand ops, read in place */
  uint32_t next;
  int lastw[PTK_FUSE_MAX];           /* the op that writes tiles[i] last (-1: none) */
  uint32_t nload;                    /* tloads of group tiles */
} ptk_fuse_group;


/* What the module lets a group skip writing. */
typedef struct ptk_fuse_info ptk_fuse_info;
ptk_fuse_info *ptk_fuse_info_new(const ptk_module *top);
void ptk_fuse_info_free(ptk_fuse_info *fi);

/* The group that starts at tload `op`; false when it starts none. */
bool ptk_fuse_detect(const ptk_fuse_info *fi, const ptk_op *op, ptk_fuse_group *g);

/* Pieces of a group's ops (d gets no diagnostics: the ops were accepted). */
bool ptk_fuse_ew_decode(const ptk_op *op, ptk_fuse_ew *e);
const ptk_value *ptk_fuse_full(const ptk_fuse_ew *e);  /* expand ops: the full operand */
const ptk_value *ptk_fuse_bcast(const ptk_fuse_ew *e); /* expand ops: the broadcast one */
bool ptk_fuse_transfer(const ptk_op *o, const ptk_value **t, const ptk_value **v, ptk_diags *d);
/* The tiles op o writes (ts[0]) and reads; their count. */
uint32_t ptk_fuse_op_tiles(const ptk_op *o, const ptk_value *ts[3], ptk_diags *d);
int ptk_fuse_tile_index(const ptk_fuse_group *g, const ptk_value *v);

#endif

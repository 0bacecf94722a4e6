/* Internals of the C emitter shared by its files (emit.c, fuse.c). */
#ifndef PTK_BACKEND_C_EMIT_INT_H
#define PTK_BACKEND_C_EMIT_INT_H

#include "backend/c/emit.h"
#include "backend/lower.h"
#include "lang/util.h"

struct ptk_fuse_info; /* backend/fuse.h */

typedef struct ec {
  ptk_buf *o;
  ptk_diags *d;
  size_t errors0; /* d->errors when emitting began: errors are counted there */
  ptk_func_list funcs;
  PTK_VEC(const ptk_op *) ops;
  const ptk_module *top;
  uint8_t *declared; /* [nvalues] */
  uint32_t nvalues;
  int ind;
  uint32_t tmp;
  /* Splitting (see emit_body): the function being emitted keeps its values
   * in a frame struct and its code is cut into chunk functions. */
  bool split;
  uint32_t fidx;     /* index of the function being emitted */
  uint32_t nchunks;  /* chunk functions of it so far */
  ptk_buf *chunks;   /* their finished text */
  PTK_VEC(uint32_t) fvals; /* uids in the frame struct */
  /* fused groups (fuse.c) */
  struct ptk_fuse_info *fuse; /* what the module lets fused groups skip */
  bool in_fz;                 /* emitting a fused group's ops one by one */
} ec;

/* One line of C at the current indentation. */
void ptk_emit_line(ec *c, const char *fmt, ...) PTK_PRINTF(2, 3);
/* The op's index in the op table the host services are given. */
uint32_t ptk_emit_opid(ec *c, const ptk_op *op);
/* The C of one op. */
void ptk_emit_op(ec *c, const ptk_op *op);

/* Fused groups (fuse.c): the group that starts at tload `op`, emitted, with
 * the last op of it in *last; false (nothing emitted) when op starts none. */
bool ptk_emit_fused(ec *c, const ptk_op *op, const ptk_op **last);
void ptk_emit_fuse_free(ec *c);

#endif

/* Private to lang/ir: the per-tree context behind every module. */
#ifndef PTK_LANG_IR_INTERNAL_H
#define PTK_LANG_IR_INTERNAL_H

#include "lang/ir/ir.h"

struct ptk_ir_ctx {
  ptk_arena *arena;
  /* Interned non-scalar types: open addressing on ptk_type.hash. */
  const ptk_type **types;
  uint32_t ntypes, cap_types;
  uint32_t next_value_uid, next_op_uid;
  const ptk_attr *unit, *btrue, *bfalse;
};

static inline ptk_arena *ptk_ir_arena(ptk_module *m) { return m->ctx->arena; }
void *ptk_ir_alloc(ptk_module *m, size_t n);
const char *ptk_ir_strdup(ptk_module *m, const char *s);


void ptk_named_attrs_set(ptk_module *m, ptk_named_attr **items, uint32_t *n, const char *name,
                         const ptk_attr *a);

#endif

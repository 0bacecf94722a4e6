/* Private helpers shared by the passes (the .c files of backend/passes). */
#ifndef PTK_BACKEND_PASSES_PASS_UTIL_H
#define PTK_BACKEND_PASSES_PASS_UTIL_H

#include <stdbool.h>
#include <stdint.h>

#include "backend/passes/passes.h"
#include "lang/diag.h"
#include "lang/ir/ir.h"

/* ---- locations ---- */
/* Where a value is defined: its name for block arguments / results when the
 * source has it there, else its defining op. */
ptk_range pu_value_range(const ptk_value *v);

/* ---- structure ---- */
static inline ptk_op *pu_parent_op(const ptk_op *op) {
  return op->block && op->block->region ? op->block->region->op : NULL;
}
static inline bool pu_is_loop(const ptk_op *op) {
  return op->kind == PTK_OP_SCF_FOR || op->kind == PTK_OP_SCF_WHILE;
}
/* DPS ins / outs segments (n = 0 for non-DPS ops). */
ptk_value **pu_ins(const ptk_op *op, uint32_t *n);
ptk_value **pu_outs(const ptk_op *op, uint32_t *n);
/* Every function with a body in m and its nested modules, in source order. */
typedef PTK_VEC(ptk_func *) pu_funcs;
void pu_collect_funcs(ptk_module *m, pu_funcs *out);

/* ---- constants ---- */
/* Integer value of an arith.constant int/index/i1 result (i1 true = 1). */
bool pu_const_int(const ptk_value *v, int64_t *out);
/* The `value` attribute of an arith.constant result, else NULL. */
const ptk_attr *pu_const_attr(const ptk_value *v);
/* Bits of an integer-like scalar type (i1 = 1, index = 64), 0 otherwise. */
unsigned pu_int_bits(const ptk_type *t);
static inline uint64_t pu_mask(unsigned w) { return w >= 64 ? ~0ull : ((1ull << w) - 1); }
static inline int64_t pu_sext(uint64_t v, unsigned w) {
  if (w >= 64) return (int64_t)v;
  v &= pu_mask(w);
  uint64_t sign = 1ull << (w - 1);
  return (int64_t)((v ^ sign) - sign);
}

/* ---- value replacement (lazy: apply to operands as ops are visited) ---- */
typedef struct pu_repl {
  ptk_value **to; /* by value uid */
  uint32_t cap;
  uint32_t count;
} pu_repl;
void pu_repl_set(pu_repl *r, const ptk_value *from, ptk_value *to);
ptk_value *pu_repl_get(pu_repl *r, ptk_value *v); /* follows chains (compresses) */
/* Rewrites op's operands; true when one changed. */
bool pu_repl_operands(pu_repl *r, ptk_op *op);
/* Rewrites every operand in f (one walk). */
void pu_repl_func(pu_repl *r, ptk_func *f);
void pu_repl_free(pu_repl *r);

/* ---- the constant pool of a function: constants live at the top of the
 * entry block (the leading run of arith.constant ops), one per value. ---- */
typedef struct pu_cpool_ent {
  const ptk_type *type;
  const ptk_attr *attr;
  ptk_value *v;
} pu_cpool_ent;
typedef struct pu_cpool {
  ptk_module *m;
  ptk_block *entry;
  ptk_op *last; /* last op of the leading constant run, NULL: none yet */
  pu_cpool_ent *tab;
  uint32_t cap, n;
} pu_cpool;
/* Scans the leading constant run of f's entry block (duplicates in it are
 * not merged here). */
void pu_cpool_init(pu_cpool *p, ptk_func *f);
void pu_cpool_free(pu_cpool *p);
/* The pooled constant equal to (attr, type), or NULL. */
ptk_value *pu_cpool_find(pu_cpool *p, const ptk_attr *a, const ptk_type *t);
/* Find or create (at the end of the leading run). */
ptk_value *pu_cpool_get(pu_cpool *p, const ptk_attr *a, const ptk_type *t, ptk_loc loc);
ptk_value *pu_cpool_int(pu_cpool *p, int64_t v, const ptk_type *t, ptk_loc loc);
/* Moves an existing arith.constant op to the end of the leading run and
 * pools it (the caller checked pu_cpool_find first). */
void pu_cpool_adopt(pu_cpool *p, ptk_op *cst);

/* ---- tiles ---- */
uint64_t pu_tile_bytes(const ptk_tile_desc *t);
static inline const ptk_tile_desc *pu_tile(const ptk_value *v) {
  return v && v->type && v->type->kind == PTK_TY_TILE_BUF ? &v->type->tile : NULL;
}

/* ---- tile aliases: tile values that denote the same storage (treshape,
 * bitcast, subview, tassign, multi_tile_get results; scf.if results and their yields;
 * scf.for inits, iter_args, yields and results; scf.while arguments;
 * arith.select) are united. ---- */
typedef struct pu_alias {
  uint32_t *uf; /* by value uid */
  uint32_t nvals;
} pu_alias;
void pu_alias_build(pu_alias *a, ptk_func *f);
uint32_t pu_alias_find(pu_alias *a, uint32_t uid); /* uid < nvals */
void pu_alias_free(pu_alias *a);

/* ---- op numbering: pre-order position and the last position inside ---- */
typedef struct pu_order {
  uint32_t *pos, *end; /* by op uid */
  uint32_t nops;       /* size of the tables */
  uint32_t count;      /* ops numbered */
} pu_order;
/* Numbers f's ops from `start` (pre-order; region ops: end = last nested
 * position). Returns the next free position. Tables grow as needed. */
uint32_t pu_order_func(pu_order *o, ptk_func *f, uint32_t start);
void pu_order_free(pu_order *o);

/* ---- timing ---- */
double pu_now_ms(void);

#endif

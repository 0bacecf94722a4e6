/* cse: common subexpression elimination over the region tree.
 *
 * A scoped hash table: walking a block pushes the pure ops it defines;
 * leaving the block pops them (chained buckets, so popping is restoring a
 * bucket head — LIFO), so a lookup only finds ops that dominate the
 * current one (an enclosing block, earlier). Values of a removed op are
 * replaced lazily: operands are rewritten as ops are visited. */
#include <string.h>

#include "backend/passes/pass_util.h"

typedef struct ent {
  ptk_op *op;
  uint64_t hash;
  struct ent *next;
} ent;

typedef struct cse {
  ent **buckets;
  uint32_t nbuckets; /* power of two */
  PTK_VEC(uint32_t) undo; /* bucket indices, in insertion order */
  PTK_VEC(ent *) pool;    /* every entry allocated (freed at the end) */
  pu_repl repl;
  uint32_t removed;
} cse;

static uint64_t mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
  return h;
}

static uint64_t str_hash(const char *s) {
  uint64_t h = 1469598103934665603ull;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
  return h;
}

static uint64_t attr_hash(const ptk_attr *a) {
  uint64_t h = (uint64_t)a->kind;
  switch (a->kind) {
  case PTK_ATTR_BOOL: return mix(h, a->b);
  case PTK_ATTR_INT: return mix(h, (uint64_t)a->i);
  case PTK_ATTR_FLOAT: return mix(h, a->f.bits);
  case PTK_ATTR_ENUM: return mix(h, str_hash(a->en.value));
  case PTK_ATTR_ARRAY: return mix(h, a->arr.n);
  case PTK_ATTR_DENSE_ARRAY: return mix(h, a->dense.n);
  default: return h;
  }
}

static bool commutative2(const ptk_op *op) {
  return (ptk_op_table[op->kind].flags & PTK_OPF_COMMUTATIVE) && op->noperands == 2;
}

static uint64_t op_hash(const ptk_op *op) {
  uint64_t h = mix(0, (uint64_t)op->kind);
  if (commutative2(op)) {
    uint32_t a = op->operands[0]->uid, b = op->operands[1]->uid;
    h = mix(h, a < b ? a : b);
    h = mix(h, a < b ? b : a);
  } else {
    for (uint32_t i = 0; i < op->noperands; i++) h = mix(h, op->operands[i]->uid);
  }
  for (uint32_t i = 0; i < op->nsegs; i++) h = mix(h, op->segs[i]);
  for (uint32_t i = 0; i < op->nattrs; i++) {
    h = mix(h, str_hash(op->attrs[i].name));
    h = mix(h, attr_hash(op->attrs[i].value));
  }
  for (uint32_t i = 0; i < op->nresults; i++) h = mix(h, (uint64_t)(uintptr_t)op->results[i].type);
  return h;
}

static bool op_equal(const ptk_op *a, const ptk_op *b) {
  if (a->kind != b->kind || a->noperands != b->noperands || a->nresults != b->nresults ||
      a->nattrs != b->nattrs || a->nsegs != b->nsegs)
    return false;
  bool same = true;
  for (uint32_t i = 0; i < a->noperands && same; i++) same = a->operands[i] == b->operands[i];
  if (!same) {
    if (!commutative2(a) || a->operands[0] != b->operands[1] || a->operands[1] != b->operands[0])
      return false;
  }
  for (uint32_t i = 0; i < a->nsegs; i++)
    if (a->segs[i] != b->segs[i]) return false;
  for (uint32_t i = 0; i < a->nresults; i++)
    if (!ptk_type_equal(a->results[i].type, b->results[i].type)) return false;
  for (uint32_t i = 0; i < a->nattrs; i++)
    if (strcmp(a->attrs[i].name, b->attrs[i].name) != 0 ||
        !ptk_attr_equal(a->attrs[i].value, b->attrs[i].value))
      return false;
  return true;
}

static bool candidate(const ptk_op *op) {
  return (ptk_op_table[op->kind].flags & PTK_OPF_PURE) && op->nregions == 0 && op->nresults > 0;
}

static void cse_region(cse *c, ptk_region *r);

static void cse_block(cse *c, ptk_block *b) {
  size_t mark = c->undo.len;
  for (ptk_op *op = b->first, *next; op; op = next) {
    next = op->next;
    pu_repl_operands(&c->repl, op);
    if (op->nregions) {
      for (uint32_t i = 0; i < op->nregions; i++) cse_region(c, &op->regions[i]);
      continue;
    }
    if (!candidate(op)) continue;
    uint64_t h = op_hash(op);
    uint32_t bi = (uint32_t)h & (c->nbuckets - 1);
    ent *found = NULL;
    for (ent *e = c->buckets[bi]; e; e = e->next)
      if (e->hash == h && op_equal(e->op, op)) {
        found = e;
        break;
      }
    if (found) {
      for (uint32_t i = 0; i < op->nresults; i++)
        pu_repl_set(&c->repl, &op->results[i], &found->op->results[i]);
      ptk_op_unlink(op);
      c->removed++;
      continue;
    }
    ent *e = ptk_xmalloc(sizeof *e);
    ptk_vec_push(&c->pool, e);
    e->op = op;
    e->hash = h;
    e->next = c->buckets[bi];
    c->buckets[bi] = e;
    ptk_vec_push(&c->undo, bi);
  }
  /* Leave the scope: pop what this block pushed (LIFO per bucket). */
  while (c->undo.len > mark) {
    uint32_t bi = c->undo.data[--c->undo.len];
    c->buckets[bi] = c->buckets[bi]->next;
  }
}

static void cse_region(cse *c, ptk_region *r) {
  for (ptk_block *b = r->first; b; b = b->next) cse_block(c, b);
}

uint32_t ptk_cse(ptk_module *m) {
  cse c;
  memset(&c, 0, sizeof c);
  uint32_t nops = ptk_module_op_count(m);
  c.nbuckets = 64;
  while (c.nbuckets < nops) c.nbuckets *= 2;
  c.buckets = ptk_xcalloc(c.nbuckets, sizeof *c.buckets);
  pu_funcs fs = {0};
  pu_collect_funcs(m, &fs);
  for (size_t i = 0; i < fs.len; i++) {
    cse_region(&c, fs.data[i]->body);
    pu_repl_func(&c.repl, fs.data[i]);
  }
  for (size_t i = 0; i < c.pool.len; i++) free(c.pool.data[i]);
  ptk_vec_free(&c.pool);
  ptk_vec_free(&c.undo);
  free(c.buckets);
  pu_repl_free(&c.repl);
  ptk_vec_free(&fs);
  return c.removed;
}

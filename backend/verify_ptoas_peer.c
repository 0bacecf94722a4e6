/* ptoas's rules for reserved buffers (lib/PTO/IR/PTO.cpp:
 * ReserveBufferOp::verify, ImportReservedBufferOp::verify). A cube/vector
 * pipe's consumer buffer is a `pto.reserve_buffer` in one function; its peer
 * names it with `pto.import_reserved_buffer {name, peer_func}`.
 *
 * peer_func is resolved as ptoas's lookupPeerFuncAcrossContainer does: a
 * function of the importing function's own module (any visibility), else,
 * in the module around that one, the one public function anywhere in its
 * tree with that symbol (or a PTODSL specialization whose
 * `pto.ptodsl.logical_name` is it). Private functions of sibling modules
 * do not count, and two candidates are ambiguous: the reference then names
 * no function. */
#include <inttypes.h>
#include <string.h>

#include "backend/verify_int.h"

typedef struct peer_hits {
  const char *target;
  ptk_func *first;
  uint32_t n;
} peer_hits;

static bool attr_str_eq(const ptk_attr *a, const char *s) {
  return a && a->kind == PTK_ATTR_STRING && strlen(s) == a->str.len && memcmp(a->str.s, s, a->str.len) == 0;
}

/* The function's name for peer lookup: its symbol, or the PTODSL logical
 * name it carries (a symbol that merely contains "__ptodsl_" is not one). */
static bool peer_name_matches(const ptk_func *f, const char *target) {
  if (strcmp(f->name, target) == 0) return true;
  return attr_str_eq(ptk_func_attr(f, "pto.ptodsl.logical_name"), target);
}

static void collect_public(const ptk_module *m, peer_hits *h) {
  for (uint32_t i = 0; i < m->nitems; i++) {
    if (m->items[i].kind == PTK_ITEM_MODULE) {
      collect_public(m->items[i].module, h);
      continue;
    }
    ptk_func *f = m->items[i].func;
    if (f->vis == PTK_VIS_PRIVATE || !peer_name_matches(f, h->target)) continue;
    if (!h->n++) h->first = f;
  }
}

/* Functions of m's tree named target (any visibility), for notes. */
static void note_candidates(vctx *c, const ptk_module *m, const char *target) {
  for (uint32_t i = 0; i < m->nitems; i++) {
    if (m->items[i].kind == PTK_ITEM_MODULE) {
      note_candidates(c, m->items[i].module, target);
      continue;
    }
    const ptk_func *f = m->items[i].func;
    if (f->vis == PTK_VIS_PRIVATE && strcmp(f->name, target) == 0)
      ptk_note(c->d, vfunc_range(f), "'@%s' here is private to its module", f->name);
    else if (f->vis != PTK_VIS_PRIVATE && peer_name_matches(f, target))
      ptk_note(c->d, vfunc_range(f), "'@%s' is one candidate", f->name);
    else if (strncmp(f->name, target, strlen(target)) == 0 && strstr(f->name, "__ptodsl_"))
      ptk_note(c->d, vfunc_range(f), "'@%s' has no pto.ptodsl.logical_name, so it is not a specialization of '@%s'",
               f->name, target);
  }
}

static const char *peer_symbol(const ptk_op *op) {
  const ptk_attr *a = ptk_op_attr(op, "peer_func");
  return a && a->kind == PTK_ATTR_SYMBOL ? a->str.s : NULL;
}

ptk_func *vptoas_peer_func(const ptk_op *import, uint32_t *ncandidates) {
  const char *target = peer_symbol(import);
  ptk_func *f = ptk_op_func(import);
  if (ncandidates) *ncandidates = 0;
  if (!target || !f) return NULL;
  ptk_func *local = ptk_module_find_func(f->module, target);
  if (local) return local;
  if (!f->module->parent) return NULL;
  peer_hits h = {target, NULL, 0};
  collect_public(f->module->parent, &h);
  if (ncandidates) *ncandidates = h.n;
  return h.n == 1 ? h.first : NULL;
}

typedef struct named_ops {
  ptk_op_kind kind;
  const char *name;
  const ptk_op *op; /* the op being checked (for counting the others) */
  const char *peer; /* import_reserved_buffer: its peer_func too */
  uint32_t n;
} named_ops;

static bool count_named(ptk_op *op, void *ctx) {
  named_ops *q = ctx;
  if (op->kind != q->kind || !attr_str_eq(ptk_op_attr(op, "name"), q->name)) return true;
  if (q->peer) {
    const char *p = peer_symbol(op);
    if (!p || strcmp(p, q->peer) != 0) return true;
  }
  q->n++;
  return true;
}

static uint32_t count_in(ptk_func *f, ptk_op_kind kind, const char *name, const char *peer) {
  named_ops q = {kind, name, NULL, peer, 0};
  ptk_walk_func(f, count_named, &q);
  return q.n;
}

static const char *op_name_attr(const ptk_op *op) {
  const ptk_attr *a = ptk_op_attr(op, "name");
  return a && a->kind == PTK_ATTR_STRING ? a->str.s : NULL;
}

static void vfy_reserve_buffer(vctx *c, ptk_op *op) {
  int64_t size = 0;
  if (ptk_attr_get_int(ptk_op_attr(op, "size"), &size) && size <= 0) {
    VERR(c, op, "'%s' size must be greater than 0, but is %" PRId64, vop_name(op), size);
    return;
  }
  const ptk_attr *loc = ptk_op_attr(op, "location");
  if (loc && loc->kind == PTK_ATTR_ENUM && strcmp(loc->en.value, "vec") != 0 && strcmp(loc->en.value, "mat") != 0) {
    VERR(c, op, "'%s' location must be vec or mat (the consumer's local memory), but is %s", vop_name(op),
         loc->en.value);
    return;
  }
  const char *name = op_name_attr(op);
  if (name && c->func && count_in(c->func, PTK_OP_RESERVE_BUFFER, name, NULL) > 1)
    VERR(c, op, "'%s' name \"%s\" is reserved twice in '@%s'; a peer's import must name one buffer",
         vop_name(op), name, c->func->name);
}

static void vfy_import_reserved_buffer(vctx *c, ptk_op *op) {
  const char *target = peer_symbol(op), *name = op_name_attr(op);
  if (!target || !name || !c->func) return;
  uint32_t n = 0;
  ptk_func *peer = vptoas_peer_func(op, &n);
  if (!peer) {
    if (n > 1)
      VERR(c, op, "'%s' peer_func '@%s' is ambiguous: it is not in the module of '@%s', and %u public functions "
                  "around it have that name", vop_name(op), target, c->func->name, n);
    else
      VERR(c, op, "'%s' peer_func '@%s' names no function: it is not in the module of '@%s', and no public "
                  "function around it has that name", vop_name(op), target, c->func->name);
    if (c->func->module->parent) note_candidates(c, c->func->module->parent, target);
    return;
  }
  if (count_in(c->func, PTK_OP_IMPORT_RESERVED_BUFFER, name, target) > 1) {
    VERR(c, op, "'%s' imports \"%s\" from '@%s' twice in '@%s'", vop_name(op), name, target, c->func->name);
    return;
  }
  if (!count_in(peer, PTK_OP_RESERVE_BUFFER, name, NULL)) {
    VERR(c, op, "'%s' imports \"%s\", but its peer '@%s' has no pto.reserve_buffer of that name", vop_name(op),
         name, peer->name);
    ptk_note(c->d, vfunc_range(peer), "'@%s' is defined here", peer->name);
  }
}

void vop_check_ptoas_peer(vctx *c, ptk_op *op) {
  if (op->kind == PTK_OP_RESERVE_BUFFER)
    vfy_reserve_buffer(c, op);
  else if (op->kind == PTK_OP_IMPORT_RESERVED_BUFFER)
    vfy_import_reserved_buffer(c, op);
}

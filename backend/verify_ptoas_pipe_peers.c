/* ptoas's rules across a module's cube/vector pipe inits
 * (PTOInferValidatePipeInitPass, PTOResolveReservedBuffersPass). ptoas
 * lowers each aic/aiv_initialize_pipe to an initialize_l2l_pipe (A5) or
 * initialize_l2g2l_pipe (A2/A3; a gm_slot_tensor pipe is global-only) and
 * then joins the inits of one logical pipe: two inits whose consumer
 * buffers are the same reserved buffer (a pto.reserve_buffer in one
 * function, its import in the other) are peers, as are global-only inits
 * of one frontend id. Then:
 *   - split: a pipe's pushes/pops/frees all use split 0 or all not, peers
 *     agree, and an explicit nosplit agrees with them;
 *   - pairing: a local init's buffer is reserved or imported (unless it
 *     places its flags with flag_base); a pipe is exactly two inits in two
 *     functions with the same direction and shape;
 *   - flags: each pipe takes 2 flag ids (4 with dir_mask 3) at an even base,
 *     in frontend-id order, free in both functions; all within 16.
 * ptk models the lowering here instead of doing it. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "backend/verify_int.h"

enum { MAX_FLAG_IDS = 16, NO_VALUE = -1 };
typedef enum { USE_NONE, USE_SPLIT, USE_NOSPLIT, USE_MIXED } split_use;

typedef struct pnode {
  ptk_op *op;
  ptk_func *func;
  int64_t dir, slot_size, slot_num, local_slots, flag_base, id; /* NO_VALUE when absent */
  bool global_only, l2g2l;
  split_use use;
  int nosplit; /* explicit nosplit: NO_VALUE, 0 or 1 */
  bool recorded;
  uint32_t root; /* union-find */
} pnode;

/* What joins peers: a reserved buffer (owner function, name) and a
 * direction, or a global-only pipe's frontend id and direction. */
typedef struct pkey {
  const char *owner, *name;
  int64_t gid, dir;
  uint32_t node;
} pkey;

typedef struct peers {
  vctx *c;
  PTK_VEC(pnode) n;
  PTK_VEC(pkey) k;
  uint32_t second_pass; /* collecting l2g2l-lowered inits (ptoas walks them after l2l) */
} peers;

static int64_t attr_or(const ptk_op *op, const char *name, int64_t dflt) {
  int64_t v = dflt;
  ptk_attr_get_int(ptk_op_attr(op, name), &v);
  return v;
}

static int nosplit_attr(const ptk_op *op) {
  const ptk_attr *a = ptk_op_attr(op, "nosplit");
  if (!a) return NO_VALUE;
  if (a->kind == PTK_ATTR_BOOL) return a->b;
  return a->kind == PTK_ATTR_UNIT;
}

static split_use add_use(split_use u, int64_t split) {
  split_use s = split == 0 ? USE_NOSPLIT : USE_SPLIT;
  return u == USE_NONE || u == s ? s : USE_MIXED;
}

/* The split usage of a pipe: the frontend data ops of its id in its
 * function, or the pipe ops using a lowered init's handle. */
typedef struct use_scan {
  const ptk_op *init;
  int64_t id;
  split_use use;
} use_scan;
static bool frontend_data_op(ptk_op_kind k) {
  switch (k) {
  case PTK_OP_TALLOC_TO_AIV:
  case PTK_OP_TALLOC_TO_AIC:
  case PTK_OP_TPUSH_TO_AIV:
  case PTK_OP_TPUSH_TO_AIC:
  case PTK_OP_TPOP_FROM_AIC:
  case PTK_OP_TPOP_FROM_AIV:
  case PTK_OP_TFREE_FROM_AIC:
  case PTK_OP_TFREE_FROM_AIV: return true;
  default: return false;
  }
}
static bool use_cb(ptk_op *op, void *ctx) {
  use_scan *u = ctx;
  if (u->init->nresults == 0) {
    if (frontend_data_op(op->kind) && attr_or(op, "id", 0) == u->id) u->use = add_use(u->use, attr_or(op, "split", 0));
    return true;
  }
  if (op->kind != PTK_OP_TALLOC && op->kind != PTK_OP_TPUSH && op->kind != PTK_OP_TPOP && op->kind != PTK_OP_TFREE)
    return true;
  for (uint32_t i = 0; i < op->noperands; i++)
    if (op->operands[i] == &u->init->results[0]) {
      u->use = add_use(u->use, attr_or(op, "split", 0));
      break;
    }
  return true;
}

static void add_key(peers *p, uint32_t node, const ptk_value *addr, int64_t dir) {
  const ptk_op *d = addr ? addr->def : NULL;
  if (!d || (d->kind != PTK_OP_RESERVE_BUFFER && d->kind != PTK_OP_IMPORT_RESERVED_BUFFER)) return;
  const ptk_attr *name = ptk_op_attr(d, "name");
  if (!name || name->kind != PTK_ATTR_STRING) return;
  const ptk_func *owner = d->kind == PTK_OP_RESERVE_BUFFER ? ptk_op_func(d) : vptoas_peer_func(d, NULL);
  if (!owner) return; /* the import's own rule reports it */
  pkey k = {owner->name, name->str.s, 0, dir, node};
  ptk_vec_push(&p->k, k);
  p->n.data[node].recorded = true;
}

static const ptk_value *operand_or_null(const ptk_op *op, uint32_t i) {
  return i < op->noperands ? op->operands[i] : NULL;
}
static const ptk_value *segment_value(const ptk_op *op, uint32_t seg) {
  uint32_t n;
  ptk_value **v = ptk_op_segment(op, seg, &n);
  return n == 1 ? v[0] : NULL;
}

static bool collect(ptk_op *op, void *ctx) {
  peers *p = ctx;
  bool frontend = op->kind == PTK_OP_AIC_INITIALIZE_PIPE || op->kind == PTK_OP_AIV_INITIALIZE_PIPE;
  if (!frontend && op->kind != PTK_OP_INITIALIZE_L2L_PIPE && op->kind != PTK_OP_INITIALIZE_L2G2L_PIPE) return true;
  if (frontend && op->nsegs != 4) return true;
  pnode n = {0};
  n.op = op;
  n.func = ptk_op_func(op);
  p->c->func = n.func;
  n.dir = attr_or(op, "dir_mask", 1);
  n.slot_size = attr_or(op, "slot_size", 0);
  n.flag_base = attr_or(op, "flag_base", NO_VALUE);
  n.local_slots = attr_or(op, "local_slot_num", NO_VALUE);
  n.nosplit = nosplit_attr(op);
  const ptk_value *local = NULL, *peer = NULL;
  if (frontend) {
    /* PTOLowerFrontendPipeOpsPass: slot_num defaults to 8 (4 with
     * dir_mask 3); A2/A3 go through GM with local_slot_num defaulting to
     * slot_num; a gm_slot_tensor pipe is global-only. */
    n.id = attr_or(op, "id", 0);
    n.slot_num = attr_or(op, "slot_num", n.dir == 3 ? 4 : 8);
    n.global_only = op->segs[1] > 0;
    n.l2g2l = n.global_only || vptoas_rule_arch(p->c, false) != 5;
    if (n.global_only)
      n.local_slots = NO_VALUE;
    else if (n.l2g2l && n.local_slots == NO_VALUE)
      n.local_slots = n.slot_num;
    else if (!n.l2g2l)
      n.local_slots = NO_VALUE;
    local = segment_value(op, n.dir == 2 ? 3 : 2);
    peer = n.dir == 3 ? segment_value(op, 3) : NULL;
  } else {
    n.id = attr_or(op, "__pto.frontend_id", NO_VALUE);
    n.slot_num = attr_or(op, "slot_num", 0);
    n.l2g2l = op->kind == PTK_OP_INITIALIZE_L2G2L_PIPE;
    uint32_t first = n.l2g2l ? 1 : 0;
    n.global_only = n.l2g2l && op->noperands < 2;
    local = operand_or_null(op, first);
    peer = operand_or_null(op, first + 1);
  }
  if (n.l2g2l != (p->second_pass != 0)) return true;
  use_scan u = {op, n.id, USE_NONE};
  ptk_walk_func(n.func, use_cb, &u);
  n.use = u.use;
  uint32_t idx = (uint32_t)p->n.len;
  n.root = idx;
  ptk_vec_push(&p->n, n);
  if (n.global_only) {
    pkey k = {NULL, NULL, n.id != NO_VALUE ? n.id : -2 - (int64_t)idx, n.dir, idx};
    ptk_vec_push(&p->k, k);
    p->n.data[idx].recorded = true;
  } else if (n.dir == 3) {
    add_key(p, idx, local, 1);
    add_key(p, idx, peer, 2);
  } else {
    add_key(p, idx, local, n.dir);
  }
  return true;
}

static int cmp_key(const void *a, const void *b) {
  const pkey *x = a, *y = b;
  int r = (x->owner != NULL) - (y->owner != NULL);
  if (!r && x->owner) r = strcmp(x->owner, y->owner);
  if (!r && x->name) r = strcmp(x->name, y->name);
  if (!r) r = (x->gid > y->gid) - (x->gid < y->gid);
  if (!r) r = (x->dir > y->dir) - (x->dir < y->dir);
  if (!r) r = (x->node > y->node) - (x->node < y->node);
  return r;
}

static uint32_t find(peers *p, uint32_t i) {
  while (p->n.data[i].root != i) i = p->n.data[i].root = p->n.data[p->n.data[i].root].root;
  return i;
}

/* Join the inits that share a key (keys sorted). */
static void join(peers *p) {
  if (p->k.len) qsort(p->k.data, p->k.len, sizeof *p->k.data, cmp_key);
  for (size_t i = 1; i < p->k.len; i++) {
    pkey a = p->k.data[i - 1], b = p->k.data[i];
    pkey bb = b;
    bb.node = a.node;
    if (cmp_key(&a, &bb) != 0) continue;
    uint32_t x = find(p, a.node), y = find(p, b.node);
    if (x != y) p->n.data[x > y ? x : y].root = x < y ? x : y;
  }
}

static const char *op_label(const pnode *n) { return vop_name(n->op); }
#define PERR(p, n, ...) ptk_error((p)->c->d, ptk_op_range((n)->op), __VA_ARGS__)
#define PNOTE(p, n, ...) ptk_note((p)->c->d, ptk_op_range((n)->op), __VA_ARGS__)

/* ---- split (PTOInferValidatePipeInitPass::resolveNoSplitComponent) ---- */
static bool check_split(peers *p, uint32_t root) {
  const pnode *expl = NULL, *inferred = NULL;
  for (size_t i = 0; i < p->n.len; i++) {
    const pnode *n = &p->n.data[i];
    if (find(p, (uint32_t)i) != root) continue;
    if (n->use == USE_MIXED) {
      PERR(p, n, "'%s': its pipe is used with split = 0 and with split = 1 or 2; one logical pipe is split or not",
           op_label(n));
      return false;
    }
    if (n->nosplit == NO_VALUE) continue;
    if (expl && expl->nosplit != n->nosplit) {
      PERR(p, n, "'%s' nosplit = %s, but its peer's is %s", op_label(n), n->nosplit ? "true" : "false",
           expl->nosplit ? "true" : "false");
      PNOTE(p, expl, "the peer init is here");
      return false;
    }
    expl = n;
  }
  for (size_t i = 0; i < p->n.len; i++) {
    const pnode *n = &p->n.data[i];
    if (find(p, (uint32_t)i) != root || n->use == USE_NONE) continue;
    if (inferred && inferred->use != n->use) {
      PERR(p, n, "'%s': its pipe is used with split %s here, but with split %s by its peer in '@%s'", op_label(n),
           n->use == USE_NOSPLIT ? "= 0" : "= 1 or 2", inferred->use == USE_NOSPLIT ? "= 0" : "= 1 or 2",
           inferred->func->name);
      PNOTE(p, inferred, "the peer init is here");
      return false;
    }
    inferred = n;
  }
  if (!expl || !inferred || (expl->nosplit != 0) == (inferred->use == USE_NOSPLIT)) return true;
  for (size_t i = 0; i < p->n.len; i++) {
    const pnode *n = &p->n.data[i];
    if (find(p, (uint32_t)i) != root || n->nosplit == NO_VALUE || (n->nosplit != 0) == (inferred->use == USE_NOSPLIT))
      continue;
    PERR(p, n, "'%s' nosplit = %s, but its pipe is used with split %s", op_label(n), n->nosplit ? "true" : "false",
         inferred->use == USE_NOSPLIT ? "= 0" : "= 1 or 2");
    return false;
  }
  return true;
}

/* ---- pairing (PTOResolveReservedBuffersPass::buildPeerAwareComponents) ---- */
typedef struct comp {
  uint32_t root, first; /* the first member in collection order reports */
  uint32_t size;
  int64_t flag_base, id, dir, width;
  uint32_t order;
} comp;

static bool same_shape(const pnode *a, const pnode *b, const char **what, int64_t *x, int64_t *y) {
#define SAME(field, name)                                                                                              \
  if (a->field != b->field) {                                                                                          \
    *what = name, *x = a->field, *y = b->field;                                                                        \
    return false;                                                                                                      \
  }
  SAME(dir, "dir_mask")
  SAME(slot_size, "slot_size")
  SAME(slot_num, "slot_num")
  SAME(local_slots, "local_slot_num")
  SAME(global_only, "global-only form")
#undef SAME
  return true;
}

static bool check_pair(peers *p, comp *k) {
  const pnode *f = &p->n.data[k->first];
  const pnode *other = NULL;
  const ptk_func *second_func = NULL;
  for (size_t i = 0; i < p->n.len; i++) {
    const pnode *n = &p->n.data[i];
    if (!n->recorded || find(p, (uint32_t)i) != k->root || i == k->first) continue;
    if (!other) other = n;
    if (strcmp(n->func->name, f->func->name) != 0) second_func = n->func;
  }
  if (!f->global_only && k->size != 2) {
    if (k->size == 1)
      PERR(p, f, "'%s' has no peer: no pipe init of another function uses its reserved buffer", op_label(f));
    else
      PERR(p, f, "'%s' shares reserved buffers with %u other pipe inits, but a pipe is exactly two inits",
           op_label(f), k->size - 1);
    for (size_t i = 0; i < p->n.len; i++)
      if (p->n.data[i].recorded && find(p, (uint32_t)i) == k->root && i != k->first)
        PNOTE(p, &p->n.data[i], "another init of the pipe is here");
    return false;
  }
  const char *what;
  int64_t x, y;
  if (other && !same_shape(f, other, &what, &x, &y)) {
    PERR(p, f, "'%s' and its peer disagree on the pipe's %s (%" PRId64 " here, %" PRId64 " there)", op_label(f), what,
         x, y);
    PNOTE(p, other, "the peer init is here");
    return false;
  }
  if (other && f->flag_base != NO_VALUE && other->flag_base != NO_VALUE && f->flag_base != other->flag_base) {
    PERR(p, other, "'%s' flag_base %" PRId64 " differs from its peer's %" PRId64, op_label(other), other->flag_base,
         f->flag_base);
    return false;
  }
  if (!f->global_only && !second_func) {
    PERR(p, f, "'%s' and its peer are both in '@%s', but a pipe's two inits are in two functions", op_label(f),
         f->func->name);
    if (other) PNOTE(p, other, "the peer init is here");
    return false;
  }
  return true;
}

/* ---- flag ids (chooseFlagBaseForComponent) ---- */
typedef struct used {
  const char *func;
  int64_t begin, end;
} used;
typedef struct flags {
  PTK_VEC(used) u;
} flags;

static bool overlaps_in(peers *p, flags *fl, uint32_t root, int64_t b, int64_t e, int64_t *next) {
  bool hit = false;
  for (size_t i = 0; i < p->n.len; i++) {
    if (!p->n.data[i].recorded || find(p, (uint32_t)i) != root) continue;
    for (size_t j = 0; j < fl->u.len; j++) {
      const used *u = &fl->u.data[j];
      if (strcmp(u->func, p->n.data[i].func->name) != 0 || !(b < u->end && u->begin < e)) continue;
      hit = true;
      if (next && ((u->end + 1) & ~(int64_t)1) > *next) *next = (u->end + 1) & ~(int64_t)1;
    }
  }
  return hit;
}

static bool place(peers *p, flags *fl, const comp *k) {
  const pnode *f = &p->n.data[k->first];
  int64_t base = 0;
  if (k->flag_base != NO_VALUE) {
    base = k->flag_base;
  } else {
    for (;;) {
      base = (base + 1) & ~(int64_t)1;
      int64_t next = base + 2;
      if (!overlaps_in(p, fl, k->root, base, base + k->width, &next)) break;
      base = next;
    }
  }
  if (base + k->width > MAX_FLAG_IDS) {
    PERR(p, f, "'%s': the pipes of '@%s' need more than the %d hardware flag ids (2 per pipe, 4 with dir_mask 3); "
               "this one would end at flag id %" PRId64, op_label(f), f->func->name, MAX_FLAG_IDS, base + k->width);
    return false;
  }
  if (k->flag_base != NO_VALUE && overlaps_in(p, fl, k->root, base, base + k->width, NULL)) {
    PERR(p, f, "'%s' flag_base %" PRId64 " overlaps the flag ids of another pipe of '@%s'", op_label(f), base,
         f->func->name);
    return false;
  }
  for (size_t i = 0; i < p->n.len; i++)
    if (p->n.data[i].recorded && find(p, (uint32_t)i) == k->root) {
      used u = {p->n.data[i].func->name, base, base + k->width};
      ptk_vec_push(&fl->u, u);
    }
  return true;
}

/* Frontend-id pipes first, by (id, dir_mask, order); the others by order. */
static int cmp_comp(const void *a, const void *b) {
  const comp *x = a, *y = b;
  bool hx = x->id != NO_VALUE, hy = y->id != NO_VALUE;
  if (hx != hy) return hx ? -1 : 1;
  if (hx && x->id != y->id) return x->id < y->id ? -1 : 1;
  if (hx && x->dir != y->dir) return x->dir < y->dir ? -1 : 1;
  return (x->order > y->order) - (x->order < y->order);
}

static void resolve(peers *p) {
  PTK_VEC(comp) cs = {0};
  bool ok = true;
  for (size_t i = 0; i < p->n.len; i++) {
    const pnode *n = &p->n.data[i];
    if (n->recorded || n->global_only || n->flag_base != NO_VALUE) continue;
    PERR(p, n, "'%s' consumer buffer must be a pto.reserve_buffer or pto.import_reserved_buffer, so that its peer "
               "can be found (or the init places its flags with flag_base)", op_label(n));
    ok = false;
  }
  for (size_t i = 0; ok && i < p->n.len; i++) {
    const pnode *n = &p->n.data[i];
    uint32_t r = find(p, (uint32_t)i);
    if (!n->recorded) continue;
    size_t j = 0;
    while (j < cs.len && cs.data[j].root != r) j++;
    if (j == cs.len) {
      comp k = {r, (uint32_t)i, 0, NO_VALUE, NO_VALUE, n->dir, n->dir == 3 ? 4 : 2, (uint32_t)cs.len};
      ptk_vec_push(&cs, k);
    }
    comp *k = &cs.data[j];
    k->size++;
    if (n->flag_base != NO_VALUE) k->flag_base = n->flag_base;
    if (n->id != NO_VALUE && (k->id == NO_VALUE || n->id < k->id)) k->id = n->id;
  }
  bool paired = ok; /* every pipe's pairing is reported; flags need all right */
  for (size_t j = 0; ok && j < cs.len; j++)
    if (!check_pair(p, &cs.data[j])) paired = false;
  if (paired && cs.len) {
    qsort(cs.data, cs.len, sizeof *cs.data, cmp_comp);
    flags fl = {{0}};
    for (size_t j = 0; paired && j < cs.len; j++) paired = place(p, &fl, &cs.data[j]);
    ptk_vec_free(&fl.u);
  }
  ptk_vec_free(&cs);
}

void vmodule_check_ptoas_pipes(vctx *c, ptk_module *m) {
  ptk_func *saved = c->func;
  peers p = {c, {0}, {0}, 0};
  ptk_walk_module(m, collect, &p);
  p.second_pass = 1;
  ptk_walk_module(m, collect, &p);
  c->func = saved;
  if (p.n.len) {
    join(&p);
    bool ok = true; /* every pipe's split usage is reported; pairing needs all right */
    for (size_t i = 0; i < p.n.len; i++)
      if (find(&p, (uint32_t)i) == i && !check_split(&p, (uint32_t)i)) ok = false;
    if (ok) resolve(&p);
  }
  ptk_vec_free(&p.n);
  ptk_vec_free(&p.k);
}

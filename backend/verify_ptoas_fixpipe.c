/* ptoas's rules for fixpipe pipes (lib/PTO/IR/PTO.cpp: AicInitializePipeOp,
 * AivInitializePipeOp, TPushToAivOp, TPopFromAicOp, TFreeFromAicOp,
 * SetQuantVectorOp::verify). A pipe whose init carries `acc_push_epilogue`
 * moves an acc tile from the cube to the vector core through the FIXPIPE
 * unit, which converts it on the way (`quant`) and lays it out (`layout`).
 * The producer (aic_initialize_pipe) imports the consumer's reserved
 * buffer; the consumer (aiv_initialize_pipe) reserves it; both state the
 * same epilogue. The consumer's tpop_from_aic ops give the entry type,
 * which the quant mode must produce from the producer's acc elements. A
 * scalar / vector quant mode needs its pto.set_quant_scalar / _vector
 * before each push. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "backend/verify_int.h"

/* ---- the quant modes (ptoas matchesFixpipe*Type) ---- */
typedef enum { SRC_F32, SRC_I32, SRC_F32_OR_I32 } quant_src;
typedef enum { DST_SAME, DST_F16, DST_BF16, DST_B8, DST_SI8, DST_HIF8, DST_FP8 } quant_dst;
typedef struct quant_mode {
  const char *name;
  char state; /* 's' needs set_quant_scalar, 'v' set_quant_vector, 0 none */
  quant_src src;
  quant_dst dst;
} quant_mode;
static const quant_mode QUANTS[] = {
    {"no_convert", 0, SRC_F32_OR_I32, DST_SAME},     {"f32_f16", 0, SRC_F32, DST_F16},
    {"f32_bf16", 0, SRC_F32, DST_BF16},              {"req8_scalar", 's', SRC_I32, DST_B8},
    {"req8_vec", 'v', SRC_I32, DST_SI8},             {"deqf16_scalar", 's', SRC_I32, DST_F16},
    {"deqf16_vec", 'v', SRC_I32, DST_F16},           {"qf322b8_pre_scalar", 's', SRC_F32, DST_B8},
    {"qf322b8_pre_vec", 'v', SRC_F32, DST_SI8},      {"qf322f16_pre_scalar", 's', SRC_F32, DST_F16},
    {"qf322bf16_pre_scalar", 's', SRC_F32, DST_BF16}, {"qs322bf16_pre_scalar", 's', SRC_I32, DST_BF16},
    {"qs322bf16_pre_vec", 'v', SRC_I32, DST_BF16},   {"qf322hif8_pre_scalar", 's', SRC_F32, DST_HIF8},
    {"qf322fp8_pre_scalar", 's', SRC_F32, DST_FP8},
};

static bool is_i32(ptk_dtype dt) { return dt == PTK_DT_I32 || dt == PTK_DT_SI32 || dt == PTK_DT_UI32; }

static bool src_ok(const quant_mode *q, ptk_dtype dt) {
  return q->src == SRC_F32 ? dt == PTK_DT_F32 : q->src == SRC_I32 ? is_i32(dt) : dt == PTK_DT_F32 || is_i32(dt);
}
static const char *src_text(const quant_mode *q) {
  return q->src == SRC_F32 ? "f32" : q->src == SRC_I32 ? "a 32-bit integer" : "f32 or a 32-bit integer";
}

/* What the consumer may pop (src: the producer's element, or PTK_DT__COUNT
 * when only the consumer side is known). */
static bool dst_ok(const quant_mode *q, ptk_dtype dt, ptk_dtype src) {
  switch (q->dst) {
  case DST_SAME: return src == PTK_DT__COUNT ? dt == PTK_DT_F32 || is_i32(dt) : dt == src;
  case DST_F16: return dt == PTK_DT_F16;
  case DST_BF16: return dt == PTK_DT_BF16;
  case DST_B8: return dt == PTK_DT_SI8 || dt == PTK_DT_UI8;
  case DST_SI8: return dt == PTK_DT_SI8;
  case DST_HIF8: return dt == PTK_DT_HIF8;
  case DST_FP8: return dt == PTK_DT_F8E4M3FN;
  }
  return false;
}
static const char *dst_text(const quant_mode *q) {
  static const char *const t[] = {"f32 or a 32-bit integer", "f16", "bf16", "si8 or ui8", "si8", "!pto.hif8",
                                  "f8E4M3FN"};
  return t[q->dst];
}

/* ---- the epilogue attribute: #pto.acc_push_epilogue<layout = L, quant = Q, relu = R> ---- */

/* The value of `key = value` in the epilogue's text, into buf ("" when absent). */
static const char *epilogue_field(const ptk_attr *a, const char *key, char *buf, size_t n) {
  buf[0] = 0;
  /* The reader keeps this structured attribute as its text. */
  const char *text = !a ? NULL : a->kind == PTK_ATTR_ENUM ? a->en.value : a->kind == PTK_ATTR_OPAQUE ? a->str.s : NULL;
  if (!text) return buf;
  size_t kl = strlen(key);
  for (const char *p = text; (p = strstr(p, key)); p += kl) {
    if (p != text && p[-1] != ' ' && p[-1] != ',' && p[-1] != '<') continue;
    const char *v = p + kl;
    while (*v == ' ') v++;
    if (*v != '=') continue;
    for (v++; *v == ' '; v++) {}
    size_t len = strcspn(v, ", >");
    if (len >= n) len = n - 1;
    memcpy(buf, v, len);
    buf[len] = 0;
    return buf;
  }
  return buf;
}

static const quant_mode *epilogue_quant(const ptk_attr *a) {
  char q[32];
  epilogue_field(a, "quant", q, sizeof q);
  for (size_t i = 0; i < PTK_ARRAY_LEN(QUANTS); i++)
    if (strcmp(QUANTS[i].name, q) == 0) return &QUANTS[i];
  return NULL;
}

/* ---- finding ops ---- */
static int64_t op_id(const ptk_op *op) {
  int64_t id = 0; /* ptoas PTOAssignDefaultFrontendPipeIdPass: a missing id is 0 */
  ptk_attr_get_int(ptk_op_attr(op, "id"), &id);
  return id;
}
static int64_t op_split(const ptk_op *op) {
  int64_t s = 0;
  ptk_attr_get_int(ptk_op_attr(op, "split"), &s);
  return s;
}
static bool is_init(const ptk_op *op) {
  return op->kind == PTK_OP_AIC_INITIALIZE_PIPE || op->kind == PTK_OP_AIV_INITIALIZE_PIPE;
}

typedef struct find_ops {
  ptk_op_kind kind; /* PTK_OP__INVALID: either init */
  int64_t id;       /* -1: any */
  ptk_op *first;
  uint32_t n;
  /* optional filter on the c2v consumer buffer's definition */
  ptk_op_kind buf_kind;
  const char *buf_name;
  const ptk_func *buf_peer; /* import: its resolved peer must be this */
} find_ops;

static const char *str_attr(const ptk_op *op, const char *name) {
  const ptk_attr *a = ptk_op_attr(op, name);
  return a && a->kind == PTK_ATTR_STRING ? a->str.s : NULL;
}

/* The op defining an init's c2v_consumer_buf, NULL when none or an argument. */
static const ptk_op *c2v_buf_def(const ptk_op *init) {
  uint32_t n;
  ptk_value **v = ptk_op_segment(init, 2, &n);
  return n == 1 && v[0] ? v[0]->def : NULL;
}

static bool buf_matches(const find_ops *q, const ptk_op *init) {
  const ptk_op *d = c2v_buf_def(init);
  if (!d || d->kind != q->buf_kind) return false;
  const char *name = str_attr(d, "name");
  if (!name || strcmp(name, q->buf_name) != 0) return false;
  return !q->buf_peer || vptoas_peer_func(d, NULL) == q->buf_peer;
}

static bool find_cb(ptk_op *op, void *ctx) {
  find_ops *q = ctx;
  if (q->kind == PTK_OP__INVALID ? !is_init(op) : op->kind != q->kind) return true;
  if (q->id >= 0 && op_id(op) != q->id) return true;
  if (q->buf_name && !buf_matches(q, op)) return true;
  if (!q->n++) q->first = op;
  return true;
}

static find_ops find_in(ptk_func *f, ptk_op_kind kind, int64_t id) {
  find_ops q = {kind, id, NULL, 0, PTK_OP__INVALID, NULL, NULL};
  if (f) ptk_walk_func(f, find_cb, &q);
  return q;
}

/* The frontend init of pipe `id` in op's function when there is exactly one. */
static ptk_op *init_of(vctx *c, int64_t id) {
  find_ops q = find_in(c->func, PTK_OP__INVALID, id);
  return q.n == 1 ? q.first : NULL;
}

static const ptk_attr *epilogue(const ptk_op *init) {
  return init ? ptk_op_attr(init, "acc_push_epilogue") : NULL;
}

static bool tile_dt(const ptk_value *v, ptk_dtype *dt) {
  const ptk_tile_desc *t = vtile(v);
  return t && vptoas_elem(t, dt);
}

/* ---- the producer side ---- */

static void vfy_tpush_to_aiv(vctx *c, ptk_op *op) {
  ptk_op *init = init_of(c, op_id(op));
  if (!init || init->kind != PTK_OP_AIC_INITIALIZE_PIPE || !epilogue(init)) return;
  int64_t id = op_id(op);
  const ptk_tile_desc *t = vtile(op->operands[0]);
  if (!t) return;
  if (t->loc != PTK_SPACE_ACC) {
    VERR(c, op, "'%s' pushes into fixpipe pipe id %" PRId64 ", so its tile must be in acc, but is in %s",
         vop_name(op), id, ptk_space_name(t->loc));
    return;
  }
  if (op_split(op) != 0) {
    VERR(c, op, "'%s' pushes into fixpipe pipe id %" PRId64 ", so split must be 0, but is %" PRId64, vop_name(op),
         id, op_split(op));
    return;
  }
  const quant_mode *q = epilogue_quant(epilogue(init));
  ptk_dtype dt;
  if (!q || !tile_dt(op->operands[0], &dt)) return;
  if (!src_ok(q, dt)) {
    VERR(c, op, "'%s' pushes %s elements, but quant = %s of fixpipe pipe id %" PRId64 " converts from %s",
         vop_name(op), ptk_dtype_name(dt), q->name, id, src_text(q));
    return;
  }
  if (!q->state) return;
  /* The quant state is set per push, in the same block, before it. */
  ptk_op_kind want = q->state == 's' ? PTK_OP_SET_QUANT_SCALAR : PTK_OP_SET_QUANT_VECTOR;
  for (const ptk_op *p = op->block ? op->block->first : NULL; p && p != op; p = p->next)
    if (p->kind == want && op_id(p) == id) return;
  VERR(c, op, "'%s' needs a '%s' with id = %" PRId64 " before it in its block: quant = %s of fixpipe pipe id %" PRId64
              " takes its %s from there", vop_name(op), ptk_op_table[want].name, id, q->name, id,
       q->state == 's' ? "scale" : "scaling tile");
}

/* The consumer's aiv_initialize_pipe for a producer init: in the function
 * its c2v_consumer_buf is imported from, the one whose c2v_consumer_buf is
 * that reserve_buffer (lookupFixpipePeerConsumerInit). */
static void vfy_fixpipe_producer(vctx *c, ptk_op *op) {
  const ptk_attr *ep = epilogue(op);
  const ptk_op *imp = c2v_buf_def(op);
  if (!imp || imp->kind != PTK_OP_IMPORT_RESERVED_BUFFER) {
    VERR(c, op, "'%s' is a fixpipe producer (acc_push_epilogue), so its c2v_consumer_buf must be a "
                "pto.import_reserved_buffer of the consumer's buffer", vop_name(op));
    return;
  }
  ptk_func *peer = vptoas_peer_func(imp, NULL);
  const char *name = str_attr(imp, "name");
  if (!peer || !name) return; /* the import's own rule reports it */
  find_ops q = {PTK_OP_AIV_INITIALIZE_PIPE, -1, NULL, 0, PTK_OP_RESERVE_BUFFER, name, NULL};
  ptk_walk_func(peer, find_cb, &q);
  if (q.n != 1) {
    VERR(c, op, "'%s' fixpipe producer: its consumer '@%s' must have exactly one pto.aiv_initialize_pipe whose "
                "c2v_consumer_buf is its pto.reserve_buffer \"%s\", but has %u", vop_name(op), peer->name, name, q.n);
    return;
  }
  const ptk_attr *pep = epilogue(q.first);
  if (!pep) {
    VERR(c, op, "'%s' fixpipe producer: its consumer's pto.aiv_initialize_pipe has no acc_push_epilogue",
         vop_name(op));
    ptk_note(c->d, ptk_op_range(q.first), "the consumer's init is here");
    return;
  }
  static const char *const keys[] = {"layout", "quant", "relu"};
  for (size_t i = 0; i < PTK_ARRAY_LEN(keys); i++) {
    char a[32], b[32];
    epilogue_field(ep, keys[i], a, sizeof a);
    epilogue_field(pep, keys[i], b, sizeof b);
    if (strcmp(a, b) != 0) {
      VERR(c, op, "'%s' acc_push_epilogue %s = %s differs from its consumer's (%s)", vop_name(op), keys[i], a, b);
      ptk_note(c->d, ptk_op_range(q.first), "the consumer's init is here");
      return;
    }
  }
}

/* ---- the consumer side ---- */

static const char *layout_of(const ptk_tile_desc *t, char *buf, size_t n) {
  snprintf(buf, n, "%s %s/%s", ptk_space_name(t->loc), vptoas_blayout(t), vptoas_slayout(t));
  return buf;
}

/* matchesFixpipeConsumerLayout: nz2nd gives row_major/none_box vec tiles,
 * nz2dn col_major/none_box, nz2nz col_major/row_major. */
static const char *layout_wants(const char *layout) {
  if (!strcmp(layout, "nz2nd")) return "vec row_major/none_box";
  if (!strcmp(layout, "nz2dn")) return "vec col_major/none_box";
  if (!strcmp(layout, "nz2nz")) return "vec col_major/row_major";
  return NULL;
}

static void vfy_tpop_from_aic(vctx *c, ptk_op *op) {
  ptk_op *init = init_of(c, op_id(op));
  if (!init || init->kind != PTK_OP_AIV_INITIALIZE_PIPE || !epilogue(init)) return;
  if (op_split(op) != 0)
    VERR(c, op, "'%s' pops from fixpipe pipe id %" PRId64 ", so split must be 0, but is %" PRId64, vop_name(op),
         op_id(op), op_split(op));
}

static void vfy_tfree_fixpipe(vctx *c, ptk_op *op) {
  ptk_op *init = init_of(c, op_id(op));
  ptk_op_kind want = op->kind == PTK_OP_TALLOC_TO_AIV ? PTK_OP_AIC_INITIALIZE_PIPE : PTK_OP_AIV_INITIALIZE_PIPE;
  if (!init || init->kind != want || !epilogue(init) || op_split(op) == 0) return;
  VERR(c, op, "'%s' uses fixpipe pipe id %" PRId64 ", so split must be 0, but is %" PRId64, vop_name(op), op_id(op),
       op_split(op));
}

/* The reserve_buffer's importer: the one import_reserved_buffer in the
 * module tree naming it whose peer_func resolves to this function. */
typedef struct importers {
  const char *name;
  const ptk_func *consumer;
  ptk_op *first;
  uint32_t n;
} importers;
static bool importer_cb(ptk_op *op, void *ctx) {
  importers *q = ctx;
  if (op->kind != PTK_OP_IMPORT_RESERVED_BUFFER) return true;
  const char *name = str_attr(op, "name");
  if (!name || strcmp(name, q->name) != 0 || vptoas_peer_func(op, NULL) != q->consumer) return true;
  if (!q->n++) q->first = op;
  return true;
}

/* The first push of the producer's pipe whose acc elements the quant mode
 * does not turn into the consumer's entry elements. */
typedef struct push_check {
  int64_t id;
  const quant_mode *q;
  ptk_dtype dst;
  ptk_op *bad;
} push_check;
static bool push_cb(ptk_op *op, void *ctx) {
  push_check *p = ctx;
  ptk_dtype src;
  if (op->kind != PTK_OP_TPUSH_TO_AIV || op_id(op) != p->id || !tile_dt(op->operands[0], &src)) return true;
  if (src_ok(p->q, src) && dst_ok(p->q, p->dst, src)) return true;
  p->bad = op;
  return false;
}

/* Checks the entry type against the producer's pushes (PTO.cpp's
 * AivInitializePipeOp::verify, after the peer is found). */
static void check_entry(vctx *c, ptk_op *op, const quant_mode *q, const char *layout, const ptk_op *pop,
                        ptk_func *producer, int64_t producer_id) {
  int64_t id = op_id(op);
  const ptk_value *entry = &pop->results[0];
  const ptk_tile_desc *t = vtile(entry);
  ptk_dtype dt;
  if (!t || !vptoas_elem(t, &dt)) return;
  if (!dst_ok(q, dt, PTK_DT__COUNT)) {
    VERR(c, op, "'%s' fixpipe pipe id %" PRId64 " pops %s elements, but quant = %s produces %s", vop_name(op), id,
         ptk_dtype_name(dt), q->name, dst_text(q));
    ptk_note(c->d, ptk_op_range(pop), "the entry type comes from this pop");
    return;
  }
  const char *want = layout_wants(layout);
  char got[64];
  if (want && strcmp(want, layout_of(t, got, sizeof got)) != 0) {
    VERR(c, op, "'%s' fixpipe pipe id %" PRId64 " pops a %s tile, but layout = %s produces %s tiles", vop_name(op),
         id, got, layout, want);
    return;
  }
  int64_t size = 0, bytes = 0;
  if (t->rows != PTK_DYN && t->cols != PTK_DYN &&
      (__builtin_mul_overflow(t->rows, t->cols, &bytes) ||
       __builtin_mul_overflow(bytes, (int64_t)ptk_dtype_bytes(dt), &bytes)))
    bytes = INT64_MAX; /* no slot holds it */
  if (ptk_attr_get_int(ptk_op_attr(op, "slot_size"), &size) && size < bytes) {
    VERR(c, op, "'%s' slot_size %" PRId64 " is smaller than the %" PRId64 "-byte entry fixpipe pipe id %" PRId64
                " pops", vop_name(op), size, bytes, id);
    return;
  }
  push_check pc = {producer_id, q, dt, NULL};
  ptk_walk_func(producer, push_cb, &pc);
  if (pc.bad) {
    ptk_dtype src = PTK_DT__COUNT;
    tile_dt(pc.bad->operands[0], &src);
    VERR(c, op, "'%s' fixpipe pipe id %" PRId64 " pops %s elements, but its producer pushes %s; quant = %s converts "
                "%s to %s", vop_name(op), id, ptk_dtype_name(dt), ptk_dtype_name(src), q->name, src_text(q),
         q->dst == DST_SAME ? "the same type" : dst_text(q));
    ptk_note(c->d, ptk_op_range(pc.bad), "the producer's push is here");
  }
}

typedef struct same_pops {
  int64_t id;
  const ptk_type *type;
  ptk_op *other;
} same_pops;
static bool same_pop_cb(ptk_op *op, void *ctx) {
  same_pops *s = ctx;
  if (op->kind != PTK_OP_TPOP_FROM_AIC || op_id(op) != s->id || ptk_type_equal(op->results[0].type, s->type))
    return true;
  s->other = op;
  return false;
}
/* A pop of pipe id in f whose type differs from first's, or NULL. */
static ptk_op *pops_differ(ptk_func *f, int64_t id, const ptk_op *first) {
  same_pops s = {id, first->results[0].type, NULL};
  ptk_walk_func(f, same_pop_cb, &s);
  return s.other;
}

static void vfy_fixpipe_consumer(vctx *c, ptk_op *op) {
  const ptk_attr *ep = epilogue(op);
  const ptk_op *res = c2v_buf_def(op);
  if (!res || res->kind != PTK_OP_RESERVE_BUFFER) {
    VERR(c, op, "'%s' is a fixpipe consumer (acc_push_epilogue), so its c2v_consumer_buf must be its own "
                "pto.reserve_buffer%s", vop_name(op),
         res && res->kind == PTK_OP_IMPORT_RESERVED_BUFFER ? ", not an import" : "");
    return;
  }
  const char *name = str_attr(res, "name");
  if (!name || !c->func) return;
  importers imp = {name, c->func, NULL, 0};
  ptk_walk_module(ptk_module_top(c->func->module), importer_cb, &imp);
  if (imp.n != 1) {
    VERR(c, op, "'%s' fixpipe consumer buffer \"%s\" must be imported by exactly one pto.import_reserved_buffer "
                "with peer_func '@%s', but is imported by %u", vop_name(op), name, c->func->name, imp.n);
    return;
  }
  ptk_func *producer = ptk_op_func(imp.first);
  find_ops prod = {PTK_OP_AIC_INITIALIZE_PIPE, -1, NULL, 0, PTK_OP_IMPORT_RESERVED_BUFFER, name, c->func};
  ptk_walk_func(producer, find_cb, &prod);
  if (prod.n != 1) {
    VERR(c, op, "'%s' fixpipe consumer: its producer '@%s' must have exactly one pto.aic_initialize_pipe whose "
                "c2v_consumer_buf imports \"%s\" from '@%s', but has %u", vop_name(op), producer->name, name,
         c->func->name, prod.n);
    return;
  }
  if (!epilogue(prod.first)) return; /* the producer's rule reports a missing or different epilogue */
  int64_t id = op_id(op);
  find_ops pops = find_in(c->func, PTK_OP_TPOP_FROM_AIC, id);
  if (!pops.n) {
    VERR(c, op, "'%s' fixpipe pipe id %" PRId64 " has no pto.tpop_from_aic in '@%s': its pops give the entry type "
                "the epilogue converts to", vop_name(op), id, c->func->name);
    return;
  }
  ptk_op *other = pops_differ(c->func, id, pops.first);
  if (other) {
    VERR(c, op, "'%s' the pto.tpop_from_aic ops of fixpipe pipe id %" PRId64 " pop different types: %s and %s",
         vop_name(op), id, vty(c, pops.first->results[0].type), vty(c, other->results[0].type));
    return;
  }
  const quant_mode *q = epilogue_quant(ep);
  char layout[32];
  epilogue_field(ep, "layout", layout, sizeof layout);
  if (q) check_entry(c, op, q, layout, pops.first, producer, op_id(prod.first));
}

/* The vector quant payload (SetQuantVectorOp::verify): packed 64-bit words
 * on A2/A3, f16/bf16/f32 scales on A5. Judged only when the module names its
 * target: the two are disjoint, and ptk's own op sweeps name none. */
static void vfy_set_quant_vector(vctx *c, ptk_op *op) {
  const ptk_tile_desc *t = vtile(op->operands[0]);
  ptk_dtype dt;
  if (!t) return;
  if (t->loc != PTK_SPACE_SCALING) {
    VERR(c, op, "'%s' scaling tile must be in scaling, but is in %s", vop_name(op), ptk_space_name(t->loc));
    return;
  }
  int arch = vptoas_arch(c);
  if (!arch || !vptoas_elem(t, &dt)) return;
  bool ok = arch == 5 ? dt == PTK_DT_F16 || dt == PTK_DT_BF16 || dt == PTK_DT_F32
                      : dt == PTK_DT_I64 || dt == PTK_DT_SI64 || dt == PTK_DT_UI64;
  if (!ok)
    VERR(c, op, "'%s' scaling tile element type %s is not a quant payload on %s (%s)", vop_name(op),
         ptk_dtype_name(dt), vptoas_arch_name(arch), arch == 5 ? "f16, bf16 or f32" : "packed i64 or ui64");
}

void vop_check_ptoas_fixpipe(vctx *c, ptk_op *op) {
  switch (op->kind) {
  case PTK_OP_AIC_INITIALIZE_PIPE:
    if (epilogue(op)) vfy_fixpipe_producer(c, op);
    break;
  case PTK_OP_AIV_INITIALIZE_PIPE:
    if (epilogue(op)) vfy_fixpipe_consumer(c, op);
    break;
  case PTK_OP_TPUSH_TO_AIV: vfy_tpush_to_aiv(c, op); break;
  case PTK_OP_SET_QUANT_VECTOR: vfy_set_quant_vector(c, op); break;
  case PTK_OP_TPOP_FROM_AIC: vfy_tpop_from_aic(c, op); break;
  case PTK_OP_TALLOC_TO_AIV:
  case PTK_OP_TFREE_FROM_AIC: vfy_tfree_fixpipe(c, op); break;
  default: break;
  }
}

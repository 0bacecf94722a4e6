/* ptoas's section normalization (lib/PTO/Transforms/
 * PTONormalizeUncoveredTileSections.cpp, run before either backend): in a
 * function whose kernel kind is not known (no pto.kernel_kind on it or on
 * its module), each top-level run of tile ops outside pto.section.cube /
 * pto.section.vector is wrapped in a section of its kind. A top-level op
 * (a loop, an if) that holds an explicit section and also tile ops outside
 * it cannot be wrapped as a whole, and ptoas rejects it. */
#include <string.h>

#include "backend/verify_int.h"

static bool is_section(const ptk_op *op) {
  return op->kind == PTK_OP_SECTION_CUBE || op->kind == PTK_OP_SECTION_VECTOR;
}

/* ptoas's isTileLikeOp: a pto.t* op that issues on a pipe. */
static bool tile_like(const ptk_op *op) {
  return !strncmp(vop_name(op), "pto.t", 5) && ptk_op_table[op->kind].pipe != PTK_PIPEC_NONE;
}

/* The first tile op under op outside explicit sections, and whether an
 * explicit section is nested in it. */
static void scan(const ptk_op *op, const ptk_op **tile, bool *section) {
  for (uint32_t r = 0; r < op->nregions; r++)
    for (const ptk_block *b = op->regions[r].first; b; b = b->next)
      for (const ptk_op *n = b->first; n; n = n->next) {
        if (is_section(n)) {
          *section = true;
          continue;
        }
        if (!*tile && tile_like(n)) *tile = n;
        scan(n, tile, section);
      }
}

void vfunc_check_ptoas_sections(vctx *c, ptk_func *f) {
  if (!f->body || !f->body->first || f->body->first != f->body->last) return;
  if (ptk_func_attr(f, "pto.kernel_kind") || ptk_module_attr(f->module, "pto.kernel_kind")) return;
  for (ptk_op *op = f->body->first->first; op; op = op->next) {
    if (is_section(op)) continue;
    const ptk_op *tile = tile_like(op) ? op : NULL;
    bool section = false;
    scan(op, &tile, &section);
    if (!tile || !section) continue;
    VERR(c, op,
         "'%s' holds an explicit pto.section.* and also tile ops outside it ('%s' first): ptoas cannot wrap it "
         "in one section (put those tile ops in a section too, or give '@%s' a pto.kernel_kind)",
         vop_name(op), vop_name(tile), f->name);
    return;
  }
}

/* ptoas's module-level backend attributes (tools/ptoas/driver.cpp,
 * lib/PTO/Transforms/VPTONormalizeContainer.cpp), as far as they are
 * properties of the IR and not of ptoas's command line:
 * - `pto.backend` names "emitc" or "vpto" (parseDriverBackendAttr; the
 *   case does not matter);
 * - a top-level module that holds several child modules and names no
 *   backend is compiled child by child (resolveSingleBackend), so it holds
 *   nothing but those modules;
 * - a module ptoas compiles with the VPTO backend that holds functions is
 *   a kernel submodule, which carries `pto.kernel_kind` (itself or the
 *   module it sits in), unless ptoas can infer it from PTO ops in them. */
#include <string.h>
#include <strings.h>

#include "backend/verify_int.h"

/* The module's own pto.backend: 1 vpto, 0 emitc, -1 none or malformed. */
static int own_backend(const ptk_module *m) {
  const ptk_attr *a = ptk_module_attr(m, "pto.backend");
  if (!a || a->kind != PTK_ATTR_STRING) return -1;
  if (!strcasecmp(a->str.s, "vpto")) return 1;
  return !strcasecmp(a->str.s, "emitc") ? 0 : -1;
}

static void check_backend_attr(vctx *c, const ptk_module *m) {
  const ptk_attr *a = ptk_module_attr(m, "pto.backend");
  if (!a) return;
  ptk_range at = ptk_range_at(m->loc, 6);
  if (a->kind != PTK_ATTR_STRING) {
    ptk_error(c->d, at, "module attribute 'pto.backend' must be the string \"emitc\" or \"vpto\"");
    return;
  }
  if (own_backend(m) < 0)
    ptk_error(c->d, at, "invalid pto.backend '%s': expected \"emitc\" or \"vpto\"", a->str.s);
}

static void check_partitioned_top(vctx *c, const ptk_module *m) {
  if (m->parent || ptk_module_attr(m, "pto.backend")) return;
  uint32_t nmod = 0;
  const ptk_func *stray = NULL;
  for (uint32_t i = 0; i < m->nitems; i++) {
    if (m->items[i].kind == PTK_ITEM_MODULE)
      nmod++;
    else if (!stray)
      stray = m->items[i].func;
  }
  if (nmod < 2 || !stray) return;
  ptk_error(c->d, vfunc_range(stray),
            "'@%s' sits beside %u child modules: a top-level module that holds several child modules holds "
            "nothing else (ptoas compiles each child module as its own unit)",
            stray->name, nmod);
}

/* Is m compiled by the VPTO backend: its own or an enclosing module's
 * pto.backend, or, for the only child module of a backend-less top, its
 * own (ptoas then compiles the whole file with it)? */
static bool vpto_unit(const ptk_module *m) {
  for (const ptk_module *p = m; p; p = p->parent) {
    int b = own_backend(p);
    if (b >= 0) return b == 1;
  }
  return false;
}

static bool no_pto_op(ptk_op *op, void *ctx) {
  (void)ctx;
  return strncmp(vop_name(op), "pto.", 4) != 0;
}

/* ptoas infers a missing kind from the PTO ops the functions run
 * (PTONormalizeUncoveredTileSections); with none there is nothing to
 * infer it from. */
static bool kind_inferable(const ptk_module *m) {
  for (uint32_t i = 0; i < m->nitems; i++) {
    ptk_func *f = m->items[i].kind == PTK_ITEM_FUNC ? m->items[i].func : NULL;
    if (f && (ptk_func_attr(f, "pto.kernel_kind") || (f->body && !ptk_walk_func(f, no_pto_op, NULL))))
      return true;
  }
  return false;
}

static void check_vpto_kernel_kind(vctx *c, const ptk_module *m) {
  bool funcs = false;
  for (uint32_t i = 0; i < m->nitems && !funcs; i++) funcs = m->items[i].kind == PTK_ITEM_FUNC;
  if (!funcs || !vpto_unit(m)) return;
  for (const ptk_module *p = m; p; p = p->parent)
    if (ptk_module_attr(p, "pto.kernel_kind")) return;
  if (kind_inferable(m)) return;
  ptk_error(c->d, ptk_range_at(m->loc, 6),
            "a module compiled with pto.backend = \"vpto\" is a kernel submodule and must carry 'pto.kernel_kind' "
            "(#pto.kernel_kind<vector> or #pto.kernel_kind<cube>): its functions run no PTO op to infer it from");
}

void vmodule_check_ptoas(vctx *c, const ptk_module *m) {
  check_backend_attr(c, m);
  check_partitioned_top(c, m);
  check_vpto_kernel_kind(c, m);
}

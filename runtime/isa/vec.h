/* Every VPTO semantic header, and the out-of-line functions generated C may
 * call (PTK_VEC_ENTRY_POINTS: the JIT's host table and the lowering's
 * entry-point check read it). A part header defines its own
 * PTK_VEC_ENTRY_POINTS_<PART>(X) list. */
#ifndef PTK_RUNTIME_ISA_VEC_H
#define PTK_RUNTIME_ISA_VEC_H

#include "runtime/isa/vreg.h"

#if __has_include("runtime/isa/v_elem.h")
#include "runtime/isa/v_elem.h"
#endif
#if __has_include("runtime/isa/v_pred.h")
#include "runtime/isa/v_pred.h"
#endif
#if __has_include("runtime/isa/v_red.h")
#include "runtime/isa/v_red.h"
#endif
#if __has_include("runtime/isa/v_cvt.h")
#include "runtime/isa/v_cvt.h"
#endif
#if __has_include("runtime/isa/v_perm.h")
#include "runtime/isa/v_perm.h"
#endif
#if __has_include("runtime/isa/v_mem.h")
#include "runtime/isa/v_mem.h"
#endif
#if __has_include("runtime/isa/v_spr.h")
#include "runtime/isa/v_spr.h"
#endif
#if __has_include("runtime/isa/v_cube.h")
#include "runtime/isa/v_cube.h"
#endif

#ifndef PTK_VEC_ENTRY_POINTS_ELEM
#define PTK_VEC_ENTRY_POINTS_ELEM(X)
#endif
#ifndef PTK_VEC_ENTRY_POINTS_PRED
#define PTK_VEC_ENTRY_POINTS_PRED(X)
#endif
#ifndef PTK_VEC_ENTRY_POINTS_MEM
#define PTK_VEC_ENTRY_POINTS_MEM(X)
#endif
#ifndef PTK_VEC_ENTRY_POINTS_SPR
#define PTK_VEC_ENTRY_POINTS_SPR(X)
#endif
#ifndef PTK_VEC_ENTRY_POINTS_CUBE
#define PTK_VEC_ENTRY_POINTS_CUBE(X)
#endif
#define PTK_VEC_ENTRY_POINTS(X)                                                                    \
  PTK_VEC_ENTRY_POINTS_ELEM(X) PTK_VEC_ENTRY_POINTS_PRED(X) PTK_VEC_ENTRY_POINTS_MEM(X)            \
  PTK_VEC_ENTRY_POINTS_CUBE(X) PTK_VEC_ENTRY_POINTS_SPR(X)

#endif

/* The orchestration IR (issue 12 item 3; docs/programs-ir.md): a program as
 * a function of ptk's IR whose body uses the ptk.* ops of lang/ir/ops.def
 * (block `h12`), arith and scf. Types: host tensors !ptk.tensor<4x?xf32>
 * and tasks !ptk.task (kept as opaque types by the .pto reader, decoded
 * here). This file: the types, the verifier and the static-graph pass. */
#ifndef PTK_RUNTIME_PROGRAM_ORCH_IR_H
#define PTK_RUNTIME_PROGRAM_ORCH_IR_H

#include <stdbool.h>
#include <stdint.h>

#include "lang/diag.h"
#include "lang/ir/ir.h"
#include "runtime/kernel.h"
#include "runtime/tensor.h"

/* !ptk.tensor<d0x…xT> (dims < 0 print as ?), !ptk.task. */
const ptk_type *ptk_orch_tensor_type(ptk_module *m, ptk_tdtype dt, int rank, const int64_t *dims);
bool ptk_orch_tensor_of(const ptk_type *t, ptk_tdtype *dt, int *rank, int64_t *dims);
const ptk_type *ptk_orch_task_type(ptk_module *m);
bool ptk_orch_is_task(const ptk_type *t);

/* A program function: func.func carrying the unit attribute ptk.program. */
bool ptk_func_is_program(const ptk_func *f);
/* The first program function of m's tree, NULL when none. */
ptk_func *ptk_orch_find(const ptk_module *m);

/* The verifier: located errors; false when any. */
bool ptk_orch_verify(ptk_func *f, ptk_diags *d);

/* The static task graph (the `static-graph` pass): one node per launch op
 * and, for the launches in a loop, per iteration looked at (two: i and
 * i + 1). */
typedef struct ptk_orch_node {
  const ptk_op *launch;
  const char *kernel;
  int iter;          /* 0 outside loops; 0 or 1 inside (the two iterations looked at) */
} ptk_orch_node;
typedef enum { PTK_EDGE_RAW, PTK_EDGE_WAR, PTK_EDGE_WAW, PTK_EDGE_DEP } ptk_orch_edge_kind;
typedef struct ptk_orch_edge {
  uint32_t from, to; /* node indices, from < to */
  ptk_orch_edge_kind kind;
  const char *buffer;     /* the tensor's name (DEP: NULL) */
  int64_t lo, hi;         /* the overlapping bytes [lo, hi); -1, -1 when not known statically */
} ptk_orch_edge;
typedef struct ptk_orch_graph {
  ptk_orch_node *nodes;
  size_t nnodes;
  ptk_orch_edge *edges;
  size_t nedges;
  bool complete; /* false: more launches than the pass looks at */
} ptk_orch_graph;
const char *ptk_orch_edge_kind_name(ptk_orch_edge_kind k); /* "RAW" … "DEP" */

/* The kernel a launch names (its `kernel` attribute: a display name);
 * NULL when unknown (then the pass takes every tensor argument as read and
 * written). */
typedef const ptk_abi *(*ptk_orch_abi_fn)(void *arg, const char *kernel);

/* Derives the graph and reports hazards as warnings: a launch writing a
 * program `in` tensor, and pairs of launches touching the same bytes, one
 * writing, that no edge orders (only program order does: always through a
 * ptk.no_dep). Loops are looked at for two consecutive iterations. */
void ptk_orch_static_graph(ptk_func *f, ptk_orch_abi_fn abi, void *arg, ptk_diags *d, ptk_orch_graph *g);
void ptk_orch_graph_free(ptk_orch_graph *g);

#endif

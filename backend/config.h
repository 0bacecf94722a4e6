/* kernel_config.json: the manifest of a build folder (DESIGN §4), written
 * by `ptk compile` and read by `ptk replay`. Written and read with jansson.
 *
 *   {
 *     "format": "ptk-kernel-config", "format_version": 1,
 *     "tool": {"name": "ptk", "version": "0.1.0"},
 *     "kernel": {"name": "vadd", "symbol": "vec_add_kernel_2d", "core_type": "vector",
 *                "target": "a3", "mode": "auto", "insert_sync": true},
 *     "input": {"path": "k.pto", "kind": "pto", "sha256": "…"},
 *     "params": [{"position": 0, "name": "%arg0", "kind": "ptr", "dtype": "f32",
 *                 "direction": "in"},
 *                {"position": 3, "name": "%arg3", "kind": "scalar", "dtype": "i32"}],
 *     "consts": [{"name": "TILE", "type": "int", "value": "64", "default": false}],
 *     "source": null | {"path": "k.pto", "resolved": "/abs/k.pto", "sha256": "…",
 *                        "inline": false},
 *     "pipeline": ["canonicalize", "cse", …],
 *     "files": {"kernel": "kernel.pto", "kernel_sha256": "…"}
 *   }
 *
 * The input is a plain struct that the tracer's ptk_trace_info can fill
 * (kernel, symbol, target, kind, mode, params with their dtype, consts,
 * source_*) or, for .pto inputs, ptk_kernel_config_from_func. */
#ifndef PTK_BACKEND_CONFIG_H
#define PTK_BACKEND_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "backend/passes/passes.h"
#include "lang/diag.h"
#include "lang/ir/ir.h"
#include "lang/util.h"

#define PTK_KERNEL_CONFIG_FORMAT "ptk-kernel-config"
#define PTK_KERNEL_CONFIG_VERSION 1

typedef struct ptk_config_param {
  const char *name;      /* the .ptk parameter name, or the .pto argument ("%arg0") */
  unsigned position;     /* 0-based among the launch parameters */
  bool is_ptr;           /* kind "ptr" (else "scalar") */
  ptk_dtype dtype;       /* pointer element type, or the scalar type */
  ptk_arg_dir direction; /* pointers: derived (UNUSED/IN/OUT/INOUT); scalars: NONE */
} ptk_config_param;

typedef struct ptk_config_const {
  const char *name;
  const char *type;  /* "int", "float", "bool", "str", "dtype" */
  const char *value; /* canonical text */
  bool is_default;
} ptk_config_const;

typedef struct ptk_kernel_config {
  const char *tool_version; /* NULL: PTK_VERSION */
  const char *kernel;       /* the .ptk kernel name; NULL for .pto inputs */
  const char *symbol;       /* the entry function's symbol */
  const char *core_type;    /* "vector" | "cube" | "mixed" */
  const char *target;       /* "a3" | "a5" */
  const char *mode;         /* "auto" | "explicit" */
  bool insert_sync;
  const char *input_path;   /* the compiled file as written */
  const char *input_kind;   /* "ptk" | "pto" */
  const char *input_sha256; /* of the input file's text (NULL: not recorded) */
  ptk_config_param *params;
  size_t nparams;
  ptk_config_const *consts;
  size_t nconsts;
  bool source_backed;          /* @jit(source = …) */
  bool source_inline;          /* """…""" text */
  const char *source_path;     /* as written (NULL when inline) */
  const char *source_resolved; /* absolute (NULL when inline) */
  const char *source_sha256;
  const char *const *passes; /* the pipeline that ran */
  size_t npasses;
  const char *const *skipped; /* passes that do not apply (VPTO kernels), and why */
  size_t nskipped;
  const char *skip_reason;
  const char *kernel_file; /* NULL: "kernel.pto" */
  const char *kernel_sha256; /* of kernel_file's text as written (NULL: not recorded) */
  ptk_arena *arena; /* owns everything of a config made by the functions below */
} ptk_kernel_config;

/* vector / cube / mixed from the ops a function (and its callees) uses:
 * cube for matmuls and tiles in mat/left/right/acc/bias/scaling, vector for
 * vec tiles, mixed for both or for pto.section.* bodies; the function's
 * pto.kernel_kind attribute wins when present. "vector" when none. */
const char *ptk_core_type_of(const ptk_func *f);

/* Fills params (names from the argument name hints, else %argN), symbol
 * and core type from a function's signature, directions from `dirs` (may
 * be NULL). Allocates from c->arena (created when NULL). Other fields are
 * left as they are. */
void ptk_kernel_config_from_func(ptk_kernel_config *c, const ptk_func *f, const ptk_arg_dirs *dirs);

/* The JSON text (two-space indent, keys in the order above, trailing
 * newline). Caller frees. */
char *ptk_kernel_config_json(const ptk_kernel_config *c);

/* Any JSON document as the project writes it: two-space indent, keys in
 * insertion order, trailing newline. Takes over `root`; caller frees the text. */
typedef struct json_t json_t;
char *ptk_json_text(json_t *root);

/* Atomic write of the JSON. False with an error in d. */
bool ptk_kernel_config_write(const char *path, const ptk_kernel_config *c, ptk_diags *d);

/* Reads and validates a kernel_config.json; NULL with errors in d (naming
 * the file and the bad field). Free with ptk_kernel_config_free. */
ptk_kernel_config *ptk_kernel_config_read(const char *path, ptk_diags *d);
void ptk_kernel_config_free(ptk_kernel_config *c); /* only for configs from _read */
/* Frees c->arena (what ptk_kernel_config_from_func allocated) and zeroes c. */
void ptk_kernel_config_clear(ptk_kernel_config *c);

/* "in" → PTK_ARGDIR_IN …; false for unknown text. */
bool ptk_arg_dir_parse(const char *s, ptk_arg_dir *out);

#endif

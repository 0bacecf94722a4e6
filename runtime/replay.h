/* Saved runs in build folders: what `ptk run … --save DIR` stores and what
 * `ptk replay DIR` reads back (DESIGN §4).
 *
 * A build folder made by `ptk compile FILE -o DIR` holds kernel.pto and
 * kernel_config.json (backend/build_dir.h). A saved run adds:
 *
 *   DIR/inputs/<k>_<name>.npy   every launch argument as it was BEFORE the
 *                               launch: a pointer argument as its tensor, a
 *                               scalar argument as a rank-0 array of the
 *                               parameter's type (i1 as bool, index as i64;
 *                               bf16 as uint16 bit patterns)
 *   DIR/outputs/<k>_<name>.npy  every pointer argument AFTER the launch
 *   DIR/run.json                {"format": "ptk-run", "format_version": 1,
 *                                "tool": {"name": "ptk", "version": "…"},
 *                                "entry": "<symbol>", "blocks": N,
 *                                "target": "a3" | "a5" | null,
 *                                "poison": false}
 *
 * k is the 0-based parameter position, name the .pto argument name without
 * '%' (argK when it has none), exactly as `ptk run --out` names files.
 * Readers find files by the "<k>_" prefix, so names may change. run.json is
 * removed first and written last: inputs without run.json are an
 * incomplete save that replay refuses.
 *
 * Nothing here prints; errors go to the ptk_diags given. */
#ifndef PTK_RUNTIME_REPLAY_H
#define PTK_RUNTIME_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lang/diag.h"
#include "lang/ir/ir.h"
#include "runtime/interp/interp.h"
#include "runtime/tensor.h"

#define PTK_RUN_FORMAT "ptk-run"
#define PTK_RUN_FORMAT_VERSION 1

/* ---- saving (ptk run --save DIR) -------------------------------------------------------------- */

/* Before the launch: creates DIR/inputs and DIR/outputs, removes run.json
 * and every "<digits>_*.npy" in both folders (a previous run's files), and
 * writes the inputs from `args` (one per parameter of f, as bound for the
 * launch). False with an error in d on I/O failure. */
bool ptk_save_run_inputs(const char *dir, const ptk_func *f, const ptk_launch_arg *args,
                         size_t nargs, ptk_diags *d);

/* After a successful launch: writes the outputs (every pointer argument)
 * and then run.json. */
bool ptk_save_run_outputs(const char *dir, const ptk_func *f, const ptk_launch_arg *args,
                          size_t nargs, const ptk_launch_opts *lo, ptk_diags *d);

/* "<k>_<name>" for parameter k of f (malloc'd). */
char *ptk_saved_arg_stem(const ptk_func *f, uint32_t k);

/* ---- reading ---------------------------------------------------------------------------------- */

typedef struct ptk_saved_run {
  char *entry;  /* may be NULL */
  uint32_t blocks;
  char *target; /* may be NULL */
  bool poison;
} ptk_saved_run;

/* Reads DIR/run.json. Returns 1 when read, 0 when it does not exist, -1
 * with an error in d when it is malformed. */
int ptk_saved_run_read(const char *dir, ptk_saved_run *out, ptk_diags *d);
void ptk_saved_run_free(ptk_saved_run *r);

/* The path of DIR/SUB/<k>_*.npy (malloc'd). NULL when there is none;
 * NULL with an error in d when there are several. */
char *ptk_saved_find(const char *dir, const char *sub, uint32_t k, ptk_diags *d);

/* Binds parameter k of f from a saved .npy file: a pointer parameter gets
 * the tensor (bf16 parameters read uint16 data as bf16; the element size
 * must match); a scalar parameter gets the single element, which must
 * have the dtype --save writes for the parameter's type (i1 as bool, index
 * as i64; no conversion). False with an error at the parameter. */
bool ptk_saved_bind(const ptk_func *f, uint32_t k, const char *path, ptk_launch_arg *out,
                    ptk_diags *d);

/* ---- comparing -------------------------------------------------------------------------------- */

typedef struct ptk_tensor_cmp {
  bool shape_ok;         /* same element count, shape and element size */
  int64_t n;             /* elements compared */
  int64_t mismatches;    /* elements that are not equal (bitwise, or outside tolerance) */
  int64_t bit_diffs;     /* elements whose bits differ */
  double max_abs;        /* max |got - expected| over all elements (NaN vs number: inf) */
  double max_rel;        /* max |got - expected| / |expected| (expected 0 and got != 0: inf) */
  int64_t first;         /* flat index of the first mismatch, -1 when none */
  double got_first, exp_first;
} ptk_tensor_cmp;

/* Compares element by element. Without tolerance (tol false) an element
 * matches when its bits are equal; with tolerance when
 * |got - exp| <= atol + rtol * |exp| (NaN matches NaN; infinities match
 * when equal). */
void ptk_tensor_compare(const ptk_tensor *got, const ptk_tensor *exp, bool tol, double rtol,
                        double atol, ptk_tensor_cmp *out);

#endif

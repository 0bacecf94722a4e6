/* Build folders (DESIGN §4): what `ptk compile FILE -o DIR` writes.
 *
 *   DIR/kernel.pto                  the final PTO IR (after the pipeline)
 *   DIR/passes_dump/00_input.pto    with --dump-passes, then NN_after_<pass>.pto
 *   DIR/kernel_config.json          see backend/config.h
 *
 * Every file is written atomically (temp file + rename). kernel_config.json
 * is what makes a folder a build folder: it is removed first and written
 * last, so a compile that fails or crashes halfway never leaves a folder
 * that replay would trust. */
#ifndef PTK_BACKEND_BUILD_DIR_H
#define PTK_BACKEND_BUILD_DIR_H

#include <stdbool.h>

#include "backend/config.h"
#include "lang/diag.h"
#include "lang/ir/ir.h"

/* mkdir -p; 0 or -1 with errno. */
int ptk_mkdir_p(const char *path);

/* DIR/passes_dump (malloc'd; caller frees). */
char *ptk_build_dir_dump_path(const char *dir);

/* Step 1: creates DIR (mkdir -p) and removes DIR/kernel_config.json.
 * False with an error in d when DIR cannot be made. */
bool ptk_build_dir_begin(const char *dir, ptk_diags *d);

/* Step 2: writes DIR/kernel.pto (the printed module) and then
 * DIR/kernel_config.json. False with an error in d on I/O failure. */
/* DIR/kernels/<aiv|aic>/<symbol>.c: the generated C of the kernel (JIT
 * backend). A vector kernel goes under aiv, a cube kernel under aic, a
 * mixed one under both (the CPU runs both sections in one file). */
bool ptk_build_dir_write_c(const char *dir, const char *core_type, const char *symbol,
                           const char *text, size_t len, ptk_diags *d);

bool ptk_build_dir_finish(const char *dir, const ptk_module *m, const ptk_kernel_config *cfg,
                          ptk_diags *d);

#endif

/* NumPy .npy files <-> host tensors.
 *
 * Reading accepts format versions 1.0, 2.0 and 3.0, C order only, and the
 * dtypes <f2 <f4 <f8, i1 <i2 <i4 <i8, u1 <u2 <u4 <u8 and b1 / '?' (one-byte
 * types with any of the prefixes | < = >; '=' means little-endian here).
 * bf16 has no NumPy dtype: it travels as uint16 bit patterns, and
 * PTK_NPY_U16_AS_BF16 reads <u2 data as bf16. Big-endian data, Fortran
 * order, structured and other dtypes are errors, as are a bad magic, a
 * truncated or malformed header and a data size that does not match the
 * shape. Errors are returned as a malloc'd message naming the file; nothing
 * is printed.
 *
 * Writing uses version 1.0 (2.0 when the header needs it), a header padded to
 * a multiple of 64 bytes, C order, and is atomic (temp file + rename). bf16
 * tensors are written as <u2. */
#ifndef PTK_RUNTIME_NPY_H
#define PTK_RUNTIME_NPY_H

#include <stddef.h>

#include "runtime/tensor.h"

enum { PTK_NPY_U16_AS_BF16 = 1 };

/* The largest .npy file read: 64 GiB. Only regular files are read (a
 * device, FIFO or socket is refused before reading; see ptk_read_file). */
#define PTK_NPY_MAX_BYTES ((size_t)1 << 36)

/* Reads `path`. NULL with *err set (caller frees) on failure. */
ptk_tensor *ptk_npy_read(const char *path, int flags, char **err);
/* Parses an in-memory .npy image; `name` is used in error messages. */
ptk_tensor *ptk_npy_parse(const void *data, size_t len, const char *name, int flags, char **err);

/* Encodes t (any strides) as a .npy image; caller frees. */
void *ptk_npy_encode(const ptk_tensor *t, size_t *len);
/* Writes t to `path` atomically. 0, or -1 with *err set. */
int ptk_npy_write(const char *path, const ptk_tensor *t, char **err);

#endif

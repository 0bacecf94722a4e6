/* Host tensors: the buffers kernels read and write in global memory.
 *
 * A tensor has an element type, a rank (0..8), a shape, strides in elements
 * and data that it either owns (freed with the tensor) or borrows from the
 * caller. Element indices in the get/set functions are logical C-order flat
 * indices (0 .. numel-1); strides map them to memory, so strided borrowed
 * views work too.
 *
 * Nothing here prints or aborts (except on out-of-memory): functions that can
 * fail return NULL/-1 and, when `err` is non-NULL, store a malloc'd message
 * the caller frees. */
#ifndef PTK_RUNTIME_TENSOR_H
#define PTK_RUNTIME_TENSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Host element types: X(ID, name, bytes). bf16 is stored as raw 16-bit words
 * (the upper half of an IEEE f32); bool is one byte holding 0 or 1. */
#define PTK_TDTYPES(X)                                                                             \
  X(F16, "f16", 2)                                                                                 \
  X(BF16, "bf16", 2)                                                                               \
  X(F32, "f32", 4)                                                                                 \
  X(F64, "f64", 8)                                                                                 \
  X(I8, "i8", 1)                                                                                   \
  X(I16, "i16", 2)                                                                                 \
  X(I32, "i32", 4)                                                                                 \
  X(I64, "i64", 8)                                                                                 \
  X(U8, "u8", 1)                                                                                   \
  X(U16, "u16", 2)                                                                                 \
  X(U32, "u32", 4)                                                                                 \
  X(U64, "u64", 8)                                                                                 \
  X(BOOL, "bool", 1)

typedef enum {
#define X(ID, N, B) PTK_TD_##ID,
  PTK_TDTYPES(X)
#undef X
      PTK_TD__COUNT
} ptk_tdtype;

#define PTK_TENSOR_MAX_RANK 8

typedef struct ptk_tensor {
  ptk_tdtype dtype;
  int rank;
  int64_t shape[PTK_TENSOR_MAX_RANK];
  int64_t strides[PTK_TENSOR_MAX_RANK]; /* in elements */
  void *data;
  bool owned; /* data is freed by ptk_tensor_free */
} ptk_tensor;

const char *ptk_tdtype_name(ptk_tdtype dt); /* "f32" */
size_t ptk_tdtype_size(ptk_tdtype dt);      /* bytes per element */
bool ptk_tdtype_is_float(ptk_tdtype dt);    /* f16 bf16 f32 f64 */
bool ptk_tdtype_is_signed(ptk_tdtype dt);   /* i8..i64 (and the floats) */
/* Parses a dtype name: f16 bf16 f32 f64 i8 i16 i32 i64 u8 u16 u32 u64 bool,
 * also the IR spellings si8.. / ui8.. and i1 (= bool). */
bool ptk_tdtype_parse(const char *s, size_t len, ptk_tdtype *out);

/* Element count (1 for rank 0) and bytes of a contiguous copy. */
int64_t ptk_tensor_numel(const ptk_tensor *t);
size_t ptk_tensor_nbytes(const ptk_tensor *t);
/* C-order contiguous (strides are the row-major ones)? */
bool ptk_tensor_is_contiguous(const ptk_tensor *t);

/* A new owned, zero-filled, C-contiguous tensor (data 64-byte aligned).
 * Fails on rank > 8, a negative dimension or a size that overflows. */
ptk_tensor *ptk_tensor_zeros(ptk_tdtype dt, int rank, const int64_t *shape, char **err);
/* Same, every element set to v (converted as by ptk_tensor_set_f64). */
ptk_tensor *ptk_tensor_filled(ptk_tdtype dt, int rank, const int64_t *shape, double v, char **err);
/* Wraps caller memory; strides NULL means C order. Not freed by the tensor. */
ptk_tensor *ptk_tensor_borrow(ptk_tdtype dt, int rank, const int64_t *shape, const int64_t *strides,
                              void *data, char **err);
/* An owned C-contiguous copy of any tensor (strided views included). */
ptk_tensor *ptk_tensor_clone(const ptk_tensor *t);
void ptk_tensor_free(ptk_tensor *t);

/* Address of the element at logical C-order flat index i. */
void *ptk_tensor_at(const ptk_tensor *t, int64_t i);

/* Element access by flat index. get_f64 widens exactly (bf16/f16 bit
 * patterns decoded; integers converted). set_f64 rounds to nearest even for
 * f16/bf16/f32 (overflow gives ±inf, NaN stays NaN) and for integer types
 * truncates toward zero and saturates (NaN → 0); bool stores v != 0.
 * get_i64 truncates floats toward zero (saturating, NaN → 0); u64 values
 * above INT64_MAX wrap. set_i64 wraps to the integer width (two's
 * complement); floats get the nearest value; bool stores v != 0. */
double ptk_tensor_get_f64(const ptk_tensor *t, int64_t i);
int64_t ptk_tensor_get_i64(const ptk_tensor *t, int64_t i);
void ptk_tensor_set_f64(ptk_tensor *t, int64_t i, double v);
void ptk_tensor_set_i64(ptk_tensor *t, int64_t i, int64_t v);

/* Scalar conversions used above (round to nearest even). */
double ptk_f16_bits_to_f64(uint16_t h);
double ptk_bf16_bits_to_f64(uint16_t b);
uint16_t ptk_f64_to_f16_bits(double v);
uint16_t ptk_f64_to_bf16_bits(double v);

/* Parses a SHAPE like "32x32" (dimensions ≥ 0, at most 8; "" or "scalar"
 * is rank 0). Returns the rank, or -1 with *err set. */
int ptk_shape_parse(const char *s, int64_t *shape, char **err);

/* Tensors from a command-line spec:
 *   zeros:DTYPE:SHAPE        all zero
 *   rand:DTYPE:SHAPE[:SEED]  deterministic pseudo-random (SEED default 0)
 * rand draws one splitmix64 value z per element in C order (state starts at
 * SEED). Floats with p significand bits (f16 11, bf16 8, f32 24, f64 53):
 * k = z >> (64 - p), v = (k - 2^(p-1)) / 2^(p-1), i.e. uniform on a grid in
 * [-1, 1) and exactly representable. Signed ints: (z >> 60) - 8, uniform in
 * [-8, 8). Unsigned ints: z >> 60, in [0, 16). bool: z >> 63. Returns NULL
 * with *err set for anything else (including path.npy specs; see npy.h). */
ptk_tensor *ptk_tensor_from_spec(const char *spec, char **err);

#endif

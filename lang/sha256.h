/* SHA-256 (FIPS 180-4), small and dependency-free: the content hash of
 * source-backed kernels and of traced .ptk files (specialization keys). */
#ifndef PTK_LANG_SHA256_H
#define PTK_LANG_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct ptk_sha256 {
  uint32_t h[8];
  uint64_t len; /* bytes hashed so far */
  uint8_t buf[64];
  size_t nbuf;
} ptk_sha256;

void ptk_sha256_init(ptk_sha256 *s);
void ptk_sha256_update(ptk_sha256 *s, const void *data, size_t n);
void ptk_sha256_final(ptk_sha256 *s, uint8_t out[32]);
/* One shot; `hex` gets 64 lower-case hex digits and a NUL. */
void ptk_sha256_hex(const void *data, size_t n, char hex[65]);

#endif

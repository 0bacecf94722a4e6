/* ptk public C API. */
#ifndef PTK_H
#define PTK_H

#ifdef __cplusplus
extern "C" {
#endif

/* The library version, e.g. "0.1.0". */
const char *ptk_version(void);

#ifdef __cplusplus
}
#endif

#endif

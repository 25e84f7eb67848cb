/*
 * What every public header of libirt needs.
 */
#ifndef IRT_COMMON_H
#define IRT_COMMON_H

/*
 * Marks the public API: libirt is built with hidden visibility, so a
 * function is exported from libirt.so only when its declaration in
 * lib/include/irt/ carries this.
 */
#if defined(__GNUC__)
#define IRT_EXTERN __attribute__((visibility("default")))
#else
#define IRT_EXTERN
#endif

#endif

/*
 * Hashing through libcrypto's EVP interface.
 */
#ifndef IRT_HASH_H
#define IRT_HASH_H

#include "common.h"
#include <stddef.h>

enum irt_hash_alg {
	IRT_HASH_SHA256 = 1 << 0,
	IRT_HASH_SHA1 = 1 << 1,
	IRT_HASH_MD5 = 1 << 2,
};

#define IRT_HASH_HEX_MAX 129

struct irt_hash;

/* algs is a mask of irt_hash_alg. */
IRT_EXTERN int irt_hash_new(struct irt_hash **out, unsigned algs);
IRT_EXTERN int
irt_hash_update(struct irt_hash *h, const void *data, size_t len);
/* Finishes; hex digests become available with irt_hash_hex. */
IRT_EXTERN int irt_hash_final(struct irt_hash *h);
/* The lowercase hex digest of alg after final, or NULL if not computed. */
IRT_EXTERN const char *
irt_hash_hex(const struct irt_hash *h, enum irt_hash_alg alg);
/* Resets for a new input with the same algorithms. */
IRT_EXTERN int irt_hash_reset(struct irt_hash *h);
IRT_EXTERN void irt_hash_free(struct irt_hash *h);

/* Parses "sha256,sha1,md5" into a mask; IRT_EINVAL names a bad word. */
IRT_EXTERN int irt_hash_parse_list(unsigned *algs, const char *list);
IRT_EXTERN const char *irt_hash_name(enum irt_hash_alg alg);

/* One-shot SHA-256 of a buffer into hex (65 bytes). */
IRT_EXTERN int irt_sha256_hex(char out[65], const void *data, size_t len);

/* SHA-256 of a file's contents. */
IRT_EXTERN int irt_sha256_file(char out[65], const char *path);

#endif

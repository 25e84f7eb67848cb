#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "irt/error.h"
#include "irt/hash.h"

#define NALG 3

static const struct {
	enum irt_hash_alg alg;
	const char *name;
} algs_tab[NALG] = {
	{ IRT_HASH_SHA256, "sha256" },
	{ IRT_HASH_SHA1, "sha1" },
	{ IRT_HASH_MD5, "md5" },
};

struct irt_hash {
	unsigned algs;
	EVP_MD_CTX *ctx[NALG];
	char hex[NALG][IRT_HASH_HEX_MAX];
};

static const EVP_MD *
md_of(enum irt_hash_alg alg)
{
	switch (alg) {
	case IRT_HASH_SHA256:
		return EVP_sha256();
	case IRT_HASH_SHA1:
		return EVP_sha1();
	case IRT_HASH_MD5:
		return EVP_md5();
	}
	return NULL;
}

const char *
irt_hash_name(enum irt_hash_alg alg)
{
	int i;

	for (i = 0; i < NALG; i++)
		if (algs_tab[i].alg == alg)
			return algs_tab[i].name;
	return "?";
}

int
irt_hash_reset(struct irt_hash *h)
{
	int i;

	for (i = 0; i < NALG; i++) {
		h->hex[i][0] = '\0';
		if (h->ctx[i] == NULL)
			continue;
		if (EVP_DigestInit_ex(
		        h->ctx[i], md_of(algs_tab[i].alg), NULL) != 1)
			return irt_error_set(
			    IRT_ERROR, "cannot start %s", algs_tab[i].name);
	}
	return 0;
}

int
irt_hash_new(struct irt_hash **out, unsigned algs)
{
	struct irt_hash *h;
	int i;

	if ((h = calloc(1, sizeof *h)) == NULL)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	h->algs = algs;
	for (i = 0; i < NALG; i++) {
		if (!(algs & algs_tab[i].alg))
			continue;
		if ((h->ctx[i] = EVP_MD_CTX_new()) == NULL) {
			irt_hash_free(h);
			return irt_error_set(IRT_ENOMEM, "out of memory");
		}
	}
	if (irt_hash_reset(h) != 0) {
		irt_hash_free(h);
		return IRT_ERROR;
	}
	*out = h;
	return 0;
}

int
irt_hash_update(struct irt_hash *h, const void *data, size_t len)
{
	int i;

	for (i = 0; i < NALG; i++)
		if (h->ctx[i] != NULL &&
		    EVP_DigestUpdate(h->ctx[i], data, len) != 1)
			return irt_error_set(
			    IRT_ERROR, "%s update failed", algs_tab[i].name);
	return 0;
}

int
irt_hash_final(struct irt_hash *h)
{
	static const char hx[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n, j;
	int i;

	for (i = 0; i < NALG; i++) {
		if (h->ctx[i] == NULL)
			continue;
		if (EVP_DigestFinal_ex(h->ctx[i], md, &n) != 1)
			return irt_error_set(
			    IRT_ERROR, "%s failed", algs_tab[i].name);
		for (j = 0; j < n; j++) {
			h->hex[i][2 * j] = hx[md[j] >> 4];
			h->hex[i][2 * j + 1] = hx[md[j] & 15];
		}
		h->hex[i][2 * n] = '\0';
	}
	return 0;
}

const char *
irt_hash_hex(const struct irt_hash *h, enum irt_hash_alg alg)
{
	int i;

	for (i = 0; i < NALG; i++)
		if (algs_tab[i].alg == alg)
			return h->ctx[i] != NULL && h->hex[i][0] != '\0'
			    ? h->hex[i]
			    : NULL;
	return NULL;
}

void
irt_hash_free(struct irt_hash *h)
{
	int i;

	if (h == NULL)
		return;
	for (i = 0; i < NALG; i++)
		EVP_MD_CTX_free(h->ctx[i]);
	free(h);
}

int
irt_hash_parse_list(unsigned *out, const char *list)
{
	const char *p = list, *e;
	unsigned algs = 0;
	size_t n;
	int i;

	while (*p != '\0') {
		e = strchr(p, ',');
		n = e ? (size_t)(e - p) : strlen(p);
		for (i = 0; i < NALG; i++)
			if (strlen(algs_tab[i].name) == n &&
			    strncasecmp(algs_tab[i].name, p, n) == 0)
				break;
		if (i == NALG)
			return irt_error_set(IRT_EINVAL,
			    "unknown hash '%.*s' (want sha256, sha1, md5)",
			    (int)n, p);
		algs |= algs_tab[i].alg;
		p += n;
		if (*p == ',')
			p++;
	}
	if (algs == 0)
		return irt_error_set(IRT_EINVAL, "empty hash list");
	*out = algs;
	return 0;
}

int
irt_sha256_hex(char out[65], const void *data, size_t len)
{
	struct irt_hash *h;
	int rc;

	if ((rc = irt_hash_new(&h, IRT_HASH_SHA256)) != 0)
		return rc;
	if ((rc = irt_hash_update(h, data, len)) == 0 &&
	    (rc = irt_hash_final(h)) == 0)
		memcpy(out, irt_hash_hex(h, IRT_HASH_SHA256), 65);
	irt_hash_free(h);
	return rc;
}

int
irt_sha256_file(char out[65], const char *path)
{
	struct irt_hash *h;
	char buf[65536];
	ssize_t n;
	int fd, rc;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return irt_error_sys(IRT_EIO, errno, "cannot open '%s'", path);
	if ((rc = irt_hash_new(&h, IRT_HASH_SHA256)) != 0) {
		close(fd);
		return rc;
	}
	while ((n = read(fd, buf, sizeof buf)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = irt_error_sys(
			    IRT_EIO, errno, "cannot read '%s'", path);
			break;
		}
		if ((rc = irt_hash_update(h, buf, (size_t)n)) != 0)
			break;
	}
	close(fd);
	if (rc == 0 && (rc = irt_hash_final(h)) == 0)
		memcpy(out, irt_hash_hex(h, IRT_HASH_SHA256), 65);
	irt_hash_free(h);
	return rc;
}

/*
 * A prefilter for the literal values of all rules: a literal piece
 * ("anchor", at least 3 bytes) of every value is looked for in each
 * event value in one pass, however many rules there are.  A value whose
 * anchor does not occur cannot match and is not compared at all.
 *
 * Each anchor is filed under one of its 3-byte grams (the one made of
 * the least common characters); a pass over a text hashes every 3-byte
 * window into a bitmap that fits in the first-level cache, and only a
 * window whose bit is set has its anchors compared.  Every window is
 * independent of the others, so the pass runs at about a byte a cycle
 * whatever the number of anchors.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sigma-int.h"

#define GRAM_BITS 16
#define GRAM_SIZE (1u << GRAM_BITS)

struct sg_ac {
	/* anchors: bytes, where each starts, its length */
	char *bytes;
	size_t nbytes, bcap;
	uint32_t *start;
	uint8_t *len;
	uint8_t *off; /* of the gram it is filed under */
	int n, cap;
	/* a hash set of the anchors, to give the same bytes one id */
	int32_t *set;
	size_t setcap;
	/* built: the bitmap of grams and the anchors of each gram */
	bool built, usable;
	uint64_t map[GRAM_SIZE / 64];
	uint32_t *bucket; /* GRAM_SIZE + 1 starts into ids */
	int32_t *ids;
};

static uint32_t
gram_hash(const unsigned char *p)
{
	uint32_t g =
	    (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;

	return (g * 2654435761u) >> (32 - GRAM_BITS);
}

static uint64_t
str_hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;

	while (n-- > 0)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

struct sg_ac *
sg_ac_new(void)
{
	return calloc(1, sizeof(struct sg_ac));
}

void
sg_ac_free(struct sg_ac *ac)
{
	if (ac == NULL)
		return;
	free(ac->bytes);
	free(ac->start);
	free(ac->len);
	free(ac->off);
	free(ac->set);
	free(ac->bucket);
	free(ac->ids);
	free(ac);
}

static bool
same(const struct sg_ac *ac, int id, const char *s, size_t n)
{
	return ac->len[id] == n && memcmp(ac->bytes + ac->start[id], s, n) == 0;
}

static int
set_grow(struct sg_ac *ac)
{
	size_t cap = ac->setcap ? 2 * ac->setcap : 1024, i, j;
	int32_t *ns = malloc(cap * sizeof *ns);

	if (ns == NULL)
		return -1;
	for (i = 0; i < cap; i++)
		ns[i] = -1;
	for (i = 0; i < ac->setcap; i++) {
		int id = ac->set[i];
		if (id < 0)
			continue;
		j = str_hash(ac->bytes + ac->start[id], ac->len[id]) &
		    (cap - 1);
		while (ns[j] >= 0)
			j = (j + 1) & (cap - 1);
		ns[j] = id;
	}
	free(ac->set);
	ac->set = ns;
	ac->setcap = cap;
	return 0;
}

int
sg_ac_add(struct sg_ac *ac, const char *s, size_t n)
{
	size_t j;

	if (n < 3 || n > 255 || ac->built || ac->n >= INT32_MAX / 2)
		return -1;
	if ((size_t)ac->n * 2 >= ac->setcap && set_grow(ac) != 0)
		return -1;
	for (j = str_hash(s, n) & (ac->setcap - 1); ac->set[j] >= 0;
	     j = (j + 1) & (ac->setcap - 1))
		if (same(ac, ac->set[j], s, n))
			return ac->set[j];
	if (ac->n == ac->cap) {
		int cap = ac->cap ? 2 * ac->cap : 256;
		uint32_t *st = realloc(ac->start, (size_t)cap * sizeof *st);
		uint8_t *ln, *of;
		if (st == NULL)
			return -1;
		ac->start = st;
		if ((ln = realloc(ac->len, (size_t)cap)) == NULL)
			return -1;
		ac->len = ln;
		if ((of = realloc(ac->off, (size_t)cap)) == NULL)
			return -1;
		ac->off = of;
		ac->cap = cap;
	}
	if (ac->nbytes + n > ac->bcap) {
		size_t cap = ac->bcap ? 2 * ac->bcap : 4096;
		char *nb;
		while (cap < ac->nbytes + n)
			cap *= 2;
		if (cap > UINT32_MAX || (nb = realloc(ac->bytes, cap)) == NULL)
			return -1;
		ac->bytes = nb;
		ac->bcap = cap;
	}
	memcpy(ac->bytes + ac->nbytes, s, n);
	ac->start[ac->n] = (uint32_t)ac->nbytes;
	ac->len[ac->n] = (uint8_t)n;
	ac->nbytes += n;
	ac->set[j] = ac->n;
	return ac->n++;
}

int
sg_ac_count(const struct sg_ac *ac)
{
	return ac->n;
}

/* How common a character is in log text (higher: more common). */
static int
common(unsigned char c)
{
	static const char often[] = " etaoinsr/.-_=:0123456789\"'";
	static const char some[] = "lhdcumfpgwybv,";

	if (c >= 'A' && c <= 'Z')
		c = (unsigned char)(c + 32);
	if (c != 0 && strchr(often, c) != NULL)
		return 4;
	if (c != 0 && strchr(some, c) != NULL)
		return 2;
	return 1;
}

int
sg_ac_build(struct sg_ac *ac)
{
	uint32_t *count;
	int i;

	ac->built = true;
	if (ac->n == 0)
		return -1;
	ac->bucket = calloc(GRAM_SIZE + 1, sizeof *ac->bucket);
	ac->ids = malloc((size_t)ac->n * sizeof *ac->ids);
	count = calloc(GRAM_SIZE + 1, sizeof *count);
	if (ac->bucket == NULL || ac->ids == NULL || count == NULL) {
		free(count);
		return -1;
	}
	/* file each anchor under a gram of uncommon characters that few
	 * other anchors are filed under: a gram that occurs in a text
	 * costs a comparison for each anchor of its bucket */
	for (i = 0; i < ac->n; i++) {
		const unsigned char *a =
		    (const unsigned char *)ac->bytes + ac->start[i];
		int best = 0, bs = 1 << 30, k;
		for (k = 0; k + 3 <= ac->len[i]; k++) {
			int sc = 4 *
			        (common(a[k]) + common(a[k + 1]) +
			            common(a[k + 2])) +
			    (int)count[gram_hash(a + k) + 1];
			if (sc < bs) {
				bs = sc;
				best = k;
			}
		}
		ac->off[i] = (uint8_t)best;
		count[gram_hash(a + best) + 1]++;
	}
	for (i = 1; i <= (int)GRAM_SIZE; i++)
		count[i] += count[i - 1];
	memcpy(ac->bucket, count, (GRAM_SIZE + 1) * sizeof *count);
	for (i = 0; i < ac->n; i++) {
		const unsigned char *a =
		    (const unsigned char *)ac->bytes + ac->start[i];
		uint32_t h = gram_hash(a + ac->off[i]);
		ac->ids[count[h]++] = i;
		ac->map[h >> 6] |= 1ULL << (h & 63);
	}
	free(count);
	ac->usable = true;
	return 0;
}

bool
sg_ac_usable(const struct sg_ac *ac)
{
	return ac != NULL && ac->usable;
}

static void
found(const struct sg_ac *ac, const unsigned char *p, size_t len, size_t i,
    uint32_t h, uint8_t *bits, int *hits, size_t *nhits, size_t cap,
    uint32_t *counts)
{
	size_t k;

	for (k = ac->bucket[h]; k < ac->bucket[h + 1]; k++) {
		int id = ac->ids[k];
		size_t o = ac->off[id], n = ac->len[id];
		uint8_t bit = (uint8_t)(1u << (id & 7));
		if ((bits[id >> 3] & bit) || i < o || i - o + n > len ||
		    memcmp(p + i - o, ac->bytes + ac->start[id], n) != 0)
			continue;
		bits[id >> 3] |= bit;
		if (counts != NULL)
			counts[id]++;
		if (hits == NULL)
			continue;
		if (*nhits != SIZE_MAX && *nhits < cap)
			hits[(*nhits)++] = id;
		else
			*nhits = SIZE_MAX;
	}
}

void
sg_ac_scan(const struct sg_ac *ac, const char *s, size_t len, uint8_t *bits,
    int *hits, size_t *nhits, size_t cap, uint32_t *counts)
{
	const unsigned char *p = (const unsigned char *)s;
	const uint64_t *map = ac->map;
	size_t i;
	uint32_t g, h;

	if (len < 3)
		return;
	/* four bytes at a time where they are there, the gram is three */
	for (i = 0; i + 4 <= len; i++) {
		memcpy(&g, p + i, 4);
		h = ((g & 0xffffff) * 2654435761u) >> (32 - GRAM_BITS);
		if (map[h >> 6] & (1ULL << (h & 63)))
			found(ac, p, len, i, h, bits, hits, nhits, cap, counts);
	}
	for (; i + 3 <= len; i++) {
		h = gram_hash(p + i);
		if (map[h >> 6] & (1ULL << (h & 63)))
			found(ac, p, len, i, h, bits, hits, nhits, cap, counts);
	}
}

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
	/* built: the bitmaps of grams (of 4 bytes, then of 3 for the
	 * anchors of 3) and the anchors of each gram */
	bool built, usable;
	int n3; /* anchors of 3 bytes */
	uint64_t map[2][GRAM_SIZE / 64];
	/* the first 3 bytes of every gram of either map: a window whose 3
	 * are not in it is passed over after one test */
	uint64_t gate[GRAM_SIZE / 64];
	uint32_t *bucket; /* 2 * GRAM_SIZE + 1 starts into ids */
	int32_t *ids;
	uint32_t *grams;      /* beside ids: the gram itself, to pass over the
	                    others of its hash without comparing */
	uint64_t *key, *mask; /* beside ids: up to 8 bytes of the anchor
	                         from its gram on, to compare at once */
};

/* The gram of w (3 or 4) bytes at p, as the scan rolls it. */
static uint32_t
gram_of(const unsigned char *p, int w)
{
	uint32_t g =
	    (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;

	return w == 4 ? g | (uint32_t)p[3] << 24 : g;
}

static uint32_t
hash_of(uint32_t g)
{
	return (g * 2654435761u) >> (32 - GRAM_BITS);
}

/* The bucket of a gram: those of 3 bytes after those of 4. */
static uint32_t
bucket_of(const unsigned char *p, int w)
{
	return hash_of(gram_of(p, w)) + (w == 3 ? GRAM_SIZE : 0);
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
	free(ac->grams);
	free(ac->key);
	free(ac->mask);
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
	ac->bucket = calloc(2 * GRAM_SIZE + 1, sizeof *ac->bucket);
	ac->ids = malloc((size_t)ac->n * sizeof *ac->ids);
	ac->grams = malloc((size_t)ac->n * sizeof *ac->grams);
	ac->key = malloc((size_t)ac->n * sizeof *ac->key);
	ac->mask = malloc((size_t)ac->n * sizeof *ac->mask);
	count = calloc(2 * GRAM_SIZE + 1, sizeof *count);
	if (ac->bucket == NULL || ac->ids == NULL || ac->grams == NULL ||
	    ac->key == NULL || ac->mask == NULL || count == NULL) {
		free(count);
		return -1;
	}
	/* file each anchor under a gram of uncommon characters that few
	 * other anchors are filed under: a gram that occurs in a text
	 * costs a comparison for each anchor of its bucket.  Grams are of
	 * 4 bytes (of 3 for an anchor of 3): far fewer of them occur in a
	 * text than of 3 ("cap" is in every PATH record, "tcap" not) */
	ac->n3 = 0;
	for (i = 0; i < ac->n; i++) {
		const unsigned char *a =
		    (const unsigned char *)ac->bytes + ac->start[i];
		int best = 0, bs = 1 << 30, k, j, w = ac->len[i] > 3 ? 4 : 3;
		for (k = 0; k + w <= ac->len[i]; k++) {
			int sc = (int)count[bucket_of(a + k, w) + 1];
			for (j = 0; j < w; j++)
				sc += 4 * common(a[k + j]);
			if (sc < bs) {
				bs = sc;
				best = k;
			}
		}
		ac->off[i] = (uint8_t)best;
		count[bucket_of(a + best, w) + 1]++;
		ac->n3 += w == 3;
	}
	for (i = 1; i <= (int)(2 * GRAM_SIZE); i++)
		count[i] += count[i - 1];
	memcpy(ac->bucket, count, (2 * GRAM_SIZE + 1) * sizeof *count);
	for (i = 0; i < ac->n; i++) {
		const unsigned char *a =
		    (const unsigned char *)ac->bytes + ac->start[i];
		int w = ac->len[i] > 3 ? 4 : 3;
		uint32_t b = bucket_of(a + ac->off[i], w), h = b % GRAM_SIZE;
		unsigned char kb[8] = { 0 }, mb[8] = { 0 };
		size_t kl = ac->len[i] - ac->off[i] < 8
		    ? (size_t)(ac->len[i] - ac->off[i])
		    : 8;
		memcpy(kb, a + ac->off[i], kl);
		memset(mb, 0xff, kl);
		memcpy(&ac->key[count[b]], kb, 8);
		memcpy(&ac->mask[count[b]], mb, 8);
		ac->grams[count[b]] = gram_of(a + ac->off[i], w);
		ac->ids[count[b]++] = i;
		ac->map[w == 3][h >> 6] |= 1ULL << (h & 63);
		h = hash_of(gram_of(a + ac->off[i], 3));
		ac->gate[h >> 6] |= 1ULL << (h & 63);
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

/* The 4 bytes at p as gram_of makes them. */
static inline uint32_t
load4(const unsigned char *p)
{
	uint32_t g;

	memcpy(&g, p, 4);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	g = __builtin_bswap32(g);
#endif
	return g;
}

static void
found(const struct sg_ac *ac, const unsigned char *p, size_t len, size_t i,
    uint32_t g, uint32_t h, uint8_t *bits, int *hits, size_t *nhits, size_t cap,
    uint32_t *counts)
{
	size_t k;

	for (k = ac->bucket[h]; k < ac->bucket[h + 1]; k++) {
		int id;
		size_t o, n;
		uint8_t bit;
		if (ac->grams[k] != g)
			continue;
		if (i + 8 <= len) {
			uint64_t x;
			memcpy(&x, p + i, 8);
			if ((x & ac->mask[k]) != ac->key[k])
				continue;
		}
		id = ac->ids[k];
		o = ac->off[id];
		n = ac->len[id];
		bit = (uint8_t)(1u << (id & 7));
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

/* The window of 4 bytes at i: its anchors, when its gram passes the
 * gate and the maps. */
static inline void
window(const struct sg_ac *ac, const unsigned char *p, size_t len, size_t i,
    uint8_t *bits, int *hits, size_t *nhits, size_t cap, uint32_t *counts)
{
	uint32_t g = load4(p + i), h;

	/* most windows stop here: no gram starts with their 3 */
	h = hash_of(g & 0xffffff);
	if (!(ac->gate[h >> 6] & (1ULL << (h & 63))))
		return;
	h = hash_of(g);
	if (ac->map[0][h >> 6] & (1ULL << (h & 63)))
		found(ac, p, len, i, g, h, bits, hits, nhits, cap, counts);
	if (ac->n3 > 0) {
		h = hash_of(g & 0xffffff);
		if (ac->map[1][h >> 6] & (1ULL << (h & 63)))
			found(ac, p, len, i, g & 0xffffff, h + GRAM_SIZE, bits,
			    hits, nhits, cap, counts);
	}
}

/* The 8 bytes at p, the first in the low byte (as load4). */
static inline uint64_t
load8(const unsigned char *p)
{
	uint64_t x;

	memcpy(&x, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	x = __builtin_bswap64(x);
#endif
	return x;
}

/* Is the bit of the gram of 3 bytes g in the gate? */
#define GATE(gate, g) ((gate)[hash_of(g) >> 6] >> (hash_of(g) & 63))

void
sg_ac_scan(const struct sg_ac *ac, const char *s, size_t len, uint8_t *bits,
    int *hits, size_t *nhits, size_t cap, uint32_t *counts)
{
	const unsigned char *p = (const unsigned char *)s;
	const uint64_t *gate = ac->gate;
	size_t i = 0, j;
	uint32_t g, h;
	uint64_t x;

	if (len < 3)
		return;
	/* four windows at a time from one load, each loaded whole (no
	 * window waits for the one before it): most pass none of their
	 * grams through the gate and cost one test for the four */
	for (; i + 8 <= len; i += 4) {
		x = load8(p + i);
		if (!((GATE(gate, (uint32_t)x & 0xffffff) |
		          GATE(gate, (uint32_t)(x >> 8) & 0xffffff) |
		          GATE(gate, (uint32_t)(x >> 16) & 0xffffff) |
		          GATE(gate, (uint32_t)(x >> 24) & 0xffffff)) &
		        1))
			continue;
		for (j = i; j < i + 4; j++)
			window(ac, p, len, j, bits, hits, nhits, cap, counts);
	}
	for (; i + 4 <= len; i++)
		window(ac, p, len, i, bits, hits, nhits, cap, counts);
	/* the last window of 3 */
	if (ac->n3 > 0) {
		g = gram_of(p + i, 3);
		h = hash_of(g);
		if (ac->map[1][h >> 6] & (1ULL << (h & 63)))
			found(ac, p, len, i, g, h + GRAM_SIZE, bits, hits,
			    nhits, cap, counts);
	}
}

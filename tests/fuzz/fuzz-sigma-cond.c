/*
 * libFuzzer harness for the Sigma condition parser: the first line of
 * the input names the searches (separated by spaces), the rest is the
 * condition.  Parsing never crashes, stays within its bounds, and every
 * node it builds refers to searches and nodes that exist.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hunt/sigma-int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data, *nl, *p, *end;
	char *names_buf, err[256];
	const char *names[64];
	size_t n = 0, i, len;
	struct sg_cond c;
	unsigned col = 0;
	int rc;

	nl = memchr(text, '\n', size);
	len = nl ? (size_t)(nl - text) : 0;
	if ((names_buf = malloc(len + 1)) == NULL)
		return 0;
	memcpy(names_buf, text, len);
	names_buf[len] = '\0';
	for (p = names_buf, end = names_buf + len; p < end && n < 64;) {
		char *sp = memchr(p, ' ', (size_t)(end - p));
		if (sp != NULL)
			*sp = '\0';
		if (*p)
			names[n++] = p;
		p = sp ? sp + 1 : end;
	}
	memset(&c, 0, sizeof c);
	p = nl ? nl + 1 : text;
	rc = sg_cond_parse(
	    &c, p, size - (size_t)(p - text), names, n, err, sizeof err, &col);
	if (rc == 0) {
		if (c.nnodes == 0 || c.nnodes > SG_COND_NODES_MAX ||
		    c.root >= c.nnodes)
			abort();
		for (i = 0; i < c.nnodes; i++) {
			const struct sg_cnode *nd = &c.nodes[i];
			if ((nd->op == C_REF && nd->a >= n) ||
			    ((nd->op == C_AND || nd->op == C_OR) &&
			        (nd->a >= i || nd->b >= i)) ||
			    (nd->op == C_NOT && nd->a >= i) ||
			    (nd->op == C_OF &&
			        ((size_t)nd->a + nd->b > c.nrefs ||
			            nd->b == 0)))
				abort();
		}
		for (i = 0; i < c.nrefs; i++)
			if (c.refs[i] >= n)
				abort();
	} else if (rc != SG_COND_SYNTAX && rc != SG_COND_AGGREGATE) {
		abort();
	} else if (err[0] == '\0' || col == 0 || col > size + 1) {
		abort();
	}
	sg_cond_release(&c);
	free(names_buf);
	return 0;
}

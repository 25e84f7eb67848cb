/*
 * libgit2's mbedTLS backend parses the whole system CA bundle in
 * git_libgit2_init(), which nearly every irt command runs and only push
 * and pull need: a few milliseconds of base64 and ASN.1 per run.  The
 * link routes its mbedtls_x509_crt_parse_file() calls here (ld --wrap, see
 * meson.build).  While irt_lib_init() runs, the path is recorded and the
 * chain left empty, so that a TLS peer could not be verified and a
 * connection would fail, never succeed unchecked; irt_lib_load_ca()
 * parses the bundle for real before a remote is opened.
 */
#include <mbedtls/x509_crt.h>

#include "ca-defer.h"
#include "util/internal.h"

int
__real_mbedtls_x509_crt_parse_file(mbedtls_x509_crt *chain, const char *path);
int
__wrap_mbedtls_x509_crt_parse_file(mbedtls_x509_crt *chain, const char *path);

static unsigned parsed;

int
__wrap_mbedtls_x509_crt_parse_file(mbedtls_x509_crt *chain, const char *path)
{
	if (irt_lib_defer_ca(path))
		return 0;
	parsed++;
	return __real_mbedtls_x509_crt_parse_file(chain, path);
}

unsigned
irt_ca_parsed(void)
{
	return parsed;
}

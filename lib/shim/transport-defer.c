/*
 * git_libgit2_init(), which every irt command runs, sets up the TLS
 * backend (mbedTLS: an entropy source, a random generator, and the
 * system CA bundle parsed) and SSH (libssh2, which brings OpenSSL up).
 * Only the commands that open a remote need them.  The link routes
 * libgit2's calls to those two set-ups here (ld --wrap, see meson.build):
 * while irt_lib_init() runs they are recorded, not run, and
 * irt_lib_load_transports() runs them before a remote is opened.
 * Until then libgit2 has no TLS configuration and no SSH, so that no
 * connection can be made unchecked.
 *
 * Measured with `irt note add` into a case of 2,000 notes: parsing the
 * CA bundle alone took 53 million instructions (callgrind), five times
 * the whole note; setting up mbedTLS's entropy and libssh2 without it
 * took 2.4 of the remaining 9.3 million, and 10 to 15 % of its CPU time
 * (31 against 36 ms, 20 runs, on a loaded 2-core machine).
 */
#include "transport-defer.h"
#include "util/internal.h"

int __real_git_mbedtls_stream_global_init(void);
int __wrap_git_mbedtls_stream_global_init(void);
int __real_git_transport_ssh_global_init(void);
int __wrap_git_transport_ssh_global_init(void);

static unsigned ran;

static int
tls_init(void)
{
	ran++;
	return __real_git_mbedtls_stream_global_init();
}

static int
ssh_init(void)
{
	ran++;
	return __real_git_transport_ssh_global_init();
}

int
__wrap_git_mbedtls_stream_global_init(void)
{
	return irt_lib_defer_init(tls_init) ? 0 : tls_init();
}

int
__wrap_git_transport_ssh_global_init(void)
{
	return irt_lib_defer_init(ssh_init) ? 0 : ssh_init();
}

unsigned
irt_transport_inits(void)
{
	return ran;
}

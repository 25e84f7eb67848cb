/*
 * Linked into the static irt only (see meson.build): keeps glibc and
 * OpenSSL from opening the host's shared libraries.  What dlopen maps
 * into a static binary comes with the host's libc.so, of another version
 * than the one linked in, and crashes it; and it is code of the host
 * under investigation.
 *
 * No library is ever opened: the link sends the public dlopen() (which
 * OpenSSL's modules use) and glibc's own __libc_dlopen_mode() (its NSS
 * modules, iconv's gconv modules, libidn2) here, with ld --wrap, and
 * they fail.  A gconv-modules file of the host can name a module of its
 * own even for the conversions libarchive makes (ASCII, UTF-8), which
 * are built into glibc.
 *
 * So that lookups still work, every NSS database is set to the services
 * built into libc, files (and DNS for host names), whatever the host's
 * /etc/nsswitch.conf names (systemd, sss, ldap...).  irt reads
 * /etc/passwd and /etc/group itself (irt/names.h); this serves what the
 * libraries look up: libgit2's home directory when setuid, readline's
 * ~user, the host of a remote.  OpenSSL does not read openssl.cnf (or
 * $OPENSSL_CONF): irt needs nothing of it but the built-in providers.
 */
#include <nss.h>
#include <stddef.h>

#include <openssl/crypto.h>

#include "config.h"

void *__wrap_dlopen(const char *file, int mode);
void *__wrap___libc_dlopen_mode(const char *name, int mode);

void *
__wrap_dlopen(const char *file, int mode)
{
	(void)file;
	(void)mode;
	return NULL;
}

void *
__wrap___libc_dlopen_mode(const char *name, int mode)
{
	(void)name;
	(void)mode;
	return NULL;
}

static void __attribute__((constructor)) static_init(void)
{
	static const char *const files_only[] = { "aliases", "ethers", "group",
		"gshadow", "initgroups", "netgroup", "networks", "passwd",
		"protocols", "publickey", "rpc", "services", "shadow", NULL };
	size_t i;

	for (i = 0; files_only[i] != NULL; i++)
		(void)__nss_configure_lookup(files_only[i], "files");
	(void)__nss_configure_lookup("hosts", "files dns");
	(void)OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, NULL);
}

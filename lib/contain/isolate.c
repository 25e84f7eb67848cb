/*
 * Network isolation through nftables (libnftables, else the nft
 * command), rolled back by the kernel unless confirmed ("commit
 * confirmed", iptables-apply): the drop rules hold only while a set
 * element with the confirm deadline as its timeout is there.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <netdb.h>
#include <netinet/in.h>
#include <nftables/libnftables.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/internal.h"
#include "irt/hash.h"
#include "irt/isolate.h"
#include "irt/kv.h"
#include "irt/spawn.h"
#include "case/records.h"

#define TABLE "inet " IRT_ISOLATE_TABLE
#define COMMENT_PREFIX "irt isolation "
#define WATCHDOG_NAME "irt-watchdog"
#define ARMED_SET "armed"

static const char *const counter_names[] = { "in_allowed", "in_dropped",
	"out_allowed", "out_dropped", "fwd_dropped", NULL };

/* --- strings ---------------------------------------------------------- */

static int
strv_push(char ***v, const char *s)
{
	size_t n = 0;
	char **nv;

	if (*v != NULL)
		while ((*v)[n] != NULL)
			n++;
	if ((nv = realloc(*v, (n + 2) * sizeof *nv)) == NULL)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	*v = nv;
	if ((nv[n] = strdup(s)) == NULL) {
		nv[n] = NULL;
		return irt_error_set(IRT_ENOMEM, "out of memory");
	}
	nv[n + 1] = NULL;
	return 0;
}

static int
strv_has(char **v, const char *s)
{
	for (; v != NULL && *v != NULL; v++)
		if (strcmp(*v, s) == 0)
			return 1;
	return 0;
}

static int
strv_push_uniq(char ***v, const char *s)
{
	return strv_has(*v, s) ? 0 : strv_push(v, s);
}

/* --- addresses -------------------------------------------------------- */

/* Masks the host bits off and writes "addr" or "addr/len". */
static int
cidr_string(char *out, size_t outlen, int af, unsigned char *a, int len)
{
	char txt[INET6_ADDRSTRLEN];
	int bits = af == AF_INET ? 32 : 128, i;

	for (i = len; i < bits; i++)
		a[i / 8] &= (unsigned char)~(0x80 >> (i % 8));
	inet_ntop(af, a, txt, sizeof txt);
	if (len == bits)
		snprintf(out, outlen, "%s", txt);
	else
		snprintf(out, outlen, "%s/%d", txt, len);
	return 0;
}

static int
only_chars(const char *s, const char *set)
{
	return s[strspn(s, set)] == '\0';
}

/*
 * Adds one --allow word: an address, a prefix or a host name (resolved,
 * every address it has).
 */
static int
add_address(struct irt_isolate_plan *p, const char *word, int names, char ***v4,
    char ***v6)
{
	unsigned char a[16];
	char buf[INET6_ADDRSTRLEN + 8], addr[INET6_ADDRSTRLEN + 1], *end;
	const char *slash = strchr(word, '/');
	struct addrinfo hints, *res, *r;
	long len = -1;
	int af, err, rc;

	if (slash != NULL) {
		if ((size_t)(slash - word) >= sizeof addr)
			goto bad;
		memcpy(addr, word, (size_t)(slash - word));
		addr[slash - word] = '\0';
		errno = 0;
		len = strtol(slash + 1, &end, 10);
		if (slash[1] == '\0' || *end != '\0' || errno != 0 ||
		    !isdigit((unsigned char)slash[1]))
			goto bad;
	} else {
		if (strlen(word) >= sizeof addr)
			goto name;
		strcpy(addr, word);
	}
	if (inet_pton(AF_INET, addr, a) == 1)
		af = AF_INET;
	else if (inet_pton(AF_INET6, addr, a) == 1)
		af = AF_INET6;
	else if (slash != NULL || strchr(addr, ':') != NULL ||
	    only_chars(addr, "0123456789."))
		goto bad;
	else
		goto name;
	if (len < 0)
		len = af == AF_INET ? 32 : 128;
	if (len > (af == AF_INET ? 32 : 128) || (len == 0 && names))
		return irt_error_set(IRT_EINVAL,
		    "invalid prefix length in '%s'%s", irt_esc(word),
		    len == 0 ? ": /0 allows everything" : "");
	cidr_string(buf, sizeof buf, af, a, (int)len);
	return strv_push_uniq(af == AF_INET ? v4 : v6, buf);
name:
	if (!names || *word == '\0' || *word == '-' || *word == '.' ||
	    !only_chars(word,
	        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	        "0123456789.-_"))
		goto bad;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((err = getaddrinfo(word, NULL, &hints, &res)) != 0)
		return irt_error_set(IRT_EINVAL, "cannot resolve '%s': %s",
		    irt_esc(word), gai_strerror(err));
	rc = 0;
	for (r = res; r != NULL && rc == 0; r = r->ai_next) {
		if (r->ai_family == AF_INET) {
			memcpy(a,
			    &((struct sockaddr_in *)(void *)r->ai_addr)
			         ->sin_addr,
			    4);
			cidr_string(buf, sizeof buf, AF_INET, a, 32);
			rc = strv_push_uniq(v4, buf);
		} else if (r->ai_family == AF_INET6) {
			memcpy(a,
			    &((struct sockaddr_in6 *)(void *)r->ai_addr)
			         ->sin6_addr,
			    16);
			cidr_string(buf, sizeof buf, AF_INET6, a, 128);
			rc = strv_push_uniq(v6, buf);
		}
	}
	freeaddrinfo(res);
	(void)p;
	return rc;
bad:
	return irt_error_set(IRT_EINVAL, "invalid address '%s'", irt_esc(word));
}

static int
add_port(struct irt_isolate_plan *p, const char *spec)
{
	const char *slash = strchr(spec, '/');
	char num[8], *end;
	long port;
	char ***v;

	if (slash == NULL)
		goto bad;
	if ((size_t)(slash - spec) == 3 && strncmp(spec, "tcp", 3) == 0)
		v = &p->tcp_ports;
	else if ((size_t)(slash - spec) == 3 && strncmp(spec, "udp", 3) == 0)
		v = &p->udp_ports;
	else
		goto bad;
	errno = 0;
	port = strtol(slash + 1, &end, 10);
	if (!isdigit((unsigned char)slash[1]) || *end != '\0' || errno ||
	    port < 1 || port > 65535)
		goto bad;
	snprintf(num, sizeof num, "%ld", port);
	return strv_push_uniq(v, num);
bad:
	return irt_error_set(IRT_EINVAL,
	    "invalid port '%s': expected tcp/PORT or udp/PORT", irt_esc(spec));
}

void
irt_isolate_plan_free(struct irt_isolate_plan *p)
{
	if (p == NULL)
		return;
	irt_strv_free(p->allow4);
	irt_strv_free(p->allow6);
	irt_strv_free(p->dns4);
	irt_strv_free(p->dns6);
	irt_strv_free(p->tcp_ports);
	irt_strv_free(p->udp_ports);
	free(p->ruleset);
	free(p);
}

static int
put_list(struct irt_buf *b, char **v)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && v[i] != NULL; i++)
		rc = irt_buf_printf(b, "%s%s", i ? ", " : "", v[i]);
	return rc;
}

/* Packets of a connection already seen both ways: the answers to what
 * a rule let through.  Never on its own (see write_ruleset). */
#define REPLY_ONLY "ct state established "

/*
 * The rules of one direction: dir is "saddr"/"daddr" for the address of
 * the peer; local and remote ports swap between input and output.
 */
static int
chain_rules(struct irt_buf *b, const struct irt_isolate_plan *p, int input)
{
	const char *peer = input ? "saddr" : "daddr";
	const char *cnt = input ? "in_allowed" : "out_allowed";
	static const char *const fam[2][2] = { { "ip", "allow4" },
		{ "ip6", "allow6" } };
	int f, k, rc = 0;

	for (f = 0; f < 2 && rc == 0; f++) {
		if ((f == 0 ? p->allow4 : p->allow6) == NULL)
			continue;
		if (p->tcp_ports == NULL && p->udp_ports == NULL) {
			rc = irt_buf_printf(b,
			    "\t\t%s %s @%s counter name \"%s\" accept\n",
			    fam[f][0], peer, fam[f][1], cnt);
			continue;
		}
		/*
		 * A service on this host, and a service of the peer: the
		 * packets to the service's port open a connection, those
		 * from it only answer one (a peer that sends from the
		 * allowed port reaches no other port of this host).
		 */
		for (k = 0; k < 4 && rc == 0; k++) {
			char **ports = k < 2 ? p->tcp_ports : p->udp_ports;
			const char *dir = (k % 2 == 0) ? "dport" : "sport";
			if (ports == NULL)
				continue;
			rc = irt_buf_printf(b, "\t\t%s %s @%s %s %s { ",
			    fam[f][0], peer, fam[f][1], k < 2 ? "tcp" : "udp",
			    dir);
			if (rc == 0)
				rc = put_list(b, ports);
			if (rc == 0)
				rc = irt_buf_printf(b,
				    " } %scounter name \"%s\" accept\n",
				    k % 2 ? REPLY_ONLY : "", cnt);
		}
	}
	/* name servers: queries out, and in only their answers, so that
	 * nothing reaches this host by sending from port 53 */
	for (f = 0; f < 2 && rc == 0; f++) {
		char **v = f == 0 ? p->dns4 : p->dns6;
		for (; v != NULL && *v != NULL && rc == 0; v++)
			for (k = 0; k < 2 && rc == 0; k++)
				rc = irt_buf_printf(b,
				    "\t\t%s %s %s %s %s 53 %scounter name "
				    "\"%s\" accept\n",
				    fam[f][0], peer, *v, k ? "tcp" : "udp",
				    input ? "sport" : "dport",
				    input ? REPLY_ONLY : "", cnt);
	}
	return rc;
}

static int
write_ruleset(struct irt_buf *b, const struct irt_isolate_plan *p)
{
	int rc = 0;
	size_t i;

	rc = irt_buf_printf(b,
	    "table " TABLE " {\n"
	    "\tcomment \"" COMMENT_PREFIX "%s\"\n",
	    p->id);
	for (i = 0; rc == 0 && counter_names[i] != NULL; i++)
		rc = irt_buf_printf(b, "\tcounter %s { }\n", counter_names[i]);
	if (rc == 0 && p->allow4 != NULL) {
		rc = irt_buf_puts(b,
		    "\tset allow4 {\n\t\ttype ipv4_addr\n"
		    "\t\tflags interval\n\t\tauto-merge\n"
		    "\t\telements = { ");
		rc = rc ? rc : put_list(b, p->allow4);
		rc = rc ? rc : irt_buf_puts(b, " }\n\t}\n");
	}
	if (rc == 0 && p->allow6 != NULL) {
		rc = irt_buf_puts(b,
		    "\tset allow6 {\n\t\ttype ipv6_addr\n"
		    "\t\tflags interval\n\t\tauto-merge\n"
		    "\t\telements = { ");
		rc = rc ? rc : put_list(b, p->allow6);
		rc = rc ? rc : irt_buf_puts(b, " }\n\t}\n");
	}
	/* the set "armed" holds the families to cut off; apply adds them
	 * with the confirm deadline as their timeout, so the kernel itself
	 * ends the blocking when nobody confirms; confirm adds them again
	 * without one */
	rc = rc ? rc
	        : irt_buf_puts(b,
	              "\tset " ARMED_SET " {\n\t\ttype nf_proto\n"
	              "\t\tflags timeout\n\t}\n");
	/* neighbour discovery stays on the link (hop limit 255), or IPv6
	 * would not work at all; no blanket "ct state established accept":
	 * it would keep an attacker's open session alive (established is
	 * only ever a condition of an allowed peer's answers) */
	rc = rc ? rc
	        : irt_buf_puts(b,
	              "\tchain input {\n"
	              "\t\ttype filter hook input priority filter - 10; "
	              "policy accept;\n"
	              "\t\tiif \"lo\" accept\n"
	              "\t\ticmpv6 type { nd-router-solicit, "
	              "nd-router-advert, nd-neighbor-solicit, "
	              "nd-neighbor-advert } ip6 hoplimit 255 accept\n");
	rc = rc ? rc : chain_rules(b, p, 1);
	rc = rc ? rc
	        : irt_buf_puts(b,
	              "\t\tmeta nfproto @" ARMED_SET
	              " counter name \"in_dropped\" drop\n"
	              "\t}\n"
	              "\tchain output {\n"
	              "\t\ttype filter hook output priority filter - 10; "
	              "policy accept;\n"
	              "\t\toif \"lo\" accept\n"
	              "\t\ticmpv6 type { nd-router-solicit, "
	              "nd-router-advert, nd-neighbor-solicit, "
	              "nd-neighbor-advert } ip6 hoplimit 255 accept\n");
	rc = rc ? rc : chain_rules(b, p, 0);
	rc = rc ? rc
	        : irt_buf_puts(b,
	              "\t\tmeta nfproto @" ARMED_SET
	              " counter name \"out_dropped\" drop\n"
	              "\t}\n"
	              "\tchain forward {\n"
	              "\t\ttype filter hook forward priority filter - 10; "
	              "policy accept;\n"
	              "\t\tmeta nfproto @" ARMED_SET
	              " counter name \"fwd_dropped\" drop\n"
	              "\t}\n"
	              "}\n");
	return rc ? irt_error_set(IRT_ENOMEM, "out of memory") : 0;
}

int
irt_isolate_plan(
    struct irt_isolate_plan **out, const struct irt_isolate_opts *o)
{
	struct irt_isolate_plan *p;
	struct irt_buf b = IRT_BUF_INIT;
	char *copy, *word, *save;
	size_t i;
	int rc = 0;

	*out = NULL;
	if (o->no_allow && o->nallow > 0)
		return irt_error_set(
		    IRT_EINVAL, "--no-allow and --allow exclude each other");
	if (!o->no_allow && o->nallow == 0)
		return irt_error_set(IRT_EINVAL,
		    "no address to allow: give --allow ADDR (the "
		    "responders), or --no-allow for total isolation");
	if ((p = calloc(1, sizeof *p)) == NULL)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	if ((rc = irt_id_new(p->id)) != 0)
		goto fail;
	for (i = 0; i < o->nallow && rc == 0; i++) {
		if ((copy = strdup(o->allow[i])) == NULL) {
			rc = irt_error_set(IRT_ENOMEM, "out of memory");
			break;
		}
		if (*copy == '\0')
			rc = irt_error_set(IRT_EINVAL, "empty --allow");
		for (word = strtok_r(copy, ",", &save); word && rc == 0;
		     word = strtok_r(NULL, ",", &save))
			rc = add_address(p, word, 1, &p->allow4, &p->allow6);
		free(copy);
	}
	for (i = 0; i < o->ndns && rc == 0; i++)
		if ((rc = add_address(p, o->dns[i], 0, &p->dns4, &p->dns6)) ==
		        0 &&
		    ((p->dns4 && strchr(p->dns4[0], '/')) ||
		        (p->dns6 && strchr(p->dns6[0], '/'))))
			rc = irt_error_set(IRT_EINVAL,
			    "--dns takes one address, not a prefix");
	for (i = 0; i < o->nports && rc == 0; i++)
		rc = add_port(p, o->ports[i]);
	if (rc == 0 && !o->no_allow && p->allow4 == NULL && p->allow6 == NULL)
		rc = irt_error_set(IRT_EINVAL, "no address to allow");
	if (rc != 0)
		goto fail;
	if ((rc = write_ruleset(&b, p)) != 0)
		goto fail;
	p->ruleset = irt_buf_detach(&b);
	if ((rc = irt_sha256_hex(p->sha256, p->ruleset, strlen(p->ruleset))))
		goto fail;
	*out = p;
	return 0;
fail:
	irt_buf_release(&b);
	irt_isolate_plan_free(p);
	return rc;
}

/* --- state ------------------------------------------------------------ */

const char *
irt_isolate_rundir(void)
{
	const char *d = getenv("IRT_RUNDIR");

	return d != NULL && *d != '\0' ? d : "/run/irt";
}

/* One state per network namespace: several namespaces share /run. */
static int
state_path(struct irt_buf *b, const char *suffix)
{
	struct stat st;
	unsigned long ino = 0;

	if (stat("/proc/self/ns/net", &st) == 0)
		ino = (unsigned long)st.st_ino;
	return irt_buf_printf(
	    b, "%s/isolate-%lu%s", irt_isolate_rundir(), ino, suffix);
}

static int
state_lock(int *fd)
{
	struct irt_buf p = IRT_BUF_INIT;
	int rc = 0;

	if ((rc = irt_mkdirs(irt_isolate_rundir(), 0700)) != 0)
		return rc;
	if ((rc = state_path(&p, ".lock")) != 0)
		return rc;
	if ((*fd = open(
	         p.ptr, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0)
		rc = irt_error_sys(
		    IRT_EIO, errno, "cannot open '%s'", irt_esc(p.ptr));
	else
		while (flock(*fd, LOCK_EX) != 0 && errno == EINTR)
			;
	irt_buf_release(&p);
	return rc;
}

static void
state_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

static int
state_read(struct irt_kv *kv)
{
	struct irt_buf p = IRT_BUF_INIT, b = IRT_BUF_INIT;
	int rc;

	if ((rc = state_path(&p, ".state")) != 0)
		return rc;
	if (access(p.ptr, F_OK) != 0) {
		irt_buf_release(&p);
		return IRT_ENOTFOUND;
	}
	if ((rc = irt_buf_read_file(&b, p.ptr)) == 0)
		rc = irt_kv_parse(kv, b.ptr, b.len, p.ptr);
	irt_buf_release(&p);
	irt_buf_release(&b);
	return rc;
}

static int
state_write(const struct irt_kv *kv)
{
	struct irt_buf p = IRT_BUF_INIT, b = IRT_BUF_INIT;
	int rc;

	if ((rc = state_path(&p, ".state")) == 0 &&
	    (rc = irt_kv_write(&b, kv)) == 0)
		rc = irt_write_file_atomic(p.ptr, b.ptr, b.len, 0600);
	irt_buf_release(&p);
	irt_buf_release(&b);
	return rc;
}

static void
state_remove(void)
{
	struct irt_buf p = IRT_BUF_INIT;

	if (state_path(&p, ".state") == 0)
		unlink(p.ptr);
	irt_buf_release(&p);
}

static irt_ns
kv_time(const struct irt_kv *kv, const char *key)
{
	const char *v = irt_kv_get(kv, key);
	irt_ns t = 0;

	if (v != NULL && irt_time_parse(&t, v) != 0)
		t = 0;
	return t;
}

/* --- nftables --------------------------------------------------------- */

/* libnftables, opened by the first command that changes or reads rules. */
static struct {
	__typeof__(nft_ctx_new) *ctx_new;
	__typeof__(nft_ctx_free) *ctx_free;
	__typeof__(nft_ctx_buffer_output) *buffer_output;
	__typeof__(nft_ctx_buffer_error) *buffer_error;
	__typeof__(nft_ctx_output_set_flags) *output_set_flags;
	__typeof__(nft_ctx_set_dry_run) *set_dry_run;
	__typeof__(nft_run_cmd_from_buffer) *run_cmd_from_buffer;
	__typeof__(nft_ctx_get_output_buffer) *get_output_buffer;
	__typeof__(nft_ctx_get_error_buffer) *get_error_buffer;
} nftl;

static const struct irt_dl_sym nftl_syms[] = {
	{ "nft_ctx_new", (void **)&nftl.ctx_new },
	{ "nft_ctx_free", (void **)&nftl.ctx_free },
	{ "nft_ctx_buffer_output", (void **)&nftl.buffer_output },
	{ "nft_ctx_buffer_error", (void **)&nftl.buffer_error },
	{ "nft_ctx_output_set_flags", (void **)&nftl.output_set_flags },
	{ "nft_ctx_set_dry_run", (void **)&nftl.set_dry_run },
	{ "nft_run_cmd_from_buffer", (void **)&nftl.run_cmd_from_buffer },
	{ "nft_ctx_get_output_buffer", (void **)&nftl.get_output_buffer },
	{ "nft_ctx_get_error_buffer", (void **)&nftl.get_error_buffer },
	{ NULL, NULL },
};

#define NFT_LIB "libnftables.so.1"
#define NFT_WHAT "network isolation"

static struct irt_dl nftl_dl = { NFT_LIB, NFT_WHAT, nftl_syms, NULL };

/*
 * Where libnftables cannot be opened (a static irt on a host without it,
 * a chroot), the host's own nft command does the same work: it parses
 * the same language and prints the same listings.  It is found on PATH
 * (absolute directories only), else in /usr/sbin or /sbin, reads its
 * commands from a file in the state directory, and is killed when it
 * takes longer than NFT_CMD_TIMEOUT seconds.
 */
#define NFT_CMD_TIMEOUT 30
#define NFT_OUTPUT_MAX ((size_t)64 << 20)

enum { NFT_NONE, NFT_VIA_LIB, NFT_VIA_CMD };

static pthread_mutex_t nftb_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	int via;
	char cmd[PATH_MAX];
} nftb;

/* 1 when dir (len bytes, absolute) holds an executable file nft. */
static int
nft_in(char *out, size_t outlen, const char *dir, size_t len)
{
	struct stat st;

	if (len == 0 || dir[0] != '/' || len + sizeof "/nft" > outlen)
		return 0;
	snprintf(out, outlen, "%.*s/nft", (int)len, dir);
	return stat(out, &st) == 0 && S_ISREG(st.st_mode) &&
	    access(out, X_OK) == 0;
}

static int
nft_find_cmd(char *out, size_t outlen)
{
	static const char *const dirs[] = { "/usr/sbin", "/sbin", NULL };
	const char *p = getenv("PATH"), *colon;
	size_t i;

	while (p != NULL && *p != '\0') {
		colon = strchr(p, ':');
		if (nft_in(out, outlen, p,
		        colon ? (size_t)(colon - p) : strlen(p)))
			return 1;
		p = colon ? colon + 1 : NULL;
	}
	for (i = 0; dirs[i] != NULL; i++)
		if (nft_in(out, outlen, dirs[i], strlen(dirs[i])))
			return 1;
	return 0;
}

/* Opens libnftables, else finds the nft command; once per process. */
static int
nft_choose(void)
{
	const char *why;
	size_t skip = strlen(NFT_WHAT " needs ");
	int rc = 0;

	pthread_mutex_lock(&nftb_lock);
	if (nftb.via != NFT_NONE)
		goto out;
	if (irt_dl_load(&nftl_dl) == 0) {
		nftb.via = NFT_VIA_LIB;
		goto out;
	}
	if (nft_find_cmd(nftb.cmd, sizeof nftb.cmd)) {
		irt_error_clear();
		nftb.via = NFT_VIA_CMD;
		goto out;
	}
	why = irt_error_last();
	if (strncmp(why, NFT_WHAT " needs ", skip) != 0)
		skip = 0;
	{
		char *copy = strdup(why + skip);
		rc = irt_error_set(IRT_ERROR,
		    NFT_WHAT " needs libnftables or the nft command, and "
		             "finds neither (%s; no nft on PATH, in /usr/sbin "
		             "or /sbin)",
		    copy ? copy : NFT_LIB);
		free(copy);
	}
out:
	pthread_mutex_unlock(&nftb_lock);
	return rc;
}

/* What runs nftables: the library or the path of the command. */
static const char *
nft_via(void)
{
	if (nft_choose() != 0) {
		irt_error_clear();
		return "none";
	}
	return nftb.via == NFT_VIA_LIB ? NFT_LIB : nftb.cmd;
}

/* A line of nft's error output that only underlines the one above. */
static int
caret_line(const char *s, size_t n)
{
	size_t i, marks = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '^' || s[i] == '~')
			marks++;
		else if (s[i] != ' ' && s[i] != '\t')
			return 0;
	}
	return marks > 0;
}

/*
 * The error of nft on one line: its message and the command it names,
 * without the underlining, and without the name of irt's input file.
 */
static int
nft_error(const char *what, const char *e, const char *input)
{
	struct irt_buf m = IRT_BUF_INIT;
	const char *line, *nl, *s;
	size_t n, in = input ? strlen(input) : 0;
	int code;

	for (line = e ? e : ""; *line != '\0'; line = nl ? nl + 1 : "") {
		nl = strchr(line, '\n');
		n = nl ? (size_t)(nl - line) : strlen(line);
		while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\r'))
			n--;
		if (n == 0 || caret_line(line, n))
			continue;
		/* "FILE:1:31-34: Error: ..." */
		if (in > 0 && n > in && strncmp(line, input, in) == 0 &&
		    line[in] == ':' &&
		    (s = memchr(line + in, ' ', n - in)) != NULL) {
			n -= (size_t)(s + 1 - line);
			line = s + 1;
		}
		irt_buf_printf(&m, "%s%.*s", m.len ? " " : "", (int)n, line);
	}
	s = m.len ? m.ptr : "nftables failed";
	code = strstr(s, "Operation not permitted")  ? IRT_EPERM
	    : strstr(s, "No such file or directory") ? IRT_ENOTFOUND
	                                             : IRT_ERROR;
	code = irt_error_set(code, "%s: %s", what, irt_esc(s));
	irt_buf_release(&m);
	return code;
}

static int
nft_exec_lib(const char *cmd, int dry, unsigned flags, struct irt_buf *out,
    const char *what)
{
	struct nft_ctx *nft;
	const char *o;
	int rc = 0;

	if ((nft = nftl.ctx_new(NFT_CTX_DEFAULT)) == NULL)
		return irt_error_set(IRT_ENOMEM, "cannot start libnftables");
	nftl.buffer_output(nft);
	nftl.buffer_error(nft);
	nftl.output_set_flags(nft, flags);
	nftl.set_dry_run(nft, dry != 0);
	if (nftl.run_cmd_from_buffer(nft, cmd) != 0)
		rc = nft_error(what, nftl.get_error_buffer(nft), NULL);
	else if (out != NULL) {
		o = nftl.get_output_buffer(nft);
		if (irt_buf_puts(out, o ? o : "") != 0)
			rc = irt_error_set(IRT_ENOMEM, "out of memory");
	}
	nftl.ctx_free(nft);
	return rc;
}

struct nft_sink {
	struct irt_buf *out; /* NULL: discarded */
	struct irt_buf err;
	int overflow;
};

static int
nft_sink_put(int fd, const char *data, size_t len, void *arg)
{
	struct nft_sink *s = arg;
	struct irt_buf *b = fd == 1 ? s->out : &s->err;

	if (b == NULL)
		return 0;
	if (len > NFT_OUTPUT_MAX - b->len) {
		s->overflow = 1;
		return 1;
	}
	return irt_buf_put(b, data, len) != 0;
}

static int
nft_exec_cmd(const char *cmd, int dry, unsigned flags, struct irt_buf *out,
    const char *what)
{
	struct nft_sink sink = { out, IRT_BUF_INIT, 0 };
	struct irt_spawn_opts o;
	struct irt_spawn_result r;
	struct irt_buf file = IRT_BUF_INIT;
	char *argv[8];
	size_t n = 0;
	int fd, rc;

	if ((rc = irt_mkdirs(irt_isolate_rundir(), 0700)) != 0 ||
	    (rc = state_path(&file, ".nft-XXXXXX")) != 0)
		goto out;
	if ((fd = mkostemp(file.ptr, O_CLOEXEC)) < 0) {
		rc = irt_error_sys(
		    IRT_EIO, errno, "cannot create '%s'", irt_esc(file.ptr));
		irt_buf_clear(&file);
		goto out;
	}
	if (irt_write_all(fd, cmd, strlen(cmd)) != 0) {
		rc = irt_error_sys(
		    IRT_EIO, errno, "cannot write '%s'", irt_esc(file.ptr));
		close(fd);
		goto out;
	}
	close(fd);
	argv[n++] = nftb.cmd;
	if (dry)
		argv[n++] = (char *)"-c";
	if (flags & NFT_CTX_OUTPUT_STATELESS)
		argv[n++] = (char *)"-s";
	if (flags & NFT_CTX_OUTPUT_JSON)
		argv[n++] = (char *)"-j";
	argv[n++] = (char *)"-f";
	argv[n++] = file.ptr;
	argv[n] = NULL;
	memset(&o, 0, sizeof o);
	o.timeout = NFT_CMD_TIMEOUT;
	o.output = nft_sink_put;
	o.arg = &sink;
	rc = irt_spawn(&r, argv, &o);
	if (rc != 0 && sink.overflow)
		rc = irt_error_set(IRT_ERROR,
		    "%s: the output of '%s' exceeds %zu MiB", what,
		    irt_esc(nftb.cmd), NFT_OUTPUT_MAX >> 20);
	else if (rc == 0 && r.timed_out)
		rc = irt_error_set(IRT_ETIMEOUT,
		    "%s: '%s' did not finish within %d seconds", what,
		    irt_esc(nftb.cmd), NFT_CMD_TIMEOUT);
	else if (rc == 0 && irt_spawn_exit_code(&r) != 0)
		rc = nft_error(what, irt_buf_cstr(&sink.err), file.ptr);
out:
	if (file.len > 0)
		unlink(file.ptr);
	irt_buf_release(&file);
	irt_buf_release(&sink.err);
	return rc;
}

/*
 * Runs nft commands (a dry run: only checks them); out (may be NULL)
 * gets the output.  The message of a failure is nft's own, and its code
 * IRT_ENOTFOUND when nft says "No such file or directory".
 */
static int
nft_exec(const char *cmd, int dry, unsigned flags, struct irt_buf *out,
    const char *what)
{
	int rc;

	if ((rc = nft_choose()) != 0)
		return rc;
	if (nftb.via == NFT_VIA_LIB)
		return nft_exec_lib(cmd, dry, flags, out, what);
	return nft_exec_cmd(cmd, dry, flags, out, what);
}

/* The ruleset without counter values, for comparing before and after. */
static int
list_ruleset(struct irt_buf *out)
{
	return nft_exec("list ruleset", 0, NFT_CTX_OUTPUT_STATELESS, out,
	    "cannot list the ruleset");
}

/* 1 when the table is there (its comment into comment), 0 when not. */
static int
table_present(char *comment, size_t len)
{
	struct irt_buf b = IRT_BUF_INIT;
	const char *c, *q;
	int rc;

	if (comment != NULL && len > 0)
		*comment = '\0';
	rc = nft_exec("list table " TABLE, 0, NFT_CTX_OUTPUT_STATELESS, &b,
	    "cannot list the table");
	if (rc == IRT_ENOTFOUND) {
		irt_buf_release(&b);
		irt_error_clear();
		return 0;
	}
	if (rc != 0) {
		irt_buf_release(&b);
		return rc;
	}
	if (comment != NULL && (c = strstr(irt_buf_cstr(&b), "comment \"")) &&
	    (q = strchr(c + 9, '"')) != NULL)
		snprintf(comment, len, "%.*s", (int)(q - c - 9), c + 9);
	irt_buf_release(&b);
	return 1;
}

static int
need_root(const char *what)
{
	if (geteuid() != 0)
		return irt_error_set(IRT_EPERM,
		    "%s needs root (CAP_NET_ADMIN); nothing was changed", what);
	return 0;
}

/* --- the isolation in the kernel -------------------------------------- */

/*
 * The families to cut off, with their timeout until confirm: apply adds
 * them in the transaction of the table, confirm replaces them by the
 * same without a timeout.  When they are gone the table blocks nothing.
 */
#define ARM_TIMED                                                              \
	"add element " TABLE " " ARMED_SET                                     \
	" { ipv4 timeout %llums, ipv6 timeout %llums }\n"
#define ARM_CONFIRM                                                            \
	"delete element " TABLE " " ARMED_SET " { ipv4, ipv6 }\n"              \
	"add element " TABLE " " ARMED_SET " { ipv4, ipv6 }\n"

/*
 * The kernel counts the timeout in its ticks from the commit, irt takes
 * the deadline on the clock just after it: the blocking ends within
 * this much of the recorded deadline, either way.
 */
#define EXPIRY_SLACK IRT_NS_PER_SEC

/* The watchdog looks at the deadline plus this, when the kernel is done. */
#define WATCHDOG_LAG (IRT_NS_PER_SEC / 2)

/* What the kernel holds of the isolation. */
struct live {
	int present;       /* the table exists */
	char comment[128]; /* its comment, "irt isolation <id>" */
	int noset;         /* it has no set "armed" (not made by this irt) */
	int blocking;      /* the set holds a family: its rules drop */
	int timed;         /* and the kernel ends that at a timeout */
};

static int
parse_armed(struct live *l, const char *json)
{
	struct json_object *root, *arr, *it, *set, *elems, *e, *x;
	size_t i, j, n;
	int found = 0;

	root = json_tokener_parse(json);
	if (root == NULL ||
	    !json_object_object_get_ex(root, "nftables", &arr) ||
	    !json_object_is_type(arr, json_type_array)) {
		json_object_put(root);
		return irt_error_set(IRT_EPARSE,
		    "unexpected nft output for the set '" ARMED_SET "'");
	}
	n = json_object_array_length(arr);
	for (i = 0; i < n; i++) {
		it = json_object_array_get_idx(arr, i);
		if (!json_object_object_get_ex(it, "set", &set))
			continue;
		found = 1;
		if (!json_object_object_get_ex(set, "elem", &elems) ||
		    !json_object_is_type(elems, json_type_array))
			continue;
		for (j = 0; j < json_object_array_length(elems); j++) {
			e = json_object_array_get_idx(elems, j);
			l->blocking = 1;
			if (json_object_object_get_ex(e, "elem", &x) &&
			    json_object_object_get_ex(x, "timeout", NULL))
				l->timed = 1;
		}
	}
	json_object_put(root);
	if (!found)
		return irt_error_set(IRT_EPARSE,
		    "unexpected nft output for the set '" ARMED_SET "'");
	return 0;
}

static int
live_read(struct live *l)
{
	struct irt_buf b = IRT_BUF_INIT;
	int rc;

	memset(l, 0, sizeof *l);
	if ((rc = table_present(l->comment, sizeof l->comment)) <= 0)
		return rc;
	l->present = 1;
	rc = nft_exec("list set " TABLE " " ARMED_SET, 0, NFT_CTX_OUTPUT_JSON,
	    &b, "cannot list the set '" ARMED_SET "'");
	if (rc == IRT_ENOTFOUND) {
		irt_error_clear();
		/* an unknown table: assume the worst */
		l->noset = l->blocking = 1;
		rc = 0;
	} else if (rc == 0)
		rc = parse_armed(l, irt_buf_cstr(&b));
	irt_buf_release(&b);
	return rc;
}

/* The table is the one of isolation id. */
static int
live_is(const struct live *l, const char *id)
{
	char want[128];

	snprintf(want, sizeof want, COMMENT_PREFIX "%s", id ? id : "");
	return l->present && id != NULL && strcmp(l->comment, want) == 0;
}

/* --- state of an isolation -------------------------------------------- */

/* The watchdog runs: its name, and not a zombie nobody reaped yet. */
static int
watchdog_alive(pid_t pid)
{
	char path[64], comm[64] = "", stat[512] = "", *rp;
	FILE *fp;

	if (pid <= 0)
		return 0;
	snprintf(path, sizeof path, "/proc/%ld/comm", (long)pid);
	if ((fp = fopen(path, "r")) == NULL)
		return 0;
	if (fgets(comm, sizeof comm, fp) == NULL)
		comm[0] = '\0';
	fclose(fp);
	comm[strcspn(comm, "\n")] = '\0';
	if (strcmp(comm, WATCHDOG_NAME) != 0)
		return 0;
	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	if ((fp = fopen(path, "r")) == NULL)
		return 0;
	if (fgets(stat, sizeof stat, fp) == NULL)
		stat[0] = '\0';
	fclose(fp);
	/* "pid (comm) S ...": the state after the name */
	if ((rp = strrchr(stat, ')')) == NULL || rp[1] != ' ')
		return 0;
	return rp[2] != 'Z' && rp[2] != 'X' && rp[2] != '\0';
}

static void
status_from_state(struct irt_isolate_status *st, const struct irt_kv *kv)
{
	const char *v;

	st->managed = 1;
	snprintf(st->id, sizeof st->id, "%s", irt_kv_get(kv, "id") ?: "");
	st->applied = kv_time(kv, "applied");
	st->deadline = kv_time(kv, "deadline");
	st->confirmed_at = kv_time(kv, "confirmed");
	st->confirmed = st->confirmed_at != 0;
	st->rolled_back_at = kv_time(kv, "rolled-back");
	st->rolled_back = st->rolled_back_at != 0;
	snprintf(st->sha256, sizeof st->sha256, "%s",
	    irt_kv_get(kv, "sha256") ?: "");
	free(st->allow);
	st->allow = (v = irt_kv_get(kv, "allow")) ? strdup(v) : NULL;
	free(st->case_path);
	st->case_path = (v = irt_kv_get(kv, "case")) && *v ? strdup(v) : NULL;
	st->watchdog = (v = irt_kv_get(kv, "watchdog")) ? atoi(v) : 0;
	st->watchdog_alive = watchdog_alive(st->watchdog);
}

void
irt_isolate_status_release(struct irt_isolate_status *s)
{
	free(s->allow);
	free(s->case_path);
	free(s->problem);
	free(s->nftables);
	memset(s, 0, sizeof *s);
}

/* --- case records ----------------------------------------------------- */

struct rec_file {
	const char *name; /* under isolation/<id>/ */
	const char *data;
};

/*
 * One commit in the case (c, else the case at case_path, else none).
 */
static int
record(struct irt_case *c, const char *case_path, const char *id,
    const char *action, const struct rec_file *f, size_t nf, const char *sha,
    const char *subject, const struct irt_ident *who)
{
	struct irt_case *own = NULL;
	struct irt_case_file files[4];
	struct irt_buf paths[4], act = IRT_BUF_INIT;
	struct irt_trailer tr[3];
	char oid[IRT_OID_HEX];
	size_t i, ntr = 0;
	int rc;

	if (c == NULL) {
		if (case_path == NULL || *case_path == '\0')
			return 0;
		if ((rc = irt_case_open(&own, case_path)) != 0)
			return rc;
		c = own;
	}
	for (i = 0; i < 4; i++)
		memset(&paths[i], 0, sizeof paths[i]);
	if ((rc = irt_buf_printf(&act, "isolate-%s", action)) != 0)
		goto out;
	for (i = 0; i < nf && rc == 0; i++) {
		rc =
		    irt_buf_printf(&paths[i], "isolation/%s/%s", id, f[i].name);
		files[i].path = paths[i].ptr;
		files[i].data = f[i].data;
		files[i].len = strlen(f[i].data);
	}
	if (rc != 0)
		goto out;
	tr[ntr].key = "Irt-Action";
	tr[ntr++].value = act.ptr;
	tr[ntr].key = "Irt-Isolation";
	tr[ntr++].value = id;
	if (sha != NULL && *sha != '\0') {
		tr[ntr].key = "Irt-Ruleset-Sha256";
		tr[ntr++].value = sha;
	}
	rc = irt_case_commit(c, oid, files, nf, 0, subject, NULL, tr, ntr, who);
out:
	for (i = 0; i < 4; i++)
		irt_buf_release(&paths[i]);
	irt_buf_release(&act);
	irt_case_free(own);
	return rc;
}

/* The record text of an action; rec_file wants it as a string. */
static int
rec_text(struct irt_buf *b, const struct irt_kv *kv)
{
	return irt_kv_write(b, kv);
}

/* --- rollback --------------------------------------------------------- */

/*
 * Settles an isolation that was not confirmed by its deadline: the
 * kernel has ended its blocking (the set "armed" is empty), but its
 * inert table is still there.  Removes the table (and, should the
 * kernel still block past the deadline, the blocking table: the
 * deadline is the deadline), marks the state rolled back and records
 * the rollback in the apply's case, as its responder.  Under the state
 * lock; does nothing unless the state is pending, the table is its own
 * and the deadline has come.  *settled is 1 when it removed the table;
 * *identical (may be NULL) tells whether the ruleset is now the one
 * saved before apply.  by names who noticed.
 */
static int
settle(struct irt_case *c, struct irt_kv *kv, const struct live *l,
    const char *by, int *settled, int *identical)
{
	struct irt_kv rec = IRT_KV_INIT;
	struct irt_buf after = IRT_BUF_INIT, before = IRT_BUF_INIT,
	               rt = IRT_BUF_INIT, subj = IRT_BUF_INIT;
	struct irt_ident who = { NULL, NULL };
	char t[IRT_TIME_MAX], ended[IRT_TIME_MAX];
	const char *id = irt_kv_get(kv, "id"), *v;
	const char *case_path = irt_kv_get(kv, "case");
	irt_ns now = irt_now(), deadline = kv_time(kv, "deadline");
	int rc;

	/* the apply's case, even when the caller has another open */
	if (c != NULL &&
	    (case_path == NULL || strcmp(irt_case_path(c), case_path) != 0))
		c = NULL;
	*settled = 0;
	if (identical != NULL)
		*identical = -1;
	if (id == NULL || deadline == 0 ||
	    irt_kv_get(kv, "confirmed") != NULL ||
	    irt_kv_get(kv, "rolled-back") != NULL || !live_is(l, id))
		return 0;
	if (now < deadline && (l->blocking || now < deadline - EXPIRY_SLACK))
		return 0;
	if ((rc = nft_exec("delete table " TABLE, 0, 0, NULL,
	         "cannot remove the table of the rollback")) != 0)
		return rc;
	*settled = 1;
	/* the kernel let go at the deadline; irt at once when it had not */
	irt_time_format(
	    ended, l->blocking || now < deadline ? now : deadline, 9);
	irt_time_format(t, now, 9);
	irt_kv_set(kv, "rolled-back", ended);
	if ((rc = state_write(kv)) != 0)
		goto out;
	if ((rc = list_ruleset(&after)) != 0)
		goto out;
	if (identical != NULL && (v = irt_kv_get(kv, "before")) != NULL &&
	    irt_buf_read_file(&before, v) == 0)
		*identical = before.len == after.len &&
		    (before.len == 0 ||
		        memcmp(before.ptr, after.ptr, before.len) == 0);
	irt_kv_add(&rec, "action", "rollback");
	irt_kv_add(&rec, "id", id);
	irt_kv_add(&rec, "time", ended);
	irt_kv_add(&rec, "deadline", irt_kv_get(kv, "deadline"));
	irt_kv_add(&rec, "by",
	    l->blocking ? "irt: the kernel still blocked at the deadline"
	                : "kernel: the timeout of the set '" ARMED_SET "'");
	irt_kv_add(&rec, "removed", t);
	irt_kv_add(&rec, "removed-by", by);
	irt_kv_add(&rec, "reason", "not confirmed before the deadline");
	rec_text(&rt, &rec);
	if ((v = irt_kv_get(kv, "responder")) != NULL &&
	    irt_ident_parse(&who, v) == 0) {
		struct rec_file f[2] = { { "rollback.record", rt.ptr },
			{ "after-rollback.nft", irt_buf_cstr(&after) } };
		irt_buf_printf(
		    &subj, "isolate: rollback %s (not confirmed in time)", id);
		rc = record(c, case_path, id, "rollback", f, 2,
		    irt_kv_get(kv, "sha256"), subj.ptr, &who);
		irt_ident_release(&who);
		if (rc != 0)
			irt_error_set(rc,
			    "isolation %s was rolled back at %s, but not "
			    "recorded in the case: %s",
			    id, ended, irt_error_last());
	}
out:
	irt_kv_release(&rec);
	irt_buf_release(&after);
	irt_buf_release(&before);
	irt_buf_release(&rt);
	irt_buf_release(&subj);
	return rc;
}

/* --- watchdog --------------------------------------------------------- */

/*
 * The watchdog, in its own session, only tidies up: the kernel ends the
 * blocking at the deadline whether it lives or not.  Just after the
 * deadline, unless the isolation was confirmed, lifted or replaced, it
 * removes the inert table and records the rollback.
 */
static void
watchdog_main(const char *id, irt_ns deadline)
{
	struct timespec ts;
	struct irt_kv kv = IRT_KV_INIT;
	struct live l;
	const char *v;
	int fd = -1, settled;

	deadline += WATCHDOG_LAG;
	ts.tv_sec = (time_t)(deadline / IRT_NS_PER_SEC);
	ts.tv_nsec = (long)(deadline % IRT_NS_PER_SEC);
	while (
	    clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
	if (state_lock(&fd) != 0)
		return;
	if (state_read(&kv) == 0 && (v = irt_kv_get(&kv, "id")) != NULL &&
	    strcmp(v, id) == 0 && live_read(&l) == 0)
		settle(NULL, &kv, &l, "watchdog", &settled, NULL);
	state_unlock(fd);
	irt_kv_release(&kv);
}

/* Starts the watchdog (double fork, setsid); its pid into *pid. */
static int
watchdog_start(pid_t *pid, const char *id, irt_ns deadline)
{
	char rundir[PATH_MAX];
	int pfd[2], status;
	pid_t child, grand;
	ssize_t n;

	/* the watchdog works from /: a relative IRT_RUNDIR would move */
	if (realpath(irt_isolate_rundir(), rundir) == NULL)
		return irt_error_sys(IRT_EIO, errno, "cannot resolve '%s'",
		    irt_esc(irt_isolate_rundir()));
	if (pipe2(pfd, O_CLOEXEC) != 0)
		return irt_error_sys(IRT_EIO, errno, "cannot make a pipe");
	fflush(NULL);
	if ((child = fork()) < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return irt_error_sys(
		    IRT_EIO, errno, "cannot start the watchdog");
	}
	if (child == 0) {
		int nullfd;
		close(pfd[0]);
		setsid();
		if ((grand = fork()) != 0)
			_exit(grand < 0);
		/* named before the parent learns the pid, so that
		 * watchdog_alive() recognises it at once */
		prctl(PR_SET_NAME, WATCHDOG_NAME, 0, 0, 0);
		grand = getpid();
		(void)!write(pfd[1], &grand, sizeof grand);
		close(pfd[1]);
		if (setenv("IRT_RUNDIR", rundir, 1) != 0 || chdir("/") != 0)
			_exit(1);
		if ((nullfd = open("/dev/null", O_RDWR)) >= 0) {
			dup2(nullfd, 0);
			dup2(nullfd, 1);
			dup2(nullfd, 2);
			if (nullfd > 2)
				close(nullfd);
		}
		for (int fd = 3; fd < 1024; fd++)
			close(fd);
		signal(SIGHUP, SIG_IGN);
		signal(SIGINT, SIG_IGN);
		signal(SIGPIPE, SIG_IGN);
		watchdog_main(id, deadline);
		_exit(0);
	}
	close(pfd[1]);
	n = read(pfd[0], pid, sizeof *pid);
	close(pfd[0]);
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	if (n != (ssize_t)sizeof *pid)
		return irt_error_set(IRT_EIO, "cannot start the watchdog");
	return 0;
}

static void
watchdog_stop(pid_t pid)
{
	if (watchdog_alive(pid))
		kill(pid, SIGTERM);
}

/* --- actions ---------------------------------------------------------- */

static int
allow_string(struct irt_buf *b, const struct irt_isolate_plan *p)
{
	char **v[2] = { p->allow4, p->allow6 };
	int rc = 0, first = 1;

	for (int k = 0; k < 2; k++)
		for (size_t i = 0; v[k] && v[k][i] && rc == 0; i++) {
			rc = irt_buf_printf(
			    b, "%s%s", first ? "" : ",", v[k][i]);
			first = 0;
		}
	return rc;
}

int
irt_isolate_apply(struct irt_case *c, struct irt_isolate_status *st,
    const struct irt_isolate_plan *p, double confirm_within,
    const struct irt_ident *who)
{
	struct irt_kv kv = IRT_KV_INIT, old = IRT_KV_INIT;
	struct irt_buf before = IRT_BUF_INIT, path = IRT_BUF_INIT,
	               allow = IRT_BUF_INIT, rt = IRT_BUF_INIT,
	               subj = IRT_BUF_INIT, cmd = IRT_BUF_INIT;
	char t[IRT_TIME_MAX], d[IRT_TIME_MAX], num[32];
	char *author = NULL;
	unsigned long long ms;
	irt_ns now, deadline;
	struct live l;
	pid_t wd = 0;
	int fd = -1, rc, settled = 0;

	memset(st, 0, sizeof *st);
	if ((rc = need_root("isolate apply")) != 0)
		return rc;
	if (!(confirm_within >= 1 && confirm_within <= 86400))
		return irt_error_set(IRT_EINVAL,
		    "the confirm deadline must be 1 to 86400 seconds");
	ms = (unsigned long long)(confirm_within * 1000 + 0.5);
	if ((rc = state_lock(&fd)) != 0)
		return rc;
	if ((rc = live_read(&l)) != 0)
		goto out;
	/* an isolation that the kernel ended: its table goes first */
	if (l.present && state_read(&old) == 0 &&
	    (rc = settle(c, &old, &l, "apply", &settled, NULL)) != 0)
		goto out;
	if (settled && (rc = live_read(&l)) != 0)
		goto out;
	if (l.present) {
		rc = irt_error_set(IRT_EEXISTS,
		    "the table '" TABLE "' exists already (%s); run 'irt "
		    "isolate lift' first",
		    *l.comment ? irt_esc(l.comment) : "not made by irt");
		goto out;
	}
	if ((rc = list_ruleset(&before)) != 0)
		goto out;
	/* the table and its timed blocking, in one transaction that the
	 * dry run checks whole */
	if ((rc = irt_buf_printf(&cmd, "%s" ARM_TIMED, p->ruleset, ms, ms)) !=
	        0 ||
	    (rc = nft_exec(cmd.ptr, 1, 0, NULL, "the ruleset does not check")))
		goto out;
	if ((rc = state_path(&path, ".before.nft")) != 0 ||
	    (rc = irt_write_file_atomic(path.ptr, before.ptr ? before.ptr : "",
	         before.len, 0600)) != 0)
		goto out;
	if ((rc = nft_exec(cmd.ptr, 0, 0, NULL, "cannot apply the ruleset")))
		goto out;
	/* after the commit: the kernel's timeout ends before this */
	now = irt_now();
	deadline = now + (irt_ns)ms * 1000000;
	if ((author = irt_ident_format(who)) == NULL) {
		rc = irt_error_set(IRT_ENOMEM, "out of memory");
		goto undo;
	}
	if ((rc = allow_string(&allow, p)) != 0)
		goto undo;
	irt_kv_add(&kv, "id", p->id);
	irt_kv_add(&kv, "applied", irt_time_format(t, now, 9));
	irt_kv_add(&kv, "deadline", irt_time_format(d, deadline, 9));
	irt_kv_add(&kv, "sha256", p->sha256);
	irt_kv_add(&kv, "allow", allow.ptr ? allow.ptr : "");
	irt_kv_add(&kv, "case", c ? irt_case_path(c) : "");
	irt_kv_add(&kv, "responder", author);
	irt_kv_add(&kv, "before", path.ptr);
	/* the state exists before the watchdog can look at it */
	if ((rc = state_write(&kv)) != 0)
		goto undo;
	if ((rc = watchdog_start(&wd, p->id, deadline)) != 0)
		goto undo;
	snprintf(num, sizeof num, "%ld", (long)wd);
	irt_kv_set(&kv, "watchdog", num);
	/* the kernel ends the blocking with or without the watchdog */
	if ((rc = state_write(&kv)) != 0)
		goto out;
	status_from_state(st, &kv);
	st->present = st->blocking = st->timed = 1;
	state_unlock(fd);
	fd = -1;
	{
		struct irt_kv rec = IRT_KV_INIT;
		struct rec_file f[3];
		snprintf(num, sizeof num, "%g", confirm_within);
		irt_kv_add(&rec, "action", "apply");
		irt_kv_add(&rec, "id", p->id);
		irt_kv_add(&rec, "time", t);
		irt_kv_add(&rec, "deadline", d);
		irt_kv_add(&rec, "confirm-within", num);
		irt_kv_add(&rec, "allow", allow.ptr ? allow.ptr : "");
		irt_kv_add(&rec, "sha256", p->sha256);
		rec_text(&rt, &rec);
		f[0].name = "apply.record";
		f[0].data = rt.ptr;
		f[1].name = "ruleset.nft";
		f[1].data = p->ruleset;
		f[2].name = "before.nft";
		f[2].data = irt_buf_cstr(&before);
		irt_buf_printf(&subj, "isolate: apply %s (allow %s)", p->id,
		    allow.len ? allow.ptr : "nothing");
		if (c != NULL)
			rc = record(c, NULL, p->id, "apply", f, 3, p->sha256,
			    subj.ptr, who);
		irt_kv_release(&rec);
		if (rc != 0)
			irt_error_set(rc,
			    "isolation applied, but not recorded in the "
			    "case: %s",
			    irt_error_last());
	}
	goto out;
undo:
	/* nothing half done: the table goes again */
	{
		char *msg = strdup(irt_error_last());
		nft_exec("delete table " TABLE, 0, 0, NULL, "undo");
		state_remove();
		irt_error_set(rc, "%s", msg ? msg : "apply failed");
		free(msg);
	}
out:
	state_unlock(fd);
	irt_kv_release(&kv);
	irt_kv_release(&old);
	irt_buf_release(&before);
	irt_buf_release(&path);
	irt_buf_release(&allow);
	irt_buf_release(&rt);
	irt_buf_release(&subj);
	irt_buf_release(&cmd);
	free(author);
	return rc;
}

/* The error of a confirm after the rollback. */
static int
too_late(const struct irt_isolate_status *st)
{
	char r[IRT_TIME_MAX];

	return irt_error_set(IRT_ETIMEOUT,
	    "too late: isolation %s was rolled back at %s", st->id,
	    irt_time_format(r, st->rolled_back_at, 0));
}

int
irt_isolate_confirm(struct irt_case *c, struct irt_isolate_status *st,
    const struct irt_ident *who)
{
	struct irt_kv kv = IRT_KV_INIT, rec = IRT_KV_INIT;
	struct irt_buf rt = IRT_BUF_INIT, subj = IRT_BUF_INIT;
	char t[IRT_TIME_MAX];
	struct live l;
	int fd = -1, rc, settled;

	memset(st, 0, sizeof *st);
	if ((rc = need_root("isolate confirm")) != 0)
		return rc;
	if ((rc = state_lock(&fd)) != 0)
		return rc;
	if ((rc = state_read(&kv)) == IRT_ENOTFOUND)
		rc = irt_error_set(IRT_ENOTFOUND,
		    "no isolation to confirm; see 'irt isolate status'");
	if (rc != 0)
		goto out;
	status_from_state(st, &kv);
	if (st->rolled_back) {
		rc = too_late(st);
		goto out;
	}
	if (st->confirmed) {
		rc = irt_error_set(
		    IRT_EINVAL, "isolation %s is already confirmed", st->id);
		goto out;
	}
	if ((rc = live_read(&l)) != 0 ||
	    (rc = settle(c, &kv, &l, "confirm", &settled, NULL)) != 0)
		goto out;
	if (settled) {
		status_from_state(st, &kv);
		rc = too_late(st);
		goto out;
	}
	if (!live_is(&l, st->id)) {
		rc = irt_error_set(IRT_ENOTFOUND,
		    "the table '" TABLE "' of isolation %s is gone", st->id);
		goto out;
	}
	/* fails when the kernel let the elements go meanwhile */
	rc = nft_exec(ARM_CONFIRM, 0, 0, NULL, "cannot confirm");
	if (rc == IRT_ENOTFOUND) {
		char *msg = strdup(irt_error_last());
		if ((rc = live_read(&l)) != 0 ||
		    (rc = settle(c, &kv, &l, "confirm", &settled, NULL)) != 0) {
			free(msg);
			goto out;
		}
		status_from_state(st, &kv);
		rc = settled ? too_late(st)
		             : irt_error_set(IRT_ENOTFOUND,
		                   "isolation %s blocks nothing any more: %s",
		                   st->id, msg ? msg : "");
		free(msg);
		goto out;
	}
	if (rc != 0)
		goto out;
	irt_time_format(t, irt_now(), 9);
	irt_kv_set(&kv, "confirmed", t);
	if ((rc = state_write(&kv)) != 0)
		goto out;
	watchdog_stop(st->watchdog);
	status_from_state(st, &kv);
	st->present = st->blocking = 1;
	state_unlock(fd);
	fd = -1;
	irt_kv_add(&rec, "action", "confirm");
	irt_kv_add(&rec, "id", st->id);
	irt_kv_add(&rec, "time", t);
	irt_kv_add(&rec, "sha256", st->sha256);
	rec_text(&rt, &rec);
	{
		struct rec_file f[1] = { { "confirm.record", rt.ptr } };
		irt_buf_printf(&subj, "isolate: confirm %s", st->id);
		rc = record(c, st->case_path, st->id, "confirm", f, 1,
		    st->sha256, subj.ptr, who);
		if (rc != 0)
			irt_error_set(rc,
			    "isolation confirmed, but not recorded in the "
			    "case: %s",
			    irt_error_last());
	}
out:
	state_unlock(fd);
	irt_kv_release(&kv);
	irt_kv_release(&rec);
	irt_buf_release(&rt);
	irt_buf_release(&subj);
	return rc;
}

int
irt_isolate_lift(struct irt_case *c, struct irt_isolate_status *st,
    int *identical, const struct irt_ident *who)
{
	struct irt_kv kv = IRT_KV_INIT, rec = IRT_KV_INIT;
	struct irt_buf rt = IRT_BUF_INIT, subj = IRT_BUF_INIT,
	               before = IRT_BUF_INIT, after = IRT_BUF_INIT;
	char t[IRT_TIME_MAX], id[32];
	const char *v;
	struct live l;
	int fd = -1, rc, have_state, have_before = 0, settled = 0;

	memset(st, 0, sizeof *st);
	*identical = -1;
	if ((rc = need_root("isolate lift")) != 0)
		return rc;
	if ((rc = state_lock(&fd)) != 0)
		return rc;
	rc = state_read(&kv);
	if (rc != 0 && rc != IRT_ENOTFOUND)
		goto out;
	have_state = rc == 0;
	if (have_state)
		status_from_state(st, &kv);
	if ((rc = live_read(&l)) != 0)
		goto out;
	/* rolled back by the kernel: lift removes what is left of it */
	if (have_state &&
	    (rc = settle(c, &kv, &l, "lift", &settled, identical)) != 0)
		goto out;
	if (settled) {
		status_from_state(st, &kv);
		if ((v = irt_kv_get(&kv, "before")) != NULL)
			unlink(v);
		state_remove();
		goto out;
	}
	if (!l.present) {
		if (have_state) {
			watchdog_stop(st->watchdog);
			state_remove();
		}
		rc = irt_error_set(IRT_ENOTFOUND,
		    "not isolated: there is no table '" TABLE "'%s",
		    st->rolled_back ? " (it was rolled back)" : "");
		goto out;
	}
	if ((rc = nft_exec("delete table " TABLE, 0, 0, NULL,
	         "cannot delete the table")) != 0)
		goto out;
	if (have_state)
		watchdog_stop(st->watchdog);
	st->present = 0;
	if ((rc = list_ruleset(&after)) != 0)
		goto out;
	if (have_state && (v = irt_kv_get(&kv, "before")) != NULL &&
	    irt_buf_read_file(&before, v) == 0) {
		have_before = 1;
		*identical = before.len == after.len &&
		    (before.len == 0 ||
		        memcmp(before.ptr, after.ptr, before.len) == 0);
		unlink(v);
	}
	if (have_state)
		state_remove();
	state_unlock(fd);
	fd = -1;
	snprintf(id, sizeof id, "%s", have_state ? st->id : "unmanaged");
	irt_time_format(t, irt_now(), 9);
	irt_kv_add(&rec, "action", "lift");
	irt_kv_add(&rec, "id", id);
	irt_kv_add(&rec, "time", t);
	if (have_state)
		irt_kv_add(&rec, "sha256", st->sha256);
	irt_kv_add(&rec, "restored",
	    !have_before     ? "unknown"
	        : *identical ? "identical"
	                     : "differs");
	rec_text(&rt, &rec);
	{
		struct rec_file f[2] = { { "lift.record", rt.ptr },
			{ "after-lift.nft", irt_buf_cstr(&after) } };
		irt_buf_printf(&subj, "isolate: lift %s", id);
		rc = record(c, have_state ? st->case_path : NULL, id, "lift", f,
		    2, have_state ? st->sha256 : NULL, subj.ptr, who);
		if (rc != 0)
			irt_error_set(rc,
			    "isolation lifted, but not recorded in the case: "
			    "%s",
			    irt_error_last());
	}
out:
	state_unlock(fd);
	irt_kv_release(&kv);
	irt_kv_release(&rec);
	irt_buf_release(&rt);
	irt_buf_release(&subj);
	irt_buf_release(&before);
	irt_buf_release(&after);
	return rc;
}

static int
read_counters(struct irt_isolate_status *st)
{
	struct irt_buf b = IRT_BUF_INIT;
	struct json_object *root, *arr, *it, *cnt, *x;
	size_t i, n;
	int rc;

	rc = nft_exec("list counters table " TABLE, 0, NFT_CTX_OUTPUT_JSON, &b,
	    "cannot list the counters");
	if (rc != 0) {
		irt_buf_release(&b);
		return rc;
	}
	root = json_tokener_parse(irt_buf_cstr(&b));
	irt_buf_release(&b);
	if (root == NULL ||
	    !json_object_object_get_ex(root, "nftables", &arr) ||
	    !json_object_is_type(arr, json_type_array)) {
		json_object_put(root);
		return irt_error_set(IRT_EPARSE, "unexpected nft output");
	}
	n = json_object_array_length(arr);
	for (i = 0; i < n && st->ncounters < 8; i++) {
		it = json_object_array_get_idx(arr, i);
		if (!json_object_object_get_ex(it, "counter", &cnt))
			continue;
		struct irt_isolate_counter *c = &st->counters[st->ncounters++];
		memset(c, 0, sizeof *c);
		if (json_object_object_get_ex(cnt, "name", &x))
			snprintf(c->name, sizeof c->name, "%s",
			    json_object_get_string(x));
		if (json_object_object_get_ex(cnt, "packets", &x))
			c->packets = (uint64_t)json_object_get_int64(x);
		if (json_object_object_get_ex(cnt, "bytes", &x))
			c->bytes = (uint64_t)json_object_get_int64(x);
	}
	json_object_put(root);
	return 0;
}

/*
 * Where the state and the kernel disagree, says how into m; a pending
 * isolation that the kernel ended is rolled back, its table left over.
 */
static void
disagreement(
    struct irt_buf *m, struct irt_isolate_status *st, const struct live *l)
{
	char d[IRT_TIME_MAX];
	irt_ns now = irt_now();

	if (!st->managed) {
		if (l->present)
			irt_buf_printf(m,
			    "the table '" TABLE "' is there (%s), but irt has "
			    "no state of it in '%s'; 'irt isolate lift' "
			    "removes it",
			    *l->comment ? irt_esc(l->comment)
			                : "not made by irt",
			    irt_esc(irt_isolate_rundir()));
		return;
	}
	irt_time_format(d, st->deadline, 0);
	if (l->present && !live_is(l, st->id)) {
		irt_buf_printf(m,
		    "the table '" TABLE "' is not the one of isolation %s "
		    "(%s)",
		    st->id, *l->comment ? irt_esc(l->comment) : "no comment");
		return;
	}
	if (l->present && l->noset) {
		irt_buf_printf(m,
		    "the table of isolation %s has no set '" ARMED_SET
		    "' (changed outside irt)",
		    st->id);
		return;
	}
	if (st->rolled_back) {
		if (l->present)
			irt_buf_printf(m,
			    "isolation %s was rolled back, but its table is "
			    "there again%s",
			    st->id, l->blocking ? " and blocks" : "");
		return;
	}
	if (!l->present) {
		irt_buf_printf(m,
		    "isolation %s is %s, but its table is gone (deleted "
		    "outside irt); 'irt isolate lift' clears the state",
		    st->id, st->confirmed ? "confirmed" : "in force");
		return;
	}
	if (st->confirmed) {
		if (!l->blocking)
			irt_buf_printf(m,
			    "isolation %s is confirmed, but its table blocks "
			    "nothing: the set '" ARMED_SET "' is empty",
			    st->id);
		else if (l->timed)
			irt_buf_printf(m,
			    "isolation %s is confirmed, but the kernel is to "
			    "end it: the set '" ARMED_SET "' has a timeout",
			    st->id);
		return;
	}
	/* the kernel counts the timeout in its ticks from the commit:
	 * a moment past the deadline is no disagreement yet */
	if (l->blocking && now >= st->deadline + EXPIRY_SLACK)
		irt_buf_printf(m,
		    "isolation %s was not confirmed by %s, but its table "
		    "still blocks",
		    st->id, d);
	else if (l->blocking && !l->timed)
		irt_buf_printf(m,
		    "isolation %s is not confirmed, but its table blocks "
		    "with no deadline: the set '" ARMED_SET "' has no timeout",
		    st->id);
	else if (!l->blocking && now < st->deadline - EXPIRY_SLACK)
		irt_buf_printf(m,
		    "isolation %s is to block until %s, but its table blocks "
		    "nothing: the set '" ARMED_SET "' was emptied outside irt",
		    st->id, d);
	else if (!l->blocking) {
		/* the kernel ended it; the watchdog has not tidied up */
		st->rolled_back = 1;
		st->rolled_back_at = st->deadline;
		st->leftover = 1;
	}
}

int
irt_isolate_get_status(struct irt_isolate_status *st)
{
	struct irt_kv kv = IRT_KV_INIT;
	struct irt_buf m = IRT_BUF_INIT;
	struct live l;
	int fd = -1, rc;

	memset(st, 0, sizeof *st);
	if ((rc = need_root("isolate status")) != 0)
		return rc;
	if ((rc = state_lock(&fd)) != 0)
		return rc;
	if ((rc = live_read(&l)) != 0)
		goto out;
	rc = state_read(&kv);
	if (rc != 0 && rc != IRT_ENOTFOUND)
		goto out;
	if (rc == 0)
		status_from_state(st, &kv);
	rc = 0;
	st->present = l.present;
	st->blocking = l.blocking;
	st->timed = l.timed;
	if ((st->nftables = strdup(nft_via())) == NULL) {
		rc = irt_error_set(IRT_ENOMEM, "out of memory");
		goto out;
	}
	if (l.present && (rc = read_counters(st)) != 0)
		goto out;
	disagreement(&m, st, &l);
	if (m.len > 0) {
		if ((st->problem = strdup(m.ptr)) == NULL)
			rc = irt_error_set(IRT_ENOMEM, "out of memory");
		else
			rc = irt_error_set(IRT_EVERIFY, "%s", m.ptr);
	}
out:
	state_unlock(fd);
	irt_kv_release(&kv);
	irt_buf_release(&m);
	return rc;
}

/* --- verify ----------------------------------------------------------- */

static int
parse_target(struct sockaddr_storage *ss, socklen_t *sl, const char *s)
{
	char host[INET6_ADDRSTRLEN + 1], *end;
	const char *colon, *h = s;
	size_t hl;
	long port;

	if (*s == '[') {
		const char *rb = strchr(s, ']');
		if (rb == NULL || rb[1] != ':')
			goto bad;
		h = s + 1;
		hl = (size_t)(rb - h);
		colon = rb + 1;
	} else {
		if ((colon = strrchr(s, ':')) == NULL ||
		    strchr(s, ':') != colon)
			goto bad;
		hl = (size_t)(colon - s);
	}
	if (hl == 0 || hl >= sizeof host)
		goto bad;
	memcpy(host, h, hl);
	host[hl] = '\0';
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (!isdigit((unsigned char)colon[1]) || *end != '\0' || errno ||
	    port < 1 || port > 65535)
		goto bad;
	memset(ss, 0, sizeof *ss);
	if (inet_pton(AF_INET, host,
	        &((struct sockaddr_in *)(void *)ss)->sin_addr) == 1) {
		((struct sockaddr_in *)(void *)ss)->sin_family = AF_INET;
		((struct sockaddr_in *)(void *)ss)->sin_port =
		    htons((uint16_t)port);
		*sl = sizeof(struct sockaddr_in);
		return 0;
	}
	if (inet_pton(AF_INET6, host,
	        &((struct sockaddr_in6 *)(void *)ss)->sin6_addr) == 1) {
		((struct sockaddr_in6 *)(void *)ss)->sin6_family = AF_INET6;
		((struct sockaddr_in6 *)(void *)ss)->sin6_port =
		    htons((uint16_t)port);
		*sl = sizeof(struct sockaddr_in6);
		return 0;
	}
bad:
	return irt_error_set(IRT_EINVAL,
	    "invalid target '%s': expected ADDR:PORT or [ADDR6]:PORT",
	    irt_esc(s));
}

static void
probe(struct irt_isolate_probe *p, const struct sockaddr_storage *ss,
    socklen_t sl, double timeout)
{
	struct pollfd pfd;
	int fd, err = 0, r;
	socklen_t el = sizeof err;

	p->reached = 0;
	fd = socket(
	    ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(p->detail, sizeof p->detail, "%s", strerror(errno));
		return;
	}
	if (connect(fd, (const struct sockaddr *)ss, sl) == 0)
		p->reached = 1;
	else if (errno != EINPROGRESS)
		snprintf(p->detail, sizeof p->detail, "%s", strerror(errno));
	else {
		pfd.fd = fd;
		pfd.events = POLLOUT;
		do
			r = poll(&pfd, 1, (int)(timeout * 1000));
		while (r < 0 && errno == EINTR);
		if (r == 0)
			snprintf(p->detail, sizeof p->detail,
			    "no answer within %gs", timeout);
		else if (r < 0 ||
		    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) != 0)
			snprintf(
			    p->detail, sizeof p->detail, "%s", strerror(errno));
		else if (err != 0)
			snprintf(
			    p->detail, sizeof p->detail, "%s", strerror(err));
		else
			p->reached = 1;
	}
	if (p->reached)
		snprintf(p->detail, sizeof p->detail, "connected");
	close(fd);
}

int
irt_isolate_verify(struct irt_case *c, struct irt_isolate_probe *probes,
    size_t n, double timeout, size_t *failed, const struct irt_ident *who)
{
	struct sockaddr_storage ss[64];
	socklen_t sl[64];
	struct irt_kv kv = IRT_KV_INIT, rec = IRT_KV_INIT;
	struct irt_buf rt = IRT_BUF_INIT, subj = IRT_BUF_INIT,
	               line = IRT_BUF_INIT, name = IRT_BUF_INIT;
	struct irt_isolate_status st;
	char t[IRT_TIME_MAX], vid[32];
	size_t i;
	int rc = 0;

	*failed = 0;
	memset(&st, 0, sizeof st);
	if (n == 0 || n > 64)
		return irt_error_set(
		    IRT_EINVAL, "give 1 to 64 --reach and --blocked targets");
	if (!(timeout > 0 && timeout <= 600))
		return irt_error_set(
		    IRT_EINVAL, "the timeout must be 0 to 600 seconds");
	/* every target parses before anything is tried */
	for (i = 0; i < n; i++)
		if ((rc = parse_target(&ss[i], &sl[i], probes[i].target)) != 0)
			return rc;
	for (i = 0; i < n; i++) {
		probe(&probes[i], &ss[i], sl[i], timeout);
		probes[i].ok = probes[i].reached == probes[i].expect_reach;
		if (!probes[i].ok)
			(*failed)++;
	}
	if (state_read(&kv) == 0)
		status_from_state(&st, &kv);
	if (c == NULL && st.case_path == NULL)
		goto out;
	if ((rc = irt_id_new(vid)) != 0)
		goto out;
	irt_time_format(t, irt_now(), 9);
	irt_kv_add(&rec, "action", "verify");
	irt_kv_add(&rec, "id", st.managed ? st.id : "none");
	irt_kv_add(&rec, "time", t);
	for (i = 0; i < n; i++) {
		irt_buf_clear(&line);
		irt_buf_printf(&line, "%s %s %s: %s",
		    probes[i].expect_reach ? "reach" : "blocked",
		    probes[i].target, probes[i].ok ? "ok" : "FAILED",
		    probes[i].detail);
		irt_kv_add(&rec, "probe", line.ptr);
	}
	irt_kv_add(&rec, "result", *failed ? "failed" : "ok");
	rec_text(&rt, &rec);
	irt_buf_printf(&name, "verify-%s.record", vid);
	{
		struct rec_file f[1] = { { name.ptr, rt.ptr } };
		irt_buf_printf(&subj, "isolate: verify %s (%s)",
		    st.managed ? st.id : "none", *failed ? "failed" : "ok");
		rc = record(c, st.case_path, st.managed ? st.id : "none",
		    "verify", f, 1, st.sha256, subj.ptr, who);
		if (rc != 0)
			irt_error_set(rc, "verify not recorded in the case: %s",
			    irt_error_last());
	}
out:
	irt_isolate_status_release(&st);
	irt_kv_release(&kv);
	irt_kv_release(&rec);
	irt_buf_release(&rt);
	irt_buf_release(&subj);
	irt_buf_release(&line);
	irt_buf_release(&name);
	return rc;
}

int
irt_isolate_check(const char *path, const char *data, size_t len)
{
	struct irt_kv kv = IRT_KV_INIT;
	static const char *const actions[] = { "apply", "confirm", "lift",
		"rollback", "verify", NULL };
	const char *a, *sha;
	irt_ns t;
	size_t i;
	int rc;

	if ((rc = irt_kv_parse(&kv, data, len, path)) != 0)
		return rc;
	if ((a = irt_kv_get(&kv, "action")) == NULL ||
	    irt_kv_get(&kv, "id") == NULL || irt_kv_get(&kv, "time") == NULL) {
		rc = irt_error_set(
		    IRT_EPARSE, "%s: needs action, id and time", path);
		goto out;
	}
	for (i = 0; actions[i] != NULL && strcmp(actions[i], a) != 0; i++)
		;
	if (actions[i] == NULL) {
		rc = irt_error_set(
		    IRT_EPARSE, "%s: unknown action '%s'", path, irt_esc(a));
		goto out;
	}
	if (irt_time_parse(&t, irt_kv_get(&kv, "time")) != 0) {
		rc = irt_error_set(IRT_EPARSE, "%s: invalid time", path);
		goto out;
	}
	sha = irt_kv_get(&kv, "sha256");
	if (strcmp(a, "apply") == 0 &&
	    (sha == NULL || strlen(sha) != 64 ||
	        !only_chars(sha, "0123456789abcdef") ||
	        irt_kv_get(&kv, "deadline") == NULL))
		rc = irt_error_set(IRT_EPARSE,
		    "%s: an apply record needs sha256 and deadline", path);
out:
	irt_kv_release(&kv);
	return rc;
}

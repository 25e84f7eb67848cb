/*
 * The homes of every account of the root's /etc/passwd, for the file
 * entries of a profile that start with '~/' (irt-profile(5)): service
 * accounts such as www-data have homes an intruder writes to as well.
 */
#include <dirent.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collect-int.h"
#include "util/internal.h"
#include "irt/error.h"
#include "irt/escape.h"
#include "irt/json.h"
#include "irt/timefmt.h"

#define PASSWD "/etc/passwd"
#define PASSWD_MAX (16u << 20)
#define HOMES_MAX 4096u

/* The n bytes at s as a decimal id below 2^32, into *out. */
static int
parse_id(unsigned long *out, const char *s, size_t n)
{
	unsigned long v = 0;
	size_t i;

	if (n == 0 || n > 10)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > 4294967295UL)
		return -1;
	*out = v;
	return 0;
}

static int
field_copy(char *dst, size_t cap, const char *s, size_t n)
{
	if (n >= cap)
		return -1;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return 0;
}

int
irt_passwd_next(struct irt_passwd_ent *e, const char **pos, const char *end)
{
	const char *p, *nl, *f[7];
	size_t len, fl[7], k;
	const char *q;

	for (;;) {
		p = *pos;
		if (p >= end)
			return 0;
		e->lineno++;
		e->why = NULL;
		nl = memchr(p, '\n', (size_t)(end - p));
		len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		*pos = nl ? nl + 1 : end;
		if (len > 0 && p[len - 1] == '\r')
			len--;
		if (len > 0)
			break;
	}
	if (memchr(p, '\0', len) != NULL) {
		e->why = "a NUL byte in the line";
		return -1;
	}
	if (p[0] == '+' || p[0] == '-') {
		e->why = "a NIS compat line: not read";
		return -1;
	}
	for (k = 0, q = p; k < 7; k++) {
		const char *c = memchr(q, ':', (size_t)(p + len - q));
		f[k] = q;
		fl[k] = c ? (size_t)(c - q) : (size_t)(p + len - q);
		if (c == NULL) {
			if (k != 6) {
				e->why = "fewer than 7 fields";
				return -1;
			}
			break;
		}
		if (k == 6) {
			e->why = "more than 7 fields";
			return -1;
		}
		q = c + 1;
	}
	if (fl[0] == 0 ||
	    field_copy(e->name, sizeof e->name, f[0], fl[0]) != 0) {
		e->why = "an empty or overlong user name";
		return -1;
	}
	if (parse_id(&e->uid, f[2], fl[2]) != 0 ||
	    parse_id(&e->gid, f[3], fl[3]) != 0) {
		e->why = "a uid or gid that is not a number below 2^32";
		return -1;
	}
	if (field_copy(e->home, sizeof e->home, f[5], fl[5]) != 0 ||
	    field_copy(e->shell, sizeof e->shell, f[6], fl[6]) != 0) {
		e->why = "an overlong home or shell";
		return -1;
	}
	return 1;
}

int
irt_home_usable(const char *home)
{
	const char *c, *next;
	size_t n;

	if (home[0] != '/')
		return 0;
	for (c = home + 1; *c != '\0'; c = next) {
		next = strchr(c, '/');
		n = next ? (size_t)(next - c) : strlen(c);
		if (n == 0)
			return 0;
		if ((n == 1 && c[0] == '.') ||
		    (n == 2 && c[0] == '.' && c[1] == '.'))
			return 0;
		next = next ? next + 1 : c + n;
	}
	return 1;
}

void
irt_homes_release(struct irt_homes *h)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		free(h->v[i]);
	free(h->v);
	h->v = NULL;
	h->n = 0;
}

int
irt_homes_load(struct irt_homes *h, int rootfd, uint64_t *noatime_fallbacks,
    struct irt_buf *log)
{
	static struct irt_passwd_ent e;
	struct irt_pathset seen = { NULL, 0, 0 };
	struct irt_buf b = IRT_BUF_INIT;
	const char *p, *end;
	char **nv, *dup;
	size_t cap = 0;
	int fd, k, rc = 0, r;

	memset(h, 0, sizeof *h);
	if ((fd = irt_root_open_file(rootfd, PASSWD, noatime_fallbacks)) ==
	    -1) {
		irt_buf_printf(log, "cannot open '%s': %s", PASSWD,
		    errno == EINVAL ? "not a regular file" : strerror(errno));
		return 0;
	}
	rc = irt_read_fd(&b, fd, PASSWD_MAX);
	close(fd);
	if (rc != 0) {
		irt_buf_printf(
		    log, "cannot read '%s': %s", PASSWD, irt_error_last());
		irt_buf_release(&b);
		return 0;
	}
	memset(&e, 0, sizeof e);
	p = b.ptr ? b.ptr : "";
	end = p + b.len;
	while ((k = irt_passwd_next(&e, &p, end)) != 0) {
		if (k < 0 || !irt_home_usable(e.home)) {
			if (log->len == 0)
				irt_buf_printf(log, "'%s' line %zu: %s%s%s",
				    PASSWD, e.lineno, k < 0 ? e.why : "home '",
				    k < 0 ? "" : irt_esc(e.home),
				    k < 0 ? ""
				          : "' is not a clean absolute path: "
				            "not read");
			else if (!strstr(log->ptr, "(and more)"))
				irt_buf_puts(log, " (and more)");
			continue;
		}
		if (h->n >= HOMES_MAX) {
			irt_buf_printf(log,
			    "%s%u homes read, the rest left out",
			    log->len ? "; " : "", HOMES_MAX);
			break;
		}
		if ((r = irt_pathset_add(&seen, e.home)) != 0) {
			if (r < 0) {
				rc = irt_error_set(IRT_ENOMEM, "out of memory");
				break;
			}
			continue;
		}
		if (h->n == cap) {
			cap = cap ? cap * 2 : 32;
			if ((nv = realloc(h->v, cap * sizeof *nv)) == NULL) {
				rc = irt_error_set(IRT_ENOMEM, "out of memory");
				break;
			}
			h->v = nv;
		}
		if ((dup = strdup(e.home)) == NULL) {
			rc = irt_error_set(IRT_ENOMEM, "out of memory");
			break;
		}
		h->v[h->n++] = dup;
	}
	irt_pathset_release(&seen);
	irt_buf_release(&b);
	if (rc != 0)
		irt_homes_release(h);
	return rc;
}

void
irt_home_pattern(struct irt_buf *out, const char *home, const char *rest)
{
	const char *s;
	size_t n;

	irt_buf_clear(out);
	/* the home is a literal: a component with glob characters is
	 * escaped, one without is matched as it is */
	for (s = home; *s; s += n) {
		int wild;
		const char *c;
		n = strcspn(s + 1, "/") + 1;
		for (wild = 0, c = s; c < s + n; c++)
			wild |= *c == '*' || *c == '?' || *c == '[';
		for (c = s; c < s + n; c++) {
			if (wild && strchr("*?[\\", *c) != NULL)
				irt_buf_putc(out, '\\');
			irt_buf_putc(out, *c);
		}
	}
	while (out->len > 1 && out->ptr[out->len - 1] == '/')
		out->ptr[--out->len] = '\0';
	if (out->len == 1)
		irt_buf_clear(out); /* home "/" */
	irt_buf_puts(out, rest);
}

/* ---- the ssh-keys builtin ---- */

static int
names_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

#define KEY_HEAD (16u << 10)
#define SSH_DIR_MAX 4096u

/* Files of .ssh/ that are not private keys by their name. */
static int
not_a_key_name(const char *name)
{
	static const char *const names[] = { "authorized_keys",
		"authorized_keys2", "known_hosts", "known_hosts.old", "config",
		"rc", "environment", NULL };
	size_t i, n = strlen(name);

	if (n > 4 && strcmp(name + n - 4, ".pub") == 0)
		return 1;
	for (i = 0; names[i]; i++)
		if (strcmp(name, names[i]) == 0)
			return 1;
	return 0;
}

/* The text after the line that starts with begin, base64, decoded: at
 * most outlen bytes. */
static size_t
b64_after(
    unsigned char *out, size_t outlen, const char *text, const char *begin)
{
	char b64[128];
	const char *p = strstr(text, begin);
	size_t n = 0;
	int len;

	if (p == NULL || (p = strchr(p, '\n')) == NULL)
		return 0;
	for (p++; *p && *p != '-' && n < sizeof b64 - 1; p++)
		if (strchr(
		        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		        "0123456789+/=",
		        *p) != NULL &&
		    *p != '\0')
			b64[n++] = *p;
	n -= n % 4;
	if (n == 0)
		return 0;
	b64[n] = '\0';
	if (outlen < n / 4 * 3)
		return 0;
	len = EVP_DecodeBlock(out, (const unsigned char *)b64, (int)n);
	return len > 0 ? (size_t)len : 0;
}

int
irt_ssh_key_kind(const char *text, const char **format, int *encrypted,
    char *cipher, size_t cipherlen)
{
	unsigned char raw[96];
	size_t n;
	uint32_t cl;

	*encrypted = -1;
	if (cipherlen > 0)
		cipher[0] = '\0';
	while (*text == ' ' || *text == '\t' || *text == '\r' || *text == '\n')
		text++;
	if (strncmp(text, "-----BEGIN OPENSSH PRIVATE KEY-----", 35) == 0) {
		*format = "openssh";
		/* "openssh-key-v1\0", then the cipher as a string */
		n = b64_after(raw, sizeof raw, text, "-----BEGIN OPENSSH");
		if (n < 19 || memcmp(raw, "openssh-key-v1", 15) != 0)
			return 1;
		cl = (uint32_t)raw[15] << 24 | (uint32_t)raw[16] << 16 |
		    (uint32_t)raw[17] << 8 | raw[18];
		if (cl == 0 || cl > n - 19 || cl >= cipherlen)
			return 1;
		memcpy(cipher, raw + 19, cl);
		cipher[cl] = '\0';
		if (strlen(cipher) != cl) {
			cipher[0] = '\0';
			return 1;
		}
		*encrypted = strcmp(cipher, "none") != 0;
		return 1;
	}
	if (strncmp(text, "-----BEGIN ENCRYPTED PRIVATE KEY-----", 37) == 0) {
		*format = "pkcs8";
		*encrypted = 1;
		return 1;
	}
	if (strncmp(text, "-----BEGIN PRIVATE KEY-----", 27) == 0) {
		*format = "pkcs8";
		*encrypted = 0;
		return 1;
	}
	if (strncmp(text, "-----BEGIN ", 11) == 0) {
		const char *eol = strchr(text, '\n');
		const char *k = strstr(text, " PRIVATE KEY-----");
		if (k == NULL || (eol != NULL && k > eol))
			return 0;
		*format = "pem";
		*encrypted = strstr(text, "Proc-Type: 4,ENCRYPTED") != NULL;
		return 1;
	}
	if (strncmp(text, "PuTTY-User-Key-File-", 20) == 0) {
		const char *e = strstr(text, "\nEncryption: ");
		*format = "putty";
		if (e != NULL) {
			e += 13;
			n = strcspn(e, "\r\n");
			if (n < cipherlen) {
				memcpy(cipher, e, n);
				cipher[n] = '\0';
			}
			*encrypted = !(n == 4 && memcmp(e, "none", 4) == 0);
		}
		return 1;
	}
	return 0;
}

static int
dir_names(char ***out, size_t *n, int dfd)
{
	DIR *d;
	struct dirent *de;
	char **v = NULL, **nv;
	size_t cap = 0;
	int fd;

	*out = NULL;
	*n = 0;
	if ((fd = dup(dfd)) == -1 || (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while ((de = readdir(d)) != NULL && *n < SSH_DIR_MAX) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((nv = realloc(v, cap * sizeof *nv)) == NULL)
				break;
			v = nv;
		}
		if ((v[*n] = strdup(de->d_name)) == NULL)
			break;
		(*n)++;
	}
	closedir(d);
	if (*n > 0)
		qsort(v, *n, sizeof *v, names_cmp);
	*out = v;
	return 0;
}

int
irt_live_ssh_keys(struct irt_buf *out, int rootfd, const struct irt_homes *h,
    uint64_t *noatime_fallbacks)
{
	struct irt_buf path = IRT_BUF_INIT, head = IRT_BUF_INIT;
	char **names, cipher[64], t[IRT_TIME_MAX];
	const char *format;
	struct stat st;
	size_t i, j, n;
	int dfd, fd, enc, rc = 0;
	struct irt_jw w;
	irt_ns mt;

	irt_jw_init(&w, out);
	for (i = 0; i < h->n; i++) {
		irt_buf_clear(&path);
		irt_buf_puts(&path, strcmp(h->v[i], "/") == 0 ? "" : h->v[i]);
		while (path.len > 0 && path.ptr[path.len - 1] == '/')
			path.ptr[--path.len] = '\0';
		irt_buf_puts(&path, "/.ssh");
		dfd = irt_root_open_dir(rootfd, path.ptr, noatime_fallbacks);
		if (dfd == -1)
			continue;
		if (dir_names(&names, &n, dfd) != 0) {
			close(dfd);
			continue;
		}
		close(dfd);
		for (j = 0; j < n; j++) {
			size_t base = path.len;
			if (not_a_key_name(names[j]))
				continue;
			irt_buf_putc(&path, '/');
			irt_buf_puts(&path, names[j]);
			fd = irt_root_open_file(
			    rootfd, path.ptr, noatime_fallbacks);
			if (fd >= 0 && fstat(fd, &st) == 0 &&
			    irt_read_fd(&head, fd, KEY_HEAD) == 0 &&
			    irt_ssh_key_kind(irt_buf_cstr(&head), &format, &enc,
			        cipher, sizeof cipher)) {
				char mode[8];
				snprintf(mode, sizeof mode, "%04o",
				    (unsigned)(st.st_mode & 07777));
				irt_jw_object(&w, NULL);
				irt_jw_str(&w, "home", h->v[i]);
				irt_jw_str(&w, "path", path.ptr);
				irt_jw_str(&w, "format", format);
				if (enc < 0)
					irt_jw_null(&w, "encrypted");
				else
					irt_jw_bool(&w, "encrypted", enc != 0);
				irt_jw_str_or_null(&w, "cipher", cipher);
				irt_jw_int(&w, "size", (long long)st.st_size);
				irt_jw_str(&w, "mode", mode);
				irt_jw_uint(&w, "uid", st.st_uid);
				irt_jw_uint(&w, "gid", st.st_gid);
				if (irt_time_make(&mt,
				        (int64_t)st.st_mtim.tv_sec,
				        st.st_mtim.tv_nsec) == 0)
					irt_jw_str(&w, "mtime",
					    irt_time_format(t, mt, 9));
				else
					irt_jw_null(&w, "mtime");
				irt_jw_end(&w);
				if (irt_jw_line(&w) != 0)
					rc = irt_error_set(
					    IRT_ENOMEM, "out of memory");
			}
			if (fd >= 0)
				close(fd);
			irt_buf_clear(&head);
			path.len = base;
			path.ptr[base] = '\0';
		}
		for (j = 0; j < n; j++)
			free(names[j]);
		free(names);
	}
	irt_buf_release(&path);
	irt_buf_release(&head);
	return rc;
}

/*
 * The stat pass: every local file system under the root, walked with
 * getdents64 and statx relative to the folder's descriptor, into a
 * Sleuth Kit 3.x bodyfile and a list of findings (irt-profile(5),
 * builtin statpass).
 *
 * The walk keeps one descriptor and one listing buffer per level, the
 * path of the folder twice (as it is, and escaped for the bodyfile) in
 * two buffers cut back on the way up, and writes through large output
 * buffers: nothing is allocated per file.  It never follows a symbolic
 * link (AT_SYMLINK_NOFOLLOW, O_NOFOLLOW), opens only folders and
 * regular files (a file is opened as O_PATH, checked, then reopened
 * through /proc/self/fd, so that what is opened is what was checked),
 * always with O_NOATIME and O_NONBLOCK, and crosses into a mounted file
 * system only when it is a local one.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "collect-int.h"
#include "irt/error.h"
#include "irt/escape.h"
#include "irt/hash.h"
#include "irt/json.h"

#define SP_DENTS (64u << 10) /* getdents64 buffer, grows */
#define SP_FLUSH (1u << 20)  /* output buffers flushed past this */
#define SP_READ (1u << 20)   /* read size for hashing */
#define SP_STATX_MASK (STATX_BASIC_STATS | STATX_BTIME)
#define IRT_STATPASS_ELF_MAX_TEXT "512 MiB"

struct sp_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/* One folder being walked. */
struct sp_level {
	int fd;
	char *dents; /* its whole listing */
	size_t cap, len, pos;
	size_t raw_len;  /* length of its path in sp->raw */
	size_t body_len; /* ... and escaped in sp->esc */
	uint64_t dev_major, dev_minor, ino;
	mode_t mode;
	int elf; /* under a folder of executables and libraries */
};

struct sp {
	const struct irt_statpass_opts *o;
	struct irt_statpass_stats *st;
	struct sp_level lv[IRT_STATPASS_MAX_DEPTH + 1];
	struct irt_buf raw; /* the path as it is, "" for the root */
	struct irt_buf esc; /* escaped for the bodyfile */
	struct irt_buf body, find;
	struct irt_jw w;
	struct irt_hash *h;
	unsigned char *rbuf;
	int proc_ok; /* /proc/self/fd works */
	int err;     /* the first write error */
};

/* ---- output ---- */

static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return irt_error_sys(
			    IRT_EIO, errno, "cannot write the stat pass");
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int
flush(struct sp *sp, struct irt_buf *b, int fd, size_t over)
{
	int rc;

	if (b->len < over || sp->err != 0)
		return sp->err;
	if (fd >= 0 && (rc = write_all(fd, b->ptr, b->len)) != 0)
		sp->err = rc;
	if (b == &sp->body)
		sp->st->body_bytes += b->len;
	b->len = 0;
	return sp->err;
}

/* Decimal digits of v, backwards from end; returns the start. */
static char *
udec(char *end, uint64_t v)
{
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	return end;
}

static void
put_u(char **p, uint64_t v)
{
	char t[24], *s = udec(t + sizeof t, v);
	size_t n = (size_t)(t + sizeof t - s);

	memcpy(*p, s, n);
	*p += n;
}

static void
put_i(char **p, int64_t v)
{
	if (v < 0) {
		*(*p)++ = '-';
		put_u(p, (uint64_t)0 - (uint64_t)v);
	} else
		put_u(p, (uint64_t)v);
}

static char
type_char(mode_t m)
{
	switch (m & S_IFMT) {
	case S_IFREG:
		return 'r';
	case S_IFDIR:
		return 'd';
	case S_IFLNK:
		return 'l';
	case S_IFIFO:
		return 'p';
	case S_IFSOCK:
		return 's';
	case S_IFCHR:
		return 'c';
	case S_IFBLK:
		return 'b';
	}
	return '-';
}

/* TSK's mode string, "r/rrwxr-xr-x", 12 bytes. */
static void
put_mode(char **p, mode_t m)
{
	static const char rwx[] = "rwxrwxrwx";
	char *s = *p;
	int i;

	s[0] = s[2] = type_char(m);
	s[1] = '/';
	for (i = 0; i < 9; i++)
		s[3 + i] = (m & (1u << (8 - i))) ? rwx[i] : '-';
	if (m & S_ISUID)
		s[5] = (m & S_IXUSR) ? 's' : 'S';
	if (m & S_ISGID)
		s[8] = (m & S_IXGRP) ? 's' : 'S';
	if (m & S_ISVTX)
		s[11] = (m & S_IXOTH) ? 't' : 'T';
	*p = s + 12;
}

/* Appends name escaped for the bodyfile: plain text is copied. */
static int
esc_append(struct irt_buf *b, const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];
		if (c < 0x20 || c >= 0x7f || c == '|' || c == '%' || c == '\\')
			return irt_escape_bodyfile(b, name, n);
	}
	return irt_buf_put(b, name, n);
}

/*
 * The bodyfile line of the entry name of the current folder, its path
 * escaped in sp->esc, then the name.
 */
static int
body_line(struct sp *sp, const char *name, size_t nlen, const struct statx *sx)
{
	struct irt_buf *b = &sp->body;
	size_t start = sp->esc.len;
	char *p;

	if (irt_buf_put(b, "0|", 2) != 0)
		return IRT_ENOMEM;
	if (name != NULL) {
		if (irt_buf_putc(&sp->esc, '/') != 0 ||
		    esc_append(&sp->esc, name, nlen) != 0)
			return IRT_ENOMEM;
		if (irt_buf_put(b, sp->esc.ptr, sp->esc.len) != 0)
			return IRT_ENOMEM;
		sp->esc.len = start;
	} else if (irt_buf_putc(b, '/') != 0) /* the root */
		return IRT_ENOMEM;
	if (irt_buf_grow(b, 192) != 0)
		return IRT_ENOMEM;
	p = b->ptr + b->len;
	*p++ = '|';
	put_u(&p, sx->stx_ino);
	*p++ = '|';
	put_mode(&p, sx->stx_mode);
	*p++ = '|';
	put_u(&p, sx->stx_uid);
	*p++ = '|';
	put_u(&p, sx->stx_gid);
	*p++ = '|';
	put_u(&p, sx->stx_size);
	*p++ = '|';
	put_i(&p, sx->stx_atime.tv_sec);
	*p++ = '|';
	put_i(&p, sx->stx_mtime.tv_sec);
	*p++ = '|';
	put_i(&p, sx->stx_ctime.tv_sec);
	*p++ = '|';
	put_i(&p, (sx->stx_mask & STATX_BTIME) ? sx->stx_btime.tv_sec : 0);
	*p++ = '\n';
	b->len = (size_t)(p - b->ptr);
	return flush(sp, b, sp->o->body_fd, SP_FLUSH);
}

/* ---- findings ---- */

static void
jw_path(struct sp *sp, const char *name)
{
	static const char digits[] = "0123456789abcdef";
	struct irt_jw *w = &sp->w;
	size_t start = sp->raw.len, i;

	if (name != NULL) {
		irt_buf_putc(&sp->raw, '/');
		irt_buf_puts(&sp->raw, name);
	}
	if (sp->raw.len == 0)
		irt_jw_str(w, "path", "/");
	else
		irt_jw_strn(w, "path", sp->raw.ptr, sp->raw.len);
	if (sp->raw.len > 0 && !irt_utf8_valid(sp->raw.ptr, sp->raw.len)) {
		struct irt_buf hex = IRT_BUF_INIT;
		for (i = 0; i < sp->raw.len; i++) {
			unsigned char c = (unsigned char)sp->raw.ptr[i];
			irt_buf_putc(&hex, digits[c >> 4]);
			irt_buf_putc(&hex, digits[c & 15]);
		}
		irt_jw_strn(w, "path_hex", hex.ptr ? hex.ptr : "", hex.len);
		irt_buf_release(&hex);
	}
	sp->raw.len = start;
	if (sp->raw.ptr != NULL)
		sp->raw.ptr[start] = '\0';
}

/* Starts a finding of kind about name in the current folder (NULL: the
 * folder itself). */
static int
find_begin(struct sp *sp, const char *kind, const char *name)
{
	if (sp->o->findings_fd < 0)
		return 0;
	irt_jw_init(&sp->w, &sp->find);
	irt_jw_object(&sp->w, NULL);
	irt_jw_str(&sp->w, "kind", kind);
	jw_path(sp, name);
	return 1;
}

static void
find_mode(struct sp *sp, const struct statx *sx)
{
	char m[8];

	snprintf(m, sizeof m, "%04o", (unsigned)(sx->stx_mode & 07777));
	irt_jw_str(&sp->w, "mode", m);
	irt_jw_uint(&sp->w, "uid", sx->stx_uid);
	irt_jw_uint(&sp->w, "gid", sx->stx_gid);
	irt_jw_uint(&sp->w, "size", sx->stx_size);
}

static void
find_time(struct sp *sp, const char *key, const struct statx_timestamp *t)
{
	char s[IRT_TIME_MAX];
	irt_ns ns;

	if (irt_time_make(&ns, t->tv_sec, (long)t->tv_nsec) == 0)
		irt_jw_str(&sp->w, key, irt_time_format(s, ns, 0));
	else
		irt_jw_null(&sp->w, key);
}

static int
find_end(struct sp *sp)
{
	int rc;

	irt_jw_end(&sp->w);
	if ((rc = irt_jw_line(&sp->w)) != 0)
		return sp->err = rc;
	return flush(sp, &sp->find, sp->o->findings_fd, SP_FLUSH);
}

/* A part of the tree not walked, with why. */
static int not_walked(struct sp *sp, const char *kind, const char *name,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int
not_walked(
    struct sp *sp, const char *kind, const char *name, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	if (!find_begin(sp, kind, name))
		return 0;
	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	irt_jw_str(&sp->w, "reason", why);
	return find_end(sp);
}

/* ---- capabilities ---- */

static const char *const cap_names[] = { "cap_chown", "cap_dac_override",
	"cap_dac_read_search", "cap_fowner", "cap_fsetid", "cap_kill",
	"cap_setgid", "cap_setuid", "cap_setpcap", "cap_linux_immutable",
	"cap_net_bind_service", "cap_net_broadcast", "cap_net_admin",
	"cap_net_raw", "cap_ipc_lock", "cap_ipc_owner", "cap_sys_module",
	"cap_sys_rawio", "cap_sys_chroot", "cap_sys_ptrace", "cap_sys_pacct",
	"cap_sys_admin", "cap_sys_boot", "cap_sys_nice", "cap_sys_resource",
	"cap_sys_time", "cap_sys_tty_config", "cap_mknod", "cap_lease",
	"cap_audit_write", "cap_audit_control", "cap_setfcap",
	"cap_mac_override", "cap_mac_admin", "cap_syslog", "cap_wake_alarm",
	"cap_block_suspend", "cap_audit_read", "cap_perfmon", "cap_bpf",
	"cap_checkpoint_restore" };

static uint32_t
le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static void
cap_set(struct irt_jw *w, const char *key, uint64_t set)
{
	char n[16];
	unsigned i;

	irt_jw_array(w, key);
	for (i = 0; i < 64; i++) {
		if (!(set & (1ULL << i)))
			continue;
		if (i < sizeof cap_names / sizeof *cap_names)
			irt_jw_str(w, NULL, cap_names[i]);
		else {
			snprintf(n, sizeof n, "cap_%u", i);
			irt_jw_str(w, NULL, n);
		}
	}
	irt_jw_end(w);
}

int
irt_cap_decode(struct irt_jw *w, const unsigned char *v, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	uint32_t magic = n >= 4 ? le32(v) : 0, rev = magic & 0xff000000u;
	uint64_t perm = 0, inh = 0;
	char hex[2 * 64 + 1];
	size_t i;

	if ((rev == 0x01000000u && n == 12) ||
	    ((rev == 0x02000000u || rev == 0x03000000u) &&
	        n == (rev == 0x02000000u ? 20 : 24))) {
		perm = le32(v + 4);
		inh = le32(v + 8);
		if (rev != 0x01000000u) {
			perm |= (uint64_t)le32(v + 12) << 32;
			inh |= (uint64_t)le32(v + 16) << 32;
		}
		irt_jw_uint(w, "revision", rev >> 24);
		cap_set(w, "permitted", perm);
		cap_set(w, "inheritable", inh);
		irt_jw_bool(w, "effective", (magic & 1) != 0);
		if (rev == 0x03000000u)
			irt_jw_uint(w, "rootid", le32(v + 20));
		return 1;
	}
	for (i = 0; i < n && i < 64; i++) {
		hex[2 * i] = digits[v[i] >> 4];
		hex[2 * i + 1] = digits[v[i] & 15];
	}
	irt_jw_strn(w, "value_hex", hex, 2 * i);
	irt_jw_str(w, "error", "not a security.capability value");
	return 0;
}

/* ---- opening a regular file that was checked ---- */

/*
 * Opens name (a regular file, described by sx) in dirfd for reading:
 * O_PATH without following a link, checked to be that file, reopened
 * through /proc/self/fd (the object checked, whatever name now points
 * to), with O_NOATIME (without, counted, when refused) and O_NONBLOCK.
 * Returns the descriptor or -1 with errno.
 */
static int
open_checked(
    struct sp *sp, int dirfd, const char *name, const struct statx *sx, int dir)
{
	char self[48];
	struct stat st;
	int pfd, fd,
	    flags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC |
	    (dir ? O_DIRECTORY : 0);

	pfd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (pfd == -1)
		return -1;
	if (fstat(pfd, &st) != 0 || st.st_ino != sx->stx_ino ||
	    major(st.st_dev) != sx->stx_dev_major ||
	    minor(st.st_dev) != sx->stx_dev_minor ||
	    (st.st_mode & S_IFMT) != (dir ? S_IFDIR : S_IFREG)) {
		close(pfd);
		errno = ESTALE;
		return -1;
	}
	if (sp->proc_ok) {
		snprintf(self, sizeof self, "/proc/self/fd/%d", pfd);
		fd = open(self, flags | O_NOATIME);
		if (fd == -1 && errno == EPERM && (fd = open(self, flags)) >= 0)
			sp->st->noatime_fallbacks++;
		if (fd == -1 && errno == ENOENT)
			sp->proc_ok = 0; /* no /proc: opened by name below */
		if (fd >= 0 || sp->proc_ok) {
			int e = errno;
			close(pfd);
			errno = e;
			return fd;
		}
	}
	close(pfd);
	fd = openat(dirfd, name, flags | O_NOFOLLOW | O_NOATIME);
	if (fd == -1 && errno == EPERM &&
	    (fd = openat(dirfd, name, flags | O_NOFOLLOW)) >= 0)
		sp->st->noatime_fallbacks++;
	if (fd >= 0 &&
	    (fstat(fd, &st) != 0 || st.st_ino != sx->stx_ino ||
	        (st.st_mode & S_IFMT) != (dir ? S_IFDIR : S_IFREG))) {
		close(fd);
		errno = ESTALE;
		return -1;
	}
	return fd;
}

/* ---- the checks of one entry ---- */

static int
is_exec(mode_t m)
{
	return (m & (S_IXUSR | S_IXGRP | S_IXOTH)) != 0;
}

static int
check_elf(struct sp *sp, int dirfd, const char *name, const struct statx *sx)
{
	unsigned char magic[4];
	uint64_t done = 0;
	const char *err = NULL;
	ssize_t n;
	int fd, rc, e;

	if (sx->stx_size < 4)
		return 0;
	if ((fd = open_checked(sp, dirfd, name, sx, 0)) == -1) {
		e = errno;
		if (e == ENOENT)
			return 0;
		sp->st->errors++;
		return not_walked(sp, "error", name,
		    "cannot open it to look for an ELF header: %s",
		    e == ESTALE ? "changed while it was walked" : strerror(e));
	}
	n = pread(fd, magic, 4, 0);
	if (n != 4 || memcmp(magic, "\177ELF", 4) != 0) {
		close(fd);
		return 0;
	}
	sp->st->elf++;
	if (sx->stx_size > IRT_STATPASS_ELF_MAX)
		err = "larger than " IRT_STATPASS_ELF_MAX_TEXT ": not hashed";
	else if ((rc = irt_hash_reset(sp->h)) != 0) {
		close(fd);
		return rc;
	}
	while (err == NULL) {
		n = read(fd, sp->rbuf, SP_READ);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = strerror(errno);
			break;
		}
		if (n == 0)
			break;
		done += (uint64_t)n;
		if (done > IRT_STATPASS_ELF_MAX) {
			err = "grew past " IRT_STATPASS_ELF_MAX_TEXT
			      " while it was read: not hashed";
			break;
		}
		if ((rc = irt_hash_update(sp->h, sp->rbuf, (size_t)n)) != 0) {
			close(fd);
			return rc;
		}
		if (sp->o->cancel != NULL && *sp->o->cancel)
			err = "interrupted";
	}
	close(fd);
	if (err == NULL && (rc = irt_hash_final(sp->h)) != 0)
		return rc;
	if (!find_begin(sp, "elf", name))
		return 0;
	irt_jw_uint(&sp->w, "size", sx->stx_size);
	if (err != NULL) {
		irt_jw_null(&sp->w, "sha256");
		irt_jw_str(&sp->w, "error", err);
	} else
		irt_jw_str(
		    &sp->w, "sha256", irt_hash_hex(sp->h, IRT_HASH_SHA256));
	return find_end(sp);
}

/* The inode flags of a file system that statx does not tell them for. */
static int
ioctl_flags(struct sp *sp, int dirfd, const char *name, const struct statx *sx,
    int *immutable, int *append)
{
	int fd, fl = 0, dir = S_ISDIR(sx->stx_mode);

	if ((fd = open_checked(sp, dirfd, name, sx, dir)) == -1)
		return -1;
	if (ioctl(fd, FS_IOC_GETFLAGS, &fl) != 0) {
		close(fd);
		return -1;
	}
	close(fd);
	*immutable = (fl & FS_IMMUTABLE_FL) != 0;
	*append = (fl & FS_APPEND_FL) != 0;
	return 0;
}

static int
check_entry(
    struct sp *sp, struct sp_level *l, const char *name, const struct statx *sx)
{
	mode_t m = sx->stx_mode;
	int reg = S_ISREG(m), rc, imm = 0, app = 0;

	if (reg && (m & (S_ISUID | S_ISGID))) {
		sp->st->setid++;
		if (find_begin(sp, "setid", name)) {
			find_mode(sp, sx);
			irt_jw_bool(&sp->w, "suid", (m & S_ISUID) != 0);
			irt_jw_bool(&sp->w, "sgid", (m & S_ISGID) != 0);
			find_time(sp, "mtime", &sx->stx_mtime);
			find_time(sp, "ctime", &sx->stx_ctime);
			if ((rc = find_end(sp)) != 0)
				return rc;
		}
	}
	if (reg && is_exec(m) && (l->mode & S_IWOTH)) {
		sp->st->world_writable_exec++;
		if (find_begin(sp, "world-writable-exec", name)) {
			char fm[8];
			find_mode(sp, sx);
			snprintf(
			    fm, sizeof fm, "%04o", (unsigned)(l->mode & 07777));
			irt_jw_str(&sp->w, "folder_mode", fm);
			find_time(sp, "mtime", &sx->stx_mtime);
			if ((rc = find_end(sp)) != 0)
				return rc;
		}
	}
	if (reg && is_exec(m)) {
		unsigned char v[64];
		char self[4200];
		ssize_t n = -1;

		/* no getxattr relative to a descriptor: the folder's
		 * descriptor as a path */
		if (sp->proc_ok && strlen(name) < 4096) {
			snprintf(self, sizeof self, "/proc/self/fd/%d/%s",
			    l->fd, name);
			n = lgetxattr(self, "security.capability", v, sizeof v);
			if (n < 0 && errno == ERANGE)
				n = 0; /* too long for any revision */
		}
		if (n >= 0) {
			sp->st->capabilities++;
			if (find_begin(sp, "capability", name)) {
				find_mode(sp, sx);
				irt_cap_decode(&sp->w, v, (size_t)n);
				if ((rc = find_end(sp)) != 0)
					return rc;
			}
		}
	}
	if (reg || S_ISDIR(m)) {
		if (sx->stx_attributes_mask & STATX_ATTR_IMMUTABLE) {
			imm = (sx->stx_attributes & STATX_ATTR_IMMUTABLE) != 0;
			app = (sx->stx_attributes & STATX_ATTR_APPEND) != 0;
		} else if (ioctl_flags(sp, l->fd, name, sx, &imm, &app) != 0)
			imm = app = 0;
		if (imm || app) {
			sp->st->immutable++;
			if (find_begin(sp, "immutable", name)) {
				find_mode(sp, sx);
				irt_jw_str(
				    &sp->w, "type", reg ? "file" : "dir");
				irt_jw_bool(&sp->w, "immutable", imm);
				irt_jw_bool(&sp->w, "append_only", app);
				if ((rc = find_end(sp)) != 0)
					return rc;
			}
		}
	}
	if (reg && l->elf)
		return check_elf(sp, l->fd, name, sx);
	return 0;
}

/* ---- the walk ---- */

/* Whether the folder name at depth (1: under the root) in a folder of
 * executables and libraries holds them. */
static int
elf_dir(const struct sp *sp, int depth, const char *name)
{
	const char *p = sp->raw.ptr;

	if (depth == 1)
		return strcmp(name, "bin") == 0 || strcmp(name, "sbin") == 0 ||
		    strcmp(name, "lib") == 0 || strcmp(name, "lib64") == 0;
	if (depth == 2 && strcmp(p, "/usr") == 0)
		return strcmp(name, "bin") == 0 || strcmp(name, "sbin") == 0 ||
		    strncmp(name, "lib", 3) == 0 || strcmp(name, "local") == 0;
	return 0;
}

/* Reads the whole listing of l->fd into l->dents; 0 or an errno. */
static int
list(struct sp_level *l)
{
	long n;
	char *nd;

	l->len = l->pos = 0;
	for (;;) {
		if (l->cap - l->len < 4096) {
			size_t ncap = l->cap ? l->cap * 2 : SP_DENTS;
			if ((nd = realloc(l->dents, ncap)) == NULL)
				return ENOMEM;
			l->dents = nd;
			l->cap = ncap;
		}
		n = syscall(
		    SYS_getdents64, l->fd, l->dents + l->len, l->cap - l->len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno;
		}
		if (n == 0)
			return 0;
		l->len += (size_t)n;
	}
}

/*
 * Enters the folder name (sx) of level depth-1 as level depth: opened,
 * checked, listed.  Returns 1 when entered, 0 when not (a finding says
 * why), negative on a fatal error.
 */
static int
enter(struct sp *sp, int depth, const char *name, const struct statx *sx)
{
	struct sp_level *p = &sp->lv[depth - 1], *l = &sp->lv[depth];
	struct statfs sf;
	const char *fs;
	int i, e, fd;

	if (depth > IRT_STATPASS_MAX_DEPTH) {
		sp->st->too_deep++;
		return not_walked(sp, "too-deep", name,
		    "deeper than %d levels: not walked",
		    IRT_STATPASS_MAX_DEPTH);
	}
	for (i = 0; i < depth; i++)
		if (sp->lv[i].ino == sx->stx_ino &&
		    sp->lv[i].dev_major == sx->stx_dev_major &&
		    sp->lv[i].dev_minor == sx->stx_dev_minor) {
			sp->st->loops++;
			return not_walked(sp, "loop", name,
			    "the same folder as one above it (a bind mount): "
			    "not walked again");
		}
	fd = openat(p->fd, name,
	    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NOATIME | O_CLOEXEC);
	if (fd == -1 && errno == EPERM &&
	    (fd = openat(p->fd, name,
	         O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) >= 0)
		sp->st->noatime_fallbacks++;
	if (fd == -1) {
		e = errno;
		if (e == ENOENT) {
			sp->st->vanished++;
			return 0;
		}
		sp->st->unreadable++;
		return not_walked(sp, "unreadable", name, "%s",
		    e == ELOOP || e == ENOTDIR ? "replaced while it was walked"
		                               : strerror(e));
	}
	l->fd = fd;
	l->dev_major = sx->stx_dev_major;
	l->dev_minor = sx->stx_dev_minor;
	l->ino = sx->stx_ino;
	l->mode = sx->stx_mode;
	{
		struct stat st;
		if (fstat(fd, &st) != 0 || st.st_ino != sx->stx_ino ||
		    major(st.st_dev) != sx->stx_dev_major ||
		    minor(st.st_dev) != sx->stx_dev_minor) {
			close(fd);
			l->fd = -1;
			sp->st->vanished++;
			return not_walked(sp, "unreadable", name,
			    "replaced while it was walked");
		}
	}
	if ((sx->stx_dev_major != p->dev_major ||
	        sx->stx_dev_minor != p->dev_minor) &&
	    fstatfs(fd, &sf) == 0 && (fs = irt_pseudo_fs((long)sf.f_type))) {
		close(fd);
		l->fd = -1;
		sp->st->not_walked++;
		return not_walked(
		    sp, "not-walked", name, "%s file system: not walked", fs);
	}
	if ((e = list(l)) != 0) {
		sp->st->unreadable++;
		if ((i = not_walked(sp, "unreadable", name,
		         "cannot list the folder: %s", strerror(e))) != 0) {
			close(fd);
			l->fd = -1;
			return i;
		}
		if (l->len == 0) {
			close(fd);
			l->fd = -1;
			return 0;
		}
	}
	return 1;
}

static int
walk(struct sp *sp)
{
	int depth = 0, rc;
	struct statx sx;

	for (;;) {
		struct sp_level *l = &sp->lv[depth];
		struct sp_dirent64 *d;
		const char *name;
		size_t nlen;

		if (l->pos >= l->len) {
			/* the folder is done: back up */
			close(l->fd);
			l->fd = -1;
			if (depth == 0)
				return 0;
			depth--;
			sp->raw.len = sp->lv[depth].raw_len;
			sp->raw.ptr[sp->raw.len] = '\0';
			sp->esc.len = sp->lv[depth].body_len;
			if (sp->o->cancel != NULL && *sp->o->cancel)
				return irt_error_set(
				    IRT_EABORT, "stat pass interrupted");
			continue;
		}
		d = (struct sp_dirent64 *)(l->dents + l->pos);
		l->pos += d->d_reclen;
		name = d->d_name;
		if (name[0] == '.' &&
		    (name[1] == '\0' || (name[1] == '.' && name[2] == '\0')))
			continue;
		if (statx(l->fd, name,
		        AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT |
		            AT_STATX_DONT_SYNC,
		        SP_STATX_MASK, &sx) != 0) {
			if (errno == ENOENT) {
				sp->st->vanished++;
				continue;
			}
			sp->st->errors++;
			if ((rc = not_walked(sp, "error", name, "stat: %s",
			         strerror(errno))) != 0)
				return rc;
			continue;
		}
		sp->st->entries++;
		nlen = strlen(name);
		if ((sp->st->entries & 4095) == 0 && sp->o->cancel != NULL &&
		    *sp->o->cancel)
			return irt_error_set(
			    IRT_EABORT, "stat pass interrupted");
		switch (sx.stx_mode & S_IFMT) {
		case S_IFDIR:
			sp->st->dirs++;
			break;
		case S_IFREG:
			sp->st->files++;
			break;
		case S_IFLNK:
			/* not read: readlink sets the link's access time */
			sp->st->symlinks++;
			break;
		default:
			sp->st->other++;
		}
		if ((rc = body_line(sp, name, nlen, &sx)) != 0)
			return rc;
		if (sp->o->findings_fd >= 0 &&
		    (rc = check_entry(sp, l, name, &sx)) != 0)
			return rc;
		if (S_ISDIR(sx.stx_mode)) {
			int elf = l->elf || elf_dir(sp, depth + 1, name);
			rc = enter(sp, depth + 1, name, &sx);
			if (rc < 0)
				return rc;
			if (rc == 0)
				continue;
			l->raw_len = sp->raw.len;
			l->body_len = sp->esc.len;
			depth++;
			sp->lv[depth].elf = elf;
			if (irt_buf_putc(&sp->raw, '/') != 0 ||
			    irt_buf_put(&sp->raw, name, nlen) != 0 ||
			    irt_buf_putc(&sp->esc, '/') != 0 ||
			    esc_append(&sp->esc, name, nlen) != 0)
				return irt_error_set(
				    IRT_ENOMEM, "out of memory");
			sp->raw.ptr[sp->raw.len] = '\0';
		}
		if (sp->err != 0)
			return sp->err;
	}
}

static void
summary(struct sp *sp)
{
	const struct irt_statpass_stats *s = sp->st;
	struct irt_jw *w = &sp->w;

	irt_jw_init(w, &sp->find);
	irt_jw_object(w, NULL);
	irt_jw_str(w, "kind", "summary");
	irt_jw_uint(w, "entries", s->entries);
	irt_jw_uint(w, "dirs", s->dirs);
	irt_jw_uint(w, "files", s->files);
	irt_jw_uint(w, "symlinks", s->symlinks);
	irt_jw_uint(w, "other", s->other);
	irt_jw_uint(w, "file_systems_not_walked", s->not_walked);
	irt_jw_uint(w, "unreadable", s->unreadable);
	irt_jw_uint(w, "too_deep", s->too_deep);
	irt_jw_uint(w, "loops", s->loops);
	irt_jw_uint(w, "vanished", s->vanished);
	irt_jw_uint(w, "errors", s->errors);
	irt_jw_uint(w, "setid", s->setid);
	irt_jw_uint(w, "capabilities", s->capabilities);
	irt_jw_uint(w, "immutable", s->immutable);
	irt_jw_uint(w, "world_writable_exec", s->world_writable_exec);
	irt_jw_uint(w, "elf", s->elf);
	irt_jw_uint(w, "noatime_fallbacks", s->noatime_fallbacks);
	irt_jw_end(w);
	if (irt_jw_line(w) != 0)
		sp->err = IRT_ENOMEM;
}

int
irt_statpass(struct irt_statpass_stats *st, const struct irt_statpass_opts *o)
{
	struct sp *sp;
	struct statx sx;
	int rc = 0, i;

	memset(st, 0, sizeof *st);
	if ((sp = calloc(1, sizeof *sp)) == NULL)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	sp->o = o;
	sp->st = st;
	/* no /proc: files are opened by name, capabilities not read */
	sp->proc_ok = access("/proc/self/fd", X_OK) == 0;
	for (i = 0; i <= IRT_STATPASS_MAX_DEPTH; i++)
		sp->lv[i].fd = -1;
	if ((sp->rbuf = malloc(SP_READ)) == NULL ||
	    irt_buf_grow(&sp->body, SP_FLUSH + 8192) != 0 ||
	    irt_buf_grow(&sp->raw, 4096) != 0 ||
	    irt_buf_grow(&sp->esc, 4096) != 0 ||
	    (o->findings_fd >= 0 &&
	        irt_hash_new(&sp->h, IRT_HASH_SHA256) != 0)) {
		rc = irt_error_set(IRT_ENOMEM, "out of memory");
		goto out;
	}
	sp->raw.ptr[0] = '\0';
	/* the root, itself a line of the bodyfile */
	/* a descriptor of its own: the listing does not move rootfd's
	 * offset */
	sp->lv[0].fd = openat(
	    o->rootfd, ".", O_RDONLY | O_DIRECTORY | O_NOATIME | O_CLOEXEC);
	if (sp->lv[0].fd == -1 && errno == EPERM &&
	    (sp->lv[0].fd = openat(
	         o->rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0)
		st->noatime_fallbacks++;
	if (sp->lv[0].fd == -1 ||
	    statx(sp->lv[0].fd, "", AT_EMPTY_PATH, SP_STATX_MASK, &sx) != 0) {
		rc = irt_error_sys(IRT_EIO, errno, "cannot open the root");
		goto out;
	}
	sp->lv[0].dev_major = sx.stx_dev_major;
	sp->lv[0].dev_minor = sx.stx_dev_minor;
	sp->lv[0].ino = sx.stx_ino;
	sp->lv[0].mode = sx.stx_mode;
	st->entries++;
	st->dirs++;
	if ((rc = body_line(sp, NULL, 0, &sx)) != 0)
		goto out;
	if ((i = list(&sp->lv[0])) != 0) {
		st->unreadable++;
		if ((rc = not_walked(sp, "unreadable", NULL,
		         "cannot list the folder: %s", strerror(i))) != 0)
			goto out;
	}
	rc = walk(sp);
	if (rc == 0 && o->findings_fd >= 0)
		summary(sp);
	if (rc == 0)
		rc = sp->err;
	sp->err = 0;
	if (rc == 0 && (rc = flush(sp, &sp->body, o->body_fd, 0)) == 0 &&
	    o->findings_fd >= 0)
		rc = flush(sp, &sp->find, o->findings_fd, 0);
out:
	for (i = 0; i <= IRT_STATPASS_MAX_DEPTH; i++) {
		if (sp->lv[i].fd >= 0)
			close(sp->lv[i].fd);
		free(sp->lv[i].dents);
	}
	irt_buf_release(&sp->raw);
	irt_buf_release(&sp->esc);
	irt_buf_release(&sp->body);
	irt_buf_release(&sp->find);
	irt_hash_free(sp->h);
	free(sp->rbuf);
	free(sp);
	return rc;
}

/*
 * The kernel builtin: loadable modules that /sys/module shows and
 * /proc/modules (lsmod) does not, or the other way round, and the taint
 * flags of /proc/sys/kernel/tainted decoded; all read inside the root,
 * so that a fixture tree can stand for a host (irt-profile(5)).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collect-int.h"
#include "util/internal.h"
#include "irt/error.h"
#include "irt/json.h"

#define PROC_MODULES "/proc/modules"
#define SYS_MODULE "/sys/module"
#define TAINTED "/proc/sys/kernel/tainted"
#define MODULES_MAX (16u << 20)
#define SYSFS_VALUE_MAX 256u
#define SYS_MODULE_MAX 65536u

/* Documentation/admin-guide/tainted-kernels.rst */
static const struct irt_taint_flag taint_flags[] = {
	{ 0, 'P', "PROPRIETARY_MODULE", "a proprietary module was loaded" },
	{ 1, 'F', "FORCED_MODULE", "a module was force loaded" },
	{ 2, 'S', "CPU_OUT_OF_SPEC",
	    "the kernel runs on an out of specification system" },
	{ 3, 'R', "FORCED_RMMOD", "a module was force unloaded" },
	{ 4, 'M', "MACHINE_CHECK",
	    "the processor reported a machine check exception" },
	{ 5, 'B', "BAD_PAGE",
	    "a bad page was referenced or some unexpected page flags" },
	{ 6, 'U', "USER", "taint requested by a userspace application" },
	{ 7, 'D', "DIE", "the kernel died recently (an oops or a bug)" },
	{ 8, 'A', "OVERRIDDEN_ACPI_TABLE",
	    "an ACPI table was overridden by the user" },
	{ 9, 'W', "WARN", "the kernel issued a warning" },
	{ 10, 'C', "CRAP", "a staging driver was loaded" },
	{ 11, 'I', "FIRMWARE_WORKAROUND",
	    "a workaround for a bug in the platform firmware was applied" },
	{ 12, 'O', "OOT_MODULE",
	    "an externally-built (out-of-tree) module was loaded" },
	{ 13, 'E', "UNSIGNED_MODULE", "an unsigned module was loaded" },
	{ 14, 'L', "SOFTLOCKUP", "a soft lockup occurred" },
	{ 15, 'K', "LIVEPATCH", "the kernel has been live patched" },
	{ 16, 'X', "AUX", "an auxiliary taint, defined by distributions" },
	{ 17, 'T', "RANDSTRUCT",
	    "the kernel was built with the struct randomization plugin" },
	{ 18, 'N', "TEST", "an in-kernel test has been run" },
	{ 19, 'J', "FWCTL",
	    "userspace used a mutating debug operation in fwctl" },
};

const struct irt_taint_flag *
irt_taint_flag(unsigned bit)
{
	size_t i;

	for (i = 0; i < sizeof taint_flags / sizeof taint_flags[0]; i++)
		if (taint_flags[i].bit == bit)
			return &taint_flags[i];
	return NULL;
}

int
irt_taint_parse(
    unsigned long long *value, const char **why, const char *text, size_t len)
{
	unsigned long long v = 0;
	size_t i;

	*value = 0;
	*why = NULL;
	while (len > 0 &&
	    (text[len - 1] == '\n' || text[len - 1] == ' ' ||
	        text[len - 1] == '\t' || text[len - 1] == '\r'))
		len--;
	if (len == 0) {
		*why = "empty";
		return -1;
	}
	for (i = 0; i < len; i++) {
		if (text[i] < '0' || text[i] > '9') {
			*why = "not a decimal number";
			return -1;
		}
		if (v > (~0ULL - 9) / 10) {
			*why = "a number beyond 64 bits";
			return -1;
		}
		v = v * 10 + (unsigned)(text[i] - '0');
	}
	*value = v;
	return 0;
}

static int
module_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9') || ch == '_' || ch == '-';
}

/* The next space-separated field of [*p, end): its start and length. */
static int
field(const char **p, const char *end, const char **f, size_t *n)
{
	const char *s = *p;

	if (s >= end)
		return 0;
	*f = s;
	while (s < end && *s != ' ')
		s++;
	*n = (size_t)(s - *f);
	*p = s < end ? s + 1 : s;
	return *n > 0;
}

static int
all_digits(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 20)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

int
irt_kmod_next(struct irt_kmod_line *l, const char **pos, const char *end)
{
	const char *p = *pos, *nl, *le, *f;
	size_t len, n, i;

	if (p >= end)
		return 0;
	l->lineno++;
	l->why = NULL;
	l->name[0] = l->state[0] = l->taint[0] = '\0';
	l->size = 0;
	nl = memchr(p, '\n', (size_t)(end - p));
	len = nl ? (size_t)(nl - p) : (size_t)(end - p);
	*pos = nl ? nl + 1 : end;
	le = p + len;
	if (len > IRT_KMOD_LINE_MAX) {
		l->why = "a line over " IRT_KMOD_LINE_MAX_TEXT " bytes";
		return -1;
	}
	if (memchr(p, '\0', len) != NULL) {
		l->why = "a NUL byte in the line";
		return -1;
	}
	/* name size refcount deps state address [(taint)] */
	if (!field(&p, le, &f, &n)) {
		l->why = "no module name";
		return -1;
	}
	if (n >= sizeof l->name) {
		l->why = "a module name over 63 bytes";
		return -1;
	}
	for (i = 0; i < n; i++)
		if (!module_char(f[i])) {
			l->why = "a module name with a character other than "
			         "letters, digits, '_' and '-'";
			return -1;
		}
	memcpy(l->name, f, n);
	l->name[n] = '\0';
	if (!field(&p, le, &f, &n) || !all_digits(f, n)) {
		l->why = "no size in bytes after the name";
		return -1;
	}
	l->size = strtoull(f, NULL, 10);
	if (!field(&p, le, &f, &n) ||
	    (!all_digits(f, n) && !(n == 1 && *f == '-'))) {
		l->why = "no reference count after the size";
		return -1;
	}
	if (!field(&p, le, &f, &n)) {
		l->why = "no dependencies after the reference count";
		return -1;
	}
	if (!field(&p, le, &f, &n) ||
	    !((n == 4 && memcmp(f, "Live", 4) == 0) ||
	        (n == 7 && memcmp(f, "Loading", 7) == 0) ||
	        (n == 9 && memcmp(f, "Unloading", 9) == 0))) {
		l->why = "no state (Live, Loading, Unloading) after the "
		         "dependencies";
		return -1;
	}
	memcpy(l->state, f, n);
	l->state[n] = '\0';
	if (!field(&p, le, &f, &n) || n < 3 || f[0] != '0' || f[1] != 'x') {
		l->why = "no address after the state";
		return -1;
	}
	if (field(&p, le, &f, &n)) {
		if (n < 3 || f[0] != '(' || f[n - 1] != ')' ||
		    n - 2 >= sizeof l->taint) {
			l->why = "a taint that is not '(' letters ')'";
			return -1;
		}
		for (i = 1; i + 1 < n; i++)
			if (f[i] < 'A' || f[i] > 'Z') {
				l->why = "a taint that is not '(' letters ')'";
				return -1;
			}
		memcpy(l->taint, f + 1, n - 2);
		l->taint[n - 2] = '\0';
	}
	if (p < le) {
		l->why = "more fields than name, size, references, "
		         "dependencies, state, address and taint";
		return -1;
	}
	return 1;
}

/* Reads rel inside the root into b, up to max bytes (*more when there
 * was more).  0, or -1 with errno. */
static int
read_root(struct irt_buf *b, int rootfd, const char *rel, size_t max, int *more,
    uint64_t *noatime_fallbacks)
{
	char c;
	int fd, rc, e;

	irt_buf_clear(b);
	if (more != NULL)
		*more = 0;
	if ((fd = irt_root_open_file(rootfd, rel, noatime_fallbacks)) == -1)
		return -1;
	rc = irt_read_fd(b, fd, max);
	e = errno;
	if (rc == 0 && more != NULL && b->len >= max && read(fd, &c, 1) > 0)
		*more = 1;
	close(fd);
	if (rc != 0) {
		errno = e ? e : EIO;
		return -1;
	}
	if (b->ptr == NULL && irt_buf_grow(b, 0) != 0) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

static void
error_line(struct irt_buf *out, const char *file, const char *what)
{
	struct irt_jw w;

	irt_jw_init(&w, out);
	irt_jw_object(&w, NULL);
	irt_jw_str(&w, "kind", "error");
	irt_jw_str(&w, "file", file);
	irt_jw_str(&w, "error", what);
	irt_jw_end(&w);
	irt_jw_line(&w);
}

static void
malformed_line(
    struct irt_buf *out, const char *file, size_t line, const char *why)
{
	struct irt_jw w;

	irt_jw_init(&w, out);
	irt_jw_object(&w, NULL);
	irt_jw_str(&w, "kind", "malformed");
	irt_jw_str(&w, "file", file);
	irt_jw_uint(&w, "line", line);
	irt_jw_str(&w, "why", why);
	irt_jw_end(&w);
	irt_jw_line(&w);
}

/* The taint line: the value and every flag set, by bit. */
static void
taint_line(struct irt_buf *out, int rootfd, uint64_t *noatime_fallbacks,
    struct irt_kernel_stats *st)
{
	struct irt_buf b = IRT_BUF_INIT;
	const struct irt_taint_flag *f;
	unsigned long long v;
	const char *why;
	struct irt_jw w;
	char letter[2] = "";
	int more;
	unsigned bit;

	if (read_root(&b, rootfd, TAINTED, 64, &more, noatime_fallbacks) != 0) {
		error_line(out, TAINTED, strerror(errno));
		goto out;
	}
	if (more || irt_taint_parse(&v, &why, irt_buf_cstr(&b), b.len) != 0) {
		st->malformed++;
		malformed_line(out, TAINTED, 1, more ? "over 64 bytes" : why);
		goto out;
	}
	st->taint_read = 1;
	st->taint = v;
	irt_jw_init(&w, out);
	irt_jw_object(&w, NULL);
	irt_jw_str(&w, "kind", "taint");
	irt_jw_uint(&w, "value", v);
	irt_jw_bool(&w, "tainted", v != 0);
	irt_jw_array(&w, "flags");
	for (bit = 0; bit < 64; bit++) {
		if (!(v & (1ULL << bit)))
			continue;
		irt_jw_object(&w, NULL);
		irt_jw_uint(&w, "bit", bit);
		if ((f = irt_taint_flag(bit)) != NULL) {
			letter[0] = f->letter;
			letter[1] = '\0';
			irt_jw_str(&w, "letter", letter);
			irt_jw_str(&w, "name", f->name);
			irt_jw_str(&w, "meaning", f->meaning);
		} else {
			irt_jw_null(&w, "letter");
			irt_jw_null(&w, "name");
			irt_jw_str(&w, "meaning",
			    "a bit this version of irt does not know");
		}
		irt_jw_end(&w);
	}
	irt_jw_end(&w);
	irt_jw_end(&w);
	irt_jw_line(&w);
out:
	irt_buf_release(&b);
}

/*
 * The modules of /proc/modules, into k.  Returns 0, 1 when the file
 * is missing (a kernel without modules), -1 when it cannot be read, -2
 * without memory.  With report, what is wrong with it is said in out.
 */
struct kmod {
	char name[64];
	char state[16];
	char taint[32];
	unsigned long long size;
};

struct kmods {
	struct kmod *v;
	size_t n, cap;
	struct irt_pathset names;
};

static void
kmods_release(struct kmods *k)
{
	free(k->v);
	irt_pathset_release(&k->names);
	memset(k, 0, sizeof *k);
}

static int
read_proc_modules(struct kmods *k, struct irt_buf *out, int rootfd,
    uint64_t *noatime_fallbacks, struct irt_kernel_stats *st, int report)
{
	struct irt_buf b = IRT_BUF_INIT;
	struct irt_kmod_line l;
	const char *p, *end;
	struct kmod *nv;
	int more, r, rc = 0;

	if (read_root(&b, rootfd, PROC_MODULES, MODULES_MAX, &more,
	        noatime_fallbacks) != 0) {
		rc = errno == ENOENT ? 1 : -1;
		if (report)
			error_line(out, PROC_MODULES, strerror(errno));
		goto out;
	}
	if (more && report) {
		st->malformed++;
		malformed_line(
		    out, PROC_MODULES, 0, "over 16 MiB: the rest not read");
	}
	memset(&l, 0, sizeof l);
	p = irt_buf_cstr(&b);
	end = p + b.len;
	while ((r = irt_kmod_next(&l, &p, end)) != 0) {
		if (r < 0) {
			if (report) {
				st->malformed++;
				malformed_line(
				    out, PROC_MODULES, l.lineno, l.why);
			}
			continue;
		}
		if ((r = irt_pathset_add(&k->names, l.name)) < 0) {
			irt_error_set(IRT_ENOMEM, "out of memory");
			rc = -2;
			goto out;
		}
		if (r > 0)
			continue; /* listed twice: once is enough */
		if (k->n == k->cap) {
			size_t ncap = k->cap ? k->cap * 2 : 64;
			if ((nv = realloc(k->v, ncap * sizeof *nv)) == NULL) {
				irt_error_set(IRT_ENOMEM, "out of memory");
				rc = -2;
				goto out;
			}
			k->v = nv;
			k->cap = ncap;
		}
		memcpy(k->v[k->n].name, l.name, sizeof l.name);
		memcpy(k->v[k->n].state, l.state, sizeof l.state);
		memcpy(k->v[k->n].taint, l.taint, sizeof l.taint);
		k->v[k->n].size = l.size;
		k->n++;
	}
out:
	irt_buf_release(&b);
	return rc;
}

/* A small sysfs value of a module (its first line), or NULL. */
static const char *
sys_value(struct irt_buf *b, int rootfd, const char *name, const char *attr,
    uint64_t *noatime_fallbacks)
{
	struct irt_buf rel = IRT_BUF_INIT;
	int rc;

	irt_buf_printf(&rel, SYS_MODULE "/%s/%s", name, attr);
	rc = read_root(b, rootfd, irt_buf_cstr(&rel), SYSFS_VALUE_MAX, NULL,
	    noatime_fallbacks);
	irt_buf_release(&rel);
	if (rc != 0)
		return NULL;
	b->len = strcspn(irt_buf_cstr(b), "\n");
	b->ptr[b->len] = '\0';
	return b->ptr;
}

/* Whether /sys/module/NAME is a loadable module: it has an initstate
 * file or a sections folder (built-in modules have neither). */
static int
loadable(int rootfd, const char *name, uint64_t *noatime_fallbacks)
{
	struct irt_buf rel = IRT_BUF_INIT;
	int fd;

	irt_buf_printf(&rel, SYS_MODULE "/%s/initstate", name);
	fd = irt_root_open_file(rootfd, irt_buf_cstr(&rel), noatime_fallbacks);
	if (fd == -1) {
		irt_buf_clear(&rel);
		irt_buf_printf(&rel, SYS_MODULE "/%s/sections", name);
		fd = irt_root_open_dir(
		    rootfd, irt_buf_cstr(&rel), noatime_fallbacks);
	}
	irt_buf_release(&rel);
	if (fd == -1)
		return 0;
	close(fd);
	return 1;
}

static void
jw_value(struct irt_jw *w, const char *key, struct irt_buf *b, int rootfd,
    const char *name, const char *attr, uint64_t *noatime_fallbacks)
{
	irt_jw_str_or_null(
	    w, key, sys_value(b, rootfd, name, attr, noatime_fallbacks));
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
irt_live_kernel(struct irt_buf *out, int rootfd, uint64_t *noatime_fallbacks,
    struct irt_kernel_stats *st)
{
	struct kmods before, after;
	struct irt_pathset sysnames;
	struct irt_buf v = IRT_BUF_INIT;
	struct irt_jw w;
	struct dirent *de;
	char **names = NULL, **nn;
	size_t n = 0, cap = 0, i;
	int dfd, pm, pm2, rc = 0, sys_ok = 0;
	DIR *d = NULL;

	memset(st, 0, sizeof *st);
	memset(&before, 0, sizeof before);
	memset(&after, 0, sizeof after);
	memset(&sysnames, 0, sizeof sysnames);
	taint_line(out, rootfd, noatime_fallbacks, st);

	/* /proc/modules, the listing of /sys/module, /proc/modules again:
	 * a module loaded or unloaded meanwhile is in one of the two */
	if ((pm = read_proc_modules(
	         &before, out, rootfd, noatime_fallbacks, st, 1)) == -2) {
		rc = IRT_ENOMEM;
		goto out;
	}
	st->proc_modules = before.n;
	st->proc_modules_read = pm == 0;
	if ((dfd = irt_root_open_dir(rootfd, SYS_MODULE, noatime_fallbacks)) ==
	        -1 ||
	    (d = fdopendir(dfd)) == NULL) {
		error_line(out, SYS_MODULE, strerror(errno));
		if (dfd >= 0)
			close(dfd);
	} else {
		sys_ok = 1;
		while ((de = readdir(d)) != NULL && n < SYS_MODULE_MAX) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			if (!loadable(rootfd, de->d_name, noatime_fallbacks))
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				if ((nn = realloc(names, cap * sizeof *nn)) ==
				    NULL) {
					rc = irt_error_set(
					    IRT_ENOMEM, "out of memory");
					goto out;
				}
				names = nn;
			}
			if ((names[n] = strdup(de->d_name)) == NULL) {
				rc = irt_error_set(IRT_ENOMEM, "out of memory");
				goto out;
			}
			n++;
		}
		if (n > 0)
			qsort(names, n, sizeof *names, name_cmp);
		st->sys_module = n;
	}
	pm2 = read_proc_modules(&after, out, rootfd, noatime_fallbacks, st, 0);
	if (pm2 == -2) {
		rc = IRT_ENOMEM;
		goto out;
	}

	/* in /sys/module, in neither reading of /proc/modules: a module
	 * that took itself off the list lsmod reads; a missing
	 * /proc/modules lists nothing */
	for (i = 0; i < n && pm != -1 && pm2 != -1; i++) {
		if (irt_pathset_add(&sysnames, names[i]) < 0) {
			rc = irt_error_set(IRT_ENOMEM, "out of memory");
			goto out;
		}
		if (irt_pathset_has(&before.names, names[i]) ||
		    irt_pathset_has(&after.names, names[i]))
			continue;
		st->hidden++;
		irt_jw_init(&w, out);
		irt_jw_object(&w, NULL);
		irt_jw_str(&w, "kind", "module");
		irt_jw_str(&w, "name", names[i]);
		irt_jw_str(&w, "hidden", "not_in_proc_modules");
		jw_value(&w, "initstate", &v, rootfd, names[i], "initstate",
		    noatime_fallbacks);
		jw_value(&w, "taint", &v, rootfd, names[i], "taint",
		    noatime_fallbacks);
		jw_value(&w, "refcnt", &v, rootfd, names[i], "refcnt",
		    noatime_fallbacks);
		jw_value(&w, "coresize", &v, rootfd, names[i], "coresize",
		    noatime_fallbacks);
		jw_value(&w, "srcversion", &v, rootfd, names[i], "srcversion",
		    noatime_fallbacks);
		irt_jw_end(&w);
		irt_jw_line(&w);
	}
	/* in /proc/modules, live in both readings, without a folder in
	 * /sys/module: a module that removed its kobject */
	for (i = 0; i < before.n; i++) {
		const struct kmod *m = &before.v[i];
		int gone = sys_ok && strcmp(m->state, "Live") == 0 &&
		    irt_pathset_has(&after.names, m->name) &&
		    !irt_pathset_has(&sysnames, m->name);
		if (!gone && m->taint[0] == '\0')
			continue;
		if (gone)
			st->hidden++;
		if (m->taint[0] != '\0')
			st->tainted_modules++;
		irt_jw_init(&w, out);
		irt_jw_object(&w, NULL);
		irt_jw_str(&w, "kind", "module");
		irt_jw_str(&w, "name", m->name);
		irt_jw_str_or_null(
		    &w, "hidden", gone ? "not_in_sys_module" : NULL);
		irt_jw_str(&w, "state", m->state);
		irt_jw_uint(&w, "size", m->size);
		irt_jw_str_or_null(&w, "taint", m->taint);
		irt_jw_end(&w);
		irt_jw_line(&w);
	}

	irt_jw_init(&w, out);
	irt_jw_object(&w, NULL);
	irt_jw_str(&w, "kind", "summary");
	if (st->proc_modules_read)
		irt_jw_uint(&w, "proc_modules", st->proc_modules);
	else
		irt_jw_null(&w, "proc_modules");
	if (sys_ok)
		irt_jw_uint(&w, "sys_module_loadable", st->sys_module);
	else
		irt_jw_null(&w, "sys_module_loadable");
	irt_jw_uint(&w, "hidden", st->hidden);
	irt_jw_uint(&w, "tainted_modules", st->tainted_modules);
	if (st->taint_read)
		irt_jw_uint(&w, "taint", st->taint);
	else
		irt_jw_null(&w, "taint");
	irt_jw_uint(&w, "malformed", st->malformed);
	irt_jw_end(&w);
	if (irt_jw_line(&w) != 0)
		rc = irt_error_set(IRT_ENOMEM, "out of memory");
out:
	if (d != NULL)
		closedir(d);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	kmods_release(&before);
	kmods_release(&after);
	irt_pathset_release(&sysnames);
	irt_buf_release(&v);
	return rc;
}

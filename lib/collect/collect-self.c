/*
 * The self-maps builtin: whether irt's own process maps a library it did
 * not ask for.  A library preloaded into irt (LD_PRELOAD, LD_AUDIT,
 * /etc/ld.so.preload) sees and can change everything irt reads; this
 * says so in the archive (irt-profile(5)).
 *
 * What irt asked for: the program, the dynamic loader, the vDSO, the
 * DT_NEEDED libraries of the program and of those libraries, found in
 * the loader's list of objects; and what irt or glibc opened with
 * dlopen() after start-up (libsystemd, NSS modules...).  A static irt
 * asks for none.  Anything else the loader had mapped when the program
 * started is unexpected, and so is an executable mapping of a file in
 * /proc/self/maps that no loaded object accounts for.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

#include "collect-int.h"
#include "util/internal.h"
#include "irt/error.h"
#include "irt/json.h"

#define MAX_OBJECTS 1024
#define MAPS_MAX (16u << 20)
#define PRELOAD_MAX (64u << 10)

/* The objects the loader had mapped when irt's constructors ran: their
 * program headers, which no two objects share. */
static const void *startup[MAX_OBJECTS];
static size_t nstartup;
static int startup_taken;

static int
note_startup(struct dl_phdr_info *info, size_t size, void *arg)
{
	(void)size;
	(void)arg;
	if (nstartup < MAX_OBJECTS)
		startup[nstartup++] = info->dlpi_phdr;
	return 0;
}

__attribute__((constructor)) static void
self_startup(void)
{
	dl_iterate_phdr(note_startup, NULL);
	startup_taken = 1;
}

struct seg {
	uintptr_t start, end;
};

struct obj {
	char *name;   /* the loader's name for it ("" for the program) */
	char *soname; /* DT_SONAME, or NULL */
	char **needed;
	size_t nneeded;
	uintptr_t base;
	const void *phdr;
	struct seg *segs;
	size_t nsegs;
	const char *loaded; /* program, loader, vdso, linked, preloaded,
	                       runtime */
	int expected;
	int at_startup;
};

struct objs {
	struct obj *v;
	size_t n;
	int fail;
};

static void
objs_release(struct objs *o)
{
	size_t i, j;

	for (i = 0; i < o->n; i++) {
		free(o->v[i].name);
		free(o->v[i].soname);
		for (j = 0; j < o->v[i].nneeded; j++)
			free(o->v[i].needed[j]);
		free(o->v[i].needed);
		free(o->v[i].segs);
	}
	free(o->v);
	memset(o, 0, sizeof *o);
}

static const struct seg *
seg_of(const struct obj *ob, uintptr_t a)
{
	size_t i;

	for (i = 0; i < ob->nsegs; i++)
		if (a >= ob->segs[i].start && a < ob->segs[i].end)
			return &ob->segs[i];
	return NULL;
}

/* A string of the object's string table, within its mapped segments. */
static char *
obj_string(const struct obj *ob, uintptr_t strtab, uint64_t off)
{
	const struct seg *s;
	uintptr_t a;
	size_t n;

	if (off > UINTPTR_MAX - strtab)
		return NULL;
	a = strtab + (uintptr_t)off;
	if ((s = seg_of(ob, a)) == NULL)
		return NULL;
	n = strnlen((const char *)a, s->end - a);
	if (n == s->end - a)
		return NULL;
	return strndup((const char *)a, n);
}

/* DT_SONAME and DT_NEEDED of a loaded object, read from its memory.  The
 * loader relocates the pointers of .dynamic in place on most
 * architectures, not on all: an address outside the object is taken as
 * relative to its base. */
static void
read_dynamic(struct obj *ob, const ElfW(Dyn) * dyn, const struct seg *ds)
{
	const ElfW(Dyn) * d;
	uintptr_t strtab = 0;
	size_t n = 0, max;
	char *s, **nv;

	max = (ds->end - (uintptr_t)dyn) / sizeof *dyn;
	for (d = dyn; n < max && d->d_tag != DT_NULL; d++, n++)
		if (d->d_tag == DT_STRTAB) {
			strtab = (uintptr_t)d->d_un.d_ptr;
			if (seg_of(ob, strtab) == NULL)
				strtab += ob->base;
		}
	if (strtab == 0 || seg_of(ob, strtab) == NULL)
		return;
	for (d = dyn, n = 0; n < max && d->d_tag != DT_NULL; d++, n++) {
		if (d->d_tag != DT_NEEDED && d->d_tag != DT_SONAME)
			continue;
		if ((s = obj_string(ob, strtab, d->d_un.d_val)) == NULL)
			continue;
		if (d->d_tag == DT_SONAME) {
			free(ob->soname);
			ob->soname = s;
			continue;
		}
		if ((nv = realloc(
		         ob->needed, (ob->nneeded + 1) * sizeof *nv)) == NULL) {
			free(s);
			continue;
		}
		ob->needed = nv;
		ob->needed[ob->nneeded++] = s;
	}
}

static int
add_object(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct objs *o = arg;
	struct obj *ob;
	const ElfW(Phdr) * ph;
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE), start, end;
	const ElfW(Dyn) *dyn = NULL;
	size_t i;

	(void)size;
	if (o->n >= MAX_OBJECTS)
		return 1;
	ob = &o->v[o->n];
	memset(ob, 0, sizeof *ob);
	if ((ob->name = strdup(info->dlpi_name ? info->dlpi_name : "")) ==
	        NULL ||
	    (ob->segs = calloc(info->dlpi_phnum + 1u, sizeof *ob->segs)) ==
	        NULL) {
		free(ob->name);
		o->fail = 1;
		return 1;
	}
	ob->base = (uintptr_t)info->dlpi_addr;
	ob->phdr = info->dlpi_phdr;
	for (i = 0; i < info->dlpi_phnum; i++) {
		ph = &info->dlpi_phdr[i];
		if (ph->p_type == PT_DYNAMIC)
			dyn = (const ElfW(Dyn) *)(ob->base + ph->p_vaddr);
		if (ph->p_type != PT_LOAD || ph->p_memsz == 0)
			continue;
		start = (ob->base + ph->p_vaddr) & ~(page - 1);
		end = (ob->base + ph->p_vaddr + ph->p_memsz + page - 1) &
		    ~(page - 1);
		ob->segs[ob->nsegs].start = start;
		ob->segs[ob->nsegs].end = end;
		ob->nsegs++;
	}
	for (i = 0; i < nstartup; i++)
		if (startup[i] == info->dlpi_phdr)
			ob->at_startup = 1;
	o->n++;
	if (dyn != NULL) {
		const struct seg *ds = seg_of(ob, (uintptr_t)dyn);
		if (ds != NULL)
			read_dynamic(ob, dyn, ds);
	}
	return 0;
}

static const char *
base_name(const char *s)
{
	const char *sl = strrchr(s, '/');

	return sl ? sl + 1 : s;
}

/* The object a DT_NEEDED name stands for. */
static struct obj *
find_needed(struct objs *o, const char *need)
{
	size_t i;

	for (i = 1; i < o->n; i++)
		if (o->v[i].soname != NULL && strcmp(o->v[i].soname, need) == 0)
			return &o->v[i];
	for (i = 1; i < o->n; i++)
		if (strcmp(strchr(need, '/') ? o->v[i].name
		                             : base_name(o->v[i].name),
		        need) == 0)
			return &o->v[i];
	return NULL;
}

static struct obj *
obj_at(struct objs *o, uintptr_t a)
{
	size_t i;

	if (a == 0)
		return NULL;
	for (i = 0; i < o->n; i++)
		if (seg_of(&o->v[i], a) != NULL)
			return &o->v[i];
	return NULL;
}

/* Names every object: the program and the closure of its DT_NEEDED
 * first, then what the loader mapped at start-up for no one, then what
 * was opened later. */
static void
classify(struct objs *o)
{
	struct obj **queue, *ob, *dep;
	size_t head = 0, tail = 0, i, j;

	if (o->n == 0)
		return;
	if ((queue = calloc(o->n, sizeof *queue)) == NULL) {
		o->fail = 1;
		return;
	}
	o->v[0].loaded = "program";
	o->v[0].expected = 1;
	if ((ob = obj_at(o, (uintptr_t)getauxval(AT_BASE))) != NULL &&
	    ob->loaded == NULL) {
		ob->loaded = "loader";
		ob->expected = 1;
	}
	if ((ob = obj_at(o, (uintptr_t)getauxval(AT_SYSINFO_EHDR))) != NULL &&
	    ob->loaded == NULL) {
		ob->loaded = "vdso";
		ob->expected = 1;
	}
	queue[tail++] = &o->v[0];
	while (head < tail) {
		ob = queue[head++];
		for (j = 0; j < ob->nneeded; j++) {
			if ((dep = find_needed(o, ob->needed[j])) == NULL ||
			    dep->expected)
				continue;
			dep->loaded = "linked";
			dep->expected = 1;
			queue[tail++] = dep;
		}
	}
	free(queue);
	for (i = 0; i < o->n; i++) {
		ob = &o->v[i];
		if (ob->loaded != NULL)
			continue;
		if (ob->at_startup || !startup_taken) {
			ob->loaded = "preloaded";
			ob->expected = 0;
		} else {
			ob->loaded = "runtime";
			ob->expected = 1;
		}
	}
}

static void
hex_addr(char *out, size_t len, uintptr_t a)
{
	snprintf(out, len, "0x%llx", (unsigned long long)a);
}

/* One line of /proc/self/maps: its fields, the path NULL when none. */
struct mapline {
	uintptr_t start, end;
	char perms[8];
	unsigned long long inode;
	const char *path;
};

static int
parse_maps_line(struct mapline *m, char *line)
{
	unsigned long long s, e, off, ino;
	int n = 0;
	char dev[32];

	memset(m, 0, sizeof m[0]);
	if (sscanf(line, "%llx-%llx %7s %llx %31s %llu %n", &s, &e, m->perms,
	        &off, dev, &ino, &n) < 6)
		return -1;
	m->start = (uintptr_t)s;
	m->end = (uintptr_t)e;
	m->inode = ino;
	m->path = n > 0 && line[n] != '\0' ? line + n : NULL;
	return 0;
}

static void
jw_list(struct irt_jw *w, const char *key, const char *text)
{
	const char *p = text, *q;
	size_t n;

	irt_jw_array(w, key);
	while (p != NULL && *p != '\0') {
		n = strcspn(p, ": \t\n");
		if (n > 0)
			irt_jw_strn(w, NULL, p, n);
		q = p + n;
		p = *q ? q + 1 : q;
	}
	irt_jw_end(w);
}

int
irt_live_self_maps(struct irt_buf *out, struct irt_self_stats *st)
{
	struct objs o;
	struct irt_buf maps = IRT_BUF_INIT, pre = IRT_BUF_INIT;
	struct mapline m;
	struct obj *ob;
	struct irt_jw w;
	char a1[32], a2[32], *line, *save = NULL;
	const char *env;
	size_t i;
	int fd, rc = 0, statik;

	memset(st, 0, sizeof *st);
	memset(&o, 0, sizeof o);
	if ((o.v = calloc(MAX_OBJECTS, sizeof *o.v)) == NULL)
		return irt_error_set(IRT_ENOMEM, "out of memory");
	dl_iterate_phdr(add_object, &o);
	if (o.fail) {
		rc = irt_error_set(IRT_ENOMEM, "out of memory");
		goto out;
	}
	classify(&o);
	if (o.fail) {
		rc = irt_error_set(IRT_ENOMEM, "out of memory");
		goto out;
	}
	statik = o.n > 0 && o.v[0].nneeded == 0;
	st->objects = o.n;
	for (i = 0; i < o.n; i++) {
		ob = &o.v[i];
		if (!ob->expected)
			irt_self_note(st, ob->name);
		irt_jw_init(&w, out);
		irt_jw_object(&w, NULL);
		irt_jw_str(&w, "kind", "object");
		irt_jw_str(&w, "path", ob->name);
		irt_jw_str(&w, "soname", ob->soname);
		hex_addr(a1, sizeof a1, ob->base);
		irt_jw_str(&w, "base", a1);
		irt_jw_str(&w, "loaded", ob->loaded);
		irt_jw_bool(&w, "expected", ob->expected);
		irt_jw_end(&w);
		irt_jw_line(&w);
	}

	/* executable mappings of files that no object accounts for */
	fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	if (fd == -1 || irt_read_fd(&maps, fd, MAPS_MAX) != 0) {
		irt_jw_init(&w, out);
		irt_jw_object(&w, NULL);
		irt_jw_str(&w, "kind", "error");
		irt_jw_str(&w, "file", "/proc/self/maps");
		irt_jw_str(&w, "error", strerror(errno));
		irt_jw_end(&w);
		irt_jw_line(&w);
	}
	if (fd >= 0)
		close(fd);
	for (line = strtok_r(maps.ptr ? maps.ptr : (char *)"", "\n", &save);
	     line != NULL; line = strtok_r(NULL, "\n", &save)) {
		if (parse_maps_line(&m, line) != 0 ||
		    strchr(m.perms, 'x') == NULL)
			continue;
		if (m.path == NULL || m.path[0] == '[') {
			if (m.path == NULL)
				st->exec_anon++;
			continue;
		}
		if (obj_at(&o, m.start) != NULL)
			continue;
		irt_self_note(st, m.path);
		irt_jw_init(&w, out);
		irt_jw_object(&w, NULL);
		irt_jw_str(&w, "kind", "mapping");
		irt_jw_str(&w, "path", m.path);
		hex_addr(a1, sizeof a1, m.start);
		hex_addr(a2, sizeof a2, m.end);
		irt_jw_str(&w, "start", a1);
		irt_jw_str(&w, "end", a2);
		irt_jw_str(&w, "perms", m.perms);
		irt_jw_uint(&w, "inode", m.inode);
		irt_jw_str(&w, "loaded", "unknown");
		irt_jw_bool(&w, "expected", false);
		irt_jw_end(&w);
		irt_jw_line(&w);
	}

	/* where a preload comes from */
	fd = open("/etc/ld.so.preload",
	    O_RDONLY | O_NONBLOCK | O_NOATIME | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1 && errno == EPERM)
		fd = open("/etc/ld.so.preload",
		    O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0) {
		irt_read_fd(&pre, fd, PRELOAD_MAX);
		close(fd);
	}
	irt_jw_init(&w, out);
	irt_jw_object(&w, NULL);
	irt_jw_str(&w, "kind", "summary");
	irt_jw_bool(&w, "static", statik);
	irt_jw_uint(&w, "objects", st->objects);
	irt_jw_uint(&w, "unexpected", st->unexpected);
	irt_jw_array(&w, "unexpected_paths");
	for (i = 0; i < st->npaths; i++)
		irt_jw_str(&w, NULL, st->paths[i]);
	irt_jw_end(&w);
	irt_jw_uint(&w, "exec_anon", st->exec_anon);
	irt_jw_str(&w, "LD_PRELOAD", (env = getenv("LD_PRELOAD")));
	irt_jw_str(&w, "LD_AUDIT", (env = getenv("LD_AUDIT")));
	irt_jw_str(&w, "LD_LIBRARY_PATH", (env = getenv("LD_LIBRARY_PATH")));
	if (fd >= 0)
		jw_list(&w, "ld_so_preload", irt_buf_cstr(&pre));
	else
		irt_jw_null(&w, "ld_so_preload");
	irt_jw_end(&w);
	if (irt_jw_line(&w) != 0)
		rc = irt_error_set(IRT_ENOMEM, "out of memory");
out:
	objs_release(&o);
	irt_buf_release(&maps);
	irt_buf_release(&pre);
	return rc;
}

void
irt_self_note(struct irt_self_stats *st, const char *path)
{
	size_t i;
	char *s, **nv;

	st->unexpected++;
	for (i = 0; i < st->npaths; i++)
		if (strcmp(st->paths[i], path) == 0)
			return;
	if (st->npaths >= IRT_SELF_PATHS_MAX ||
	    (nv = realloc(st->paths, (st->npaths + 1) * sizeof *nv)) == NULL)
		return;
	st->paths = nv;
	if ((s = strdup(path)) == NULL)
		return;
	st->paths[st->npaths++] = s;
}

void
irt_self_stats_release(struct irt_self_stats *st)
{
	size_t i;

	for (i = 0; i < st->npaths; i++)
		free(st->paths[i]);
	free(st->paths);
	st->paths = NULL;
	st->npaths = 0;
}

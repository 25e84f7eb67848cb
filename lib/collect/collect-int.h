/*
 * Internals of irt collect: parallel gzip writer, live response.  Not
 * installed.
 */
#ifndef IRT_COLLECT_INT_H
#define IRT_COLLECT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "irt/buf.h"
#include "irt/collect.h"

/*
 * A gzip writer that cuts its input into blocks, compresses each block
 * as an independent gzip member on worker threads (as pigz does) and
 * writes the members in order to fd.  gzip, tar and libarchive read the
 * concatenated members as one stream.  Computes the SHA-256 of what it
 * writes.
 */
struct irt_pgz;

#define IRT_PGZ_BLOCK (1u << 20)

int irt_pgz_new(struct irt_pgz **out, int fd, int level, int nthreads);
int irt_pgz_write(struct irt_pgz *z, const void *data, size_t len);
/* Flushes everything; sha256 receives the hex digest of the output. */
int irt_pgz_finish(struct irt_pgz *z, char sha256[65], uint64_t *bytes);
void irt_pgz_free(struct irt_pgz *z);

/*
 * A file of a process to copy into the archive: its executable (fd -1)
 * when deleted, a memfd or in a place where users write, or a deleted
 * file it holds open (fd).
 */
struct irt_live_copy {
	int pid;
	int fd;
	const char *why; /* "deleted", "memfd", "location" (static) */
};

struct irt_live_copies {
	struct irt_live_copy *v;
	size_t n, cap;
};

/*
 * Live response: builtins that read /proc (collect-live.c).  Every
 * executable hashed without O_NOATIME (not its owner, no CAP_FOWNER)
 * adds one to *noatime_fallbacks.  When copies is not NULL, the files
 * to copy are added to it (the caller frees copies->v) and named in the
 * lines as live/proc/PID/exe and live/proc/PID/fd/N.
 */
int irt_live_processes(struct irt_buf *out, uint64_t exe_hash_cap,
    uint64_t *noatime_fallbacks, struct irt_live_copies *copies);
int irt_live_sockets(struct irt_buf *out);

/*
 * The hidden builtin: processes the kernel knows of (kill(pid, 0) up to
 * pid_max) that two listings of /proc, one before the probe and one
 * after, both leave out; and mounts over /proc/PID, which hide what
 * /proc says of a process.  One JSON object per line.
 */
int irt_live_hidden(struct irt_buf *out);

/*
 * The parts of it, for tests: the thread group leaders below pid_max
 * that exist but are not set in the bitmap listed (appended to *pids,
 * freed by the caller); their lines; and the lines of the mounts over
 * /proc/PID in mountinfo (the text of /proc/self/mountinfo).
 */
int irt_live_hidden_probe(
    int **pids, size_t *n, const unsigned char *listed, int pid_max);
void irt_live_hidden_lines(struct irt_buf *out, const int *pids, size_t n);
void irt_live_proc_mounts(struct irt_buf *out, const char *mountinfo);

/*
 * host.json for the root open as rootfd (collect-live.c); live is set
 * when root is /.
 */
int irt_host_json(struct irt_buf *out, int rootfd, const char *root, int live,
    const struct irt_collect_opts *o, irt_ns start, char *hostname,
    size_t hostlen, char *machine_id, size_t midlen, char *boot_id,
    size_t bootlen, uint64_t *noatime_fallbacks);

/*
 * Opens the regular file rel (an absolute path inside the root) for
 * reading without changing the host: symbolic links resolve inside the
 * root (openat2 RESOLVE_IN_ROOT; where openat2 is missing, no link is
 * followed), O_NOATIME unless refused (then *noatime_fallbacks, when not
 * NULL, grows by one), O_NONBLOCK so that a FIFO never blocks.  Returns
 * the descriptor, or -1 with errno (EINVAL: not a regular file).
 */
int
irt_root_open_file(int rootfd, const char *rel, uint64_t *noatime_fallbacks);

/* As irt_root_open_file, for a folder (O_DIRECTORY, readable). */
int irt_root_open_dir(int rootfd, const char *rel, uint64_t *noatime_fallbacks);

/*
 * The packages builtin (collect-pkg.c): every file listed in
 * /var/lib/dpkg/info/PACKAGE.md5sums under the root, read inside it with
 * O_NOATIME and checked against its MD5 sum (the diversions of
 * /var/lib/dpkg/diversions followed); one JSON line per changed,
 * missing or unreadable file and per malformed line, then a summary.
 * Changed files that look runnable (ELF, an execute bit, a .so name)
 * are added to copies (at most IRT_PKG_COPIES_MAX) with the descriptor
 * they were read through, for the caller to store as fs/PATH.
 */
#define IRT_PKG_COPIES_MAX 1024u
#define IRT_PKG_COPIES_MAX_TEXT "1024"

struct irt_pkg_copy {
	int fd;
	char *path; /* on the host, resolved inside the root */
	char *package;
};

struct irt_pkg_copies {
	struct irt_pkg_copy *v;
	size_t n, cap;
};

struct irt_pkg_stats {
	uint64_t packages, files, ok, changed, missing, errors, malformed;
};

int irt_live_packages(struct irt_buf *out, int rootfd,
    uint64_t *noatime_fallbacks, struct irt_pkg_copies *copies,
    struct irt_pkg_stats *st, volatile int *cancel);
void irt_pkg_copies_release(struct irt_pkg_copies *c);

/*
 * One line of an md5sums file ("MD5  path", the path relative to /):
 * returns 1 with md5 (lowercase) and path (absolute) set, 0 at the end,
 * -1 for a malformed line (why says what is wrong); lineno counts.
 */
struct irt_pkg_line {
	size_t lineno;
	const char *why;
	char md5[33];
	char path[4096];
};

int
irt_pkg_md5sums_next(struct irt_pkg_line *l, const char **pos, const char *end);

/*
 * /var/lib/dpkg/diversions: triplets of lines (from, to, package); each
 * is handed to each; what is wrong is said in bad.
 */
int irt_pkg_diversions_parse(struct irt_buf *bad, const char *data, size_t len,
    void (*each)(void *arg, const char *from, const char *to, const char *pkg),
    void *arg);

/*
 * The homes of the accounts of /etc/passwd under the root
 * (collect-homes.c), for file entries that start with '~/'.  Each home
 * once, in the order of the file; lines that cannot be read and homes
 * that are not clean absolute paths are left out, the first one said
 * in log.
 */
struct irt_homes {
	char **v;
	size_t n;
};

int irt_homes_load(struct irt_homes *h, int rootfd, uint64_t *noatime_fallbacks,
    struct irt_buf *log);
void irt_homes_release(struct irt_homes *h);

/* One line of a passwd file: 1, 0 at the end, -1 (why) when malformed. */
struct irt_passwd_ent {
	size_t lineno;
	const char *why;
	unsigned long uid, gid;
	char name[256];
	char home[4096];
	char shell[4096];
};

int
irt_passwd_next(struct irt_passwd_ent *e, const char **pos, const char *end);

/*
 * The ssh-keys builtin: the private keys in .ssh/ of every home, one
 * JSON line each, whether a passphrase protects them, never their
 * bytes.  irt_ssh_key_kind tells a key from the start of a file: 1 with
 * format ("openssh", "pem", "pkcs8", "putty"), encrypted (1, 0, -1 for
 * unknown) and the cipher when the file says it; 0 when not a key.
 */
int irt_live_ssh_keys(struct irt_buf *out, int rootfd,
    const struct irt_homes *h, uint64_t *noatime_fallbacks);
int irt_ssh_key_kind(const char *text, const char **format, int *encrypted,
    char *cipher, size_t cipherlen);

/*
 * The containers builtin (collect-containers.c): the containers of
 * Docker (/var/lib/docker/containers/ID/config.v2.json, hostconfig.json),
 * Podman (overlay-containers/containers.json of /var/lib/containers/storage
 * and of ~/.local/share/containers/storage of every home, with each
 * container's OCI config.json) and containerd (the OCI bundles of its
 * tasks under /run/containerd), read from their files inside the root;
 * one JSON object per container, or per file that cannot be read or
 * parsed (with error).
 */
int irt_live_containers(struct irt_buf *out, int rootfd,
    const struct irt_homes *h, uint64_t *noatime_fallbacks);

/*
 * Its parsers, for tests and the fuzz harness: each appends JSON lines to
 * out and returns 0 or IRT_ENOMEM.  path names the file read; hostconfig
 * and pidtext may be NULL; spec_of reads the OCI config.json of a Podman
 * container into spec (0, or non-zero when there is none).
 */
int irt_container_docker(struct irt_buf *out, const char *path,
    const char *config, size_t clen, const char *hostconfig, size_t hlen);
int irt_container_oci(struct irt_buf *out, const char *path, const char *ns,
    const char *id, const char *config, size_t len, const char *pidtext,
    size_t pidlen);
int irt_container_podman(struct irt_buf *out, const char *path,
    const char *home, const char *json, size_t len,
    int (*spec_of)(void *arg, const char *id, struct irt_buf *spec), void *arg);

/*
 * A JSON document of at most 16 MiB, nested at most 64 deep, nothing but
 * blanks after it (json-c); NULL with why set otherwise.  The caller puts
 * the object.
 */
struct json_object;
struct json_object *
irt_ctr_json_parse(const char *text, size_t len, struct irt_buf *why);

/* An absolute path without empty, '.' or '..' components. */
int irt_home_usable(const char *home);

/* The pattern of home + rest ("/.ssh/config") for the file walker,
 * the glob characters of the home escaped. */
void irt_home_pattern(struct irt_buf *out, const char *home, const char *rest);

/*
 * A set of strings (paths already visited, members already reported),
 * open addressing.  pathset_add returns 1 when the string was already
 * there, 0 when added, -1 without memory.
 */
struct irt_pathset {
	char **v;
	size_t cap, n;
};

int irt_pathset_add(struct irt_pathset *ps, const char *s);
int irt_pathset_has(const struct irt_pathset *ps, const char *s);
void irt_pathset_release(struct irt_pathset *ps);

/*
 * The name of a pseudo or network file system type (statfs f_type):
 * "proc", "nfs"...; NULL for a local file system of files.
 */
const char *irt_pseudo_fs(long type);

/*
 * A security.capability value (struct vfs_cap_data, little-endian) as
 * members of the object open in w: revision 1 (12 bytes, 32
 * capabilities), 2 (20 bytes) or 3 (24 bytes, with the root uid of its
 * user namespace) gives revision, permitted and inheritable (names),
 * effective and rootid, and returns 1; anything else gives value_hex
 * (the first 64 bytes) and error, and returns 0.
 */
struct irt_jw;
int irt_cap_decode(struct irt_jw *w, const unsigned char *v, size_t n);

/*
 * The kernel builtin (collect-kernel.c), read inside the root: the
 * taint flags of /proc/sys/kernel/tainted decoded, the loadable modules
 * of /sys/module (an initstate file or a sections folder) that neither
 * of two readings of /proc/modules lists, those /proc/modules lists
 * live and /sys/module lacks, and the modules that carry a taint; one
 * JSON object per line, a summary last.
 */
struct irt_kernel_stats {
	uint64_t proc_modules, sys_module, hidden, tainted_modules, malformed;
	unsigned long long taint;
	int taint_read, proc_modules_read;
};

int irt_live_kernel(struct irt_buf *out, int rootfd,
    uint64_t *noatime_fallbacks, struct irt_kernel_stats *st);

/* One line of /proc/modules: 1 with the fields set, 0 at the end, -1
 * (why) when malformed; lineno counts. */
#define IRT_KMOD_LINE_MAX 4096
#define IRT_KMOD_LINE_MAX_TEXT "4096"

struct irt_kmod_line {
	size_t lineno;
	const char *why;
	char name[64];
	char state[16];
	char taint[32];
	unsigned long long size;
};

int irt_kmod_next(struct irt_kmod_line *l, const char **pos, const char *end);

/* A taint bit of the kernel: its letter, name and meaning. */
struct irt_taint_flag {
	unsigned bit;
	char letter;
	const char *name;
	const char *meaning;
};

/* The flag of bit, NULL for a bit irt does not know. */
const struct irt_taint_flag *irt_taint_flag(unsigned bit);

/* The text of /proc/sys/kernel/tainted: 0 with *value, -1 (why) when
 * it is not one decimal number that fits in 64 bits. */
int irt_taint_parse(
    unsigned long long *value, const char **why, const char *text, size_t len);

/*
 * The self-maps builtin (collect-self.c): every object the dynamic
 * loader has mapped into irt's own process and why (program, loader,
 * vdso, linked, preloaded, runtime), every executable mapping of a file
 * no object accounts for, and a summary with LD_PRELOAD, LD_AUDIT,
 * LD_LIBRARY_PATH and /etc/ld.so.preload.  What irt did not ask for
 * (preloaded objects, unaccounted mappings) is counted in st, its first
 * IRT_SELF_PATHS_MAX paths kept (freed by irt_self_stats_release).
 */
#define IRT_SELF_PATHS_MAX 16

struct irt_self_stats {
	uint64_t objects, unexpected, exec_anon;
	char **paths;
	size_t npaths;
};

int irt_live_self_maps(struct irt_buf *out, struct irt_self_stats *st);
void irt_self_note(struct irt_self_stats *st, const char *path);
void irt_self_stats_release(struct irt_self_stats *st);

/*
 * As root: moves the calling thread into a private copy of the mount
 * namespace whose mounts are all noatime, so that nothing irt reads
 * afterwards (symbolic links included) has its access time updated.
 * Counts the mounts remounted and those that could not be.  Returns 0
 * or a negative errno (not root, no namespace: nothing changed).
 */
int collect_noatime_ns(size_t *remounted, size_t *failed);

/* Undoes the octal escapes of mountinfo (\040 for a space) in place. */
void irt_mountinfo_unoctal(char *s);

/*
 * Process memory (collect-mem.c, irt collect --process-memory).  One
 * line of /proc/PID/maps: returns 1 with the fields set, 0 at the end,
 * -1 for a malformed line (why says what is wrong); lineno counts.
 * Lines over IRT_MAPS_LINE_MAX bytes are malformed; the kernel escapes
 * a newline in a path as "\012".
 */
#define IRT_MAPS_MAX (16u << 20) /* bytes of maps read */
#define IRT_MAPS_LINE_MAX 8192u

struct irt_maps_ent {
	size_t lineno;
	const char *why;
	uint64_t start, end, offset, inode;
	unsigned dev_major, dev_minor;
	char perms[5];
	char path[4096];
};

int irt_maps_next(struct irt_maps_ent *m, const char **pos, const char *end);

/* NULL when the mapping is read, else why not: not readable, [vvar],
 * [vsyscall], a device's memory, beyond what pread reaches. */
const char *irt_maps_skip(const struct irt_maps_ent *m);

/* A mapping handed to the caller: read (its bytes in a file) or not. */
struct irt_pmem_region {
	const struct irt_maps_ent *m; /* why set: a malformed line */
	int read;
	uint64_t stored;     /* bytes in the file */
	uint64_t unreadable; /* of them, zeros for pages not readable */
	int truncated;       /* the cap cut it or left it out */
	char error[256];     /* or "" */
};

struct irt_pmem_ops {
	/* the maps text as read (at most IRT_MAPS_MAX bytes) */
	int (*maps)(void *arg, const char *text, size_t len, int truncated);
	/* each line of maps in order; fd holds the r->stored bytes of a
	 * mapping read from offset 0, -1 when not read */
	int (*region)(void *arg, const struct irt_pmem_region *r, int fd);
};

struct irt_pmem_stats {
	uint64_t mappings, read, stored, unreadable, malformed;
	int gone;      /* no such process, or it exited */
	int failed;    /* cannot be read (permission...), reader broken */
	int timed_out; /* the reader was killed at the timeout */
	int cap_reached, maps_truncated;
	char reason[256]; /* what went wrong, or "" */
};

/*
 * Reads the maps of pid and then its readable mappings, at most cap
 * bytes in all, in a forked child killed when it sends nothing for
 * timeout seconds (or at *cancel); the bytes of each mapping go to
 * tmpfd (truncated first) before ops->region.  Problems with the
 * process are in st; returns 0, or an error of a callback or of the
 * system (out of memory, tmpfd not writable).
 */
int irt_pmem_collect(struct irt_pmem_stats *st, int pid, uint64_t cap,
    double timeout, int tmpfd, const struct irt_pmem_ops *ops, void *arg,
    volatile int *cancel);

/* For tests: the reader child sleeps secs before it reads (0: not). */
void irt_pmem_test_stall(unsigned secs);

/* The lines of live/proc/PID/mem.jsonl: one per line of maps, then a
 * summary. */
int irt_pmem_index_line(struct irt_buf *out, const struct irt_pmem_region *r,
    const char *apath, const char *sha256);
int irt_pmem_index_summary(struct irt_buf *out, int pid, uint64_t cap,
    const struct irt_pmem_stats *st);

#endif

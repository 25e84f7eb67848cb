/*
 * Evidence collection: a triage archive of a live host (irt-collect(1)).
 *
 * The archive is a pax tar compressed as concatenated gzip members:
 *   fs/<absolute path>   collected files, symlinks and directories
 *   live/<name>          live-response output
 *   irt/host.json, irt/bodyfile, irt/collection.log,
 *   irt/manifest.jsonl, irt/manifest.sha256 (last)
 * and beside it <archive>.sha256.  irt/manifest.sha256 lists every
 * member but itself; the sidecar covers the whole file.
 */
#ifndef IRT_COLLECT_H
#define IRT_COLLECT_H

#include "common.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "profile.h"
#include "timefmt.h"

/*
 * The comment line of irt/manifest.sha256 before its lines for the irt/
 * files: it lists every member of the archive but itself.  Archives of
 * irt before it covered only fs/, live/ and irt/host.json.
 */
#define IRT_COLLECT_COVERS_ALL                                                 \
	"# irt: this file lists every member of the archive but itself"

/* Entry statuses in the manifest. */
enum irt_collect_status {
	IRT_ST_OK,
	IRT_ST_CHANGED,
	IRT_ST_TRUNCATED,
	IRT_ST_SKIPPED,
	IRT_ST_ERROR,
	IRT_ST_COUNT
};

IRT_EXTERN const char *irt_collect_status_name(enum irt_collect_status st);

/* A sparse file larger than this gets no whole-file hash (it would take
 * minutes of hashing zeros); its stored data extents are hashed. */
#define IRT_COLLECT_SPARSE_HASH_MAX (8ULL << 30)

/*
 * The default gzip level: 4 costs a third of the CPU time of gzip's 6
 * for archives some 5% larger, which is the better trade on a host
 * under investigation.
 */
#define IRT_COLLECT_LEVEL 4

/* The default number of compression threads is the number of online
 * CPUs up to this. */
#define IRT_COLLECT_THREADS_MAX 8

/* Output kept per live command. */
#define IRT_COLLECT_LIVE_MAX (16u << 20)
#define IRT_COLLECT_LIVE_ERR_MAX (1u << 20) /* standard error */

/* Bytes read from a file that reports size 0 (/proc). */
#define IRT_COLLECT_ZERO_SIZE_MAX (16u << 20)

/*
 * The processes builtin copies suspicious executables and deleted files
 * still open (live/proc/PID/exe, live/proc/PID/fd/N): at most this many
 * bytes of each, and this many bytes in all.
 */
#define IRT_COLLECT_PROC_COPY_MAX (64ULL << 20)
#define IRT_COLLECT_PROC_COPIES_MAX (1ULL << 30)

struct irt_collect_progress {
	uint64_t files;
	uint64_t bytes;
	const char *path;  /* current path (untrusted), may be NULL */
	const char *phase; /* "live", "files", "finish" */
};

typedef void (*irt_collect_progress_cb)(
    const struct irt_collect_progress *p, void *arg);

/* --process-memory: the default cap of each process, the largest PID */
#define IRT_COLLECT_PMEM_MAX (512ULL << 20)
#define IRT_COLLECT_PID_MAX 4194304

/* What became of the memory of one process. */
struct irt_collect_pmem {
	int pid;
	enum irt_collect_status st; /* ok, truncated (the cap), changed
	                             * (no such process, exited), error */
	uint64_t mappings, read, stored, unreadable;
	bool timed_out;
	char reason[256]; /* or "" */
};

struct irt_collect_opts {
	const struct irt_profile *profile;
	const char *root;       /* NULL or "/": the live host */
	const char *output;     /* the archive's path (required) */
	uint64_t max_file_size; /* 0: the profile's */
	uint64_t max_total;     /* 0: none */
	bool has_since;
	irt_ns since;   /* files with mtime or ctime older are skipped */
	double timeout; /* live default, seconds (0: 30) */
	bool no_live;
	unsigned hashes;            /* IRT_HASH_* mask; SHA-256 is always on */
	const char *const *exclude; /* NULL-terminated, may be NULL */
	char *const *argv;          /* the command line, for host.json */
	const char *responder;      /* "Name <mail>" */
	int threads; /* compression threads; 0: online CPUs, at most
	              * IRT_COLLECT_THREADS_MAX */
	int level;   /* gzip level; 0: IRT_COLLECT_LEVEL */
	irt_collect_progress_cb progress;
	void *arg;
	volatile int *cancel;
	/* processes whose memory to store (live only), and the bytes of
	 * each at most (0: IRT_COLLECT_PMEM_MAX) */
	const int *pids;
	size_t npids;
	uint64_t max_process_memory;
};

struct irt_collect_result {
	char *archive; /* the final path */
	char sha256[65];
	uint64_t size;
	irt_ns start, end;
	char hostname[256];
	char machine_id[64];
	char boot_id[64];
	uint64_t counts[IRT_ST_COUNT];
	uint64_t entries;
	uint64_t bytes; /* file and live bytes stored */
	/* files and folders read without O_NOATIME (not their owner, no
	 * CAP_FOWNER): their access time may have changed */
	uint64_t noatime_fallbacks;
	/* the self-maps builtin ran: libraries and mappings irt's own
	 * process has that it did not ask for (a preload), the first
	 * paths of them */
	bool self_checked;
	uint64_t self_unexpected;
	char **self_paths;
	size_t self_npaths;
	/* one for each of opts->pids */
	struct irt_collect_pmem *pmem;
	size_t npmem;
};

/*
 * Runs a collection into opts->output (written as <output>.part, renamed
 * when complete) and writes <output>.sha256.  Problems with single files
 * are recorded in the manifest and do not fail the collection.  An
 * existing output or sidecar (a symbolic link too) is IRT_EEXISTS; one
 * that appears during the collection is never replaced: IRT_EEXISTS, the
 * archive kept as <output>.part.
 */
IRT_EXTERN int irt_collect(
    struct irt_collect_result *res, const struct irt_collect_opts *opts);

IRT_EXTERN void irt_collect_result_release(struct irt_collect_result *res);

/* The default archive name, <hostname>-<YYYYmmddTHHMMSSZ>.tar.gz. */
IRT_EXTERN int
irt_collect_default_name(char **out, const char *root, irt_ns when);

/*
 * The stat pass (the statpass builtin, irt collect --bodyfile): every
 * local file system under the root open as rootfd, walked without
 * following a symbolic link, crossing into other local file systems and
 * leaving out pseudo and network ones (counted), never opening a FIFO or
 * a device, folders and files read with O_NOATIME.  Writes a Sleuth Kit
 * 3.x bodyfile of every entry to body_fd and, when findings_fd is not
 * -1, one JSON object per line of what it found (set-id files, file
 * capabilities, immutable and append-only entries, executables in
 * world-writable folders, the SHA-256 of every ELF file under the
 * usual bin and lib folders, the parts it could not walk) and a summary
 * last.  cancel, when set, stops it (IRT_EABORT).
 */
struct irt_statpass_opts {
	int rootfd;
	int body_fd;
	int findings_fd;
	volatile int *cancel;
};

struct irt_statpass_stats {
	uint64_t entries, dirs, files, symlinks, other;
	uint64_t not_walked; /* pseudo and network file systems */
	uint64_t unreadable, too_deep, loops, vanished, errors;
	uint64_t setid, capabilities, immutable, world_writable_exec, elf;
	uint64_t noatime_fallbacks;
	uint64_t body_bytes;
};

/* The depth below the root the stat pass walks to. */
#define IRT_STATPASS_MAX_DEPTH 128
/* ELF files larger than this are listed without a hash. */
#define IRT_STATPASS_ELF_MAX (512ULL << 20)

IRT_EXTERN int irt_statpass(
    struct irt_statpass_stats *st, const struct irt_statpass_opts *opts);

#endif

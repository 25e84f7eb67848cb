/*
 * A host command whose output is read through a pipe as it comes, for
 * the static irt, which runs the host's journalctl where a dynamic one
 * would open a library.  The command is bounded: killed with its process
 * group when it writes nothing for idle_timeout seconds or more than
 * max_output bytes, so that a stalled or looping command never hangs irt.
 */
#ifndef IRT_CMDPIPE_H
#define IRT_CMDPIPE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct irt_cmdpipe;

struct irt_cmdpipe_opts {
	double idle_timeout; /* seconds without output; 0 for none */
	uint64_t max_output; /* bytes on stdout; 0 for no bound */
};

/*
 * The path of the command name: the first absolute directory of $PATH
 * that holds it as an executable regular file, else /usr/bin, /bin,
 * /usr/sbin or /sbin.  0, or IRT_ENOTFOUND (no error message set).
 */
int irt_which(char *out, size_t outlen, const char *name);

/*
 * Starts argv (argv[0] a path, as irt_which gives it) in a process
 * group of its own, stdin empty, stdout to the pipe, stderr kept for the
 * message of irt_cmdpipe_close.
 */
int irt_cmdpipe_open(struct irt_cmdpipe **out, char *const argv[],
    const struct irt_cmdpipe_opts *opts);

/*
 * Up to n bytes of its output: their number, 0 at the end, -1 with the
 * irt error set when it was killed (no output in time, too much) or the
 * pipe failed.
 */
ssize_t irt_cmdpipe_read(struct irt_cmdpipe *p, void *buf, size_t n);

/*
 * Ends it (killed when its output was not read to the end, or when it
 * does not exit within idle_timeout after) and frees p.  0 when it
 * exited 0; else an error with its status and the first line it wrote
 * to stderr, or why it was killed.
 */
int irt_cmdpipe_close(struct irt_cmdpipe *p);

#endif

/*
 * Reading without leaving access times behind, where O_NOATIME cannot:
 * the kernel updates a symbolic link's access time whenever its target
 * is read, whatever the flags, unless the mount it is on says noatime.
 * As root, irt collect moves its thread (and the threads and commands it
 * starts afterwards) into a mount namespace of its own, a copy of the
 * host's, and remounts each mount of that copy noatime, keeping its
 * other flags.  The host's own mounts are left as they are.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "collect-int.h"
#include "irt/buf.h"

#define MOUNTINFO_MAX (64u << 20)

/* The per-mount flags of a mountinfo options field, atime ones left out. */
static unsigned long
mount_flags(const char *opts)
{
	static const struct {
		const char *name;
		unsigned long flag;
	} known[] = { { "ro", MS_RDONLY }, { "nosuid", MS_NOSUID },
		{ "nodev", MS_NODEV }, { "noexec", MS_NOEXEC } };
	unsigned long flags = 0;
	size_t i, len;

	while (*opts != '\0') {
		len = strcspn(opts, ",");
		for (i = 0; i < sizeof known / sizeof known[0]; i++)
			if (strlen(known[i].name) == len &&
			    memcmp(known[i].name, opts, len) == 0)
				flags |= known[i].flag;
		opts += len;
		if (*opts == ',')
			opts++;
	}
	return flags;
}

/*
 * One mountinfo line: "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS
 * [OPTIONAL...] - FSTYPE SOURCE SUPEROPTIONS".  Remounts MOUNTPOINT
 * noatime; autofs points are left alone (touching one mounts it).
 */
static int
remount_line(char *line)
{
	char *field[6], *p = line, *sep;
	int i;

	for (i = 0; i < 6; i++) {
		field[i] = p;
		if ((p = strchr(p, ' ')) == NULL)
			return -1;
		*p++ = '\0';
	}
	if ((sep = strstr(p, "- ")) == NULL)
		return -1;
	if (strncmp(sep + 2, "autofs ", 7) == 0)
		return 0;
	irt_mountinfo_unoctal(field[4]);
	if (mount(NULL, field[4], NULL,
	        MS_REMOUNT | MS_BIND | MS_NOATIME | mount_flags(field[5]),
	        NULL) != 0)
		return -1;
	return 1;
}

int
collect_noatime_ns(size_t *remounted, size_t *failed)
{
	struct irt_buf b = IRT_BUF_INIT;
	char chunk[65536], *line, *nl;
	ssize_t n;
	int fd, rc;

	*remounted = *failed = 0;
	if (geteuid() != 0)
		return -EPERM;
	if (unshare(CLONE_NEWNS) != 0)
		return -errno;
	/* nothing done in this copy reaches the host's mounts */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
		return -errno;
	if ((fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	while ((n = read(fd, chunk, sizeof chunk)) > 0 &&
	    b.len + (size_t)n <= MOUNTINFO_MAX)
		irt_buf_put(&b, chunk, (size_t)n);
	close(fd);
	if (irt_buf_putc(&b, '\0') != 0) {
		irt_buf_release(&b);
		return -ENOMEM;
	}
	for (line = b.ptr; *line != '\0'; line = nl + 1) {
		if ((nl = strchr(line, '\n')) == NULL)
			break;
		*nl = '\0';
		if ((rc = remount_line(line)) > 0)
			(*remounted)++;
		else if (rc < 0)
			(*failed)++;
	}
	irt_buf_release(&b);
	return 0;
}

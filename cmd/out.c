/*
 * Output helpers of the irt binary: diagnostics on stderr, data on stdout,
 * untrusted text escaped, standard input, SIGINT.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "irt.h"

volatile int irt_interrupted;

static void
on_sigint(int sig)
{
	(void)sig;
	irt_interrupted = 1;
}

void
irt_sigint_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
}

void
irt_err(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("irt: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void
irt_warn(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("irt: warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int
irt_fail(void)
{
	irt_err("%s", irt_error_last());
	return EXIT_FAIL;
}

int
irt_out(const struct irt_buf *b)
{
	if (b->len > 0 && fwrite(b->ptr, 1, b->len, stdout) != b->len) {
		irt_err("cannot write to standard output: %s", strerror(errno));
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

int
irt_read_stdin(struct irt_buf *b)
{
	char tmp[65536];
	ssize_t n;

	for (;;) {
		n = read(STDIN_FILENO, tmp, sizeof tmp);
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return irt_error_sys(
			    IRT_EIO, errno, "cannot read standard input");
		}
		if (irt_buf_put(b, tmp, (size_t)n) != 0)
			return IRT_ENOMEM;
	}
	return b->ptr == NULL ? irt_buf_grow(b, 0) : 0;
}

void
irt_print_esc(FILE *fp, const char *s)
{
	fputs(irt_esc(s), fp);
}

int
irt_help(const char *usage, bool error)
{
	fputs(usage, error ? stderr : stdout);
	return error ? EXIT_USAGE : EXIT_OK;
}

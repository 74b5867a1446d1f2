/* vfsrun's COMMAND, found and run (see command.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "command.h"

void fail(int status, const char *fmt, ...)
{
	va_list ap;
	fputs("vfsrun: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(status);
}

void resolve_command(const char *cmd, char *out, size_t n)
{
	if (strchr(cmd, '/')) {
		if (access(cmd, F_OK) != 0)
			fail(EXIT_NOT_FOUND, "%s: %s", cmd, strerror(errno));
		snprintf(out, n, "%s", cmd);
		return;
	}
	const char *path = getenv("PATH");
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (const char *p = path;;) {
		size_t len = strcspn(p, ":");
		char cand[PATH_MAX];
		snprintf(cand, sizeof cand, "%.*s%s%s", (int)len, len ? p : ".", "/", cmd);
		struct stat st;
		if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) && access(cand, X_OK) == 0) {
			snprintf(out, n, "%s", cand);
			return;
		}
		if (!p[len])
			break;
		p += len + 1;
	}
	fail(EXIT_NOT_FOUND, "%s: command not found", cmd);
}

void exec_in_view(char **cmd)
{
	char file[PATH_MAX];
	resolve_command(cmd[0], file, sizeof file);
	execv(file, cmd);  /* a static program: the view starts it with lazypoline-loader */
	int e = errno;
	fail(e == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_RUN, "%s: %s", cmd[0], strerror(e));
}

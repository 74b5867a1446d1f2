/* vfsrun's COMMAND: found as execvp finds it and run, with vfsrun's
 * messages and exit statuses.  Shared by vfsrun and by
 * lazypoline-vfs-loader, which does vfsrun's second stage (COMMAND looked
 * up in the view) where it is installed beside libvfs.so. */
#ifndef LP_BOOTSTRAP_COMMAND_H
#define LP_BOOTSTRAP_COMMAND_H

#include <stddef.h>

#define EXIT_FAIL 125
#define EXIT_CANNOT_RUN 126
#define EXIT_NOT_FOUND 127

/* "vfsrun: " and the message on stderr, then exit(STATUS). */
void fail(int status, const char *fmt, ...) __attribute__((noreturn, format(printf, 2, 3)));
/* The file execvp would run for CMD, into OUT; or exit 127 as the shell
 * would. */
void resolve_command(const char *cmd, char *out, size_t n);
/* CMD run in the view this process is in (its exec is the view's). */
void exec_in_view(char **cmd) __attribute__((noreturn));

#endif

/* vfs-stress DIR: threads open, stat, dup and close files in DIR (a path
 * in the view) while a timer signal's handler does the same, a child is
 * forked now and then, and two threads posix_spawn (vfork-style children,
 * each opening a file in the view for the program) at once.  Checks every
 * result; a deadlock shows as the runner's timeout. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *dir;
static volatile int stop;
static volatile long errors, handler_runs;

static void check_file(void)
{
	char p[4096], buf[16];
	snprintf(p, sizeof p, "%s/file", dir);
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		errors++;
		return;
	}
	int d = dup(fd);
	if (read(d, buf, 6) != 6 || memcmp(buf, "hello\n", 6))
		errors++;
	char link[64], target[4096];
	snprintf(link, sizeof link, "/proc/self/fd/%d", d);
	ssize_t n = readlink(link, target, sizeof target - 1);
	if (n < 0 || (target[n] = 0, strcmp(target, p)))
		errors++;
	close(d);
	close(fd);
	struct stat st;
	if (stat(p, &st) || st.st_size != 6)
		errors++;
}

static void on_alarm(int sig)
{
	(void)sig;
	check_file();
	handler_runs++;
}

static void *worker(void *arg)
{
	(void)arg;
	while (!stop)
		check_file();
	return NULL;
}

/* cat DIR/file with its stdout on DIR/out-N, opened in the vfork child */
static void *spawner(void *arg)
{
	long n = (long)arg;
	char file[4096], out[4096];
	snprintf(file, sizeof file, "%s/file", dir);
	snprintf(out, sizeof out, "%s/out-%ld", dir, n);
	for (int i = 0; i < 30; i++) {
		posix_spawn_file_actions_t fa;
		posix_spawn_file_actions_init(&fa);
		posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		char *args[] = { "cat", file, NULL };
		pid_t pid;
		int status;
		if (posix_spawn(&pid, "/bin/cat", &fa, NULL, args, environ) ||
		    waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
			errors++;
		posix_spawn_file_actions_destroy(&fa);
		struct stat st;
		if (stat(out, &st) || st.st_size != 6)
			errors++;
	}
	unlink(out);
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	dir = argv[1];
	struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
	sigaction(SIGALRM, &sa, NULL);
	struct itimerval it = { { 0, 500 }, { 0, 500 } };
	setitimer(ITIMER_REAL, &it, NULL);
	pthread_t t[4];
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, worker, NULL);
	pthread_t sp[2];
	for (long i = 0; i < 2; i++)
		pthread_create(&sp[i], NULL, spawner, (void *)i);
	for (int i = 0; i < 20; i++) {
		pid_t pid = fork();
		if (pid == 0) {
			check_file();
			_exit(errors ? 1 : 0);
		}
		int status;
		while (waitpid(pid, &status, 0) < 0)
			;
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			errors++;
		for (int k = 0; k < 50; k++)
			check_file();
	}
	for (int i = 0; i < 2; i++)
		pthread_join(sp[i], NULL);
	stop = 1;
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	struct itimerval off = { { 0, 0 }, { 0, 0 } };
	setitimer(ITIMER_REAL, &off, NULL);
	if (errors || !handler_runs) {
		fprintf(stderr, "vfs-stress: %ld errors, %ld handler runs\n", errors, handler_runs);
		return 1;
	}
	return 0;
}

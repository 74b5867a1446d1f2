/* pthread_cancel of threads blocked in syscalls: the cancellation unwinds
 * from the signal handler through the interrupted frames, which may be the
 * interposer's; cleanup handlers must run and join must see the cancel. */
#define _GNU_SOURCE
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static int fds[2];
static volatile int cleaned;

static void cleanup(void *arg)
{
	(void)arg;
	__atomic_add_fetch(&cleaned, 1, __ATOMIC_SEQ_CST);
}

static void *reader(void *arg)
{
	pthread_cleanup_push(cleanup, NULL);
	char c;
	if (arg)
		poll(&(struct pollfd){ .fd = fds[0], .events = POLLIN }, 1, -1);
	else if (read(fds[0], &c, 1) < 0)
		perror("read");
	pthread_cleanup_pop(0);
	return NULL;
}

int main(void)
{
	if (pipe(fds) < 0)
		return 2;
	int bad = 0;
	for (int round = 0; round < 20; round++) {
		pthread_t t;
		pthread_create(&t, NULL, reader, (void *)(long)(round & 1));
		usleep(2000);
		pthread_cancel(t);
		void *r;
		pthread_join(t, &r);
		if (r != PTHREAD_CANCELED) {
			printf("cancel: round %d: thread not cancelled\n", round);
			bad = 1;
		}
	}
	if (cleaned != 20) {
		printf("cancel: %d cleanup handlers ran, expected 20\n", cleaned);
		bad = 1;
	}
	printf("cancel: %s\n", bad ? "FAILED" : "20 blocked threads cancelled");
	return bad;
}

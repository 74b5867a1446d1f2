/* rawcat FILE: prints FILE with raw `syscall` instructions -- no libc at
 * all (linked with -nostdlib, started by ld.so so that LD_PRELOAD still
 * applies).  The view must catch these too. */
#include <fcntl.h>
#include <sys/syscall.h>

static long raw(long nr, long a, long b, long c)
{
	long r;
	__asm__ volatile("syscall" : "=a"(r) : "a"(nr), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
	return r;
}

__attribute__((used)) static void run(long *sp)
{
	int argc = (int)sp[0];
	char **argv = (char **)(sp + 1);
	int status = 2;
	if (argc == 2) {
		long fd = raw(SYS_openat, AT_FDCWD, (long)argv[1], O_RDONLY);
		status = fd < 0 ? 1 : 0;
		char buf[4096];
		long n;
		while (fd >= 0 && (n = raw(SYS_read, fd, (long)buf, sizeof buf)) > 0)
			raw(SYS_write, 1, (long)buf, n);
	}
	raw(SYS_exit_group, status, 0, 0);
}

/* the kernel's initial stack: argc, argv... */
__asm__(".globl _start\n_start:\n\tmov %rsp, %rdi\n\tand $-16, %rsp\n\tcall run\n\thlt\n");

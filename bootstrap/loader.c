/* lazypoline-loader: start an ELF program inside this process, as the
 * kernel's execve would, so that it runs under the interposer that
 * libbootstrap.so started here.
 *
 *   lazypoline-loader FILE EXECFN ARGV0 [ARGS...]
 *
 * The VFS runs it for a program whose ELF interpreter the view moves (the
 * guest's own ld.so in a whole-root view: it must find the guest's
 * libraries, and it opens them before any LD_PRELOAD library runs) and
 * for statically linked programs (which LD_PRELOAD cannot reach).  FILE
 * and its PT_INTERP are opened here, i.e. in the view.  The program gets
 * a fresh initial stack (argv, environ, auxv) and starts at its
 * interpreter's entry, or its own; this process's libc is never used
 * again, and the interposer does not depend on it.  Built twice: as a
 * dynamic program that libbootstrap.so interposes, and static with the
 * view linked in (lazypoline-vfs-loader, below). */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#ifdef __GLIBC__
#include <sys/rseq.h>
#endif
#include <sys/syscall.h>
#include <unistd.h>

#include "../interposer/lp_bootstrap.h"  /* struct lp_object */
#ifdef LOADER_WITH_VFS
#include <limits.h>

#include "../interposer/lazypoline.h"
#include "environ.h"
#endif

#include "command.h"  /* its exit statuses; exec_in_view in lazypoline-vfs-loader */

/* Read by libbootstrap.so: this process's libc is never used by the
 * program it starts, so the interposer may share it (dlopen) instead of
 * loading a libc of its own (dlmopen) -- a second libc is about a tenth
 * of the time an exec costs in a whole-root view. */
__attribute__((used, visibility("default"))) const int lazypoline_loader_shares_libc = 1;

extern char **environ;

/* Large zeroed statics after .bss, as LP_APART (interposer/lp_internal.h). */
#define LOADER_APART __attribute__((section(".lbss")))

#ifdef LOADER_WITH_VFS
static const char *prog_name = "lazypoline-vfs-loader";
#else
static const char *prog_name = "lazypoline-loader";
#endif

static void die(const char *file, const char *why) __attribute__((noreturn));
static void die(const char *file, const char *why)
{
	fprintf(stderr, "%s: %s: %s\n", prog_name, file, why);
	exit(EXIT_CANNOT_RUN);
}

struct image {
	uintptr_t bias;   /* load address - link address */
	uintptr_t entry;
	uintptr_t phdr;   /* its program headers, in memory */
	int phnum;
	struct lp_object obj;  /* what its PT_LOAD segments span, its unwind tables */
	uintptr_t dynamic;     /* 0: none */
	char interp[4096];
};

/* The syscalls of loading, -errno on failure.  lazypoline-vfs-loader has
 * started the interposer by then, which traps this program's own libc:
 * it makes them through the runtime's gate instead, untrapped (the view's
 * paths are resolved by vfs_loader_open). */
#ifdef LOADER_WITH_VFS
long vfs_loader_open(const char *path);
extern char vfs_loader_self[PATH_MAX];
#define loader_open(path) vfs_loader_open(path)
#define loader_syscall lp_syscall
#else
static long loader_open(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}
static long loader_syscall(long nr, long a, long b, long c, long d, long e, long f)
{
	long r = syscall(nr, a, b, c, d, e, f);
	return r == -1 ? -errno : r;
}
#endif
#define loader_sys(nr, a, b, c, d, e, f) \
	loader_syscall(nr, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))

static long loader_pread(int fd, void *buf, size_t n, off_t off)
{
	return loader_sys(SYS_pread64, fd, buf, n, off, 0, 0);
}

/* where it was mapped, or -errno (user addresses are below 2^47) */
static long loader_mmap(uintptr_t addr, size_t len, int prot, int flags, int fd, off_t off)
{
	return loader_sys(SYS_mmap, addr, len, prot, flags, fd, off);
}

static uintptr_t page_down(uintptr_t a)
{
	return a & ~(uintptr_t)(getpagesize() - 1);
}

static uintptr_t page_up(uintptr_t a)
{
	return page_down(a + (uintptr_t)getpagesize() - 1);
}

static int prot_of(uint32_t flags)
{
	return (flags & PF_R ? PROT_READ : 0) | (flags & PF_W ? PROT_WRITE : 0) | (flags & PF_X ? PROT_EXEC : 0);
}

/* Map FILE's PT_LOAD segments as the kernel's ELF loader does: a
 * position-independent image anywhere, a fixed one at its addresses. */
static void load(const char *file, struct image *im)
{
	long lfd = loader_open(file);
	if (lfd < 0)
		die(file, strerror((int)-lfd));
	int fd = (int)lfd;
	Elf64_Ehdr eh;
	if (loader_pread(fd, &eh, sizeof eh, 0) != (long)sizeof eh || memcmp(eh.e_ident, ELFMAG, SELFMAG))
		die(file, "not an ELF file");
	if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_machine != EM_X86_64)
		die(file, "not an x86-64 program");
	if ((eh.e_type != ET_EXEC && eh.e_type != ET_DYN) || eh.e_phentsize != sizeof(Elf64_Phdr) ||
	    eh.e_phnum == 0 || eh.e_phnum > 256)
		die(file, "not an ELF program");
	static Elf64_Phdr ph[256] LOADER_APART;  /* not on the stack: 14 KiB of it, a page fault per page */
	size_t phsize = eh.e_phnum * sizeof *ph;
	if (loader_pread(fd, ph, phsize, (off_t)eh.e_phoff) != (long)phsize)
		die(file, "truncated program headers");
	uintptr_t lo = UINTPTR_MAX, hi = 0;
	im->interp[0] = 0;
	for (int i = 0; i < eh.e_phnum; i++) {
		if (ph[i].p_type == PT_INTERP) {
			if (ph[i].p_filesz < 2 || ph[i].p_filesz > sizeof im->interp ||
			    loader_pread(fd, im->interp, ph[i].p_filesz, (off_t)ph[i].p_offset) != (long)ph[i].p_filesz ||
			    im->interp[ph[i].p_filesz - 1])
				die(file, "bad PT_INTERP");
		}
		if (ph[i].p_type != PT_LOAD)
			continue;
		if (page_down(ph[i].p_vaddr) < lo)
			lo = page_down(ph[i].p_vaddr);
		if (ph[i].p_vaddr + ph[i].p_memsz > hi)
			hi = ph[i].p_vaddr + ph[i].p_memsz;
	}
	if (hi <= lo)
		die(file, "no loadable segment");
	/* one reservation for the whole span keeps the segments together */
	int fixed = eh.e_type == ET_EXEC ? MAP_FIXED_NOREPLACE : 0;
	long span = loader_mmap(fixed ? lo : 0, page_up(hi) - lo, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | fixed, -1, 0);
	if (span < 0)
		die(file, fixed ? "its fixed addresses are taken in this process" : strerror((int)-span));
	im->bias = (uintptr_t)span - lo;
	im->obj = (struct lp_object){ .start = im->bias + lo, .end = im->bias + hi };
	im->dynamic = 0;
	im->phdr = 0;
	for (int i = 0; i < eh.e_phnum; i++) {
		const Elf64_Phdr *p = &ph[i];
		if (p->p_type != PT_LOAD || p->p_memsz == 0)
			continue;
		uintptr_t start = page_down(im->bias + p->p_vaddr);
		uintptr_t file_end = im->bias + p->p_vaddr + p->p_filesz;
		uintptr_t mem_end = page_up(im->bias + p->p_vaddr + p->p_memsz);
		int prot = prot_of(p->p_flags);
		bool bss = p->p_memsz > p->p_filesz;
		if (p->p_filesz) {
			size_t len = file_end - start;
			long r = loader_mmap(start, len, prot | (bss ? PROT_WRITE : 0), MAP_PRIVATE | MAP_FIXED, fd,
					     (off_t)page_down(p->p_offset));
			if (r < 0)
				die(file, strerror((int)-r));
			if (bss && (file_end & (uintptr_t)(getpagesize() - 1)))
				memset((void *)file_end, 0, page_up(file_end) - file_end);
			if (bss && !(prot & PROT_WRITE))
				loader_sys(SYS_mprotect, start, page_up(file_end) - start, prot, 0, 0, 0);
		}
		uintptr_t anon = p->p_filesz ? page_up(file_end) : start;
		long r = mem_end > anon ? loader_mmap(anon, mem_end - anon, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0)
					: 0;
		if (r < 0)
			die(file, strerror((int)-r));
		if (eh.e_phoff >= p->p_offset && eh.e_phoff + phsize <= p->p_offset + p->p_filesz)
			im->phdr = im->bias + p->p_vaddr + (eh.e_phoff - p->p_offset);
	}
	for (int i = 0; i < eh.e_phnum; i++)
		if (ph[i].p_type == PT_PHDR)
			im->phdr = im->bias + ph[i].p_vaddr;
		else if (ph[i].p_type == PT_GNU_EH_FRAME)
			im->obj.eh_frame_hdr = (const uint8_t *)(im->bias + ph[i].p_vaddr);
		else if (ph[i].p_type == PT_DYNAMIC)
			im->dynamic = im->bias + ph[i].p_vaddr;
	if (!im->phdr)
		die(file, "its program headers are not loaded");
#ifdef LOADER_WITH_VFS
	if (!im->obj.eh_frame_hdr)  /* no table of its functions: the runtime walks .eh_frame */
		lp_object_find_eh_frame(fd, im->bias, &im->obj);
#endif
	im->phnum = eh.e_phnum;
	im->entry = im->bias + eh.e_entry;
	loader_sys(SYS_close, fd, 0, 0, 0, 0, 0);
}

/* This thread's rseq area belongs to this process's libc, which is done:
 * the program's libc registers its own (musl registers none). */
static void rseq_unregister(void)
{
#if defined(__GLIBC__) && defined(RSEQ_SIG)
	if (__rseq_size) {
		char *tp;
		__asm__("mov %%fs:0, %0" : "=r"(tp));
		char *area = tp + __rseq_offset;
		for (unsigned len = 32; len >= 20; len -= 12)  /* the length it registered: 32, else 20 */
			if (loader_sys(SYS_rseq, area, len, 1 /* RSEQ_FLAG_UNREGISTER */, RSEQ_SIG, 0, 0) == 0)
				break;
	}
#endif
}

#ifdef LOADER_WITH_VFS
/* The entry point (-e loader_entry): the start's relocation of this
 * static-pie writes every page from .init_array to .data, each a
 * copy-on-write fault of a file page, it writes most of .bss (musl's and
 * the runtime's small variables), and the start of the runtime and the
 * view uses up to 13 pages of stack below the kernel's; one
 * MADV_POPULATE_WRITE each maps them.  The start also runs code and reads
 * constants spread over the whole read-only part (relocations, musl's
 * start, the runtime, the view): a fault per 64 KiB touched; one
 * MADV_POPULATE_READ maps it all from the page cache instead.  Where a
 * fault costs 9-12 us (a VM with shadow page tables) a populated page
 * costs 0.35 us; where a fault costs 2 us, about as much as populating.
 * Each is best effort (EINVAL before Linux 5.14).  Then musl's _start
 * (rcrt1.o), which reads only rsp (rdx is kept all the same; rax, rcx,
 * rsi, rdi, r8 and r11 are changed). */
#define STACK_POPULATE "53248"  /* 13 pages */
__asm__(".pushsection .text\n"
	".globl loader_entry\n"
	".type loader_entry, @function\n"
	"loader_entry:\n"
	"	mov %rdx, %r8\n"              /* rdx: the dynamic linker's fini (none here) */
	"	lea __executable_start(%rip), %rdi\n"
	"	lea __init_array_start(%rip), %rsi\n"
	"	and $-4096, %rsi\n"          /* the read-only segments end there */
	"	sub %rdi, %rsi\n"
	"	mov $22, %edx\n"              /* MADV_POPULATE_READ */
	"	mov $28, %eax\n"              /* madvise */
	"	syscall\n"
	"	lea __init_array_start(%rip), %rdi\n"
	"	and $-4096, %rdi\n"
	"	lea _end(%rip), %rsi\n"
	"	sub %rdi, %rsi\n"
	"	mov $23, %edx\n"              /* MADV_POPULATE_WRITE */
	"	mov $28, %eax\n"              /* madvise */
	"	syscall\n"
	"	mov %rsp, %rdi\n"             /* the stack the start uses */
	"	and $-4096, %rdi\n"
	"	sub $" STACK_POPULATE ", %rdi\n"
	"	mov $" STACK_POPULATE ", %esi\n"
	"	mov $23, %edx\n"
	"	mov $28, %eax\n"
	"	syscall\n"
	"	mov %r8, %rdx\n"
	"	jmp _start\n"
	".size loader_entry, .-loader_entry\n"
	".popsection\n");

int lazypoline_bootstrap_entry(const struct lp_bootstrap_info *info, char *err, size_t errlen);
extern const char __executable_start[], etext[];  /* this program's code, from the linker */

/* lazypoline-vfs-loader: a static program with the runtime and the view
 * (libvfs.so's code) linked in, which starts them itself -- what
 * libbootstrap.so does in lazypoline-loader before main, without a
 * dynamic loader and five objects to map and relocate per exec.  Capstone
 * is not linked in (its relocations alone cost more than all that): when
 * the run's kept verdicts are not enough for the program, or LIBLAZYPOLINE
 * is not the libvfs.so beside it, lazypoline-loader (also beside it) is
 * started instead, with the environment as it came. */
static void start_interposer(char **argv)
{
	/* on the stack: the view's start-up goes deeper anyway (each page
	 * touched, stack or heap, is a page fault per exec) */
	char dir[PATH_MAX], lib_abs[PATH_MAX];
	const char *lib = getenv("LIBLAZYPOLINE");
	/* the view starts this program by its absolute path, the one its
	 * LIBLAZYPOLINE's directory has: that path as given to execve
	 * (AT_EXECFN) spares a readlink of /proc/self/exe per exec */
	const char *execfn = (const char *)getauxval(AT_EXECFN), *slash;
	ssize_t n = execfn && execfn[0] == '/' ? (ssize_t)strlen(execfn) : 0;
	if (n > 0 && n < PATH_MAX && lib && (slash = strrchr(execfn, '/')) &&
	    !strncmp(lib, execfn, (size_t)(slash - execfn + 1)) && !strcmp(lib + (slash - execfn + 1), "libvfs.so"))
		memcpy(dir, execfn, (size_t)n + 1);
	else if ((n = readlink("/proc/self/exe", dir, PATH_MAX - 1)) > 0)
		dir[n] = 0;
	if (n <= 0 || !memchr(dir, '/', (size_t)n))
		die("/proc/self/exe", "cannot find this program's directory");
	memcpy(vfs_loader_self, dir, (size_t)n + 1);  /* the view starts programs with it */
	*strrchr(dir, '/') = 0;
	char *boot, *vfs_lib, *other;
	if (asprintf(&boot, "%s/libbootstrap.so", dir) < 0 || asprintf(&vfs_lib, "%s/libvfs.so", dir) < 0 ||
	    asprintf(&other, "%s/lazypoline-loader", dir) < 0)
		die(argv[1], strerror(ENOMEM));
	size_t envc = 0;
	while (environ[envc])
		envc++;
	char **env_as_given = malloc((envc + 1) * sizeof *env_as_given);
	if (!env_as_given)
		die(argv[1], strerror(ENOMEM));
	memcpy(env_as_given, environ, (envc + 1) * sizeof *env_as_given);
	int r = LP_BOOTSTRAP_WANTS_CAPSTONE;
	char err[512] = "";
	if (lib && (!strcmp(lib, vfs_lib) || (realpath(lib, lib_abs) && !strcmp(lib_abs, vfs_lib)))) {
		struct lp_bootstrap_info info = {
			.version = LP_BOOTSTRAP_VERSION,
			.bootstrap_path = boot,
			.interposer_path = vfs_lib,
			.envp = environ,
			.init = lazypoline_init,
			.linked_in = 1,
			.keep_lo = __executable_start,
			.keep_hi = etext,
		};
		r = lazypoline_bootstrap_entry(&info, err, sizeof err);
	}
	if (r == 0) {
		strip_environment(boot, boot);
		return;
	}
	if (r != LP_BOOTSTRAP_WANTS_CAPSTONE) {
		fprintf(stderr, "lazypoline: %s\n", err);  /* as libbootstrap.so says it */
		exit(125);
	}
	execve(other, argv, env_as_given);
	die(other, strerror(errno));
}
#endif

#define PUSH(v) (*--sp = (uintptr_t)(v))

/* STR copied just below *O, which moves down to it. */
static char *push_str(char **o, const char *str)
{
	size_t n = strlen(str) + 1;
	*o -= n;
	memcpy(*o, str, n);
	return *o;
}

/* The initial stack the program expects, built below this frame, then a
 * jump to ENTRY with it. */
#define GUEST_STACK_GAP (16 * 1024)
#define GUEST_STACK_POPULATE (64 * 1024)
static void start(uintptr_t entry, char **argv, int argc, const char *execfn, const struct image *prog,
		  uintptr_t interp_base) __attribute__((noreturn));
static void start(uintptr_t entry, char **argv, int argc, const char *execfn, const struct image *prog,
		  uintptr_t interp_base)
{
	int envc = 0;
	while (environ[envc])
		envc++;
	char **new_argv = __builtin_alloca(((size_t)argc + 1) * sizeof *new_argv);
	char **new_env = __builtin_alloca(((size_t)envc + 1) * sizeof *new_env);
	/* below this frame, with room for the calls made while building; the
	 * pages there were mapped by loader_entry and the view's start, and
	 * the program's start uses more below them: mapped at once (best
	 * effort: outside the stack's mapping so far, it is ENOMEM) */
	uintptr_t top = page_down((uintptr_t)(new_env < new_argv ? new_env : new_argv)) - GUEST_STACK_GAP;
	loader_sys(SYS_madvise, (long)(top - GUEST_STACK_POPULATE), GUEST_STACK_POPULATE, MADV_POPULATE_WRITE, 0, 0, 0);
	/* strings at the top; the area may lie below the stack's current
	 * end: the kernel grows it on the first touch, so write downwards */
	char *o = (char *)top;
	char *p_execfn = push_str(&o, execfn);
	char *p_platform = push_str(&o, "x86_64");
	o -= 16;
	char *random = o;
	const void *our_random = (const void *)getauxval(AT_RANDOM);
	if (our_random)
		memcpy(random, our_random, 16);
	for (int i = envc - 1; i >= 0; i--)
		new_env[i] = push_str(&o, environ[i]);
	for (int i = argc - 1; i >= 0; i--)
		new_argv[i] = push_str(&o, argv[i]);
	uintptr_t *sp = (uintptr_t *)((uintptr_t)o & ~(uintptr_t)15);
	/* the auxiliary vector, then environ, argv, argc; rsp ends 16-aligned */
	struct {
		unsigned long type, value;
	} aux[] = {
		{ AT_SYSINFO_EHDR, getauxval(AT_SYSINFO_EHDR) },
		{ AT_MINSIGSTKSZ, getauxval(AT_MINSIGSTKSZ) },
		{ AT_HWCAP, getauxval(AT_HWCAP) },
		{ AT_PAGESZ, (unsigned long)getpagesize() },
		{ AT_CLKTCK, getauxval(AT_CLKTCK) },
		{ AT_PHDR, prog->phdr },
		{ AT_PHENT, sizeof(Elf64_Phdr) },
		{ AT_PHNUM, (unsigned long)prog->phnum },
		{ AT_BASE, interp_base },
		{ AT_FLAGS, 0 },
		{ AT_ENTRY, prog->entry },
		{ AT_UID, getauxval(AT_UID) },
		{ AT_EUID, getauxval(AT_EUID) },
		{ AT_GID, getauxval(AT_GID) },
		{ AT_EGID, getauxval(AT_EGID) },
		{ AT_SECURE, 0 },
		{ AT_RANDOM, (unsigned long)random },
		{ AT_HWCAP2, getauxval(AT_HWCAP2) },
		{ AT_EXECFN, (unsigned long)p_execfn },
		{ AT_PLATFORM, (unsigned long)p_platform },
	};
	size_t n_aux = sizeof aux / sizeof *aux;
	size_t words = 2 * (n_aux + 1) + (size_t)envc + 1 + (size_t)argc + 1 + 1;
	if (words & 1)
		PUSH(0);
	PUSH(0);
	PUSH(AT_NULL);
	for (size_t i = n_aux; i-- > 0;) {
		PUSH(aux[i].value);
		PUSH(aux[i].type);
	}
	PUSH(0);
	for (int i = envc - 1; i >= 0; i--)
		PUSH(new_env[i]);
	PUSH(0);
	for (int i = argc - 1; i >= 0; i--)
		PUSH(new_argv[i]);
	PUSH(argc);
	rseq_unregister();
	/* as at a kernel's process start: %rdx 0 (no atexit function) */
	__asm__ volatile("mov %0, %%rsp\n\t"
			 "xor %%edx, %%edx\n\t"
			 "xor %%ebp, %%ebp\n\t"
			 "jmp *%1\n\t"
			 :
			 : "r"(sp), "r"(entry)
			 : "memory");
	__builtin_unreachable();
}

int main(int argc, char **argv)
{
#ifdef LOADER_WITH_VFS
	/* vfsrun's second stage (vfsrun.c): COMMAND looked up in the view
	 * this starts, and run there */
	if (argc > 3 && !strcmp(argv[1], "--exec-in-view") && !strcmp(argv[2], "--")) {
		start_interposer(argv);
		exec_in_view(argv + 3);
	}
#endif
	if (argc < 4) {
		fprintf(stderr, "usage: %s FILE EXECFN ARGV0 [ARGS...] (run by the VFS, see exec.c)\n", prog_name);
		return EXIT_CANNOT_RUN;
	}
#ifdef LOADER_WITH_VFS
	start_interposer(argv);
#endif
	const char *file = argv[1], *execfn = argv[2];
	static struct image prog LOADER_APART, interp LOADER_APART;
	load(file, &prog);
	uintptr_t entry = prog.entry, interp_base = 0;
	if (prog.interp[0]) {
		load(prog.interp, &interp);
		if (interp.interp[0])
			die(prog.interp, "an ELF interpreter with an interpreter");
		entry = interp.entry;
		interp_base = interp.bias;
	}
#ifdef LOADER_WITH_VFS
	lp_note_loaded(&prog.obj, prog.dynamic);
	if (prog.interp[0])
		lp_note_loaded(&interp.obj, 0);
#endif
	/* the name ps shows, as the kernel sets it: the last part of the
	 * path the caller gave (sh for /bin/sh, a link to dash; a script's
	 * own name, not its interpreter's) */
	const char *base = strrchr(execfn, '/');
	loader_sys(SYS_prctl, PR_SET_NAME, base ? base + 1 : execfn, 0, 0, 0, 0);
	start(entry, argv + 3, argc - 3, execfn, &prog, interp_base);
}

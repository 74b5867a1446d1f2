/* execve in the view.
 *
 * The kernel reads a program's "#!" line and its ELF interpreter
 * (PT_INTERP) by host path, and the interpreter maps the libraries before
 * libbootstrap.so runs: in a view that moves those paths (a whole-root
 * view above all) it would run the host's interpreter and libraries.  So
 * the "#!" chain is followed here, in the view, as the kernel would
 * (BINPRM_BUF_SIZE header, one optional argument, five levels), and an
 * ELF program whose interpreter the view moves -- or a statically linked
 * one, which LD_PRELOAD cannot reach, or a set-user-ID, set-group-ID or
 * file-capability one, for which the kernel would drop LD_PRELOAD and let
 * the program out of the view -- is started by lazypoline-loader:
 * an interposed host program that maps the program and its interpreter
 * itself, so that everything they do is in the view from the first
 * instruction. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "vfs_internal.h"

#define HEADER_MAX 256  /* the kernel's BINPRM_BUF_SIZE */
#define MAX_DEPTH 5     /* nested interpreters, as the kernel allows */
#define MAX_HEADS (3 * MAX_DEPTH + 4)

struct exec_work {
	struct vfs_path q;       /* an interpreter's resolution */
	char header[HEADER_MAX + 1];
	char names[MAX_DEPTH][HEADER_MAX + 1];  /* the "#!" lines, split */
	char filename[VFS_PATH_MAX];  /* as the caller gave it */
	char host[VFS_PATH_MAX];      /* the file being looked at */
	char interp[VFS_PATH_MAX];    /* its PT_INTERP */
	const char *heads[MAX_HEADS]; /* argv before the caller's argv[1...] */
	int n_heads;
	bool user_argv0;              /* heads[0] is the caller's (user memory) */
};

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

/* An ELF file's PT_INTERP into out ("" for a static program); -1 if the
 * file (FD, its first N bytes at EH) is no x86-64 ELF program we can tell
 * about.  Program headers within those bytes (PT_INTERP is usually the
 * first or second, at 64) are not read again. */
static int elf_interp(long fd, const Elf64_Ehdr *eh, size_t n, char *out, size_t outlen)
{
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_machine != EM_X86_64 ||
	    (eh->e_type != ET_EXEC && eh->e_type != ET_DYN) || eh->e_phentsize != sizeof(Elf64_Phdr))
		return -1;
	int r = 0;
	out[0] = 0;
	for (int i = 0; i < eh->e_phnum && i < 256; i++) {
		Elf64_Phdr ph;
		uint64_t at = eh->e_phoff + (uint64_t)i * sizeof ph;
		if (at <= n && n - at >= sizeof ph)
			memcpy(&ph, (const char *)eh + at, sizeof ph);
		else if (sys(SYS_pread64, fd, (long)&ph, sizeof ph, (long)at, 0, 0) != (long)sizeof ph) {
			r = -1;
			break;
		}
		if (ph.p_type != PT_INTERP)
			continue;
		if (ph.p_filesz < 2 || ph.p_filesz > outlen ||
		    sys(SYS_pread64, fd, (long)out, (long)ph.p_filesz, (long)ph.p_offset, 0, 0) != (long)ph.p_filesz ||
		    out[ph.p_filesz - 1]) {
			r = -1;
			out[0] = 0;
		}
		break;
	}
	return r;
}

/* Does the view send PATH to another file than the host's PATH?  Not
 * when it only follows the host's own symlinks (/lib64 -> usr/lib64):
 * then the kernel would start the same file, and needs no loader. */
static bool moved(const struct vfs_path *q, const char *path)
{
	if (path[0] != '/')
		return true;
	if (q->host_len == strlen(path) && !memcmp(q->host, path, q->host_len))
		return false;
	struct stat host, view;
	return sys(SYS_stat, (long)path, (long)&host, 0, 0, 0, 0) < 0 ||
	       sys(SYS_stat, (long)q->host, (long)&view, 0, 0, 0, 0) < 0 || host.st_dev != view.st_dev ||
	       host.st_ino != view.st_ino;
}

/* Would the kernel start FD's program in secure mode (AT_SECURE), which
 * ignores LD_PRELOAD? */
static bool runs_privileged(long fd)
{
	struct stat st;
	if (sys(SYS_fstat, fd, (long)&st, 0, 0, 0, 0) < 0)
		return false;
	if (st.st_mode & (S_ISUID | S_ISGID))
		return true;
	long r = sys(SYS_fgetxattr, fd, (long)"security.capability", 0, 0, 0, 0);
	return r >= 0 || r == -ERANGE;
}

static bool whole_root(void)
{
	return mount_node_mount(mount_table_root(&vfs.table)) != NULL;
}

/* Split a "#!" line as the kernel does: the interpreter, then one
 * argument (the rest, blanks trimmed at both ends) or NULL.  False if
 * there is nothing to run or the line does not fit (the kernel decides). */
static bool split_hashbang(char *header, long n, char **name, char **arg)
{
	char *line = header + 2, *end = line;
	while (*end && *end != '\n')
		end++;
	if (!*end && n == HEADER_MAX)
		return false;
	*end = 0;
	while (blank(*line))
		line++;
	while (end > line && blank(end[-1]))
		*--end = 0;
	if (!*line)
		return false;
	char *a = line;
	while (*a && !blank(*a))
		a++;
	if (*a) {
		*a++ = 0;
		while (blank(*a))
			a++;
	}
	*name = line;
	*arg = *a ? a : NULL;
	return true;
}

/* STR copied to *S, which moves past it. */
static char *put(char **s, const char *str)
{
	char *d = *s;
	size_t n = strlen(str) + 1;
	memcpy(d, str, n);
	*s += n;
	return d;
}

long vfs_exec_plan(const char *filename, const struct vfs_path *p, const char *const *user_argv,
		   struct vfs_exec_plan *plan)
{
	plan->file = p->host;
	plan->argv = NULL;
	plan->by_loader = false;
	memcpy(plan->exe_view, p->view, p->view_len + 1);
	if (!vfs.loader[0] && !whole_root())
		return 0;
	/* on the handler stack: a mapping and an unmapping fewer per exec */
	struct exec_work work, *w = &work;
	const char *argv0 = NULL;
	long r = lp_strncpy_from_user(w->filename, filename, sizeof w->filename);
	if (r >= 0 && user_argv && lp_copy_from_user(&argv0, user_argv, sizeof argv0))
		r = -EFAULT;
	if (r < 0)
		return r;
	w->heads[0] = argv0 ? argv0 : "";
	w->user_argv0 = argv0 != NULL;
	w->n_heads = 1;
	memcpy(w->host, p->host, p->host_len + 1);
	const char *name = w->filename;
	bool change = false, loader = false;
	for (int depth = 0;; depth++) {
		long fd = sys(SYS_openat, AT_FDCWD, (long)w->host, O_RDONLY | O_CLOEXEC, 0, 0, 0);
		long n = fd < 0 ? fd : sys(SYS_pread64, fd, (long)w->header, HEADER_MAX, 0, 0, 0);
		if (n >= 0)
			w->header[n] = 0;
		if (n >= (long)sizeof(Elf64_Ehdr) && !memcmp(w->header, ELFMAG, SELFMAG)) {
			int k = vfs.loader[0] ? elf_interp(fd, (const Elf64_Ehdr *)w->header, (size_t)n, w->interp,
							   sizeof w->interp)
					      : -1;
			if (k == 0 && !w->interp[0])
				loader = true;  /* static: LD_PRELOAD cannot reach it */
			else if (k == 0)
				loader = (vfs_resolve(AT_FDCWD, w->interp, VR_FOLLOW, &w->q) == 0 && !w->q.synthetic &&
					  (whole_root() || moved(&w->q, w->interp))) ||
					 runs_privileged(fd);  /* started without the privilege, like PRoot's */
			sys(SYS_close, fd, 0, 0, 0, 0, 0);
			break;
		}
		if (fd >= 0)
			sys(SYS_close, fd, 0, 0, 0, 0, 0);
		char *i_name, *i_arg;
		if (n < 2 || w->header[0] != '#' || w->header[1] != '!' ||
		    !split_hashbang(w->header, n, &i_name, &i_arg))
			break;  /* not ours to run: the kernel says what it is */
		if (depth == MAX_DEPTH || w->n_heads + 2 > MAX_HEADS) {
			return -ELOOP;
		}
		/* keep the split line: the header buffer is read again */
		char *copy = w->names[depth];
		size_t nl = strlen(i_name) + 1;
		memcpy(copy, i_name, nl);
		if (i_arg)
			memcpy(copy + nl, i_arg, strlen(i_arg) + 1);
		i_name = copy;
		i_arg = i_arg ? copy + nl : NULL;
		/* argv: interpreter, its argument, the file, then what followed
		 * the file's own argv[0] */
		int add = i_arg ? 3 : 2;
		for (int i = w->n_heads - 1; i >= 1; i--)
			w->heads[i - 1 + add] = w->heads[i];
		w->heads[0] = i_name;
		if (i_arg)
			w->heads[1] = i_arg;
		w->heads[add - 1] = name;
		w->n_heads += add - 1;
		w->user_argv0 = false;
		r = vfs_resolve(AT_FDCWD, i_name, VR_FOLLOW, &w->q);
		if (r == 0 && w->q.synthetic)
			r = -EACCES;
		if (r < 0)
			return r;
		change |= moved(&w->q, i_name);
		name = i_name;
		memcpy(w->host, w->q.host, w->q.host_len + 1);
		memcpy(plan->exe_view, w->q.view, w->q.view_len + 1);
	}
	if (!change && !loader)
		return 0;
	size_t n_user = 0;
	for (const char *a = ""; user_argv; n_user++) {
		if (lp_copy_from_user(&a, user_argv + n_user, sizeof a)) {
			return -EFAULT;
		}
		if (!a)
			break;
	}
	/* one block: [loader, program (view), AT_EXECFN,] heads, the caller's
	 * argv[1...], NULL; then the strings */
	size_t count = (loader ? 3 : 0) + (size_t)w->n_heads + (n_user ? n_user - 1 : 0) + 1;
	/* sized to fit: most are small blocks of the allocator, not mappings */
	size_t text = strlen(loader ? vfs.loader : w->host) + 1;
	if (loader)
		text += strlen(plan->exe_view) + 1 + sizeof "lazypoline-loader" + strlen(w->filename) + 1;
	for (int k = w->user_argv0 ? 1 : 0; k < w->n_heads; k++)
		text += strlen(w->heads[k]) + 1;
	char **argv = lp_malloc(count * sizeof *argv + text);
	if (!argv)
		return -ENOMEM;
	char *s = (char *)(argv + count);
	size_t i = 0;
	if (loader) {
		/* the program, as this process names it (after a chroot) */
		char *prog = put(&s, plan->exe_view);
		vfs_in_root(prog, strlen(prog));
		argv[i++] = put(&s, "lazypoline-loader");
		argv[i++] = prog;
		argv[i++] = put(&s, w->filename);
	}
	for (int k = 0; k < w->n_heads; k++)
		argv[i++] = k == 0 && w->user_argv0 ? (char *)w->heads[0]  /* the caller's, in its memory */
						    : put(&s, w->heads[k]);
	for (size_t k = 1; k < n_user; k++)
		lp_copy_from_user(&argv[i++], user_argv + k, sizeof *argv);
	argv[i] = NULL;
	plan->file = put(&s, loader ? vfs.loader : w->host);
	plan->argv = argv;
	plan->by_loader = loader;
	return 0;
}

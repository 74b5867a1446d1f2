/* vfsrun: run a command under the interposer, in a file-system view.
 *
 *   vfsrun [OPTIONS] [--] COMMAND [ARGS...]
 *
 * vfsrun sets up the environment (LD_PRELOAD=libbootstrap.so,
 * LIBLAZYPOLINE, LAZYPOLINE_*) and execs COMMAND, which is then interposed
 * with all its threads and children.  With mounts, the interposer is
 * libvfs.so and the mounts travel in VFSRUN_MOUNTS; vfsrun then execs
 * itself first (--exec-in-view) so that COMMAND is looked up in the view.
 * Exit status: COMMAND's; 125 when vfsrun itself fails (bad options or
 * mounts), 126 when COMMAND cannot be run, 127 when it is not found -- as
 * env(1) and chroot(1) do. */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../interposer/lazypoline.h"
#include "../mounts/mounts.h"
#include "../vfs/memdir.h"
#include "command.h"

/* The host directories and files --rootfs binds in, as PRoot's -R does
 * (its list without the account files: the guest keeps its own users). */
static const char *const rootfs_binds[] = { "/dev",	   "/proc",	     "/sys",
					    "/tmp",	   "/run",	     "/etc/resolv.conf",
					    "/etc/hosts",  "/etc/host.conf", "/etc/localtime",
					    "$HOME" };
#define N_ROOTFS_BINDS (sizeof rootfs_binds / sizeof *rootfs_binds)

static void usage(FILE *f)
{
	fputs("Usage: vfsrun [OPTIONS] [--] COMMAND [ARGS...]\n"
	      "Run COMMAND with every syscall of it, its threads and its children\n"
	      "interposed by lazypoline.\n"
	      "\n"
	      "Options:\n"
	      "  --mode=MODE      how syscalls reach the interposer:\n"
	      "                     auto   lazy when page 0 can be mapped, else sud (default)\n"
	      "                     sud    Syscall User Dispatch only (every syscall traps)\n"
	      "                     lazy   rewrite each syscall site after its first trap\n"
	      "                     eager  lazy, and rewrite every site found at start-up\n"
	      "  --trace[=FILE]   print one line per syscall to FILE (default: standard error)\n"
	      "\n"
	      "File-system view (DEST is a path in the view; later options may nest):\n"
	      "  --root DIR, -r DIR  DIR is the view's / (a chroot without root); only what\n"
	      "                      the other options add shows the host's files\n"
	      "  --rootfs DIR, -R DIR\n",
	      f);
	/* the --rootfs list, wrapped as the rest */
	int col = fprintf(f, "                      --root DIR, plus the host's");
	for (size_t i = 0; i < N_ROOTFS_BINDS; i++) {
		const char *sep = i + 1 == N_ROOTFS_BINDS ? " and " : " ";
		if (col + (int)strlen(sep) + (int)strlen(rootfs_binds[i]) > 76)
			col = fprintf(f, "\n                     ") - 1;  /* the separator indents by one */
		col += fprintf(f, "%s%s", sep, rootfs_binds[i]);
	}
	fputs("\n"
	      "                      where they exist (other options take precedence)\n"
	      "  --bind SRC DEST     DEST shows the host's SRC (a directory or a file)\n"
	      "  --ro-bind SRC DEST  the same, read-only: writes fail with EROFS\n"
	      "  -b SRC[:DEST]       --bind SRC DEST; DEST defaults to SRC\n"
	      "  --overlay LOWER[:LOWER2...] UPPER DEST\n"
	      "                      DEST shows UPPER over the LOWER directories (leftmost\n"
	      "                      on top); changes go to UPPER (copy-up, whiteouts)\n"
	      "  --tmp-overlay DEST  DEST's contents, with changes kept in memory and dropped\n"
	      "                      when the last process of the view exits\n"
	      "  --tmpfs DEST        an empty directory in memory, dropped likewise\n"
	      "  --mounts FILE       the mounts listed in FILE, one per line:\n"
	      "                        bind SRC DEST | ro-bind SRC DEST |\n"
	      "                        overlay LOWER[:LOWER2...] UPPER DEST |\n"
	      "                        tmpfs DEST | tmp-overlay DEST | # comment\n"
	      "                      (relative paths are relative to FILE's directory)\n"
	      "  --chdir DIR, -w DIR start COMMAND in DIR, a path in the view\n"
	      "\n"
	      "Fake root (like fakeroot, or PRoot's -0):\n"
	      "  -0, --fake-root     the program runs as root to itself: get*id report 0,\n"
	      "                      chown, set*id and mknod of devices succeed, stat\n"
	      "                      reports what they did; kept until the view ends\n"
	      "  --fake-root-file FILE\n"
	      "                      -0, keeping what was done in FILE across runs\n"
	      "  --help           show this help and exit\n"
	      "  --version        show the version and exit\n"
	      "\n"
	      "Without COMMAND, runs ${SHELL:-/bin/sh} -i.\n"
	      "Exit status: COMMAND's; 125 if vfsrun fails, 126 if COMMAND cannot be run,\n"
	      "127 if it is not found.\n",
	      f);
}

/* Where vfsrun's libraries are: next to it (build tree) or in ../lib. */
static void find_lib(const char *dir, const char *name, char *out, size_t n)
{
	const char *cands[] = { "%s/%s", "%s/../lib/%s", "%s/../lib/lazypoline/%s" };
	for (size_t i = 0; i < sizeof cands / sizeof *cands; i++) {
		char p[PATH_MAX];
		snprintf(p, sizeof p, cands[i], dir, name);
		if (access(p, R_OK) == 0 && realpath(p, out))
			return;
	}
	(void)n;
	fail(EXIT_FAIL, "cannot find %s next to %s or in %s/../lib", name, dir, dir);
}

/* LD_PRELOAD does not reach a statically linked program. */
static bool is_static_elf(const char *file)
{
	int fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	Elf64_Ehdr eh;
	bool is_static = false;
	if (pread(fd, &eh, sizeof eh, 0) == (ssize_t)sizeof eh && !memcmp(eh.e_ident, ELFMAG, SELFMAG) &&
	    eh.e_ident[EI_CLASS] == ELFCLASS64 && eh.e_phentsize == sizeof(Elf64_Phdr)) {
		is_static = true;
		for (int i = 0; i < eh.e_phnum; i++) {
			Elf64_Phdr ph;
			if (pread(fd, &ph, sizeof ph, (off_t)(eh.e_phoff + (size_t)i * sizeof ph)) !=
			    (ssize_t)sizeof ph)
				break;
			if (ph.p_type == PT_INTERP)
				is_static = false;
		}
	}
	close(fd);
	return is_static;
}

/* A high, inherited fd for the trace output. */
static int trace_fd(int fd)
{
	struct rlimit rl;
	int lo = 100;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur > 128)
		lo = (int)(rl.rlim_cur > 1024 ? 1024 : rl.rlim_cur) - 64;
	int nfd = fcntl(fd, F_DUPFD, lo);
	if (nfd < 0)
		fail(EXIT_FAIL, "cannot set up the trace output: %s", strerror(errno));
	return nfd;
}

/* ---- mounts ---- */

static struct mount_list mounts;
static char root_dir[PATH_MAX];  /* --root DIR, made concrete; "" without */

/* PATH (WHAT of option OPT) as an absolute path without symlinks into
 * ABS, relative to BASE if given; DIR: it must be a directory. */
static void concrete(const char *opt, const char *what, const char *path, const char *base, bool dir,
		     char abs[PATH_MAX])
{
	char joined[2 * PATH_MAX];
	if (base && path[0] != '/')
		snprintf(joined, sizeof joined, "%s/%s", base, path);
	else
		snprintf(joined, sizeof joined, "%s", path);
	if (!realpath(joined, abs))
		fail(EXIT_FAIL, "%s: %s '%s': %s", opt, what, path, strerror(errno));
	struct stat st;
	if (dir && (stat(abs, &st) || !S_ISDIR(st.st_mode)))
		fail(EXIT_FAIL, "%s: %s '%s' is not a directory", opt, what, path);
}

/* SRC as an absolute path without symlinks; relative to base if given. */
static void add_mount(const char *opt, unsigned flags, const char *src, const char *dest, const char *base)
{
	if (!src || !*src)
		fail(EXIT_FAIL, "%s: missing SRC", opt);
	if (!dest || !*dest)
		fail(EXIT_FAIL, "%s: missing DEST for SRC '%s'", opt, src);
	char abs[PATH_MAX], why[512];
	concrete(opt, "SRC", src, base, false, abs);
	if (mounts_add(&mounts, MOUNT_BIND, flags, abs, dest, why, sizeof why) < 0)
		fail(EXIT_FAIL, "%s: %s", opt, why);
}

/* LOWER[:LOWER2...] made absolute (relative to base) and checked */
static void concrete_lowers(const char *opt, const char *lower, const char *base, char *out, size_t n)
{
	size_t o = 0;
	char *copy = strdup(lower);
	if (!copy)
		fail(EXIT_FAIL, "out of memory");
	if (!*lower || lower[strlen(lower) - 1] == ':' || lower[0] == ':' || strstr(lower, "::"))
		fail(EXIT_FAIL, "%s: LOWER '%s' has an empty layer", opt, lower);
	for (char *save, *l = strtok_r(copy, ":", &save); l; l = strtok_r(NULL, ":", &save)) {
		char abs[PATH_MAX];
		concrete(opt, "LOWER", l, base, true, abs);
		if (strchr(abs, ':'))
			fail(EXIT_FAIL, "%s: LOWER '%s': a layer's path cannot hold ':'", opt, abs);
		int k = snprintf(out + o, n - o, "%s%s", o ? ":" : "", abs);
		if (k < 0 || (size_t)k >= n - o)
			fail(EXIT_FAIL, "%s: LOWER '%s' is too long", opt, lower);
		o += (size_t)k;
	}
	free(copy);
}

static void add_overlay(const char *opt, const char *lower, const char *upper, const char *dest, const char *base)
{
	if (!dest || !*dest)
		fail(EXIT_FAIL, "%s: missing DEST", opt);
	char lowers[4 * PATH_MAX], abs[PATH_MAX], why[512];
	concrete_lowers(opt, lower, base, lowers, sizeof lowers);
	concrete(opt, "UPPER", upper, base, true, abs);
	/* as the kernel's overlayfs: layers must not nest in one another
	 * (nor be given twice) */
	if (mounts_add_overlay(&mounts, lowers, abs, dest, why, sizeof why) < 0 ||
	    mounts_check_layers(&mounts.v[mounts.n - 1], why, sizeof why) < 0)
		fail(EXIT_FAIL, "%s: %s", opt, why);
}

/* ---- memory-backed directories (--tmp-overlay, --tmpfs) ---- */

static struct memdir tmp_dirs;  /* made on first use, removed at the end */

static void remove_tmp_dirs(void)
{
	memdir_remove(&tmp_dirs);
}

static const char *new_tmp_dir(const char *what)
{
	static char dir[PATH_MAX];
	bool first = !tmp_dirs.root[0];
	int r = memdir_next(&tmp_dirs, "vfsrun", dir, sizeof dir);
	if (first && tmp_dirs.root[0])
		atexit(remove_tmp_dirs);  /* vfsrun failing before COMMAND runs */
	if (r < 0)
		fail(EXIT_FAIL, "%s: cannot make a directory in memory (%s): %s", what,
		     tmp_dirs.root[0] ? dir : "/dev/shm or /tmp", strerror(-r));
	return dir;
}

static void add_tmp_overlay(const char *opt, const char *dest)
{
	/* DEST's contents: under --root, those of the root's tree */
	char lower[2 * PATH_MAX];
	snprintf(lower, sizeof lower, "%s%s", root_dir, dest);
	struct stat st;
	if (stat(lower, &st) || !S_ISDIR(st.st_mode))
		fail(EXIT_FAIL, "%s: DEST '%s' is not a directory", opt, dest);
	char upper[PATH_MAX];
	snprintf(upper, sizeof upper, "%s", new_tmp_dir(opt));
	chmod(upper, st.st_mode & 07777);  /* the merged root's mode is UPPER's */
	add_overlay(opt, lower, upper, dest, NULL);
}


static bool has_dest(const char *dest)
{
	char norm[PATH_MAX];
	if (mounts_normalize(dest, norm, sizeof norm) < 0)
		return false;
	for (int i = 0; i < mounts.n; i++)
		if (!strcmp(mounts.v[i].dest, norm))
			return true;
	return false;
}

/* After the options: the root itself (unless an overlay is already the
 * view's /) and --rootfs's host binds (unless given otherwise). */
static void add_root(bool with_host_binds)
{
	if (!root_dir[0])
		return;
	if (!has_dest("/"))
		add_mount("--root", 0, root_dir, "/", NULL);
	if (!with_host_binds)
		return;
	for (size_t i = 0; i < N_ROOTFS_BINDS; i++) {
		const char *p = rootfs_binds[i];
		if (!strcmp(p, "$HOME") && !(p = getenv("HOME")))
			continue;
		if (access(p, F_OK) == 0 && !has_dest(p))
			add_mount("--rootfs", 0, p, p, NULL);
	}
}

static void add_tmpfs(const char *opt, const char *dest)
{
	const char *dir = new_tmp_dir(opt);
	chmod(dir, 01777);  /* as a fresh tmpfs's root */
	add_mount(opt, 0, dir, dest, NULL);
}

static pid_t main_child;

static void forward_signal(int sig)
{
	if (main_child > 0)
		kill(main_child, sig);
}

/* With memory-backed directories: vfsrun stays, as the reaper of every
 * process of the view, and removes them when the last one has exited.
 * Returns in the child, which goes on to exec COMMAND. */
static void stay_as_reaper(void)
{
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		fail(EXIT_FAIL, "cannot become the reaper of the view: %s", strerror(errno));
	main_child = fork();
	if (main_child < 0)
		fail(EXIT_FAIL, "fork: %s", strerror(errno));
	if (main_child == 0)
		return;
	int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
		signal(sigs[i], forward_signal);
	int status = 0, st;
	pid_t p;
	while ((p = wait(&st)) != -1 || errno == EINTR)
		if (p == main_child)
			status = st;
	remove_tmp_dirs();
	if (WIFSIGNALED(status)) {
		signal(WTERMSIG(status), SIG_DFL);
		raise(WTERMSIG(status));
		exit(128 + WTERMSIG(status));
	}
	exit(WEXITSTATUS(status));
}

static void add_mounts_file(const char *path)
{
	FILE *f = fopen(path, "re");
	if (!f)
		fail(EXIT_FAIL, "--mounts %s: %s", path, strerror(errno));
	char *text = NULL;
	size_t n = 0;
	FILE *m = open_memstream(&text, &n);
	char buf[4096];
	size_t k;
	while (m && (k = fread(buf, 1, sizeof buf, f)) > 0)
		fwrite(buf, 1, k, m);
	if (ferror(f))
		fail(EXIT_FAIL, "--mounts %s: %s", path, strerror(errno));
	fclose(f);
	if (!m || fclose(m))
		fail(EXIT_FAIL, "out of memory");
	if (memchr(text, 0, n))
		fail(EXIT_FAIL, "--mounts %s: not a text file (it holds a NUL byte)", path);
	struct mount_list l = { 0 };
	char why[512];
	if (mounts_parse(&l, text, path, why, sizeof why) < 0)
		fail(EXIT_FAIL, "%s", why);
	char dir[PATH_MAX];
	snprintf(dir, sizeof dir, "%s", path);
	char *base = dirname(dir);
	for (int i = 0; i < l.n; i++) {
		char where[PATH_MAX + 32];
		snprintf(where, sizeof where, "--mounts %s", path);
		if (l.v[i].kind == MOUNT_OVERLAY)
			add_overlay(where, l.v[i].lower, l.v[i].src, l.v[i].dest, base);
		else if (l.v[i].kind == MOUNT_TMPFS)
			add_tmpfs(where, l.v[i].dest);
		else if (l.v[i].kind == MOUNT_TMP_OVERLAY)
			add_tmp_overlay(where, l.v[i].dest);
		else
			add_mount(where, l.v[i].flags, l.v[i].src, l.v[i].dest, base);
	}
	mounts_free(&l);
	free(text);
}

int main(int argc, char **argv)
{
	if (argc > 3 && !strcmp(argv[1], "--exec-in-view") && !strcmp(argv[2], "--"))
		exec_in_view(argv + 3);
	enum { OPT_MODE = 256, OPT_TRACE, OPT_HELP, OPT_VERSION, OPT_BIND, OPT_RO_BIND, OPT_MOUNTS, OPT_CHDIR,
	       OPT_OVERLAY, OPT_TMP_OVERLAY, OPT_TMPFS, OPT_ROOT, OPT_ROOTFS, OPT_FAKE_ROOT, OPT_FAKE_ROOT_FILE };
	static const struct option opts[] = {
		{ "mode", required_argument, NULL, OPT_MODE },
		{ "trace", optional_argument, NULL, OPT_TRACE },
		{ "help", no_argument, NULL, OPT_HELP },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ "bind", required_argument, NULL, OPT_BIND },
		{ "ro-bind", required_argument, NULL, OPT_RO_BIND },
		{ "mounts", required_argument, NULL, OPT_MOUNTS },
		{ "chdir", required_argument, NULL, OPT_CHDIR },
		{ "overlay", required_argument, NULL, OPT_OVERLAY },
		{ "tmp-overlay", required_argument, NULL, OPT_TMP_OVERLAY },
		{ "tmpfs", required_argument, NULL, OPT_TMPFS },
		{ "root", required_argument, NULL, OPT_ROOT },
		{ "rootfs", required_argument, NULL, OPT_ROOTFS },
		{ "fake-root", no_argument, NULL, OPT_FAKE_ROOT },
		{ "fake-root-file", required_argument, NULL, OPT_FAKE_ROOT_FILE },
		{ NULL, 0, NULL, 0 },
	};
	const char *mode = NULL, *trace = NULL, *chdir_to = NULL;
	bool tracing = false;
	mounts_set_allocator(malloc, free);
	opterr = 0;
	int c;
	/* first the root, which the other mounts' DESTs are in */
	bool host_binds = false;
	int root_given = 0;
	const char *const short_opts = "+b:w:r:R:0";
	bool fake_root = false;
	char fake_root_file[PATH_MAX + 256] = "";
	while ((c = getopt_long(argc, argv, short_opts, opts, NULL)) != -1) {
		if (c != OPT_ROOT && c != OPT_ROOTFS && c != 'r' && c != 'R')
			continue;
		const char *opt = c == 'r' ? "-r" : c == 'R' ? "-R" : c == OPT_ROOT ? "--root" : "--rootfs";
		if (root_given++)
			fail(EXIT_FAIL, "%s: the view has a root already", opt);
		if (!*optarg || !strcmp(optarg, "--"))
			fail(EXIT_FAIL, "%s needs DIR (see vfsrun --help)", opt);
		concrete(opt, "DIR", optarg, NULL, true, root_dir);
		if (!strcmp(root_dir, "/"))
			root_dir[0] = 0;  /* the host's own root: nothing to do */
		host_binds = c == OPT_ROOTFS || c == 'R';
	}
	optind = 0;
	while ((c = getopt_long(argc, argv, short_opts, opts, NULL)) != -1) {
		switch (c) {
		case OPT_ROOT:
		case OPT_ROOTFS:
		case 'r':
		case 'R':
			break;  /* done above */
		case '0':
		case OPT_FAKE_ROOT:
			fake_root = true;
			break;
		case OPT_FAKE_ROOT_FILE: {
			/* the file may not exist yet: its directory must */
			char *copy = strdup(optarg), dir_abs[PATH_MAX];
			const char *base = strrchr(optarg, '/') ? strrchr(optarg, '/') + 1 : optarg;
			if (!*optarg || !*base || !strcmp(optarg, "--"))
				fail(EXIT_FAIL, "--fake-root-file needs FILE (see vfsrun --help)");
			concrete("--fake-root-file", "directory", dirname(copy), NULL, true, dir_abs);
			if ((size_t)snprintf(fake_root_file, sizeof fake_root_file, "%s/%s", dir_abs, base) >=
			    sizeof fake_root_file)
				fail(EXIT_FAIL, "--fake-root-file %s: the path is too long", optarg);
			free(copy);
			struct stat st;
			if (stat(fake_root_file, &st) == 0 && !S_ISREG(st.st_mode))
				fail(EXIT_FAIL, "--fake-root-file %s: not a regular file", optarg);
			fake_root = true;
			break;
		}
		case OPT_BIND:
		case OPT_RO_BIND: {
			const char *opt = c == OPT_BIND ? "--bind" : "--ro-bind";
			/* two arguments: SRC is optarg, DEST the next word */
			if (!strcmp(optarg, "--"))
				fail(EXIT_FAIL, "%s needs SRC and DEST (see vfsrun --help)", opt);
			if (optind >= argc || !strcmp(argv[optind], "--"))
				fail(EXIT_FAIL, "%s: missing DEST for SRC '%s' (usage: %s SRC DEST)", opt, optarg,
				     opt);
			add_mount(opt, c == OPT_BIND ? 0 : MOUNT_RO, optarg, argv[optind++], NULL);
			break;
		}
		case 'b': {
			if (!strcmp(optarg, "--"))
				fail(EXIT_FAIL, "-b needs SRC[:DEST] (see vfsrun --help)");
			char *arg = strdup(optarg), *colon = strchr(arg, ':');
			if (colon)
				*colon = 0;
			add_mount("-b", 0, arg, colon ? colon + 1 : arg, NULL);
			free(arg);
			break;
		}
		case OPT_MOUNTS:
			add_mounts_file(optarg);
			break;
		case OPT_OVERLAY:
			/* three arguments: LOWER is optarg, UPPER and DEST the next words */
			if (!strcmp(optarg, "--") || optind + 1 >= argc || !strcmp(argv[optind], "--") ||
			    !strcmp(argv[optind + 1], "--"))
				fail(EXIT_FAIL, "--overlay needs LOWER, UPPER and DEST (usage: --overlay LOWER[:LOWER2...] UPPER DEST)");
			add_overlay("--overlay", optarg, argv[optind], argv[optind + 1], NULL);
			optind += 2;
			break;
		case OPT_TMP_OVERLAY:
			if (!strcmp(optarg, "--"))
				fail(EXIT_FAIL, "--tmp-overlay needs DEST (see vfsrun --help)");
			add_tmp_overlay("--tmp-overlay", optarg);
			break;
		case OPT_TMPFS:
			if (!strcmp(optarg, "--"))
				fail(EXIT_FAIL, "--tmpfs needs DEST (see vfsrun --help)");
			add_tmpfs("--tmpfs", optarg);
			break;
		case OPT_CHDIR:
		case 'w':
			if (!*optarg || !strcmp(optarg, "--"))
				fail(EXIT_FAIL, "%s needs DIR (see vfsrun --help)", c == 'w' ? "-w" : "--chdir");
			chdir_to = optarg;
			break;
		case OPT_MODE:
			if (strcmp(optarg, "auto") && strcmp(optarg, "sud") && strcmp(optarg, "lazy") &&
			    strcmp(optarg, "eager"))
				fail(EXIT_FAIL, "invalid --mode=%s (expected auto, sud, lazy or eager)", optarg);
			mode = optarg;
			break;
		case OPT_TRACE:
			tracing = true;
			trace = optarg;
			break;
		case OPT_HELP:
			usage(stdout);
			return 0;
		case OPT_VERSION:
			printf("vfsrun (lazypoline) %s\n", LAZYPOLINE_VERSION);
			return 0;
		case ':':
		case '?':
		default:
			if (optopt == 'b' || optopt == 'w' || optopt == 'r' || optopt == 'R' ||
			    (optopt >= OPT_BIND && optopt <= OPT_FAKE_ROOT_FILE && optopt != OPT_FAKE_ROOT))
				fail(EXIT_FAIL, "%s needs an argument (see vfsrun --help)", argv[optind - 1]);
			if (optopt && optopt < 256)
				fail(EXIT_FAIL, "unknown option -%c (see vfsrun --help)", optopt);
			fail(EXIT_FAIL, "unknown option %s (see vfsrun --help)", argv[optind - 1]);
		}
	}

	add_root(host_binds);

	char self[PATH_MAX], bootstrap[PATH_MAX], interposer[PATH_MAX];
	ssize_t sl = readlink("/proc/self/exe", self, sizeof self - 1);
	if (sl < 0)
		fail(EXIT_FAIL, "cannot read /proc/self/exe: %s", strerror(errno));
	self[sl] = 0;
	char self_path[PATH_MAX];
	memcpy(self_path, self, (size_t)sl + 1);
	char *dir = dirname(self);
	find_lib(dir, "libbootstrap.so", bootstrap, sizeof bootstrap);
	if (fake_root && !fake_root_file[0])
		snprintf(fake_root_file, sizeof fake_root_file, "%s/fake-root", new_tmp_dir("-0"));
	if (fake_root)
		setenv("VFSRUN_FAKEROOT", fake_root_file, 1);
	else
		unsetenv("VFSRUN_FAKEROOT");
	unsetenv("VFSRUN_FAKEIDS");
	/* a static COMMAND is started by the view's lazypoline-loader (an
	 * empty view is the host's own tree) */
	bool view = mounts.n > 0 || fake_root;
	if (!view && optind < argc) {
		char found[PATH_MAX];
		resolve_command(argv[optind], found, sizeof found);
		view = is_static_elf(found);
	}
	find_lib(dir, view ? "libvfs.so" : "liblazypoline.so", interposer, sizeof interposer);
	if (chdir_to && !view && chdir(chdir_to) != 0)
		fail(EXIT_FAIL, "cannot change directory to %s: %s", chdir_to, strerror(errno));

	char *shell_argv[] = { getenv("SHELL") ? getenv("SHELL") : "/bin/sh", "-i", NULL };
	char **cmd = optind < argc ? argv + optind : shell_argv;
	char file[PATH_MAX];
	char **run = cmd;
	if (view) {
		/* the view starts in the next program: this one, which looks
		 * COMMAND up in it */
		char cwd[PATH_MAX];
		if (!chdir_to && root_dir[0])
			chdir_to = "/";  /* as chroot(8) */
		if (!chdir_to && !(chdir_to = getcwd(cwd, sizeof cwd)))
			fail(EXIT_FAIL, "getcwd: %s", strerror(errno));
		char *text = mounts_serialize(&mounts);
		if (!text)
			fail(EXIT_FAIL, "out of memory");
		setenv("VFSRUN_MOUNTS", text, 1);
		setenv("VFSRUN_CHDIR", chdir_to, 1);
		unsetenv("VFSRUN_CWD");
		unsetenv("VFSRUN_FDS");
		unsetenv("VFSRUN_EXE");
		unsetenv("VFSRUN_CONCRETE");  /* made in the view's first process */
		unsetenv("VFSRUN_TOP");
		int n = 0;
		while (cmd[n])
			n++;
		run = calloc((size_t)n + 4, sizeof *run);
		if (!run)
			fail(EXIT_FAIL, "out of memory");
		run[0] = argv[0];
		run[1] = "--exec-in-view";
		run[2] = "--";
		memcpy(run + 3, cmd, (size_t)n * sizeof *cmd);
		snprintf(file, sizeof file, "%s", self_path);
		/* or lazypoline-vfs-loader beside libvfs.so, which does the same
		 * with the view linked in: a static program, without a dynamic
		 * loader and a second libc to start (a few ms per vfsrun) */
		char loader[PATH_MAX];
		const char *slash = strrchr(interposer, '/');
		if (slash && snprintf(loader, sizeof loader, "%.*s/lazypoline-vfs-loader", (int)(slash - interposer),
				      interposer) < (int)sizeof loader &&
		    access(loader, X_OK) == 0) {
			snprintf(file, sizeof file, "%s", loader);
			run[0] = file;
		}
	} else {
		resolve_command(cmd[0], file, sizeof file);
	}

	const char *pre = getenv("LD_PRELOAD");
	if (pre && *pre) {
		char *v;
		if (asprintf(&v, "%s:%s", bootstrap, pre) < 0)
			fail(EXIT_FAIL, "out of memory");
		setenv("LD_PRELOAD", v, 1);
	} else {
		setenv("LD_PRELOAD", bootstrap, 1);
		setenv("LAZYPOLINE_PRELOAD_ADDED", "1", 1);
	}
	setenv("LIBLAZYPOLINE", interposer, 1);
	if (mode)
		setenv("LAZYPOLINE_MODE", mode, 1);
	/* exec_in_view makes a dozen syscalls: a rewriting mode would load
	 * Capstone for it (about 5 ms here), as the first of its program */
	if (view)
		setenv("LAZYPOLINE_MODE_ONCE", "sud", 1);
	if (tracing) {
		int fd = 2;
		if (trace && *trace) {
			fd = open(trace, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
			if (fd < 0)
				fail(EXIT_FAIL, "cannot open trace file %s: %s", trace, strerror(errno));
		}
		char num[16];
		snprintf(num, sizeof num, "%d", trace_fd(fd));
		setenv("LAZYPOLINE_TRACE_FD", num, 1);
	}
	if (tmp_dirs.root[0])
		stay_as_reaper();
	execv(file, run);
	int e = errno;
	fail(e == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_RUN, "%s: %s", run[0], strerror(e));
}

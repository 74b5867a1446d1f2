/* The bind backend: DEST shows the host's SRC, a directory or a file.
 * What is below DEST is SRC + the same rest; the kernel does the work. */
#include <errno.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "../vfs_internal.h"

static long bind_host_path(const struct mount_spec *m, const char *rest, size_t rest_len, char *out,
			   size_t outlen)
{
	size_t sl = m->src_len;
	if (sl + rest_len + 1 > outlen)
		return -ENAMETOOLONG;
	memcpy(out, m->src, sl);
	memcpy(out + sl, rest, rest_len);
	out[sl + rest_len] = 0;
	return (long)(sl + rest_len);
}

static long bind_claims(const struct mount_spec *m, const char *host, size_t len)
{
	return vfs_path_under(m->src, m->src_len, host, len) ? (long)m->src_len : -1;
}

static bool bind_is_dir(const struct mount_spec *m)
{
	struct stat st;
	return sys(SYS_stat, (long)m->src, (long)&st, 0, 0, 0, 0) == 0 && S_ISDIR(st.st_mode);
}

const struct vfs_backend vfs_bind_backend = {
	.name = "bind",
	.host_path = bind_host_path,
	.claims = bind_claims,
	.is_dir = bind_is_dir,
};

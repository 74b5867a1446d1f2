/* What glibc's headers give and musl 1.2.3's do not, for the runtime and
 * the view built into lazypoline-vfs-loader on musl (forced in with
 * -include; the values are the kernel's). */
#ifndef LP_MUSL_COMPAT_H
#define LP_MUSL_COMPAT_H
#include <stdint.h>

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#define MADV_POPULATE_WRITE 23
#endif
#ifndef __O_TMPFILE
#define __O_TMPFILE 020000000
#endif

#ifndef STATX_TYPE
#define STATX_TYPE 0x1u
#define STATX_UID 0x8u
#define STATX_GID 0x10u
#define STATX_BASIC_STATS 0x7ffu
struct statx_timestamp {
	int64_t tv_sec;
	uint32_t tv_nsec;
	int32_t __reserved;
};
struct statx {
	uint32_t stx_mask;
	uint32_t stx_blksize;
	uint64_t stx_attributes;
	uint32_t stx_nlink;
	uint32_t stx_uid;
	uint32_t stx_gid;
	uint16_t stx_mode;
	uint16_t __spare0[1];
	uint64_t stx_ino;
	uint64_t stx_size;
	uint64_t stx_blocks;
	uint64_t stx_attributes_mask;
	struct statx_timestamp stx_atime, stx_btime, stx_ctime, stx_mtime;
	uint32_t stx_rdev_major, stx_rdev_minor;
	uint32_t stx_dev_major, stx_dev_minor;
	uint64_t __spare2[14];
};
#endif
#endif

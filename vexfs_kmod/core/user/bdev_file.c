// SPDX-License-Identifier: GPL-2.0
/* Userspace block device: pread/pwrite/fdatasync on an image or a device. */
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bdev.h"
#include "format.h"

struct bdev_file {
	struct vx_bdev bd;
	int fd;
};

static int file_io(struct vx_bdev *bd, u64 block, u32 nr, void *buf, bool wr)
{
	struct bdev_file *f = (struct bdev_file *)bd;
	size_t len = (size_t)nr * VX_BLOCK_SIZE, done = 0;
	off_t off = (off_t)(block * VX_BLOCK_SIZE);

	while (done < len) {
		ssize_t n = wr ? pwrite(f->fd, (char *)buf + done, len - done,
					off + (off_t)done) :
				 pread(f->fd, (char *)buf + done, len - done,
				       off + (off_t)done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		done += (size_t)n;
	}
	return 0;
}

static int file_read(struct vx_bdev *bd, u64 block, u32 nr, void *buf)
{
	return file_io(bd, block, nr, buf, false);
}

static int file_flush(struct vx_bdev *bd)
{
	struct bdev_file *f = (struct bdev_file *)bd;

	return fdatasync(f->fd) ? -errno : 0;
}

static int file_write(struct vx_bdev *bd, u64 block, u32 nr, const void *buf,
		      u32 flags)
{
	int err = file_io(bd, block, nr, (void *)buf, true);

	if (!err && (flags & VX_BDEV_FUA))
		err = file_flush(bd);
	return err;
}

static const struct vx_bdev_ops file_ops = {
	.read = file_read,
	.write = file_write,
	.flush = file_flush,
};

int vx_bdev_file_open(const char *path, bool writable, struct vx_bdev **out)
{
	struct bdev_file *f;
	struct stat st;
	u64 bytes;
	int fd, err;

	fd = open(path, (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		err = -errno;
		close(fd);
		return err;
	}
	if (S_ISBLK(st.st_mode)) {
		if (ioctl(fd, BLKGETSIZE64, &bytes)) {
			err = -errno;
			close(fd);
			return err;
		}
	} else {
		bytes = (u64)st.st_size;
	}
	f = vx_zalloc(sizeof(*f));
	if (!f) {
		close(fd);
		return -ENOMEM;
	}
	f->bd.ops = &file_ops;
	f->bd.nr_blocks = bytes / VX_BLOCK_SIZE;
	f->fd = fd;
	*out = &f->bd;
	return 0;
}

void vx_bdev_file_close(struct vx_bdev *bd)
{
	struct bdev_file *f = (struct bdev_file *)bd;

	if (!bd)
		return;
	close(f->fd);
	vx_free(f);
}

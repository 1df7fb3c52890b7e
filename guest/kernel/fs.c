/*
 * The syscall-like layer: per-task file tables, ksys_read/ksys_write ->
 * fdget -> vfs_read/vfs_write -> the file's operations, and the copy
 * helpers the pipe code uses.
 */
#include "kernel.h"

#define EBADF 9
#define EINVAL 22

static noinline struct file *fdget(u32 fd)
{
	struct task *t = current();
	if (fd >= t->nfiles)
		return NULL;
	return t->files[fd];
}

static noinline s64 vfs_write(struct file *f, const void *buf, u64 len)
{
	if (!(f->mode & FMODE_WRITE))
		return -EBADF;
	if (!f->f_op->write)
		return -EINVAL;
	return f->f_op->write(f, buf, len);
}

static noinline s64 vfs_read(struct file *f, void *buf, u64 len)
{
	if (!(f->mode & FMODE_READ))
		return -EBADF;
	if (!f->f_op->read)
		return -EINVAL;
	return f->f_op->read(f, buf, len);
}

s64 ksys_write(u32 fd, const void *buf, u64 len)
{
	struct file *f = fdget(fd);
	if (!f)
		return -EBADF;
	return vfs_write(f, buf, len);
}

s64 ksys_read(u32 fd, void *buf, u64 len)
{
	struct file *f = fdget(fd);
	if (!f)
		return -EBADF;
	return vfs_read(f, buf, len);
}

void fd_install(struct task *t, u32 fd, struct file *f)
{
	if (fd >= t->nfiles) {
		u32 n = t->nfiles ? t->nfiles : 4;
		while (n <= fd)
			n *= 2;
		struct file **files = kmalloc(n * sizeof(*files));
		for (u32 i = 0; i < t->nfiles; i++)
			files[i] = t->files[i];
		t->files = files;
		t->nfiles = n;
	}
	t->files[fd] = f;
}

/* No separate address spaces: "user" copies are plain copies, kept as functions. */
void copy_to_user(void *dst, const void *src, u64 n) { memcpy(dst, src, n); }
void copy_from_user(void *dst, const void *src, u64 n) { memcpy(dst, src, n); }

/*
 * A replacement for copy_from_user, never called directly: an ftrace ops
 * that redirects copy_from_user here (livepatch's mechanism) makes every
 * pipe write count itself in copy_from_user_counted_calls.
 */
u64 copy_from_user_counted_calls;
noinline void copy_from_user_counted(void *dst, const void *src, u64 n)
{
	__atomic_add_fetch(&copy_from_user_counted_calls, 1, __ATOMIC_RELAXED);
	memcpy(dst, src, n);
}

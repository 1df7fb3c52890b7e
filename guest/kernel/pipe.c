/*
 * Pipes: a ring buffer of `size` bytes (a power of two) with free-running
 * head and tail counters, one lock, and one wait queue for readers and one
 * for writers. A write of at most `size` bytes is atomic: it waits until the
 * whole message fits, so messages of concurrent writers never interleave.
 * A read returns what is there (up to `len`), waiting only while the pipe
 * is empty.
 */
#include "kernel.h"

struct pipe_inode {
	spinlock_t lock;
	u8 *buf;
	u32 size, mask;
	u32 head, tail;
	struct wait_queue_head rd_wait, wr_wait;
};

static noinline u64 pipe_lock(struct pipe_inode *p) { return spin_lock_irqsave(&p->lock); }
static noinline void pipe_unlock(struct pipe_inode *p, u64 flags) { spin_unlock_irqrestore(&p->lock, flags); }
static noinline u32 pipe_occupancy(const struct pipe_inode *p) { return p->head - p->tail; }

/* Is anyone queued on wq? Called after the pipe lock has ordered the queueing. */
static inline int wq_has_sleeper(struct wait_queue_head *wq)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return READ_ONCE(wq->head.next) != &wq->head;
}

static noinline void copy_page_from_iter(struct pipe_inode *p, const u8 *src, u32 len)
{
	u32 off = p->head & p->mask;
	u32 first = len < p->size - off ? len : p->size - off;
	copy_from_user(p->buf + off, src, first);
	if (len > first)
		copy_from_user(p->buf, src + first, len - first);
	p->head += len;
}

static noinline void copy_page_to_iter(struct pipe_inode *p, u8 *dst, u32 len)
{
	u32 off = p->tail & p->mask;
	u32 first = len < p->size - off ? len : p->size - off;
	copy_to_user(dst, p->buf + off, first);
	if (len > first)
		copy_to_user(dst + first, p->buf, len - first);
	p->tail += len;
}

static s64 pipe_write(struct file *f, const void *buf, u64 len)
{
	struct pipe_inode *p = f->private_data;
	struct wait_entry e = {0};
	int waited = 0;
	u64 flags;

	if (len == 0)
		return 0;
	if (len > p->size)
		return -22; /* -EINVAL: only atomic writes are supported */
	for (;;) {
		flags = pipe_lock(p);
		if (p->size - pipe_occupancy(p) >= len)
			break;
		prepare_to_wait(&p->wr_wait, &e, TASK_INTERRUPTIBLE);
		pipe_unlock(p, flags);
		this_cpu()->pipe_writer_waits++;
		waited = 1;
		schedule();
	}
	int was_empty = pipe_occupancy(p) == 0;
	copy_page_from_iter(p, buf, (u32)len);
	int room = pipe_occupancy(p) < p->size;
	pipe_unlock(p, flags);
	if (waited)
		finish_wait(&p->wr_wait, &e);
	if (was_empty)
		wake_up(&p->rd_wait);
	if (room && wq_has_sleeper(&p->wr_wait))
		wake_up(&p->wr_wait); /* the next writer may fit too */
	return (s64)len;
}

static s64 pipe_read(struct file *f, void *buf, u64 len)
{
	struct pipe_inode *p = f->private_data;
	struct wait_entry e = {0};
	int waited = 0;
	u64 flags;
	u32 n;

	if (len == 0)
		return 0;
	for (;;) {
		flags = pipe_lock(p);
		n = pipe_occupancy(p);
		if (n)
			break;
		prepare_to_wait(&p->rd_wait, &e, TASK_INTERRUPTIBLE);
		pipe_unlock(p, flags);
		this_cpu()->pipe_reader_waits++;
		waited = 1;
		schedule();
	}
	u32 take = len < n ? (u32)len : n;
	copy_page_to_iter(p, buf, take);
	int more = pipe_occupancy(p) != 0;
	pipe_unlock(p, flags);
	if (waited)
		finish_wait(&p->rd_wait, &e);
	if (wq_has_sleeper(&p->wr_wait))
		wake_up(&p->wr_wait);
	if (more && wq_has_sleeper(&p->rd_wait))
		wake_up(&p->rd_wait); /* another reader can have the rest */
	return take;
}

static const struct file_operations pipe_read_fops = {.read = pipe_read};
static const struct file_operations pipe_write_fops = {.write = pipe_write};

int create_pipe(u32 size, struct file **rd, struct file **wr)
{
	if (size < 8 || (size & (size - 1)))
		return -22;
	struct pipe_inode *p = kmalloc(sizeof(*p));
	p->buf = kmalloc(size);
	p->size = size;
	p->mask = size - 1;
	init_waitqueue_head(&p->rd_wait);
	init_waitqueue_head(&p->wr_wait);
	struct file *r = kmalloc(sizeof(*r)), *w = kmalloc(sizeof(*w));
	r->f_op = &pipe_read_fops;
	r->private_data = p;
	r->mode = FMODE_READ;
	w->f_op = &pipe_write_fops;
	w->private_data = p;
	w->mode = FMODE_WRITE;
	*rd = r;
	*wr = w;
	return 0;
}

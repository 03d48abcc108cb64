/* sending_due.c - when the queued mail of the account in use comes due, so the interactive UI's loop wakes then and sends it on time. */
/* SPDX-License-Identifier: ISC */
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sys/stat.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/inotify.h>
#endif

#include "app.h"
#include "transcript.h"
#include "util.h"
#include "sending.h"

/* Read the queue again at most this often, or ten times as long as the last reading took. */
#define DUE_GAP_US 250000LL
/* Read envelopes for this long per turn of the loop, so keys are not kept waiting. */
#define DUE_SLICE_US 10000LL

/*
 * A message held until 9:00 goes at 9:00, a retry at its time: the loop
 * wakes when the account's next queued message comes due (the look every
 * minute stays, for what is not seen here).  The queue (every envelope:
 * outbox_ids(), outbox_load()) is read only when it may have changed:
 * after a flush or a send, when another account comes into use, and when
 * queue/ changed on disk.  The last is seen by a stat of the folder on
 * each wake of the loop -- every envelope is written, filed and removed
 * by a rename or an unlink in it, which changes the folder's times; the
 * UI's own changes (a new message, r, e, d, the undo window) are seen so
 * too -- and on Linux also by inotify, whose descriptor wakes the loop
 * when another program (pigeon send --at) queues a message while the UI
 * sits idle.  So a key press costs one stat, not a reading of 10,000
 * envelopes (about half a second); a reading goes in slices of
 * DUE_SLICE_US between which the loop runs; and while another program
 * flushes a long queue, the queue is read again at most once per
 * DUE_GAP_US, or per ten times what the last reading took.
 */
struct due {
	int64_t next;              /* wall-clock seconds; 0: nothing comes due */
	int64_t flushed_by;        /* the last flush took what was due by then */
	int stale;                 /* to be read again (from scan_after_us on) */
	int64_t scan_after_us;     /* util_now_us() */
	int reading;               /* a reading goes on: ids[i..n) to read */
	char **ids;
	size_t n, i;
	int64_t best;              /* what it found so far (0: nothing) */
	int64_t took_us;           /* how long it took so far */
	char *account;             /* next is for this account */
	char *qdir;                /* queue/ */
	struct stat st;            /* queue/ when it was read (st_ino 0: unknown) */
	int fd;                    /* inotify on queue/; -1: none */
};

/* Has queue/ changed since it was read?  One stat. */
static int
dir_changed(const struct due *d)
{
	struct stat st;

	if (fstatat(AT_FDCWD, d->qdir, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return d->st.st_ino != 0;
	return st.st_ino != d->st.st_ino || st.st_dev != d->st.st_dev ||
	    st.st_mtim.tv_sec != d->st.st_mtim.tv_sec ||
	    st.st_mtim.tv_nsec != d->st.st_mtim.tv_nsec ||
	    st.st_ctim.tv_sec != d->st.st_ctim.tv_sec ||
	    st.st_ctim.tv_nsec != d->st.st_ctim.tv_nsec;
}

/* What inotify has to say: only that queue/ changed. */
static void
drain(struct due *d)
{
	char b[4096];

	if (d->fd < 0)
		return;
	while (read(d->fd, b, sizeof(b)) > 0)
		;
}

/* The reading is over (done, or given up): no new one before the gap. */
static void
scan_end(struct due *d)
{
	maildir_free_list(d->ids, d->n);
	d->ids = NULL;
	d->n = d->i = 0;
	d->reading = 0;
	d->scan_after_us = util_now_us() + (d->took_us * 10 > DUE_GAP_US ?
	    d->took_us * 10 : DUE_GAP_US);
}

/* Start reading the queue: the changes from now on are seen next time. */
static void
scan_start(struct app *a, struct due *d)
{
	const char *mine = a->c.acct != NULL ? a->c.acct->name : NULL;
	int64_t t0 = util_now_us();

	drain(d);
	d->stale = 0;
	if (fstatat(AT_FDCWD, d->qdir, &d->st, AT_SYMLINK_NOFOLLOW) < 0)
		memset(&d->st, 0, sizeof(d->st));
	free(d->account);
	d->account = mine != NULL ? strdup(mine) : NULL;
	d->best = 0;
	d->took_us = 0;
	if (mine == NULL || d->account == NULL ||
	    outbox_ids(a->ob, &d->ids, &d->n, NULL) != ERR_OK) {
		d->ids = NULL;
		d->n = 0;
	}
	d->i = 0;
	d->reading = 1;
	d->took_us = util_now_us() - t0;
}

/* Read envelopes for a slice of time; at the end, next is known. */
static void
scan_some(struct app *a, struct due *d)
{
	const char *undo = a->undo != NULL ? a->undo->what_id : NULL;
	int64_t t0 = util_now_us(), due;
	struct qentry q;

	while (d->i < d->n && util_now_us() - t0 < DUE_SLICE_US) {
		/* The one in its undo window goes when the window ends. */
		if ((undo != NULL && strcmp(d->ids[d->i], undo) == 0) ||
		    outbox_load(a->ob, d->ids[d->i], &q, NULL) != ERR_OK) {
			d->i++;
			continue;
		}
		d->i++;
		/* What the last flush saw due and left waits for the next look. */
		if (sending_flush_takes(&q, d->account) && (due =
		    qentry_due(&q)) > d->flushed_by && (d->best == 0 ||
		    due < d->best))
			d->best = due;
		qentry_free(&q);
	}
	d->took_us += util_now_us() - t0;
	if (d->i < d->n)
		return;
	d->next = d->best;
	scan_end(d);
}

void
sending_due_check(struct app *a)
{
	struct due *d = a->due;
	const char *mine = a->c.acct != NULL ? a->c.acct->name : NULL;

	if (d == NULL || sending_busy(a))
		return;
	if (!d->stale && (dir_changed(d) || (mine == NULL) != (d->account ==
	    NULL) || (mine != NULL && strcmp(mine, d->account) != 0)))
		d->stale = 1;
	/* Changed while it was being read: read it again, from the start. */
	if (d->stale && d->reading)
		scan_end(d);
	if (d->stale && !d->reading && util_now_us() >= d->scan_after_us)
		scan_start(a, d);
	if (d->reading)
		scan_some(a, d);
	/* The flush's clock: it takes what is due by time(NULL). */
	if (d->next != 0 && (int64_t)time(NULL) >= d->next)
		sending_flush_due(a);
}

int
sending_due_ms(const struct app *a)
{
	const struct due *d = a->due;
	int64_t left, now = transcript_wall_now_us();
	int t = -1;

	if (d == NULL || sending_busy(a))
		return -1;
	/* A reading goes on: after this turn of the loop. */
	if (d->reading)
		return 0;
	/*
	 * A few ms after the second begins: time(NULL) may lag the precise
	 * clock by a tick of the kernel's.
	 */
	if (d->next != 0) {
		left = d->next - now / 1000000 > INT_MAX / 1000 ? INT_MAX :
		    (d->next * 1000000 - now) / 1000 + 5;
		t = left <= 0 ? 0 : left > INT_MAX ? INT_MAX : (int)left;
	}
	if (d->stale) {
		left = d->scan_after_us - util_now_us();
		left = left <= 0 ? 0 : left / 1000 + 1;
		if (t < 0 || left < t)
			t = (int)left;
	}
	return t;
}

void
sending_due_flushed(struct app *a, int64_t by)
{
	struct due *d = a->due;

	if (d == NULL)
		return;
	/* What comes due next is after what this flush takes (or leaves). */
	d->flushed_by = by;
	if (d->next != 0 && d->next <= by) {
		d->next = 0;
		d->stale = 1;
	}
}

void
sending_due_changed(struct app *a)
{
	if (a->due != NULL)
		a->due->stale = 1;
}

/* The inotify descriptor, polled while nothing is sent and the queue is not known to have changed. */
static int
watch_pollfd(struct app *a, void *arg, struct pollfd *p)
{
	struct due *d = arg;

	if (!d->stale && !sending_busy(a)) {
		p->fd = d->fd;
		p->events = POLLIN;
	}
	return -1;
}

static void
watch_step(struct app *a, void *arg, short revents)
{
	struct due *d = arg;

	(void)a;
	if (revents != 0) {
		drain(d);
		d->stale = 1;
	}
}

static const struct source_ops watch_source = { watch_pollfd, watch_step };

void
sending_due_open(struct app *a)
{
	struct due *d;

	if ((d = calloc(1, sizeof(*d))) == NULL ||
	    (d->qdir = util_strf("%s/queue", outbox_dir(a->ob))) == NULL) {
		/* Then the look every minute is all there is. */
		free(d);
		return;
	}
	/* The first reading after the first look for due mail, after the first frame. */
	d->stale = 1;
	d->scan_after_us = a->next_flush_us;
	d->fd = -1;
#ifdef __linux__
	/* Without it, a change is seen at the next wake or look. */
	d->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (d->fd >= 0 && (inotify_add_watch(d->fd, d->qdir, IN_ONLYDIR |
	    IN_DONT_FOLLOW | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE |
	    IN_CLOSE_WRITE | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF) < 0 ||
	    loop_add(a, &watch_source, d) < 0)) {
		(void)close(d->fd);
		d->fd = -1;
	}
#endif
	a->due = d;
}

void
sending_due_close(struct app *a)
{
	struct due *d = a->due;

	if (d == NULL)
		return;
	a->due = NULL;
	loop_remove(a, d);
	if (d->fd >= 0)
		(void)close(d->fd);
	maildir_free_list(d->ids, d->n);
	free(d->account);
	free(d->qdir);
	free(d);
}

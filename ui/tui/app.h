/* app.h - what the files of the interactive UI share: the app, its loop, the status line, the pane and the sending. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_APP_H
#define PIGEON_APP_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "alias.h"
#include "cli.h"
#include "draft.h"
#include "outbox.h"
#include "reply.h"
#include "screen.h"
#include "submit.h"
#include "tui.h"

#define PANE_EVENTS 5000     /* transcript events kept for the pane */
#define STATUS_KEEP 50       /* status messages kept for the history (M) */
#define STATUS_SHOW_US (5 * 1000000LL)  /* a status message shows this long */
#define LOOP_SOURCES 16      /* live sessions at once */

/*
 * Work that goes on while the screens are shown (a send, a queue flush,
 * an account test): the loop polls what pollfd() asks (fd -1: nothing;
 * returns a timeout in ms or -1) and calls step() with the events, or 0
 * when the timeout passed.  step() may remove the source.
 */
struct source_ops {
	int (*pollfd)(struct app *a, void *arg, struct pollfd *p);
	void (*step)(struct app *a, void *arg, short revents);
};

struct source {
	const struct source_ops *ops;
	void *arg;
	int64_t due;               /* when its timeout passes (util_now_us()); -1 */
};

/* The transcript pane: the core's ring (a->tr) drawn below the screens. */
struct pane {
	int shown;
	int height;
};

/* The status line and its history. */
struct status {
	char *text[STATUS_KEEP];   /* ring, the newest last */
	int error[STATUS_KEEP];
	size_t head, n;
	int64_t until;             /* the line shows until then (0: cleared) */
};

/* A delivery going on in the background (the user's send, a retry, the queue). */
struct sending {
	struct submit *sub;
	struct outbox_item it;     /* the user's new message: locked until filed */
	int has_item;
	int flush;                 /* the queue, not the user's own message */
	char *what;                /* how the user knows it: "'Subject' to bob@..." */
	char *what_id;             /* the message what names */
	size_t filed, queued, failed;
	int64_t t0;                /* when the message on the wire started */
	char *untrusted;           /* the id of a message that failed for the certificate */
	char *pin;                 /* a certificate accepted once: the fingerprint */
	struct route rt;           /* with pin: the account's route and it */
	int64_t undo_until_us;     /* in its undo window until then (util_now_us()) */
	struct app *a;
	struct sending *next;
};

struct folders;
struct due;

struct app {
	struct cli c;              /* the account in use */
	struct transcript *tr;     /* every session's events, kept for the pane */
	struct outbox *ob;
	struct aliases *aliases;
	struct screen *top;        /* the screen stack */
	struct folders *fl;        /* the folders screen, at the bottom */
	struct sending *snd;       /* deliveries going on */
	struct sending *undo;      /* the user's send in its undo window (send_delay), not started */
	struct source src[LOOP_SOURCES];
	size_t nsrc;
	struct pane pane;
	struct status st;
	pid_t child;               /* a program that has the terminal (the editor); 0: none */
	void (*child_done)(struct app *a, void *arg, int status);
	void *child_arg;
	int64_t next_flush_us;     /* when to look for due mail (util_now_us()) */
	struct due *due;           /* when queued mail comes due (sending_due.c) */
	char *account;             /* chosen with f (a->c.account_name points here) */
	char *account_error;       /* why the account in use cannot send now */
	int account_stale;         /* its file changed while it sent: app_use_account() when the sends are over */
	struct draft *link;        /* "pigeon ADDRESS|mailto:...": composed at the start */
	struct buf ignored;        /* what the link asked for and was not taken */
	int redraw;                /* everything, from scratch */
	int quit;
};

/* app.c */
void app_status(struct app *a, enum tui_attr attr, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The title line, the key line and the status line of a full screen. */
void app_bars(struct app *a, const struct screen *s, const char *title);
/* Set up a->c for the account name; 0, or -1 (a->account_error says why). */
int app_use_account(struct app *a, const char *name);
/* Can the account in use send?  0, or -1 with the status line saying why. */
int app_account_usable(struct app *a);
/* The account's password, fetched now (password_command, netrc) if it needs one; 0, or -1 with the status set. */
int app_secret(struct app *a);
/* SIGHUP or SIGTERM: what is being composed becomes a draft, then we go. */
void app_stopped(struct app *a);
/* M: the status messages so far, in the pager. */
void app_status_history(struct app *a);

/* loop.c */
int loop_add(struct app *a, const struct source_ops *ops, void *arg);
void loop_remove(struct app *a, void *arg);
/*
 * Give the terminal to the child pid (already started, after
 * tui_suspend()); the loop goes on without the screen (sends continue)
 * until it exits, then takes the terminal back and calls done with its
 * wait status.
 */
void loop_child(struct app *a, pid_t pid,
    void (*done)(struct app *a, void *arg, int status), void *arg);
void loop_run(struct app *a);

/* pane.c */
int pane_height(const struct app *a);
void pane_draw(struct app *a, int top, int h);
/* v, V, < and > on every full screen; 1 when key was one of them. */
int pane_key(struct app *a, int key);
/* A new send: the pane shows, at its live end. */
void pane_follow(struct app *a);
extern const struct keydef pane_keys[];

/* folders.c */
int folders_open(struct app *a);
/* The lists again from the disk (after a send, a delete, a save). */
void folders_reload(struct app *a);
/* Every drafts folder: drafts/, then each account's own. */
struct maildir **folders_drafts(struct app *a, size_t *n);

/* reader.c */
void reader_open(struct app *a, struct maildir *md, const char *id, int raw);
/* The recipients of our sent message id from its envelope ("a, b"; malloc'd), or NULL. */
char *reader_envelope(struct app *a, const char *id);

/* compose.c */
void compose_start(struct app *a);
/* A stored message on the compose screen: a draft to edit, or a new one made from it. */
void compose_open(struct app *a, enum outbox_folder folder,
    struct maildir *md, const char *id);
/* The composer on d (taken over, freed) from the command line; ignored: what the link asked for in vain. */
void compose_with(struct app *a, struct draft *d, const char *ignored);
/* compose_reply.c: a reply to message id of md (or a forward of it) on the compose screen. */
void compose_reply(struct app *a, struct maildir *md, const char *id,
    enum reply_kind kind);

/* accounts.c */
void accounts_open(struct app *a);
/* The first run: no account yet; the form, and the UI after it. */
void accounts_first(struct app *a);
/* The form saved the account name: the list shows the file again. */
void accounts_changed(struct app *a, const char *name);

/* step.c: the step screen, a live session to ac's server one stage at a time. */
void step_open(struct app *a, const struct account *ac);
/* The UI ends: step sessions still finishing their QUIT are dropped. */
void step_free_all(struct app *a);

/* sending.c */
/*
 * Queue what was composed and send it in the background; 0 when it is
 * queued.  at (not 0): held in the outbox until then (send later), not
 * sent now.  Else, when the account has a send_delay, it waits that long
 * (held in the outbox meanwhile) and u takes it back: sending_undo().
 */
int sending_start_message(struct app *a, const struct draft_built *b,
    const struct draft *d, int64_t at);
/* u: the send in its undo window goes back to the composer, not sent. */
void sending_undo(struct app *a);
/* The undo window's line for the status line, or nothing (0). */
int sending_draw_undo(struct app *a, int y);
/* Send the queued message id now, with the account in use. */
void sending_retry(struct app *a, const char *id);
/* The same, trusting for this one connection only the certificate whose SHA-256 is fingerprint (NULL: as the account says). */
void sending_retry_with(struct app *a, const char *id,
    const char *fingerprint);
/* Due messages of accounts that log in without asking: send them now. */
void sending_flush_due(struct app *a);
/*
 * sending_due.c: watch the queue for when the account's mail comes due
 * (nothing happens when it cannot be set up: the look every minute stays).
 */
void sending_due_open(struct app *a);
/* The queue changed (a flush or a send is over): read it again. */
void sending_due_changed(struct app *a);
/*
 * On each wake while nothing is sent: read the queue again when it
 * changed (one stat tells), and flush when a message of the account in
 * use has come due.
 */
void sending_due_check(struct app *a);
/* The ms until then, or until the queue may be read again (-1: none). */
int sending_due_ms(const struct app *a);
void sending_due_close(struct app *a);
/* C-g: stop every send (what is not sent stays queued). */
void sending_stop(struct app *a);
void sending_free_all(struct app *a);
void sending_draw_progress(struct app *a, int y);
int sending_busy(const struct app *a);

/* trust.c */
enum trust_choice {
	TRUST_REJECT,
	TRUST_ONCE,                /* for one connection: give fingerprint as tls_opts.fingerprint */
	TRUST_ALWAYS,              /* pinned: the account's tls_fingerprint is written (tls_trust = tofu: the trust store) */
};
/* fingerprint: the certificate's (valid during the call only). */
typedef void (*trust_fn)(struct app *a, void *arg, enum trust_choice choice,
    const char *fingerprint);
/*
 * The certificate peer (copied) that host, the server of account, showed
 * and that was not trusted, on a screen of its own: r (q, Esc) rejects
 * it, o accepts it once, a pins it: tls_fingerprint = its fingerprint is
 * written to the account in the config file (confedit_set(): comments
 * kept) and the account in use is set up again when it is that one (once
 * its sends are over); when the file cannot be written the screen stays
 * and the status line says why.  done is called once, with the choice
 * (at once with TRUST_REJECT when the screen cannot be made).
 *
 * When the account has tls_trust = tofu, the certificate the trust store
 * holds for host:port (src/trust.h) and this one are shown side by side,
 * and a records this one in the store instead of writing a pin.
 */
void trust_open(struct app *a, const char *account, const char *host,
    const char *port, const struct tls_peer *peer, trust_fn done,
    void *arg);

#endif

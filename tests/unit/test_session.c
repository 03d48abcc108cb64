/* test_session.c - the session over one end of a socketpair, with the test playing the SMTP server on the other. */
/* SPDX-License-Identifier: ISC */
#define _GNU_SOURCE 1   /* memmem */

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "buf.h"
#include "session.h"
#include "util.h"
#include "helper.h"

/*
 * The client is a real session made with session_open_fd(); the server is
 * this program, on the other end of the socketpair, stepped in turn with
 * the client in one thread: srv_until() polls both ends, steps the session
 * when poll() says so, and collects every byte the client wrote.  The
 * checks are on those bytes.  Nothing here ignores SIGPIPE: a session
 * that raised it on a closed peer would kill the test.  The server's own
 * OpenSSL calls hold it back (an alert to a client that has gone), so a
 * failing test says why instead of dying.
 */

/* Bounds on one srv_until(): a broken test fails, it does not hang. */
#define RUN_MAX_ITER  100000
#define RUN_MAX_US    (10 * 1000 * 1000)
/* Poll at most this long, so the server side gets its turns. */
#define POLL_MAX_MS   100
/* The block the session reads the message file in. */
#define BLOCK         (64 * 1024)

/* A server key and a self-signed certificate, made at run time. */
static struct {
	EVP_PKEY *key;
	X509 *cert;
	SSL_CTX *ctx;
	char fp[65];            /* its SHA-256, for the client's pin */
} pki;

struct srv {
	struct session_opts o;
	struct transcript *tr;
	struct session *s;
	int cfd;                /* the client's end, until srv_start() */
	int fd;                 /* the server's end; -1 once closed */
	SSL *ssl;               /* the server speaks TLS (NULL: plain) */
	struct buf in;          /* what the client wrote, not yet checked */
	size_t scanned;         /* in[0..scanned) was searched already */
	struct buf out;         /* replies not yet written */
	unsigned long long total; /* bytes the client wrote, in all */
	int eof;                /* the client closed its end */
};

static const char *rcpt1[] = { "bob@example.org" };
static const char *rcpt2[] = { "bob@example.org", "carol@example.org" };
static const char *rcpt3[] = { "bob@example.org", "carol@example.org",
    "dave@example.org" };

#define GREETING   "220 mx.example.test ESMTP\r\n"
#define EHLO       "EHLO client.test\r\n"
#define EHLO_PLAIN "250-mx.example.test\r\n250-SIZE 100000000\r\n250 8BITMIME\r\n"
#define EHLO_PIPE  "250-mx.example.test\r\n250-PIPELINING\r\n250 8BITMIME\r\n"

/* -- the server side ------------------------------------------------------ */

/* Hold SIGPIPE back around the server's OpenSSL calls. */
static void
sigpipe_hold(sigset_t *old)
{
	sigset_t set;

	(void)sigemptyset(&set);
	(void)sigaddset(&set, SIGPIPE);
	assert_int_equal(sigprocmask(SIG_BLOCK, &set, old), 0);
}

/* Drop a SIGPIPE the server raised, then let the signal through again. */
static void
sigpipe_release(const sigset_t *old)
{
	struct timespec zero = { 0, 0 };
	sigset_t set;

	(void)sigemptyset(&set);
	(void)sigaddset(&set, SIGPIPE);
	while (sigtimedwait(&set, NULL, &zero) > 0)
		;
	assert_int_equal(sigprocmask(SIG_SETMASK, old, NULL), 0);
}

/* One server-side OpenSSL call: SSL_do_handshake, SSL_read or SSL_write. */
enum ssl_op { OP_HANDSHAKE, OP_READ, OP_WRITE };

static int
srv_ssl(struct srv *v, enum ssl_op op, void *p, size_t len)
{
	sigset_t old;
	int r, code;

	sigpipe_hold(&old);
	ERR_clear_error();
	if (op == OP_HANDSHAKE)
		r = SSL_do_handshake(v->ssl);
	else if (op == OP_READ)
		r = SSL_read(v->ssl, p, (int)len);
	else
		r = SSL_write(v->ssl, p, (int)len);
	if (r <= 0) {
		code = SSL_get_error(v->ssl, r);
		r = -(code != SSL_ERROR_NONE ? code : SSL_ERROR_SYSCALL);
	}
	sigpipe_release(&old);
	/* > 0 bytes (1 for a finished handshake), or -SSL_ERROR_*. */
	return r;
}

/* Read all the client has written; note when it has closed. */
static void
srv_read(struct srv *v)
{
	char b[BLOCK];
	ssize_t n;
	int r;

	while (v->fd >= 0 && !v->eof) {
		if (v->ssl != NULL) {
			if (!SSL_is_init_finished(v->ssl)) {
				r = srv_ssl(v, OP_HANDSHAKE, NULL, 0);
				if (r < 0 && r != -SSL_ERROR_WANT_READ &&
				    r != -SSL_ERROR_WANT_WRITE)
					fail_msg("server handshake: SSL error "
					    "%d", -r);
				if (r < 0)
					return;
			}
			r = srv_ssl(v, OP_READ, b, sizeof(b));
			if (r == -SSL_ERROR_WANT_READ ||
			    r == -SSL_ERROR_WANT_WRITE)
				return;
			if (r < 0) {
				/* close_notify, or a plain close. */
				ERR_clear_error();
				v->eof = 1;
				return;
			}
			n = r;
		} else {
			n = read(v->fd, b, sizeof(b));
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				return;
			if (n < 0 && errno != ECONNRESET)
				fail_msg("server read: %s", strerror(errno));
			if (n <= 0) {
				v->eof = 1;
				return;
			}
		}
		assert_int_equal(buf_add(&v->in, b, (size_t)n), 0);
		v->total += (unsigned long long)n;
	}
}

/* Write what replies are waiting, as far as the socket takes them. */
static void
srv_flush(struct srv *v)
{
	ssize_t n;
	int r;

	while (v->fd >= 0 && v->out.len > 0) {
		if (v->ssl != NULL) {
			if (!SSL_is_init_finished(v->ssl))
				return;
			r = srv_ssl(v, OP_WRITE, v->out.data, v->out.len);
			if (r == -SSL_ERROR_WANT_READ ||
			    r == -SSL_ERROR_WANT_WRITE)
				return;
			if (r < 0)
				fail_msg("server SSL_write: SSL error %d", -r);
			n = r;
		} else {
			n = send(v->fd, v->out.data, v->out.len, MSG_NOSIGNAL);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				return;
			if (n < 0)
				fail_msg("server write: %s", strerror(errno));
		}
		buf_consume(&v->out, (size_t)n);
	}
}

/* The server sends text (now, or as soon as TLS lets it). */
static void
srv_say(struct srv *v, const char *text)
{
	assert_int_equal(buf_addstr(&v->out, text), 0);
	srv_flush(v);
}

/* Has the client written needle since the last check of its bytes? */
static int
srv_has(struct srv *v, const char *needle)
{
	size_t n = strlen(needle), from;

	if (v->in.len < n)
		return 0;
	from = v->scanned >= n ? v->scanned - n + 1 : 0;
	if (memmem(v->in.data + from, v->in.len - from, needle, n) != NULL)
		return 1;
	v->scanned = v->in.len;
	return 0;
}

/*
 * Run client and server until the client has written needle (or, with
 * needle NULL, at least min bytes), the session is READY or DONE, or a
 * bound is hit.  1 when the condition was met.
 */
static int
srv_run(struct srv *v, const char *needle, size_t min)
{
	struct pollfd p[2];
	int64_t end = util_now_us() + RUN_MAX_US;
	int i, t, n;

	v->scanned = 0;
	for (i = 0; i < RUN_MAX_ITER && util_now_us() < end; i++) {
		srv_read(v);
		srv_flush(v);
		if (needle != NULL ? srv_has(v, needle) :
		    min > 0 && v->in.len >= min)
			return 1;
		if (session_status(v->s) != SESSION_BUSY)
			break;
		t = session_pollfd(v->s, &p[0]);
		if (t < 0 || t > POLL_MAX_MS)
			t = POLL_MAX_MS;
		p[1].fd = v->fd;
		p[1].events = POLLIN;
		if (v->out.len > 0 && v->ssl == NULL)
			p[1].events |= POLLOUT;
		p[1].revents = 0;
		n = poll(p, 2, t);
		if (n < 0) {
			assert_int_equal(errno, EINTR);
			continue;
		}
		if (n == 0 || p[0].revents != 0)
			session_step(v->s, n == 0 ? 0 : p[0].revents);
	}
	/* What a finished session wrote last, and its close. */
	srv_read(v);
	if (needle != NULL)
		return srv_has(v, needle);
	return min > 0 && v->in.len >= min;
}

/* Until the client has written needle. */
static int
srv_until(struct srv *v, const char *needle)
{
	return srv_run(v, needle, 0);
}

/* Until the session is READY or DONE; its status. */
static enum session_status
srv_settle(struct srv *v)
{
	(void)srv_run(v, NULL, 0);
	return session_status(v->s);
}

/* What the client wrote since the last check must be exactly want. */
static void
srv_expect(struct srv *v, const char *want)
{
	if (v->in.len != strlen(want) ||
	    memcmp(buf_str(&v->in), want, v->in.len) != 0)
		fail_msg("the client wrote\n[%s]\nexpected\n[%s]",
		    test_vis(buf_str(&v->in), v->in.len),
		    test_vis(want, strlen(want)));
	buf_reset(&v->in);
	v->scanned = 0;
}

/* What the client wrote since the last check must start with want; take that. */
static void
srv_take(struct srv *v, const char *want)
{
	size_t n = strlen(want);

	if (v->in.len < n || memcmp(v->in.data, want, n) != 0)
		fail_msg("the client wrote\n[%s]\nexpected it to start with\n"
		    "[%s]", test_vis(buf_str(&v->in), v->in.len),
		    test_vis(want, n));
	buf_consume(&v->in, n);
	v->scanned = 0;
}

/* Wait for the client to write want, check it was exactly that, answer. */
static void
exchange(struct srv *v, const char *want, const char *reply)
{
	if (!srv_until(v, want))
		fail_msg("the client did not write [%s]; it wrote [%s] "
		    "(session %d)", test_vis(want, strlen(want)),
		    test_vis(buf_str(&v->in), v->in.len),
		    (int)session_status(v->s));
	srv_expect(v, want);
	if (reply != NULL)
		srv_say(v, reply);
}

/* From here on the server speaks TLS (it has sent all it had in clear). */
static void
srv_tls(struct srv *v)
{
	assert_int_equal(v->out.len, 0);
	v->ssl = SSL_new(pki.ctx);
	assert_non_null(v->ssl);
	assert_int_equal(SSL_set_fd(v->ssl, v->fd), 1);
	SSL_set_accept_state(v->ssl);
}

/* A socketpair and default options; the test may change v->o, then srv_start(). */
/* Every wait of the session gets sec seconds (the session its default). */
static void
set_timeouts(struct smtp_opts *o, int sec)
{
	int t;

	for (t = 0; t < SMTP_T_COUNT; t++)
		if (t != SMTP_T_SESSION)
			o->timeouts[t] = sec;
}

static void
srv_init(struct srv *v)
{
	int sv[2];

	memset(v, 0, sizeof(*v));
	v->o.host = "mx.example.test";
	v->o.port = "25";
	v->o.smtp.helo = "client.test";
	v->o.smtp.tls = SMTP_TLS_NONE;
	/* Long enough for any step here, short enough to end a broken test. */
	set_timeouts(&v->o.smtp, 5);
	v->o.tls.verify = 1;
	v->o.tls.fingerprint = pki.fp;
	buf_init(&v->in, 64u * 1024 * 1024);
	buf_init(&v->out, 1024 * 1024);
	v->tr = transcript_new(4096);
	assert_non_null(v->tr);
	/* Blocking, as a caller might hand it over: the session must cope. */
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	v->cfd = sv[0];
	v->fd = sv[1];
	assert_int_equal(fcntl(v->fd, F_SETFL,
	    fcntl(v->fd, F_GETFL) | O_NONBLOCK), 0);
}

static void
srv_start(struct srv *v)
{
	char *why = NULL;
	enum err e;

	e = session_open_fd(&v->s, &v->o, v->cfd, v->tr, &why);
	if (e != ERR_OK)
		fail_msg("session_open_fd: %s: %s", err_name(e),
		    why != NULL ? why : "");
	assert_non_null(v->s);
	assert_null(why);
	v->cfd = -1;
}

static void
srv_close(struct srv *v)
{
	session_free(v->s);
	SSL_free(v->ssl);
	if (v->fd >= 0)
		(void)close(v->fd);
	if (v->cfd >= 0)
		(void)close(v->cfd);
	buf_free(&v->in);
	buf_free(&v->out);
	transcript_free(v->tr);
	ERR_clear_error();
}

/* The server goes away without a word. */
static void
srv_hangup(struct srv *v)
{
	SSL_free(v->ssl);
	v->ssl = NULL;
	(void)close(v->fd);
	v->fd = -1;
}

/* Greeting and EHLO (answered with ehlo_reply) up to READY. */
static void
srv_ready(struct srv *v, const char *ehlo_reply)
{
	srv_say(v, GREETING);
	exchange(v, EHLO, ehlo_reply);
	assert_int_equal(srv_settle(v), SESSION_READY);
	assert_int_equal(v->in.len, 0);
}

static void
srv_send(struct srv *v, const struct smtp_envelope *env, int fd)
{
	char *why = NULL;
	enum err e;

	e = session_send(v->s, env, fd, &why);
	if (e != ERR_OK)
		fail_msg("session_send: %s: %s", err_name(e),
		    why != NULL ? why : "");
}

/* -- messages -------------------------------------------------------------- */

/* A message file holding text[0..len), open at its start. */
static int
msg_file(const char *text, size_t len)
{
	static unsigned seq;
	char path[128];
	size_t off;
	ssize_t n;
	int fd;

	(void)snprintf(path, sizeof(path), "%s/msg%u", test_dir, seq++);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	for (off = 0; off < len; off += (size_t)n) {
		n = write(fd, text + off, len - off);
		assert_true(n > 0);
	}
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

/*
 * What text must look like inside DATA, worked out here without the
 * project's code: every line end CRLF, a leading dot doubled, a final
 * line end when the text lacks one, and the ending dot line.
 */
static void
wire_form(struct buf *out, const char *p, size_t n)
{
	size_t i;
	int bol = 1;

	for (i = 0; i < n; i++) {
		if (bol && p[i] == '.')
			assert_int_equal(buf_addch(out, '.'), 0);
		if (p[i] == '\r' || p[i] == '\n') {
			if (p[i] == '\r' && i + 1 < n && p[i + 1] == '\n')
				i++;
			assert_int_equal(buf_add(out, "\r\n", 2), 0);
			bol = 1;
			continue;
		}
		assert_int_equal(buf_addch(out, p[i]), 0);
		bol = 0;
	}
	if (!bol)
		assert_int_equal(buf_add(out, "\r\n", 2), 0);
	assert_int_equal(buf_add(out, ".\r\n", 3), 0);
}

/*
 * size bytes of LF-ended lines of random length, many starting with a
 * dot, with a line end and a dot on each side of every block boundary,
 * so that both conversions must carry their state from one block to the
 * next.
 */
static char *
big_body(size_t size, uint32_t seed)
{
	char *b;
	size_t i = 0, len, k, at;

	b = malloc(size);
	assert_non_null(b);
	while (i < size) {
		len = test_rand(&seed) % 150;
		for (k = 0; k < len && i < size; k++, i++)
			b[i] = k == 0 && test_rand(&seed) % 5 == 0 ? '.' :
			    (char)('!' + test_rand(&seed) % 94);
		if (i < size)
			b[i++] = '\n';
	}
	for (at = BLOCK; at + 2 < size; at += BLOCK) {
		b[at - 1] = '\n';
		b[at] = '.';
		/* Every other boundary: a line holding only a dot. */
		if ((at / BLOCK) % 2 == 0)
			b[at + 1] = '\n';
	}
	b[size - 1] = '\n';
	return b;
}

/* Send text as a message to env (all recipients accepted), check the wire. */
static void
send_and_check(struct srv *v, const struct smtp_envelope *env,
    const char *text, size_t len)
{
	struct buf want;
	size_t i;
	int fd;

	buf_init(&want, 64u * 1024 * 1024);
	wire_form(&want, text, len);
	fd = msg_file(text, len);
	srv_send(v, env, fd);
	exchange(v, "MAIL FROM:<a@example.org>\r\n", "250 2.1.0 ok\r\n");
	for (i = 0; i < env->nrcpts; i++) {
		char line[128];

		(void)snprintf(line, sizeof(line), "RCPT TO:<%s>\r\n",
		    env->rcpts[i]);
		exchange(v, line, "250 2.1.5 ok\r\n");
	}
	exchange(v, "DATA\r\n", "354 go ahead\r\n");
	assert_true(srv_until(v, "\r\n.\r\n"));
	if (v->in.len != want.len ||
	    memcmp(v->in.data, want.data, want.len) != 0) {
		for (i = 0; i < v->in.len && i < want.len; i++)
			if (v->in.data[i] != want.data[i])
				break;
		fail_msg("data differs from byte %zu of %zu (got %zu): "
		    "got [%s], expected [%s]", i, want.len, v->in.len,
		    test_vis(v->in.data + i, v->in.len - i),
		    test_vis(want.data + i, want.len - i));
	}
	buf_reset(&v->in);
	srv_say(v, "250 2.0.0 Ok: queued as 4F1x\r\n");
	assert_int_equal(srv_settle(v), SESSION_READY);
	(void)close(fd);
	buf_free(&want);
}

/* -- TLS material ---------------------------------------------------------- */

static int
setup(void **state)
{
	EVP_PKEY_CTX *pc;
	X509_NAME *name;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	if (test_dir_setup(state) != 0)
		return -1;
	pc = EVP_PKEY_CTX_new_id(EVP_PKEY_EC, NULL);
	if (pc == NULL || EVP_PKEY_keygen_init(pc) != 1 ||
	    EVP_PKEY_CTX_set_ec_paramgen_curve_nid(pc,
	    NID_X9_62_prime256v1) != 1 ||
	    EVP_PKEY_keygen(pc, &pki.key) != 1) {
		EVP_PKEY_CTX_free(pc);
		return -1;
	}
	EVP_PKEY_CTX_free(pc);
	pki.cert = X509_new();
	if (pki.cert == NULL)
		return -1;
	name = X509_get_subject_name(pki.cert);
	if (X509_set_version(pki.cert, 2) != 1 ||
	    ASN1_INTEGER_set(X509_get_serialNumber(pki.cert), 1) != 1 ||
	    X509_gmtime_adj(X509_getm_notBefore(pki.cert), -86400) == NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(pki.cert), 86400) == NULL ||
	    X509_set_pubkey(pki.cert, pki.key) != 1 ||
	    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
	    (const unsigned char *)"mx.example.test", -1, -1, 0) != 1 ||
	    X509_set_issuer_name(pki.cert, name) != 1 ||
	    X509_sign(pki.cert, pki.key, EVP_sha256()) <= 0 ||
	    X509_digest(pki.cert, EVP_sha256(), md, &n) != 1 || n != 32)
		return -1;
	for (i = 0; i < n; i++)
		(void)snprintf(pki.fp + 2 * i, 3, "%02x", md[i]);
	pki.ctx = SSL_CTX_new(TLS_server_method());
	if (pki.ctx == NULL ||
	    SSL_CTX_use_certificate(pki.ctx, pki.cert) != 1 ||
	    SSL_CTX_use_PrivateKey(pki.ctx, pki.key) != 1)
		return -1;
	SSL_CTX_set_mode(pki.ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	return 0;
}

static int
teardown(void **state)
{
	SSL_CTX_free(pki.ctx);
	X509_free(pki.cert);
	EVP_PKEY_free(pki.key);
	return test_dir_teardown(state);
}

/* -- tests ----------------------------------------------------------------- */

/* The greeting, EHLO, the capabilities, READY; the fd became non-blocking. */
static void
test_greeting_ehlo_ready(void **state)
{
	struct pollfd p;
	struct srv v;
	int cfd;

	(void)state;
	srv_init(&v);
	cfd = v.cfd;
	srv_start(&v);
	assert_true(fcntl(cfd, F_GETFL) & O_NONBLOCK);
	/* Waiting for the greeting, on that very fd. */
	assert_int_equal(session_status(v.s), SESSION_BUSY);
	assert_true(session_pollfd(v.s, &p) > 0);
	assert_int_equal(p.fd, cfd);
	assert_int_equal(p.events, POLLIN);
	/* A spurious wake-up: still nothing is said before the greeting. */
	session_step(v.s, POLLOUT);
	srv_read(&v);
	assert_int_equal(v.in.len, 0);
	assert_int_equal(session_status(v.s), SESSION_BUSY);

	srv_say(&v, "220-mx.example.test ESMTP\r\n220 welcome\r\n");
	exchange(&v, EHLO, "250-mx.example.test hello\r\n250-SIZE 1000\r\n"
	    "250-PIPELINING\r\n250 8BITMIME\r\n");
	assert_int_equal(srv_settle(&v), SESSION_READY);
	assert_int_equal(v.in.len, 0);
	assert_int_equal(smtp_caps(session_smtp(v.s))->flags,
	    SMTP_CAP_EHLO | SMTP_CAP_SIZE | SMTP_CAP_PIPELINING |
	    SMTP_CAP_8BITMIME);
	assert_int_equal(smtp_caps(session_smtp(v.s))->size, 1000);
	assert_false(smtp_tls_active(session_smtp(v.s)));
	assert_int_equal(session_error(v.s, NULL), ERR_OK);
	assert_true(test_has_event(v.tr, TR_SERVER, "220 welcome"));
	assert_true(test_has_event(v.tr, TR_CLIENT, "EHLO client.test"));
	/* Idle: nothing to poll for, no timer. */
	assert_int_equal(session_pollfd(v.s, &p), -1);
	srv_close(&v);
}

/* An LF message: CRLF on the wire, dots doubled, the final dot. */
static void
test_send_lf_message(void **state)
{
	static const char text[] = "Subject: dots\n\n.hidden\n..two\n.\n"
	    "a . not at the start\n\n.\nno line end at the end";
	struct smtp_envelope env = { .from = "a@example.org", .rcpts = rcpt1,
	    .nrcpts = 1 };
	const struct smtp_result *res;
	struct srv v;
	int fd;

	(void)state;
	srv_init(&v);
	srv_start(&v);
	srv_ready(&v, EHLO_PLAIN);
	fd = msg_file(text, sizeof(text) - 1);
	srv_send(&v, &env, fd);
	/* No PIPELINING: MAIL alone, and each next command after its reply. */
	srv_read(&v);
	srv_expect(&v, "MAIL FROM:<a@example.org>\r\n");
	srv_say(&v, "250 2.1.0 ok\r\n");
	exchange(&v, "RCPT TO:<bob@example.org>\r\n", "250 2.1.5 ok\r\n");
	exchange(&v, "DATA\r\n", "354 go ahead\r\n");
	exchange(&v, "Subject: dots\r\n\r\n..hidden\r\n...two\r\n..\r\n"
	    "a . not at the start\r\n\r\n..\r\nno line end at the end\r\n"
	    ".\r\n", "250 2.0.0 Ok: queued as 4F1x\r\n");
	assert_int_equal(srv_settle(&v), SESSION_READY);
	assert_int_equal(v.in.len, 0);
	res = smtp_result(session_smtp(v.s));
	assert_int_equal(res->err, ERR_OK);
	assert_int_equal(res->reply.code, 250);
	assert_string_equal(res->reply.text, "250 2.0.0 Ok: queued as 4F1x");
	assert_int_equal(res->naccepted, 1);
	assert_int_equal(res->lines, 9);
	assert_int_equal(smtp_messages_done(session_smtp(v.s)), 1);
	(void)close(fd);
	srv_close(&v);
}

/* A CRLF message keeps its line ends: no CR is added to a CRLF. */
static void
test_send_crlf_message(void **state)
{
	static const char text[] = "Subject: crlf\r\n\r\nline\r\n.dot\r\n"
	    "\r\n.\r\nlast\r\n";
	struct smtp_envelope env = { .from = "a@example.org", .rcpts = rcpt1,
	    .nrcpts = 1 };
	struct srv v;

	(void)state;
	srv_init(&v);
	srv_start(&v);
	srv_ready(&v, EHLO_PLAIN);
	send_and_check(&v, &env, text, sizeof(text) - 1);
	srv_close(&v);

	/* The same bytes, spelt out: no "\r\r\n", no doubled line. */
	srv_init(&v);
	srv_start(&v);
	srv_ready(&v, EHLO_PLAIN);
	{
		int fd = msg_file(text, sizeof(text) - 1);

		srv_send(&v, &env, fd);
		exchange(&v, "MAIL FROM:<a@example.org>\r\n", "250 ok\r\n");
		exchange(&v, "RCPT TO:<bob@example.org>\r\n", "250 ok\r\n");
		exchange(&v, "DATA\r\n", "354 go ahead\r\n");
		exchange(&v, "Subject: crlf\r\n\r\nline\r\n..dot\r\n\r\n..\r\n"
		    "last\r\n.\r\n", "250 ok\r\n");
		assert_int_equal(srv_settle(&v), SESSION_READY);
		assert_int_equal(smtp_result(session_smtp(v.s))->err, ERR_OK);
		(void)close(fd);
	}
	srv_close(&v);
}

/* 1 MiB, read and sent in blocks, arrives byte for byte. */
static void
test_large_message(void **state)
{
	const size_t size = 1024 * 1024;
	struct smtp_envelope env = { .from = "a@example.org", .rcpts = rcpt1,
	    .nrcpts = 1 };
	const struct smtp_result *res;
	struct buf want;
	struct srv v;
	char *text;
	size_t i, lf = 0;

	(void)state;
	text = big_body(size, 0x5eed);
	for (i = 0; i < size; i++)
		lf += text[i] == '\n';
	buf_init(&want, 64u * 1024 * 1024);
	wire_form(&want, text, size);
	srv_init(&v);
	srv_start(&v);
	srv_ready(&v, EHLO_PLAIN);
	send_and_check(&v, &env, text, size);
	res = smtp_result(session_smtp(v.s));
	assert_int_equal(res->err, ERR_OK);
	/* The engine counts what went out, without the final dot line. */
	assert_int_equal(res->bytes, want.len - 3);
	assert_int_equal(res->lines, lf);
	srv_close(&v);
	buf_free(&want);
	free(text);
}

/* With PIPELINING, MAIL, every RCPT and DATA leave before any reply. */
static void
test_pipelining(void **state)
{
	static const char text[] = "Subject: p\n\nhi\n";
	struct smtp_envelope env = { .from = "a@example.org", .rcpts = rcpt2,
	    .nrcpts = 2 };
	const struct smtp_result *res;
	struct srv v;
	int fd;

	(void)state;
	srv_init(&v);
	srv_start(&v);
	srv_ready(&v, EHLO_PIPE);
	fd = msg_file(text, sizeof(text) - 1);
	srv_send(&v, &env, fd);
	/* Already out when session_send() returns, all of it. */
	srv_read(&v);
	srv_expect(&v, "MAIL FROM:<a@example.org>\r\n"
	    "RCPT TO:<bob@example.org>\r\nRCPT TO:<carol@example.org>\r\n"
	    "DATA\r\n");
	srv_say(&v, "250 ok\r\n250 ok\r\n250 ok\r\n354 go ahead\r\n");
	exchange(&v, "Subject: p\r\n\r\nhi\r\n.\r\n", "250 queued\r\n");
	assert_int_equal(srv_settle(&v), SESSION_READY);
	res = smtp_result(session_smtp(v.s));
	assert_int_equal(res->err, ERR_OK);
	assert_int_equal(res->naccepted, 2);
	(void)close(fd);

	/* no_pipelining: the same server gets one command at a time. */
	srv_close(&v);
	srv_init(&v);
	v.o.smtp.no_pipelining = 1;
	srv_start(&v);
	srv_ready(&v, EHLO_PIPE);
	fd = msg_file(text, sizeof(text) - 1);
	srv_send(&v, &env, fd);
	srv_read(&v);
	srv_expect(&v, "MAIL FROM:<a@example.org>\r\n");
	(void)close(fd);
	srv_close(&v);
}

/* A 550 to one RCPT: the others get the message; per-recipient results. */
static void
test_rcpt_rejected(void **state)
{
	static const char text[] = "Subject: r\n\nhi\n";
	struct smtp_envelope env = { .from = "a@example.org", .rcpts = rcpt3,
	    .nrcpts = 3 };
	struct smtp_envelope env1 = { .from = "a@example.org",
	    .rcpts = rcpt2 + 1, .nrcpts = 1 };
	const struct smtp_result *res;
	struct srv v;
	int fd;

	(void)state;
	srv_init(&v);
	srv_start(&v);
	srv_ready(&v, EHLO_PLAIN);
	fd = msg_file(text, sizeof(text) - 1);
	srv_send(&v, &env, fd);
	exchange(&v, "MAIL FROM:<a@example.org>\r\n", "250 2.1.0 ok\r\n");
	exchange(&v, "RCPT TO:<bob@example.org>\r\n", "250 2.1.5 ok\r\n");
	exchange(&v, "RCPT TO:<carol@example.org>\r\n",
	    "550 5.1.1 <carol@example.org>: no such user\r\n");
	exchange(&v, "RCPT TO:<dave@example.org>\r\n", "250 2.1.5 ok\r\n");
	exchange(&v, "DATA\r\n", "354 go ahead\r\n");
	exchange(&v, "Subject: r\r\n\r\nhi\r\n.\r\n", "250 2.0.0 queued\r\n");
	assert_int_equal(srv_settle(&v), SESSION_READY);
	res = smtp_result(session_smtp(v.s));
	assert_int_equal(res->err, ERR_OK);
	assert_int_equal(res->nrcpts, 3);
	assert_int_equal(res->naccepted, 2);
	assert_int_equal(res->rcpt[0].code, 250);
	assert_string_equal(res->rcpt[0].enhanced, "2.1.5");
	assert_int_equal(res->rcpt[1].code, 550);
	assert_string_equal(res->rcpt[1].enhanced, "5.1.1");
	assert_string_equal(res->rcpt[1].text,
	    "550 5.1.1 <carol@example.org>: no such user");
	assert_int_equal(res->rcpt[2].code, 250);
	assert_true(test_has_event(v.tr, TR_ERROR,
	    "refused the recipient (RCPT TO:<carol@example.org>)"));
	(void)close(fd);

	/* Nobody left: no DATA, the message fails, the session stays. */
	fd = msg_file(text, sizeof(text) - 1);
	srv_send(&v, &env1, fd);
	assert_true(srv_until(&v, "RSET\r\n"));
	srv_take(&v, "RSET\r\n");
	srv_say(&v, "250 2.0.0 ok\r\n");
	exchange(&v, "MAIL FROM:<a@example.org>\r\n", "250 2.1.0 ok\r\n");
	exchange(&v, "RCPT TO:<carol@example.org>\r\n",
	    "550 5.1.1 <carol@example.org>: no such user\r\n");
	assert_int_equal(srv_settle(&v), SESSION_READY);
	assert_int_equal(v.in.len, 0);
	res = smtp_result(session_smtp(v.s));
	assert_int_equal(res->err, ERR_NOUSER);
	assert_int_equal(res->naccepted, 0);
	assert_int_equal(res->rcpt[0].code, 550);
	assert_int_equal(smtp_messages_done(session_smtp(v.s)), 2);
	assert_int_equal(session_error(v.s, NULL), ERR_OK);
	(void)close(fd);
	srv_close(&v);
}

/* The server hangs up in the middle of the data: over, not delivered. */
static void
test_close_in_data(void **state)
{
	const size_t size = 4 * 1024 * 1024;
	struct smtp_envelope env = { .from = "a@example.org", .rcpts = rcpt1,
	    .nrcpts = 1 };
	const struct smtp_result *res;
	struct srv v;
	char *text;
	enum err e;
	int fd;

	(void)state;
	text = big_body(size, 42);
	srv_init(&v);
	srv_start(&v);
	srv_ready(&v, EHLO_PLAIN);
	fd = msg_file(text, size);
	srv_send(&v, &env, fd);
	exchange(&v, "MAIL FROM:<a@example.org>\r\n", "250 ok\r\n");
	exchange(&v, "RCPT TO:<bob@example.org>\r\n", "250 ok\r\n");
	exchange(&v, "DATA\r\n", "354 go ahead\r\n");
	assert_true(srv_run(&v, NULL, 100 * 1024));
	srv_hangup(&v);
	assert_int_equal(srv_settle(&v), SESSION_DONE);
	/* A write into the closed socket (EPIPE) or a read of its end. */
	e = session_error(v.s, NULL);
	assert_true(e == ERR_NET || e == ERR_CLOSED);
	res = smtp_result(session_smtp(v.s));
	assert_int_equal(res->err, e);
	/* The final dot never went out: certainly not delivered. */
	assert_false(res->uncertain);
	assert_int_equal(smtp_messages_done(session_smtp(v.s)), 1);
	(void)close(fd);
	srv_close(&v);
	free(text);
}

/* The server hangs up after the final dot: maybe delivered. */
static void
test_close_after_dot(void **state)
{
	static const char text[] = "Subject: c\n\nhi\n";
	struct smtp_envelope env = { .from = "a@example.org", .rcpts = rcpt1,
	    .nrcpts = 1 };
	const struct smtp_result *res;
	const char *detail = NULL;
	struct srv v;
	int fd;

	(void)state;
	srv_init(&v);
	srv_start(&v);
	srv_ready(&v, EHLO_PLAIN);
	fd = msg_file(text, sizeof(text) - 1);
	srv_send(&v, &env, fd);
	exchange(&v, "MAIL FROM:<a@example.org>\r\n", "250 ok\r\n");
	exchange(&v, "RCPT TO:<bob@example.org>\r\n", "250 ok\r\n");
	exchange(&v, "DATA\r\n", "354 go ahead\r\n");
	exchange(&v, "Subject: c\r\n\r\nhi\r\n.\r\n", NULL);
	srv_hangup(&v);
	assert_int_equal(srv_settle(&v), SESSION_DONE);
	assert_int_equal(session_error(v.s, &detail), ERR_CLOSED);
	assert_non_null(strstr(detail, "may or may not"));
	res = smtp_result(session_smtp(v.s));
	assert_int_equal(res->err, ERR_CLOSED);
	assert_true(res->uncertain);
	(void)close(fd);
	srv_close(&v);
}

/* A server that never greets: the phase timer ends it. */
static void
test_timeout_greeting(void **state)
{
	const char *detail = NULL;
	struct pollfd p;
	struct srv v;
	int64_t t0, ms;

	(void)state;
	srv_init(&v);
	set_timeouts(&v.o.smtp, 1);
	t0 = util_now_us();
	srv_start(&v);
	assert_true(session_pollfd(v.s, &p) <= 1001);
	assert_int_equal(srv_settle(&v), SESSION_DONE);
	ms = (util_now_us() - t0) / 1000;
	assert_true(ms >= 990 && ms < 3000);
	assert_int_equal(session_error(v.s, &detail), ERR_TIMEOUT);
	assert_non_null(strstr(detail, "greeting"));
	/* The session wrote nothing and closed its end. */
	assert_int_equal(v.in.len, 0);
	assert_true(v.eof);
	srv_close(&v);
}

/*
 * A greeting that trickles in a byte at a time never restarts the timer:
 * the whole reply must come within greeting_timeout.
 */
static void
test_timeout_greeting_drip_fed(void **state)
{
	static const char greet[] = "220-one\r\n220-two\r\n220-three\r\n"
	    "220 ready\r\n";
	const char *detail = NULL;
	struct pollfd p;
	struct srv v;
	int64_t t0, last = 0, ms;
	size_t i = 0;
	char b[2] = "";
	int t, n;

	(void)state;
	srv_init(&v);
	set_timeouts(&v.o.smtp, 5);
	v.o.smtp.timeouts[SMTP_T_GREETING] = 1;
	t0 = util_now_us();
	srv_start(&v);
	while (session_status(v.s) == SESSION_BUSY &&
	    util_now_us() - t0 < 6000000) {
		if (util_now_us() - last >= 100000 && greet[i] != '\0') {
			b[0] = greet[i++];
			srv_say(&v, b);
			last = util_now_us();
		}
		t = session_pollfd(v.s, &p);
		if (t < 0 || t > 20)
			t = 20;
		n = poll(&p, 1, t);
		session_step(v.s, n <= 0 ? 0 : p.revents);
	}
	ms = (util_now_us() - t0) / 1000;
	assert_true(ms >= 990 && ms < 2500);
	assert_true(i < strlen(greet));
	assert_int_equal(session_error(v.s, &detail), ERR_TIMEOUT);
	assert_non_null(strstr(detail, "greeting_timeout"));
	srv_close(&v);
}

/* session_timeout bounds the whole session, whatever each wait may take. */
static void
test_timeout_session_bound(void **state)
{
	const char *detail = NULL;
	struct srv v;
	int64_t t0, ms;

	(void)state;
	srv_init(&v);
	set_timeouts(&v.o.smtp, 30);
	v.o.smtp.timeouts[SMTP_T_SESSION] = 1;
	t0 = util_now_us();
	srv_start(&v);
	srv_say(&v, "220 hi\r\n");
	assert_true(srv_until(&v, "EHLO client.test\r\n"));
	/* No answer to EHLO: its own timer has 30 s, the session 1 s. */
	assert_int_equal(srv_settle(&v), SESSION_DONE);
	ms = (util_now_us() - t0) / 1000;
	assert_true(ms >= 990 && ms < 3000);
	assert_int_equal(session_error(v.s, &detail), ERR_TIMEOUT);
	assert_non_null(strstr(detail, "session_timeout"));
	srv_close(&v);
}

/* No answer to the final dot: a timeout, and the message maybe delivered. */
static void
test_timeout_after_dot(void **state)
{
	static const char text[] = "Subject: t\n\nhi\n";
	struct smtp_envelope env = { .from = "a@example.org", .rcpts = rcpt1,
	    .nrcpts = 1 };
	const struct smtp_result *res;
	struct srv v;
	int fd;

	(void)state;
	srv_init(&v);
	set_timeouts(&v.o.smtp, 1);
	srv_start(&v);
	srv_ready(&v, EHLO_PIPE);
	fd = msg_file(text, sizeof(text) - 1);
	srv_send(&v, &env, fd);
	exchange(&v, "MAIL FROM:<a@example.org>\r\n"
	    "RCPT TO:<bob@example.org>\r\nDATA\r\n",
	    "250 ok\r\n250 ok\r\n354 go ahead\r\n");
	exchange(&v, "Subject: t\r\n\r\nhi\r\n.\r\n", NULL);
	assert_int_equal(srv_settle(&v), SESSION_DONE);
	assert_int_equal(session_error(v.s, NULL), ERR_TIMEOUT);
	res = smtp_result(session_smtp(v.s));
	assert_int_equal(res->err, ERR_TIMEOUT);
	assert_true(res->uncertain);
	assert_int_equal(v.in.len, 0);
	assert_true(v.eof);
	(void)close(fd);
	srv_close(&v);
}

/* session_stop() with only an envelope in flight: QUIT after it, clean end. */
static void
test_stop_envelope_quits(void **state)
{
	static const char text[] = "Subject: s\n\nhi\n";
	/* abort_on_reject keeps DATA out of the pipelined flight. */
	struct smtp_envelope env = { .from = "a@example.org", .rcpts = rcpt1,
	    .nrcpts = 1, .abort_on_reject = 1 };
	struct srv v;
	int fd;

	(void)state;
	srv_init(&v);
	srv_start(&v);
	srv_ready(&v, EHLO_PIPE);
	fd = msg_file(text, sizeof(text) - 1);
	srv_send(&v, &env, fd);
	srv_read(&v);
	srv_expect(&v, "MAIL FROM:<a@example.org>\r\n"
	    "RCPT TO:<bob@example.org>\r\n");
	session_stop(v.s);
	srv_read(&v);
	srv_expect(&v, "QUIT\r\n");
	srv_say(&v, "250 ok\r\n250 ok\r\n221 2.0.0 bye\r\n");
	assert_int_equal(srv_settle(&v), SESSION_DONE);
	/* No DATA, nothing after QUIT, and the socket closed. */
	assert_int_equal(v.in.len, 0);
	assert_true(v.eof);
	assert_int_equal(session_error(v.s, NULL), ERR_CANCEL);
	assert_int_equal(smtp_result(session_smtp(v.s))->err, ERR_CANCEL);
	assert_int_equal(smtp_messages_done(session_smtp(v.s)), 1);
	(void)close(fd);
	srv_close(&v);
}

/* session_stop() while a reply is awaited without PIPELINING: just hang up. */
static void
test_stop_unpipelined_drops(void **state)
{
	static const char text[] = "Subject: s\n\nhi\n";
	struct smtp_envelope env = { .from = "a@example.org", .rcpts = rcpt1,
	    .nrcpts = 1 };
	struct srv v;
	int fd;

	(void)state;
	srv_init(&v);
	srv_start(&v);
	srv_ready(&v, EHLO_PLAIN);
	fd = msg_file(text, sizeof(text) - 1);
	srv_send(&v, &env, fd);
	exchange(&v, "MAIL FROM:<a@example.org>\r\n", NULL);
	session_stop(v.s);
	assert_int_equal(session_status(v.s), SESSION_DONE);
	srv_read(&v);
	assert_int_equal(v.in.len, 0);
	assert_true(v.eof);
	assert_int_equal(session_error(v.s, NULL), ERR_CANCEL);
	assert_int_equal(smtp_result(session_smtp(v.s))->err, ERR_CANCEL);
	(void)close(fd);
	srv_close(&v);
}

/* session_quit() from READY: QUIT, the 221, a clean end, the fd closed. */
static void
test_quit_from_ready(void **state)
{
	struct pollfd p;
	struct srv v;

	(void)state;
	srv_init(&v);
	srv_start(&v);
	srv_ready(&v, EHLO_PLAIN);
	session_quit(v.s);
	srv_read(&v);
	srv_expect(&v, "QUIT\r\n");
	assert_int_equal(session_status(v.s), SESSION_BUSY);
	srv_say(&v, "221 2.0.0 bye\r\n");
	assert_int_equal(srv_settle(&v), SESSION_DONE);
	assert_int_equal(session_error(v.s, NULL), ERR_OK);
	assert_int_equal(v.in.len, 0);
	assert_true(v.eof);
	assert_int_equal(session_pollfd(v.s, &p), -1);
	assert_int_equal(p.fd, -1);
	assert_int_equal(smtp_messages_done(session_smtp(v.s)), 0);
	srv_close(&v);
}

/* session_bytes_sent(): every byte handed to the socket, the message's too. */
static void
test_bytes_sent(void **state)
{
	static const char text[] = "Subject: b\n\n.x\nhello\n";
	static const char mail[] = "MAIL FROM:<a@example.org>\r\n";
	static const char rcpt[] = "RCPT TO:<bob@example.org>\r\n";
	static const char data[] = "Subject: b\r\n\r\n..x\r\nhello\r\n.\r\n";
	struct smtp_envelope env = { .from = "a@example.org", .rcpts = rcpt1,
	    .nrcpts = 1 };
	unsigned long long sent0;
	struct srv v;
	int fd;

	(void)state;
	srv_init(&v);
	srv_start(&v);
	assert_int_equal(session_bytes_sent(v.s), 0);
	srv_ready(&v, EHLO_PLAIN);
	sent0 = session_bytes_sent(v.s);
	assert_int_equal(sent0, strlen(EHLO));
	fd = msg_file(text, sizeof(text) - 1);
	srv_send(&v, &env, fd);
	exchange(&v, mail, "250 ok\r\n");
	exchange(&v, rcpt, "250 ok\r\n");
	exchange(&v, "DATA\r\n", "354 go ahead\r\n");
	exchange(&v, data, "250 queued\r\n");
	assert_int_equal(srv_settle(&v), SESSION_READY);
	assert_int_equal(session_bytes_sent(v.s) - sent0,
	    strlen(mail) + strlen(rcpt) + strlen("DATA\r\n") + strlen(data));
	/* The engine's count: the message alone, without the dot line. */
	assert_int_equal(smtp_result(session_smtp(v.s))->bytes,
	    strlen(data) - 3);
	session_quit(v.s);
	exchange(&v, "QUIT\r\n", "221 bye\r\n");
	assert_int_equal(srv_settle(&v), SESSION_DONE);
	assert_int_equal(session_bytes_sent(v.s), v.total);
	(void)close(fd);
	srv_close(&v);
}

/* Implicit TLS over the seam: the handshake first, then the greeting. */
static void
test_implicit_tls(void **state)
{
	static const char text[] = "Subject: tls\n\n.secret\n";
	struct smtp_envelope env = { .from = "a@example.org", .rcpts = rcpt1,
	    .nrcpts = 1 };
	struct srv v;

	(void)state;
	srv_init(&v);
	v.o.smtp.tls = SMTP_TLS_IMPLICIT;
	srv_tls(&v);
	srv_start(&v);
	srv_ready(&v, EHLO_PLAIN);
	assert_true(smtp_tls_active(session_smtp(v.s)));
	assert_true(test_has_event(v.tr, TR_TLS,
	    "certificate matches the pinned fingerprint"));
	send_and_check(&v, &env, text, sizeof(text) - 1);
	assert_int_equal(smtp_result(session_smtp(v.s))->err, ERR_OK);
	session_quit(v.s);
	exchange(&v, "QUIT\r\n", "221 bye\r\n");
	assert_int_equal(srv_settle(&v), SESSION_DONE);
	assert_int_equal(session_error(v.s, NULL), ERR_OK);
	assert_true(v.eof);
	srv_close(&v);
}

/* A TLS setup error shows as after a connect: DONE, the error, fd closed. */
static void
test_implicit_tls_setup_fails(void **state)
{
	const char *detail = NULL;
	struct srv v;
	enum err e;

	(void)state;
	srv_init(&v);
	v.o.smtp.tls = SMTP_TLS_IMPLICIT;
	v.o.tls.fingerprint = NULL;
	v.o.tls.cafile = "/nonexistent/ca.pem";
	srv_start(&v);
	assert_int_equal(session_status(v.s), SESSION_DONE);
	/* tls.h says ERR_TLS for a bad cafile; tls.c returns ERR_CONFIG. */
	e = session_error(v.s, &detail);
	assert_true(e == ERR_CONFIG || e == ERR_TLS);
	assert_non_null(strstr(detail, "/nonexistent/ca.pem"));
	srv_read(&v);
	assert_int_equal(v.in.len, 0);
	assert_true(v.eof);
	srv_close(&v);
}

/* STARTTLS: the session's handshake in mid-conversation, then EHLO again. */
static void
test_starttls(void **state)
{
	struct srv v;

	(void)state;
	srv_init(&v);
	v.o.smtp.tls = SMTP_TLS_STARTTLS;
	srv_start(&v);
	srv_say(&v, GREETING);
	exchange(&v, EHLO, "250-mx.example.test\r\n250 STARTTLS\r\n");
	exchange(&v, "STARTTLS\r\n", "220 2.0.0 ready\r\n");
	srv_tls(&v);
	exchange(&v, EHLO, "250-mx.example.test\r\n250 PIPELINING\r\n");
	assert_int_equal(srv_settle(&v), SESSION_READY);
	assert_true(smtp_tls_active(session_smtp(v.s)));
	assert_int_equal(smtp_caps(session_smtp(v.s))->flags,
	    SMTP_CAP_EHLO | SMTP_CAP_PIPELINING);
	session_quit(v.s);
	exchange(&v, "QUIT\r\n", "221 bye\r\n");
	assert_int_equal(srv_settle(&v), SESSION_DONE);
	assert_int_equal(session_error(v.s, NULL), ERR_OK);
	srv_close(&v);
}

/* A descriptor that is not one: refused, with a reason. */
static void
test_bad_fd(void **state)
{
	struct session_opts o;
	struct session *s = (struct session *)&o;
	char *why = NULL;

	(void)state;
	memset(&o, 0, sizeof(o));
	assert_int_equal(session_open_fd(&s, &o, -1, NULL, &why), ERR_NET);
	assert_null(s);
	assert_non_null(why);
	free(why);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_greeting_ehlo_ready),
		cmocka_unit_test(test_send_lf_message),
		cmocka_unit_test(test_send_crlf_message),
		cmocka_unit_test(test_large_message),
		cmocka_unit_test(test_pipelining),
		cmocka_unit_test(test_rcpt_rejected),
		cmocka_unit_test(test_close_in_data),
		cmocka_unit_test(test_close_after_dot),
		cmocka_unit_test(test_timeout_greeting),
		cmocka_unit_test(test_timeout_greeting_drip_fed),
		cmocka_unit_test(test_timeout_session_bound),
		cmocka_unit_test(test_timeout_after_dot),
		cmocka_unit_test(test_stop_envelope_quits),
		cmocka_unit_test(test_stop_unpipelined_drops),
		cmocka_unit_test(test_quit_from_ready),
		cmocka_unit_test(test_bytes_sent),
		cmocka_unit_test(test_implicit_tls),
		cmocka_unit_test(test_implicit_tls_setup_fails),
		cmocka_unit_test(test_starttls),
		cmocka_unit_test(test_bad_fd),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

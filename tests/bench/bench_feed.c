/* bench_feed.c - "make bench"'s limit: a prebuilt SMTP session fed in 64 KiB writes, plain or through OpenSSL. */
/* SPDX-License-Identifier: ISC */

/*
 * Usage: bench_feed [-t] [-C CAFILE] [-n COUNT] [-P] PORT FILE
 *
 * Connects to 127.0.0.1:PORT, reads the greeting, sends EHLO (with -t
 * STARTTLS, the handshake, EHLO again), then COUNT times: MAIL FROM, RCPT
 * TO and DATA in one write (PIPELINING), the three replies, FILE in
 * 64 KiB read()/write() pairs (SSL_write() with -t), the dot, its reply;
 * then QUIT.  FILE holds the exact bytes between DATA and the final dot:
 * CRLF line ends, dot-stuffed, ending in CRLF.  Nothing is converted or
 * checked: this is what sending costs without any work on the message,
 * the limit the benchmark holds pigeon against.
 *
 * -P sends the next message's MAIL, RCPT and DATA (after the last, QUIT)
 * in the same write as the dot before them, as RFC 2920 allows, and reads
 * their replies together: the limit for a pipelined queue flush.
 * -C verifies the server's certificate against CAFILE, for 127.0.0.1,
 * as pigeon does; without it the certificate is not checked.
 *
 * Exits 0 when every reply was the one expected, 1 otherwise (the reply
 * on standard error), 2 on a usage or setup error.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#define CHUNK (64 * 1024)

static const char ENVELOPE[] = "MAIL FROM:<bench@example.org>\r\n"
    "RCPT TO:<rcpt@example.org>\r\nDATA\r\n";

struct feed {
	int fd;
	SSL *ssl;
	size_t rlen;		/* bytes of a reply read ahead in rbuf */
	char rbuf[4096];
};

static int
put(struct feed *f, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w;

		if (f->ssl != NULL) {
			int r = SSL_write(f->ssl, p, (int)n);

			if (r <= 0) {
				ERR_print_errors_fp(stderr);
				return -1;
			}
			w = r;
		} else {
			w = write(f->fd, p, n);
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				perror("bench_feed: write");
				return -1;
			}
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static ssize_t
get(struct feed *f, char *p, size_t n)
{
	ssize_t r;

	if (f->ssl != NULL) {
		int k = SSL_read(f->ssl, p, (int)n);

		return k > 0 ? k : -1;
	}
	do
		r = read(f->fd, p, n);
	while (r < 0 && errno == EINTR);
	return r > 0 ? r : -1;
}

/* Read one whole reply; 0 when its code is want, else -1. */
static int
expect(struct feed *f, int want, const char *what)
{
	for (;;) {
		char *nl = memchr(f->rbuf, '\n', f->rlen);
		ssize_t n;

		if (nl != NULL) {
			size_t len = (size_t)(nl - f->rbuf) + 1;
			int last = len >= 4 && f->rbuf[3] != '-';
			const char *r = f->rbuf;
			int code = len >= 4 && r[0] >= '1' && r[0] <= '5' &&
			    r[1] >= '0' && r[1] <= '9' && r[2] >= '0' &&
			    r[2] <= '9' ? (r[0] - '0') * 100 +
			    (r[1] - '0') * 10 + (r[2] - '0') : -1;

			if (last && code != want) {
				fprintf(stderr, "bench_feed: %s: %.*s", what,
				    (int)len, f->rbuf);
				return -1;
			}
			memmove(f->rbuf, f->rbuf + len, f->rlen - len);
			f->rlen -= len;
			if (last)
				return 0;
			continue;
		}
		if (f->rlen == sizeof(f->rbuf)) {
			fprintf(stderr, "bench_feed: %s: a reply line too long\n",
			    what);
			return -1;
		}
		n = get(f, f->rbuf + f->rlen, sizeof(f->rbuf) - f->rlen);
		if (n < 0) {
			fprintf(stderr, "bench_feed: %s: the connection ended\n",
			    what);
			return -1;
		}
		f->rlen += (size_t)n;
	}
}

static int
dial(const char *port)
{
	struct sockaddr_in sa;
	char *end;
	long p = strtol(port, &end, 10);
	int fd, one = 1;

	if (*port == '\0' || *end != '\0' || p < 1 || p > 65535) {
		fprintf(stderr, "bench_feed: %s: not a port\n", port);
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)p);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0) {
		perror("bench_feed: connect to 127.0.0.1");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static int
starttls(struct feed *f, const char *cafile)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	if (ctx == NULL)
		goto fail;
	if (cafile != NULL) {
		if (SSL_CTX_load_verify_locations(ctx, cafile, NULL) != 1)
			goto fail;
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	}
	f->ssl = SSL_new(ctx);
	SSL_CTX_free(ctx);	/* the SSL holds its own reference */
	if (f->ssl == NULL || SSL_set_fd(f->ssl, f->fd) != 1)
		goto fail;
	if (cafile != NULL && X509_VERIFY_PARAM_set1_ip_asc(
	    SSL_get0_param(f->ssl), "127.0.0.1") != 1)
		goto fail;
	if (SSL_connect(f->ssl) != 1)
		goto fail;
	return 0;
fail:
	fprintf(stderr, "bench_feed: TLS: ");
	ERR_print_errors_fp(stderr);
	fprintf(stderr, "\n");
	return -1;
}

/* The message, then tail (the dot and what goes behind it) in the write
 * of its last block. */
static int
message(struct feed *f, int mfd, off_t size, const char *tail)
{
	static char buf[CHUNK + 256];
	size_t tl = strlen(tail);
	off_t at = 0;

	for (;;) {
		size_t want = size - at > CHUNK ? CHUNK : (size_t)(size - at);
		ssize_t n = want > 0 ? pread(mfd, buf, want, at) : 0;

		if (n < 0 || (size_t)n != want) {
			fprintf(stderr, "bench_feed: the message file changed "
			    "or cannot be read\n");
			return -1;
		}
		at += n;
		if (at == size) {
			memcpy(buf + n, tail, tl);
			return put(f, buf, (size_t)n + tl);
		}
		if (put(f, buf, (size_t)n) < 0)
			return -1;
	}
}

static int
session(struct feed *f, int mfd, off_t size, long count, int pipelined)
{
	static char tail[256];
	long i;

	if (put(f, ENVELOPE, sizeof(ENVELOPE) - 1) < 0 ||
	    expect(f, 250, "MAIL") < 0 || expect(f, 250, "RCPT") < 0 ||
	    expect(f, 354, "DATA") < 0)
		return -1;
	for (i = 0; i < count; i++) {
		int last = i + 1 == count;

		if (snprintf(tail, sizeof(tail), ".\r\n%s", !pipelined ? "" :
		    last ? "QUIT\r\n" : ENVELOPE) < 0 ||
		    message(f, mfd, size, tail) < 0 ||
		    expect(f, 250, "end of data") < 0)
			return -1;
		if (last)
			break;
		if (!pipelined && put(f, ENVELOPE, sizeof(ENVELOPE) - 1) < 0)
			return -1;
		if (expect(f, 250, "MAIL") < 0 ||
		    expect(f, 250, "RCPT") < 0 || expect(f, 354, "DATA") < 0)
			return -1;
	}
	if (!pipelined && put(f, "QUIT\r\n", 6) < 0)
		return -1;
	return expect(f, 221, "QUIT");
}

static int
usage(void)
{
	fprintf(stderr, "usage: bench_feed [-t] [-C CAFILE] [-n COUNT] [-P] "
	    "PORT FILE\n");
	return 2;
}

int
main(int argc, char **argv)
{
	static struct feed f;
	const char *cafile = NULL;
	struct stat st;
	long count = 1;
	int c, tls = 0, pipelined = 0, mfd, rc;

	while ((c = getopt(argc, argv, "tC:n:P")) != -1) {
		switch (c) {
		case 't':
			tls = 1;
			break;
		case 'C':
			cafile = optarg;
			break;
		case 'n':
			count = strtol(optarg, NULL, 10);
			break;
		case 'P':
			pipelined = 1;
			break;
		default:
			return usage();
		}
	}
	if (argc - optind != 2 || count < 1)
		return usage();
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		return 2;
	mfd = open(argv[optind + 1], O_RDONLY);
	if (mfd < 0 || fstat(mfd, &st) < 0) {
		perror(argv[optind + 1]);
		return 2;
	}
	f.fd = dial(argv[optind]);
	if (f.fd < 0)
		return 2;
	if (expect(&f, 220, "greeting") < 0 ||
	    put(&f, "EHLO bench.example.org\r\n", 24) < 0 ||
	    expect(&f, 250, "EHLO") < 0)
		return 1;
	if (tls && (put(&f, "STARTTLS\r\n", 10) < 0 ||
	    expect(&f, 220, "STARTTLS") < 0 || starttls(&f, cafile) < 0 ||
	    put(&f, "EHLO bench.example.org\r\n", 24) < 0 ||
	    expect(&f, 250, "EHLO") < 0))
		return 1;
	rc = session(&f, mfd, st.st_size, count, pipelined) < 0 ? 1 : 0;
	if (f.ssl != NULL) {
		/* After the 221 the server may be gone already: a failed
		 * close_notify changes nothing. */
		if (SSL_shutdown(f.ssl) < 0)
			ERR_clear_error();
		SSL_free(f.ssl);
	}
	if (close(f.fd) < 0 || close(mfd) < 0) {
		perror("bench_feed: close");
		return 1;
	}
	return rc;
}

/* test_detect.c - unit tests for finding a server's port and security: refused ports, a silent server, the argument checks. */
/* SPDX-License-Identifier: ISC */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "detect.h"
#include "util.h"
#include "helper.h"

/* A listening socket on 127.0.0.1; *port gets its number. */
static int
listener(char *port, size_t len)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int fd;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 4), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	(void)snprintf(port, len, "%u", (unsigned)ntohs(sa.sin_port));
	return fd;
}

static void
base_opts(struct session_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->tls.verify = 1;
	o->smtp.user = "never";     /* detect must not log in */
	o->smtp.secret = "used";
}

static void
test_refused_and_silent(void **state)
{
	struct detect_candidate v[2];
	struct session_opts o;
	struct transcript *tr;
	struct detect *d = NULL;
	const struct detect_result *r;
	char closed[16], silent[16];
	int64_t t0;
	int fd, fd2;

	(void)state;
	fd = listener(closed, sizeof(closed));
	(void)close(fd);                    /* nothing listens there now */
	fd2 = listener(silent, sizeof(silent));  /* accepts, never greets */
	v[0].port = closed;
	v[0].tls = SMTP_TLS_IMPLICIT;
	v[0].timeout_ms = 300;
	v[1].port = silent;
	v[1].tls = SMTP_TLS_STARTTLS;
	v[1].timeout_ms = 300;
	base_opts(&o);
	tr = transcript_new(64);
	assert_non_null(tr);
	t0 = util_now_us();
	assert_int_equal(detect_new(&d, "127.0.0.1", v, 2, &o, tr, NULL),
	    ERR_OK);
	detect_wait(d);
	assert_true(detect_done(d));
	/* The silent one took its time, and no more. */
	assert_true(util_now_us() - t0 >= 250 * 1000);
	assert_true(util_now_us() - t0 < 5 * 1000 * 1000);
	assert_null(detect_found(d));
	assert_null(detect_url(d));
	assert_int_equal(detect_count(d), 2);
	r = detect_result(d, 0);
	assert_non_null(r);
	assert_ptr_equal(r->cand->port, closed);
	assert_int_not_equal(r->err, ERR_OK);
	assert_non_null(strstr(r->text, "(implicit TLS): "));
	assert_non_null(strstr(r->text, "refused"));
	r = detect_result(d, 1);
	assert_non_null(r);
	assert_int_equal(r->err, ERR_TIMEOUT);
	assert_non_null(strstr(r->text, "(STARTTLS): no answer within 0.3 s"));
	assert_null(r->peer);
	assert_null(detect_result(d, 2));
	assert_non_null(strchr(detect_report(d), '\n'));
	/* Two connections on the transcript, each result said in it. */
	assert_int_equal(transcript_conn(tr), 2);
	detect_free(d);
	transcript_free(tr);
	(void)close(fd2);
}

static void
test_arguments(void **state)
{
	struct session_opts o;
	struct detect *d = (struct detect *)&o;
	char *why = NULL;

	(void)state;
	base_opts(&o);
	assert_int_equal(detect_new(&d, "", NULL, 0, &o, NULL, &why),
	    ERR_CONFIG);
	assert_null(d);
	assert_non_null(why);
	free(why);
	why = NULL;
	assert_int_equal(detect_new(&d, "x", detect_default, 0, &o, NULL,
	    &why), ERR_CONFIG);
	free(why);
	assert_int_equal(detect_ndefault, 3);
	assert_string_equal(detect_default[0].port, "465");
	assert_int_equal(detect_default[0].tls, SMTP_TLS_IMPLICIT);
	assert_string_equal(detect_default[1].port, "587");
	assert_int_equal(detect_default[1].tls, SMTP_TLS_STARTTLS);
	detect_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refused_and_silent),
		cmocka_unit_test(test_arguments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

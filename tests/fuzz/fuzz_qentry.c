/* fuzz_qentry.c - libFuzzer target: qentry_parse() on queue entry files, and what it reads written back the same. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "qentry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct qentry e, again;
	struct buf out, out2;
	char *errstr = NULL;

	if (qentry_parse(&e, (const char *)data, size, &errstr) != ERR_OK) {
		free(errstr);
		return 0;
	}
	(void)qentry_pending(&e);
	/*
	 * An entry read must write out again, and that text must read back
	 * to an entry that writes the same text.
	 */
	buf_init(&out, 1 << 24);
	buf_init(&out2, 1 << 24);
	if (qentry_format(&e, &out) < 0)
		abort();
	if (qentry_parse(&again, buf_str(&out), out.len, &errstr) != ERR_OK) {
		(void)fprintf(stderr, "written entry does not read: %s\n",
		    errstr != NULL ? errstr : "?");
		abort();
	}
	if (qentry_format(&again, &out2) < 0 || out.len != out2.len ||
	    memcmp(buf_str(&out), buf_str(&out2), out.len) != 0)
		abort();
	qentry_free(&again);
	qentry_free(&e);
	buf_free(&out);
	buf_free(&out2);
	free(errstr);
	return 0;
}

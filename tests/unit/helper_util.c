/* helper_util.c - small things every unit test wants: repeatable randomness, readable bytes. */
/* SPDX-License-Identifier: ISC */
#define _GNU_SOURCE 1   /* memmem */
#include "helper.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

uint32_t
test_rand(uint32_t *state)
{
	uint32_t x = *state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *state = x;
}

const char *
test_vis(const char *in, size_t n)
{
	static char bufs[4][2100];
	static int k;
	char *o = bufs[k++ % 4];
	size_t i, j = 0;

	for (i = 0; i < n && j < 2000; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c == '\r' || c == '\n') {
			o[j++] = '\\';
			o[j++] = c == '\r' ? 'r' : 'n';
		} else if (c < 0x20 || c >= 0x7f) {
			j += (size_t)snprintf(o + j, 5, "\\x%02X", c);
		} else {
			o[j++] = (char)c;
		}
	}
	if (i < n)
		j += (size_t)snprintf(o + j, 4, "...");
	o[j] = '\0';
	return o;
}

void
test_rm_rf(const char *path)
{
	struct dirent *de;
	struct stat st;
	char *sub;
	size_t n;
	DIR *d;

	if (lstat(path, &st) != 0)
		return;
	if (!S_ISDIR(st.st_mode)) {
		(void)unlink(path);
		return;
	}
	d = opendir(path);
	if (d != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			n = strlen(path) + strlen(de->d_name) + 2;
			if ((sub = malloc(n)) == NULL)
				continue;
			(void)snprintf(sub, n, "%s/%s", path, de->d_name);
			test_rm_rf(sub);
			free(sub);
		}
		(void)closedir(d);
	}
	(void)rmdir(path);
}

int
test_has_event(const struct transcript *tr, enum tr_kind kind,
    const char *needle)
{
	const struct tr_event *ev;
	size_t i;

	for (i = 0; i < transcript_count(tr); i++) {
		ev = transcript_get(tr, i);
		if (ev->kind == kind &&
		    memmem(ev->text, ev->len, needle, strlen(needle)) != NULL)
			return 1;
	}
	return 0;
}

char test_dir[] = "/tmp/pigeon-test-XXXXXX";

int
test_dir_setup(void **state)
{
	(void)state;
	return mkdtemp(test_dir) == NULL ? -1 : 0;
}

int
test_dir_teardown(void **state)
{
	(void)state;
	test_rm_rf(test_dir);
	return 0;
}

/* fuzz_memfile.h - for the fuzz targets of readers that take a path: the input as a file in memory (memfd), named by /proc/self/fd. */
/* SPDX-License-Identifier: ISC */
#ifndef PIGEON_FUZZ_MEMFILE_H
#define PIGEON_FUZZ_MEMFILE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * The file's path, holding data[0..size) and nothing else.  Made once per
 * process, mode 0600 (the config reader refuses a password that others
 * could read); each call replaces the content.  A failure aborts: the
 * target cannot run without it.
 */
static const char *
fuzz_memfile(const char *name, const uint8_t *data, size_t size)
{
	static char path[64];
	static int fd = -1;
	size_t off = 0;
	ssize_t w;

	if (fd < 0) {
		fd = memfd_create(name, MFD_CLOEXEC);
		if (fd < 0 || fchmod(fd, 0600) < 0) {
			perror("memfd_create");
			abort();
		}
		(void)snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) < 0) {
		perror("ftruncate");
		abort();
	}
	while (off < size) {
		w = pwrite(fd, data + off, size - off, (off_t)off);
		if (w <= 0) {
			perror("pwrite");
			abort();
		}
		off += (size_t)w;
	}
	return path;
}

#endif

/* rusage.c - run a command N times in a row; report wall time, CPU time and peak RSS of each run. */
/* SPDX-License-Identifier: ISC */

/*
 * tests/bench/bench.py compiles this into its scratch folder with plain
 * "cc -O2" (no pigeon library, no sanitizer flags) and runs the programs
 * under test through it.  Why not straight from Python: on Linux a child's
 * ru_maxrss starts from the resident size of the memory image it replaced
 * at exec, i.e. its parent's (Python's ~18 MiB with posix_spawn or fork).
 * Forked from this small program, the floor is this program's own ~1 MiB.
 *
 * Usage: rusage [-n COUNT] [-i STDIN] [-o STDOUT] [-e STDERR] -- CMD [ARG...]
 *
 * Each run gets STDIN opened afresh (default /dev/null) and STDOUT and
 * STDERR truncated (default /dev/null).  Prints one line per run on its
 * own standard output:
 *
 *     run WALL_S USER_S SYS_S MAXRSS_KIB EXIT
 *
 * then "total WALL_S" for the whole loop (fork, exec and wait included).
 * Stops at the first run that does not exit 0 (EXIT is then the exit
 * status, or 128 + the signal) and exits 1; exits 2 on a usage or system
 * error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
tv(struct timeval t)
{
	return (double)t.tv_sec + (double)t.tv_usec / 1e6;
}

/* In the child: put path on fd with the given flags, or die. */
static void
redirect(int fd, const char *path, int flags)
{
	int f = open(path, flags, 0600);

	if (f < 0) {
		dprintf(2, "rusage: %s: %s\n", path, strerror(errno));
		_exit(126);
	}
	if (f != fd) {
		if (dup2(f, fd) < 0)
			_exit(126);
		close(f);
	}
}

int
main(int argc, char **argv)
{
	const char *in = "/dev/null", *out = "/dev/null", *err = "/dev/null";
	long count = 1, i;
	double t0, start, end;
	int c, st, code;

	while ((c = getopt(argc, argv, "+n:i:o:e:")) != -1) {
		switch (c) {
		case 'n':
			count = strtol(optarg, NULL, 10);
			break;
		case 'i':
			in = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'e':
			err = optarg;
			break;
		default:
			return 2;
		}
	}
	if (optind >= argc || count < 1) {
		fprintf(stderr, "usage: rusage [-n COUNT] [-i STDIN] "
		    "[-o STDOUT] [-e STDERR] -- CMD [ARG...]\n");
		return 2;
	}
	t0 = now();
	for (i = 0; i < count; i++) {
		struct rusage ru;
		pid_t pid;

		fflush(stdout);
		start = now();
		pid = fork();
		if (pid < 0) {
			perror("rusage: fork");
			return 2;
		}
		if (pid == 0) {
			redirect(0, in, O_RDONLY);
			redirect(1, out, O_WRONLY | O_CREAT | O_TRUNC);
			redirect(2, err, O_WRONLY | O_CREAT | O_TRUNC);
			execvp(argv[optind], argv + optind);
			dprintf(2, "rusage: %s: %s\n", argv[optind],
			    strerror(errno));
			_exit(127);
		}
		while (wait4(pid, &st, 0, &ru) < 0) {
			if (errno != EINTR) {
				perror("rusage: wait4");
				return 2;
			}
		}
		end = now();
		code = WIFEXITED(st) ? WEXITSTATUS(st) :
		    WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 255;
		printf("run %.6f %.6f %.6f %ld %d\n", end - start,
		    tv(ru.ru_utime), tv(ru.ru_stime), ru.ru_maxrss, code);
		if (code != 0)
			return 1;
	}
	printf("total %.6f\n", now() - t0);
	return 0;
}

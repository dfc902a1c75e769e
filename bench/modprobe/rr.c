// SPDX-License-Identifier: GPL-2.0-or-later
/* rr N CMD ::: CMD ...: runs the commands in turn, N rounds (after 5 warm-up
 * rounds), stdout and stderr to /dev/null; prints per command the median wall time in
 * microseconds and the child's minor page faults (wait4). Interleaving
 * spreads whatever else the machine does over all of them alike. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
extern char **environ;
static int cmpd(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}
int main(int argc, char **argv)
{
	int n = atoi(argv[1]), nc = 0;
	char **cmds[64];
	posix_spawn_file_actions_t fa;

	cmds[nc++] = &argv[2];
	for (int i = 2; i < argc; i++)
		if (strcmp(argv[i], ":::") == 0) {
			argv[i] = NULL;
			cmds[nc++] = &argv[i + 1];
		}
	double *wall = calloc((size_t)n * nc, sizeof(double));
	long *flt = calloc((size_t)nc, sizeof(long));
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	for (int r = -5; r < n; r++)
		for (int c = 0; c < nc; c++) {
			struct timespec a, b;
			struct rusage ru;
			pid_t pid;
			int st;

			clock_gettime(CLOCK_MONOTONIC, &a);
			if (posix_spawn(&pid, cmds[c][0], &fa, NULL, cmds[c], environ) != 0)
				return 1;
			wait4(pid, &st, 0, &ru);
			clock_gettime(CLOCK_MONOTONIC, &b);
			if (r < 0)
				continue;
			wall[c * n + r] = (b.tv_sec - a.tv_sec) * 1e6 + (b.tv_nsec - a.tv_nsec) / 1e3;
			flt[c] = ru.ru_minflt;
		}
	for (int c = 0; c < nc; c++) {
		qsort(wall + c * n, (size_t)n, sizeof(double), cmpd);
		printf("%.1f %ld\n", wall[c * n + n / 2], flt[c]);
	}
	return 0;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/* A stand-in syslog daemon for the integration tests: logsink PATH COUNT
 * binds a unix datagram socket at PATH, prints each of the first COUNT
 * messages it receives on a line of its own, and exits (after 5 s at most). */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd, count;

	if (argc != 3 || strlen(argv[1]) >= sizeof(a.sun_path))
		return 2;
	count = atoi(argv[2]);
	strcpy(a.sun_path, argv[1]);
	unlink(argv[1]);
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		perror("logsink");
		return 1;
	}
	while (count-- > 0) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		char buf[2048];
		ssize_t n;

		if (poll(&p, 1, 5000) != 1) {
			printf("(nothing more within 5 s)\n");
			break;
		}
		n = recv(fd, buf, sizeof(buf) - 1, 0);
		if (n < 0)
			break;
		buf[n] = '\0';
		printf("%s\n", buf);
		fflush(stdout);
	}
	unlink(argv[1]);
	return 0;
}

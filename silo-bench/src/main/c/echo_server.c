/*
 * A plain UDP echo server: the peer the message layer is measured against (docs/benchmarks.md).
 * One socket, one thread, recvmmsg/sendmmsg in batches of up to 64, every datagram sent straight back.
 *
 *   gcc -O2 -o echo_server echo_server.c && ./echo_server 7451
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BATCH 64
#define MAXLEN 65536

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s PORT\n", argv[0]);
        return 2;
    }
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) { perror("socket"); return 1; }
    int buf = 4 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons(atoi(argv[1])),
                                .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    if (bind(fd, (struct sockaddr *) &addr, sizeof addr) < 0) { perror("bind"); return 1; }

    static char data[BATCH][MAXLEN];
    struct mmsghdr msgs[BATCH];
    struct iovec iov[BATCH];
    struct sockaddr_in from[BATCH];
    for (;;) {
        for (int i = 0; i < BATCH; i++) {
            iov[i] = (struct iovec) { data[i], MAXLEN };
            msgs[i].msg_hdr = (struct msghdr) { .msg_name = &from[i], .msg_namelen = sizeof from[i],
                                                .msg_iov = &iov[i], .msg_iovlen = 1 };
        }
        int n = recvmmsg(fd, msgs, BATCH, MSG_WAITFORONE, NULL);
        if (n < 0) { perror("recvmmsg"); continue; }
        for (int i = 0; i < n; i++) {
            iov[i].iov_len = msgs[i].msg_len;
        }
        if (sendmmsg(fd, msgs, n, 0) < 0) { perror("sendmmsg"); }
    }
}

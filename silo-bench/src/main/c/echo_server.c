/*
 * A plain UDP echo server: the peer the message layer is measured against (docs/benchmarks.md).
 * One socket, one thread, recvmmsg/sendmmsg in batches of up to 64, every datagram sent straight back.
 * With REPLY_BYTES every reply has that size (the request's first bytes, then zeros), so that a 10-byte
 * Blockhead READ gets a 516-byte answer as from a Blockhead server (silo-bench/bench-all.sh).
 *
 *   gcc -O2 -o echo_server echo_server.c && ./echo_server 7451 [REPLY_BYTES]
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
    if (argc != 2 && argc != 3) {
        fprintf(stderr, "usage: %s PORT [REPLY_BYTES]\n", argv[0]);
        return 2;
    }
    int reply_bytes = argc == 3 ? atoi(argv[2]) : -1;
    if (argc == 3 && (reply_bytes < 1 || reply_bytes > MAXLEN)) {
        fprintf(stderr, "REPLY_BYTES must be 1..%d\n", MAXLEN);
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
            size_t len = msgs[i].msg_len;
            if (reply_bytes >= 0) {
                if ((size_t) reply_bytes > len) {
                    memset(data[i] + len, 0, (size_t) reply_bytes - len);
                }
                len = (size_t) reply_bytes;
            }
            iov[i].iov_len = len;
        }
        if (sendmmsg(fd, msgs, n, 0) < 0) { perror("sendmmsg"); }
    }
}

/*
 * udp_echo: the baseline for the Blockhead load driver (issue 3, "Benchmark").
 *
 * Answers every datagram at once from one thread, as the reference C Blockhead server does,
 * with no disk I/O. With REPLY_BYTES the reply has that size (the request's first bytes, the rest
 * zeros), so a 10-byte READ can get a 516-byte reply like a Blockhead 512-byte READ; without it,
 * the datagram is echoed as it came.
 *
 *   cc -O2 -o udp_echo udp_echo.c && ./udp_echo 4445 [REPLY_BYTES]
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s PORT [REPLY_BYTES]\n", argv[0]);
        return 2;
    }
    int port = atoi(argv[1]);
    int reply_bytes = argc > 2 ? atoi(argv[2]) : -1;
    if (reply_bytes > 2048) {
        reply_bytes = 2048;
    }
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) {
        perror("socket");
        return 1;
    }
    int buf = 4 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
    struct sockaddr_in addr = {0};
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short) port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *) &addr, sizeof addr) < 0) {
        perror("bind");
        return 1;
    }
    unsigned char in[2048];
    unsigned char out[2048];
    for (;;) {
        struct sockaddr_in from;
        socklen_t len = sizeof from;
        ssize_t n = recvfrom(fd, in, sizeof in, 0, (struct sockaddr *) &from, &len);
        if (n < 0) {
            continue;
        }
        size_t size = reply_bytes < 0 ? (size_t) n : (size_t) reply_bytes;
        memset(out, 0, size);
        memcpy(out, in, (size_t) n < size ? (size_t) n : size);
        sendto(fd, out, size, 0, (struct sockaddr *) &from, len);
    }
}

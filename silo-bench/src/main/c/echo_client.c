/*
 * echo_client: the C load that drives echo_server.c, the peer of `silo ping --count N --window W`
 * (silo-bench/bench-all.sh). COUNT round trips of BYTES-byte datagrams with WINDOW in flight: each reply
 * is answered by the next datagram, received and sent in batches with recvmmsg/sendmmsg, one thread.
 * Prints one JSON line: calls per second over the whole run (first send to last reply).
 *
 * A datagram lost on loopback would stall its slot: after 200 ms of silence the window is refilled and
 * the loss counted, as BlockheadLoad does. Replies are not matched to requests (the echo has no ids).
 *
 *   gcc -O2 -o echo_client echo_client.c && ./echo_client 127.0.0.1 7451 200000 64 66
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define MAXLEN 65536

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

/* Sends n datagrams of the request in batches; returns how many went out. */
static long send_n(int fd, char *request, size_t bytes, long n) {
    struct mmsghdr msgs[BATCH];
    struct iovec iov = { request, bytes };
    long sent = 0;
    while (sent < n) {
        int k = n - sent < BATCH ? (int) (n - sent) : BATCH;
        for (int i = 0; i < k; i++) {
            msgs[i].msg_hdr = (struct msghdr) { .msg_iov = &iov, .msg_iovlen = 1 };
        }
        int r = sendmmsg(fd, msgs, k, 0);
        if (r < 0) {
            if (errno == EINTR || errno == ENOBUFS || errno == EAGAIN) continue;
            perror("sendmmsg");
            exit(1);
        }
        sent += r;
    }
    return sent;
}

int main(int argc, char **argv) {
    if (argc != 6) {
        fprintf(stderr, "usage: %s HOST PORT COUNT WINDOW BYTES\n", argv[0]);
        return 2;
    }
    long count = atol(argv[3]);
    long window = atol(argv[4]);
    long bytes = atol(argv[5]);
    if (count < 1 || window < 1 || window > count || bytes < 1 || bytes > MAXLEN) {
        fprintf(stderr, "need COUNT >= WINDOW >= 1 and BYTES 1..%d\n", MAXLEN);
        return 2;
    }
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) { perror("socket"); return 1; }
    int buf = 4 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
    struct timeval timeout = { 0, 200000 };
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons(atoi(argv[2])) };
    if (inet_pton(AF_INET, argv[1], &addr.sin_addr) != 1) {
        fprintf(stderr, "HOST must be an IPv4 address, not %s\n", argv[1]);
        return 2;
    }
    if (connect(fd, (struct sockaddr *) &addr, sizeof addr) < 0) { perror("connect"); return 1; }

    static char request[MAXLEN];
    static char data[BATCH][MAXLEN];
    struct mmsghdr msgs[BATCH];
    struct iovec iov[BATCH];
    long sent = 0, received = 0, lost = 0;
    double start = now();
    sent += send_n(fd, request, (size_t) bytes, window);
    while (received < count) {
        for (int i = 0; i < BATCH; i++) {
            iov[i] = (struct iovec) { data[i], MAXLEN };
            msgs[i].msg_hdr = (struct msghdr) { .msg_iov = &iov[i], .msg_iovlen = 1 };
        }
        int n = recvmmsg(fd, msgs, BATCH, MSG_WAITFORONE, NULL);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                long missing = sent - received; /* all still out are taken as lost: send them again */
                if (received + missing > count) missing = count - received;
                lost += missing;
                send_n(fd, request, (size_t) bytes, missing);
                continue;
            }
            if (errno == EINTR) continue;
            perror("recvmmsg");
            return 1;
        }
        received += n;
        long more = count - sent < n ? count - sent : n;
        if (more > 0) sent += send_n(fd, request, (size_t) bytes, more);
    }
    double seconds = now() - start;
    printf("{\"target\":\"c-echo-client\",\"window\":%ld,\"datagramBytes\":%ld,\"calls\":%ld,\"lost\":%ld,"
           "\"seconds\":%.3f,\"callsPerSecond\":%.0f}\n", window, bytes, received, lost, seconds, received / seconds);
    return 0;
}

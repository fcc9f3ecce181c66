package org.silo.wire.server;

import java.time.Duration;
import org.silo.wire.WireConstants;

/**
 * Limits and timers of the message endpoint. The defaults are docs/protocol.md's.
 *
 * @param maxDatagram       largest UDP payload sent or accepted
 * @param maxTcpFrame       largest TCP frame accepted
 * @param sessionIdle       a session with no frame for this long is ended
 * @param maxSessions       live sessions in total
 * @param maxSessionsPerAddress live sessions per client IP address
 * @param cacheEntries      reply cache: entries
 * @param cacheBytes        reply cache: bytes
 * @param cachePerSession   reply cache: entries per session
 * @param cacheRetention    reply cache: when full, a finished reply its client has neither released nor asked
 *                          for in this long may make room (ReplyCache)
 * @param maxWorkers        messages running on worker threads at once; beyond that, RESOURCE
 * @param maxConnections    TCP connections at once
 * @param maxConnectionsPerAddress TCP connections at once from one address
 * @param unprovenPerSecond answers a second to one address not yet proved (cookies, DISOLVE)
 */
public record WireServerConfig(
        int maxDatagram,
        int maxTcpFrame,
        Duration sessionIdle,
        int maxSessions,
        int maxSessionsPerAddress,
        int cacheEntries,
        long cacheBytes,
        int cachePerSession,
        Duration cacheRetention,
        int maxWorkers,
        int maxConnections,
        int maxConnectionsPerAddress,
        int unprovenPerSecond) {

    public static final WireServerConfig DEFAULTS = new WireServerConfig(
            WireConstants.DEFAULT_MAX_DATAGRAM,
            WireConstants.DEFAULT_MAX_TCP_FRAME,
            Duration.ofMinutes(5),
            65536,
            1024,
            65536,
            64L << 20,
            1024,
            Duration.ofSeconds(120),
            1024,
            4096,
            64,
            100);

    public WireServerConfig {
        if (maxDatagram < 256 || maxDatagram > WireConstants.MAX_DATAGRAM) {
            throw new IllegalArgumentException(
                    "max datagram must be 256.." + WireConstants.MAX_DATAGRAM + ", not " + maxDatagram);
        }
        if (maxTcpFrame < maxDatagram) {
            throw new IllegalArgumentException("max TCP frame " + maxTcpFrame + " is smaller than the max datagram");
        }
        if (cacheRetention.compareTo(Duration.ofSeconds(120)) < 0) {
            throw new IllegalArgumentException(
                    "reply cache retention must be at least 120 s, above a client's longest retransmission interval (75 s)");
        }
    }

    public WireServerConfig withMaxDatagram(int n) {
        return new WireServerConfig(
                n,
                maxTcpFrame,
                sessionIdle,
                maxSessions,
                maxSessionsPerAddress,
                cacheEntries,
                cacheBytes,
                cachePerSession,
                cacheRetention,
                maxWorkers,
                maxConnections,
                maxConnectionsPerAddress,
                unprovenPerSecond);
    }

    public WireServerConfig withSessionIdle(Duration d) {
        return new WireServerConfig(
                maxDatagram,
                maxTcpFrame,
                d,
                maxSessions,
                maxSessionsPerAddress,
                cacheEntries,
                cacheBytes,
                cachePerSession,
                cacheRetention,
                maxWorkers,
                maxConnections,
                maxConnectionsPerAddress,
                unprovenPerSecond);
    }
}

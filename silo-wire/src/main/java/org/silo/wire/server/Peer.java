package org.silo.wire.server;

import java.net.InetSocketAddress;

/** Where a frame came from and how to answer it: a UDP sender or a TCP connection. */
public interface Peer {

    InetSocketAddress address();

    /** Whether the transport itself proves the address (TCP's handshake does; a datagram does not). */
    boolean transportProven();

    /** The largest frame this transport can carry. */
    int maxFrame();

    /** The size of the frame being answered, for the amplification bound. */
    int receivedBytes();

    void send(byte[] frame);
}

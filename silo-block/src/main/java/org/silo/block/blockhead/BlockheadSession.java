package org.silo.block.blockhead;

import java.net.InetSocketAddress;
import org.silo.block.image.ImageLease;

/**
 * One client's mount of one image. Confined to the handler's thread, so it needs no locks. Its
 * {@link ReplayWindow} answers a retransmitted or duplicated COMMAND from the saved reply, so none
 * is executed twice (TNFS keeps only the last one, see notes/block.md section 5; that is not enough
 * when datagrams are reordered).
 */
final class BlockheadSession {
    final int id;
    final InetSocketAddress client;
    final ImageLease lease;
    final int sectorSize;
    final int connectSeq;
    final ReplayWindow window;
    long lastActiveNanos;

    BlockheadSession(
            int id, InetSocketAddress client, ImageLease lease, int sectorSize, int connectSeq, long nowNanos) {
        this.id = id;
        this.client = client;
        this.lease = lease;
        this.sectorSize = sectorSize;
        this.connectSeq = connectSeq;
        this.window = new ReplayWindow(connectSeq);
        this.lastActiveNanos = nowNanos; // the clock starts at CONNECT (the reference forgets this)
    }

    void close() {
        window.close();
        lease.close();
    }
}

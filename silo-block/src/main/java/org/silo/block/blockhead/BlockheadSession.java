package org.silo.block.blockhead;

import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;
import org.silo.block.image.ImageLease;

/**
 * One client's mount of one image. Confined to the handler's thread, so it needs no locks.
 * Keeps the last sequence number and its reply: a retransmitted COMMAND is answered from
 * {@link #savedReply} and never executed twice (TNFS does the same, see notes/block.md section 5).
 */
final class BlockheadSession {
  final int id;
  final InetSocketAddress client;
  final ImageLease lease;
  final int sectorSize;
  final int connectSeq;
  long lastActiveNanos;
  int lastSeq = -1;
  ByteBuf savedReply;

  BlockheadSession(int id, InetSocketAddress client, ImageLease lease, int sectorSize,
      int connectSeq, long nowNanos) {
    this.id = id;
    this.client = client;
    this.lease = lease;
    this.sectorSize = sectorSize;
    this.connectSeq = connectSeq;
    this.lastActiveNanos = nowNanos; // the clock starts at CONNECT (the reference forgets this)
  }

  /** Keeps {@code reply} (retaining it) as the answer to {@code seq}. */
  void save(int seq, ByteBuf reply) {
    release();
    lastSeq = seq;
    savedReply = reply.retainedDuplicate();
  }

  void close() {
    release();
    lease.close();
  }

  private void release() {
    if (savedReply != null) {
      savedReply.release();
      savedReply = null;
    }
  }
}

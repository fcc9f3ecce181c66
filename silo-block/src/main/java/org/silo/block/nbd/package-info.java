/**
 * NBD, fixed newstyle (the NBD project's doc/proto.md). {@link org.silo.block.nbd.NbdConstants}
 * draws the byte layouts, {@link org.silo.block.nbd.NbdCodec} and {@link
 * org.silo.block.nbd.NbdFrameDecoder} turn bytes into messages, and {@link
 * org.silo.block.nbd.NbdServer} serves them.
 */
package org.silo.block.nbd;

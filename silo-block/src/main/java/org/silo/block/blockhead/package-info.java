/**
 * Blockhead (seed 001): a UDP block protocol for small machines. {@link
 * org.silo.block.blockhead.BlockheadConstants} draws the byte layouts, {@link
 * org.silo.block.blockhead.BlockheadCodec} turns bytes into packet records, and {@link
 * org.silo.block.blockhead.BlockheadServer} serves them.
 */
package org.silo.block.blockhead;

package org.silo.block.image;

/**
 * A run of bytes that is either allocated data or a hole (reads as zeros, no disk blocks).
 *
 * @param offset first byte
 * @param length number of bytes, positive
 * @param hole true for a hole
 */
public record Extent(long offset, long length, boolean hole) {}

package org.silo.block.image;

/** How a protocol session opens an image. */
public enum Access {
    /** Reads only; any number of readers may share an image. */
    READ,
    /** Reads and writes; at most one writer per image across all protocols. */
    WRITE
}

package org.silo.block.snapshot;

import java.nio.ByteBuffer;
import org.silo.block.image.FrozenImage;

/** The unit snapshots store changes in, and a helper for it. */
final class ChangeBlocks {
    /** The change map's block (64 KiB). */
    static final int SIZE = FrozenImage.blockSize();

    private ChangeBlocks() {}

    /** Whether the remaining bytes of {@code b} are all zero (it is left as it was). */
    static boolean allZero(ByteBuffer b) {
        int i = b.position();
        int end = b.limit();
        for (; i + 8 <= end; i += 8) {
            if (b.getLong(i) != 0) {
                return false;
            }
        }
        for (; i < end; i++) {
            if (b.get(i) != 0) {
                return false;
            }
        }
        return true;
    }
}

package org.silo.archive.mover;

import org.silo.archive.volume.Backend;
import org.silo.archive.volume.LostVolumeException;
import org.silo.wire.ErrorCode;
import org.silo.wire.NoSpaceException;
import org.silo.wire.SiloException;

/**
 * A failure of the volume's, not the client's: a full disk ({@code noRoom}), or an I/O or checksum error;
 * or this writer has {@code lost} the volume to another ({@link LostVolumeException}), which is no fault
 * of the volume's.
 */
final class VolumeTrouble extends SiloException {
    private static final long serialVersionUID = 1L;
    final boolean noRoom;
    final boolean lost;

    VolumeTrouble(String message, boolean noRoom) {
        this(message, noRoom, false);
    }

    private VolumeTrouble(String message, boolean noRoom, boolean lost) {
        super(noRoom ? ErrorCode.NO_SPACE : ErrorCode.IO, message);
        this.noRoom = noRoom;
        this.lost = lost;
    }

    static VolumeTrouble of(String volume, Exception e) {
        boolean full = e instanceof SiloException ? e instanceof NoSpaceException : Backend.isNoSpace(e);
        return new VolumeTrouble(
                "cannot write " + volume + ": " + e.getMessage(), full, e instanceof LostVolumeException);
    }
}

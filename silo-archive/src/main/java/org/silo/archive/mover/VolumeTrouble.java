package org.silo.archive.mover;

import org.silo.archive.volume.Backend;
import org.silo.wire.ErrorCode;
import org.silo.wire.NoSpaceException;
import org.silo.wire.SiloException;

/** A failure of the volume's, not the client's: a full disk ({@code noRoom}), or an I/O or checksum error. */
final class VolumeTrouble extends SiloException {
    private static final long serialVersionUID = 1L;
    final boolean noRoom;

    VolumeTrouble(String message, boolean noRoom) {
        super(noRoom ? ErrorCode.NO_SPACE : ErrorCode.IO, message);
        this.noRoom = noRoom;
    }

    static VolumeTrouble of(String volume, Exception e) {
        boolean full = e instanceof SiloException ? e instanceof NoSpaceException : Backend.isNoSpace(e);
        return new VolumeTrouble("cannot write " + volume + ": " + e.getMessage(), full);
    }
}

package org.silo.archive.volume;

import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;

/**
 * A writer found another writer's work where its own file was to go: the file number it counted was
 * named meanwhile (a dir volume's hard link, an S3 conditional put refused), or the part file it was
 * writing was removed by a writer bound to the volume since ({@link Backend#removeLeftovers}). Nothing was
 * replaced. It means this writer has lost the volume (its server died and another released it, or its job
 * was given to another mover), not that the volume is at fault: a mover does not set the volume readonly
 * for it (docs/archive.md, "Several servers on one catalog").
 */
public final class LostVolumeException extends SiloException {
    private static final long serialVersionUID = 1L;

    public LostVolumeException(String message, Throwable cause) {
        super(ErrorCode.IO, message, cause);
    }
}

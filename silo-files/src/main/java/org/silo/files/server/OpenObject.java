package org.silo.files.server;

import org.silo.files.FilesOps;
import org.silo.wire.SiloException;

/** Something opened by name: a block image, an archived file, a URL, an application's answer. */
interface OpenObject extends AutoCloseable {

    long size() throws SiloException;

    /** Up to {@code length} bytes from {@code offset}; fewer at the end, none at or past it. */
    byte[] read(long offset, int length) throws SiloException;

    int write(long offset, byte[] data) throws SiloException;

    /**
     * Sends up to {@code count} bytes from {@code offset} straight to {@code out} (sendfile), for the data
     * port; returns how many went (0 if this object cannot: the rest must be read and written).
     */
    default long transferTo(long offset, long count, java.nio.channels.WritableByteChannel out)
            throws java.io.IOException {
        return 0;
    }

    boolean writable();

    long modifiedMillis();

    int nameType();

    /**
     * What an explicit close reports, before {@link #close()}: a file written to an archive path is
     * archived here. BUSY (still archiving after {@code waitMillis}) keeps the handle open: close again.
     */
    default FilesOps.Closed finish(long waitMillis) throws SiloException {
        return FilesOps.Closed.NOTHING;
    }

    /** Lets go of the object; a written archive file not yet finished is discarded. */
    @Override
    void close();
}

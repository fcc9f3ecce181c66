package org.silo.archive.mover;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicLong;
import org.silo.archive.ops.LibraryMessages.TransferDone;
import org.silo.archive.volume.Backends;
import org.silo.wire.SiloException;

/**
 * What a mover lends the job it runs ({@link BatchWrite}, {@link BatchRead}): who it is, its link to the
 * library manager, its volumes' backends, data connections it can cut when killed, its progress
 * counter and statistics.
 */
interface JobHost {
    String id();

    String name();

    MoverLink link();

    Backends backends();

    /** A data connection to a client's callback (HOST:PORT), cut if the mover is killed. */
    Socket connect(String callback) throws IOException;

    void close(Socket s);

    /** Bytes moved of the job under way (reported as progress). */
    AtomicLong done();

    /** The stream, slowed to the mover's throttle (if any). */
    InputStream paced(InputStream in);

    /** Killed (a hard stop: say nothing more) or the job cancelled (stop, report). */
    boolean killed();

    boolean cancelled();

    /** Statistics: files moved and their bytes; a failed job. */
    void moved(long bytes, long files);

    void failed();

    /**
     * transfer_done: reports the job's end; a refusal because the job was killed or given away meanwhile
     * (INVALID, NOT_FOUND) is only logged, any other failure is thrown.
     */
    void transferDone(TransferDone d) throws SiloException;
}

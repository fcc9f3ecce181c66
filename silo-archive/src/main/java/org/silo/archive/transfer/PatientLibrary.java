package org.silo.archive.transfer;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.silo.archive.ops.FileMessages.NsEntry;
import org.silo.archive.ops.LibraryMessages.FileState;
import org.silo.archive.ops.LibraryMessages.FilesQueued;
import org.silo.archive.ops.LibraryMessages.JobInfo;
import org.silo.archive.ops.LibraryMessages.ReadFiles;
import org.silo.archive.ops.LibraryMessages.ReadFromHsm;
import org.silo.archive.ops.LibraryMessages.WriteFiles;
import org.silo.archive.ops.LibraryMessages.WriteToHsm;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;

/**
 * A library client that rides out a server that is away for a while (restarting, or cut off): a call that
 * finds the server unreachable is made again, with pauses, until it is answered or the server has been
 * unreachable for {@code timeout}. Every call it repeats is safe to repeat: job_info, job_ls, job_files and
 * stat read, kill_job of a finished request changes nothing, and a write_to_hsm, read_from_hsm,
 * write_files or read_files sent again with its token gets the requests it made the first time
 * (docs/archive.md). An answer about the request
 * itself (NOT_FOUND, EXISTS, ...) is returned at once.
 */
final class PatientLibrary implements LibraryClient {
    private final LibraryClient lm;
    private final Duration timeout;
    private final BooleanSupplier closed;
    /** Since when (System.nanoTime) calls have found the server unreachable; 0 while it answers. Shared by all calls. */
    private final AtomicLong downSince = new AtomicLong();

    PatientLibrary(LibraryClient lm, Duration timeout, BooleanSupplier closed) {
        this.lm = lm;
        this.timeout = timeout;
        this.closed = closed;
    }

    private interface Call<T> {
        T run() throws SiloException;
    }

    /** Whether the failure says the server was not there to answer (rather than answering no). */
    static boolean unreachable(SiloException e) {
        String m = e.getMessage() == null ? "" : e.getMessage();
        return switch (e.code()) {
            case TIMEDOUT, DISOLVE, RESOURCE, BAD_COOKIE -> true;
            case IO -> m.startsWith("cannot reach") || m.startsWith("TCP connection");
            default -> false;
        };
    }

    /**
     * Runs the call until it is answered, or until the server has been unreachable for longer than the
     * timeout (counted over every call: once it has been away that long, a call gives up after its own try).
     */
    private <T> T patiently(Call<T> call) throws SiloException {
        long pauseMs = 100;
        while (true) {
            try {
                T answer = call.run();
                downSince.set(0);
                return answer;
            } catch (SiloException e) {
                if (!unreachable(e) || closed.getAsBoolean()) {
                    throw e;
                }
                long now = System.nanoTime();
                long since = downSince.updateAndGet(v -> v == 0 ? now : v);
                if (now - since > timeout.toNanos()) {
                    throw SiloException.of(
                            e.code(),
                            e.getMessage() + " (the server has been unreachable for longer than " + timeout.toSeconds()
                                    + " s)",
                            e);
                }
                try {
                    Thread.sleep(pauseMs); // the calls themselves wait for their answers; this only spaces out quick
                    // refusals
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw SiloException.of(ErrorCode.IO, "interrupted while waiting for the server: " + e.getMessage());
                }
                pauseMs = Math.min(2000, pauseMs * 2);
            }
        }
    }

    @Override
    public JobInfo write(WriteToHsm q) throws SiloException {
        return patiently(() -> lm.write(q));
    }

    @Override
    public JobInfo read(ReadFromHsm q) throws SiloException {
        return patiently(() -> lm.read(q));
    }

    @Override
    public JobInfo info(long id) throws SiloException {
        return patiently(() -> lm.info(id));
    }

    @Override
    public JobInfo kill(long id) throws SiloException {
        return patiently(() -> lm.kill(id));
    }

    @Override
    public List<JobInfo> children(long parent) throws SiloException {
        return patiently(() -> lm.children(parent));
    }

    @Override
    public FilesQueued writeFiles(WriteFiles q) throws SiloException {
        return patiently(() -> lm.writeFiles(q));
    }

    @Override
    public FilesQueued readFiles(ReadFiles q) throws SiloException {
        return patiently(() -> lm.readFiles(q));
    }

    @Override
    public List<FileState> jobFiles(long id) throws SiloException {
        return patiently(() -> lm.jobFiles(id));
    }

    @Override
    public NsEntry stat(String path) throws SiloException {
        return patiently(() -> lm.stat(path));
    }

    @Override
    public long session() {
        return lm.session();
    }
}

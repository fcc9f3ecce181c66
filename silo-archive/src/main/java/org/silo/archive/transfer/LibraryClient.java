package org.silo.archive.transfer;

import java.util.List;
import java.util.function.Supplier;
import org.silo.archive.lm.LibraryManager;
import org.silo.archive.ops.FileClerkOps;
import org.silo.archive.ops.FileMessages.NsEntry;
import org.silo.archive.ops.LibraryMessages.FileState;
import org.silo.archive.ops.LibraryMessages.FilesQueued;
import org.silo.archive.ops.LibraryMessages.JobInfo;
import org.silo.archive.ops.LibraryMessages.ListJobs;
import org.silo.archive.ops.LibraryMessages.ReadFiles;
import org.silo.archive.ops.LibraryMessages.ReadFromHsm;
import org.silo.archive.ops.LibraryMessages.WriteFiles;
import org.silo.archive.ops.LibraryMessages.WriteToHsm;
import org.silo.archive.ops.LibraryOps;
import org.silo.wire.SiloException;
import org.silo.wire.client.SiloClient;

/** What a user's client asks of the library manager: queue writes or reads, follow them, kill them. */
public interface LibraryClient {
    JobInfo write(WriteToHsm q) throws SiloException;

    JobInfo read(ReadFromHsm q) throws SiloException;

    JobInfo info(long id) throws SiloException;

    JobInfo kill(long id) throws SiloException;

    /** The requests made for a write (its copies). */
    List<JobInfo> children(long parent) throws SiloException;

    /** write_files: many files in one request. */
    FilesQueued writeFiles(WriteFiles q) throws SiloException;

    /** read_files: many files, one request per volume. */
    FilesQueued readFiles(ReadFiles q) throws SiloException;

    /** job_files: the files of a request and what became of each. */
    List<FileState> jobFiles(long id) throws SiloException;

    /** The archive's entry at a path (size and Adler-32 for a file); NOT_FOUND if there is none. */
    default NsEntry stat(String path) throws SiloException {
        throw SiloException.invalid("this library client cannot look paths up");
    }

    /**
     * The session the calls go in (0: none, in process). It changes when the client had to start a new one:
     * the server restarted, or forgot the session.
     */
    default long session() {
        return 0;
    }

    /** Over the message layer (the {@code silo put} and {@code silo get} commands). */
    static LibraryClient over(SiloClient c) {
        return new LibraryClient() {
            @Override
            public JobInfo write(WriteToHsm q) throws SiloException {
                return c.call(LibraryOps.WRITE_TO_HSM, q);
            }

            @Override
            public JobInfo read(ReadFromHsm q) throws SiloException {
                return c.call(LibraryOps.READ_FROM_HSM, q);
            }

            @Override
            public JobInfo info(long id) throws SiloException {
                return c.call(LibraryOps.JOB_INFO, Long.toString(id));
            }

            @Override
            public JobInfo kill(long id) throws SiloException {
                return c.call(LibraryOps.KILL_JOB, Long.toString(id));
            }

            @Override
            public List<JobInfo> children(long parent) throws SiloException {
                return c.call(LibraryOps.JOB_LS, new ListJobs(true, 100, parent))
                        .jobs();
            }

            @Override
            public FilesQueued writeFiles(WriteFiles q) throws SiloException {
                return c.call(LibraryOps.WRITE_FILES, q);
            }

            @Override
            public FilesQueued readFiles(ReadFiles q) throws SiloException {
                return c.call(LibraryOps.READ_FILES, q);
            }

            @Override
            public List<FileState> jobFiles(long id) throws SiloException {
                return c.call(LibraryOps.JOB_FILES, Long.toString(id)).files();
            }

            @Override
            public NsEntry stat(String path) throws SiloException {
                return c.call(FileClerkOps.STAT, path);
            }

            @Override
            public long session() {
                return c.sessionId();
            }
        };
    }

    /** Directly into a library manager in this process; {@code lm} is asked each time (it may be restarted). */
    static LibraryClient local(Supplier<LibraryManager> lm, String who) {
        return new LibraryClient() {
            @Override
            public JobInfo write(WriteToHsm q) throws SiloException {
                return lm.get().submitWrite(q, who);
            }

            @Override
            public JobInfo read(ReadFromHsm q) throws SiloException {
                return lm.get().submitRead(q, who);
            }

            @Override
            public JobInfo info(long id) throws SiloException {
                return lm.get().info(id);
            }

            @Override
            public JobInfo kill(long id) throws SiloException {
                return lm.get().kill(id);
            }

            @Override
            public List<JobInfo> children(long parent) throws SiloException {
                return lm.get().list(true, 100, parent);
            }

            @Override
            public FilesQueued writeFiles(WriteFiles q) throws SiloException {
                return lm.get().submitWriteFiles(q, who);
            }

            @Override
            public FilesQueued readFiles(ReadFiles q) throws SiloException {
                return lm.get().submitReadFiles(q, who);
            }

            @Override
            public List<FileState> jobFiles(long id) throws SiloException {
                return lm.get().jobFiles(id);
            }
        };
    }
}

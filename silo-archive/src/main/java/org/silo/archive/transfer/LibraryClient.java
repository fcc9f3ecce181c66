package org.silo.archive.transfer;

import java.util.function.Supplier;
import org.silo.archive.lm.LibraryManager;
import java.util.List;
import org.silo.archive.ops.LibraryMessages.JobInfo;
import org.silo.archive.ops.LibraryMessages.ListJobs;
import org.silo.archive.ops.LibraryMessages.ReadFromHsm;
import org.silo.archive.ops.LibraryMessages.WriteToHsm;
import org.silo.archive.ops.LibraryOps;
import org.silo.wire.SiloException;
import org.silo.wire.client.SiloClient;

/** What a user's client asks of the library manager: queue a write or a read, follow it, kill it. */
public interface LibraryClient {
    JobInfo write(WriteToHsm q) throws SiloException;

    JobInfo read(ReadFromHsm q) throws SiloException;

    JobInfo info(long id) throws SiloException;

    JobInfo kill(long id) throws SiloException;

    /** The requests made for a write (its copies). */
    List<JobInfo> children(long parent) throws SiloException;

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
                return c.call(LibraryOps.JOB_LS, new ListJobs(true, 100, parent)).jobs();
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
        };
    }
}

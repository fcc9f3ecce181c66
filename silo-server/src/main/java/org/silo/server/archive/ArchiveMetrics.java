package org.silo.server.archive;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import org.silo.archive.lm.LibraryManager;
import org.silo.archive.mover.Mover;
import org.silo.archive.ops.LibraryMessages.JobInfo;
import org.silo.archive.ops.LibraryMessages.MoverInfo;
import org.silo.wire.SiloException;

/**
 * The archive's meters, read from the library manager when scraped (the names docs/console.md lists):
 * silo_queue_depth (jobs waiting), silo_jobs_running, silo_movers{state}, silo_bytes_moved_total.
 */
public final class ArchiveMetrics {
    private ArchiveMetrics() {}

    public static void bind(LibraryManager lib, MeterRegistry registry) {
        Gauge.builder("silo.queue.depth", lib, l -> jobs(l, "queued"))
                .description("jobs waiting for a mover")
                .register(registry);
        Gauge.builder("silo.jobs.running", lib, l -> jobs(l, "active"))
                .description("jobs a mover is running")
                .register(registry);
        // the states movers report of themselves, and hung, which the library manager finds (docs/archive.md, "Hung
        // drives")
        for (String s : java.util.stream.Stream.concat(
                        java.util.Arrays.stream(Mover.State.values()).map(Mover.State::wire),
                        java.util.stream.Stream.of(org.silo.archive.ops.LibraryMessages.MOVER_HUNG))
                .toList()) {
            Gauge.builder(
                            "silo.movers",
                            lib,
                            l -> movers(l).stream()
                                    .filter(m -> m.state().equals(s))
                                    .count())
                    .tag("state", s)
                    .description("movers in each state")
                    .register(registry);
        }
        FunctionCounter.builder("silo.bytes_moved", lib, ArchiveMetrics::bytesMoved)
                .description("bytes the movers have moved, in and out")
                .register(registry);
    }

    /** The total bytes every mover has moved (the STATUS field bytesMoved). */
    public static long bytesMoved(LibraryManager lib) {
        return movers(lib).stream().mapToLong(MoverInfo::bytes).sum();
    }

    private static double jobs(LibraryManager lib, String state) {
        try {
            return lib.list(false, 100_000).stream()
                    .map(JobInfo::state)
                    .filter(state::equals)
                    .count();
        } catch (SiloException e) {
            return Double.NaN;
        }
    }

    private static List<MoverInfo> movers(LibraryManager lib) {
        try {
            return lib.movers();
        } catch (SiloException e) {
            return List.of();
        }
    }
}

package org.silo.cli;

import java.util.concurrent.Callable;
import org.silo.archive.ops.LibraryMessages.JobInfo;
import org.silo.archive.ops.LibraryMessages.MoverInfo;
import org.silo.archive.ops.LibraryMessages.RepackVolume;
import org.silo.archive.ops.LibraryOps;
import org.silo.wire.Sizes;
import org.silo.wire.client.SiloClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "repack",
        mixinStandardHelpOptions = true,
        description = {
            "Repack a volume's containers of small files (as CTA calls it).",
            "A mover copies their live files into new containers on another volume of the library, each file keeping its"
                    + " bfid and path, switches each new container's files in one catalog transaction, and frees the old"
                    + " containers. Reads go on throughout. This gives back the dead space 'silo vol show' reports.",
            "It waits for the job and prints its progress, unless --no-wait; exits 1 if the job failed."
        },
        footer = {
            "",
            "Examples:",
            "  silo repack VOL0007",
            "  silo repack VOL0007 --to VOL0012",
            "  silo repack VOL0007 --no-wait"
        })
final class RepackCommand implements Callable<Integer> {
    @Mixin
    ClientMixin client;

    @Parameters(paramLabel = "VOLUME", description = "The volume whose containers to repack.")
    String volume;

    @Option(
            names = "--to",
            paramLabel = "VOLUME",
            description = "The volume to write the new containers to (default: any other ok "
                    + "volume of the library with room, its own storage group and file family first).")
    String to;

    @Option(names = "--priority", paramLabel = "N", defaultValue = "0", description = "Base priority (default: 0).")
    int priority;

    @Option(names = "--no-wait", description = "Queue the repack and return.")
    boolean noWait;

    @Override
    public Integer call() throws Exception {
        try (SiloClient c = client.connect()) {
            JobInfo j = c.call(LibraryOps.REPACK_VOLUME, new RepackVolume(volume, to, priority));
            System.out.printf(
                    "job %d: repack of %s queued (about %s to write: its live files and their headers%s)%n",
                    j.id(), volume, Sizes.format(j.size()), j.target() == null ? "" : " to " + j.target());
            if (noWait) {
                return 0;
            }
            long shown = -1;
            while (true) {
                j = c.call(LibraryOps.JOB_INFO, Long.toString(j.id()));
                if (!j.state().equals("queued") && !j.state().equals("active")) {
                    break;
                }
                for (MoverInfo m : c.call(LibraryOps.MOVER_LS, null).movers()) {
                    if (m.job() == j.id() && m.bytesDone() / (1 << 20) != shown) { // a line per MiB read at most
                        shown = m.bytesDone() / (1 << 20);
                        System.err.printf(
                                "repack of %s on mover %s: %s read, %s to move%n",
                                volume, m.name(), Sizes.format(m.bytesDone()), Sizes.format(m.bytesTotal()));
                    }
                }
                Thread.sleep(500);
            }
            System.out.printf(
                    "job %d %s: %s%s%n",
                    j.id(),
                    j.state(),
                    j.result() == null ? "" : j.result(),
                    j.error() == null ? "" : (j.result() == null ? "" : "; ") + j.error());
            return j.state().equals("done") ? 0 : Failures.FAILED;
        }
    }
}

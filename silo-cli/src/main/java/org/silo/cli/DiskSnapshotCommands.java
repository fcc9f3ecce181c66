package org.silo.cli;

import java.time.Instant;
import java.util.concurrent.Callable;
import org.silo.server.block.DiskOps;
import org.silo.wire.Sizes;
import org.silo.wire.client.SiloClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code silo disk snapshot | snapshots | restore | rm-snapshot} (docs/block.md, "Snapshots"). */
final class DiskSnapshotCommands {
    private DiskSnapshotCommands() {}

    /** IMAGE@N, split. */
    record Ref(String image, long number) {
        static Ref parse(String text) {
            int at = text.lastIndexOf('@');
            if (at <= 0 || at == text.length() - 1) {
                throw new IllegalArgumentException(
                        "'" + text + "' is not IMAGE@N, a snapshot as 'silo disk snapshots IMAGE' numbers it");
            }
            try {
                long n = Long.parseLong(text.substring(at + 1));
                if (n <= 0) {
                    throw new NumberFormatException();
                }
                return new Ref(text.substring(0, at), n);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        "'" + text + "': the part after @ is a snapshot's number (1, 2, ...), as 'silo disk snapshots "
                                + text.substring(0, at) + "' shows");
            }
        }
    }

    static String describe(DiskOps.Snapshot s) {
        return String.format(
                "%s@%d: %s, taken %s, %s of a %s image stored in %s (%d bytes), %.1f s",
                s.image(),
                s.number(),
                s.parent() == 0 ? "full" : "incremental on @" + s.parent(),
                Instant.ofEpochMilli(s.takenMs()),
                Sizes.format(s.dataBytes()),
                Sizes.format(s.imageSize()),
                s.path(),
                s.stored(),
                s.tookMs() / 1000.0);
    }

    @Command(
            name = "snapshot",
            mixinStandardHelpOptions = true,
            description = {
                "Snapshot an image into the archive while its clients use it.",
                "The first snapshot stores the image's data, each next one only the blocks written since the one before.",
                "A snapshot holds every write answered before it began and none begun after."
            },
            footer = {
                "",
                "Examples:",
                "  silo disk snapshot disk0                 into /snapshots/disk0/N",
                "  silo disk snapshot disk0 /backups/vm     into /backups/vm/N",
                "  silo disk snapshot disk0 --full          all its data again",
                "",
                "Then: silo disk snapshots disk0, or read it over NBD as disk0@N."
            })
    static final class Snapshot implements Callable<Integer> {
        @Mixin
        ClientMixin client;

        @Parameters(index = "0", paramLabel = "IMAGE", description = "The image.")
        String image;

        @Parameters(
                index = "1",
                arity = "0..1",
                paramLabel = "ARCHIVE-DIR",
                description = "The archive directory for it; /snapshots/IMAGE if not given.")
        String dir;

        @Option(names = "--full", description = "Store all the image's data, not only what changed.")
        boolean full;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            DiskOps.Snapshot s;
            try (SiloClient c = client.connectForLongWork()) {
                s = c.call(DiskOps.SNAPSHOT, new DiskOps.TakeSnapshot(image, dir, full));
            }
            if (json) {
                Json.print(s);
                return 0;
            }
            System.out.println(describe(s));
            if (s.whyFull() != null && s.number() > 1) {
                System.out.println("full because " + s.whyFull());
            }
            return 0;
        }
    }

    @Command(
            name = "snapshots",
            mixinStandardHelpOptions = true,
            description = "List an image's snapshots, oldest first.",
            footer = {"", "Examples:", "  silo disk snapshots disk0", "  silo disk snapshots disk0 --json"})
    static final class Snapshots implements Callable<Integer> {
        @Mixin
        ClientMixin client;

        @Parameters(paramLabel = "IMAGE", description = "The image (it may have been removed since).")
        String image;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Mixin
        SizeOption sizes;

        @Override
        public Integer call() throws Exception {
            DiskOps.SnapshotList list;
            try (SiloClient c = client.connect()) {
                list = c.call(DiskOps.SNAPSHOTS, new DiskOps.Name(image));
            }
            if (json) {
                Json.print(list.snapshots());
                return 0;
            }
            if (list.snapshots().isEmpty()) {
                System.out.println("no snapshots of " + image + " (take one with: silo disk snapshot " + image + ")");
                return 0;
            }
            Table t = new Table("SNAPSHOT", "TAKEN", "STORED", "IMAGE SIZE", "PARENT", "FILE").rightAlign(2, 3);
            for (DiskOps.Snapshot s : list.snapshots()) {
                t.row(
                        s.image() + "@" + s.number(),
                        Instant.ofEpochMilli(s.takenMs()).toString(),
                        sizes.show(s.stored()),
                        sizes.show(s.imageSize()),
                        s.parent() == 0 ? "- (full)" : "@" + s.parent(),
                        s.path());
            }
            t.print();
            return 0;
        }
    }

    @Command(
            name = "restore",
            mixinStandardHelpOptions = true,
            description = {
                "Make a new image holding a snapshot, read through its chain.",
                "Only the parts with data are written; the rest stay holes."
            },
            footer = {"", "Example:", "  silo disk restore disk0@2 disk0-tuesday"})
    static final class Restore implements Callable<Integer> {
        @Mixin
        ClientMixin client;

        @Parameters(index = "0", paramLabel = "IMAGE@N", description = "The snapshot.")
        String snapshot;

        @Parameters(index = "1", paramLabel = "NEWIMAGE", description = "The new image's name (it must not exist).")
        String target;

        @Override
        public Integer call() throws Exception {
            Ref r = Ref.parse(snapshot);
            try (SiloClient c = client.connectForLongWork()) {
                DiskCommand.print(c.call(DiskOps.RESTORE, new DiskOps.Restore(r.image(), r.number(), target)));
            }
            return 0;
        }
    }

    @Command(
            name = "rm-snapshot",
            mixinStandardHelpOptions = true,
            description = {
                "Remove a snapshot, keeping every other one restorable.",
                "It is merged into the next one, which then holds its bytes too."
            },
            footer = {"", "Example:", "  silo disk rm-snapshot disk0@1"})
    static final class RmSnapshot implements Callable<Integer> {
        @Mixin
        ClientMixin client;

        @Parameters(paramLabel = "IMAGE@N", description = "The snapshot.")
        String snapshot;

        @Override
        public Integer call() throws Exception {
            Ref r = Ref.parse(snapshot);
            try (SiloClient c = client.connectForLongWork()) {
                c.call(DiskOps.RM_SNAPSHOT, new DiskOps.SnapshotRef(r.image(), r.number()));
            }
            System.out.println("removed " + snapshot);
            return 0;
        }
    }
}

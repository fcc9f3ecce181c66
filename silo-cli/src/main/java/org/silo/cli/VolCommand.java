package org.silo.cli;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import org.silo.archive.ops.VolumeClerkOps;
import org.silo.archive.ops.VolumeMessages.AddVol;
import org.silo.archive.ops.VolumeMessages.DeleteVol;
import org.silo.archive.ops.VolumeMessages.EditVol;
import org.silo.archive.ops.VolumeMessages.FamilyWidth;
import org.silo.archive.ops.VolumeMessages.ListVols;
import org.silo.archive.ops.VolumeMessages.Quota;
import org.silo.archive.ops.VolumeMessages.VolumeInfo;
import org.silo.wire.client.SiloClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "vol",
        mixinStandardHelpOptions = true,
        description = {"Manage the archive's volumes (the volume clerk)."},
        subcommands = {
            VolCommand.Add.class,
            VolCommand.Ls.class,
            VolCommand.Show.class,
            VolCommand.Set.class,
            VolCommand.Rm.class,
            VolCommand.Width.class,
            VolCommand.QuotaCmd.class,
            VolCommand.ChangerCmd.class
        },
        footer = {
            "",
            "Examples:",
            "  silo vol add TAPE01 --library lib1 --capacity 10G \\",
            "      --backend dir:/mnt/tape01 --storage-group cms",
            "  silo vol add S3V01 --library cloud --capacity 1T \\",
            "      --backend 's3://archive/v01?endpoint=http://ceph:7480'",
            "  silo vol ls --library lib1",
            "  silo vol show TAPE01",
            "  silo vol set TAPE01 --state readonly --reason 'worn, copy it off'",
            "  silo vol rm TAPE01",
            "  silo vol changer lib1 command:/usr/local/bin/silo-mtx"
        })
final class VolCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    static void show(VolumeInfo v) {
        Table t = new Table("field", "value");
        t.row("label", v.label())
                .row("library", v.library())
                .row("media type", v.mediaType())
                .row("backend", v.backend())
                .row("capacity", org.silo.wire.Sizes.format(v.capacity()) + " (" + v.capacity() + " bytes)")
                .row("remaining", org.silo.wire.Sizes.format(v.remaining()) + " (" + v.remaining() + " bytes)")
                .row("storage group", v.storageGroup())
                .row("file family", v.fileFamily())
                .row(
                        "state",
                        v.state() + " (by " + v.stateBy() + " at " + Instant.ofEpochMilli(v.stateMs()) + ": "
                                + v.stateReason() + ")")
                .row("writing", v.writing() == null ? "-" : v.writing())
                .row("files", v.files())
                .row("containers", v.containers())
                .row(
                        "dead space",
                        v.deadBytes() == 0
                                ? "0 (none)"
                                : org.silo.wire.Sizes.format(v.deadBytes()) + " (" + v.deadBytes()
                                        + " bytes in containers no live file needs; silo repack " + v.label()
                                        + " gives them back)")
                .row("mounts", v.mounts())
                .row("read errors", v.readErrors())
                .row("write errors", v.writeErrors())
                .row("bytes read", v.bytesRead())
                .row("last access", Instant.ofEpochMilli(v.lastAccessMs()));
        t.print();
    }

    @Command(
            name = "add",
            mixinStandardHelpOptions = true,
            description = "Add a volume to a library.",
            footer = {
                "",
                "Examples:",
                "  silo vol add TAPE01 --library lib1 --capacity 10G",
                "  silo vol add D2 --library default --capacity 500G --backend dir:/mnt/usb1 \\",
                "      --storage-group exp --file-family raw"
            })
    static final class Add implements Callable<Integer> {
        @Mixin
        ClientMixin client;

        @Parameters(paramLabel = "LABEL", description = "1 to 64 letters, digits, '.', '_' or '-'.")
        String label;

        @Option(names = "--library", required = true, paramLabel = "L", description = "The library (made if new).")
        String library;

        @Option(names = "--capacity", required = true, paramLabel = "SIZE", description = "Capacity, e.g. 10G, 1.5T.")
        String capacity;

        @Option(
                names = "--backend",
                paramLabel = "dir:PATH|s3://B/P",
                description = "Where the bytes go (default: dir:volumes/LABEL in the server's data directory).")
        String backend;

        @Option(names = "--storage-group", paramLabel = "G", description = "Storage group (default: none).")
        String storageGroup;

        @Option(names = "--file-family", paramLabel = "F", description = "File family (default: none, a blank volume).")
        String fileFamily;

        @Option(names = "--media-type", paramLabel = "T", description = "Media type (default: disk or s3).")
        String mediaType;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            try (SiloClient c = client.connect()) {
                VolumeInfo v = c.call(
                        VolumeClerkOps.ADDVOL,
                        new AddVol(label, library, mediaType, capacity, backend, storageGroup, fileFamily));
                if (json) {
                    Json.print(v);
                } else {
                    System.out.printf(
                            "added %s: %s in library %s on %s%n",
                            v.label(), org.silo.wire.Sizes.format(v.capacity()), v.library(), v.backend());
                }
            }
            return 0;
        }
    }

    @Command(
            name = "ls",
            mixinStandardHelpOptions = true,
            description = "List volumes.",
            footer = {"", "Examples:", "  silo vol ls", "  silo vol ls --library lib1 --state full --json"})
    static final class Ls implements Callable<Integer> {
        @Mixin
        ClientMixin client;

        @Option(names = "--library", paramLabel = "L", description = "Only the volumes of this library.")
        String library;

        @Option(names = "--storage-group", paramLabel = "G", description = "Only the volumes of this storage group.")
        String storageGroup;

        @Option(
                names = "--state",
                paramLabel = "STATE",
                description = "Only the volumes in this state: ok, readonly, full," + " noaccess or hung.")
        String state;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Mixin
        SizeOption sizes;

        @Override
        public Integer call() throws Exception {
            List<VolumeInfo> vols;
            try (SiloClient c = client.connect()) {
                vols = c.call(VolumeClerkOps.LIST_VOLS, new ListVols(library, storageGroup, state))
                        .volumes();
            }
            if (json) {
                Json.print(vols);
                return 0;
            }
            Table t = new Table(
                            "LABEL", "LIBRARY", "CAPACITY", "REMAINING", "GROUP", "FAMILY", "STATE", "FILES", "BACKEND")
                    .rightAlign(2, 3, 7);
            for (VolumeInfo v : vols) {
                t.row(
                        v.label(),
                        v.library(),
                        sizes.show(v.capacity()),
                        sizes.show(v.remaining()),
                        v.storageGroup(),
                        v.fileFamily(),
                        v.state(),
                        v.files(),
                        v.backend());
            }
            t.print();
            return 0;
        }
    }

    @Command(
            name = "show",
            mixinStandardHelpOptions = true,
            description = "Show one volume's record.",
            footer = {"", "Example:", "  silo vol show TAPE01"})
    static final class Show implements Callable<Integer> {
        @Mixin
        ClientMixin client;

        @Parameters(paramLabel = "LABEL", description = "The volume.")
        String label;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            try (SiloClient c = client.connect()) {
                VolumeInfo v = c.call(VolumeClerkOps.INQUIRE_VOL, label);
                if (json) {
                    Json.print(v);
                } else {
                    show(v);
                }
            }
            return 0;
        }
    }

    @Command(
            name = "set",
            mixinStandardHelpOptions = true,
            description = "Change a volume's state, group, family or capacity.",
            footer = {
                "",
                "Examples:",
                "  silo vol set TAPE01 --state readonly --reason 'worn'",
                "  silo vol set TAPE01 --state ok --reason 'cleaned the drive'",
                "  silo vol set TAPE01 --file-family raw --capacity 12G"
            })
    static final class Set implements Callable<Integer> {
        @Mixin
        ClientMixin client;

        @Parameters(paramLabel = "LABEL", description = "The volume.")
        String label;

        @Option(
                names = "--state",
                paramLabel = "STATE",
                description = "ok, readonly, full, noaccess or hung (needs --reason).")
        String state;

        @Option(names = "--reason", paramLabel = "TEXT", description = "Why: recorded with the state and who set it.")
        String reason;

        @Option(names = "--storage-group", paramLabel = "G", description = "The storage group it belongs to.")
        String storageGroup;

        @Option(names = "--file-family", paramLabel = "F", description = "The file family it is written for.")
        String fileFamily;

        @Option(names = "--capacity", paramLabel = "SIZE", description = "Its capacity, e.g. 10G, 1.5T.")
        String capacity;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            String by = System.getProperty("user.name", "admin");
            try (SiloClient c = client.connect()) {
                VolumeInfo v = c.call(
                        VolumeClerkOps.EDIT_VOL,
                        new EditVol(label, state, reason, by, storageGroup, fileFamily, capacity));
                if (json) {
                    Json.print(v);
                } else {
                    show(v);
                }
            }
            return 0;
        }
    }

    @Command(
            name = "rm",
            mixinStandardHelpOptions = true,
            description = "Remove a volume; refused while it holds live files.",
            footer = {
                "",
                "Examples:",
                "  silo vol rm TAPE01",
                "  silo vol rm TAPE01 --force   its live files are marked deleted and leave",
                "                               the namespace"
            })
    static final class Rm implements Callable<Integer> {
        @Mixin
        ClientMixin client;

        @Parameters(paramLabel = "LABEL", description = "The volume.")
        String label;

        @Option(names = "--force", description = "Remove it even though it holds live files.")
        boolean force;

        @Override
        public Integer call() throws Exception {
            try (SiloClient c = client.connect()) {
                VolumeInfo v = c.call(VolumeClerkOps.DELETE_VOL, new DeleteVol(label, force));
                System.out.printf("removed %s (%d files)%n", v.label(), v.files());
            }
            return 0;
        }
    }

    @Command(
            name = "width",
            mixinStandardHelpOptions = true,
            description = {"Set how many volumes of a file family may be written at once.", "The default is 1."},
            footer = {"", "Example:", "  silo vol width raw 3"})
    static final class Width implements Callable<Integer> {
        @Mixin
        ClientMixin client;

        @Parameters(index = "0", paramLabel = "FAMILY", description = "The file family.")
        String family;

        @Parameters(index = "1", paramLabel = "N", description = "How many of its volumes may be written at once.")
        int width;

        @Override
        public Integer call() throws Exception {
            try (SiloClient c = client.connect()) {
                FamilyWidth w = c.call(VolumeClerkOps.SET_FAMILY_WIDTH, new FamilyWidth(family, width));
                System.out.printf("file family %s: width %d%n", w.fileFamily(), w.width());
            }
            return 0;
        }
    }

    @Command(
            name = "changer",
            mixinStandardHelpOptions = true,
            description = {
                "Set a library's media changer: who mounts its volumes.",
                "none: dir and S3 volumes are always there.",
                "manual: a person mounts; movers wait until an operator answers 'silo mover confirm VOLUME' or"
                        + " 'silo mover refuse VOLUME', or on the console's movers page.",
                "command:PROGRAM: movers run 'PROGRAM mount VOLUME DRIVE' before using a volume and 'PROGRAM dismount"
                        + " VOLUME DRIVE' after; a non-zero exit status fails the mount, and its status and output go into"
                        + " the job's error."
            },
            footer = {
                "",
                "Examples:",
                "  silo vol changer lib1 command:/usr/local/bin/silo-mtx",
                "  silo vol changer shelf manual",
                "  silo vol changer lib1 none"
            })
    static final class ChangerCmd implements Callable<Integer> {
        @Mixin
        ClientMixin client;

        @Parameters(index = "0", paramLabel = "LIBRARY", description = "The library.")
        String library;

        @Parameters(index = "1", paramLabel = "CHANGER", description = "none, manual or command:PROGRAM.")
        String changer;

        @Override
        public Integer call() throws Exception {
            try (SiloClient c = client.connect()) {
                org.silo.archive.ops.LibraryMessages.Changer r = c.call(
                        org.silo.archive.ops.LibraryOps.SET_CHANGER,
                        new org.silo.archive.ops.LibraryMessages.Changer(library, changer));
                System.out.printf("library %s: media changer %s%n", r.library(), r.changer());
            }
            return 0;
        }
    }

    @Command(
            name = "quota",
            mixinStandardHelpOptions = true,
            description = "Set how many volumes a storage group may hold in a library.",
            footer = {"", "Example:", "  silo vol quota --library lib1 cms 20"})
    static final class QuotaCmd implements Callable<Integer> {
        @Mixin
        ClientMixin client;

        @Option(names = "--library", required = true, paramLabel = "L", description = "The library.")
        String library;

        @Parameters(index = "0", paramLabel = "GROUP", description = "The storage group.")
        String group;

        @Parameters(index = "1", paramLabel = "N", description = "Volumes it may hold, or -1 for no limit.")
        int max;

        @Override
        public Integer call() throws Exception {
            try (SiloClient c = client.connect()) {
                Quota q = c.call(VolumeClerkOps.SET_QUOTA, new Quota(library, group, max));
                System.out.printf(
                        "storage group %s in %s: %s%n",
                        q.storageGroup(),
                        q.library(),
                        q.maxVolumes() < 0 ? "no quota" : "at most " + q.maxVolumes() + " volumes");
            }
            return 0;
        }
    }
}

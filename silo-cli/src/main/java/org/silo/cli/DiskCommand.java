package org.silo.cli;

import java.util.concurrent.Callable;
import org.silo.server.block.DiskOps;
import org.silo.wire.Sizes;
import org.silo.wire.client.SiloClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "disk",
        mixinStandardHelpOptions = true,
        description = {
            "Manage the disk images served over Blockhead and NBD.",
            "Blockhead listens on UDP 4444, NBD on TCP 10809."
        },
        subcommands = {
            DiskCommand.Create.class,
            DiskCommand.Ls.class,
            DiskCommand.Rm.class,
            DiskCommand.Resize.class,
            DiskCommand.PolicyCmd.class,
            DiskSnapshotCommands.Snapshot.class,
            DiskSnapshotCommands.Snapshots.class,
            DiskSnapshotCommands.Restore.class,
            DiskSnapshotCommands.RmSnapshot.class
        },
        footer = {
            "",
            "Examples:",
            "  silo disk create retro --size 64M       a sparse 64 MiB image named 'retro'",
            "  silo disk create iso --size 700M --read-only",
            "  silo disk ls",
            "  silo disk resize retro --size 128M",
            "  silo disk rm retro",
            "  silo disk policy retro hosts:192.168.1.20,10.0.0.0/8",
            "                                          only these may connect",
            "  silo disk snapshot retro                into the archive, incremental",
            "  silo disk restore retro@1 retro-old     a new image as retro was then",
            "",
            "Then: qemu-img info nbd://localhost:10809/retro, or a Blockhead client on",
            "UDP 4444. Snapshots are read-only NBD exports: nbd://localhost/retro@1"
        })
final class DiskCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    static void print(DiskOps.Disk d) {
        System.out.printf(
                "%s: %s (%d bytes), %s allocated, %s, policy %s%s%n",
                d.name(),
                Sizes.format(d.sizeBytes()),
                d.sizeBytes(),
                Sizes.format(d.allocatedBytes()),
                d.readOnly() ? "read-only" : "read-write",
                d.policy(),
                d.holders().isEmpty() ? "" : ", open by " + String.join("; ", d.holders()));
    }

    static long size(String text) {
        long n = SizeOption.parse("--size", text);
        if (n <= 0 || n % 512 != 0) {
            throw new IllegalArgumentException("--size " + text + ": an image is a positive multiple of 512 bytes");
        }
        return n;
    }

    @Command(
            name = "create",
            mixinStandardHelpOptions = true,
            description = "Create a sparse image.",
            footer = {"", "Example:", "  silo disk create retro --size 64M"})
    static final class Create implements Callable<Integer> {
        @Mixin
        ClientMixin client;

        @Parameters(
                paramLabel = "NAME",
                description = "A plain name of at most 255 bytes, without '/', '\\\\', NUL or '..'.")
        String name;

        @Option(
                names = "--size",
                required = true,
                paramLabel = "SIZE",
                description = "Size, e.g. 64M, 1.5G, 10 GiB (a multiple of 512).")
        String size;

        @Option(names = "--read-only", description = "Refuse writes (readers may then share it).")
        boolean readOnly;

        @Override
        public Integer call() throws Exception {
            long bytes = size(size);
            try (SiloClient c = client.connect()) {
                print(c.call(DiskOps.CREATE, new DiskOps.Create(name, bytes, readOnly)));
            }
            return 0;
        }
    }

    @Command(
            name = "ls",
            mixinStandardHelpOptions = true,
            description = "List the images: size, allocated bytes, mode, who has each open.",
            footer = {"", "Examples:", "  silo disk ls", "  silo disk ls --json"})
    static final class Ls implements Callable<Integer> {
        @Mixin
        ClientMixin client;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Mixin
        SizeOption sizes;

        @Override
        public Integer call() throws Exception {
            DiskOps.DiskList list;
            try (SiloClient c = client.connect()) {
                list = c.call(DiskOps.LIST, null);
            }
            if (json) {
                Json.print(list.disks());
                return 0;
            }
            Table t = new Table("NAME", "SIZE", "ALLOCATED", "MODE", "POLICY", "OPEN BY").rightAlign(1, 2);
            for (DiskOps.Disk d : list.disks()) {
                t.row(
                        d.name(),
                        sizes.show(d.sizeBytes()),
                        sizes.show(d.allocatedBytes()),
                        d.readOnly() ? "ro" : "rw",
                        d.policy(),
                        d.holders().isEmpty() ? "-" : String.join("; ", d.holders()));
            }
            t.print();
            return 0;
        }
    }

    @Command(
            name = "rm",
            mixinStandardHelpOptions = true,
            description = "Remove an image (refused while it is open).",
            footer = {"", "Example:", "  silo disk rm retro"})
    static final class Rm implements Callable<Integer> {
        @Mixin
        ClientMixin client;

        @Parameters(paramLabel = "NAME", description = "The image.")
        String name;

        @Override
        public Integer call() throws Exception {
            try (SiloClient c = client.connect()) {
                c.call(DiskOps.REMOVE, new DiskOps.Name(name));
            }
            System.out.println("removed " + name);
            return 0;
        }
    }

    @Command(
            name = "policy",
            mixinStandardHelpOptions = true,
            description = {"Set who may reach an image over Blockhead and NBD.", "Refused while the image is open."},
            footer = {
                "",
                "Examples:",
                "  silo disk policy retro hosts:192.168.1.20",
                "  silo disk policy iso read-only",
                "  silo disk policy retro open     writable by any client, even where anonymous",
                "                                  sessions may only read",
                "  silo disk policy retro default"
            })
    static final class PolicyCmd implements Callable<Integer> {
        @Mixin
        ClientMixin client;

        @Parameters(index = "0", paramLabel = "NAME", description = "The image.")
        String name;

        @Parameters(
                index = "1",
                paramLabel = "POLICY",
                description =
                        "open (anyone), read-only (anyone may read), closed (nobody), hosts:ADDR[/BITS][,...] (only"
                                + " these may connect), or default: as the server's 'anonymous' setting allows (read-only if it is"
                                + " 'read').")
        String policy;

        @Override
        public Integer call() throws Exception {
            try (SiloClient c = client.connect()) {
                print(c.call(DiskOps.POLICY, new DiskOps.SetPolicy(name, policy)));
            }
            return 0;
        }
    }

    @Command(
            name = "resize",
            mixinStandardHelpOptions = true,
            description = "Grow or shrink an image (refused while it is open).",
            footer = {"", "Example:", "  silo disk resize retro --size 128M"})
    static final class Resize implements Callable<Integer> {
        @Mixin
        ClientMixin client;

        @Parameters(paramLabel = "NAME", description = "The image.")
        String name;

        @Option(names = "--size", required = true, paramLabel = "SIZE", description = "The new size, e.g. 128M.")
        String size;

        @Override
        public Integer call() throws Exception {
            long bytes = size(size);
            try (SiloClient c = client.connect()) {
                print(c.call(DiskOps.RESIZE, new DiskOps.Resize(name, bytes)));
            }
            return 0;
        }
    }
}

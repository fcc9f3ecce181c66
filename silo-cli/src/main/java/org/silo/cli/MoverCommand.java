package org.silo.cli;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import org.silo.archive.mover.Mover;
import org.silo.archive.mover.RemoteMover;
import org.silo.archive.ops.LibraryMessages.MountReply;
import org.silo.archive.ops.LibraryMessages.MountRequest;
import org.silo.archive.ops.LibraryMessages.MoverInfo;
import org.silo.archive.ops.LibraryMessages.MoverName;
import org.silo.archive.ops.LibraryOps;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;
import org.silo.wire.client.SiloClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "mover",
        mixinStandardHelpOptions = true,
        description = {
            "List, name and release the movers, or run one here.",
            "The list shows each mover's live state and progress."
        },
        subcommands = {
            MoverCommand.Ls.class,
            MoverCommand.Name.class,
            MoverCommand.Unbind.class,
            MoverCommand.Run.class,
            MoverCommand.Mounts.class,
            MoverCommand.Confirm.class,
            MoverCommand.Refuse.class
        },
        footer = {
            "",
            "Examples:",
            "  silo mover ls",
            "  silo mover name 3f2a9c1e-... drive-3",
            "  silo mover unbind drive-3",
            "  silo mover mounts",
            "  silo mover confirm VOL0042",
            "  silo mover run --server archive1:7400 --home /var/lib/silo-mover"
        })
final class MoverCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    static void table(List<MoverInfo> movers, SizeOption sizes) {
        Table t = new Table(
                        "NAME",
                        "STATE",
                        "VOLUME",
                        "JOB",
                        "PROGRESS",
                        "RATE",
                        "BYTES",
                        "FILES",
                        "ERRORS",
                        "MOUNTS",
                        "HOST",
                        "SEEN",
                        "ID")
                .rightAlign(3, 5, 6, 7, 8, 9);
        for (MoverInfo m : movers) {
            String progress = m.job() == 0
                    ? "-"
                    : m.bytesTotal() == 0
                            ? sizes.show(m.bytesDone())
                            : String.format(
                                    "%s/%s (%d%%)",
                                    sizes.show(m.bytesDone()),
                                    sizes.show(m.bytesTotal()),
                                    100 * m.bytesDone() / m.bytesTotal());
            t.row(
                    m.name(),
                    m.state(),
                    m.volume() == null ? "-" : m.volume(),
                    m.job() == 0 ? "-" : m.job(),
                    progress,
                    m.job() == 0 ? "-" : String.format("%.1f MB/s", m.bytesPerSecond() / 1e6),
                    sizes.show(m.bytes()),
                    m.files(),
                    m.errors(),
                    m.mounts(),
                    m.host(),
                    Instant.ofEpochMilli(m.seenMs()),
                    m.id());
        }
        t.print();
    }

    @Command(
            name = "ls",
            mixinStandardHelpOptions = true,
            description = "List the movers, their state, progress and statistics.",
            footer = {"", "Examples:", "  silo mover ls", "  silo mover ls --watch 1", "  silo mover ls --json"})
    static final class Ls implements Callable<Integer> {
        @Mixin
        ClientMixin client;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Option(names = "--watch", paramLabel = "SECONDS", description = "Print again every SECONDS until interrupted.")
        Integer watch;

        @Mixin
        SizeOption sizes;

        @Override
        public Integer call() throws Exception {
            try (SiloClient c = client.connect()) {
                while (true) {
                    List<MoverInfo> movers = c.call(LibraryOps.MOVER_LS, null).movers();
                    if (json) {
                        Json.print(movers);
                    } else {
                        table(movers, sizes);
                    }
                    if (watch == null) {
                        return 0;
                    }
                    Thread.sleep(Math.max(1, watch) * 1000L);
                    System.out.println();
                }
            }
        }
    }

    @Command(
            name = "name",
            mixinStandardHelpOptions = true,
            description = "Give a mover a friendly name (kept in the catalog).",
            footer = {
                "",
                "Examples:",
                "  silo mover name 3f2a9c1e-0d7b-4c55-9a63-2a4f0e1b7c11 drive-3",
                "  silo mover name mover1 disk-a"
            })
    static final class Name implements Callable<Integer> {
        @Mixin
        ClientMixin client;

        @Parameters(index = "0", paramLabel = "ID", description = "The mover's id or current name.")
        String mover;

        @Parameters(index = "1", paramLabel = "NAME", description = "Its new name.")
        String name;

        @Override
        public Integer call() throws Exception {
            try (SiloClient c = client.connect()) {
                MoverInfo m = c.call(LibraryOps.MOVER_NAME, new MoverName(mover, name));
                System.out.printf("mover %s is now %s%n", m.id(), m.name());
            }
            return 0;
        }
    }

    @Command(
            name = "unbind",
            mixinStandardHelpOptions = true,
            description = {
                "Kill a mover's binding.",
                "Its running requests go back to the queue and it gives up its volume."
            },
            footer = {"", "Examples:", "  silo mover unbind drive-3"})
    static final class Unbind implements Callable<Integer> {
        @Mixin
        ClientMixin client;

        @Parameters(paramLabel = "MOVER", description = "The mover's id or name.")
        String mover;

        @Override
        public Integer call() throws Exception {
            try (SiloClient c = client.connect()) {
                MoverInfo m = c.call(LibraryOps.KILL_BINDING, mover);
                System.out.printf("mover %s released its binding%n", m.name());
            }
            return 0;
        }
    }

    @Command(
            name = "mounts",
            mixinStandardHelpOptions = true,
            description = {
                "List the mounts movers are waiting for an operator to do.",
                "Only libraries with the manual changer have any."
            },
            footer = {"", "Examples:", "  silo mover mounts", "  silo mover mounts --json"})
    static final class Mounts implements Callable<Integer> {
        @Mixin
        ClientMixin client;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            try (SiloClient c = client.connect()) {
                List<MountRequest> mounts = c.call(LibraryOps.MOUNT_LS, null).mounts();
                if (json) {
                    Json.print(mounts);
                    return 0;
                }
                Table t = new Table("VOLUME", "DRIVE", "MOVER", "JOB", "STATE", "WAITING", "ANSWER").rightAlign(3);
                long now = System.currentTimeMillis();
                for (MountRequest m : mounts) {
                    t.row(
                            m.volume(),
                            m.drive(),
                            m.mover(),
                            m.job(),
                            m.state(),
                            (now - m.sinceMs()) / 1000 + " s",
                            m.reason() == null ? "-" : m.reason() + " (" + m.by() + ")");
                }
                t.print();
            }
            return 0;
        }
    }

    @Command(
            name = "confirm",
            mixinStandardHelpOptions = true,
            description = {
                "Tell the mover waiting for a volume that it is in the drive.",
                "For libraries with the manual changer; the mover goes on."
            },
            footer = {"", "Examples:", "  silo mover confirm VOL0042", "  silo mover confirm drive-3"})
    static final class Confirm implements Callable<Integer> {
        @Mixin
        ClientMixin client;

        @Parameters(
                paramLabel = "VOLUME",
                description = "The volume mounted (or the name of the mover waiting for it).")
        String volume;

        @Override
        public Integer call() throws Exception {
            try (SiloClient c = client.connect()) {
                MountRequest m = c.call(LibraryOps.MOUNT_REPLY, new MountReply(volume, true, null));
                System.out.printf(
                        "%s confirmed in drive %s; mover %s goes on with job %d%n",
                        m.volume(), m.drive(), m.mover(), m.job());
            }
            return 0;
        }
    }

    @Command(
            name = "refuse",
            mixinStandardHelpOptions = true,
            description = {
                "Refuse a mount (manual changer).",
                "The waiting job fails with the reason, and its client may retry elsewhere."
            },
            footer = {"", "Examples:", "  silo mover refuse VOL0042 --reason 'cartridge cracked'"})
    static final class Refuse implements Callable<Integer> {
        @Mixin
        ClientMixin client;

        @Parameters(paramLabel = "VOLUME", description = "The volume (or the name of the mover waiting for it).")
        String volume;

        @Option(names = "--reason", paramLabel = "TEXT", description = "Why; the job's error says it.")
        String reason;

        @Override
        public Integer call() throws Exception {
            try (SiloClient c = client.connect()) {
                MountRequest m = c.call(LibraryOps.MOUNT_REPLY, new MountReply(volume, false, reason));
                System.out.printf("mount of %s refused; job %d fails: %s%n", m.volume(), m.job(), m.reason());
            }
            return 0;
        }
    }

    @Command(
            name = "run",
            mixinStandardHelpOptions = true,
            description = {
                "Run a mover in this process for a server elsewhere.",
                "It must reach the volumes itself (dir volumes by the same absolute paths, S3 volumes by their URLs),"
                        + " and it connects to the clients' addresses, so they must be reachable from this host.",
                "It logs in with the login 'silo login --server SERVER' saved for its --server, if any: a server on a"
                        + " network grants anonymous sessions read only, and a mover needs write on archive:mover:"
                        + " and on the volumes it writes."
            },
            footer = {
                "",
                "Examples:",
                "  silo login movers --server archive1:7400",
                "  silo mover run --server archive1:7400",
                "  silo mover run --server archive1:7400,archive2:7400",
                "  silo mover run --server archive1:7400 --home /var/lib/silo-mover \\",
                "      --library lib1 --name drive-7 --rate 200M"
            })
    static final class Run implements Callable<Integer> {
        @Option(
                names = "--server",
                required = true,
                paramLabel = "HOST:PORT[,HOST:PORT...]",
                converter = ClientMixin.ServerList.class,
                description = "The server whose library manager it serves; or several of one catalog, tried in"
                        + " order: when one stops answering, the mover registers with the next.")
        String server;

        @Option(
                names = "--home",
                paramLabel = "DIR",
                defaultValue = "silo-mover",
                description = "Where it keeps its id (default: ${DEFAULT-VALUE}).")
        Path home;

        @Option(
                names = "--library",
                paramLabel = "L",
                defaultValue = "default",
                description = "The library it serves (default: ${DEFAULT-VALUE}).")
        String library;

        @Option(
                names = "--name",
                paramLabel = "NAME",
                description = "The name it proposes the first time (an administrator's name wins).")
        String name;

        @Option(
                names = "--rate",
                paramLabel = "SIZE",
                defaultValue = "0",
                description =
                        "The most bytes per second it moves (100M; 0, the default: no limit), to leave a shared disk or link some room.")
        String rate;

        @Override
        public Integer call() throws Exception {
            // the login saved by 'silo login --server SERVER' for these servers, if any (else anonymous)
            RemoteMover.Login login = Logins.forServer(server)
                    .map(s -> new RemoteMover.Login(s.list(), s.keys()))
                    .orElse(null);
            Mover m = RemoteMover.start(server, home, library, name, SizeOption.parse("--rate", rate), login);
            System.out.printf(
                    "mover %s serving library %s for %s%s (Ctrl-C stops it after the transfer under way)%n",
                    m.id(), library, server, login == null ? ", anonymous" : " as " + login.list());
            Runtime.getRuntime().addShutdownHook(new Thread(m::close));
            SiloException refused = m.awaitEnd();
            if (refused == null) {
                return 0;
            }
            // refused outright (no right to a mover's work): end with the reason rather than run on idle
            String hint = login == null
                    ? "; it ran anonymous: save a login for it with 'silo login LIST --server " + server
                            + "' on this host, LIST an access list granting archive:mover::write"
                    : "; the access list " + login.list() + " needs archive:mover::write";
            throw SiloException.of(
                    ErrorCode.PERMISSION, "mover refused by " + server + ": " + refused.getMessage() + hint);
        }
    }
}

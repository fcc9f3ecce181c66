package org.silo.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import org.silo.archive.ops.FileClerkOps;
import org.silo.archive.ops.FileMessages.NsEntry;
import org.silo.archive.transfer.LibraryClient;
import org.silo.archive.transfer.TransferClient;
import org.silo.archive.transfer.TransferClient.Target;
import org.silo.server.config.Durations;
import org.silo.wire.NotFoundException;
import org.silo.wire.SiloException;
import org.silo.wire.client.SiloClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** put and get: files to and from the archive through the movers. Register each nested class as a top-level command. */
final class TransferCommands {
    private TransferCommands() {}

    /** The options put and get share: how the transfer runs. */
    static final class TransferOptions {
        @Option(
                names = "--priority",
                paramLabel = "N",
                defaultValue = "0",
                description = "Base priority in the queue; it grows while the request waits (default: 0).")
        int priority;

        @Option(
                names = "--max-retry",
                paramLabel = "N",
                defaultValue = "3",
                description =
                        "Retries of a failed file, each on another mover if one is free (default: ${DEFAULT-VALUE}).")
        int maxRetry;

        @Option(
                names = "--parallel",
                paramLabel = "N",
                defaultValue = "4",
                description = "Files moved at once (default: ${DEFAULT-VALUE}).")
        int parallel;

        @Option(
                names = "--wait",
                paramLabel = "DURATION",
                defaultValue = "24h",
                description = "How long a file may wait in the queue for a mover (default: ${DEFAULT-VALUE}).")
        String waitFor;

        @Option(
                names = "--callback-host",
                paramLabel = "HOST",
                description = "The address movers connect to (default: this host's address toward the server).")
        String callbackHost;

        @Option(
                names = "--json",
                description = "Print JSON: one record per file, on a line of its own as the file finishes.")
        boolean json;

        @Option(names = "--no-progress", description = "No progress bar, even on a terminal.")
        boolean noProgress;

        @Mixin
        SizeOption sizes;

        /** The server may be away (restarting) for as long as --timeout before the files in flight fail. */
        TransferClient.Options options(ClientMixin client, boolean verify, String library, String sg, String ff) {
            String host = callbackHost != null
                    ? callbackHost
                    : addressToward(client.options().server());
            return new TransferClient.Options(
                            library,
                            sg,
                            ff,
                            priority,
                            verify,
                            maxRetry,
                            parallel,
                            host,
                            Durations.parse(waitFor),
                            System.getProperty("user.name"))
                    .withServerTimeout(client.options().deadline());
        }
    }

    /** This host's address on the route to the server (no packet is sent), or null for loopback. */
    static String addressToward(java.net.InetSocketAddress server) {
        try (java.net.DatagramSocket ds = new java.net.DatagramSocket()) {
            ds.connect(server);
            java.net.InetAddress a = ds.getLocalAddress();
            return a == null || a.isAnyLocalAddress() || a.isLoopbackAddress() ? null : a.getHostAddress();
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }

    /** What a file waits for, or why it is sent again, while the transfer runs: a line on standard error, at once. */
    static void note(String note) {
        System.err.println("silo: " + note);
        System.err.flush();
    }

    /** A progress bar on standard error while the transfer runs, if that is a terminal. */
    static Thread progressBar(TransferClient t, boolean enabled) {
        if (!enabled || !Main.stderrIsTerminal()) {
            return null;
        }
        long t0 = System.nanoTime();
        return Thread.ofVirtual().start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                long[] p = t.progress();
                double s = (System.nanoTime() - t0) / 1e9;
                int pct = p[1] == 0 ? 0 : (int) (100 * p[0] / p[1]);
                String bars = "#".repeat(pct / 4) + " ".repeat(25 - pct / 4);
                System.err.printf(
                        "\r[%s] %3d%% %s of %s, %.1f MB/s ",
                        bars,
                        pct,
                        org.silo.wire.Sizes.format(p[0]),
                        org.silo.wire.Sizes.format(p[1]),
                        s <= 0 ? 0 : p[0] / 1e6 / s);
                try {
                    Thread.sleep(250);
                } catch (InterruptedException e) {
                    break;
                }
            }
            System.err.print("\r" + " ".repeat(78) + "\r");
        });
    }

    static void stop(Thread bar) throws InterruptedException {
        if (bar != null) {
            bar.interrupt();
            bar.join(1000);
        }
    }

    /**
     * While the transfer runs, Ctrl-C (SIGINT) or SIGTERM ends the session before the process exits: the
     * server then cancels what this command still has queued or running, recorded as "cancelled by the
     * client" (docs/archive.md), instead of a mover finding the client gone. Waits up to the call timeout
     * for the server's answer.
     */
    static Thread cancelOnExit(SiloClient c, ClientMixin client) {
        Duration wait = client.options().deadline();
        Thread hook = new Thread(
                () -> {
                    System.err.println(
                            "silo: stopped; the server cancels this command's transfers still queued or running");
                    c.close(wait);
                },
                "silo-stopped");
        Runtime.getRuntime().addShutdownHook(hook);
        return hook;
    }

    static void disarm(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs already
        }
    }

    /** A single word is a source without its destination: a usage mistake (Usage.mistake), not a failure. */
    static void needDestination(CommandSpec spec, List<String> args, String what) {
        if (args.size() < 2) {
            throw new ParameterException(spec.commandLine(), "missing DEST: " + what);
        }
    }

    static String join(String dir, String name) {
        return dir.endsWith("/") ? dir + name : dir + "/" + name;
    }

    static boolean isArchiveDir(SiloClient c, String path) throws SiloException {
        try {
            return c.call(FileClerkOps.STAT, path).kind().equals("dir");
        } catch (NotFoundException e) {
            return false;
        }
    }

    @Command(
            name = "put",
            mixinStandardHelpOptions = true,
            description = {
                "Write local files into the archive.",
                "Each file is queued with the library manager; a mover connects to this client, receives the bytes with"
                        + " their Adler-32 (computed here while reading), writes and fsyncs them on a volume, and only then"
                        + " records the file. Named as cp names them: put -r DIR /x/ makes /x/DIR.",
                "Each file's line is printed as soon as it is stored. A server that restarts meanwhile is waited for (up"
                        + " to --timeout) and the put carries on. Ctrl-C cancels what is still queued or running (recorded as"
                        + " cancelled by the client)."
            },
            footer = {
                "",
                "Examples:",
                "  silo put notes.txt /exp/notes.txt",
                "  silo put a.dat b.dat /exp/run1/",
                "  silo put -r run1 /exp/                   makes /exp/run1/...",
                "  silo put -r run1 /exp/ --skip-existing   again after a run that partly failed:",
                "                                           only what is missing",
                "  silo put big.dat /exp/ --library lib1 --storage-group cms --file-family raw \\",
                "      --verify --priority 10",
                "  silo put precious.dat /exp/ --copies 2 --hash sha256"
            })
    static final class Put implements Callable<Integer> {
        @Mixin
        ClientMixin client;

        @Mixin
        TransferOptions transfer;

        @Spec
        CommandSpec spec;

        // one list, as picocli cannot give DEST the last word after a variable number of SRC; call() checks there are
        // two
        @Parameters(
                arity = "1..*",
                paramLabel = "SRC... DEST",
                hideParamSyntax = true,
                description = "Local files (directories with -r), then the archive path.")
        List<String> args;

        @Option(
                names = {"-r", "--recursive"},
                description = "Copy directories and what they hold.")
        boolean recursive;

        @Option(names = "--library", paramLabel = "L", description = "Library (default: default).")
        String library;

        @Option(names = "--storage-group", paramLabel = "G", description = "Storage group (default: none).")
        String storageGroup;

        @Option(names = "--file-family", paramLabel = "F", description = "File family (default: default).")
        String fileFamily;

        @Option(
                names = "--verify",
                description =
                        "The mover reads each file back from the volume and checks its Adler-32 before it counts.")
        boolean verify;

        @Option(
                names = "--copies",
                paramLabel = "N",
                defaultValue = "1",
                description = "N copies of each file on different volumes (default: 1). The put writes the first;"
                        + " movers copy it volume to volume, checked by Adler-32 and read back, and the put waits for them."
                        + " A get reads a copy when the original's volume cannot be read.")
        int copies;

        @Option(
                names = "--hash",
                paramLabel = "md5|sha256",
                description =
                        "Also compute a content hash (here and at the mover) and keep it beside the Adler-32; the file can then be named by it.")
        String hash;

        @Option(
                names = "--skip-existing",
                description =
                        "Skip a file whose archive path holds a file of the same size and Adler-32 (said on a 'skipped' line);"
                                + " one that differs is still an error, naming the difference. Lets a put that partly failed be run again as it was.")
        boolean skipExisting;

        @Override
        public Integer call() throws Exception {
            needDestination(
                    spec,
                    args,
                    "the archive path to write to, after the local files (e.g. silo put " + args.get(0) + " /exp/)");
            String dest = args.get(args.size() - 1);
            List<Path> sources =
                    args.subList(0, args.size() - 1).stream().map(Path::of).toList();
            try (SiloClient c = client.connect()) {
                boolean destIsDir = dest.endsWith("/") || isArchiveDir(c, dest);
                if (sources.size() > 1 && !destIsDir) {
                    throw new IllegalArgumentException(
                            "copying several files needs DEST to be an archive directory: " + dest);
                }
                String base = dest.endsWith("/") && dest.length() > 1 ? dest.substring(0, dest.length() - 1) : dest;
                List<Trees.PutRoot> roots = new ArrayList<>();
                for (Path src : sources) {
                    if (!Files.exists(src)) {
                        throw new IllegalArgumentException("no such file: " + src);
                    }
                    if (Files.isDirectory(src) && !recursive) {
                        throw new IllegalArgumentException(src + " is a directory (use -r)");
                    }
                    String name = src.toAbsolutePath().normalize().getFileName().toString();
                    roots.add(new Trees.PutRoot(src, destIsDir ? join(base, name) : base));
                }
                TransferReport report =
                        new TransferReport(transfer.json, copies > 1 || hash != null, true, transfer.sizes);
                Thread hook = cancelOnExit(c, client);
                try (TransferClient t = new TransferClient(
                        LibraryClient.over(c),
                        transfer.options(client, verify, library, storageGroup, fileFamily)
                                .withCopies(copies)
                                .withHash(hash)
                                .withSkipExisting(skipExisting))) {
                    t.onNote(TransferCommands::note);
                    Thread bar = progressBar(t, !transfer.noProgress && !transfer.json);
                    // the tree is walked as batches are made, never listed whole (Trees)
                    t.putAll(Trees.local(c, roots, System.getProperty("user.name")), (r, at) -> report.accept(r));
                    stop(bar);
                } catch (RuntimeException e) {
                    throw Trees.cause(e);
                } finally {
                    disarm(hook);
                }
                return report.finish(!skipExisting);
            }
        }
    }

    @Command(
            name = "get",
            mixinStandardHelpOptions = true,
            description = {
                "Read archive files back through the movers.",
                "Each file is checked against its Adler-32 at the mover and here, written next to DEST, fsynced and then"
                        + " renamed into place. A destination that cannot be made (its directory missing, say) fails at once,"
                        + " as cp's does, and nothing is queued for it.",
                "Each file's line is printed as soon as it is in place; a server restart is waited for (up to"
                        + " --timeout).",
                "A file whose bytes its volume has lost (missing, cut short, a bad checksum) is read from another copy"
                        + " (put --copies), said on standard error; with no copy left it fails at once, saying what is wrong."
            },
            footer = {
                "",
                "Examples:",
                "  silo get /exp/notes.txt notes.txt",
                "  silo get /exp/a.dat /exp/b.dat ./in/",
                "  silo get -r /exp/run1 .       makes ./run1/...",
                "  silo get /exp/notes.txt -     to standard output"
            })
    static final class Get implements Callable<Integer> {
        @Mixin
        ClientMixin client;

        @Mixin
        TransferOptions transfer;

        @Spec
        CommandSpec spec;

        @Parameters(
                arity = "1..*",
                paramLabel = "SRC... DEST",
                hideParamSyntax = true,
                description = "Archive files (directories with -r), then the local file or directory to write, or - for"
                        + " standard output.")
        List<String> args;

        @Option(
                names = {"-r", "--recursive"},
                description = "Copy directories and what they hold.")
        boolean recursive;

        @Override
        public Integer call() throws Exception {
            needDestination(
                    spec,
                    args,
                    "a local file or directory after the archive files, or - for standard output" + " (e.g. silo get "
                            + args.get(0) + " .)");
            String dest = args.get(args.size() - 1);
            List<String> sources = args.subList(0, args.size() - 1);
            boolean stdout = dest.equals("-");
            if (stdout && sources.size() != 1) {
                throw new IllegalArgumentException("- (standard output) takes one file");
            }
            Path out = stdout ? Files.createTempFile("silo-get", ".tmp") : Path.of(dest);
            boolean destIsDir = !stdout && Files.isDirectory(out);
            if (sources.size() > 1 && !destIsDir) {
                throw new IllegalArgumentException(
                        "copying several files needs DEST to be an existing directory: " + dest);
            }
            TransferReport report = new TransferReport(transfer.json, false, !stdout, transfer.sizes);
            boolean[] gotIt = new boolean[1];
            try (SiloClient c = client.connect()) {
                List<Iterator<Target>> parts = new ArrayList<>();
                for (String src : sources) {
                    NsEntry e;
                    try {
                        e = c.call(FileClerkOps.STAT, src);
                    } catch (NotFoundException ex) {
                        report.accept(
                                new TransferClient.Result(src, dest, 0, null, null, null, 0, 0, null, ex.getMessage()));
                        continue;
                    }
                    Path target = destIsDir ? out.resolve(e.name().isEmpty() ? "root" : e.name()) : out;
                    if (e.kind().equals("dir")) {
                        if (!recursive) {
                            throw new IllegalArgumentException(src + " is a directory (use -r)");
                        }
                        parts.add(Trees.archive(c, e.path(), target)); // listed a page at a time as batches are made
                    } else {
                        parts.add(List.of(new Target(e.path(), target)).iterator());
                    }
                }
                Thread hook = cancelOnExit(c, client);
                try (TransferClient t =
                        new TransferClient(LibraryClient.over(c), transfer.options(client, false, null, null, null))) {
                    t.onNote(TransferCommands::note);
                    Thread bar = progressBar(t, !stdout && !transfer.noProgress && !transfer.json);
                    t.getAll(Trees.concat(parts), (r, at) -> {
                        gotIt[0] = r.ok();
                        report.accept(r);
                    });
                    stop(bar);
                } catch (RuntimeException e) {
                    throw Trees.cause(e);
                } finally {
                    disarm(hook);
                }
                if (stdout) {
                    try {
                        if (gotIt[0]) {
                            Files.copy(out, System.out);
                            System.out.flush();
                        }
                    } finally {
                        Files.deleteIfExists(out);
                    }
                }
                return report.finish(false);
            }
        }
    }
}

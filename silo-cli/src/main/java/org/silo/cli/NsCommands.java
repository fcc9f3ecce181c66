package org.silo.cli;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import org.silo.archive.ops.FileClerkOps;
import org.silo.archive.ops.FileMessages.Mkdir;
import org.silo.archive.ops.FileMessages.Mv;
import org.silo.archive.ops.FileMessages.NsEntry;
import org.silo.archive.ops.FileMessages.Rm;
import org.silo.archive.transfer.LibraryClient;
import org.silo.archive.transfer.TransferClient;
import org.silo.wire.client.SiloClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The archive namespace commands: ls, stat, mkdir, mv, rm, put, get. Register each nested class as a top-level command. */
final class NsCommands {
    private NsCommands() {}

    static void table(List<NsEntry> entries) {
        Table t = new Table("KIND", "SIZE", "OWNER", "MODIFIED", "BFID", "VOLUME", "NAME").rightAlign(1);
        for (NsEntry e : entries) {
            t.row(e.kind(), e.kind().equals("dir") ? "-" : e.size(), e.owner(), Instant.ofEpochMilli(e.modifiedMs()),
                    e.bfid() == null ? "-" : e.bfid(), e.volume() == null ? "-" : e.volume(), e.name());
        }
        t.print();
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = "List an archive directory.",
            footer = {"", "Examples:", "  silo ls /", "  silo ls /exp/run1 --json"})
    static final class Ls implements Callable<Integer> {
        @Mixin
        ClientMixin client;

        @Parameters(paramLabel = "PATH", defaultValue = "/")
        String path;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            try (SiloClient c = client.connect()) {
                List<NsEntry> entries = c.call(FileClerkOps.LS, path).entries();
                if (json) {
                    Json.print(entries);
                } else {
                    table(entries);
                }
            }
            return 0;
        }
    }

    @Command(name = "stat", mixinStandardHelpOptions = true, description = "Show an archive file or directory.",
            footer = {"", "Examples:", "  silo stat /exp/run1/a.dat", "  silo stat /exp --json"})
    static final class Stat implements Callable<Integer> {
        @Mixin
        ClientMixin client;

        @Parameters(paramLabel = "PATH")
        String path;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            try (SiloClient c = client.connect()) {
                NsEntry e = c.call(FileClerkOps.STAT, path);
                if (json) {
                    Json.print(e);
                    return 0;
                }
                Table t = new Table("field", "value");
                t.row("path", e.path()).row("kind", e.kind()).row("owner", e.owner())
                        .row("created", Instant.ofEpochMilli(e.createdMs())).row("modified", Instant.ofEpochMilli(e.modifiedMs()));
                if (e.bfid() != null) {
                    t.row("bfid", e.bfid()).row("size", e.size()).row("adler32", e.adler32()).row("volume", e.volume());
                }
                t.print();
            }
            return 0;
        }
    }

    @Command(name = "mkdir", mixinStandardHelpOptions = true, description = "Make an archive directory.",
            footer = {"", "Examples:", "  silo mkdir /exp", "  silo mkdir -p /exp/run1/raw"})
    static final class MkdirCmd implements Callable<Integer> {
        @Mixin
        ClientMixin client;

        @Parameters(paramLabel = "PATH")
        String path;

        @Option(names = {"-p", "--parents"}, description = "Make missing parents; no error if it exists.")
        boolean parents;

        @Override
        public Integer call() throws Exception {
            try (SiloClient c = client.connect()) {
                c.call(FileClerkOps.MKDIR, new Mkdir(path, parents, System.getProperty("user.name")));
            }
            return 0;
        }
    }

    @Command(name = "mv", mixinStandardHelpOptions = true, description = "Move or rename an archive file or directory.",
            footer = {"", "Examples:", "  silo mv /exp/a.dat /exp/b.dat", "  silo mv /exp/run1 /old/run1"})
    static final class MvCmd implements Callable<Integer> {
        @Mixin
        ClientMixin client;

        @Parameters(index = "0", paramLabel = "FROM")
        String from;

        @Parameters(index = "1", paramLabel = "TO", description = "Must not exist yet.")
        String to;

        @Override
        public Integer call() throws Exception {
            try (SiloClient c = client.connect()) {
                c.call(FileClerkOps.MV, new Mv(from, to));
            }
            return 0;
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true,
            description = "Remove an archive file (its record is kept, marked deleted) or an empty directory.",
            footer = {"", "Examples:", "  silo rm /exp/a.dat", "  silo rm /exp/empty-dir"})
    static final class RmCmd implements Callable<Integer> {
        @Mixin
        ClientMixin client;

        @Parameters(paramLabel = "PATH")
        String path;

        @Override
        public Integer call() throws Exception {
            try (SiloClient c = client.connect()) {
                NsEntry e = c.call(FileClerkOps.RM, new Rm(path, System.getProperty("user.name")));
                if (e.bfid() != null) {
                    System.out.printf("removed %s (bit file %s kept, marked deleted)%n", e.path(), e.bfid());
                }
            }
            return 0;
        }
    }

    /** The options put and get share: how the transfer runs. */
    static final class TransferOptions {
        @Option(names = "--priority", paramLabel = "N", defaultValue = "0",
                description = "Base priority in the library manager's queue; it grows while the request waits (default: 0).")
        int priority;

        @Option(names = "--max-retry", paramLabel = "N", defaultValue = "3",
                description = "Retries of a failed file, each on another mover if one is free (default: ${DEFAULT-VALUE}).")
        int maxRetry;

        @Option(names = "--parallel", paramLabel = "N", defaultValue = "4", description = "Files moved at once (default: ${DEFAULT-VALUE}).")
        int parallel;

        @Option(names = "--wait", paramLabel = "DURATION", defaultValue = "24h",
                description = "How long a file may wait in the queue for a mover (default: ${DEFAULT-VALUE}).")
        String waitFor;

        @Option(names = "--callback-host", paramLabel = "HOST",
                description = "The address movers connect to (default: this host's address toward the server).")
        String callbackHost;

        @Option(names = "--json", description = "Print JSON: one record per file.")
        boolean json;

        @Option(names = "--no-progress", description = "No progress bar, even on a terminal.")
        boolean noProgress;

        TransferClient.Options options(ClientMixin client, boolean verify, String library, String sg, String ff) {
            String host = callbackHost != null ? callbackHost : addressToward(client.options().server());
            return new TransferClient.Options(library, sg, ff, priority, verify, maxRetry, parallel, host,
                    org.silo.server.config.Sizes.parseDuration(waitFor), System.getProperty("user.name"));
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

    /** Prints the outcome of each file and returns the exit status: 0 if every file worked, 1 naming those that did not. */
    static int report(List<TransferClient.Result> results, boolean json) throws java.io.IOException {
        if (json) {
            Json.print(results);
        } else {
            boolean extra = results.stream().anyMatch(r -> r.hash() != null || !r.copies().isEmpty());
            Table t = extra ? new Table("PATH", "SIZE", "VOLUME", "BFID", "ADLER32", "MB/S", "MOVER", "COPIES", "HASH").rightAlign(1, 5)
                    : new Table("PATH", "SIZE", "VOLUME", "BFID", "ADLER32", "MB/S", "MOVER").rightAlign(1, 5);
            for (TransferClient.Result r : results) {
                if (r.ok() && extra) {
                    t.row(r.source() + " -> " + r.dest(), r.size(), r.volume(), r.bfid(), r.adler32(), String.format("%.1f", r.mbPerSecond()),
                            r.mover(), r.copies().isEmpty() ? "-" : String.join(",", r.copies()), r.hash() == null ? "-" : r.hash());
                } else if (r.ok()) {
                    t.row(r.source() + " -> " + r.dest(), r.size(), r.volume(), r.bfid(), r.adler32(), String.format("%.1f", r.mbPerSecond()),
                            r.mover());
                }
            }
            if (results.stream().anyMatch(TransferClient.Result::ok)) {
                t.print();
            }
        }
        int failed = 0;
        for (TransferClient.Result r : results) {
            if (!r.ok()) {
                String tries = r.attempts() == 0 ? "" : " after " + r.attempts() + " attempt" + (r.attempts() == 1 ? "" : "s");
                System.err.printf("silo: %s -> %s failed%s: %s%n", r.source(), r.dest(), tries, r.error());
                failed++;
            }
        }
        if (failed > 0) {
            System.err.printf("silo: %d of %d files failed%n", failed, results.size());
            return Failures.FAILED;
        }
        return 0;
    }

    /** What a file waits for, or why it is sent again, while the transfer runs: a line on standard error, at once. */
    static void note(String note) {
        System.err.println("silo: " + note);
        System.err.flush();
    }

    /** A progress bar on standard error while the transfer runs, if that is a terminal. */
    static Thread progressBar(TransferClient t, boolean enabled) {
        if (!enabled || System.console() == null) {
            return null;
        }
        long t0 = System.nanoTime();
        Thread bar = Thread.ofVirtual().start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                long[] p = t.progress();
                double s = (System.nanoTime() - t0) / 1e9;
                int pct = p[1] == 0 ? 0 : (int) (100 * p[0] / p[1]);
                String bars = "#".repeat(pct / 4) + " ".repeat(25 - pct / 4);
                System.err.printf("\r[%s] %3d%% %s of %s, %.1f MB/s ", bars, pct, org.silo.archive.volume.Sizes.format(p[0]),
                        org.silo.archive.volume.Sizes.format(p[1]), s <= 0 ? 0 : p[0] / 1e6 / s);
                try {
                    Thread.sleep(250);
                } catch (InterruptedException e) {
                    break;
                }
            }
            System.err.print("\r" + " ".repeat(78) + "\r");
        });
        return bar;
    }

    static void stop(Thread bar) throws InterruptedException {
        if (bar != null) {
            bar.interrupt();
            bar.join(1000);
        }
    }

    @Command(name = "put", mixinStandardHelpOptions = true,
            description = {"Write local files into the archive. Each file is queued with the library manager; a mover",
                "connects to this client, receives the bytes with their Adler-32 (computed here while reading), writes",
                "and fsyncs them on a volume, and only then records the file. Named as cp names them:",
                "put -r DIR /x/ makes /x/DIR."},
            footer = {"", "Examples:", "  silo put notes.txt /exp/notes.txt",
                "  silo put a.dat b.dat /exp/run1/",
                "  silo put -r run1 /exp/          (makes /exp/run1/...)",
                "  silo put big.dat /exp/ --library lib1 --storage-group cms --file-family raw --verify --priority 10",
                "  silo put precious.dat /exp/ --copies 2 --hash sha256"})
    static final class Put implements Callable<Integer> {
        @Mixin
        ClientMixin client;

        @Mixin
        TransferOptions transfer;

        @Parameters(arity = "2..*", paramLabel = "SRC... DEST", description = "Local files (directories with -r), then the archive path.")
        List<String> args;

        @Option(names = {"-r", "--recursive"}, description = "Copy directories and what they hold.")
        boolean recursive;

        @Option(names = "--library", paramLabel = "L", description = "Library (default: default).")
        String library;

        @Option(names = "--storage-group", paramLabel = "G", description = "Storage group (default: none).")
        String storageGroup;

        @Option(names = "--file-family", paramLabel = "F", description = "File family (default: default).")
        String fileFamily;

        @Option(names = "--verify", description = "The mover reads each file back from the volume and checks its Adler-32 before it counts.")
        boolean verify;

        @Option(names = "--copies", paramLabel = "N", defaultValue = "1",
                description = {"N copies of each file on different volumes (default: 1). The put writes the first; movers copy it",
                    "volume to volume, checked by Adler-32 and read back, and the put waits for them. Gets use a copy",
                    "when the original's volume cannot be read."})
        int copies;

        @Option(names = "--hash", paramLabel = "md5|sha256",
                description = "Also compute a content hash (here and at the mover) and keep it beside the Adler-32; the file can then be named by it.")
        String hash;

        @Override
        public Integer call() throws Exception {
            String dest = args.get(args.size() - 1);
            List<java.nio.file.Path> sources = args.subList(0, args.size() - 1).stream().map(java.nio.file.Path::of).toList();
            List<java.nio.file.Path> files = new java.util.ArrayList<>();
            List<String> paths = new java.util.ArrayList<>();
            try (SiloClient c = client.connect()) {
                boolean destIsDir = dest.endsWith("/") || isArchiveDir(c, dest);
                if (sources.size() > 1 && !destIsDir) {
                    throw new IllegalArgumentException("copying several files needs DEST to be an archive directory: " + dest);
                }
                String base = dest.endsWith("/") && dest.length() > 1 ? dest.substring(0, dest.length() - 1) : dest;
                for (java.nio.file.Path src : sources) {
                    if (!java.nio.file.Files.exists(src)) {
                        throw new IllegalArgumentException("no such file: " + src);
                    }
                    String name = src.toAbsolutePath().normalize().getFileName().toString();
                    String target = destIsDir ? join(base, name) : base;
                    if (java.nio.file.Files.isDirectory(src)) {
                        if (!recursive) {
                            throw new IllegalArgumentException(src + " is a directory (use -r)");
                        }
                        try (var walk = java.nio.file.Files.walk(src)) {
                            for (java.nio.file.Path p : (Iterable<java.nio.file.Path>) walk.sorted()::iterator) {
                                String rel = src.relativize(p).toString().replace(java.io.File.separatorChar, '/');
                                String at = rel.isEmpty() ? target : join(target, rel);
                                if (java.nio.file.Files.isDirectory(p)) {
                                    c.call(FileClerkOps.MKDIR, new Mkdir(at, true, System.getProperty("user.name")));
                                } else if (java.nio.file.Files.isRegularFile(p)) {
                                    files.add(p);
                                    paths.add(at);
                                }
                            }
                        }
                    } else {
                        files.add(src);
                        paths.add(target);
                    }
                }
                List<TransferClient.Result> results;
                try (TransferClient t = new TransferClient(LibraryClient.over(c),
                        transfer.options(client, verify, library, storageGroup, fileFamily).withCopies(copies).withHash(hash))) {
                    t.onNote(NsCommands::note);
                    Thread bar = progressBar(t, !transfer.noProgress && !transfer.json);
                    results = t.put(files, paths);
                    stop(bar);
                }
                return report(results, transfer.json);
            }
        }
    }

    static String join(String dir, String name) {
        return dir.endsWith("/") ? dir + name : dir + "/" + name;
    }

    static boolean isArchiveDir(SiloClient c, String path) throws org.silo.wire.SiloException {
        try {
            return c.call(FileClerkOps.STAT, path).kind().equals("dir");
        } catch (org.silo.wire.SiloException e) {
            if (e.code() == org.silo.wire.ErrorCode.NOT_FOUND) {
                return false;
            }
            throw e;
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true,
            description = {"Read archive files back through the movers, each checked against its Adler-32 at the mover and",
                "here, written next to DEST, fsynced and then renamed into place."},
            footer = {"", "Examples:", "  silo get /exp/notes.txt notes.txt", "  silo get /exp/a.dat /exp/b.dat ./in/",
                "  silo get -r /exp/run1 .          (makes ./run1/...)", "  silo get /exp/notes.txt -     (to standard output)"})
    static final class Get implements Callable<Integer> {
        @Mixin
        ClientMixin client;

        @Mixin
        TransferOptions transfer;

        @Parameters(arity = "2..*", paramLabel = "SRC... DEST",
                description = "Archive files (directories with -r), then a local file or directory, or - for standard output.")
        List<String> args;

        @Option(names = {"-r", "--recursive"}, description = "Copy directories and what they hold.")
        boolean recursive;

        @Override
        public Integer call() throws Exception {
            String dest = args.get(args.size() - 1);
            List<String> sources = args.subList(0, args.size() - 1);
            boolean stdout = dest.equals("-");
            if (stdout && sources.size() != 1) {
                throw new IllegalArgumentException("- (standard output) takes one file");
            }
            java.nio.file.Path out = stdout ? java.nio.file.Files.createTempFile("silo-get", ".tmp") : java.nio.file.Path.of(dest);
            boolean destIsDir = !stdout && java.nio.file.Files.isDirectory(out);
            if (sources.size() > 1 && !destIsDir) {
                throw new IllegalArgumentException("copying several files needs DEST to be an existing directory: " + dest);
            }
            List<String> paths = new java.util.ArrayList<>();
            List<java.nio.file.Path> files = new java.util.ArrayList<>();
            List<TransferClient.Result> missing = new java.util.ArrayList<>();
            try (SiloClient c = client.connect()) {
                for (String src : sources) {
                    NsEntry e;
                    try {
                        e = c.call(FileClerkOps.STAT, src);
                    } catch (org.silo.wire.SiloException ex) {
                        if (ex.code() != org.silo.wire.ErrorCode.NOT_FOUND) {
                            throw ex;
                        }
                        missing.add(new TransferClient.Result(src, dest, 0, null, null, null, 0, 0, null, ex.getMessage()));
                        continue;
                    }
                    java.nio.file.Path target = destIsDir ? out.resolve(e.name().isEmpty() ? "root" : e.name()) : out;
                    if (e.kind().equals("dir")) {
                        if (!recursive) {
                            throw new IllegalArgumentException(src + " is a directory (use -r)");
                        }
                        collect(c, e.path(), target, paths, files);
                    } else {
                        paths.add(e.path());
                        files.add(target);
                    }
                }
                List<TransferClient.Result> results;
                try (TransferClient t = new TransferClient(LibraryClient.over(c), transfer.options(client, false, null, null, null))) {
                    t.onNote(NsCommands::note);
                    Thread bar = progressBar(t, !stdout && !transfer.noProgress && !transfer.json);
                    results = new java.util.ArrayList<>(t.get(paths, files));
                    stop(bar);
                }
                results.addAll(missing);
                if (stdout) {
                    try {
                        if (!results.isEmpty() && results.get(0).ok()) {
                            java.nio.file.Files.copy(out, System.out);
                            System.out.flush();
                        }
                    } finally {
                        java.nio.file.Files.deleteIfExists(out);
                    }
                    return report(results.stream().filter(r -> !r.ok()).toList(), transfer.json);
                }
                return report(results, transfer.json);
            }
        }

        private static void collect(SiloClient c, String dir, java.nio.file.Path local, List<String> paths, List<java.nio.file.Path> files)
                throws Exception {
            java.nio.file.Files.createDirectories(local);
            for (NsEntry e : c.call(FileClerkOps.LS, dir).entries()) {
                if (e.kind().equals("dir")) {
                    collect(c, e.path(), local.resolve(e.name()), paths, files);
                } else {
                    paths.add(e.path());
                    files.add(local.resolve(e.name()));
                }
            }
        }
    }
}

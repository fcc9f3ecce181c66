package org.silo.cli;

import java.io.OutputStream;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import org.silo.files.FilesOps;
import org.silo.files.FilesOps.Handle;
import org.silo.files.FilesOps.Name;
import org.silo.files.client.OobReader;
import org.silo.files.client.WholeFileCache;
import org.silo.wire.client.Reply;
import org.silo.wire.client.SiloClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(
        name = "file",
        mixinStandardHelpOptions = true,
        description = {
            "Read objects by name through the file access service.",
            "It reads archive paths, block images, URLs and applications (seed 003)."
        },
        subcommands = {FileCommand.Cat.class, FileCommand.Stat.class, FileCommand.LeaseCmd.class, FileCp.class},
        footer = {
            "",
            "NAME is an archive path (/data/notes.txt), device:IMAGE, a URL (nbd://,",
            "http://...), or app:status.",
            "",
            "Examples:",
            "  silo file cat app:status",
            "  silo file cat /data/notes.txt > notes.txt",
            "  silo file cat --cache /data/notes.txt",
            "                        a second cat reads the local copy while the lease holds",
            "  silo file cp big.iso /data/big.iso",
            "                        archived through a mover; prints its bfid and adler32",
            "  silo file cp device:retro retro.img",
            "  silo file stat device:retro",
            "  silo file cat device:retro | head -c 512 | xxd",
            "  silo file lease device:retro --read --seconds 60"
        })
final class FileCommand implements Runnable {
    /** The first read: with open's result and the headers it still fits a 1200-byte datagram. */
    static final int FIRST_PIECE = 1000;
    /** Later reads of an object of unknown size (a URL without Content-Length) go over TCP in pieces this big. */
    static final int PIECE = 60 * 1024;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /**
     * Seed 003's warning: the server did what was asked, but not quite as asked (a copy read, a staging
     * waited for, a shorter lease); said on stderr, and the command still succeeds (docs/files.md, Warnings).
     */
    static void warn(FilesOps.Warning w) {
        if (w != null) {
            System.err.println("silo: warning: " + w);
        }
    }

    static Name parse(String text) {
        if (text.startsWith("device:")) {
            return Name.device(text.substring("device:".length()));
        }
        if (text.startsWith("app:")) {
            return Name.app(text.substring("app:".length()), "");
        }
        if (text.startsWith("http://") || text.startsWith("https://") || text.startsWith("nbd://")) {
            return Name.url(text);
        }
        if (text.startsWith("/")) {
            return Name.path(text);
        }
        throw new IllegalArgumentException("'" + text
                + "' is not a name: write /archive/path, device:IMAGE, nbd:// or http(s):// URL, or app:status");
    }

    @Command(name = "cat", mixinStandardHelpOptions = true, description = "Write an object's bytes to standard output.")
    static final class Cat implements Callable<Integer> {
        @Mixin
        ClientMixin client;

        @Parameters(paramLabel = "NAME", description = "An archive path, device:IMAGE, a URL or app:status.")
        String name;

        @picocli.CommandLine.Option(
                names = "--cache",
                description = "Keep a whole copy under $XDG_CACHE_HOME/silo/files and"
                        + " reuse it while a read lease on it holds (archive paths and images).")
        boolean cache;

        @Override
        public Integer call() throws Exception {
            Name n = parse(name);
            OutputStream out = System.out;
            try (SiloClient c = client.connect()) {
                copyOut(
                        c,
                        n,
                        out,
                        cache ? new WholeFileCache(WholeFileCache.defaultDir(), client.serverAddress()) : null);
                out.flush();
            }
            return 0;
        }
    }

    /**
     * Writes the object's bytes to {@code out}: from the whole-file cache if a copy is there and its lease
     * holds; else from the server, kept in the cache under a new read lease when {@code cache} is given.
     */
    static long copyOut(SiloClient c, Name n, OutputStream out, WholeFileCache cache) throws Exception {
        if (cache == null || !WholeFileCache.cacheable(n)) {
            return read(c, n, out);
        }
        WholeFileCache.Found found = cache.lookup(c, n);
        if (found.copy() != null) {
            return java.nio.file.Files.copy(found.copy(), out);
        }
        Long expires = found.recalled() ? null : cache.lease(c, n); // just recalled: read once, let the writer in
        if (expires == null) {
            return read(c, n, out);
        }
        java.nio.file.Path part = cache.newFile();
        try {
            try (OutputStream f = java.nio.file.Files.newOutputStream(part)) {
                read(c, n, f);
            }
            return java.nio.file.Files.copy(cache.keep(n, part, expires), out);
        } finally {
            java.nio.file.Files.deleteIfExists(part);
        }
    }

    /** Reads the object from the server: the first piece with the open, then the data port or TCP pieces. */
    static long read(SiloClient c, Name n, OutputStream out) throws Exception {
        FilesOps.Open open = new FilesOps.Open(FilesOps.READ | FilesOps.OOB_XFER, FilesOps.CAPABILITY, List.of(n));
        // open and the first piece in one message: a small object takes one round trip
        Reply r = c.compound()
                .add(FilesOps.OPEN, open)
                .add(FilesOps.READ_OP, new FilesOps.Read(Handle.SAME, 0, FIRST_PIECE))
                .send();
        FilesOps.Opened opened = SiloClient.decode(FilesOps.OPEN, r.results());
        warn(opened.warning());
        byte[] piece = SiloClient.decode(
                FilesOps.READ_OP, r.results().subList(1, r.results().size()));
        if (opened.size() > FIRST_PIECE
                && opened.size() != -1) { // a known, larger size: the bytes come over the data port
            long n2 = OobReader.copy(opened, out);
            c.call(FilesOps.CLOSE, opened.handle());
            return n2;
        }
        out.write(piece);
        long offset = piece.length;
        int asked = FIRST_PIECE;
        while (piece.length == asked) {
            asked = PIECE;
            Reply more = SiloClient.await(c.send(
                    c.compound()
                            .add(FilesOps.READ_OP, new FilesOps.Read(opened.handle(), offset, PIECE))
                            .envelope(),
                    true));
            piece = SiloClient.decode(FilesOps.READ_OP, more.results());
            out.write(piece);
            offset += piece.length;
        }
        c.call(FilesOps.CLOSE, opened.handle());
        return offset;
    }

    @Command(
            name = "lease",
            mixinStandardHelpOptions = true,
            description = {
                "Take, renew or release a lease.",
                "A read lease may be shared, a write lease is exclusive, and a writer's open recalls read leases. The"
                        + " holder id names who holds it (docs/files.md)."
            })
    static final class LeaseCmd implements Callable<Integer> {
        @Mixin
        ClientMixin client;

        @Parameters(paramLabel = "NAME", description = "An archive path, device:IMAGE, a URL or app:status.")
        String name;

        @picocli.CommandLine.ArgGroup(exclusive = true, multiplicity = "1")
        Kind kind;

        static final class Kind {
            @picocli.CommandLine.Option(names = "--read", description = "A shared read lease.")
            boolean read;

            @picocli.CommandLine.Option(names = "--write", description = "An exclusive write lease.")
            boolean write;

            @picocli.CommandLine.Option(names = "--release", description = "Give the lease back.")
            boolean release;
        }

        @picocli.CommandLine.Option(
                names = "--seconds",
                paramLabel = "N",
                defaultValue = "60",
                description =
                        "How long (default: ${DEFAULT-VALUE}); the server grants at most 3600 and warns when it grants less.")
        int seconds;

        @picocli.CommandLine.Option(
                names = "--holder",
                paramLabel = "ID",
                description = "Who holds it (default: user@host).")
        String holder;

        @Override
        public Integer call() throws Exception {
            int k = kind.release ? FilesOps.LEASE_RELEASE : kind.write ? FilesOps.LEASE_WRITE : FilesOps.LEASE_READ;
            String who = holder != null
                    ? holder
                    : System.getProperty("user.name") + "@"
                            + java.net.InetAddress.getLocalHost().getHostName();
            FilesOps.LeaseState st;
            try (SiloClient c = client.connect()) {
                st = c.call(FilesOps.LEASE, new FilesOps.Lease(parse(name), k, seconds, who));
            }
            warn(st.warning());
            if (kind.release) {
                System.out.println("released " + name);
                return 0;
            }
            if (!st.granted()) {
                System.err.println("silo: lease on " + name + " refused: " + st.text());
                return Failures.FAILED;
            }
            System.out.printf(
                    "%s on %s for %s until %s%n", st.text(), name, who, Instant.ofEpochMilli(st.expiresMillis()));
            return 0;
        }
    }

    @Command(
            name = "stat",
            mixinStandardHelpOptions = true,
            description = "Show an object's size, kind and whether it may be written.")
    static final class Stat implements Callable<Integer> {
        @Mixin
        ClientMixin client;

        @Parameters(paramLabel = "NAME", description = "An archive path, device:IMAGE, a URL or app:status.")
        String name;

        @Override
        public Integer call() throws Exception {
            FilesOps.Open open = new FilesOps.Open(FilesOps.READ, FilesOps.CAPABILITY, List.of(parse(name)));
            try (SiloClient c = client.connect()) {
                Reply r = c.compound()
                        .add(FilesOps.OPEN, open)
                        .add(FilesOps.STAT, Handle.SAME)
                        .add(FilesOps.CLOSE, Handle.SAME)
                        .send();
                warn(SiloClient.decode(FilesOps.OPEN, r.results()).warning()); // a failed open throws here
                FilesOps.Stat st = SiloClient.decode(
                        FilesOps.STAT, r.results().subList(1, r.results().size()));
                String kind = switch (st.nameType()) {
                    case FilesOps.APPLICATION -> "application";
                    case FilesOps.FILESYSTEM -> "archive file";
                    case FilesOps.DEVICE -> "block image";
                    case FilesOps.URL -> "URL";
                    default -> "object";
                };
                System.out.printf(
                        "%s: %s, %s, %s%s%n",
                        name,
                        kind,
                        st.size() == -1
                                ? "size unknown"
                                : org.silo.wire.Sizes.format(st.size()) + " (" + st.size() + " bytes)",
                        st.writable() ? "writable" : "read-only",
                        st.modifiedMillis() > 0 ? ", modified " + Instant.ofEpochMilli(st.modifiedMillis()) : "");
            }
            return 0;
        }
    }
}

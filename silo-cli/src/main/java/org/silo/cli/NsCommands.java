package org.silo.cli;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import org.silo.archive.ops.FileClerkOps;
import org.silo.archive.ops.FileMessages;
import org.silo.archive.ops.FileMessages.Mkdir;
import org.silo.archive.ops.FileMessages.Mv;
import org.silo.archive.ops.FileMessages.NsEntry;
import org.silo.archive.ops.FileMessages.NsList;
import org.silo.archive.ops.FileMessages.Rm;
import org.silo.wire.client.SiloClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The archive namespace commands: ls, stat, mkdir, mv, rm (put and get: {@link TransferCommands}). Register each nested class as a top-level command. */
final class NsCommands {
    private NsCommands() {}

    @Command(
            name = "ls",
            mixinStandardHelpOptions = true,
            description = {
                "List an archive directory, by name.",
                "A large directory is fetched and printed a page (" + Trees.PAGE + " entries) at a time."
            },
            footer = {
                "",
                "Examples:",
                "  silo ls /",
                "  silo ls /exp/run1 --json",
                "  silo ls /exp/big --limit 100",
                "  silo ls /exp/big --limit 100 --after f000099.dat    the next 100"
            })
    static final class Ls implements Callable<Integer> {
        @Mixin
        ClientMixin client;

        @Parameters(
                paramLabel = "PATH",
                arity = "0..1",
                defaultValue = "/",
                description = "The directory (default: /).")
        String path;

        @Option(names = "--json", description = "Print JSON (an array of entries).")
        boolean json;

        @Option(
                names = "--limit",
                paramLabel = "N",
                defaultValue = "0",
                description =
                        "At most N entries; when more follow, standard error says how to list them (default: all).")
        int limit;

        @Option(
                names = "--after",
                paramLabel = "NAME",
                description = "Start after this name (the cursor --limit prints).")
        String after;

        @Mixin
        SizeOption sizes;

        /** The entries to ask for next, {@code shown} being printed already: a page, or what --limit leaves. */
        private int pageSize(long shown) {
            return limit > 0 ? (int) Math.min(Trees.PAGE, limit - shown) : Trees.PAGE;
        }

        @Override
        public Integer call() throws Exception {
            if (limit < 0) {
                throw new IllegalArgumentException("--limit must be 0 (all) or more, not " + limit);
            }
            try (SiloClient c = client.connect()) {
                Listing out = new Listing(json, sizes);
                String cursor = after;
                long shown = 0;
                // the next page is asked for as soon as this one's cursor is known, and comes while this
                // one is printed: the server's query and the client's printing overlap
                var next = c.callAsync(FileClerkOps.LS, new FileMessages.Ls(path, cursor, pageSize(shown)));
                while (true) {
                    NsList page = SiloClient.await(next);
                    shown += page.entries().size();
                    cursor = page.next();
                    boolean more = cursor != null && !(limit > 0 && shown >= limit);
                    if (more) {
                        next = c.callAsync(FileClerkOps.LS, new FileMessages.Ls(path, cursor, pageSize(shown)));
                    }
                    page.entries().forEach(out::add);
                    out.flush();
                    if (cursor == null) {
                        break;
                    }
                    if (!more) {
                        System.err.printf(
                                "silo: more entries follow; the next ones: silo ls %s --limit %d --after '%s'%n",
                                path, limit, cursor.replace("'", "'\\''"));
                        break;
                    }
                }
                out.end();
            }
            return 0;
        }
    }

    /**
     * Entries printed as they come: a table whose columns have fixed widths (a page's widths cannot be
     * known before the last page), or a JSON array written one entry at a time. Buffered and flushed once
     * a page (a flush per line is a system call per line: most of the time of listing 100,000 entries).
     */
    static final class Listing {
        private final boolean json;
        private final SizeOption sizes;
        private final java.io.PrintWriter out = new java.io.PrintWriter(
                new java.io.BufferedWriter(
                        new java.io.OutputStreamWriter(System.out, java.nio.charset.StandardCharsets.UTF_8), 1 << 16),
                false);
        private final StringBuilder line = new StringBuilder(160);
        private boolean any;

        Listing(boolean json, SizeOption sizes) {
            this.json = json;
            this.sizes = sizes;
            if (!json) {
                row("KIND", "SIZE", "OWNER", "MODIFIED", "BFID", "VOLUME", "NAME");
            }
        }

        void add(NsEntry e) {
            if (json) {
                try {
                    out.print((any ? ",\n" : "[\n") + Json.indented(e));
                } catch (com.fasterxml.jackson.core.JsonProcessingException x) {
                    throw new IllegalStateException(x);
                }
            } else {
                row(
                        e.kind(),
                        e.kind().equals("dir") ? "-" : sizes.show(e.size()),
                        e.owner(),
                        Instant.ofEpochMilli(e.modifiedMs()).toString(),
                        e.bfid() == null ? "-" : e.bfid(),
                        e.volume() == null ? "-" : e.volume(),
                        e.name());
            }
            any = true;
        }

        /** KIND SIZE OWNER MODIFIED BFID VOLUME NAME: widths 4, 12 (right-aligned), 8, 24, 19, 8, then the name. */
        private void row(
                String kind, String size, String owner, String modified, String bfid, String volume, String name) {
            line.setLength(0);
            pad(kind, 4);
            line.append(" ".repeat(Math.max(0, 12 - size.length())))
                    .append(size)
                    .append("  ");
            pad(owner, 8);
            pad(modified, 24);
            pad(bfid, 19);
            pad(volume, 8);
            line.append(name);
            out.println(line);
        }

        private void pad(String cell, int width) {
            line.append(cell);
            for (int i = cell.length(); i < width; i++) {
                line.append(' ');
            }
            line.append("  ");
        }

        /** What is printed so far goes out (after each page). */
        void flush() {
            out.flush();
        }

        void end() {
            if (json) {
                out.println(any ? "\n]" : "[ ]");
            }
            out.flush();
        }
    }

    @Command(
            name = "stat",
            mixinStandardHelpOptions = true,
            description = "Show an archive file or directory.",
            footer = {"", "Examples:", "  silo stat /exp/run1/a.dat", "  silo stat /exp --json"})
    static final class Stat implements Callable<Integer> {
        @Mixin
        ClientMixin client;

        @Parameters(paramLabel = "PATH", description = "The file or directory.")
        String path;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Mixin
        SizeOption sizes;

        @Override
        public Integer call() throws Exception {
            try (SiloClient c = client.connect()) {
                NsEntry e = c.call(FileClerkOps.STAT, path);
                if (json) {
                    Json.print(e);
                    return 0;
                }
                Table t = new Table("field", "value");
                t.row("path", e.path())
                        .row("kind", e.kind())
                        .row("owner", e.owner())
                        .row("created", Instant.ofEpochMilli(e.createdMs()))
                        .row("modified", Instant.ofEpochMilli(e.modifiedMs()));
                if (e.bfid() != null) {
                    t.row("bfid", e.bfid())
                            .row("size", sizes.bytes ? e.size() : sizes.show(e.size()) + " (" + e.size() + " bytes)")
                            .row("adler32", e.adler32());
                    // every copy's volume: the first written, then the others
                    List<String> copies = e.copies() == null || e.copies().isEmpty() ? List.of(e.volume()) : e.copies();
                    t.row(
                            copies.size() == 1 ? "volume" : "volumes",
                            String.join(", ", copies) + (copies.size() == 1 ? "" : " (" + copies.size() + " copies)"));
                }
                t.print();
            }
            return 0;
        }
    }

    @Command(
            name = "mkdir",
            mixinStandardHelpOptions = true,
            description = "Make an archive directory.",
            footer = {"", "Examples:", "  silo mkdir /exp", "  silo mkdir -p /exp/run1/raw"})
    static final class MkdirCmd implements Callable<Integer> {
        @Mixin
        ClientMixin client;

        @Parameters(paramLabel = "PATH", description = "The directory to make.")
        String path;

        @Option(
                names = {"-p", "--parents"},
                description = "Make missing parents; no error if it exists.")
        boolean parents;

        @Override
        public Integer call() throws Exception {
            try (SiloClient c = client.connect()) {
                c.call(FileClerkOps.MKDIR, new Mkdir(path, parents, System.getProperty("user.name")));
            }
            return 0;
        }
    }

    @Command(
            name = "mv",
            mixinStandardHelpOptions = true,
            description = "Move or rename an archive file or directory.",
            footer = {"", "Examples:", "  silo mv /exp/a.dat /exp/b.dat", "  silo mv /exp/run1 /old/run1"})
    static final class MvCmd implements Callable<Integer> {
        @Mixin
        ClientMixin client;

        @Parameters(index = "0", paramLabel = "FROM", description = "The file or directory.")
        String from;

        @Parameters(index = "1", paramLabel = "TO", description = "Its new path, which must not exist yet.")
        String to;

        @Override
        public Integer call() throws Exception {
            try (SiloClient c = client.connect()) {
                c.call(FileClerkOps.MV, new Mv(from, to));
            }
            return 0;
        }
    }

    @Command(
            name = "rm",
            mixinStandardHelpOptions = true,
            description = {"Remove an archive file or an empty directory.", "A file's record is kept, marked deleted."},
            footer = {"", "Examples:", "  silo rm /exp/a.dat", "  silo rm /exp/empty-dir"})
    static final class RmCmd implements Callable<Integer> {
        @Mixin
        ClientMixin client;

        @Parameters(paramLabel = "PATH", description = "The file, or the empty directory.")
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
}

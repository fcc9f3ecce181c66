package org.silo.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.stream.Stream;
import org.silo.archive.ops.FileClerkOps;
import org.silo.archive.ops.FileMessages.Ls;
import org.silo.archive.ops.FileMessages.Mkdir;
import org.silo.archive.ops.FileMessages.NsEntry;
import org.silo.archive.ops.FileMessages.NsList;
import org.silo.archive.transfer.TransferClient.Source;
import org.silo.archive.transfer.TransferClient.Target;
import org.silo.wire.SiloException;
import org.silo.wire.client.SiloClient;

/**
 * The files of put -r and get -r, found as the transfer asks for them: a local tree is walked, an archive
 * tree listed a page at a time, and each file handed on as the next batch is made (docs/archive.md: the tree is
 * streamed, never held). What is held at any moment is the path down to the current directory and one
 * page of listing per level, not the tree: a put of a million files costs the client no more memory than
 * a put of a thousand.
 */
final class Trees {
    private Trees() {}

    /** Entries asked for per ls call while walking an archive tree. */
    static final int PAGE = 1000;

    /** A failure met while walking (a directory that cannot be read or made): the put or get stops with it. */
    static final class WalkFailure extends RuntimeException {
        WalkFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** One source of a put: a local file, or a local directory to copy whole, and where it goes. */
    record PutRoot(Path src, String target) {}

    /**
     * The files under each root, in the order the file system lists them, with their archive paths; each
     * directory is made in the archive ({@code mkdir -p}) when the walk reaches it, before any of its files.
     */
    static Iterator<Source> local(SiloClient c, List<PutRoot> roots, String owner) {
        return new Iterator<>() {
            private final Iterator<PutRoot> next = roots.iterator();
            private PutRoot root;
            private Stream<Path> walk;
            private Iterator<Path> in;
            private Source ahead;

            @Override
            public boolean hasNext() {
                while (ahead == null) {
                    if (in != null && in.hasNext()) {
                        ahead = consider(in.next());
                    } else {
                        if (walk != null) {
                            walk.close();
                            walk = null;
                            in = null;
                        }
                        if (!next.hasNext()) {
                            return false;
                        }
                        root = next.next();
                        if (!Files.isDirectory(root.src())) {
                            ahead = new Source(root.src(), root.target());
                            continue;
                        }
                        try {
                            walk = Files.walk(root.src()); // lazy: a directory is opened when the walk gets to it
                        } catch (IOException e) {
                            throw new WalkFailure("cannot read " + root.src() + ": " + e, e);
                        }
                        in = walk.iterator();
                    }
                }
                return true;
            }

            private Source consider(Path p) {
                String rel = root.src().relativize(p).toString().replace(java.io.File.separatorChar, '/');
                String at = rel.isEmpty() ? root.target() : TransferCommands.join(root.target(), rel);
                if (Files.isDirectory(p)) {
                    try {
                        c.call(FileClerkOps.MKDIR, new Mkdir(at, true, owner));
                    } catch (SiloException e) {
                        throw new WalkFailure("cannot make " + at + ": " + Failures.describe(e), e);
                    }
                    return null;
                }
                return Files.isRegularFile(p) ? new Source(p, at) : null;
            }

            @Override
            public Source next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Source s = ahead;
                ahead = null;
                return s;
            }
        };
    }

    /**
     * The files under archive directory {@code dir}, depth first, each with its local path under
     * {@code local}; each local directory is made when the walk enters it. Listed {@link #PAGE} entries at
     * a time with ls's cursor.
     */
    static Iterator<Target> archive(SiloClient c, String dir, Path local) {
        return new Iterator<>() {
            /** One directory being listed: its next page is asked for once this one is used up. */
            final class Level {
                final String path;
                final Path to;
                Iterator<NsEntry> page = java.util.Collections.emptyIterator();
                String cursor;
                boolean more = true;

                Level(String path, Path to) {
                    this.path = path;
                    this.to = to;
                    try {
                        Files.createDirectories(to);
                    } catch (IOException e) {
                        throw new WalkFailure("cannot make " + to + ": " + e, e);
                    }
                }

                NsEntry next() {
                    while (!page.hasNext() && more) {
                        NsList l;
                        try {
                            l = c.call(FileClerkOps.LS, new Ls(path, cursor, PAGE));
                        } catch (SiloException e) {
                            throw new WalkFailure("cannot list " + path + ": " + Failures.describe(e), e);
                        }
                        page = l.entries().iterator();
                        cursor = l.next();
                        more = cursor != null;
                    }
                    return page.hasNext() ? page.next() : null;
                }
            }

            private final Deque<Level> stack = new ArrayDeque<>(List.of(new Level(dir, local)));
            private Target ahead;

            @Override
            public boolean hasNext() {
                while (ahead == null && !stack.isEmpty()) {
                    Level top = stack.peek();
                    NsEntry e = top.next();
                    if (e == null) {
                        stack.pop();
                    } else if (e.kind().equals("dir")) {
                        stack.push(new Level(e.path(), top.to.resolve(e.name())));
                    } else {
                        ahead = new Target(e.path(), top.to.resolve(e.name()));
                    }
                }
                return ahead != null;
            }

            @Override
            public Target next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Target t = ahead;
                ahead = null;
                return t;
            }
        };
    }

    /**
     * One iterator after another, each used only when the one before is done (a stream's flatMap would
     * buffer each part whole when iterated).
     */
    static <T> Iterator<T> concat(List<Iterator<T>> parts) {
        return new Iterator<>() {
            private final Iterator<Iterator<T>> next = parts.iterator();
            private Iterator<T> in = java.util.Collections.emptyIterator();

            @Override
            public boolean hasNext() {
                while (!in.hasNext() && next.hasNext()) {
                    in = next.next();
                }
                return in.hasNext();
            }

            @Override
            public T next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return in.next();
            }
        };
    }

    /** The failure behind a transfer that stopped on a walk's failure, to be told as it is; else {@code e}. */
    static RuntimeException cause(RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof WalkFailure w) {
                return new IllegalArgumentException(w.getMessage(), w);
            }
            if (t instanceof UncheckedIOException u) {
                return new IllegalArgumentException(
                        "cannot read the tree: " + u.getCause().getMessage(), u);
            }
        }
        return e;
    }
}

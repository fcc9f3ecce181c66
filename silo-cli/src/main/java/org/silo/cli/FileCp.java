package org.silo.cli;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.silo.archive.ops.FileClerkOps;
import org.silo.files.FilesOps;
import org.silo.files.FilesOps.Name;
import org.silo.files.client.FilesClient;
import org.silo.files.client.OobWriter;
import org.silo.files.client.WholeFileCache;
import org.silo.wire.NotFoundException;
import org.silo.wire.SiloException;
import org.silo.wire.client.SiloClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code silo file cp SRC DEST}: either side a silo name or a local file. Bytes to the server go over the
 * data port (out of band) in 1 MiB writes; bytes from it as {@code file cat} reads them. An archive path
 * as DEST is created and archived through a mover when the copy closes it.
 */
@Command(
        name = "cp",
        mixinStandardHelpOptions = true,
        description = {
            "Copy between silo names and local files.",
            "SRC and DEST are each a NAME (/archive/path, device:IMAGE, nbd:// or http(s):// URL, app:status) or a local"
                    + " file (a relative path, file:PATH, or - for standard input or output).",
            "An archive path DEST is new (archived files are write-once) and is archived through a mover before cp"
                    + " ends; an image DEST is written from offset 0 and never grows."
        },
        footer = {
            "",
            "Examples:",
            "  silo file cp run1.dat /exp/run1.dat",
            "  silo file cp /exp/run1.dat ./copy.dat",
            "  silo file cp file:/tmp/boot.img device:retro",
            "  silo file cp nbd://nas:10809/disk0 ./disk0.img",
            "  silo file cp device:retro /exp/retro-backup.img"
        })
final class FileCp implements Callable<Integer> {
    @Mixin
    ClientMixin client;

    @Parameters(index = "0", paramLabel = "SRC", description = "What to copy: a NAME or a local file.")
    String src;

    @Parameters(index = "1", paramLabel = "DEST", description = "Where to: a NAME or a local file.")
    String dest;

    @Option(names = "--cache", description = "Read a silo SRC through the whole-file cache (as file cat --cache).")
    boolean cache;

    /** A silo name, or null for a local file. */
    static Name silo(String text) {
        if (text.equals("-") || text.startsWith("file:")) {
            return null;
        }
        try {
            return FileCommand.parse(text);
        } catch (IllegalArgumentException notAName) {
            return null;
        }
    }

    static Path local(String text) {
        return Path.of(text.startsWith("file:") ? text.substring("file:".length()) : text);
    }

    @Override
    public Integer call() throws Exception {
        Name from = silo(src);
        Name to = silo(dest);
        if (from == null && to == null) {
            throw new IllegalArgumentException(
                    "neither " + src + " nor " + dest + " is a silo name; use cp(1) for local copies");
        }
        try {
            return copy(from, to);
        } catch (SiloException e) {
            throw localHint(e, from, to);
        }
    }

    /**
     * An absolute path names the archive, which surprises whoever meant the local file of that name (put
     * and get take absolute local paths): when the archive has no such file or directory and the local
     * one is there, the error says how to name the local one.
     */
    SiloException localHint(SiloException e, Name from, Name to) {
        if (!(e instanceof NotFoundException)) {
            return e;
        }
        if (from != null && from.type() == FilesOps.FILESYSTEM && Files.exists(Path.of(src))) {
            return SiloException.of(
                    e.code(),
                    src + " is an archive path, and the archive has no such file (" + e.getMessage()
                            + "); for the local file write file:" + src,
                    e);
        }
        Path parent = Path.of(dest).getParent();
        if (to != null && to.type() == FilesOps.FILESYSTEM && parent != null && Files.isDirectory(parent)) {
            return SiloException.of(
                    e.code(),
                    dest + " is an archive path (" + e.getMessage() + "); for a local file write file:" + dest,
                    e);
        }
        return e;
    }

    /**
     * Where an archive path side might have meant a local file (the local one is there), asks the archive
     * first, so that the mistake is told before any byte is sent or a destination opened.
     */
    private void askFirst(SiloClient c, Name from, Name to) throws SiloException {
        if (from != null && from.type() == FilesOps.FILESYSTEM && Files.exists(Path.of(src))) {
            c.call(FileClerkOps.STAT, src);
        }
        Path parent = Path.of(dest).getParent();
        if (to != null && to.type() == FilesOps.FILESYSTEM && parent != null && Files.isDirectory(parent)) {
            c.call(FileClerkOps.STAT, parent.toString());
        }
    }

    private int copy(Name from, Name to) throws Exception {
        try (SiloClient c = client.connect()) {
            askFirst(c, from, to);
            FilesClient files = new FilesClient(c, Duration.ofHours(24));
            if (to == null) { // silo -> local
                long n = toLocal(c, from);
                System.err.printf("copied %d bytes from %s to %s%n", n, src, dest);
                return 0;
            }
            FilesOps.Opened o = files.open(
                    FilesOps.WRITE | FilesOps.OOB_XFER | (to.type() == FilesOps.FILESYSTEM ? FilesOps.CREATE : 0),
                    FilesOps.CAPABILITY,
                    to);
            FileCommand.warn(o.warning());
            long n;
            try (OobWriter w = new OobWriter(o, 0)) {
                if (from == null) {
                    try (InputStream in = src.equals("-") ? System.in : Files.newInputStream(local(src))) {
                        n = in.transferTo(w);
                    }
                } else {
                    n = FileCommand.copyOut(c, from, w, cacheFor());
                }
            } catch (Exception e) {
                if (to.type()
                        != FilesOps.FILESYSTEM) { // an archive path is not closed: closing would archive half a file;
                    try { // its handle lapses after 10 idle minutes and the part is discarded
                        c.call(FilesOps.CLOSE, o.handle());
                    } catch (Exception ignored) {
                        // the error that stopped the copy is the one to report
                    }
                }
                throw e;
            }
            FilesOps.Closed closed = files.close(o.handle());
            FileCommand.warn(closed.warning());
            if (closed.archived()) {
                System.err.printf(
                        "copied %d bytes from %s to %s: bfid %s, adler32 %s%n",
                        n, src, closed.path(), closed.bfid(), closed.adler32());
            } else {
                System.err.printf("copied %d bytes from %s to %s%n", n, src, dest);
            }
            return 0;
        }
    }

    private WholeFileCache cacheFor() throws java.io.IOException {
        return cache ? new WholeFileCache(WholeFileCache.defaultDir(), client.serverAddress()) : null;
    }

    private long toLocal(SiloClient c, Name from) throws Exception {
        if (dest.equals("-")) {
            long n = FileCommand.copyOut(c, from, System.out, cacheFor());
            System.out.flush();
            return n;
        }
        Path target = local(dest).toAbsolutePath();
        if (Files.isDirectory(target)) {
            String base = from.name().substring(from.name().lastIndexOf('/') + 1);
            target = target.resolve(base.isEmpty() ? "silo.out" : base);
        }
        Path part = target.resolveSibling("." + target.getFileName() + ".silo-part");
        try {
            long n;
            try (OutputStream out = Files.newOutputStream(part)) {
                n = FileCommand.copyOut(c, from, out, cacheFor());
            }
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
            return n;
        } finally {
            Files.deleteIfExists(part);
        }
    }
}

package org.silo.archive.transfer;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Makes many freshly written files durable at once, for a get that has just received them.
 *
 * <p>One {@code fsync(2)} per file costs a journal commit each, more or less, where {@code cp -r} followed by
 * {@code sync} pays for a few. Past {@link #SYNCFS_FROM} files the client asks for {@code syncfs(2)} of each
 * file system they are on instead, through coreutils' {@code sync -f} (the JDK has no call for it, and the
 * foreign-function API is a preview at Java 21, this project's level). Since Linux 5.8 {@code syncfs}
 * reports a write-back error of the file system that no one has seen yet, as {@code fsync} does for a file;
 * so a failure, or a {@code sync} that cannot be run, falls back to one {@code fsync} per file, which then
 * names the file that could not be written. Fewer files than that take one fsync each, all at once.
 *
 * <p>The price: {@code syncfs} also writes what other programs left dirty on the same file system, so on a
 * disk that something else is filling it can take longer than the files' own fsyncs would. A site that
 * would rather not pay it sets {@code -Dsilo.get.syncfs=false} (in {@code SILO_JAVA_OPTS}).
 */
final class DurableFiles {
    private DurableFiles() {}

    /** From this many files a batch is synced per file system rather than per file. */
    static final int SYNCFS_FROM = 64;

    private static final boolean SYNCFS = !"false".equals(System.getProperty("silo.get.syncfs"));

    /**
     * Makes {@code files} durable; returns, per file in the same order, null or why it could not be. The
     * files are closed; their directories are not synced here (they are renamed into next).
     */
    static List<String> sync(List<Path> files) {
        if (SYNCFS && files.size() >= SYNCFS_FROM && syncFileSystems(files)) {
            List<String> none = new ArrayList<>(files.size());
            files.forEach(f -> none.add(null));
            return none;
        }
        return syncEach(files);
    }

    /** One {@code sync -f DIR} per file system the files are on; false if any is not done (then sync each). */
    private static boolean syncFileSystems(List<Path> files) {
        Map<Object, Path> oneDirPerDevice = new LinkedHashMap<>();
        Set<Path> seen = new HashSet<>();
        try {
            for (Path f : files) {
                Path dir = f.toAbsolutePath().getParent();
                if (seen.add(dir)) {
                    oneDirPerDevice.putIfAbsent(Files.getAttribute(dir, "unix:dev"), dir);
                }
            }
            for (Path dir : oneDirPerDevice.values()) {
                Process p = new ProcessBuilder("sync", "-f", dir.toString())
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start();
                p.getOutputStream().close();
                if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
                    p.destroyForcibly();
                    return false;
                }
            }
            return true;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false; // no sync(1), no unix:dev view: fsync each file
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** One fsync per file, all at once, so the file system can commit them together. */
    static List<String> syncEach(List<Path> files) {
        List<String> errors = new ArrayList<>(files.size());
        files.forEach(f -> errors.add(null));
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> syncs = new ArrayList<>(files.size());
            for (int i = 0; i < files.size(); i++) {
                int n = i;
                Path file = files.get(i);
                syncs.add(pool.submit(() -> {
                    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                        ch.force(true);
                    } catch (IOException e) {
                        errors.set(n, "cannot write " + file + ": " + e);
                    }
                }));
            }
            for (Future<?> f : syncs) {
                try {
                    f.get();
                } catch (Exception e) {
                    // recorded in errors
                }
            }
        }
        return errors;
    }
}

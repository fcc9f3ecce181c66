package org.silo.archive;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * A small real file system for a test that must fill one up: a tmpfs of the given size, mounted by the
 * test (which runs as root) and unmounted by {@link #close}. Where mounting is refused (not root, no
 * CAP_SYS_ADMIN, no mount command) the test is skipped with the reason.
 *
 * <pre>{@code
 * try (Tmpfs fs = Tmpfs.mount(dir.resolve("small"), "4m")) { ... fs.dir() ... }
 * }</pre>
 */
public final class Tmpfs implements AutoCloseable {
    private final Path dir;

    private Tmpfs(Path dir) {
        this.dir = dir;
    }

    /** Mounts a tmpfs of {@code size} ({@code 4m}) at {@code dir} (made if missing), or skips the test saying why not. */
    public static Tmpfs mount(Path dir, String size) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        String[] run;
        try {
            run = run("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", dir.toString());
        } catch (IOException e) {
            run = new String[] {"-1", e.getMessage()};
        }
        Assumptions.assumeTrue(
                run[0].equals("0"),
                "skipped: cannot mount a " + size + " tmpfs at " + dir + " to fill up (the test needs root): "
                        + run[1]);
        return new Tmpfs(dir);
    }

    public Path dir() {
        return dir;
    }

    /** What the file system has free now, as a mover sees it. */
    public long usable() throws IOException {
        return Files.getFileStore(dir).getUsableSpace();
    }

    /** The files in it whose names end with {@code .part} (what a failed write must not leave). */
    public List<Path> partFiles() throws IOException {
        try (var walk = Files.walk(dir)) {
            return walk.filter(p -> p.getFileName().toString().endsWith(".part"))
                    .toList();
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (!run("umount", dir.toString())[0].equals("0")) {
            run("umount", "-l", dir.toString());
        }
    }

    private static String[] run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        return new String[] {Integer.toString(p.waitFor()), out};
    }
}

package org.silo.block.nbd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** Runs the real NBD clients as processes; a missing tool skips the test and names the tool. */
public final class NbdTestTools {
    private NbdTestTools() {}

    /** Skips the calling test unless every tool is on the PATH. */
    public static void require(String... tools) {
        for (String tool : tools) {
            Assumptions.assumeTrue(
                    onPath(tool),
                    tool + " is not installed (apt-get install "
                            + switch (tool) {
                                case "qemu-img", "qemu-io" -> "qemu-utils";
                                case "nbdinfo", "nbdcopy" -> "libnbd-bin";
                                case "nbdsh" -> "python3-libnbd";
                                default -> tool;
                            }
                            + "); skipping");
        }
    }

    public static boolean onPath(String tool) {
        return which(tool) != null;
    }

    public static String which(String tool) {
        return which(tool, System.getenv().getOrDefault("PATH", ""));
    }

    /** The python3 the nbdsh script will run (Java resolves executables on its own PATH). */
    private static String pythonOn(String path) {
        String python = which("python3", path);
        return python == null ? "python3" : python;
    }

    private static String which(String tool, String path) {
        for (String dir : path.split(File.pathSeparator)) {
            File f = new File(dir, tool);
            if (f.canExecute()) {
                return f.getPath();
            }
        }
        return null;
    }

    /**
     * nbdsh (a shell script running {@code python3 -mnbd}) with /usr/bin first on the PATH: a
     * python3 earlier on the PATH (pyenv, venv) lacks the Debian {@code nbd} module that
     * python3-libnbd installs. Skips when no Python has it.
     */
    public static Run nbdsh(String... args) throws IOException, InterruptedException {
        require("nbdsh");
        String path = "/usr/bin" + File.pathSeparator + System.getenv().getOrDefault("PATH", "");
        Assumptions.assumeTrue(
                run(path, List.of(pythonOn(path), "-c", "import nbd")).exit() == 0,
                "the Python nbd module (python3-libnbd) is not installed; skipping");
        List<String> cmd = new java.util.ArrayList<>(List.of(which("nbdsh")));
        cmd.addAll(List.of(args));
        return run(path, cmd);
    }

    /** Result of a process. */
    public record Run(int exit, String output) {
        public Run ok() {
            assertThat(exit).as("exit status; output:\n%s", output).isZero();
            return this;
        }
    }

    /** Runs a command with a 60 s limit, stdout and stderr merged. */
    public static Run run(String... command) throws IOException, InterruptedException {
        return run(null, List.of(command));
    }

    private static Run run(String path, List<String> command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        if (path != null) {
            pb.environment().put("PATH", path);
        }
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + command);
        }
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}

package org.silo.archive.mover;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.silo.wire.SiloException;

/**
 * How a library's volumes get into a drive (seed 000's media changer). {@code none}: dir and S3 volumes
 * are always there. {@code manual}: a person puts the volume in the drive; the mover asks through the
 * library manager and waits until an operator confirms ({@code silo mover confirm}, or the console) or
 * refuses. {@code command:PROGRAM}: the mover runs {@code PROGRAM mount VOLUME DRIVE} before it
 * uses a volume and {@code PROGRAM dismount VOLUME DRIVE} after (an mtx script, say); a non-zero exit
 * status is a failure, and the status and output are kept in the {@link Outcome}.
 */
public interface MediaChanger {
    /** What a mount or dismount did: its exit status (0 for none) and the first 4 KiB of its output. */
    record Outcome(boolean ok, int exitStatus, String output) {
        public String describe() {
            return "exit status " + exitStatus + (output.isBlank() ? "" : ": " + output.strip());
        }
    }

    Outcome mount(String volume, String drive);

    Outcome dismount(String volume, String drive);

    /** The longest a mount or dismount may run. */
    long TIMEOUT_SECONDS = 600;

    MediaChanger NONE = new MediaChanger() {
        @Override
        public Outcome mount(String volume, String drive) {
            return new Outcome(true, 0, "");
        }

        @Override
        public Outcome dismount(String volume, String drive) {
            return new Outcome(true, 0, "");
        }
    };

    /** Where a {@code manual} changer asks a person for a mount and waits for the answer. */
    @FunctionalInterface
    interface Operator {
        Outcome mount(String volume, String drive);
    }

    /** Checks a changer setting: {@code none}, {@code manual} or {@code command:PROGRAM}. */
    static String canonical(String spec) throws SiloException {
        if (spec == null || spec.isBlank() || spec.equals("none")) {
            return "none";
        }
        if (spec.equals("manual")) {
            return spec;
        }
        if (spec.startsWith("command:") && spec.length() > 8 && spec.indexOf('\0') < 0 && spec.length() <= 1024) {
            return spec;
        }
        throw SiloException.invalid("a media changer is none, manual or command:PROGRAM, not '" + spec + "'");
    }

    /** The changer a setting names; {@code operator} is asked for the mounts of a {@code manual} one. */
    static MediaChanger of(String spec, Operator operator) throws SiloException {
        String s = canonical(spec);
        return switch (s) {
            case "none" -> NONE;
            case "manual" -> new Manual(operator);
            default -> new Command(s.substring(8));
        };
    }

    /** A person mounts; the mover waits for the operator's word. Dismounting needs no answer: the next mount asks for the drive. */
    final class Manual implements MediaChanger {
        private final Operator operator;

        Manual(Operator operator) {
            this.operator = operator;
        }

        @Override
        public Outcome mount(String volume, String drive) {
            return operator.mount(volume, drive);
        }

        @Override
        public Outcome dismount(String volume, String drive) {
            return new Outcome(true, 0, volume + " may be taken out of drive " + drive);
        }
    }

    /** Runs a program for each mount and dismount. */
    final class Command implements MediaChanger {
        private final String program;

        Command(String program) {
            this.program = program;
        }

        @Override
        public Outcome mount(String volume, String drive) {
            return run("mount", volume, drive);
        }

        @Override
        public Outcome dismount(String volume, String drive) {
            return run("dismount", volume, drive);
        }

        private Outcome run(String what, String volume, String drive) {
            try {
                Process p = new ProcessBuilder(program, what, volume, drive)
                        .redirectErrorStream(true)
                        .start();
                p.getOutputStream().close();
                byte[] out;
                try (InputStream in = p.getInputStream()) {
                    out = in.readNBytes(4096);
                    in.transferTo(java.io.OutputStream.nullOutputStream());
                }
                if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    return new Outcome(
                            false,
                            -1,
                            program + " " + what + " " + volume + " " + drive + " ran over " + TIMEOUT_SECONDS + " s");
                }
                return new Outcome(p.exitValue() == 0, p.exitValue(), new String(out, StandardCharsets.UTF_8));
            } catch (IOException e) {
                return new Outcome(false, -1, "cannot run " + program + ": " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Outcome(false, -1, "interrupted");
            }
        }
    }
}

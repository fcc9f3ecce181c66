package org.silo.cli;

import java.util.concurrent.Callable;
import org.silo.archive.ops.FileClerkOps;
import org.silo.archive.ops.FileMessages.FsckProblem;
import org.silo.archive.ops.FileMessages.FsckReport;
import org.silo.wire.client.SiloClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "fsck",
        mixinStandardHelpOptions = true,
        description = {
            "Check every live archive file's bytes on its volume.",
            "Each file must be on its volume at its cookie, with its size and Adler-32 (a container of small files is"
                    + " read once, each member checked and named when bad). Prints each mismatch; exits 2 if there is any,"
                    + " 0 if none.",
            "Files on a volume that no record names (an orphan container left by a crash between writing and recording"
                    + " it) are printed as warnings, not counted as files."
        },
        footer = {"", "Examples:", "  silo fsck", "  silo fsck --json --timeout 10m"})
final class FsckCommand implements Callable<Integer> {
    static final int MISMATCH = 2;

    @Mixin
    ClientMixin client;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Mixin
    SizeOption sizes;

    /** "4 files", or "4 files, 8 copies" when files have more than one copy: copies are not counted as files. */
    static String checked(FsckReport r) {
        String files = r.files() + (r.files() == 1 ? " file" : " files");
        return r.checked() == r.files() ? files : files + ", " + r.checked() + " copies";
    }

    @Override
    public Integer call() throws Exception {
        FsckReport r;
        try (SiloClient c = client.connect()) {
            r = c.call(FileClerkOps.FSCK, null);
        }
        if (json) {
            Json.print(r);
        } else {
            if (!r.problems().isEmpty()) {
                Table t = new Table("BFID", "VOLUME", "COOKIE", "PATH", "PROBLEM");
                for (FsckProblem p : r.problems()) {
                    t.row(p.bfid(), p.volume(), p.cookie(), p.path(), p.problem());
                }
                t.print();
            }
            java.util.List<String> warnings = r.warnings() == null ? java.util.List.of() : r.warnings();
            for (String w : warnings) {
                System.out.println("warning: " + w);
            }
            System.out.printf(
                    "%s checked (%s read), %d problem%s%s%n",
                    checked(r),
                    sizes.show(r.bytes()),
                    r.problems().size(),
                    r.problems().size() == 1 ? "" : "s",
                    warnings.isEmpty() ? "" : ", " + warnings.size() + " warning" + (warnings.size() == 1 ? "" : "s"));
        }
        return r.problems().isEmpty() ? 0 : MISMATCH;
    }
}

package org.silo.cli;

import java.util.concurrent.Callable;
import org.silo.archive.ops.FileClerkOps;
import org.silo.archive.ops.FileMessages.FsckProblem;
import org.silo.archive.ops.FileMessages.FsckReport;
import org.silo.archive.ops.FileMessages.ReclaimReport;
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
                    + " it), and part files of writes that never finished, are printed as warnings, not counted as files"
                    + " (--reclaim frees them, then checks)."
        },
        footer = {"", "Examples:", "  silo fsck", "  silo fsck --json --timeout 10m", "  silo fsck --reclaim"})
final class FsckCommand implements Callable<Integer> {
    static final int MISMATCH = 2;

    @Mixin
    ClientMixin client;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Mixin
    SizeOption sizes;

    @Option(
            names = "--reclaim",
            description = "First free what crashes left on volumes no writer holds: part files of unfinished writes"
                    + " are removed, files no record names are emptied (their numbers stay taken); then check."
                    + " A volume being written is left alone and named.")
    boolean reclaim;

    /** "4 files", or "4 files, 8 copies" when files have more than one copy: copies are not counted as files. */
    static String checked(FsckReport r) {
        String files = r.files() + (r.files() == 1 ? " file" : " files");
        return r.checked() == r.files() ? files : files + ", " + r.checked() + " copies";
    }

    @Override
    public Integer call() throws Exception {
        FsckReport r;
        ReclaimReport freed = null;
        try (SiloClient c = client.connect()) {
            if (reclaim) {
                freed = c.call(FileClerkOps.RECLAIM, "");
            }
            r = c.call(FileClerkOps.FSCK, null);
        }
        if (json) {
            if (freed == null) {
                Json.print(r);
            } else {
                java.util.Map<String, Object> both = Json.fields(r); // fsck's own fields, as without --reclaim
                both.put("reclaimed", freed);
                Json.print(both);
            }
        } else {
            if (freed != null) {
                freed.freed().forEach(f -> System.out.println("reclaimed: " + f));
                freed.skipped().forEach(f -> System.out.println("reclaim: " + f));
                System.out.printf(
                        "reclaimed %s (%d item%s)%n",
                        sizes.show(freed.bytes()),
                        freed.freed().size(),
                        freed.freed().size() == 1 ? "" : "s");
            }
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

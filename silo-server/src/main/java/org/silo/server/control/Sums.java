package org.silo.server.control;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.silo.archive.ops.LibraryMessages.FileRef;
import org.silo.archive.ops.LibraryMessages.Job;
import org.silo.archive.ops.LibraryMessages.TransferDone;

/**
 * Seed 004's "Status MD5-pass/fail", judged by the server: a text mover that ends a verify with
 * {@code STATUS done 100 sums} and one {@code SUM BFID ALG:HEX...} line per file (ALG {@code adler32},
 * {@code md5} or {@code sha256}) need not say pass or fail; the server compares each sum with the
 * catalog's (Adler-32 always, md5 or sha256 when the file was put with that {@code --hash}) and records
 * the job passed or failed itself (docs/control-protocol.md, "Sums").
 */
final class Sums {
    static final String SUM = "SUM";
    static final List<String> ALGORITHMS = List.of("adler32", "md5", "sha256");

    private Sums() {}

    /** Whether the STATUS's further lines carry sums. */
    static boolean reported(List<List<String>> lines) {
        return lines.stream().anyMatch(l -> !l.isEmpty() && l.get(0).equalsIgnoreCase(SUM));
    }

    /** The transfer_done for a verify whose sums the worker reported: passed only if every file has a sum the catalog confirms. */
    static TransferDone check(String worker, String name, Job j, List<List<String>> lines, List<String> status) {
        Map<String, List<String>> sums = new HashMap<>();
        List<String> bad = new ArrayList<>();
        for (List<String> l : lines) {
            if (l.isEmpty() || !l.get(0).equalsIgnoreCase(SUM)) {
                continue;
            }
            if (l.size() < 3) {
                bad.add("a SUM line needs a bfid and at least one ALG:HEX: '" + String.join(" ", l) + "'");
                continue;
            }
            sums.computeIfAbsent(l.get(1), k -> new ArrayList<>()).addAll(l.subList(2, l.size()));
        }
        int checked = 0;
        long bytes = 0;
        for (FileRef f : j.files()) {
            List<String> mine = sums.remove(f.bfid());
            String problem = mine == null ? "no SUM reported" : problem(f, mine);
            checked++;
            bytes += f.size();
            if (problem != null) {
                bad.add(f.bfid() + " at " + f.cookie() + ": " + problem);
            }
        }
        for (String stray : sums.keySet()) {
            bad.add(stray + ": not a file of job " + j.id());
        }
        boolean workerFail = status.size() > 2 && status.get(2).equalsIgnoreCase("fail");
        boolean ok = bad.isEmpty() && !workerFail;
        String result = checked + " files, " + bytes + " bytes read by text mover " + name
                + ", sums checked by the server: " + (bad.isEmpty() ? "all good" : bad.size() + " bad");
        String error = ok
                ? null
                : "volume " + j.volume() + ": text mover " + name
                        + (bad.isEmpty()
                                ? " reports fail"
                                : "'s sums: " + bad.size() + " of " + checked + " files bad: "
                                        + String.join("; ", bad));
        return TransferDone.of(worker, j.id())
                .ok(ok)
                .error(error)
                .size(bytes)
                .result(result)
                .faultVolume(ok ? null : j.volume())
                .volumeFault(!ok)
                .build();
    }

    /** Null if some sum of this file is one the catalog has and all such agree; else what differed. */
    private static String problem(FileRef f, List<String> reported) {
        int confirmed = 0;
        for (String s : reported) {
            int colon = s.indexOf(':');
            String alg = colon < 0 ? "" : s.substring(0, colon).toLowerCase(Locale.ROOT);
            String hex = colon < 0 ? "" : s.substring(colon + 1).toLowerCase(Locale.ROOT);
            if (!ALGORITHMS.contains(alg) || hex.isEmpty()) {
                return "'" + s + "' is not ALG:HEX with ALG one of " + String.join(", ", ALGORITHMS);
            }
            String catalog = alg.equals("adler32")
                    ? f.adler32()
                    : f.hash() != null && f.hash().startsWith(alg + ":")
                            ? f.hash().substring(alg.length() + 1)
                            : null;
            if (catalog == null) {
                continue; // the catalog has no sum of this kind: nothing to compare it with
            }
            if (!catalog.equalsIgnoreCase(hex)) {
                return alg + " " + hex + ", the catalog has " + catalog;
            }
            confirmed++;
        }
        return confirmed > 0
                ? null
                : "no sum the catalog can check (it has adler32"
                        + (f.hash() == null
                                ? ""
                                : " and " + f.hash().substring(0, f.hash().indexOf(':'))) + ")";
    }
}

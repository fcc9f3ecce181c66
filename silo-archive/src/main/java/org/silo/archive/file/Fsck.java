package org.silo.archive.file;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.silo.archive.aggregate.ContainerReader;
import org.silo.archive.aggregate.ContainerScan;
import org.silo.archive.catalog.Catalog;
import org.silo.archive.catalog.Sql;
import org.silo.archive.ops.FileMessages.FsckProblem;
import org.silo.archive.ops.FileMessages.FsckReport;
import org.silo.archive.ops.VolumeMessages.VolumeInfo;
import org.silo.archive.volume.Backend;
import org.silo.archive.volume.Checksums;
import org.silo.archive.volume.VolumeClerk;
import org.silo.wire.NotFoundException;
import org.silo.wire.SiloException;

/**
 * fsck (docs/archive.md, "Commands"): every live file's bytes are on its volume at its cookie with its
 * size and Adler-32. A file of its own is read whole; the members of a container are checked by reading
 * the container once, front to back ({@link ContainerReader}), each member against its own record, so a
 * damaged member is named alone. Then each volume is listed: a file on it that the catalog does not know
 * (a container named by a mover that died before its group was recorded, or a file whose record was never
 * made) is a warning, never counted as a good file.
 */
final class Fsck {
    private final Catalog catalog;
    private final VolumeClerk volumes;

    Fsck(Catalog catalog, VolumeClerk volumes) {
        this.catalog = catalog;
        this.volumes = volumes;
    }

    private record Live(
            String bfid,
            String volume,
            String cookie,
            long size,
            String adler32,
            String path,
            String container,
            String hash,
            boolean copy) {}

    FsckReport run() throws SiloException {
        List<Live> live = catalog.tx(c -> Sql.list(
                c,
                "SELECT bfid, volume, cookie, size, adler32, path, container, hash,"
                        + " original IS NOT NULL FROM bit_file"
                        + " WHERE state = 'active' ORDER BY bfid",
                rs -> new Live(
                        rs.getString(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getLong(4),
                        rs.getString(5),
                        rs.getString(6),
                        rs.getString(7),
                        rs.getString(8),
                        rs.getBoolean(9))));
        List<FsckProblem> problems = new ArrayList<>();
        long bytes = 0;
        Map<String, List<Live>> containers = new LinkedHashMap<>();
        for (Live b : live) {
            if (b.container() != null) {
                containers
                        .computeIfAbsent(b.volume() + " " + b.container(), k -> new ArrayList<>())
                        .add(b);
                continue;
            }
            String problem;
            try (InputStream in = backend(b.volume()).open(b.cookie())) {
                long[] size = new long[1];
                String sum = Checksums.adler32(in, size);
                bytes += size[0];
                problem = size[0] != b.size()
                        ? "size " + size[0] + " differs from the record's " + b.size()
                        : !sum.equals(b.adler32())
                                ? "adler32 " + sum + " differs from the record's " + b.adler32()
                                : null;
            } catch (NotFoundException e) {
                problem = "missing: " + e.getMessage();
            } catch (SiloException e) {
                problem = e.getMessage();
            } catch (IOException e) {
                problem = "cannot read: " + e;
            }
            if (problem != null) {
                problems.add(new FsckProblem(b.bfid(), b.path(), b.volume(), b.cookie(), problem));
            }
        }
        for (List<Live> members : containers.values()) {
            bytes += container(members, problems);
        }
        problems.sort(Comparator.comparing(FsckProblem::bfid));
        List<String> warnings = new ArrayList<>();
        for (VolumeInfo v : volumes.list(null)) {
            unknownFiles(v, warnings);
        }
        return new FsckReport(
                live.size(),
                bytes,
                problems,
                warnings,
                live.stream().filter(b -> !b.copy()).count());
    }

    /** Reads a container once and checks each live member of it; returns the bytes read. */
    private long container(List<Live> members, List<FsckProblem> problems) {
        Live first = members.get(0);
        List<Live> byOffset = new ArrayList<>(members);
        byOffset.sort(Comparator.comparingLong(m -> offset(m.cookie())));
        try (ContainerReader r = new ContainerReader(backend(first.volume()).open(first.container()))) {
            for (Live m : byOffset) {
                Backend.Location at = Backend.location(m.cookie());
                String problem = r.check(new ContainerReader.Expected(at.offset(), at.length(), m.adler32(), m.hash()));
                if (problem == null && at.length() != m.size()) {
                    problem = "its cookie says " + at.length() + " bytes, the record " + m.size();
                }
                if (problem != null) {
                    problems.add(new FsckProblem(
                            m.bfid(),
                            m.path(),
                            m.volume(),
                            m.cookie(),
                            "member of container " + m.container() + ": " + problem));
                }
            }
            return r.position();
        } catch (SiloException e) {
            String why = e instanceof NotFoundException
                    ? "missing: container " + first.container() + ": " + e.getMessage()
                    : "container " + first.container() + ": " + e.getMessage();
            for (Live m : byOffset) {
                problems.add(new FsckProblem(m.bfid(), m.path(), m.volume(), m.cookie(), why));
            }
            return 0;
        }
    }

    /** Files on the volume the catalog has no record of: warnings (their bytes are dead space, never a good file). */
    private void unknownFiles(VolumeInfo v, List<String> warnings) {
        List<Long> numbers;
        Backend b;
        try {
            b = volumes.backends().get(v.backend());
            numbers = b.fileNumbers();
        } catch (SiloException e) {
            warnings.add("volume " + v.label() + ": cannot list its files: " + e.getMessage());
            return;
        }
        if (v.writing() == null) { // while a writer holds the volume, its part files are its work in progress
            try {
                for (Backend.Leftover l : b.leftovers()) {
                    warnings.add("volume " + v.label() + " " + l.name() + ": " + l.bytes()
                            + " bytes of an unfinished write (its writer stopped before naming the file);"
                            + " the next writer of the volume removes them, or silo fsck --reclaim");
                }
            } catch (SiloException e) {
                warnings.add("volume " + v.label() + ": cannot list its unfinished writes: " + e.getMessage());
            }
        }
        if (numbers.isEmpty()) {
            return;
        }
        Set<Long> known;
        try {
            known = catalog.tx(c -> Reclaim.recordedNumbers(c, v.label()));
        } catch (SiloException e) {
            warnings.add("volume " + v.label() + ": " + e.getMessage());
            return;
        }
        long lastKnown = known.stream().mapToLong(Long::longValue).max().orElse(0);
        for (long n : numbers) {
            if (known.contains(n)) {
                continue;
            }
            if (v.writing() != null && n > lastKnown) {
                // a mover (on this server or another on the catalog) is writing it now: the newest files are
                // recorded when their group commits, so past the last recorded one they are not yet strays
                continue;
            }
            String cookie = Backend.cookie(n);
            String what;
            try (java.io.PushbackInputStream in = new java.io.PushbackInputStream(b.open(cookie))) {
                int first = in.read();
                if (first < 0) {
                    continue; // emptied by reclaim: no bytes, and its number kept from being given again
                }
                in.unread(first); // read once: the scan starts at the first byte
                ContainerScan.Result s = ContainerScan.scan(in);
                int files = s.members().size() - (s.manifest() == null ? 0 : 1);
                what = s.members().isEmpty()
                        ? "an unrecorded file (not a container): no record names it"
                        : "an orphan container of " + files + " files with no catalog record"
                                + (s.complete() ? "" : " (cut short: " + s.problem() + ")")
                                + ": its group was never recorded (a mover or server stopped between naming it and recording it);"
                                + " its files are not in the archive, its bytes are dead space"
                                + " (silo fsck --reclaim frees them)";
            } catch (IOException | SiloException | RuntimeException e) {
                what = "an unrecorded file that cannot be read: " + e.getMessage();
            }
            warnings.add("volume " + v.label() + " " + cookie + ": " + what);
        }
    }

    private Backend backend(String volume) throws SiloException {
        return volumes.backends().get(volumes.inquire(volume).backend());
    }

    private static long offset(String cookie) {
        try {
            return Backend.location(cookie).offset();
        } catch (SiloException e) {
            return Long.MAX_VALUE;
        }
    }
}

package org.silo.files.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.silo.archive.ArchiveService;
import org.silo.archive.file.FileClerk;
import org.silo.archive.ns.Namespace;
import org.silo.archive.ns.NsPath;
import org.silo.archive.ops.FileMessages.BitFileInfo;
import org.silo.archive.ops.VolumeMessages.VolumeInfo;
import org.silo.archive.transfer.LibraryClient;
import org.silo.archive.transfer.TransferClient;
import org.silo.archive.volume.Backend;
import org.silo.archive.volume.DirBackend;
import org.silo.archive.volume.VolumeClerk;
import org.silo.archive.volume.VolumeState;
import org.silo.wire.ErrorCode;
import org.silo.wire.NotFoundException;
import org.silo.wire.SiloException;

/**
 * {@link ArchivePaths} over the server's own archive: files on directory volumes are found where they lie
 * (the volume's backend and the file's location cookie), and every transfer to or from a volume goes
 * through the library manager and a mover, as {@code silo put} and {@code silo get} do.
 */
public final class ArchiveGateway implements ArchivePaths {
    private final ArchiveService archive;
    private final String callbackHost;

    /**
     * @param callbackHost the address movers connect to for transfers (null: loopback, enough for the
     *                     server's own movers)
     */
    public ArchiveGateway(ArchiveService archive, String callbackHost) {
        this.archive = archive;
        this.callbackHost = callbackHost;
    }

    @Override
    public String canonical(String path) throws SiloException {
        return NsPath.parse(path).toString();
    }

    /**
     * One catalog transaction (SQLite serialises them all): the entry, its bit file, its volume, and its
     * copies with theirs. When the file's volume cannot be read, or its bytes are missing or the wrong
     * size on a directory volume, a copy on a readable volume is used instead, as read_from_hsm does,
     * and the answer says so (docs/files.md, Warnings: OTHER_COPY).
     */
    @Override
    public Located locate(String path) throws SiloException {
        NsPath p = NsPath.parse(path);
        record At(BitFileInfo file, VolumeInfo volume) {}
        long[] modified = new long[1];
        List<At> all = archive.catalog().tx(c -> {
            Namespace.Node n = Namespace.resolve(c, p).orElseThrow(() -> SiloException.notFound("no such file " + p));
            if (n.bfid() == null) {
                throw SiloException.invalid(p + " is a directory");
            }
            BitFileInfo b = FileClerk.get(c, n.bfid());
            List<At> out = new ArrayList<>();
            out.add(new At(b, VolumeClerk.get(c, b.volume())));
            for (BitFileInfo copy : FileClerk.copies(c, b.bfid())) {
                out.add(new At(copy, VolumeClerk.get(c, copy.volume())));
            }
            modified[0] = n.modifiedMs();
            return out;
        });
        SiloException first = null;
        for (At at : all) {
            try {
                Located loc = at(p, at.file(), at.volume(), modified[0]);
                if (first != null && first.code() == ErrorCode.IO && loc.localFile() == null) {
                    // a copy to be staged: staging is a get, which reads the first volume first (its state is fine),
                    // and reads a copy only once a mover has failed there (docs/archive.md, "Reading another copy")
                    continue;
                }
                return first == null
                        ? loc
                        : loc.fromCopy(
                                "read from the copy on volume " + at.volume().label() + ": " + first.getMessage());
            } catch (SiloException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        throw all.size() == 1
                ? first
                : SiloException.of(first.code(), first.getMessage() + ", and no copy is on a readable volume");
    }

    /** Where one bit file (the original or a copy) can be read; PERMISSION or IO if it cannot. */
    private Located at(NsPath p, BitFileInfo b, VolumeInfo v, long modifiedMs) throws SiloException {
        if (!VolumeState.parse(v.state()).readable()) {
            throw SiloException.of(
                    ErrorCode.PERMISSION, "volume " + v.label() + " is " + v.state() + ": " + v.stateReason());
        }
        Backend backend = archive.volumes().backends().get(v.backend());
        Path local = null;
        long offset = 0;
        if (backend instanceof DirBackend dir) {
            // a file of its own, or a member of a container: read in place, from its first byte in the file
            Backend.Location at = Backend.location(b.cookie());
            local = dir.path(b.cookie());
            offset = at.whole() ? 0 : at.offset();
            try {
                long size = Files.size(local);
                if (at.whole() ? size != b.size() : size < at.offset() + at.length() || at.length() != b.size()) {
                    throw SiloException.of(
                            ErrorCode.IO,
                            p + " on " + v.label() + " is " + (at.whole() ? size : at.length()) + " bytes at "
                                    + b.cookie() + " (" + size + " in the file), its record says " + b.size());
                }
            } catch (IOException x) {
                throw SiloException.of(
                        ErrorCode.IO, "cannot find " + p + " on " + v.label() + " at " + b.cookie() + ": " + x);
            }
        }
        return new Located(p.toString(), b.bfid(), b.size(), b.adler32(), v.label(), modifiedMs, local, offset);
    }

    @Override
    public boolean exists(String path) throws SiloException {
        try {
            archive.namespace().stat(path);
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }

    @Override
    public void mkdirs(String dir, String owner) throws SiloException {
        if (!exists(dir)) {
            archive.namespace().mkdir(dir, true, owner);
        }
    }

    @Override
    public void stage(String path, Path dest) throws SiloException {
        try (TransferClient t = transfers(null)) {
            TransferClient.Result r = t.getOne(path, dest);
            if (!r.ok()) {
                throw SiloException.of(ErrorCode.IO, "staging " + path + " failed: " + r.error());
            }
        } catch (IOException e) {
            throw SiloException.of(ErrorCode.IO, "cannot listen for a mover: " + e);
        }
    }

    @Override
    public Stored store(Path src, String path, String owner) throws SiloException {
        try (TransferClient t = transfers(owner)) {
            TransferClient.Result r = t.putOne(src, path);
            if (!r.ok()) {
                ErrorCode code = r.error().contains("already exists")
                        ? ErrorCode.EXISTS
                        : r.error().contains("no directory") ? ErrorCode.NOT_FOUND : ErrorCode.IO;
                throw SiloException.of(code, "archiving " + path + " failed: " + r.error());
            }
            return new Stored(r.dest(), r.bfid(), r.size(), r.adler32());
        } catch (IOException e) {
            throw SiloException.of(ErrorCode.IO, "cannot listen for a mover: " + e);
        }
    }

    private TransferClient transfers(String owner) throws IOException {
        TransferClient.Options d = TransferClient.Options.defaults();
        TransferClient.Options o = new TransferClient.Options(
                d.library(),
                d.storageGroup(),
                d.fileFamily(),
                d.priority(),
                d.verify(),
                d.maxRetry(),
                1,
                callbackHost,
                d.waitForMover(),
                owner);
        return new TransferClient(LibraryClient.local(archive::library, "files"), o);
    }
}

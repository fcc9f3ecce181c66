package org.silo.server.control;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.silo.archive.ArchiveService;
import org.silo.archive.ops.FileMessages;
import org.silo.archive.ops.LibraryMessages;
import org.silo.archive.ops.VolumeMessages;
import org.silo.archive.volume.VolumeState;
import org.silo.block.image.ImageException;
import org.silo.block.image.ImageInfo;
import org.silo.block.image.ImageStore;
import org.silo.control.ControlData;
import org.silo.control.text.WorkerRegistry;
import org.silo.server.access.ServerAccess;
import org.silo.server.block.DiskOps;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;
import org.silo.wire.auth.Authenticator;
import org.silo.wire.auth.Grant;
import org.silo.wire.auth.Grants;

/** What the control front ends see of this server: the archive, the images, the access lists, metrics. */
public final class ServerControlData implements ControlData {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Supplier<Map<String, Object>> status;
    private final ArchiveService archive;
    private final TextMovers textMovers;
    private final Supplier<List<Map<String, Object>>> leases;
    private final ImageStore images;
    private final ServerAccess access;
    private final PrometheusMeterRegistry registry;
    private final WorkerRegistry workers;
    private final SnapshotSource snapshots;

    /** The catalog's snapshots of block images, by image then number ({@code SnapshotService.all}). */
    @FunctionalInterface
    public interface SnapshotSource {
        List<DiskOps.Snapshot> all() throws SiloException;
    }

    /**
     * @param leases   the file access service's leases held now ({@code FilesService.leases})
     * @param workers  the text workers (shared with the text protocol's server)
     * @param xferBase {@code http://HOST:PORT} of the console, where text movers fetch and deliver copies
     * @param snapshots the block images' snapshots
     */
    public ServerControlData(
            Supplier<Map<String, Object>> status,
            ArchiveService archive,
            ImageStore images,
            ServerAccess access,
            PrometheusMeterRegistry registry,
            Supplier<List<Map<String, Object>>> leases,
            WorkerRegistry workers,
            Supplier<String> xferBase,
            SnapshotSource snapshots) {
        this.status = status;
        this.snapshots = snapshots;
        this.leases = leases;
        this.archive = archive;
        this.workers = workers;
        this.textMovers = new TextMovers(archive, xferBase);
        this.images = images;
        this.access = access;
        this.registry = registry;
    }

    @Override
    public Map<String, Object> status() {
        return status.get();
    }

    @Override
    public List<Map<String, Object>> volumes() throws SiloException {
        return rows(archive.volumes().list(new VolumeMessages.ListVols(null, null, null)).stream()
                .map(VolumeMessages.VolumeInfo::redacted)
                .toList());
    }

    @Override
    public List<Map<String, Object>> directory(String path) throws SiloException {
        return entries(archive.namespace().ls(path));
    }

    @Override
    public Map<String, Object> directoryPage(String path, String after, int limit) throws SiloException {
        FileMessages.NsList page = archive.namespace().ls(path, after, Math.max(1, limit));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("entries", entries(page.entries()));
        if (page.next() != null) {
            m.put("next", page.next());
        }
        return m;
    }

    /** Namespace entries, key for key the record's (kind, adler32, ...), as ControlData documents them. */
    private static List<Map<String, Object>> entries(List<FileMessages.NsEntry> list) {
        List<Map<String, Object>> out = new ArrayList<>(list.size());
        for (FileMessages.NsEntry e : list) {
            out.add(row(e));
        }
        return out;
    }

    @Override
    public List<Map<String, Object>> images() throws SiloException {
        try {
            List<Map<String, Object>> out = new ArrayList<>();
            for (ImageInfo i : images.list()) {
                out.add(image(i));
            }
            return out;
        } catch (ImageException e) {
            throw SiloException.of(ErrorCode.IO, e.getMessage());
        }
    }

    @Override
    public List<Map<String, Object>> snapshots() throws SiloException {
        List<Map<String, Object>> out = new ArrayList<>();
        for (DiskOps.Snapshot s : snapshots.all()) {
            out.add(snapshot(s));
        }
        return out;
    }

    /** A snapshot as ControlData documents it: the record less what only a take answers (whyFull, copiedBlocks). */
    private static Map<String, Object> snapshot(DiskOps.Snapshot s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("image", s.image());
        m.put("number", s.number());
        m.put("parent", s.parent());
        m.put("path", s.path());
        m.put("takenMs", s.takenMs());
        m.put("tookMs", s.tookMs());
        m.put("imageSize", s.imageSize());
        m.put("stored", s.stored());
        m.put("dataBytes", s.dataBytes());
        return m;
    }

    @Override
    public List<Map<String, Object>> jobs() throws SiloException {
        return rows(archive.library().list(false, 1000));
    }

    @Override
    public List<Map<String, Object>> movers() throws SiloException {
        return rows(archive.library().movers());
    }

    @Override
    public Map<String, Object> whatis(String kind, String name) throws SiloException {
        return switch (kind) {
            case "volume" -> row(archive.volumes().inquire(name));
            case "file" -> {
                Map<String, Object> m = row(archive.namespace().stat(name));
                Object bfid = m.get("bfid");
                if (bfid instanceof String b && !b.isEmpty()) {
                    FileMessages.BitFileInfo f = archive.files().info(b);
                    m.putAll(row(f));
                }
                yield m;
            }
            case "image" -> {
                try {
                    Map<String, Object> m = image(images.info(name));
                    m.put("snapshots", snapshotRefs(name));
                    yield m;
                } catch (ImageException e) {
                    throw SiloException.of(
                            e.reason() == ImageException.Reason.NOT_FOUND ? ErrorCode.NOT_FOUND : ErrorCode.INVALID,
                            e.getMessage());
                }
            }
            default -> throw SiloException.invalid("kind is volume, file or image, not '" + kind + "'");
        };
    }

    @Override
    public String metrics() {
        return registry.scrape();
    }

    @Override
    public Grants login(String list, char[] password, InetAddress from) throws SiloException {
        access.throttle().check(list, from);
        Authenticator.AccessList l = access.list(list).orElse(null);
        if (l == null) {
            access.throttle().failed(list, from); // guessing list names is guessing too
            throw SiloException.of(ErrorCode.PERMISSION, "login to '" + list + "' refused");
        }
        if (l.verifier() != null && !l.verifier().matches(password)) {
            access.throttle().failed(list, from);
            throw SiloException.of(ErrorCode.PERMISSION, "login to '" + list + "' refused: wrong password");
        }
        access.throttle().succeeded(list, from);
        List<Grant> all = new ArrayList<>(l.grants().grants());
        all.addAll(access.anonymousGrants().grants());
        return new Grants(all);
    }

    @Override
    public Grants anonymous(InetAddress peer) {
        return access.anonymous(peer);
    }

    @Override
    public void setVolumeState(String label, String state, String reason, String who) throws SiloException {
        archive.volumes().setState(label, VolumeState.parse(state), who, reason);
    }

    @Override
    public List<Map<String, Object>> leases() {
        return leases.get();
    }

    @Override
    public MoverAnswer moverStatus(
            String worker, String name, List<String> capabilities, List<String> status, List<List<String>> lines)
            throws SiloException {
        return textMovers.status(worker, name, capabilities, status, lines);
    }

    @Override
    public Fetched fetch(String token) throws SiloException {
        return textMovers.fetch(token);
    }

    @Override
    public String deliver(String token, java.io.InputStream in) throws SiloException {
        return textMovers.deliver(token, in);
    }

    @Override
    public List<Map<String, Object>> workers() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (WorkerRegistry.Worker w : workers.list()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", w.id());
            m.put("name", w.name());
            m.put("state", w.state());
            m.put("percent", w.percent());
            m.put("detail", w.detail());
            m.put("connected", w.connected());
            m.put("version", w.version());
            m.put("capabilities", w.capabilities());
            m.put("done", w.stats().done());
            m.put("failed", w.stats().failed());
            m.put("bytes", w.stats().bytes());
            m.put("bytesPerSecond", w.stats().bytesPerSecond());
            m.put("holdings", w.holdings());
            m.put("holdingsMs", w.holdingsMs());
            out.add(m);
        }
        return out;
    }

    @Override
    public void moverGone(String worker) {
        textMovers.gone(worker);
    }

    @Override
    public Map<String, Object> queueCopy(String file, String volume, String who) throws SiloException {
        return row(archive.library().submitCopy(new LibraryMessages.CopyFile(file, volume, 0), who));
    }

    @Override
    public Map<String, Object> queueVerify(String volume, String who) throws SiloException {
        return row(archive.library().submitVerify(new LibraryMessages.VerifyVolume(volume, 0), who));
    }

    @Override
    public int clearQueue(String who) throws SiloException {
        return archive.library().clear(who);
    }

    @Override
    public Map<String, Object> killJob(long id, String who) throws SiloException {
        return row(archive.library().kill(id));
    }

    @Override
    public Map<String, Object> renameMover(String mover, String name, String who) throws SiloException {
        return row(archive.library().rename(mover, name));
    }

    @Override
    public Map<String, Object> setJobPriority(long id, Integer priority, String who) throws SiloException {
        return row(archive.library().setPriority(id, priority));
    }

    @Override
    public List<Map<String, Object>> mounts() {
        return rows(archive.library().mountRequests());
    }

    @Override
    public Map<String, Object> answerMount(String volume, boolean ok, String reason, String who) throws SiloException {
        return row(archive.library().answerMount(volume, ok, reason, who));
    }

    /** An image's snapshots as NBD and {@code silo disk restore} name them: IMAGE@N, oldest first. */
    private List<String> snapshotRefs(String image) throws SiloException {
        List<String> refs = new ArrayList<>();
        for (DiskOps.Snapshot s : snapshots.all()) {
            if (s.image().equals(image)) {
                refs.add(s.image() + "@" + s.number());
            }
        }
        return refs;
    }

    private static Map<String, Object> image(ImageInfo i) {
        Map<String, Object> m = row(i);
        m.put("policy", i.policy().toString());
        return m;
    }

    private static List<Map<String, Object>> rows(List<?> records) {
        List<Map<String, Object>> out = new ArrayList<>(records.size());
        for (Object r : records) {
            out.add(row(r));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> row(Object record) {
        return new LinkedHashMap<>(JSON.convertValue(record, Map.class));
    }
}

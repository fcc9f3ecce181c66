package org.silo.control.web;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.silo.control.ControlData;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;
import org.silo.wire.auth.Grant;
import org.silo.wire.auth.Grants;
import org.silo.wire.auth.Right;
import org.silo.wire.auth.Scram;

/**
 * An in-memory server for the console's tests: three volumes, a small namespace, two images, and two
 * access lists checked against real SCRAM verifiers ({@code root} is admin, {@code reader} may read).
 * STATUS has the real server's shape; every call to it counts one more request, so it moves. Rows carry
 * the keys the real server's records serialise to (ConsoleFixtureKeysTest in silo-server compares them).
 */
final class FixtureControlData implements ControlData {
    static final String ROOT_PASSWORD = "correct horse";
    static final String READER_PASSWORD = "battery staple";

    private record AccessList(Scram.Verifier verifier, Grants grants) {}

    private final Map<String, AccessList> lists = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Object>> volumes = new ConcurrentHashMap<>();
    private final AtomicLong requests = new AtomicLong(1000);
    private volatile Grants anonymous = Grants.READ;

    FixtureControlData() {
        lists.put("root", new AccessList(Scram.Verifier.of(ROOT_PASSWORD.toCharArray(), Scram.MIN_ITERATIONS), Grants.ALL));
        lists.put("reader", new AccessList(Scram.Verifier.of(READER_PASSWORD.toCharArray(), Scram.MIN_ITERATIONS),
                new Grants(List.of(new Grant("*", "", Right.READ)))));
        volume("TAPE01", "lib1", "LTO-8", 12_000_000_000_000L, 3_000_000_000_000L, "ok", 412);
        volume("TAPE02", "lib1", "LTO-8", 12_000_000_000_000L, 11_500_000_000_000L, "readonly", 17);
        volume("DISK07", "disks", "dir", 500_000_000_000L, 420_000_000_000L, "ok", 88);
    }

    /** What an anonymous caller may do from any address (read by default). */
    void anonymous(Grants grants) {
        this.anonymous = grants;
    }

    private void volume(String label, String library, String media, long capacity, long remaining, String state, int files) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("label", label);
        v.put("library", library);
        v.put("mediaType", media);
        v.put("backend", "dir:/srv/" + label);
        v.put("capacity", capacity);
        v.put("remaining", remaining);
        v.put("storageGroup", "physics");
        v.put("fileFamily", "raw");
        v.put("state", state);
        v.put("stateBy", "setup");
        v.put("stateReason", "");
        v.put("stateMs", 0L);
        v.put("writing", null);
        v.put("mounts", 3L);
        v.put("readErrors", 1L);
        v.put("writeErrors", 0L);
        v.put("files", (long) files);
        v.put("bytesRead", 0L);
        v.put("createdMs", 0L);
        v.put("lastAccessMs", 0L);
        v.put("containers", 2L);
        v.put("deadBytes", 4096L);
        volumes.put(label, v);
    }

    @Override
    public Map<String, Object> status() {
        Map<String, Object> archive = new LinkedHashMap<>();
        archive.put("volumes", volumes.size());
        archive.put("filesActive", 517);
        archive.put("copiesActive", 0);
        archive.put("bytesActive", 8_123_456_789L);
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("sessions", 4);
        message.put("requests", requests.addAndGet(25));
        Map<String, Object> block = new LinkedHashMap<>();
        block.put("images", 2);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", "fixture");
        m.put("version", "test");
        m.put("message", message);
        m.put("archive", archive);
        m.put("block", block);
        m.put("bytesMoved", requests.get() * 4096);
        return m;
    }

    @Override
    public List<Map<String, Object>> volumes() {
        List<Map<String, Object>> rows = new ArrayList<>();
        volumes.values().forEach(v -> rows.add(new LinkedHashMap<>(v)));
        rows.sort((a, b) -> String.valueOf(a.get("label")).compareTo(String.valueOf(b.get("label"))));
        return rows;
    }

    @Override
    public List<Map<String, Object>> directory(String path) throws SiloException {
        return switch (path) {
            case "/" -> List.of(dir("/", "data"), dir("/", "home"));
            case "/data" -> List.of(file("/data", "run1.raw", 1_048_576, "TAPE01", "0a1b2c3d"),
                    file("/data", "run2.raw", 2_097_152, "TAPE02", "11223344"), dir("/data", "calib"));
            case "/data/calib", "/home" -> List.of();
            default -> throw SiloException.notFound("no directory " + path);
        };
    }

    private static Map<String, Object> dir(String parent, String name) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("path", (parent.equals("/") ? "" : parent) + "/" + name);
        m.put("kind", "dir");
        m.put("owner", "root");
        m.put("createdMs", 0L);
        m.put("modifiedMs", 0L);
        m.put("bfid", null);
        m.put("size", 0L);
        m.put("adler32", null);
        m.put("volume", null);
        return m;
    }

    private static Map<String, Object> file(String parent, String name, long size, String volume, String checksum) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("path", parent + "/" + name);
        m.put("kind", "file");
        m.put("owner", "root");
        m.put("createdMs", 0L);
        m.put("modifiedMs", 0L);
        m.put("bfid", "B" + Math.abs(name.hashCode()));
        m.put("size", size);
        m.put("adler32", checksum);
        m.put("volume", volume);
        return m;
    }

    @Override
    public List<Map<String, Object>> images() {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("name", "retro-disk");
        a.put("sizeBytes", 10_737_418_240L);
        a.put("allocatedBytes", 1_234_567_890L);
        a.put("readOnly", false);
        a.put("holders", List.of("nbd 10.0.0.5:53422"));
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("name", "scratch");
        b.put("sizeBytes", 1_073_741_824L);
        b.put("allocatedBytes", 0L);
        b.put("readOnly", true);
        b.put("holders", List.of());
        return List.of(a, b);
    }

    @Override
    public Map<String, Object> whatis(String kind, String name) throws SiloException {
        switch (kind) {
            case "volume" -> {
                Map<String, Object> v = volumes.get(name);
                if (v == null) {
                    throw SiloException.notFound("no volume " + name);
                }
                return new LinkedHashMap<>(v);
            }
            case "file" -> {
                int slash = name.lastIndexOf('/');
                String parent = slash <= 0 ? "/" : name.substring(0, slash);
                for (Map<String, Object> e : directory(parent)) {
                    if (name.equals(e.get("path"))) {
                        return e;
                    }
                }
                throw SiloException.notFound("no file " + name);
            }
            case "image" -> {
                return images().stream().filter(i -> i.get("name").equals(name)).findFirst()
                        .orElseThrow(() -> SiloException.notFound("no image " + name));
            }
            default -> throw SiloException.invalid("kind is volume, file or image");
        }
    }

    @Override
    public String metrics() {
        return "# TYPE silo_wire_requests_total counter\nsilo_wire_requests_total " + requests.get() + "\n";
    }

    /** RFC 5802 §3: the password is right when H(ClientKey) equals the stored StoredKey. */
    @Override
    public Grants login(String list, char[] password, InetAddress from) throws SiloException {
        AccessList a = lists.get(list);
        if (a == null) {
            throw SiloException.of(ErrorCode.PERMISSION, "no such list or wrong password");
        }
        if (!a.verifier().matches(password)) {
            throw SiloException.of(ErrorCode.PERMISSION, "no such list or wrong password");
        }
        return a.grants();
    }

    @Override
    public Grants anonymous(InetAddress peer) {
        return anonymous;
    }

    @Override
    public void setVolumeState(String label, String state, String reason, String who) throws SiloException {
        Map<String, Object> v = volumes.get(label);
        if (v == null) {
            throw SiloException.notFound("no volume " + label);
        }
        v.put("state", state);
        v.put("stateReason", reason);
        v.put("stateBy", who);
    }

    /** A transfer in progress: each look at the movers finds it 1 MiB further on, as a real one would be. */
    private final AtomicLong moved = new AtomicLong();

    /** The queue: job 12 runs on mover1 (its progress moves); jobs queued by QUEUE or the tests wait. */
    private final Map<Long, Map<String, Object>> jobs = new java.util.concurrent.ConcurrentSkipListMap<>();
    private final AtomicLong nextJob = new AtomicLong(13);
    private final Map<String, Map<String, Object>> mounts = new ConcurrentHashMap<>();

    {
        job(12L, "write", "active", "/exp/big.dat", 64L << 20, "DEF001", "mover1");
    }

    private Map<String, Object> job(long id, String kind, String state, String path, long size, String volume, String mover) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("id", id);
        j.put("kind", kind);
        j.put("state", state);
        j.put("effectivePriority", 1);
        j.put("path", path);
        j.put("size", size);
        j.put("volume", volume);
        j.put("mover", mover == null ? null : "a1");
        j.put("moverName", mover);
        jobs.put(id, j);
        return j;
    }

    /** A mount waiting for an operator, as a manual changer's mover asks for one. */
    void mountWaiting(String volume, String mover) {
        mounts.put(volume, new LinkedHashMap<>(Map.of("volume", volume, "drive", mover, "mover", mover, "job", 12L, "state", "waiting",
                "sinceMs", System.currentTimeMillis())));
    }

    @Override
    public List<Map<String, Object>> jobs() {
        return jobs.values().stream().filter(j -> j.get("state").equals("queued") || j.get("state").equals("active"))
                .map(LinkedHashMap::new).map(m -> (Map<String, Object>) m).toList();
    }

    @Override
    public Map<String, Object> queueCopy(String file, String volume, String who) throws SiloException {
        if (!file.startsWith("/") && !file.startsWith("sha256:") && !file.startsWith("md5:")) {
            throw SiloException.invalid("a file is a path or a content hash, not '" + file + "'");
        }
        return job(nextJob.getAndIncrement(), "copy", "queued", file, 1000, volume, null);
    }

    @Override
    public Map<String, Object> queueVerify(String volume, String who) throws SiloException {
        if (!volumes.containsKey(volume)) {
            throw SiloException.notFound("no volume " + volume);
        }
        return job(nextJob.getAndIncrement(), "verify", "queued", "vol:" + volume, 0, volume, null);
    }

    @Override
    public int clearQueue(String who) {
        int n = 0;
        for (Map<String, Object> j : jobs.values()) {
            if (j.get("state").equals("queued")) {
                j.put("state", "cancelled");
                n++;
            }
        }
        return n;
    }

    @Override
    public Map<String, Object> killJob(long id, String who) throws SiloException {
        Map<String, Object> j = jobs.get(id);
        if (j == null) {
            throw SiloException.notFound("no job " + id);
        }
        j.put("state", "cancelled");
        return j;
    }

    @Override
    public Map<String, Object> setJobPriority(long id, Integer priority, String who) throws SiloException {
        Map<String, Object> j = jobs.get(id);
        if (j == null) {
            throw SiloException.notFound("no job " + id);
        }
        j.put("effectivePriority", priority == null ? 1 : priority);
        return j;
    }

    @Override
    public List<Map<String, Object>> mounts() {
        return List.copyOf(mounts.values());
    }

    @Override
    public Map<String, Object> answerMount(String volume, boolean ok, String reason, String who) throws SiloException {
        Map<String, Object> m = mounts.remove(volume);
        if (m == null) {
            throw SiloException.notFound("no mount of " + volume + " is waiting for an operator");
        }
        m.put("state", ok ? "confirmed" : "refused");
        m.put("by", who);
        return m;
    }

    @Override
    public List<Map<String, Object>> movers() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", "a1");
        m.put("name", moverName);
        m.put("state", "active");
        m.put("volume", "DEF001");
        m.put("job", 12L);
        m.put("bytesDone", Math.min(64L << 20, moved.addAndGet(1 << 20)));
        m.put("bytesTotal", 64L << 20);
        m.put("bytesPerSecond", 1.0e6);
        m.put("bytes", 0L);
        m.put("files", 0L);
        m.put("errors", 0L);
        return List.of(m);
    }

    @Override
    public MoverAnswer moverStatus(String worker, String name, List<String> capabilities, List<String> status,
            List<List<String>> lines) {
        return MoverAnswer.ok(List.of()); // no library manager here: the whole server's test (TextMoverTest) covers text movers
    }

    @Override
    public void moverGone(String worker) {
        // nothing to give back
    }

    /** Two readers of a file and a writer of an image; the second reader's lease has been recalled. */
    @Override
    public List<Map<String, Object>> leases() {
        long now = System.currentTimeMillis();
        return List.of(lease("/exp/run1.dat", "alice-laptop", "read", now + 30_000, false),
                lease("/exp/run1.dat", "bob-ws", "read", now + 12_000, true),
                lease("device:retro", "qemu-3", "write", now + 60_000, false));
    }

    private static Map<String, Object> lease(String object, String holder, String kind, long expires, boolean recalled) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("object", object);
        m.put("holder", holder);
        m.put("kind", kind);
        m.put("expiresMs", expires);
        m.put("recalled", recalled);
        return m;
    }

    private volatile String moverName = "mover1";

    @Override
    public Map<String, Object> renameMover(String mover, String name, String who) throws SiloException {
        if (!mover.equals("a1") && !mover.equals(moverName)) {
            throw SiloException.notFound("no mover " + mover);
        }
        moverName = name;
        return movers().get(0);
    }
}

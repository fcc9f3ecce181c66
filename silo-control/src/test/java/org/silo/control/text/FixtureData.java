package org.silo.control.text;

import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.silo.control.ControlData;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;
import org.silo.wire.auth.Grants;
import org.silo.wire.auth.Scram;

/**
 * A small, fixed server state for the control protocol's tests: one image, one volume, one list "op"
 * with password "pw" checked against a real SCRAM verifier. The server's own implementation is tested
 * with the whole server in silo-server.
 */
final class FixtureData implements ControlData {
    private final Grants anonymous;
    private final Scram.Verifier op = Scram.Verifier.of("pw".toCharArray(), Scram.MIN_ITERATIONS);

    FixtureData(Grants anonymous) {
        this.anonymous = anonymous;
    }

    @Override
    public Map<String, Object> status() {
        return Map.of("name", "fixture");
    }

    @Override
    public List<Map<String, Object>> volumes() {
        return List.of(volume());
    }

    private static Map<String, Object> volume() {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("label", "DEF001");
        v.put("library", "default");
        v.put("state", "ok");
        return v;
    }

    @Override
    public List<Map<String, Object>> directory(String path) {
        return List.of();
    }

    @Override
    public List<Map<String, Object>> images() {
        return List.of(image());
    }

    private static Map<String, Object> image() {
        Map<String, Object> i = new LinkedHashMap<>();
        i.put("name", "retro");
        i.put("sizeBytes", 67108864L);
        i.put("readOnly", false);
        i.put("holders", List.of("nbd 127.0.0.1 (write)", "blockhead 127.0.0.1 (read)"));
        return i;
    }

    @Override
    public List<Map<String, Object>> jobs() {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("id", 7L);
        j.put("kind", "write");
        j.put("state", "running");
        j.put("effectivePriority", 3);
        j.put("path", "/exp/run1.dat");
        j.put("size", 1000L);
        j.put("volume", "DEF001");
        j.put("mover", "m-1");
        j.put("moverName", "mover1");
        List<Map<String, Object>> all = new java.util.ArrayList<>(List.of(j));
        all.addAll(queued);
        return all;
    }

    /** Jobs queued by QUEUE: they wait (no mover here) until CLEAR. */
    private final List<Map<String, Object>> queued = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final java.util.concurrent.atomic.AtomicLong nextJob = new java.util.concurrent.atomic.AtomicLong(8);

    private Map<String, Object> queue(String kind, String path, String volume) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("id", nextJob.getAndIncrement());
        j.put("kind", kind);
        j.put("state", "queued");
        j.put("effectivePriority", 0);
        j.put("path", path);
        j.put("size", 0L);
        j.put("volume", volume == null ? "" : volume);
        j.put("mover", null);
        j.put("moverName", null);
        queued.add(j);
        return j;
    }

    @Override
    public Map<String, Object> queueCopy(String file, String volume, String who) throws SiloException {
        if (file.startsWith("sha256:") && !file.matches("sha256:[0-9a-f]{64}")) {
            throw SiloException.invalid("a content hash is md5:HEX32 or sha256:HEX64, not '" + file + "'");
        }
        if (file.startsWith("/nothing")) {
            throw SiloException.notFound("no such file " + file);
        }
        return queue("copy", file, volume);
    }

    @Override
    public Map<String, Object> queueVerify(String volume, String who) throws SiloException {
        if (!volume.equals("DEF001")) {
            throw SiloException.notFound("no volume " + volume);
        }
        return queue("verify", "vol:" + volume, volume);
    }

    @Override
    public int clearQueue(String who) {
        int n = queued.size();
        queued.clear();
        return n;
    }

    @Override
    public Map<String, Object> killJob(long id, String who) {
        throw new IllegalStateException("not used by the text protocol");
    }

    @Override
    public Map<String, Object> setJobPriority(long id, Integer priority, String who) {
        throw new IllegalStateException("not used by the text protocol");
    }

    @Override
    public List<Map<String, Object>> mounts() {
        return List.of();
    }

    @Override
    public Map<String, Object> answerMount(String volume, boolean ok, String reason, String who) {
        throw new IllegalStateException("not used by the text protocol");
    }

    /** Bytes mover1 has moved of its job's 1000; a test moves it on. */
    volatile long moverDone = 250;

    @Override
    public List<Map<String, Object>> movers() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", "m-1");
        m.put("name", "mover1");
        m.put("state", "active");
        m.put("volume", "DEF001");
        m.put("job", 7L);
        m.put("bytesDone", moverDone);
        m.put("bytesTotal", 1000L);
        m.put("bytesPerSecond", 2.5e6);
        return List.of(m);
    }

    @Override
    public Map<String, Object> whatis(String kind, String name) throws SiloException {
        if (kind.equals("image") && name.equals("retro")) {
            return image();
        }
        if (kind.equals("volume") && name.equals("DEF001")) {
            return volume();
        }
        throw SiloException.notFound("no " + kind + " named '" + name + "'");
    }

    @Override
    public String metrics() {
        return "";
    }

    @Override
    public Grants login(String list, char[] password, InetAddress from) throws SiloException {
        if (list.equals("op") && op.matches(password)) {
            return Grants.ALL;
        }
        if (list.equals("reader") && op.matches(password)) { // a login that adds nothing: refusals after it are 403
            return Grants.READ;
        }
        throw SiloException.of(ErrorCode.PERMISSION, "login to '" + list + "' refused");
    }

    @Override
    public Grants anonymous(InetAddress peer) {
        return anonymous;
    }

    @Override
    public void setVolumeState(String label, String state, String reason, String who) {
        throw new IllegalStateException("not used by the text protocol");
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

    @Override
    public List<Map<String, Object>> leases() {
        return List.of();
    }

    @Override
    public Map<String, Object> renameMover(String mover, String name, String who) {
        throw new IllegalStateException("not used by the text protocol");
    }
}

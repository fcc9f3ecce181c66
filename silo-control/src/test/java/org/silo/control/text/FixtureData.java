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
        j.put("mover", "mover1");
        return List.of(j);
    }

    @Override
    public List<Map<String, Object>> movers() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", "m-1");
        m.put("name", "mover1");
        m.put("state", "active");
        m.put("volume", "DEF001");
        m.put("job", 7L);
        m.put("bytesDone", 250L);
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
    public Grants login(String list, char[] password) throws SiloException {
        if (list.equals("op") && op.matches(password)) {
            return Grants.ALL;
        }
        throw new SiloException(ErrorCode.PERMISSION, "login to '" + list + "' refused");
    }

    @Override
    public Grants anonymous(InetAddress peer) {
        return anonymous;
    }

    @Override
    public void setVolumeState(String label, String state, String reason, String who) {
        throw new IllegalStateException("not used by the text protocol");
    }
}

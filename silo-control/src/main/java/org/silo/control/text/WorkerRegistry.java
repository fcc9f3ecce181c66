package org.silo.control.text;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.LoggerFactory;

/**
 * The workers seed 004 describes: known by a persistent id they choose, given friendly names by people
 * ("box X burned 10 CDs"), reporting capabilities and status, with statistics (jobs done and failed,
 * bytes, rate: "box X burns slowly and unreliably") and what each holds, as its last INFO said (the
 * seed's "server query client"). Names and statistics are kept in JSON files so they survive reconnects
 * and restarts; live state and holdings are kept in memory. Thread-safe.
 */
public final class WorkerRegistry {
    /**
     * One worker as displays see it. {@code version}: the version its ID gave (seed 004: {@code ID\tV[version]}),
     * empty if none. {@code holdings}: the lines of its last INFO (kind, name, detail...), answered at
     * {@code holdingsMs} (0: never).
     */
    public record Worker(
            String id,
            String name,
            List<String> capabilities,
            String state,
            int percent,
            String detail,
            boolean connected,
            String version,
            Stats stats,
            List<List<String>> holdings,
            long holdingsMs) {

        Worker with(String name, List<String> caps, String state, int percent, String detail, boolean connected) {
            return new Worker(id, name, caps, state, percent, detail, connected, version, stats, holdings, holdingsMs);
        }
    }

    /**
     * A worker's jobs: done, failed, the bytes of those done, and the time spent on all of them (from the
     * first STATUS that was not idle to the job's end), whence its rate.
     */
    public record Stats(long done, long failed, long bytes, long busyMs) {
        public static final Stats NONE = new Stats(0, 0, 0, 0);

        /** Bytes per second over the time spent on jobs; 0 before any. */
        public double bytesPerSecond() {
            return busyMs <= 0 ? 0 : bytes * 1000.0 / busyMs;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path namesFile;
    private final Path statsFile;
    private final Map<String, String> names = new TreeMap<>();
    private final Map<String, Stats> stats = new TreeMap<>();
    private final Map<String, Long> busySince = new TreeMap<>();
    private final Map<String, Worker> workers = new TreeMap<>();
    private final List<Consumer<Worker>> listeners = new CopyOnWriteArrayList<>();

    /** @param namesFile where friendly names are kept (statistics beside it); null keeps them in memory only */
    public WorkerRegistry(Path namesFile) throws IOException {
        this.namesFile = namesFile;
        this.statsFile = namesFile == null ? null : namesFile.resolveSibling("worker-stats.json");
        if (namesFile != null && Files.exists(namesFile)) {
            names.putAll(JSON.readValue(namesFile.toFile(), new TypeReference<Map<String, String>>() {}));
        }
        if (statsFile != null && Files.exists(statsFile)) {
            stats.putAll(JSON.readValue(statsFile.toFile(), new TypeReference<Map<String, Stats>>() {}));
        }
    }

    public synchronized void connected(String id) {
        connected(id, "");
    }

    /** A worker said ID, with the version of its software (empty: none said). */
    public synchronized void connected(String id, String version) {
        Worker w = workers.get(id);
        workers.put(
                id,
                w == null
                        ? new Worker(
                                id,
                                names.getOrDefault(id, ""),
                                List.of(),
                                "idle",
                                0,
                                "",
                                true,
                                version,
                                statsOf(id),
                                List.of(),
                                0)
                        : new Worker(
                                id,
                                nameOf(id),
                                w.capabilities(),
                                w.state(),
                                w.percent(),
                                w.detail(),
                                true,
                                version,
                                statsOf(id),
                                w.holdings(),
                                w.holdingsMs()));
    }

    public synchronized void disconnected(String id) {
        Worker w = workers.get(id);
        if (w != null) {
            busySince.remove(id);
            publish(w.with(nameOf(id), w.capabilities(), "offline", w.percent(), w.detail(), false));
        }
    }

    public synchronized void capabilities(String id, List<String> caps) {
        Worker w = workers.get(id);
        if (w != null) {
            workers.put(id, w.with(nameOf(id), List.copyOf(caps), w.state(), w.percent(), w.detail(), w.connected()));
        }
    }

    public synchronized void status(String id, String state, int percent, String detail) {
        Worker w = workers.get(id);
        if (w != null) {
            if (!state.equalsIgnoreCase("idle") && !state.equalsIgnoreCase("avail")) {
                busySince.putIfAbsent(id, System.currentTimeMillis());
            }
            publish(w.with(nameOf(id), w.capabilities(), state, percent, detail, w.connected()));
        }
    }

    /**
     * A job of this worker ended, passed or failed, with the bytes it moved; counted in its statistics and
     * kept in the statistics file.
     */
    public synchronized void finished(String id, boolean ok, long bytes) throws IOException {
        Stats s = statsOf(id);
        Long since = busySince.remove(id);
        long spent = since == null ? 0 : Math.max(0, System.currentTimeMillis() - since);
        Stats next = new Stats(
                s.done() + (ok ? 1 : 0), s.failed() + (ok ? 0 : 1), s.bytes() + (ok ? bytes : 0), s.busyMs() + spent);
        Map<String, Stats> all = new TreeMap<>(stats);
        all.put(id, next);
        write(statsFile, all);
        stats.put(id, next);
        Worker w = workers.get(id);
        if (w != null) {
            workers.put(
                    id,
                    new Worker(
                            id,
                            w.name(),
                            w.capabilities(),
                            w.state(),
                            w.percent(),
                            w.detail(),
                            w.connected(),
                            w.version(),
                            next,
                            w.holdings(),
                            w.holdingsMs()));
        }
    }

    /** What a worker holds, as its INFO said (seed 004's answer to WHATIS): one line per thing, kind and name first. */
    public synchronized void holdings(String id, List<List<String>> lines) {
        Worker w = workers.get(id);
        if (w != null) {
            workers.put(
                    id,
                    new Worker(
                            id,
                            w.name(),
                            w.capabilities(),
                            w.state(),
                            w.percent(),
                            w.detail(),
                            w.connected(),
                            w.version(),
                            w.stats(),
                            List.copyOf(lines),
                            System.currentTimeMillis()));
        }
    }

    /** Gives a worker a friendly name, known or not yet seen; kept in the names file. */
    public synchronized void name(String id, String name) throws IOException {
        Map<String, String> next = new TreeMap<>(names);
        next.put(id, name);
        write(namesFile, next);
        names.clear();
        names.putAll(next);
        Worker w = workers.get(id);
        if (w != null) {
            publish(w.with(name, w.capabilities(), w.state(), w.percent(), w.detail(), w.connected()));
        }
    }

    public synchronized Worker get(String id) {
        return workers.get(id);
    }

    public synchronized List<Worker> list() {
        return new ArrayList<>(workers.values());
    }

    /** Called with every change, for the STATUS pushes to displays. */
    public void subscribe(Consumer<Worker> listener) {
        listeners.add(listener);
    }

    private Stats statsOf(String id) {
        return stats.getOrDefault(id, Stats.NONE);
    }

    private String nameOf(String id) {
        return names.getOrDefault(id, "");
    }

    private static void write(Path file, Object value) throws IOException {
        if (file != null) {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.write(tmp, JSON.writeValueAsBytes(value));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    private void publish(Worker w) {
        workers.put(w.id(), w);
        for (Consumer<Worker> l : listeners) {
            try {
                l.accept(w);
            } catch (RuntimeException e) {
                LoggerFactory.getLogger(WorkerRegistry.class).debug("worker listener failed: {}", e.toString());
            }
        }
    }
}

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

/**
 * The workers seed 004 describes: known by a persistent id they choose, given friendly names by people
 * ("box X burned 10 CDs"), reporting capabilities and status. Names are kept in a JSON file so they
 * survive reconnects and restarts; live state is kept in memory. Thread-safe.
 */
public final class WorkerRegistry {
    /**
     * One worker as displays see it. {@code version}: the version its ID gave (seed 004: {@code ID\tV[version]}),
     * empty if none.
     */
    public record Worker(String id, String name, List<String> capabilities, String state, int percent, String detail,
            boolean connected, String version) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path namesFile;
    private final Map<String, String> names = new TreeMap<>();
    private final Map<String, Worker> workers = new TreeMap<>();
    private final List<Consumer<Worker>> listeners = new CopyOnWriteArrayList<>();

    /** @param namesFile where friendly names are kept; null keeps them in memory only */
    public WorkerRegistry(Path namesFile) throws IOException {
        this.namesFile = namesFile;
        if (namesFile != null && Files.exists(namesFile)) {
            names.putAll(JSON.readValue(namesFile.toFile(), new TypeReference<Map<String, String>>() {}));
        }
    }

    public synchronized void connected(String id) {
        connected(id, "");
    }

    /** A worker said ID, with the version of its software (empty: none said). */
    public synchronized void connected(String id, String version) {
        Worker w = workers.get(id);
        workers.put(id, w == null ? new Worker(id, names.getOrDefault(id, ""), List.of(), "idle", 0, "", true, version)
                : new Worker(id, nameOf(id), w.capabilities(), w.state(), w.percent(), w.detail(), true, version));
    }

    public synchronized void disconnected(String id) {
        Worker w = workers.get(id);
        if (w != null) {
            publish(new Worker(id, nameOf(id), w.capabilities(), "offline", w.percent(), w.detail(), false, w.version()));
        }
    }

    public synchronized void capabilities(String id, List<String> caps) {
        Worker w = workers.get(id);
        if (w != null) {
            workers.put(id, new Worker(id, nameOf(id), List.copyOf(caps), w.state(), w.percent(), w.detail(), w.connected(), w.version()));
        }
    }

    public synchronized void status(String id, String state, int percent, String detail) {
        Worker w = workers.get(id);
        if (w != null) {
            publish(new Worker(id, nameOf(id), w.capabilities(), state, percent, detail, w.connected(), w.version()));
        }
    }

    /** Gives a worker a friendly name, known or not yet seen; kept in the names file. */
    public synchronized void name(String id, String name) throws IOException {
        Map<String, String> next = new TreeMap<>(names);
        next.put(id, name);
        if (namesFile != null) {
            Path tmp = namesFile.resolveSibling(namesFile.getFileName() + ".tmp");
            Files.write(tmp, JSON.writeValueAsBytes(next));
            Files.move(tmp, namesFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        names.clear();
        names.putAll(next);
        Worker w = workers.get(id);
        if (w != null) {
            publish(new Worker(id, name, w.capabilities(), w.state(), w.percent(), w.detail(), w.connected(), w.version()));
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

    private String nameOf(String id) {
        return names.getOrDefault(id, "");
    }

    private void publish(Worker w) {
        workers.put(w.id(), w);
        for (Consumer<Worker> l : listeners) {
            l.accept(w);
        }
    }
}

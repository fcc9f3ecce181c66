package org.silo.archive.volume;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import org.silo.wire.SiloException;

/**
 * Opens volume backends from their catalog strings and keeps one instance per string, so appends to one
 * volume are ordered by one lock. Relative {@code dir:} paths are resolved against the data directory.
 */
public final class Backends implements AutoCloseable {
    private final Path dataDir;
    private final UnaryOperator<Backend> decorate;
    private final Map<String, Backend> open = new ConcurrentHashMap<>();

    public Backends(Path dataDir) {
        this(dataDir, UnaryOperator.identity());
    }

    /** Each backend, as it is opened, is passed through {@code decorate} (a wrapper that injects faults, in tests). */
    public Backends(Path dataDir, UnaryOperator<Backend> decorate) {
        this.dataDir = dataDir;
        this.decorate = decorate;
    }

    /** Checks the syntax of a backend string and returns it in canonical form. */
    public String canonical(String spec) throws SiloException {
        if (spec == null || spec.isBlank()) {
            throw SiloException.invalid("empty backend: use dir:PATH or s3://BUCKET/PREFIX");
        }
        if (spec.startsWith("dir:")) {
            String p = spec.substring(4);
            if (p.isBlank() || p.indexOf('\0') >= 0) {
                throw SiloException.invalid("bad backend '" + spec + "': dir:PATH needs a path");
            }
            return "dir:" + dataDir.resolve(p).toAbsolutePath().normalize();
        }
        if (spec.startsWith("s3://")) {
            S3Backend.connect(spec).close();
            return spec;
        }
        throw SiloException.invalid("unknown backend '" + spec + "': use dir:PATH or s3://BUCKET/PREFIX");
    }

    public Backend get(String spec) throws SiloException {
        Backend b = open.get(spec);
        if (b != null) {
            return b;
        }
        Backend made = decorate.apply(
                spec.startsWith("s3://")
                        ? S3Backend.connect(spec)
                        : new DirBackend(Path.of(canonical(spec).substring(4))));
        Backend prior = open.putIfAbsent(spec, made);
        if (prior != null) {
            made.close();
            return prior;
        }
        return made;
    }

    @Override
    public void close() {
        open.values().forEach(Backend::close);
        open.clear();
    }
}

package org.silo.wire.server;

import java.util.Map;

/**
 * One service of the server (the archive, the block service, the file access service, access control):
 * what the server program needs of each to run it. The rule for operation tables: a service registers
 * its own operations, from its own {@code *Ops} class, in {@link #register}; the server program only
 * adds services ({@code SiloServer.addService}), and knows none of their operations.
 *
 * <pre>{@code
 * ArchiveService archive = ArchiveService.open(data, config.get("catalog"), settings);
 * server.addService("archive", archive);    // archive.register(dispatcher); STATUS shows archive.status()
 * ...
 * server.close();                           // closes every service, the last added first
 * }</pre>
 */
public interface Service extends AutoCloseable {
    /** Registers every operation of this service with the server's dispatcher. */
    void register(Dispatcher dispatcher);

    /** This service's part of STATUS: plain values, lists and maps, with camelCase keys. */
    Map<String, Object> status();

    /** Releases what the service holds; it answers no operation afterwards. */
    @Override
    void close();
}

package org.silo.files.server;

import java.nio.file.Path;

/**
 * The file access service's settings (docs/configuration.md, the {@code files.*} keys).
 *
 * @param cacheDir      where staged copies and files being written are kept ({@code <data>/files-cache})
 * @param cacheBytes    the most the staged copies may take ({@code files.cache-size})
 * @param waitMillis    the longest an open waits for a staging, or a close for archiving, before it
 *                      answers BUSY ("open again to wait"); below the clients' 30 s deadline
 *                      ({@code files.stage-wait})
 * @param dataAddress   the address the out-of-band data port listens on (the server's listen address)
 * @param dataPort      its port; 0 for any free one
 * @param lookupMillis  how long where an archive path was found is remembered ({@code files.lookup-cache}; 0: not)
 * @param urlAllow      the addresses the URL gateway may reach beyond public ones ({@code files.url-allow})
 */
public record FilesSettings(
        Path cacheDir,
        long cacheBytes,
        long waitMillis,
        java.net.InetAddress dataAddress,
        int dataPort,
        long lookupMillis,
        GatewayAddressPolicy urlAllow) {
    /** Without the lookup cache; URLs to public addresses only. */
    public FilesSettings(
            Path cacheDir, long cacheBytes, long waitMillis, java.net.InetAddress dataAddress, int dataPort) {
        this(cacheDir, cacheBytes, waitMillis, dataAddress, dataPort, 0, GatewayAddressPolicy.DEFAULT);
    }

    /** Returns these settings with the URL gateway allowed to reach what {@code allow} lists. */
    public FilesSettings withUrlAllow(GatewayAddressPolicy allow) {
        return new FilesSettings(cacheDir, cacheBytes, waitMillis, dataAddress, dataPort, lookupMillis, allow);
    }
}

package org.silo.files.client;

import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.silo.files.FilesOps;
import org.silo.files.FilesOps.Name;
import org.silo.wire.BusyException;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;
import org.silo.wire.client.SiloClient;

/**
 * The file service's calls that may have to be repeated: an open that waits for a staging or for read
 * leases to be recalled, and a close that waits for a file to be archived, both answered BUSY "... retry
 * after N ms" when they take longer than the server will hold one request (docs/files.md). Each is
 * repeated after the time the server names, until {@code patience} has passed.
 *
 * <pre>{@code
 * FilesClient files = new FilesClient(siloClient, Duration.ofHours(1));
 * FilesOps.Opened o = files.open(FilesOps.READ, FilesOps.CAPABILITY, Name.path("/exp/run1.dat"));
 * }</pre>
 */
public final class FilesClient {
    private static final Pattern RETRY = Pattern.compile("retry after (\\d+) ms");
    private final SiloClient client;
    private final Duration patience;

    public FilesClient(SiloClient client, Duration patience) {
        this.client = client;
        this.patience = patience;
    }

    public SiloClient wire() {
        return client;
    }

    public FilesOps.Opened open(int flags, int handleType, Name... names) throws SiloException {
        return again(() -> client.call(FilesOps.OPEN, new FilesOps.Open(flags, handleType, List.of(names))));
    }

    public FilesOps.Closed close(FilesOps.Handle h) throws SiloException {
        return again(() -> client.call(FilesOps.CLOSE, h));
    }

    private interface Call<T> {
        T run() throws SiloException;
    }

    private <T> T again(Call<T> call) throws SiloException {
        long deadline = System.nanoTime() + patience.toNanos();
        while (true) {
            try {
                return call.run();
            } catch (BusyException e) {
                Matcher m = e.getMessage() == null ? null : RETRY.matcher(e.getMessage());
                if (m == null || !m.find() || System.nanoTime() > deadline) {
                    throw e;
                }
                long ms = Math.clamp(Long.parseLong(m.group(1)), 50, 5_000);
                try {
                    Thread.sleep(ms);
                } catch (InterruptedException x) {
                    Thread.currentThread().interrupt();
                    throw SiloException.of(ErrorCode.INTERNAL, "interrupted");
                }
            }
        }
    }
}

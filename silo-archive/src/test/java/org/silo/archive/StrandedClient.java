package org.silo.archive;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import org.silo.archive.ops.LibraryMessages.JobInfo;
import org.silo.archive.ops.LibraryMessages.WriteToHsm;
import org.silo.archive.ops.LibraryOps;
import org.silo.wire.client.ClientOptions;
import org.silo.wire.client.SiloClient;

/**
 * A client in a process of its own that queues one write and then waits, listening at its callback, until
 * it is killed: a client that dies without ending its session ({@link ClientGoneTest}).
 *
 * <pre>{@code
 * java -cp ... org.silo.archive.StrandedClient HOST:PORT /t/path MOVER_TO_AVOID
 * }</pre>
 * prints {@code job N} once the write is queued.
 */
public final class StrandedClient {
    private StrandedClient() {}

    public static void main(String[] args) throws Exception {
        try (ServerSocket listener = new ServerSocket()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            SiloClient c = SiloClient.connect(ClientOptions.to(args[0]));
            JobInfo j = c.call(
                    LibraryOps.WRITE_TO_HSM,
                    WriteToHsm.of(args[1], 1000)
                            .callback(
                                    "127.0.0.1:" + listener.getLocalPort(),
                                    "stranded-" + ProcessHandle.current().pid())
                            .owner("stranded")
                            .avoidMovers(List.of(args[2]))
                            .build());
            System.out.println("job " + j.id());
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
        }
    }
}

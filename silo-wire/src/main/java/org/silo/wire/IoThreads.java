package org.silo.wire;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;

/**
 * Threads for blocking socket I/O (the archive's data connections and their handshakes): virtual
 * threads in a server, platform threads in a short-lived client process.
 *
 * <p>Why the difference: a virtual thread that blocks on a socket parks on the JDK's poller, a platform
 * thread that then stays in {@code epoll_wait} for the life of the JVM. At exit HotSpot waits for every
 * thread that is in native code to block, up to 300 ms for threads that are not compilers
 * ({@code VM_Exit::wait_for_threads_in_native_to_block}), so a {@code silo put} or {@code get} that had
 * used virtual threads took 0.3 s longer to end: 40% of a one-file put (docs/benchmarks.md, "CLI
 * start"). Platform threads end with their sockets, and the JVM exits at once. A server runs for days and
 * may hold thousands of connections: it keeps virtual threads.
 *
 * <p>The CLI's {@code Main} chooses platform threads for client commands with the system property
 * {@value #PROPERTY}{@code =platform}, before any thread is made.
 */
public final class IoThreads {
    /** {@code platform}: platform (daemon) threads; anything else, or unset: virtual threads. */
    public static final String PROPERTY = "silo.io-threads";

    private IoThreads() {}

    /** Whether this process uses platform threads for blocking I/O. */
    public static boolean platform() {
        return "platform".equals(System.getProperty(PROPERTY));
    }

    /** Starts {@code task} on a new I/O thread named {@code name}. */
    public static Thread start(String name, Runnable task) {
        return platform()
                ? Thread.ofPlatform().name(name).daemon().start(task)
                : Thread.ofVirtual().name(name).start(task);
    }

    /** An executor that runs each task on a new I/O thread named {@code name}. */
    public static ExecutorService perTask(String name) {
        ThreadFactory f = platform()
                ? Thread.ofPlatform().name(name).daemon().factory()
                : Thread.ofVirtual().name(name).factory();
        return Executors.newThreadPerTaskExecutor(f);
    }
}

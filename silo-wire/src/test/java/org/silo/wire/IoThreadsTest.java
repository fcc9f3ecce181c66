package org.silo.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class IoThreadsTest {
    @AfterEach
    void clear() {
        System.clearProperty(IoThreads.PROPERTY);
    }

    @Test
    void aServerUsesVirtualThreads() throws Exception {
        assertThat(IoThreads.platform()).isFalse();
        Thread t = IoThreads.start("io-test", () -> {});
        t.join();
        assertThat(t.isVirtual()).isTrue();
        assertThat(t.getName()).isEqualTo("io-test");
        try (ExecutorService pool = IoThreads.perTask("io-pool")) {
            assertThat(pool.submit(() -> Thread.currentThread().isVirtual()).get())
                    .isTrue();
        }
    }

    /** A client process: platform daemon threads, which end with their sockets and never hold up the JVM's exit. */
    @Test
    void aClientProcessUsesPlatformDaemonThreads() throws Exception {
        System.setProperty(IoThreads.PROPERTY, "platform");
        CompletableFuture<Thread> ran = new CompletableFuture<>();
        Thread t = IoThreads.start("io-test", () -> ran.complete(Thread.currentThread()));
        t.join();
        assertThat(ran.get()).isSameAs(t);
        assertThat(t.isVirtual()).isFalse();
        assertThat(t.isDaemon()).isTrue();
        try (ExecutorService pool = IoThreads.perTask("io-pool")) {
            Thread worker = pool.submit(Thread::currentThread).get();
            assertThat(worker.isVirtual()).isFalse();
            assertThat(worker.isDaemon()).isTrue();
            assertThat(worker.getName()).isEqualTo("io-pool");
        }
    }
}

package org.silo.wire;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.function.Consumer;
import org.silo.wire.auth.Authenticator;
import org.silo.wire.client.ClientOptions;
import org.silo.wire.client.SiloClient;
import org.silo.wire.op.CoreOps;
import org.silo.wire.server.Dispatcher;
import org.silo.wire.server.WireServer;
import org.silo.wire.server.WireServerConfig;

/** A message endpoint on a loopback ephemeral port, with PING registered, for tests. */
public final class TestServer implements AutoCloseable {
    public final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    public final Dispatcher dispatcher = new Dispatcher();
    public final WireServer server;

    public TestServer() throws InterruptedException {
        this(WireServerConfig.DEFAULTS, d -> {});
    }

    public TestServer(WireServerConfig config, Consumer<Dispatcher> services) throws InterruptedException {
        this(config, services, Authenticator.OPEN);
    }

    public TestServer(WireServerConfig config, Consumer<Dispatcher> services, Authenticator lists)
            throws InterruptedException {
        dispatcher.register(CoreOps.PING, (ctx, data) -> data);
        services.accept(dispatcher);
        server = WireServer.start(InetAddress.getLoopbackAddress(), 0, config, dispatcher, registry, lists);
    }

    public InetSocketAddress address() {
        return server.address();
    }

    public ClientOptions options() {
        return ClientOptions.to(address());
    }

    public SiloClient client() throws SiloException {
        return SiloClient.connect(options());
    }

    public double counter(String name, String... tags) {
        var c = registry.find(name).tags(tags).counter();
        return c == null ? registry.get(name).tags(tags).functionCounter().count() : c.count();
    }

    @Override
    public void close() {
        server.close();
    }
}

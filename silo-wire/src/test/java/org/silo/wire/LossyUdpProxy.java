package org.silo.wire;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A UDP relay between clients and a server that loses, duplicates and reorders datagrams in both
 * directions, driven by a seeded random generator. Each client gets its own upstream socket, so the
 * server sees one address per client. Reordering holds a datagram back 1..5 ms so that later ones pass it.
 */
public final class LossyUdpProxy implements AutoCloseable {
    private final DatagramSocket front;
    private final InetSocketAddress server;
    private final double loss;
    private final double duplicate;
    private final double reorder;
    private final Random random;
    private final Map<InetSocketAddress, DatagramSocket> upstreams = new ConcurrentHashMap<>();
    private final ScheduledExecutorService delayer = Executors.newSingleThreadScheduledExecutor();
    private volatile boolean open = true;
    public final AtomicLong dropped = new AtomicLong();
    public final AtomicLong duplicated = new AtomicLong();
    public final AtomicLong reordered = new AtomicLong();
    public final AtomicLong forwarded = new AtomicLong();
    /** While set, nothing the server sends reaches a client: a server that runs its calls and never answers. */
    public final java.util.concurrent.atomic.AtomicBoolean withholdReplies =
            new java.util.concurrent.atomic.AtomicBoolean();
    /** Every datagram a client sent, in order, with who sent it: for replay tests. */
    public final java.util.List<Map.Entry<InetSocketAddress, byte[]>> fromClients =
            java.util.Collections.synchronizedList(new java.util.ArrayList<>());

    public LossyUdpProxy(InetSocketAddress server, double loss, double duplicate, double reorder, long seed)
            throws SocketException {
        this.front = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        front.setReceiveBufferSize(4 << 20);
        this.server = server;
        this.loss = loss;
        this.duplicate = duplicate;
        this.reorder = reorder;
        this.random = new Random(seed);
        Thread t = new Thread(this::pumpFromClients, "lossy-proxy-front");
        t.setDaemon(true);
        t.start();
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) front.getLocalSocketAddress();
    }

    private void pumpFromClients() {
        byte[] buf = new byte[65536];
        while (open) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                front.receive(p);
            } catch (IOException e) {
                return;
            }
            InetSocketAddress client = (InetSocketAddress) p.getSocketAddress();
            DatagramSocket up = upstreams.computeIfAbsent(client, this::openUpstream);
            byte[] data = java.util.Arrays.copyOf(p.getData(), p.getLength());
            fromClients.add(Map.entry(client, data));
            relay(up, data, server);
        }
    }

    private DatagramSocket openUpstream(InetSocketAddress client) {
        try {
            DatagramSocket up = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            up.setReceiveBufferSize(4 << 20);
            Thread t = new Thread(
                    () -> {
                        byte[] buf = new byte[65536];
                        while (open) {
                            DatagramPacket p = new DatagramPacket(buf, buf.length);
                            try {
                                up.receive(p);
                            } catch (IOException e) {
                                return;
                            }
                            if (withholdReplies.get()) {
                                dropped.incrementAndGet();
                                continue;
                            }
                            relay(front, java.util.Arrays.copyOf(p.getData(), p.getLength()), client);
                        }
                    },
                    "lossy-proxy-" + client.getPort());
            t.setDaemon(true);
            t.start();
            return up;
        } catch (SocketException e) {
            throw new IllegalStateException(e);
        }
    }

    private void relay(DatagramSocket out, byte[] data, InetSocketAddress to) {
        double lossDraw;
        double dupDraw;
        double reorderDraw;
        long delay;
        synchronized (random) {
            lossDraw = random.nextDouble();
            dupDraw = random.nextDouble();
            reorderDraw = random.nextDouble();
            delay = 1 + random.nextInt(5);
        }
        if (lossDraw < loss) {
            dropped.incrementAndGet();
            return;
        }
        int copies = dupDraw < duplicate ? 2 : 1;
        if (copies == 2) {
            duplicated.incrementAndGet();
        }
        for (int i = 0; i < copies; i++) {
            if (reorderDraw < reorder) {
                reordered.incrementAndGet();
                delayer.schedule(() -> send(out, data, to), delay, TimeUnit.MILLISECONDS);
            } else {
                send(out, data, to);
            }
        }
    }

    private void send(DatagramSocket out, byte[] data, InetSocketAddress to) {
        try {
            out.send(new DatagramPacket(data, data.length, to));
            forwarded.incrementAndGet();
        } catch (IOException e) {
            // closed: the test is over
        }
    }

    /** Sends bytes to the server as if the given client sent them (an attacker on the path). */
    public void injectAs(InetSocketAddress client, byte[] data) throws IOException {
        upstreams.get(client).send(new DatagramPacket(data, data.length, server));
    }

    @Override
    public void close() {
        open = false;
        front.close();
        upstreams.values().forEach(DatagramSocket::close);
        delayer.shutdownNow();
    }
}

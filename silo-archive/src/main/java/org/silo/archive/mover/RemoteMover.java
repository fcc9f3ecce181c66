package org.silo.archive.mover;

import java.nio.file.Path;
import java.util.List;
import org.silo.archive.volume.Backends;
import org.silo.wire.SiloException;
import org.silo.wire.client.ClientOptions;
import org.silo.wire.client.SiloClient;

/**
 * A mover in a process of its own, talking to the library manager over the message layer
 * ({@code silo mover run --server HOST:PORT}). It reaches the volumes itself: dir volumes by their
 * absolute paths (a shared or the same file system), S3 volumes by their URLs. Given several servers of one
 * catalog ({@code --server db1:7400,db2:7400}), it moves to the next when its server stops answering: its
 * next idle_mover registers it there, and a job's end it was reporting is sent there again with the same
 * request id, answered from the catalog's record if the old server had recorded it (docs/archive.md).
 *
 * <pre>{@code
 * java -cp ... org.silo.archive.mover.RemoteMover --server db1:7400 --home /var/lib/silo-mover [--library L] [--name N]
 * }</pre>
 */
public final class RemoteMover {
    private RemoteMover() {}

    /**
     * A login the mover makes in each session it starts: an access list granting write on {@code
     * archive:mover:} and on the volumes it writes (docs/security.md), with the keys saved by {@code silo
     * login}.
     */
    public record Login(String list, org.silo.wire.auth.Scram.Keys keys) {}

    /** Connects to the server and starts a mover whose id lives in {@code home}; anonymous. */
    public static Mover start(String server, Path home, String library, String name, long throttle)
            throws SiloException {
        return start(server, home, library, name, throttle, null);
    }

    /** Connects to the server, logs in ({@code login} null: anonymous), and starts a mover. */
    public static Mover start(String server, Path home, String library, String name, long throttle, Login login)
            throws SiloException {
        Reconnecting link = new Reconnecting(server, login);
        link.client();
        Backends backends = new Backends(home);
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = "localhost";
        }
        Mover m = new Mover(
                new Mover.Config(
                        home, name, library == null ? "default" : library, List.of("disk", "s3"), host, throttle),
                link,
                backends);
        return m.start();
    }

    /**
     * The conversation over the message layer, with a new session whenever the old one stops working (the
     * server restarted, or was unreachable for longer than a session lives). The call that found out fails;
     * the mover asks again a second later, on the new session.
     */
    static final class Reconnecting implements MoverLink {
        private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(RemoteMover.class);
        private final ClientOptions options;
        private final Login login;
        /** Where a new client starts: the server the last one was talking to. */
        private int first;

        private SiloClient client;
        private MoverLink link;

        Reconnecting(String server, Login login) {
            this.login = login;
            this.options = ClientOptions.to(server).withListener(new org.silo.wire.client.ClientListener() {
                @Override
                public void waiting(String name, long waitedMillis, int retransmissions) {}

                @Override
                public void moved(String from, String to) {
                    log.warn("no answer from {}; moved to {}, where the mover registers again", from, to);
                }
            });
        }

        synchronized MoverLink client() throws SiloException {
            if (link == null) {
                List<ClientOptions.Server> all = options.servers();
                List<ClientOptions.Server> rotated = new java.util.ArrayList<>();
                for (int i = 0; i < all.size(); i++) {
                    ClientOptions.Server s = all.get((first + i) % all.size());
                    rotated.add(new ClientOptions.Server(s.address(), "mover@" + s.name()));
                }
                SiloClient c = SiloClient.connect(options.withServers(rotated));
                if (login != null) {
                    try {
                        c.login(login.list(), login.keys());
                    } catch (SiloException e) {
                        c.close();
                        throw e;
                    }
                }
                client = c;
                link = MoverLink.over(client);
            }
            return link;
        }

        private synchronized void drop() {
            if (client != null) {
                String at = client.server().name();
                List<ClientOptions.Server> all = options.servers();
                for (int i = 0; i < all.size(); i++) {
                    if (at.equals("mover@" + all.get(i).name())) {
                        first = i;
                    }
                }
                client.close();
            }
            client = null;
            link = null;
        }

        private interface Call<T> {
            T on(MoverLink l) throws SiloException;
        }

        private <T> T call(Call<T> c) throws SiloException {
            try {
                return c.on(client());
            } catch (SiloException e) {
                switch (e.code()) {
                    case NOT_FOUND, EXISTS, INVALID, PERMISSION, READ_ONLY, NO_SPACE, IO, BUSY -> {
                        // an answer about the request itself: the session is fine
                    }
                    default -> drop();
                }
                throw e;
            }
        }

        @Override
        public org.silo.archive.ops.LibraryMessages.Work idleMover(org.silo.archive.ops.LibraryMessages.MoverHello h)
                throws SiloException {
            return call(l -> l.idleMover(h));
        }

        @Override
        public org.silo.archive.ops.LibraryMessages.Work haveBoundVolume(
                org.silo.archive.ops.LibraryMessages.MoverHello h) throws SiloException {
            return call(l -> l.haveBoundVolume(h));
        }

        @Override
        public void unilateralUnbind(org.silo.archive.ops.LibraryMessages.Unbind u) throws SiloException {
            call(l -> {
                l.unilateralUnbind(u);
                return null;
            });
        }

        @Override
        public org.silo.archive.ops.LibraryMessages.ProgressAck progress(
                org.silo.archive.ops.LibraryMessages.Progress p) throws SiloException {
            return call(l -> l.progress(p));
        }

        @Override
        public org.silo.archive.ops.LibraryMessages.JobInfo transferDone(
                org.silo.archive.ops.LibraryMessages.TransferDone d) throws SiloException {
            return call(l -> l.transferDone(d));
        }

        @Override
        public org.silo.archive.ops.LibraryMessages.RecordedList filesDone(
                org.silo.archive.ops.LibraryMessages.FilesDone d) throws SiloException {
            return call(l -> l.filesDone(d));
        }

        @Override
        public org.silo.archive.ops.LibraryMessages.RepackAnswer repackCommit(
                org.silo.archive.ops.LibraryMessages.RepackCommit q) throws SiloException {
            return call(l -> l.repackCommit(q));
        }

        @Override
        public org.silo.archive.ops.VolumeMessages.VolumeInfo setSystemReadonly(
                org.silo.archive.ops.VolumeMessages.SetState s) throws SiloException {
            return call(l -> l.setSystemReadonly(s));
        }

        @Override
        public org.silo.archive.ops.VolumeMessages.VolumeInfo inquireVol(String label) throws SiloException {
            return call(l -> l.inquireVol(label));
        }

        @Override
        public org.silo.archive.ops.LibraryMessages.MountAnswer mountWait(
                org.silo.archive.ops.LibraryMessages.MountWait w) throws SiloException {
            return call(l -> l.mountWait(w));
        }

        @Override
        public void close() {
            drop();
        }
    }

    public static void main(String[] args) throws Exception {
        String server = null;
        String home = ".";
        String library = null;
        String name = null;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--server" -> server = args[i + 1];
                case "--home" -> home = args[i + 1];
                case "--library" -> library = args[i + 1];
                case "--name" -> name = args[i + 1];
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (server == null) {
            throw new IllegalArgumentException(
                    "usage: RemoteMover --server HOST:PORT [--home DIR] [--library L] [--name N]");
        }
        Mover m = start(server, Path.of(home), library, name, 0);
        System.out.println(
                "mover " + m.id() + " serving library " + (library == null ? "default" : library) + " for " + server);
        System.out.flush();
        Runtime.getRuntime().addShutdownHook(new Thread(m::close));
        Thread.currentThread().join();
    }
}

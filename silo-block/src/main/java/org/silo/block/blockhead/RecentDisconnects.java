package org.silo.block.blockhead;

import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The last DISCONs that ended a session, so that a DISCON retried because our OK was lost gets OK
 * again rather than "bad session" (error 4): the session is gone, but the request is the same one.
 * A repeat must come from the same address and port, for the same session, with the same sequence
 * number. Bounded ({@value #REMEMBERED} entries, oldest forgotten first); confined to the handler's
 * thread.
 */
final class RecentDisconnects {
    static final int REMEMBERED = 64;

    private record Key(int session, InetSocketAddress client) {}

    private final Map<Key, Integer> seqs = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Integer> eldest) {
            return size() > REMEMBERED;
        }
    };

    void remember(BlockheadPacket.Disconnect d, InetSocketAddress from) {
        seqs.put(new Key(d.session(), from), d.seq());
    }

    boolean isRepeat(BlockheadPacket.Disconnect d, InetSocketAddress from) {
        Integer seq = seqs.get(new Key(d.session(), from));
        return seq != null && seq == d.seq();
    }
}

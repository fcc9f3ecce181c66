package org.silo.block.blockhead;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Live sessions by id. Ids are drawn from SecureRandom and unique among live sessions, unlike the
 * reference's guessable {@code random() + slot}. Confined to the handler's thread.
 */
final class SessionTable {
    private final SecureRandom random = new SecureRandom();
    private final Map<Integer, BlockheadSession> byId = new HashMap<>();
    private final Map<InetAddress, Integer> perAddress = new HashMap<>();

    int size() {
        return byId.size();
    }

    int countFor(InetAddress address) {
        return perAddress.getOrDefault(address, 0);
    }

    /** A fresh id not used by a live session; the caller has checked the caps (at most 65536). */
    int newId() {
        while (true) {
            int id = random.nextInt(1 << 16);
            if (!byId.containsKey(id)) {
                return id;
            }
        }
    }

    void add(BlockheadSession s) {
        byId.put(s.id, s);
        perAddress.merge(s.client.getAddress(), 1, Integer::sum);
    }

    /** The session with this id if it belongs to {@code client} (address and port), else null. */
    BlockheadSession find(int id, InetSocketAddress client) {
        BlockheadSession s = byId.get(id);
        return s != null && s.client.equals(client) ? s : null;
    }

    /** A session of {@code client} on the image {@code name}, or null. */
    BlockheadSession findByClientAndImage(InetSocketAddress client, String name) {
        for (BlockheadSession s : byId.values()) {
            if (s.client.equals(client) && s.lease.name().equals(name)) {
                return s;
            }
        }
        return null;
    }

    void remove(BlockheadSession s) {
        if (byId.remove(s.id, s)) {
            perAddress.computeIfPresent(s.client.getAddress(), (a, n) -> n > 1 ? n - 1 : null);
            s.close();
        }
    }

    /** Sessions of {@code client} (address and port), for KEEP. */
    List<BlockheadSession> ofAddress(InetSocketAddress client) {
        List<BlockheadSession> out = new ArrayList<>();
        for (BlockheadSession s : byId.values()) {
            if (s.client.equals(client)) {
                out.add(s);
            }
        }
        return out;
    }

    Collection<BlockheadSession> all() {
        return new ArrayList<>(byId.values());
    }
}

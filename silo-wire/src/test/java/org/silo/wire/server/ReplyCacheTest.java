package org.silo.wire.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.silo.wire.server.ReplyCache.Kind;

class ReplyCacheTest {
    private static final long RETENTION = TimeUnit.SECONDS.toNanos(120);
    private final ReplyCache cache = new ReplyCache(100, 1 << 20, 10, RETENTION);

    @Test
    void newThenInProgressThenDone() {
        assertThat(cache.begin(1, 10, 0xAB, 0).kind()).isEqualTo(Kind.NEW);
        assertThat(cache.begin(1, 10, 0xAB, 5).kind()).isEqualTo(Kind.IN_PROGRESS);
        cache.complete(1, 10, new byte[] {4, 2}, 0);
        ReplyCache.Lookup again = cache.begin(1, 10, 0xAB, 10);
        assertThat(again.kind()).isEqualTo(Kind.DONE);
        assertThat(again.reply()).containsExactly(4, 2);
        assertThat(cache.hits()).isEqualTo(2);
        assertThat(cache.misses()).isEqualTo(1);
    }

    @Test
    void sameIdInAnotherSessionIsAnotherRequest() {
        assertThat(cache.begin(1, 10, 1, 0).kind()).isEqualTo(Kind.NEW);
        assertThat(cache.begin(2, 10, 1, 0).kind()).isEqualTo(Kind.NEW);
    }

    @Test
    void reusedIdWithOtherContentIsRefused() {
        cache.begin(1, 10, 0xAB, 0);
        cache.complete(1, 10, new byte[1], 0);
        assertThat(cache.begin(1, 10, 0xCD, 0).kind()).isEqualTo(Kind.REUSED);
    }

    @Test
    void releasedRepliesGoAndTheirRepeatsAreStale() {
        for (long id = 10; id < 15; id++) {
            cache.begin(1, id, 0, 0);
            cache.complete(1, id, new byte[100], 0);
        }
        cache.release(1, 13);
        assertThat(cache.size()).isEqualTo(2);
        assertThat(cache.begin(1, 11, 0, 0).kind())
                .as("a repeat of a released id never runs again")
                .isEqualTo(Kind.STALE);
        assertThat(cache.begin(1, 13, 0, 0).kind()).isEqualTo(Kind.DONE);
    }

    @Test
    void anInProgressEntryOutlivesItsReleaseUntilDone() {
        cache.begin(1, 10, 0, 0);
        cache.release(1, 11);
        assertThat(cache.begin(1, 10, 0, 0).kind()).isEqualTo(Kind.IN_PROGRESS);
        cache.complete(1, 10, new byte[1], 0);
        assertThat(cache.size()).isZero();
    }

    @Test
    void fullOfLiveEntriesRefusesInsteadOfEvicting() {
        for (long id = 0; id < 10; id++) {
            assertThat(cache.begin(1, id, 0, 0).kind()).isEqualTo(Kind.NEW);
            cache.complete(1, id, new byte[1], 0);
        }
        assertThat(cache.begin(1, 10, 0, 1).kind()).as("per-session bound").isEqualTo(Kind.FULL);
        assertThat(cache.rejected()).isEqualTo(1);
        assertThat(cache.begin(1, 3, 0, 1).kind()).as("nothing was evicted").isEqualTo(Kind.DONE);
        assertThat(cache.begin(1, 10, 0, RETENTION + 10).kind())
                .as("a reply not asked for within the retention makes room")
                .isEqualTo(Kind.NEW);
        assertThat(cache.evictions()).as("only as many as needed").isEqualTo(1);
    }

    @Test
    void anUnreleasedReplyIsKeptPastTheRetention() {
        cache.begin(1, 10, 0, 0);
        cache.complete(1, 10, new byte[] {7}, 0);
        assertThat(cache.begin(1, 10, 0, RETENTION * 10).kind())
                .as("a client may repeat until its own deadline, which the server does not know")
                .isEqualTo(Kind.DONE);
    }

    @Test
    void aSlowCallsReplyIsKeptThoughItArrivedLongAgo() {
        cache.begin(1, 10, 0, 0);
        cache.begin(1, 11, 0, 0);
        cache.complete(1, 11, new byte[1], 0);
        cache.complete(1, 10, new byte[] {9}, RETENTION + 5); // ran longer than the retention
        for (long id = 12; id < 20; id++) {
            cache.begin(1, id, 0, RETENTION + 6);
            cache.complete(1, id, new byte[1], RETENTION + 6);
        }
        assertThat(cache.begin(1, 20, 0, RETENTION + 7).kind())
                .as("the quick old reply makes room")
                .isEqualTo(Kind.NEW);
        ReplyCache.Lookup repeat = cache.begin(1, 10, 0, RETENTION + 8);
        assertThat(repeat.kind())
                .as("its reply was lost: the repeat is answered from the cache, not run again")
                .isEqualTo(Kind.DONE);
        assertThat(repeat.reply()).containsExactly(9);
        assertThat(cache.evictions()).isEqualTo(1);
    }

    @Test
    void aRepeatKeepsItsReplyFromEviction() {
        for (long id = 0; id < 10; id++) {
            cache.begin(1, id, 0, 0);
            cache.complete(1, id, new byte[1], 0);
        }
        for (long id = 1; id < 10; id++) {
            assertThat(cache.begin(1, id, 0, RETENTION).kind()).isEqualTo(Kind.DONE); // repeated lately
        }
        assertThat(cache.begin(1, 10, 0, RETENTION + 1).kind()).isEqualTo(Kind.NEW);
        assertThat(cache.begin(1, 11, 0, RETENTION + 1).kind())
                .as("nothing else was left unasked for a whole retention")
                .isEqualTo(Kind.FULL);
        for (long id = 1; id < 10; id++) {
            assertThat(cache.begin(1, id, 0, RETENTION + 2).kind()).isEqualTo(Kind.DONE);
        }
    }

    @Test
    void theGlobalBoundEvictsOnlyRepliesNotAskedForWithinTheRetention() {
        ReplyCache global = new ReplyCache(4, 1 << 20, 100, RETENTION);
        global.begin(1, 1, 0, 0); // in progress: never evicted
        global.begin(2, 1, 0, 0);
        global.complete(2, 1, new byte[1], 0);
        global.begin(3, 1, 0, 10);
        global.complete(3, 1, new byte[1], 10);
        global.begin(4, 1, 0, RETENTION);
        global.complete(4, 1, new byte[1], RETENTION);
        assertThat(global.begin(5, 1, 0, RETENTION + 5).kind()).isEqualTo(Kind.NEW);
        assertThat(global.size()).isEqualTo(4);
        assertThat(global.begin(1, 1, 0, RETENTION + 5).kind()).isEqualTo(Kind.IN_PROGRESS);
        assertThat(global.begin(3, 1, 0, RETENTION + 5).kind())
                .as("only the least recently asked-for went")
                .isEqualTo(Kind.DONE);
        assertThat(global.begin(4, 1, 0, RETENTION + 5).kind()).isEqualTo(Kind.DONE);
        assertThat(global.begin(6, 1, 0, RETENTION + 5).kind())
                .as("every other was asked for within the retention")
                .isEqualTo(Kind.FULL);
    }

    @Test
    void byteBoundCountsReplies() {
        ReplyCache small = new ReplyCache(1000, 2 * ReplyCache.ENTRY_OVERHEAD + 1100, 1000, RETENTION);
        small.begin(1, 1, 0, 0);
        small.complete(1, 1, new byte[1000], 0);
        assertThat(small.begin(1, 2, 0, 0).kind()).isEqualTo(Kind.NEW);
        assertThat(small.begin(1, 3, 0, 0).kind()).isEqualTo(Kind.FULL);
        assertThat(small.bytes()).isEqualTo(2 * ReplyCache.ENTRY_OVERHEAD + 1000);
    }

    @Test
    void inProgressEntriesAreNeverEvicted() {
        for (long id = 0; id < 10; id++) {
            cache.begin(1, id, 0, 0);
        }
        assertThat(cache.begin(1, 10, 0, RETENTION * 10).kind()).isEqualTo(Kind.FULL);
        assertThat(cache.begin(1, 1, 0, RETENTION * 10).kind()).isEqualTo(Kind.IN_PROGRESS);
    }

    @Test
    void endingASessionDropsItsEntries() {
        cache.begin(1, 1, 0, 0);
        cache.complete(1, 1, new byte[10], 0);
        cache.begin(2, 1, 0, 0);
        cache.endSession(1);
        assertThat(cache.size()).isEqualTo(1);
        assertThat(cache.bytes()).isEqualTo(ReplyCache.ENTRY_OVERHEAD);
    }
}

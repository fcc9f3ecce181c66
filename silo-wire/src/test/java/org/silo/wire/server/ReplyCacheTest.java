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
        cache.complete(1, 10, new byte[] {4, 2});
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
        cache.complete(1, 10, new byte[1]);
        assertThat(cache.begin(1, 10, 0xCD, 0).kind()).isEqualTo(Kind.REUSED);
    }

    @Test
    void releasedRepliesGoAndTheirRepeatsAreStale() {
        for (long id = 10; id < 15; id++) {
            cache.begin(1, id, 0, 0);
            cache.complete(1, id, new byte[100]);
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
        cache.complete(1, 10, new byte[1]);
        assertThat(cache.size()).isZero();
    }

    @Test
    void fullOfLiveEntriesRefusesInsteadOfEvicting() {
        for (long id = 0; id < 10; id++) {
            assertThat(cache.begin(1, id, 0, 0).kind()).isEqualTo(Kind.NEW);
            cache.complete(1, id, new byte[1]);
        }
        assertThat(cache.begin(1, 10, 0, 1).kind()).as("per-session bound").isEqualTo(Kind.FULL);
        assertThat(cache.rejected()).isEqualTo(1);
        assertThat(cache.begin(1, 3, 0, 1).kind()).as("nothing was evicted").isEqualTo(Kind.DONE);
        assertThat(cache.begin(1, 10, 0, RETENTION + 10).kind())
                .as("expired entries make room")
                .isEqualTo(Kind.NEW);
        assertThat(cache.evictions()).isEqualTo(10);
    }

    @Test
    void byteBoundCountsReplies() {
        ReplyCache small = new ReplyCache(1000, 2 * ReplyCache.ENTRY_OVERHEAD + 1100, 1000, RETENTION);
        small.begin(1, 1, 0, 0);
        small.complete(1, 1, new byte[1000]);
        assertThat(small.begin(1, 2, 0, 0).kind()).isEqualTo(Kind.NEW);
        assertThat(small.begin(1, 3, 0, 0).kind()).isEqualTo(Kind.FULL);
        assertThat(small.bytes()).isEqualTo(2 * ReplyCache.ENTRY_OVERHEAD + 1000);
    }

    @Test
    void inProgressEntriesAreNeverExpired() {
        cache.begin(1, 1, 0, 0);
        cache.expire(RETENTION * 10);
        assertThat(cache.begin(1, 1, 0, RETENTION * 10).kind()).isEqualTo(Kind.IN_PROGRESS);
    }

    @Test
    void endingASessionDropsItsEntries() {
        cache.begin(1, 1, 0, 0);
        cache.complete(1, 1, new byte[10]);
        cache.begin(2, 1, 0, 0);
        cache.endSession(1);
        assertThat(cache.size()).isEqualTo(1);
        assertThat(cache.bytes()).isEqualTo(ReplyCache.ENTRY_OVERHEAD);
    }
}

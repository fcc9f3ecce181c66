package org.silo.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class NearestTest {
    @Test
    void distanceCountsOneForEachSlip() {
        assertThat(Nearest.distance("", "")).isZero();
        assertThat(Nearest.distance("port", "port")).isZero();
        assertThat(Nearest.distance("prot", "port"))
                .as("two neighbours swapped")
                .isEqualTo(1);
        assertThat(Nearest.distance("movrs", "movers")).as("a letter left out").isEqualTo(1);
        assertThat(Nearest.distance("moverss", "movers")).as("a letter added").isEqualTo(1);
        assertThat(Nearest.distance("mobers", "movers")).as("a letter changed").isEqualTo(1);
        assertThat(Nearest.distance("", "abc")).isEqualTo(3);
        assertThat(Nearest.distance("kitten", "sitting")).isEqualTo(3);
    }

    @Test
    void nearIsNearestFirstAtMostThreeAndCaseBlind() {
        List<String> keys = List.of(
                "archive.movers", "archive.mover-rate", "archive.mover-timeout", "archive.age-time", "wire.port");
        assertThat(Nearest.near("archive.mover", keys))
                .containsExactly("archive.movers", "archive.mover-rate", "archive.mover-timeout");
        assertThat(Nearest.near("ARCHIVE.MOVRS", keys)).containsExactly("archive.movers");
        assertThat(Nearest.near("wire.prot", keys)).containsExactly("wire.port");
        assertThat(Nearest.near("nothing.like.it", keys)).isEmpty();
    }
}

package org.silo.control.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The server-kept hour of the overview's counters: a ring of samples, oldest first, the oldest dropped when full. */
class ThroughputHistoryTest {

    private static Map<String, Object> status(long requests, Long bytesMoved) {
        java.util.HashMap<String, Object> m = new java.util.HashMap<>();
        m.put("message", Map.of("requests", requests));
        m.put("bytesMoved", bytesMoved);
        return m;
    }

    @Test
    void keepsTheLastHourOldestFirst() {
        ThroughputHistory h = new ThroughputHistory(10_000, 3_600_000);
        for (int i = 0; i < 400; i++) {
            h.sample(status(i * 100L, i * 4096L), 1_000_000L + i * 10_000L);
        }
        List<ThroughputHistory.Sample> s = h.samples();
        assertThat(s).hasSize(361); // an hour of 10 s periods, both ends
        assertThat(s.get(0).time()).isEqualTo(1_000_000L + 39 * 10_000L);
        assertThat(s.get(0).requests()).isEqualTo(3900L);
        assertThat(s.get(360).time()).isEqualTo(1_000_000L + 399 * 10_000L);
        assertThat(s.get(360).bytesMoved()).isEqualTo(399 * 4096L);
        assertThat(s).extracting(ThroughputHistory.Sample::time).isSorted();
    }

    @Test
    void aCounterTheServerDoesNotReportIsNull() {
        ThroughputHistory h = new ThroughputHistory(10_000, 3_600_000);
        assertThat(h.samples()).isEmpty();
        h.sample(status(5, null), 42);
        Map<String, Object> json = h.json();
        assertThat(json).containsEntry("periodMs", 10_000L);
        assertThat(json.get("samples"))
                .asList()
                .singleElement()
                .asString()
                .contains("time=42", "requests=5", "bytesMoved=null");
    }
}

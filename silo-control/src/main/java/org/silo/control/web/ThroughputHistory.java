package org.silo.control.web;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The last hour of the overview's two counters, kept by the server (docs/console.md, "Throughput
 * history"): a ring of samples of the STATUS numbers {@code message.requests} and {@code bytesMoved}
 * (the wire endpoint's and the movers' Micrometer counters), one every period. A page opened after a
 * burst of requests draws the burst, where samples taken by the browser would start when the tab opens.
 */
final class ThroughputHistory {
    /** One sample: when, and the two running totals then (null when the server does not report one). */
    record Sample(long time, Number requests, Number bytesMoved) {}

    private final Sample[] ring;
    private final long periodMillis;
    private int next;
    private int size;

    /** Keeps {@code span / period} samples (at least 2). */
    ThroughputHistory(long periodMillis, long spanMillis) {
        if (periodMillis < 1) {
            throw new IllegalArgumentException("period must be at least 1 ms");
        }
        this.periodMillis = periodMillis;
        this.ring = new Sample[(int) Math.max(2, Math.min(100_000, spanMillis / periodMillis + 1))];
    }

    /** Records the status's counters at {@code time}; the oldest sample goes when the ring is full. */
    synchronized void sample(Map<String, Object> status, long time) {
        ring[next] = new Sample(
                time,
                StatusSummary.number(status, StatusSummary.PATHS.get("requests")),
                StatusSummary.number(status, StatusSummary.PATHS.get("bytesMoved")));
        next = (next + 1) % ring.length;
        size = Math.min(size + 1, ring.length);
    }

    /** The samples kept, oldest first. */
    synchronized List<Sample> samples() {
        List<Sample> out = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            out.add(ring[(next - size + i + ring.length) % ring.length]);
        }
        return out;
    }

    /** What /api/throughput answers: {@code {periodMs, samples: [{time, requests, bytesMoved}]}}. */
    Map<String, Object> json() {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Sample s : samples()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("time", s.time());
            m.put("requests", s.requests());
            m.put("bytesMoved", s.bytesMoved());
            rows.add(m);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("periodMs", periodMillis);
        m.put("samples", rows);
        return m;
    }
}

// Overview: numbers and throughput charts. The last hour of samples comes from the server
// (/api/throughput, one sample every 10 s kept from its start), then the status event stream
// (/api/events) adds one a second; both are drawn on <canvas>.
"use strict";

const HOUR_MS = 3600 * 1000;

const overview = {
    samples: [],

    // The server's history first, so a burst before the page opened is on the chart.
    async load() {
        try {
            const history = await silo.get("/api/throughput");
            overview.samples = history.samples.map((s) => ({ t: s.time, requests: s.requests, bytesMoved: s.bytesMoved }));
        } catch (e) {
            overview.samples = [];
        }
    },

    add(status) {
        const s = status.summary || {};
        const last = overview.samples[overview.samples.length - 1];
        if (last && status.time <= last.t) {
            return; // an event older than the history's last sample
        }
        overview.samples.push({ t: status.time, requests: s.requests, bytesMoved: s.bytesMoved });
        const oldest = status.time - HOUR_MS;
        while (overview.samples.length && overview.samples[0].t < oldest) {
            overview.samples.shift();
        }
    },

    show(status) {
        const s = status.summary || {};
        document.getElementById("sum-volumes").textContent = silo.number(s.volumes);
        // files and their extra copies apart: put --copies 2 of 4 files is "4 + 4 copies", not 8 files
        document.getElementById("sum-files").textContent = silo.number(s.files) + (s.copies ? " + " + silo.number(s.copies) + " copies" : "");
        document.getElementById("sum-bytes").textContent = silo.bytes(s.bytes);
        document.getElementById("sum-images").textContent = silo.number(s.images);
        document.getElementById("sum-sessions").textContent = silo.number(s.sessions);
        document.getElementById("sum-requests").textContent = silo.number(s.requests);
        const server = status.server || {};
        document.getElementById("server-line").textContent =
            (server.name ? server.name + " · " : "") + (server.version ? "version " + server.version + " · " : "")
            // the schema the catalog is at, from the server's STATUS (docs/operations.md, "Upgrades")
            + (server.schemaVersion ? "catalog schema " + server.schemaVersion + " · " : "")
            + "updated " + new Date(status.time).toLocaleTimeString();
        overview.servers(server.cluster || {});
    },

    // Every server on this catalog (STATUS's cluster: the catalog's server roster, docs/architecture.md
    // "Cluster"), this one first, with the movers each holds.
    servers(cluster) {
        const rows = Object.entries(cluster).filter(([, s]) => typeof s === "object")
            .sort(([a, x], [b, y]) => (y.self ? 1 : 0) - (x.self ? 1 : 0) || a.localeCompare(b))
            .map(([address, s]) => silo.el("tr", { "data-server": address, class: s.self ? "self" : "" },
                silo.el("td", {}, address + (s.self ? " (this one)" : "")), silo.el("td", {}, s.name || ""),
                silo.el("td", { class: "state-" + s.state }, s.state || ""), silo.el("td", {}, s.version || ""),
                silo.el("td", {}, s.host || ""), silo.el("td", { class: "num" }, String(s.seenSecondsAgo) + " s ago"),
                silo.el("td", {}, s.movers || "-")));
        document.querySelector("#servers tbody").replaceChildren(...(rows.length ? rows : [silo.none(7)]));
    },

    // Per-second rates between consecutive samples of one counter; a counter that went down (a restart) is skipped.
    rates(key) {
        const out = [];
        for (let i = 1; i < overview.samples.length; i++) {
            const a = overview.samples[i - 1];
            const b = overview.samples[i];
            if (typeof a[key] !== "number" || typeof b[key] !== "number" || b.t <= a.t || b[key] < a[key]) {
                continue;
            }
            out.push({ t: b.t, v: (b[key] - a[key]) * 1000 / (b.t - a.t) });
        }
        return out;
    },

    // The y axis: four equal steps of a round size (for bytes a power of two, at least 1 B; for counts
    // 1, 2 or 5 times a power of ten, at least 0.5), so no two labels read the same.
    scale(max, bytes) {
        const raw = max / 4;
        let step;
        if (bytes) {
            step = 1;
            while (step < raw) {
                step *= 2;
            }
        } else {
            step = 0.5;
            for (let p = 1; step < raw; p *= 10) {
                step = [1, 2, 5].map((m) => m * p).find((s) => s >= raw) || 10 * p;
            }
        }
        return { step: step, top: 4 * step };
    },

    draw(canvasId, title, points, format, color, bytes) {
        const canvas = document.getElementById(canvasId);
        const ratio = window.devicePixelRatio || 1;
        const width = canvas.clientWidth;
        const height = canvas.clientHeight;
        canvas.width = width * ratio;
        canvas.height = height * ratio;
        const g = canvas.getContext("2d");
        g.scale(ratio, ratio);
        g.clearRect(0, 0, width, height);
        const left = 70, right = 10, top = 22, bottom = 20;
        const w = width - left - right, h = height - top - bottom;
        const now = points.length ? points[points.length - 1].t : Date.now();
        const scale = overview.scale(Math.max(0, ...points.map((p) => p.v)), bytes);
        const max = scale.top;
        g.font = "12px system-ui, sans-serif";
        g.fillStyle = "#1d2330";
        g.fillText(title + (points.length ? ": " + format(points[points.length - 1].v) + "/s" : ": waiting for data"), left, 14);
        g.strokeStyle = "#dde2e8";
        g.fillStyle = "#5f6b7a";
        g.lineWidth = 1;
        const labels = [];
        for (let i = 0; i <= 4; i++) {
            const y = top + h - (h * i) / 4;
            g.beginPath();
            g.moveTo(left, y);
            g.lineTo(left + w, y);
            g.stroke();
            labels.push(format(scale.step * i));
            g.fillText(labels[i], 4, y + 4);
        }
        canvas.dataset.ticks = labels.join("|");
        canvas.dataset.points = String(points.length);
        for (let m = 0; m <= 60; m += 10) {
            const x = left + (w * (60 - m)) / 60;
            g.textAlign = m === 0 ? "right" : "center";
            g.fillText(m === 0 ? "now" : "-" + m + "m", x, height - 4);
        }
        g.textAlign = "left";
        g.strokeStyle = color;
        g.lineWidth = 2;
        g.beginPath();
        points.forEach((p, i) => {
            const x = left + w * (1 - (now - p.t) / HOUR_MS);
            const y = top + h - (h * p.v) / max;
            if (i === 0) {
                g.moveTo(x, y);
            } else {
                g.lineTo(x, y);
            }
        });
        g.stroke();
    },

    redraw() {
        overview.draw("chart-requests", "Requests", overview.rates("requests"), (v) => v.toFixed(v % 1 === 0 || v >= 10 ? 0 : 1), "#2463c7", false);
        overview.draw("chart-bytes", "Bytes moved", overview.rates("bytesMoved"), silo.bytes, "#d9822b", true);
    },

    connect() {
        const live = document.getElementById("live");
        const events = new EventSource("/api/events");
        events.addEventListener("status", (e) => {
            const status = JSON.parse(e.data);
            overview.add(status);
            overview.show(status);
            overview.redraw();
            live.className = "live on";
            live.textContent = "live";
        });
        events.onerror = () => {
            live.className = "live off";
            live.textContent = "reconnecting";
        };
    },
};

document.addEventListener("DOMContentLoaded", async () => {
    await overview.load();
    overview.redraw();
    overview.connect();
    window.addEventListener("resize", overview.redraw);
});

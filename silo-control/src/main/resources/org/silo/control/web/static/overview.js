// Overview: numbers and throughput charts, fed by the status event stream (/api/events).
// Samples of the last hour are kept in this tab (sessionStorage) and drawn on <canvas>.
"use strict";

const HOUR_MS = 3600 * 1000;
const STORE_KEY = "silo.status.samples";

const overview = {
    samples: [],

    load() {
        try {
            const kept = JSON.parse(sessionStorage.getItem(STORE_KEY) || "[]");
            overview.samples = Array.isArray(kept) ? kept : [];
        } catch (e) {
            overview.samples = [];
        }
    },

    add(status) {
        const s = status.summary || {};
        overview.samples.push({ t: status.time, requests: s.requests, bytesMoved: s.bytesMoved });
        const oldest = status.time - HOUR_MS;
        while (overview.samples.length && overview.samples[0].t < oldest) {
            overview.samples.shift();
        }
        try {
            sessionStorage.setItem(STORE_KEY, JSON.stringify(overview.samples));
        } catch (e) {
            // Storage full or off: the chart still works for this page view.
        }
    },

    show(status) {
        const s = status.summary || {};
        document.getElementById("sum-volumes").textContent = silo.number(s.volumes);
        document.getElementById("sum-files").textContent = silo.number(s.files);
        document.getElementById("sum-bytes").textContent = silo.bytes(s.bytes);
        document.getElementById("sum-images").textContent = silo.number(s.images);
        document.getElementById("sum-sessions").textContent = silo.number(s.sessions);
        document.getElementById("sum-requests").textContent = silo.number(s.requests);
        const server = status.server || {};
        document.getElementById("server-line").textContent =
            (server.name ? server.name + " · " : "") + (server.version ? "version " + server.version + " · " : "")
            + "updated " + new Date(status.time).toLocaleTimeString();
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

    draw(canvasId, title, points, format, color) {
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
        const max = Math.max(1, ...points.map((p) => p.v)) * 1.1;
        g.font = "12px system-ui, sans-serif";
        g.fillStyle = "#1d2330";
        g.fillText(title + (points.length ? ": " + format(points[points.length - 1].v) + "/s" : ": waiting for data"), left, 14);
        g.strokeStyle = "#dde2e8";
        g.fillStyle = "#5f6b7a";
        g.lineWidth = 1;
        for (let i = 0; i <= 4; i++) {
            const y = top + h - (h * i) / 4;
            g.beginPath();
            g.moveTo(left, y);
            g.lineTo(left + w, y);
            g.stroke();
            g.fillText(format((max * i) / 4), 4, y + 4);
        }
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
        overview.draw("chart-requests", "Requests", overview.rates("requests"), (v) => v.toFixed(v < 10 ? 1 : 0), "#2463c7");
        overview.draw("chart-bytes", "Bytes moved", overview.rates("bytesMoved"), silo.bytes, "#d9822b");
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

document.addEventListener("DOMContentLoaded", () => {
    overview.load();
    overview.redraw();
    overview.connect();
    window.addEventListener("resize", overview.redraw);
});

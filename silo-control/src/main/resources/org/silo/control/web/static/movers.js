// Movers with their live progress (seed 004's burners and their STATUS), and the library manager's queue.
// Refreshed every second, so a transfer's bar moves without reloading.
"use strict";

const movers = {
    async load() {
        try {
            const [m, q] = await Promise.all([silo.get("/api/movers"), silo.get("/api/jobs")]);
            silo.message(m.movers.length ? "" : "no movers", "");
            document.querySelector("#movers tbody").replaceChildren(...m.movers.map(movers.row));
            document.querySelector("#jobs tbody").replaceChildren(...q.jobs.map(movers.job));
        } catch (e) {
            silo.message("cannot list movers: " + e.message, "error");
        }
    },

    row(m) {
        const share = m.bytesTotal ? m.bytesDone / m.bytesTotal : 0;
        const bar = silo.el("span", { class: "bar", title: Math.round(share * 100) + "%" }, silo.el("span"));
        bar.firstChild.style.width = Math.round(Math.min(1, Math.max(0, share)) * 100) + "%";
        return silo.el("tr", { "data-mover": m.name || m.id },
            silo.el("td", {}, m.name || m.id), silo.el("td", {}, m.state), silo.el("td", {}, m.volume || "-"),
            silo.el("td", { class: "num" }, m.job ? String(m.job) : "-"),
            silo.el("td", { class: "progress", "data-percent": String(Math.round(share * 100)) }, bar,
                m.bytesTotal ? silo.bytes(m.bytesDone) + " / " + silo.bytes(m.bytesTotal) : ""),
            silo.el("td", { class: "num" }, m.bytesPerSecond ? silo.bytes(m.bytesPerSecond) + "/s" : "-"),
            silo.el("td", { class: "num" }, silo.bytes(m.bytes || 0)), silo.el("td", { class: "num" }, String(m.files || 0)),
            silo.el("td", { class: "num" }, String(m.errors || 0)));
    },

    job(j) {
        return silo.el("tr", { "data-job": String(j.id) },
            silo.el("td", { class: "num" }, String(j.id)), silo.el("td", {}, j.kind), silo.el("td", {}, j.state),
            silo.el("td", { class: "num" }, String(j.effectivePriority)), silo.el("td", {}, j.path || ""),
            silo.el("td", { class: "num" }, silo.bytes(j.size || 0)), silo.el("td", {}, j.volume || "-"),
            silo.el("td", {}, j.mover || "-"));
    },
};

document.addEventListener("DOMContentLoaded", () => {
    movers.load();
    setInterval(movers.load, 1000);
});

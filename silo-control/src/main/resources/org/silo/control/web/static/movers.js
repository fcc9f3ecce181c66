// Movers with their live progress (seed 004's burners and their STATUS), the mounts a manual changer
// waits for, and the library manager's queue with its admin actions (cancel, priority).
// Refreshed every second, so a transfer's bar moves without reloading.
"use strict";

const movers = {
    async load() {
        try {
            const [m, q, w] = await Promise.all([silo.get("/api/movers"), silo.get("/api/jobs"), silo.get("/api/mounts")]);
            if (!movers.said) {
                silo.message(m.movers.length ? "" : "no movers", "");
            }
            const waiting = w.mounts.filter((x) => x.state === "waiting");
            document.querySelector("#movers tbody").replaceChildren(...(m.movers.length ? m.movers.map(movers.row) : [silo.none(9)]));
            document.querySelector("#jobs tbody").replaceChildren(...(q.jobs.length ? q.jobs.map(movers.job) : [silo.none(10)]));
            document.querySelector("#mounts tbody").replaceChildren(...(waiting.length ? waiting.map(movers.mount) : [silo.none(5)]));
        } catch (e) {
            silo.message("cannot list movers: " + e.message, "error");
        }
    },

    // An admin action's outcome stays on screen (the once-a-second refresh does not wipe it).
    said: false,

    async act(path, body, done) {
        try {
            await silo.post(path, body);
            silo.message(done, "done");
        } catch (e) {
            silo.message(e.message, "error");
        }
        movers.said = true;
        await movers.load();
    },

    mount(w) {
        const ok = silo.el("button", { class: "confirm", type: "button",
            onclick: () => movers.act("/api/mounts/" + encodeURIComponent(w.volume) + "/confirm", {}, w.volume + " confirmed") }, "Mounted");
        const no = silo.el("button", { class: "refuse", type: "button",
            onclick: () => movers.act("/api/mounts/" + encodeURIComponent(w.volume) + "/refuse", { reason: "refused in the console" },
                w.volume + " refused") }, "Refuse");
        return silo.el("tr", { "data-mount": w.volume },
            silo.el("td", {}, w.volume), silo.el("td", {}, w.drive), silo.el("td", { class: "num" }, String(w.job)),
            silo.el("td", { class: "num" }, Math.round((Date.now() - w.sinceMs) / 1000) + " s"), silo.el("td", {}, ok, " ", no));
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
            silo.el("td", {}, j.moverName || "-"), silo.el("td", { class: "note" }, j.error || ""),
            silo.el("td", {}, silo.el("button", { class: "cancel", type: "button",
                onclick: () => movers.act("/api/jobs/" + j.id + "/kill", {}, "job " + j.id + " cancelled") }, "Cancel")));
    },

    async rename(event) {
        event.preventDefault();
        const mover = document.getElementById("rename-mover").value;
        const name = document.getElementById("rename-name").value;
        await movers.act("/api/movers/" + encodeURIComponent(mover) + "/name", { name }, "mover " + mover + " is now " + name);
    },

    async priority(event) {
        event.preventDefault();
        const id = document.getElementById("priority-job").value;
        const value = document.getElementById("priority-value").value;
        await movers.act("/api/jobs/" + encodeURIComponent(id) + "/priority", { priority: value === "" ? null : Number(value) },
            "job " + id + ": priority " + (value === "" ? "back to aging" : value));
    },
};

document.addEventListener("DOMContentLoaded", () => {
    document.getElementById("priority-form").addEventListener("submit", movers.priority);
    document.getElementById("rename-form").addEventListener("submit", movers.rename);
    movers.load();
    setInterval(movers.load, 1000);
});

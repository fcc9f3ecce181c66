// File leases: who holds a read or write lease on which object, until when, and whether a writer has
// recalled it. Refreshed every second: leases are short-lived.
"use strict";

const leases = {
    async load() {
        try {
            const answer = await silo.get("/api/leases");
            silo.message(answer.leases.length ? "" : "no leases held", "");
            document.querySelector("#leases tbody").replaceChildren(...(answer.leases.length ? answer.leases.map(leases.row) : [silo.none(5)]));
        } catch (e) {
            silo.message("cannot list leases: " + e.message, "error");
        }
    },

    row(l) {
        const left = Math.max(0, Math.round((l.expiresMs - Date.now()) / 1000));
        return silo.el("tr", { "data-object": l.object, "data-holder": l.holder },
            silo.el("td", {}, l.object), silo.el("td", {}, l.holder), silo.el("td", {}, l.kind),
            silo.el("td", { class: "num" }, left + " s"),
            silo.el("td", { class: l.recalled ? "state state-noaccess" : "" }, l.recalled ? "recalled" : "-"));
    },
};

document.addEventListener("DOMContentLoaded", () => {
    leases.load();
    setInterval(leases.load, 1000);
});

// Volumes: filter, sort by any column, change a volume's state (the server checks the admin right).
"use strict";

const STATES = ["ok", "readonly", "full", "noaccess", "hung"];

const volumes = {
    rows: [],
    sortKey: "label",
    sortAsc: true,

    async load() {
        try {
            const answer = await silo.get("/api/volumes");
            // The server's VolumeInfo, key for key (capacity, remaining, mounts, readErrors, writeErrors...);
            // used and errors are derived here so that they sort like the other columns.
            volumes.rows = answer.volumes.map((v) => Object.assign({}, v,
                { used: v.capacity - v.remaining, errors: v.readErrors + v.writeErrors }));
            volumes.render();
        } catch (e) {
            silo.message("cannot list volumes: " + e.message, "error");
        }
    },

    visible() {
        const text = document.getElementById("filter").value.trim().toLowerCase();
        const state = document.getElementById("state-filter").value;
        const key = volumes.sortKey;
        const sign = volumes.sortAsc ? 1 : -1;
        return volumes.rows
            .filter((v) => !state || v.state === state)
            .filter((v) => !text || [v.label, v.library, v.mediaType, v.storageGroup, v.fileFamily, v.state, v.stateReason]
                .some((f) => String(f || "").toLowerCase().includes(text)))
            .sort((a, b) => {
                const x = a[key], y = b[key];
                if (typeof x === "number" && typeof y === "number") {
                    return sign * (x - y);
                }
                return sign * String(x ?? "").localeCompare(String(y ?? ""));
            });
    },

    render() {
        const shown = volumes.visible();
        document.getElementById("count").textContent = shown.length + " of " + volumes.rows.length;
        document.querySelectorAll("#volumes th.sortable").forEach((th) => {
            th.classList.toggle("sorted-asc", th.dataset.key === volumes.sortKey && volumes.sortAsc);
            th.classList.toggle("sorted-desc", th.dataset.key === volumes.sortKey && !volumes.sortAsc);
        });
        document.querySelector("#volumes tbody").replaceChildren(...(shown.length ? shown.map(volumes.row)
            : [silo.none(12, volumes.rows.length ? "no volume matches" : "no volumes")]));
    },

    row(v) {
        const used = v.capacity ? v.used / v.capacity : 0;
        const bar = silo.el("span", { class: "bar" }, silo.el("span"));
        bar.firstChild.style.width = Math.round(Math.min(1, Math.max(0, used)) * 100) + "%";
        const state = silo.el("select", { class: "new-state", "aria-label": "new state of " + v.label },
            ...STATES.map((s) => silo.el("option", { value: s, selected: s === v.state }, s)));
        const reason = silo.el("input", { class: "reason", placeholder: "reason", maxlength: 200, "aria-label": "reason" });
        const apply = silo.el("button", { class: "apply", type: "button", onclick: () => volumes.change(v.label, state.value, reason.value) }, "Set");
        const title = v.stateReason ? v.stateReason + " (" + v.stateBy + ")" : (v.stateBy ? "by " + v.stateBy : null);
        return silo.el("tr", { "data-label": v.label },
            silo.el("td", {}, v.label), silo.el("td", {}, v.library), silo.el("td", {}, v.mediaType),
            silo.el("td", {}, v.storageGroup), silo.el("td", {}, v.fileFamily),
            silo.el("td", { class: "state state-" + v.state, title: title }, v.state),
            silo.el("td", { class: "num files" }, silo.number(v.files)),
            silo.el("td", { class: "num capacity" }, silo.bytes(v.capacity)),
            silo.el("td", { class: "used" }, bar, silo.bytes(v.used)),
            silo.el("td", { class: "num dead", title: (v.containers || 0) + " containers; silo repack " + v.label + " gives the dead space back" },
                silo.bytes(v.deadBytes || 0)),
            silo.el("td", { class: "num mounts" }, silo.number(v.mounts)),
            silo.el("td", { class: "num errors", title: "read " + v.readErrors + ", write " + v.writeErrors }, silo.number(v.errors)),
            silo.el("td", {}, state, " ", reason, " ", apply));
    },

    async change(label, state, reason) {
        try {
            await silo.post("/api/volumes/" + encodeURIComponent(label) + "/state", { state, reason });
            silo.message(label + " is now " + state, "done");
            await volumes.load();
        } catch (e) {
            silo.message(label + ": " + e.message, "error");
        }
    },
};

document.addEventListener("DOMContentLoaded", () => {
    document.getElementById("filter").addEventListener("input", volumes.render);
    document.getElementById("state-filter").addEventListener("change", volumes.render);
    document.querySelectorAll("#volumes th.sortable").forEach((th) => th.addEventListener("click", () => {
        volumes.sortAsc = volumes.sortKey === th.dataset.key ? !volumes.sortAsc : true;
        volumes.sortKey = th.dataset.key;
        volumes.render();
    }));
    silo.onSessionChange.push(() => volumes.load());
});

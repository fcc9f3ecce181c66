// Block images: size, allocation, read-only, the sessions that have each open; and the snapshots of each
// (docs/block.md, "Snapshots"), those of images since removed too.
"use strict";

const images = {
    async load() {
        try {
            const answer = await silo.get("/api/images");
            const snapshots = answer.snapshots || [];
            silo.message(answer.images.length || snapshots.length ? "" : "no images", "");
            document.querySelector("#images tbody").replaceChildren(
                ...(answer.images.length ? answer.images.map((i) => images.row(i, snapshots)) : [silo.none(6)]));
            const present = new Set(answer.images.map((i) => i.name));
            document.querySelector("#snapshots tbody").replaceChildren(
                ...(snapshots.length ? snapshots.map((s) => images.snapshot(s, present)) : [silo.none(7)]));
        } catch (e) {
            silo.message("cannot list images: " + e.message, "error");
        }
    },

    row(i, snapshots) {
        const share = i.sizeBytes ? i.allocatedBytes / i.sizeBytes : 0;
        const bar = silo.el("span", { class: "bar" }, silo.el("span"));
        bar.firstChild.style.width = Math.round(Math.min(1, Math.max(0, share)) * 100) + "%";
        const holders = (i.holders || []).length
            ? silo.el("ul", { class: "holders" }, ...i.holders.map((h) => silo.el("li", {}, h)))
            : silo.el("span", { class: "muted" }, "nobody");
        const own = snapshots.filter((s) => s.image === i.name);
        return silo.el("tr", { "data-name": i.name },
            silo.el("td", {}, i.name), silo.el("td", { class: "num" }, silo.bytes(i.sizeBytes)),
            silo.el("td", {}, bar, silo.bytes(i.allocatedBytes)),
            silo.el("td", {}, i.readOnly ? "read-only" : "read-write"), silo.el("td", { class: "holders" }, holders),
            silo.el("td", { class: "snapshots" }, own.length
                ? own.length + " (newest " + silo.time(own[own.length - 1].takenMs) + ")"
                : silo.el("span", { class: "muted" }, "none")));
    },

    // IMAGE@N is how NBD exports it and `silo disk restore` names it; parent 0 is a full snapshot.
    snapshot(s, present) {
        const ref = s.image + "@" + s.number;
        return silo.el("tr", { "data-snapshot": ref },
            silo.el("td", { class: "ref" }, ref,
                present.has(s.image) ? null : silo.el("span", { class: "muted" }, " (image removed)")),
            silo.el("td", { class: "taken" }, silo.time(s.takenMs)),
            silo.el("td", { class: "num took" }, s.tookMs < 1000 ? s.tookMs + " ms" : (s.tookMs / 1000).toFixed(1) + " s"),
            silo.el("td", { class: "num stored" }, silo.bytes(s.stored)),
            silo.el("td", { class: "num size" }, silo.bytes(s.imageSize)),
            silo.el("td", { class: "parent" }, s.parent === 0 ? "full" : s.parent < 0 ? "missing" : s.image + "@" + s.parent),
            silo.el("td", { class: "path" }, s.path));
    },
};

document.addEventListener("DOMContentLoaded", () => {
    images.load();
    setInterval(images.load, 5000);
});

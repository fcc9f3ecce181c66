// Block images: size, allocation, read-only, and the sessions that have each open.
"use strict";

const images = {
    async load() {
        try {
            const answer = await silo.get("/api/images");
            silo.message(answer.images.length ? "" : "no images", "");
            document.querySelector("#images tbody").replaceChildren(...(answer.images.length ? answer.images.map(images.row) : [silo.none(5)]));
        } catch (e) {
            silo.message("cannot list images: " + e.message, "error");
        }
    },

    row(i) {
        const share = i.sizeBytes ? i.allocatedBytes / i.sizeBytes : 0;
        const bar = silo.el("span", { class: "bar" }, silo.el("span"));
        bar.firstChild.style.width = Math.round(Math.min(1, Math.max(0, share)) * 100) + "%";
        const holders = (i.holders || []).length
            ? silo.el("ul", { class: "holders" }, ...i.holders.map((h) => silo.el("li", {}, h)))
            : silo.el("span", { class: "muted" }, "nobody");
        return silo.el("tr", { "data-name": i.name },
            silo.el("td", {}, i.name), silo.el("td", { class: "num" }, silo.bytes(i.sizeBytes)),
            silo.el("td", {}, bar, silo.bytes(i.allocatedBytes)),
            silo.el("td", {}, i.readOnly ? "read-only" : "read-write"), silo.el("td", { class: "holders" }, holders));
    },
};

document.addEventListener("DOMContentLoaded", () => {
    images.load();
    setInterval(images.load, 5000);
});

// Files: browse the archive's namespace (the path lives in the URL's #fragment, so Back works),
// and show one file's stat, checksum and location.
"use strict";

const files = {
    path() {
        const p = decodeURIComponent(location.hash.substring(1));
        return p.startsWith("/") ? p : "/";
    },

    // the cursor of the page after those shown (null: all shown); the server sends a page at a time
    next: null,

    async load() {
        const path = files.path();
        files.crumbs(path);
        document.getElementById("details").hidden = true;
        document.querySelector("#files tbody").replaceChildren();
        files.next = null;
        files.more(false);
        try {
            const answer = await files.page(path, null);
            silo.message(answer.entries.length ? "" : "empty directory", "");
        } catch (e) {
            silo.message(path + ": " + e.message, "error");
        }
    },

    // one page of the directory appended to the table; "Load more" asks for the next while there is one
    async page(path, after) {
        const answer = await silo.get("/api/files?path=" + encodeURIComponent(path)
            + (after ? "&after=" + encodeURIComponent(after) : ""));
        if (path !== files.path()) {
            return answer; // the user went elsewhere meanwhile
        }
        document.querySelector("#files tbody").append(...answer.entries.map(files.row));
        files.next = answer.next || null;
        files.more(files.next !== null);
        document.getElementById("shown").textContent = document.querySelectorAll("#files tbody tr").length
            + " entries" + (files.next ? " shown, more follow" : "");
        return answer;
    },

    more(show) {
        document.getElementById("more").hidden = !show;
    },

    async loadMore() {
        const button = document.getElementById("more");
        button.disabled = true;
        try {
            await files.page(files.path(), files.next);
        } catch (e) {
            silo.message(files.path() + ": " + e.message, "error");
        } finally {
            button.disabled = false;
        }
    },

    crumbs(path) {
        const parts = path.split("/").filter((p) => p);
        const crumbs = [silo.el("a", { href: "#/" }, "/")];
        let at = "";
        parts.forEach((p, i) => {
            at += "/" + p;
            crumbs.push(silo.el("a", { href: "#" + encodeURIComponent(at) }, p));
            if (i < parts.length - 1) {
                crumbs.push(" / ");
            }
        });
        document.getElementById("crumbs").replaceChildren(...crumbs);
    },

    // The server's namespace entry, key for key: kind (file or dir), size, adler32 (hex), volume, bfid.
    row(e) {
        const dir = e.kind === "dir";
        const name = dir
            ? silo.el("a", { class: "entry dir", href: "#" + encodeURIComponent(e.path) }, e.name + "/")
            : silo.el("a", { class: "entry file", href: "#" + encodeURIComponent(files.path()), onclick: (ev) => { ev.preventDefault(); files.details(e.path); } }, e.name);
        return silo.el("tr", { "data-path": e.path, class: dir ? "dir" : "file" },
            silo.el("td", {}, name), silo.el("td", { class: "kind" }, dir ? "directory" : "file"),
            silo.el("td", { class: "num size" }, dir ? "" : silo.bytes(e.size)),
            silo.el("td", { class: "volume" }, e.volume || ""), silo.el("td", { class: "checksum" }, e.adler32 || ""),
            silo.el("td", { class: "bfid" }, e.bfid || ""));
    },

    async details(path) {
        try {
            const answer = await silo.get("/api/whatis?kind=file&name=" + encodeURIComponent(path));
            document.getElementById("details-title").textContent = path;
            const items = [];
            for (const [k, v] of Object.entries(answer.info)) {
                items.push(silo.el("dt", {}, k), silo.el("dd", { "data-key": k }, typeof v === "object" ? JSON.stringify(v) : String(v)));
            }
            document.getElementById("details-list").replaceChildren(...items);
            document.getElementById("details").hidden = false;
        } catch (e) {
            silo.message(path + ": " + e.message, "error");
        }
    },
};

document.addEventListener("DOMContentLoaded", () => {
    window.addEventListener("hashchange", files.load);
    document.getElementById("more").addEventListener("click", files.loadMore);
    files.load();
});

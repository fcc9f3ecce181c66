// Shared by every page: fetch helpers, formatting, and the login box in the nav bar.
"use strict";

const silo = {
    // GET /api/...: the parsed JSON, or an Error carrying the server's {error, code}.
    async get(path) {
        return silo.answer(await fetch(path, { headers: { "Accept": "application/json" } }));
    },

    // POST with the X-Silo header the server requires of every POST (CSRF protection).
    async post(path, body) {
        return silo.answer(await fetch(path, {
            method: "POST",
            headers: { "Content-Type": "application/json", "X-Silo": "1" },
            body: JSON.stringify(body || {}),
        }));
    },

    async answer(response) {
        let json = null;
        try {
            json = await response.json();
        } catch (e) {
            json = null;
        }
        if (!response.ok) {
            const error = new Error(json && json.error ? json.error : "HTTP " + response.status);
            error.status = response.status;
            error.code = json && json.code;
            throw error;
        }
        return json;
    },

    el(tag, attrs, ...children) {
        const e = document.createElement(tag);
        for (const [k, v] of Object.entries(attrs || {})) {
            if (k === "class") {
                e.className = v;
            } else if (k.startsWith("on")) {
                e.addEventListener(k.substring(2), v);
            } else if (v !== null && v !== undefined && v !== false) {
                e.setAttribute(k, v === true ? "" : v);
            }
        }
        for (const c of children) {
            if (c !== null && c !== undefined) {
                e.append(c instanceof Node ? c : String(c));
            }
        }
        return e;
    },

    bytes(n) {
        if (n === null || n === undefined || isNaN(n)) {
            return "–";
        }
        const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
        let i = 0;
        let v = Number(n);
        while (Math.abs(v) >= 1024 && i < units.length - 1) {
            v /= 1024;
            i++;
        }
        return (i === 0 ? v.toFixed(0) : v.toFixed(v < 10 ? 2 : 1)) + " " + units[i];
    },

    // The one row an empty table shows, so it does not run into the next heading.
    none(columns, text) {
        return silo.el("tr", { class: "none" }, silo.el("td", { colspan: columns, class: "muted" }, text || "none"));
    },

    // A time as UTC to the second, the same in every browser: "2026-11-30 10:01:07 UTC".
    time(ms) {
        return ms === null || ms === undefined ? "–" : new Date(ms).toISOString().substring(0, 19).replace("T", " ") + " UTC";
    },

    number(n) {
        return n === null || n === undefined ? "–" : Number(n).toLocaleString("en-US");
    },

    message(text, kind) {
        const m = document.getElementById("message");
        if (m) {
            m.textContent = text || "";
            m.className = "message " + (kind || "");
        }
    },

    // Pages that change with a login (the volumes page) listen for this.
    onSessionChange: [],

    async renderLogin() {
        const box = document.getElementById("login");
        let session = { loggedIn: false };
        try {
            session = await silo.get("/api/session");
        } catch (e) {
            // The box still offers a login.
        }
        box.replaceChildren();
        if (session.loggedIn) {
            box.append(silo.el("span", { class: "who", id: "who" }, "logged in as " + session.list),
                silo.el("button", { class: "plain", id: "logout", type: "button", onclick: silo.logout }, "Log out"));
        } else {
            const list = silo.el("input", { id: "login-list", placeholder: "access list", autocomplete: "username", "aria-label": "access list" });
            const password = silo.el("input", { id: "login-password", type: "password", placeholder: "password", autocomplete: "current-password", "aria-label": "password" });
            const error = silo.el("span", { class: "error", id: "login-error" });
            const form = silo.el("form", { class: "login", id: "login-form" }, list, password,
                silo.el("button", { type: "submit", id: "login-submit" }, "Log in"), error);
            form.addEventListener("submit", async (event) => {
                event.preventDefault();
                try {
                    await silo.post("/api/login", { list: list.value, password: password.value });
                    await silo.renderLogin();
                } catch (e) {
                    error.textContent = e.message;
                }
            });
            box.append(form);
        }
        silo.onSessionChange.forEach((f) => f(session));
    },

    async logout() {
        try {
            await silo.post("/api/logout", {});
        } finally {
            await silo.renderLogin();
        }
    },
};

document.addEventListener("DOMContentLoaded", () => silo.renderLogin());

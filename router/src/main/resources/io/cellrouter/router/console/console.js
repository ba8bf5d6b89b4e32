// cell-router console: plain JavaScript, no library, no inline script (the page's CSP forbids it).
// It talks to this router's /admin/v1 API with the token the operator signs in with; the token is
// kept in sessionStorage (this tab only) and sent as a bearer header, never as a cookie.
"use strict";

(() => {
  const TOKEN_KEY = "cellRouterAdminToken";
  const STATS_EVERY_MS = 2000;
  const COUNTS_EVERY_MS = 15000;
  const OVERRIDES_EVERY_MS = 5000;
  const STEPS = [
    ["override", "override"],
    ["cache", "cache"],
    ["registry", "registry"],
    ["token", "token hint"],
    ["default", "unknownCustomer"],
  ];

  const $ = (id) => document.getElementById(id);
  const state = { role: null, cells: [], counts: {}, stats: {}, customer: null, plan: null, timers: [] };

  // ---- the API

  async function api(method, path, body) {
    const headers = { Accept: "application/json" };
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (token) headers.Authorization = "Bearer " + token;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch("/admin/v1/" + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store",
      credentials: "omit",
    });
    let json = {};
    try {
      json = await response.json();
    } catch (e) {
      json = { error: "not_json", message: "the router did not answer with JSON" };
    }
    if (response.status === 401 && path !== "whoami") signOut("The token was not accepted: sign in again.");
    return { status: response.status, ok: response.ok, body: json };
  }

  function refusal(answer) {
    return answer.status + " " + (answer.body.error || "") + ": " + (answer.body.message || "");
  }

  // ---- messages

  function say(text, kind) {
    const status = $("status");
    status.textContent = text;
    status.className = "status" + (kind === "info" ? " info" : "");
    status.hidden = !text;
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  // ---- sign in and out

  async function start() {
    const who = await api("GET", "whoami");
    if (who.status !== 200) {
      $("sign-in").hidden = false;
      $("app").hidden = true;
      $("token").focus();
      return;
    }
    state.role = who.body.role;
    $("who").textContent = who.body.who + " · " + state.role;
    $("sign-out").hidden = false;
    $("sign-in").hidden = true;
    $("app").hidden = false;
    document.body.dataset.role = state.role;
    await refreshCells(true);
    await refreshOverrides();
    state.timers.push(setInterval(() => refreshCells(false), STATS_EVERY_MS));
    state.timers.push(setInterval(() => refreshCounts(), COUNTS_EVERY_MS));
    state.timers.push(setInterval(() => refreshOverrides(), OVERRIDES_EVERY_MS));
  }

  function signOut(message) {
    sessionStorage.removeItem(TOKEN_KEY);
    state.timers.forEach(clearInterval);
    state.timers = [];
    state.role = null;
    $("app").hidden = true;
    $("sign-out").hidden = true;
    $("who").textContent = "";
    $("customer").hidden = true;
    $("customer-tools").replaceChildren();
    $("sign-in").hidden = false;
    say(message || "", "error");
  }

  // ---- cells and live traffic

  async function refreshCells(withCounts) {
    const [cells, stats] = await Promise.all([api("GET", "cells"), api("GET", "stats")]);
    if (!cells.ok || !stats.ok) return;
    state.cells = cells.body.cells;
    state.stats = {};
    stats.body.cells.forEach((s) => (state.stats[s.cell] = s));
    if (withCounts) await refreshCounts();
    renderCells();
  }

  async function refreshCounts() {
    const answers = await Promise.all(state.cells.map((c) => api("GET", "cells/" + encodeURIComponent(c.name))));
    answers.forEach((a) => {
      if (a.ok) state.counts[a.body.name] = a.body.customerCount;
    });
    renderCells();
  }

  // Cards are built once per cell and updated in place: a reader's selection and focus survive.
  const cards = new Map();

  function renderCells() {
    const list = $("cells");
    const names = new Set(state.cells.map((c) => c.name));
    for (const [name, card] of cards) {
      if (!names.has(name)) {
        card.remove();
        cards.delete(name);
      }
    }
    state.cells.forEach((cell) => {
      let card = cards.get(cell.name);
      if (!card) {
        card = cellCard(cell.name);
        cards.set(cell.name, card);
      }
      list.append(card); // keeps the order of state.cells
      updateCard(card, cell, state.stats[cell.name]);
    });
  }

  function cellCard(name) {
    const card = el("article", "cell-card");
    card.dataset.cell = name;
    const head = el("header");
    head.append(el("span", "name", name), el("span", "badge"));
    const figures = el("div", "figures");
    figures.append(
      figure("customers", "…", "customers"),
      figure("rps", "0.0", "req/s"),
      figure("errors", "0.0%", "errors"),
      figure("p99", "0.0", "p99 ms"),
    );
    card.append(head, el("div", "meta"), figures, chart([], [], name), el("div", "hint in-flight"));
    return card;
  }

  function updateCard(card, cell, stats) {
    const badge = card.querySelector(".badge");
    badge.textContent = cell.state;
    badge.className = "badge " + cell.state;
    card.querySelector(".meta").textContent = [cell.region || "no region", cell.tier || "no tier", cell.endpoint].join(" · ");
    const s = stats || { rps: 0, errorRatio: 0, p99Ms: 0, inFlight: 0, requestsPerSecond: [], errorsPerSecond: [] };
    const count = state.counts[cell.name];
    setFigure(card, "customers", count === undefined ? "…" : count);
    setFigure(card, "rps", s.rps.toFixed(1));
    setFigure(card, "errors", (s.errorRatio * 100).toFixed(1) + "%", s.errorRatio > 0.01);
    setFigure(card, "p99", s.p99Ms.toFixed(1));
    card.querySelector("svg.chart").replaceWith(chart(s.requestsPerSecond, s.errorsPerSecond, cell.name));
    card.querySelector(".in-flight").textContent = s.inFlight + " in flight";
  }

  function setFigure(card, name, value, bad) {
    const node = card.querySelector(".figure." + name);
    node.classList.toggle("bad", Boolean(bad));
    node.querySelector(".value").textContent = String(value);
  }

  function figure(name, value, label, bad) {
    const node = el("div", "figure " + name + (bad ? " bad" : ""));
    node.append(el("div", "value", value), el("div", "label", label));
    return node;
  }

  const SVG = "http://www.w3.org/2000/svg";

  function chart(requests, errors, name) {
    const width = 240;
    const height = 48;
    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("class", "chart");
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    svg.setAttribute("preserveAspectRatio", "none");
    svg.setAttribute("role", "img");
    const points = requests.length ? requests : new Array(60).fill(0);
    const max = Math.max(1, ...points);
    const step = width / Math.max(1, points.length - 1);
    const coords = points.map((v, i) => (i * step).toFixed(1) + "," + (height - 2 - (v / max) * (height - 6)).toFixed(1));
    const area = document.createElementNS(SVG, "polygon");
    area.setAttribute("class", "area");
    area.setAttribute("points", "0," + height + " " + coords.join(" ") + " " + width + "," + height);
    const line = document.createElementNS(SVG, "polyline");
    line.setAttribute("class", "line");
    line.setAttribute("points", coords.join(" "));
    svg.append(area, line);
    (errors || []).forEach((e, i) => {
      if (e > 0) {
        const bar = document.createElementNS(SVG, "rect");
        bar.setAttribute("class", "error");
        bar.setAttribute("x", Math.max(0, i * step - 1).toFixed(1));
        bar.setAttribute("width", "2");
        const h = Math.max(2, (e / max) * (height - 6));
        bar.setAttribute("y", (height - h).toFixed(1));
        bar.setAttribute("height", h.toFixed(1));
        svg.append(bar);
      }
    });
    const title = document.createElementNS(SVG, "title");
    title.textContent = name + ": requests per second, last 60 s (max " + max + ")";
    svg.append(title);
    return svg;
  }

  // ---- one customer

  async function findCustomer(id, keepStatus) {
    if (!keepStatus) say("");
    const [placement, decision] = await Promise.all([
      api("GET", "customers/" + encodeURIComponent(id)),
      api("GET", "resolve/" + encodeURIComponent(id)),
    ]);
    if (placement.status === 404 && decision.ok && decision.body.outcome === "unknown_customer") {
      say("Customer " + id + " is not placed in the registry.", "error");
      $("customer").hidden = true;
      return;
    }
    if (!placement.ok && placement.status !== 404) {
      say("Could not read customer " + id + ": " + refusal(placement), "error");
      return;
    }
    state.customer = { id, placement: placement.ok ? placement.body : null, decision: decision.body };
    renderCustomer();
  }

  function renderCustomer() {
    const { id, placement, decision } = state.customer;
    $("customer").hidden = false;
    $("customer-cell").textContent = placement ? placement.cell : "not placed";
    $("customer-version").textContent = placement ? "version " + placement.version + ", since " + placement.updatedAt : "";
    $("customer-override").textContent = placement && placement.override ? describeOverride(placement.override) : "none";
    $("customer-shadow").textContent = placement && placement.shadow ? describeShadow(placement.shadow) : "none";
    const routed = decision.cell ? "routes to " + decision.cell : decision.outcome;
    const age = decision.cacheAgeMillis !== undefined ? " (cached " + Math.round(decision.cacheAgeMillis / 1000) + " s ago)" : "";
    $("customer-decision").textContent = routed + ", decided by " + decision.source + age;
    const path = $("resolve-path");
    const decidedAt = STEPS.findIndex(([source]) => source === decision.source);
    path.replaceChildren(
      ...STEPS.map(([source, label], i) => {
        const item = el("li", i === decidedAt ? "decided" : i < decidedAt ? "skipped" : "", label);
        item.dataset.source = source;
        return item;
      }),
    );
    path.dataset.decided = decision.source;
    if (state.role === "operator") renderTools(id, placement);
  }

  function describeOverride(o) {
    const what = o.freeze ? "freeze" : "to " + o.cell;
    return what + " until " + new Date(o.expiresAt).toLocaleString() + " (" + untilText(o.expiresAt) + ")" + (o.reason ? " — " + o.reason : "");
  }

  function describeShadow(s) {
    return Math.round(s.fraction * 1000) / 10 + "% of " + s.methods.join(", ") + " to " + s.toCell +
      " until " + new Date(s.expiresAt).toLocaleString() + " (" + untilText(s.expiresAt) + ")" + (s.reason ? " — " + s.reason : "");
  }

  function untilText(iso) {
    const seconds = Math.max(0, Math.round((new Date(iso).getTime() - Date.now()) / 1000));
    if (seconds < 60) return "in " + seconds + " s";
    if (seconds < 3600) return "in " + Math.floor(seconds / 60) + " m " + (seconds % 60) + " s";
    return "in " + Math.floor(seconds / 3600) + " h " + Math.floor((seconds % 3600) / 60) + " m";
  }

  // ---- operator tools (never rendered for a viewer)

  function renderTools(id, placement) {
    const holder = $("customer-tools");
    holder.replaceChildren($("operator-tools").content.cloneNode(true));
    const others = state.cells.filter((c) => !placement || c.name !== placement.cell);
    fillCells($("move-to"), others);
    fillCells($("override-cell"), state.cells);
    $("move-form").addEventListener("submit", (e) => {
      e.preventDefault();
      dryRun(id);
    });
    $("confirm-move").addEventListener("click", () => confirmMove(id));
    $("cancel-move").addEventListener("click", () => {
      state.plan = null;
      $("dry-run").hidden = true;
    });
    $("freeze-form").addEventListener("submit", (e) => {
      e.preventDefault();
      write("PUT", "overrides/" + encodeURIComponent(id), { freeze: true, ttl: $("freeze-ttl").value, reason: "frozen from the console" },
        "Froze " + id + " for " + $("freeze-ttl").value + ".");
    });
    $("override-form").addEventListener("submit", (e) => {
      e.preventDefault();
      const body = { cell: $("override-cell").value, ttl: $("override-ttl").value };
      if ($("override-reason").value) body.reason = $("override-reason").value;
      write("PUT", "overrides/" + encodeURIComponent(id), body, "Routed " + id + " to " + body.cell + " for " + body.ttl + ".");
    });
    $("remove-override").addEventListener("click", () =>
      write("DELETE", "overrides/" + encodeURIComponent(id), undefined, "Removed the override of " + id + "."));
    fillCells($("shadow-cell"), others);
    $("shadow-form").addEventListener("submit", (e) => {
      e.preventDefault();
      const body = { toCell: $("shadow-cell").value, fraction: Number($("shadow-fraction").value), ttl: $("shadow-ttl").value };
      write("PUT", "customers/" + encodeURIComponent(id) + "/shadow", body,
        "Shadowing " + body.fraction * 100 + "% of " + id + "'s reads to " + body.toCell + " for " + body.ttl + ".");
    });
    $("remove-shadow").addEventListener("click", () =>
      write("DELETE", "customers/" + encodeURIComponent(id) + "/shadow", undefined, "Stopped the shadow of " + id + "."));
    $("shadow-button").disabled = !placement || others.length === 0;
    $("move-to").disabled = others.length === 0;
    $("dry-run-button").disabled = !placement || others.length === 0;
  }

  function fillCells(select, cells) {
    select.replaceChildren(
      ...cells.map((c) => {
        const option = el("option", "", c.name + (c.state === "active" ? "" : " (" + c.state + ")"));
        option.value = c.name;
        return option;
      }),
    );
  }

  async function dryRun(id) {
    const body = { toCell: $("move-to").value };
    if ($("move-freeze").value) body.freezeFor = $("move-freeze").value;
    const answer = await api("POST", "customers/" + encodeURIComponent(id) + "/move?dryRun=true", body);
    if (!answer.ok) {
      say("Dry run refused: " + refusal(answer), "error");
      return;
    }
    const plan = answer.body;
    state.plan = { body, version: plan.version };
    let text = "Dry run: move " + id + " from " + plan.fromCell + " to " + plan.toCell + " (version " + plan.version + " → " + plan.nextVersion + ").";
    if (plan.override) text += " Its current override (" + describeOverride(plan.override) + ") will be replaced.";
    if (body.freezeFor) text += " It will answer 503 customer_frozen for " + body.freezeFor + ", then go to " + plan.toCell + ".";
    $("dry-run-result").textContent = text;
    $("dry-run").hidden = false;
    say("");
  }

  async function confirmMove(id) {
    if (!state.plan) return;
    const body = Object.assign({}, state.plan.body, { expectedVersion: state.plan.version });
    $("confirm-move").disabled = true;
    const answer = await api("POST", "customers/" + encodeURIComponent(id) + "/move", body);
    state.plan = null;
    if (!answer.ok) {
      say("Move refused: " + refusal(answer), "error");
    } else {
      const r = answer.body;
      say("Moved " + id + " from " + r.fromCell + " to " + r.toCell + " (version " + r.version + ")" + (r.frozenUntil ? ", frozen until " + new Date(r.frozenUntil).toLocaleTimeString() : "") + ".", "info");
    }
    await afterWrite(id);
  }

  async function write(method, path, body, done) {
    const answer = await api(method, path, body);
    if (!answer.ok) say("Refused: " + refusal(answer), "error");
    else say(done, "info");
    await afterWrite(state.customer && state.customer.id);
  }

  async function afterWrite(id) {
    await Promise.all([refreshOverrides(), refreshCounts()]);
    if (id) await findCustomer(id, true);
  }

  // ---- overrides

  async function refreshOverrides() {
    const answer = await api("GET", "overrides");
    if (!answer.ok) return;
    const rows = answer.body.overrides.map((o) => {
      const row = el("tr");
      row.dataset.customer = o.customer;
      row.append(
        el("td", "", o.customer),
        el("td", "", o.freeze ? "freeze" : "to " + o.cell),
        el("td", "", new Date(o.expiresAt).toLocaleString() + " (" + untilText(o.expiresAt) + ")"),
        el("td", "", o.reason || ""),
      );
      const actions = el("td");
      if (state.role === "operator") {
        const remove = el("button", "quiet remove", "Remove");
        remove.type = "button";
        remove.addEventListener("click", () =>
          write("DELETE", "overrides/" + encodeURIComponent(o.customer), undefined, "Removed the override of " + o.customer + "."));
        actions.append(remove);
      }
      row.append(actions);
      return row;
    });
    $("overrides").tBodies[0].replaceChildren(...rows);
    $("no-overrides").hidden = rows.length > 0;
  }

  // ---- wiring

  document.addEventListener("DOMContentLoaded", () => {
    $("sign-in-form").addEventListener("submit", async (e) => {
      e.preventDefault();
      sessionStorage.setItem(TOKEN_KEY, $("token").value.trim());
      $("token").value = "";
      const who = await api("GET", "whoami");
      if (who.status !== 200) {
        sessionStorage.removeItem(TOKEN_KEY);
        say("That token was not accepted.", "error");
        return;
      }
      say("");
      start();
    });
    $("sign-out").addEventListener("click", () => signOut(""));
    $("find-form").addEventListener("submit", (e) => {
      e.preventDefault();
      findCustomer($("customer-id").value.trim());
    });
    start();
  });
})();

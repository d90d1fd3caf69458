"use strict";

// The Octopus HA portal: Configuration -> Nodes and Tasks, over the node's own REST API.
// Plain DOM code on purpose: no build step and nothing fetched from the network at run time.
(function () {
  const KEY_STORAGE = "octopus.apiKey";
  const NODES_REFRESH_MS = 3000;
  const TASKS_REFRESH_MS = 3000;
  const LOG_REFRESH_MS = 1500;
  const LOG_TAIL_LINES = 1000;
  const PAGE_SIZE = 30;
  const TASK_STATES = ["Queued", "Executing", "Cancelling", "Success", "Failed", "Canceled", "TimedOut"];

  const main = document.getElementById("main");
  const announcer = document.getElementById("announcer");
  let user = null;
  let view = null; // the current page: {timer, dispose()}

  // ---------- API ----------

  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  async function api(method, path, body, key) {
    const headers = { "X-Octopus-ApiKey": key || sessionStorage.getItem(KEY_STORAGE) || "" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let response;
    try {
      response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: "no-store" });
    } catch (e) {
      throw new ApiError(0, "The server could not be reached. Check your connection.");
    }
    const servedBy = response.headers.get("X-Octopus-Node");
    if (servedBy) document.getElementById("served-by").textContent = "Served by node " + servedBy;
    const text = await response.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch (e) { json = null; }
    if (!response.ok) {
      const message = (json && json.ErrorMessage) || ("The server answered " + response.status + ".");
      if (response.status === 401 && !key) expireSession();
      throw new ApiError(response.status, message);
    }
    return json === null ? text : json;
  }

  // ---------- small DOM helpers ----------

  // Marks a form field as wrong, says why next to it, and puts the cursor back into it.
  function fieldError(input, errorText, message) {
    errorText.textContent = message;
    input.setAttribute("aria-invalid", "true");
    input.focus();
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (name === "class") node.className = value;
      else if (name === "text") node.textContent = value;
      else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? "" : value);
    }
    for (const child of children.flat()) {
      if (child !== null && child !== undefined) node.append(child);
    }
    return node;
  }

  // Writes only when the value changed, so refreshes never re-render what the user is looking at.
  function setText(node, text) {
    if (node.textContent !== text) node.textContent = text;
  }

  function setAttr(node, name, value) {
    if (value === null || value === undefined) {
      if (node.hasAttribute(name)) node.removeAttribute(name);
    } else if (node.getAttribute(name) !== value) {
      node.setAttribute(name, value);
    }
  }

  function announce(message) {
    announcer.textContent = "";
    // A new text node in the next frame makes screen readers speak a repeated message again.
    requestAnimationFrame(() => { announcer.textContent = message; });
  }

  function relativeTime(iso) {
    if (!iso) return "never";
    const seconds = Math.round((Date.now() - new Date(iso).getTime()) / 1000);
    if (Math.abs(seconds) < 5) return "just now";
    if (seconds < 0) return "in the future";
    if (seconds < 60) return seconds + " seconds ago";
    const minutes = Math.floor(seconds / 60);
    if (minutes < 60) return minutes === 1 ? "1 minute ago" : minutes + " minutes ago";
    const hours = Math.floor(minutes / 60);
    if (hours < 48) return hours === 1 ? "1 hour ago" : hours + " hours ago";
    return Math.floor(hours / 24) + " days ago";
  }

  function absoluteTime(iso) {
    return iso ? new Date(iso).toLocaleString() : "";
  }

  function timeCell(node, iso) {
    setAttr(node, "datetime", iso || null);
    setAttr(node, "title", iso ? absoluteTime(iso) : null);
    setText(node, relativeTime(iso));
  }

  function canOperate() {
    return user && (user.Role === "Operator" || user.Role === "Administrator");
  }

  function isAdministrator() {
    return user && user.Role === "Administrator";
  }

  // ---------- session ----------

  function expireSession() {
    sessionStorage.removeItem(KEY_STORAGE);
    user = null;
    showSignIn("Your API key is no longer accepted. Sign in again.");
  }

  async function restoreSession() {
    if (!sessionStorage.getItem(KEY_STORAGE)) return showSignIn();
    try {
      user = await api("GET", "/api/users/me");
    } catch (e) {
      if (e.status !== 401) showSignIn(e.message);
      return;
    }
    signedIn();
  }

  function signedIn() {
    document.getElementById("nav").hidden = false;
    document.getElementById("user").hidden = false;
    document.getElementById("user-name").textContent = user.DisplayName || user.Id;
    document.getElementById("user-role").textContent = user.Role;
    route();
  }

  function showSignIn(message) {
    disposeView();
    document.getElementById("nav").hidden = true;
    document.getElementById("user").hidden = true;
    const error = el("p", { id: "signin-error", class: "field-error", role: "alert", text: message || "" });
    const input = el("input", {
      id: "api-key", name: "apikey", type: "password", autocomplete: "off", spellcheck: "false",
      placeholder: "API-…", required: true, "aria-describedby": "signin-help signin-error"
    });
    const form = el("form", { class: "panel signin", novalidate: true, "aria-labelledby": "signin-title" },
      el("h1", { id: "signin-title", text: "Sign in" }),
      el("p", { id: "signin-help", class: "muted", text: "Use an API key from your administrator. It is kept only in this browser tab." }),
      el("label", { for: "api-key", text: "API key" }),
      input,
      error,
      el("button", { type: "submit", id: "sign-in", class: "primary", text: "Sign in" }));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const key = input.value.trim();
      if (!key) return fieldError(input, error, "Enter an API key.");
      try {
        user = await api("GET", "/api/users/me", undefined, key);
      } catch (e) {
        return fieldError(input, error, e.status === 401 ? "That API key was not accepted. Check it and try again." : e.message);
      }
      sessionStorage.setItem(KEY_STORAGE, key);
      signedIn();
    });
    main.replaceChildren(form);
    input.focus();
  }

  document.getElementById("sign-out").addEventListener("click", () => {
    sessionStorage.removeItem(KEY_STORAGE);
    user = null;
    location.hash = "#/nodes";
    showSignIn("You are signed out.");
  });

  // ---------- routing ----------

  function disposeView() {
    if (view) view.dispose();
    view = null;
  }

  function parseHash() {
    const hash = location.hash.replace(/^#/, "") || "/nodes";
    const [path, query] = hash.split("?");
    return { parts: path.split("/").filter(Boolean).map(decodeURIComponent), params: new URLSearchParams(query || "") };
  }

  function route() {
    if (!user) return;
    disposeView();
    const { parts, params } = parseHash();
    let section = "nodes";
    if (parts[0] === "tasks" && parts[1]) {
      section = "tasks";
      view = taskView(parts[1]);
    } else if (parts[0] === "tasks") {
      section = "tasks";
      view = tasksView(params);
    } else {
      view = nodesView();
    }
    document.querySelectorAll("#nav a").forEach(a => setAttr(a, "aria-current", a.dataset.route === section ? "page" : null));
    main.focus({ preventScroll: true });
  }

  window.addEventListener("hashchange", route);

  // Runs load() now and then every interval, never two at once: a refresh asked for during a load runs right
  // after it. The poller hides only the errors it showed itself, so an action's error stays until the next action.
  function poll(load, interval, errorBanner) {
    const state = { stopped: false, timer: null, loading: false, again: false };
    async function tick() {
      state.loading = true;
      let failure = null;
      try {
        await load();
      } catch (e) {
        failure = e;
      }
      state.loading = false;
      if (state.stopped || (failure && failure.status === 401)) return;
      if (failure) showError(errorBanner, failure.message, "poll");
      else if (errorBanner.dataset.source === "poll") errorBanner.hidden = true;
      if (state.again) {
        state.again = false;
        tick();
      } else {
        state.timer = setTimeout(tick, interval);
      }
    }
    tick();
    return {
      get stopped() { return state.stopped; },
      refreshNow() {
        if (state.loading) { state.again = true; return; }
        clearTimeout(state.timer);
        tick();
      },
      stop() { state.stopped = true; clearTimeout(state.timer); }
    };
  }

  function showError(banner, message, source) {
    banner.textContent = message;
    banner.dataset.source = source;
    banner.hidden = false;
  }

  // Brings a table body in line with items, keyed by Id: rows are made once and then updated in place, so that
  // focus, an open menu and the reader's place survive each refresh.
  function syncRows(tbody, rows, items, { create, update, columns, emptyText, onRemove }) {
    const seen = new Set();
    items.forEach((item, index) => {
      seen.add(item.Id);
      let row = rows.get(item.Id);
      if (!row) {
        row = create(item);
        rows.set(item.Id, row);
      }
      update(row, item);
      if (tbody.children[index] !== row.tr) tbody.insertBefore(row.tr, tbody.children[index] || null);
    });
    for (const [id, row] of rows) {
      if (seen.has(id)) continue;
      if (onRemove) onRemove(row);
      row.tr.remove();
      rows.delete(id);
    }
    if (items.length === 0 && !tbody.querySelector("tr.empty")) {
      tbody.append(el("tr", { class: "empty" }, el("td", { colspan: String(columns), text: emptyText })));
    } else if (items.length > 0) {
      tbody.querySelectorAll("tr.empty").forEach(tr => tr.remove());
    }
  }

  // ---------- Nodes page ----------

  function nodesView() {
    const offlineBanner = el("div", { id: "offline-banner", class: "banner", role: "alert", hidden: true });
    const errorBanner = el("div", { class: "banner error", role: "alert", hidden: true });
    const tbody = el("tbody");
    const table = el("table", { id: "nodes-table" },
      el("caption", { text: "Refreshes every few seconds. Hover over a time to see the exact time." }),
      el("thead", {}, el("tr", {},
        el("th", { scope: "col", text: "Name" }),
        el("th", { scope: "col", text: "Status" }),
        el("th", { scope: "col", text: "Last seen" }),
        el("th", { scope: "col", class: "num", text: "Task cap" }),
        el("th", { scope: "col", class: "num", text: "Tasks" }),
        el("th", { scope: "col", text: "Drain" }),
        el("th", { scope: "col", class: "hide-narrow", text: "Last change" }),
        el("th", { scope: "col", class: "actions" }, el("span", { class: "visually-hidden", text: "Actions" })))),
      tbody);
    main.replaceChildren(
      el("p", { class: "breadcrumb", text: "Configuration" }),
      el("h1", { text: "Nodes" }),
      offlineBanner, errorBanner,
      el("div", { class: "table-wrap" }, table));

    const rows = new Map(); // node Id -> {tr, cells, node}
    let openMenu = null;

    function closeMenu(returnFocus) {
      if (!openMenu) return;
      const { button, list } = openMenu;
      list.hidden = true;
      list.replaceChildren();
      button.setAttribute("aria-expanded", "false");
      openMenu = null;
      if (returnFocus) button.focus();
    }

    // The items depend on the node's state at the moment the menu opens, and on the key's role.
    function menuItems(node) {
      const items = [];
      if (node.IsInMaintenanceMode) items.push(["Undrain", () => setDrain(node, false)]);
      else items.push(["Drain", () => setDrain(node, true)]);
      items.push(["Edit task cap", () => editCap(node)]);
      // Only offline nodes: a drained node that is still running registers again at its next check-in, undrained.
      if (isAdministrator() && node.Status === "Offline") items.push(["Delete", () => confirmDelete(node), "danger-item"]);
      return items;
    }

    function openMenuFor(row, focusLast) {
      closeMenu(false);
      const { button, list } = row.menu;
      const buttons = menuItems(row.node).map(([label, action, cls]) => el("button", {
        type: "button", role: "menuitem", tabindex: "-1", class: cls, text: label,
        onclick: () => { closeMenu(false); action(); }
      }));
      list.replaceChildren(...buttons.map(b => el("li", { role: "none" }, b)));
      list.hidden = false;
      button.setAttribute("aria-expanded", "true");
      openMenu = row.menu;
      (focusLast ? buttons[buttons.length - 1] : buttons[0]).focus();
    }

    function menuFor(row) {
      const name = row.node.Name;
      const listId = "menu-" + row.node.Id;
      const button = el("button", {
        type: "button", class: "menu-button", "aria-haspopup": "menu", "aria-expanded": "false", "aria-controls": listId,
        "aria-label": "Actions for " + name, text: "…"
      });
      const list = el("ul", { id: listId, class: "menu-list", role: "menu", "aria-label": "Actions for " + name, hidden: true });
      row.menu = { button, list };
      button.addEventListener("click", () => (openMenu === row.menu ? closeMenu(true) : openMenuFor(row, false)));
      button.addEventListener("keydown", (event) => {
        if (event.key === "ArrowDown" || event.key === "ArrowUp") {
          event.preventDefault();
          openMenuFor(row, event.key === "ArrowUp");
        }
      });
      list.addEventListener("keydown", (event) => {
        const items = [...list.querySelectorAll("[role=menuitem]")];
        const index = items.indexOf(document.activeElement);
        if (event.key === "Escape") { event.preventDefault(); closeMenu(true); }
        else if (event.key === "ArrowDown") { event.preventDefault(); items[(index + 1) % items.length].focus(); }
        else if (event.key === "ArrowUp") { event.preventDefault(); items[(index - 1 + items.length) % items.length].focus(); }
        else if (event.key === "Home") { event.preventDefault(); items[0].focus(); }
        else if (event.key === "End") { event.preventDefault(); items[items.length - 1].focus(); }
        // Focus goes back to the button first, so that Tab moves on from there rather than from a removed item.
        else if (event.key === "Tab") closeMenu(true);
      });
      return el("div", { class: "menu" }, button, list);
    }

    function onDocumentClick(event) {
      if (openMenu && !openMenu.button.parentElement.contains(event.target)) closeMenu(false);
    }
    document.addEventListener("click", onDocumentClick);

    function createRow(node) {
      const cells = {
        name: el("td", { class: "col-name" }),
        status: el("span", { class: "status" }),
        lastSeen: el("time"),
        cap: el("td", { class: "col-cap num" }),
        tasksLink: el("a"),
        drain: el("td", { class: "col-drain" }),
        changedAt: el("time"),
        changedBy: el("span", { class: "by" }),
        actions: el("td", { class: "actions" })
      };
      const tr = el("tr", { "data-node": node.Name },
        cells.name,
        el("td", { class: "col-status" }, cells.status),
        el("td", { class: "col-last-seen" }, cells.lastSeen),
        cells.cap,
        el("td", { class: "col-tasks num" }, cells.tasksLink),
        cells.drain,
        el("td", { class: "col-last-change hide-narrow" }, cells.changedAt, cells.changedBy),
        cells.actions);
      const row = { tr, cells, node };
      if (canOperate()) cells.actions.append(menuFor(row));
      return row;
    }

    function updateRow(row, node) {
      row.node = node;
      const c = row.cells;
      setText(c.name, node.Name);
      setText(c.status, node.Status);
      setAttr(c.status, "class", "status status-" + node.Status);
      timeCell(c.lastSeen, node.LastSeen);
      setText(c.cap, String(node.MaxConcurrentTasks));
      setText(c.tasksLink, String(node.RunningTaskCount));
      setAttr(c.tasksLink, "href", "#/tasks?node=" + encodeURIComponent(node.Name) + "&state=Active");
      setAttr(c.tasksLink, "aria-label", node.RunningTaskCount + " running tasks on " + node.Name);
      setText(c.drain, node.IsInMaintenanceMode ? "On" : "Off");
      // The last drain or cap change made through the API, and by which key (its purpose); the audit trail has the rest.
      timeCell(c.changedAt, node.LastModifiedOn);
      setText(c.changedBy, node.LastModifiedBy ? "by " + node.LastModifiedBy : "");
      setAttr(c.changedBy, "title", node.LastModifiedBy || null);
    }

    function render(nodes) {
      syncRows(tbody, rows, nodes, {
        create: createRow, update: updateRow, columns: 8, emptyText: "No nodes have registered.",
        onRemove: row => { if (openMenu === row.menu) closeMenu(false); }
      });
      const offline = nodes.filter(n => n.Status === "Offline");
      offlineBanner.hidden = offline.length === 0;
      setText(offlineBanner, offline.length === 0 ? "" :
        (offline.length === 1 ? "1 node is offline: " : offline.length + " nodes are offline: ") +
        offline.map(n => n.Name + " (not seen since " + absoluteTime(n.LastSeen) + ", " + relativeTime(n.LastSeen) + ")").join("; ") +
        ". Tasks that were executing there are marked Failed. Check the node's process and its database connection.");
    }

    const poller = poll(async () => {
      const summary = await api("GET", "/api/octopusservernodes/summary");
      render(summary.Nodes.slice().sort((a, b) => a.Name.localeCompare(b.Name)));
    }, NODES_REFRESH_MS, errorBanner);

    function focusRowButton(node) {
      const row = rows.get(node.Id);
      if (row && row.menu) row.menu.button.focus();
    }

    async function setDrain(node, drain) {
      errorBanner.hidden = true;
      try {
        await api("PUT", "/api/octopusservernodes/" + encodeURIComponent(node.Id), { IsInMaintenanceMode: drain });
        announce(drain ? node.Name + " is draining: it finishes its tasks and starts no new ones." : node.Name + " is no longer drained.");
      } catch (e) {
        showError(errorBanner, "Could not change drain on " + node.Name + ": " + e.message, "action");
      }
      poller.refreshNow();
      focusRowButton(node);
    }

    function editCap(node) {
      const dialog = document.getElementById("cap-dialog");
      const form = document.getElementById("cap-form");
      const input = document.getElementById("cap-input");
      const error = document.getElementById("cap-error");
      document.getElementById("cap-title").textContent = "Edit task cap of " + node.Name;
      input.value = String(node.MaxConcurrentTasks);
      input.removeAttribute("aria-invalid");
      error.textContent = "";
      form.onsubmit = async (event) => {
        event.preventDefault();
        const raw = input.value.trim();
        if (!/^\d+$/.test(raw) || Number(raw) > 1000) return fieldError(input, error, "Enter a whole number from 0 to 1000.");
        try {
          await api("PUT", "/api/octopusservernodes/" + encodeURIComponent(node.Id), { MaxConcurrentTasks: Number(raw) });
        } catch (e) {
          return fieldError(input, error, e.message);
        }
        dialog.close();
        announce("The task cap of " + node.Name + " is now " + Number(raw) + ".");
        poller.refreshNow();
      };
      document.getElementById("cap-cancel").onclick = () => dialog.close();
      dialog.onclose = () => focusRowButton(node);
      dialog.showModal();
      input.select();
    }

    function confirmDelete(node) {
      const dialog = document.getElementById("delete-dialog");
      const error = document.getElementById("delete-error");
      document.getElementById("delete-title").textContent = "Delete node " + node.Name + "?";
      document.getElementById("delete-text").textContent = "The record of " + node.Name + " (" + node.Status.toLowerCase() +
        ") is removed from the cluster. If the node starts again it registers itself again.";
      error.textContent = "";
      document.getElementById("delete-form").onsubmit = async (event) => {
        event.preventDefault();
        try {
          await api("DELETE", "/api/octopusservernodes/" + encodeURIComponent(node.Id));
        } catch (e) {
          error.textContent = e.message;
          return;
        }
        dialog.onclose = () => main.focus();
        dialog.close();
        announce(node.Name + " was deleted.");
        poller.refreshNow();
      };
      document.getElementById("delete-cancel").onclick = () => dialog.close();
      dialog.onclose = () => focusRowButton(node);
      dialog.showModal();
      document.getElementById("delete-cancel").focus();
    }

    return {
      dispose() {
        poller.stop();
        document.removeEventListener("click", onDocumentClick);
        ["cap-dialog", "delete-dialog"].forEach(id => {
          const dialog = document.getElementById(id);
          dialog.onclose = null;
          if (dialog.open) dialog.close();
        });
      }
    };
  }

  // ---------- Tasks page ----------

  function tasksView(params) {
    const state = params.get("state") || "";
    const node = params.get("node") || "";
    const skip = Math.max(0, parseInt(params.get("skip") || "0", 10) || 0);
    const errorBanner = el("div", { class: "banner error", role: "alert", hidden: true });

    function go(changes) {
      const next = new URLSearchParams({ state, node, skip: String(skip) });
      for (const [k, v] of Object.entries(changes)) next.set(k, v);
      for (const k of [...next.keys()]) if (!next.get(k) || (k === "skip" && next.get(k) === "0")) next.delete(k);
      const query = next.toString();
      location.hash = "#/tasks" + (query ? "?" + query : "");
    }

    const stateSelect = el("select", { id: "filter-state", onchange: () => go({ state: stateSelect.value, skip: "0" }) },
      el("option", { value: "", text: "Any state" }),
      el("option", { value: "Active", text: "Active (queued, executing, cancelling)" }),
      TASK_STATES.map(s => el("option", { value: s, text: s })));
    stateSelect.value = state;
    const nodeSelect = el("select", { id: "filter-node", onchange: () => go({ node: nodeSelect.value, skip: "0" }) },
      el("option", { value: "", text: "Any node" }));
    if (node) nodeSelect.append(el("option", { value: node, text: node }));
    nodeSelect.value = node;

    const tbody = el("tbody");
    const summary = el("span", { class: "muted", role: "status" });
    const previous = el("button", { type: "button", text: "Newer", disabled: skip === 0, onclick: () => go({ skip: String(Math.max(0, skip - PAGE_SIZE)) }) });
    const next = el("button", { type: "button", text: "Older", disabled: true, onclick: () => go({ skip: String(skip + PAGE_SIZE) }) });

    main.replaceChildren(
      el("h1", { text: "Tasks" }),
      errorBanner,
      el("form", { class: "toolbar", role: "search", "aria-label": "Filter tasks", onsubmit: e => e.preventDefault() },
        el("div", {}, el("label", { for: "filter-state", text: "State" }), stateSelect),
        el("div", {}, el("label", { for: "filter-node", text: "Node" }), nodeSelect)),
      el("div", { class: "table-wrap" }, el("table", { id: "tasks-table" },
        el("caption", { text: "Newest first. Refreshes every few seconds." }),
        el("thead", {}, el("tr", {},
          el("th", { scope: "col", text: "Task" }),
          el("th", { scope: "col", text: "State" }),
          el("th", { scope: "col", text: "Node" }),
          el("th", { scope: "col", class: "hide-narrow", text: "Queued" }),
          el("th", { scope: "col", text: "Duration" }))),
        tbody)),
      el("div", { class: "pager" }, summary, previous, next));

    // Fill the node filter once; nodes rarely change while one looks at tasks.
    api("GET", "/api/octopusservernodes/summary").then(result => {
      for (const n of result.Nodes.map(x => x.Name).sort()) {
        if (n !== node) nodeSelect.append(el("option", { value: n, text: n }));
      }
    }, () => {});

    const rows = new Map();

    function createRow(task) {
      const cells = { link: el("a"), state: el("span", { class: "status" }), node: el("td"), queued: el("time"), duration: el("td") };
      const tr = el("tr", { "data-task": task.Id },
        el("td", {}, cells.link),
        el("td", {}, cells.state),
        cells.node,
        el("td", { class: "hide-narrow" }, cells.queued),
        cells.duration);
      return { tr, cells };
    }

    function updateRow(row, task) {
      const c = row.cells;
      setText(c.link, task.Description || task.Name);
      setAttr(c.link, "href", "#/tasks/" + encodeURIComponent(task.Id));
      setText(c.state, task.State);
      setAttr(c.state, "class", "status state-" + task.State);
      setText(c.node, task.ServerNode || "—");
      timeCell(c.queued, task.QueueTime);
      setText(c.duration, task.Duration || "—");
    }

    const poller = poll(async () => {
      const query = new URLSearchParams({ skip: String(skip), take: String(PAGE_SIZE) });
      if (state === "Active") query.set("active", "true");
      else if (state) query.set("states", state);
      if (node) query.set("node", node);
      const result = await api("GET", "/api/tasks?" + query);
      syncRows(tbody, rows, result.Items, {
        create: createRow, update: updateRow, columns: 5, emptyText: "No tasks match these filters."
      });
      const last = Math.min(skip + result.Items.length, result.TotalResults);
      setText(summary, result.TotalResults === 0 ? "" : (skip + 1) + "–" + last + " of " + result.TotalResults);
      next.disabled = skip + PAGE_SIZE >= result.TotalResults;
    }, TASKS_REFRESH_MS, errorBanner);

    return { dispose() { poller.stop(); } };
  }

  // ---------- Task detail page ----------

  function taskView(id) {
    const errorBanner = el("div", { class: "banner error", role: "alert", hidden: true });
    const title = el("h1", { text: id });
    // Viewers get no Cancel button at all, not a disabled one.
    const cancel = canOperate() ? el("button", { type: "button", id: "cancel-task", class: "danger", text: "Cancel task", hidden: true }) : null;
    const fields = {};
    const details = el("dl", { class: "details" });
    for (const [key, label] of [["State", "State"], ["Name", "Task type"], ["ServerNode", "Node"], ["QueueTime", "Queued"],
      ["StartTime", "Started"], ["CompletedTime", "Completed"], ["Duration", "Duration"], ["ErrorMessage", "Error"]]) {
      fields[key] = el("dd", { "data-field": key });
      details.append(el("dt", { text: label }), fields[key]);
    }
    const stateBadge = el("span", { class: "status" });
    fields.State.append(stateBadge);
    const log = el("pre", { id: "task-log", class: "log", role: "log", "aria-live": "polite", "aria-label": "Task log", tabindex: "0" });
    const logNote = el("p", { class: "muted" });
    const download = el("button", { type: "button", text: "Download full log" });

    main.replaceChildren(
      el("p", { class: "breadcrumb" }, el("a", { href: "#/tasks", text: "Tasks" })),
      el("div", { class: "task-head" }, title, cancel),
      errorBanner,
      el("section", { class: "panel", "aria-label": "Task" }, details),
      el("div", { class: "task-head" }, el("h2", { text: "Log" }), download),
      log, logNote);

    let shownLines = [];

    if (cancel) cancel.addEventListener("click", async () => {
      cancel.disabled = true;
      errorBanner.hidden = true;
      try {
        await api("POST", "/api/tasks/" + encodeURIComponent(id) + "/cancel");
        announce("Cancel requested for " + id + ".");
      } catch (e) {
        showError(errorBanner, "Could not cancel: " + e.message, "action");
      }
      poller.refreshNow();
    });

    download.addEventListener("click", async () => {
      errorBanner.hidden = true;
      try {
        const text = await api("GET", "/api/tasks/" + encodeURIComponent(id) + "/raw");
        const url = URL.createObjectURL(new Blob([typeof text === "string" ? text : JSON.stringify(text)], { type: "text/plain" }));
        el("a", { href: url, download: id + ".log" }).click();
        setTimeout(() => URL.revokeObjectURL(url), 10000);
      } catch (e) {
        showError(errorBanner, "Could not download the log: " + e.message, "action");
      }
    });

    function showTime(dd, iso) {
      if (!iso) return setText(dd, "—");
      let time = dd.querySelector("time");
      if (!time) { time = el("time"); dd.replaceChildren(time); }
      setAttr(time, "datetime", iso);
      setText(time, absoluteTime(iso));
      setAttr(time, "title", relativeTime(iso));
    }

    function renderLog(elements, physicalSize) {
      const lines = elements.map(e => [e.OccurredAt, e.Category, e.MessageText]);
      const same = lines.length === shownLines.length && lines.every((l, i) => l[0] === shownLines[i][0] && l[2] === shownLines[i][2]);
      if (same) return;
      const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 24;
      // Append only the new lines when the tail moved on by whole lines; rebuild only when it was cut differently.
      let common = 0;
      if (shownLines.length > 0) {
        const lastShown = shownLines[shownLines.length - 1];
        const at = lines.findIndex(l => l[0] === lastShown[0] && l[2] === lastShown[2]);
        common = at >= 0 ? at + 1 : 0;
        if (at < 0) log.replaceChildren();
      }
      for (const [when, category, text] of lines.slice(common)) {
        log.append(el("span", { class: "cat-" + category },
          el("span", { class: "time", text: (when ? new Date(when).toLocaleTimeString() : "") + "  " }), text + "\n"));
      }
      while (log.childNodes.length > LOG_TAIL_LINES) log.firstChild.remove();
      shownLines = lines;
      if (atBottom) log.scrollTop = log.scrollHeight;
      setText(logNote, elements.length >= LOG_TAIL_LINES ? "Showing the last " + LOG_TAIL_LINES + " lines of " + physicalSize + " bytes." : "");
    }

    const poller = poll(async () => {
      const result = await api("GET", "/api/tasks/" + encodeURIComponent(id) + "/details?tail=" + LOG_TAIL_LINES);
      const task = result.Task;
      setText(title, task.Description || task.Name);
      // A load that was under way when the user left this page must not retitle the next one.
      if (!poller.stopped) document.title = (task.Description || task.Name) + " – Octopus HA";
      setText(stateBadge, task.State);
      setAttr(stateBadge, "class", "status state-" + task.State);
      setText(fields.Name, task.Name);
      setText(fields.ServerNode, task.ServerNode || "not picked up yet");
      showTime(fields.QueueTime, task.QueueTime);
      showTime(fields.StartTime, task.StartTime);
      showTime(fields.CompletedTime, task.CompletedTime);
      setText(fields.Duration, task.Duration || "—");
      setText(fields.ErrorMessage, task.ErrorMessage || "—");
      if (cancel) {
        cancel.hidden = task.IsCompleted;
        cancel.disabled = task.State === "Cancelling";
      }
      renderLog(result.ActivityLogs.flatMap(a => a.LogElements), result.PhysicalLogSize);
      // A completed task's page and log no longer change.
      if (task.IsCompleted) poller.stop();
    }, LOG_REFRESH_MS, errorBanner);

    return {
      dispose() {
        poller.stop();
        document.title = "Octopus HA";
      }
    };
  }

  restoreSession();
})();

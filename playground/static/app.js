// The playground's page: it shows the world as the server renders it (refreshed whenever the world changes) and
// sends what the person does back to the server, which turns it into Slack's signed requests to the bot.
(function () {
  "use strict";
  const P = window.PLAY;
  const $ = (sel, root) => (root || document).querySelector(sel);
  let user = localStorage.getItem("play-user") || P.user;
  if (!P.people.some((p) => p.id === user)) user = P.user;
  let version = -1, last = {}, polling = false;

  function where() {
    const h = decodeURIComponent(location.hash.slice(1));
    const [w, t] = h.split("/");
    return { w: w || P.start, t: t || "" };
  }
  function go(w, t) { location.hash = t ? `${w}/${t}` : w; }

  async function post(url, body) {
    const r = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json" },
                                 body: JSON.stringify({ u: user, ...body }) });
    return r.ok ? r.json() : {};
  }

  function put(id, html) {
    if (last[id] === html) return;
    last[id] = html;
    const el = document.getElementById(id);
    const stick = el.classList.contains("scroll") && el.scrollTop + el.clientHeight >= el.scrollHeight - 40;
    el.innerHTML = html;
    if (stick || !el.dataset.seen) { el.scrollTop = el.scrollHeight; el.dataset.seen = "1"; }
  }

  async function refresh() {
    const { w, t } = where();
    const r = await fetch(`/play/state?u=${encodeURIComponent(user)}&w=${encodeURIComponent(w)}&t=${encodeURIComponent(t)}`);
    if (!r.ok) return;
    const s = await r.json();
    put("sidebar", s.sidebar);
    put("main-head", s.main_head);
    put("main-list", s.main_list);
    $("#thread").hidden = !s.thread;
    if (s.thread) put("thread-list", s.thread);
    $("#composer").hidden = s.where === "home";
    $("#say").placeholder = s.placeholder;
    const modalKey = s.modal_key || "";
    if (last.modalKey !== modalKey) { last.modalKey = modalKey; $("#modal-root").innerHTML = s.modal || ""; }
    document.body.dataset.version = s.version;
  }

  async function poll() {
    if (polling) return;
    polling = true;
    for (;;) {
      try {
        const r = await fetch(`/play/wait?v=${version}`);
        const j = await r.json();
        if (j.version !== version) { version = j.version; await refresh(); }
      } catch (e) { await new Promise((ok) => setTimeout(ok, 1000)); }
    }
  }

  // ---------------------------------------------------------------- what the person does
  function place(el) {
    const holder = el.closest("[data-surface]") || el;
    const d = holder.dataset;
    return { surface: d.surface, channel: d.channel || "", ts: d.ts || "", eph: d.eph || "", view: d.view || "" };
  }
  function valueOf(el) {
    const type = el.dataset.type;
    if (type === "external_select") {
      const v = $(".ta-value", el).value;
      return v ? JSON.parse(v) : null;
    }
    if (type === "checkboxes") return [...el.querySelectorAll("input:checked")].map((i) => i.value);
    if (type === "radio_buttons") { const c = el.querySelector("input:checked"); return c ? c.value : null; }
    if (type === "multi_users_select") return [...el.selectedOptions].map((o) => o.value);
    return el.value === undefined ? null : el.value;
  }
  function formValues(form) {
    const values = {};
    if (!form) return values;
    form.querySelectorAll(".blk.input").forEach((blk) => {
      const el = blk.querySelector("[data-type]");
      if (el) values[blk.dataset.b] = valueOf(el);
    });
    return values;
  }
  async function act(el) {
    const spot = place(el);
    const form = el.closest("form.modal");
    await post("/play/act", { ...spot, b: el.dataset.b, e: el.dataset.e, value: valueOf(el), values: formValues(form) });
  }

  document.addEventListener("click", async (ev) => {
    const t = ev.target;
    const nav = t.closest("[data-go]");
    if (nav) { ev.preventDefault(); go(nav.dataset.go); return; }
    const th = t.closest("[data-thread]");
    if (th) { ev.preventDefault(); go(where().w, th.dataset.thread); return; }
    if (t.closest("#close-thread")) { go(where().w); return; }
    const close = t.closest("[data-close]");
    if (close) { await post("/play/close", { view: close.dataset.close }); return; }
    const submit = t.closest("[data-submit]");
    if (submit) {
      submit.disabled = true;
      await post("/play/submit", { view: submit.dataset.submit, values: formValues(submit.closest("form")) });
      submit.disabled = false;
      return;
    }
    const opt = t.closest(".ta-opt");
    if (opt) {
      const ta = opt.closest(".typeahead");
      $(".ta-input", ta).value = opt.textContent;
      $(".ta-value", ta).value = opt.dataset.option;
      $(".ta-list", ta).innerHTML = "";
      if (ta.dataset.act) act(ta);
      return;
    }
    const button = t.closest("button[data-act]");
    if (button) { button.disabled = true; await act(button); button.disabled = false; }
  });

  document.addEventListener("change", (ev) => {
    const t = ev.target;
    if (t.id === "person") {
      user = t.value; localStorage.setItem("play-user", user); last = {};
      if (where().w === "home") post("/play/home", {});  // the new person opens their Home
      refresh(); return;
    }
    const el = t.closest("[data-act]");
    if (el && !el.matches("button") && !el.classList.contains("typeahead")) act(el);
  });

  let taTimer = null;
  document.addEventListener("input", (ev) => {
    const input = ev.target;
    if (input.id === "say") { hint(input.value); return; }
    if (!input.classList.contains("ta-input")) return;
    const ta = input.closest(".typeahead");
    $(".ta-value", ta).value = "";
    clearTimeout(taTimer);
    taTimer = setTimeout(async () => {
      const q = input.value;
      if (q.length < Number(ta.dataset.min || 1)) { $(".ta-list", ta).innerHTML = ""; return; }
      const spot = place(ta);
      const r = await post("/play/options", { ...spot, b: ta.dataset.b, e: ta.dataset.e, value: q });
      const list = $(".ta-list", ta);
      list.innerHTML = "";
      for (const o of r.options || []) {
        const row = document.createElement("div");
        row.className = "ta-opt";
        row.textContent = o.text.text;
        row.dataset.option = JSON.stringify(o);
        list.appendChild(row);
      }
      if (!(r.options || []).length) list.innerHTML = '<div class="ta-opt muted">No matches</div>';
    }, 150);
  });

  // ---------------------------------------------------------------- the composer
  function hint(text) {
    const box = $("#hint");
    if (!text.startsWith("/")) { box.hidden = true; return; }
    const rows = P.commands.filter((c) => c.command.startsWith(text.split(" ")[0]) || text.startsWith(c.command));
    box.innerHTML = rows.map((c) => `<div class="row" data-cmd="${c.command} "><code>${c.command}</code> <span class="muted">${c.usage_hint}</span><br>${c.description}</div>`).join("");
    box.hidden = !rows.length || text.includes(" ");
  }
  $("#hint").addEventListener("click", (ev) => {
    const row = ev.target.closest("[data-cmd]");
    if (row) { $("#say").value = row.dataset.cmd; $("#say").focus(); $("#hint").hidden = true; }
  });
  $("#composer").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const input = $("#say"), text = input.value.trim();
    if (!text) return;
    input.value = "";
    $("#hint").hidden = true;
    await post("/play/say", { w: where().w, text });
  });
  $("#reply").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const input = $("#reply-text"), text = input.value.trim();
    if (!text) return;
    input.value = "";
    const { w, t } = where();
    await post("/play/say", { w, t, text });
  });

  window.addEventListener("hashchange", () => {
    last = { modalKey: last.modalKey };
    if (where().w === "home") post("/play/home", {});
    refresh();
  });
  if (where().w === "home") post("/play/home", {});
  refresh().then(poll);
})();

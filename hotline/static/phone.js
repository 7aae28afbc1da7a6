// 12345 Hotline: the agent's phone on the desk (issue 17) — presence, the callers waiting, and
// answering in the browser with the Twilio Voice SDK (`Twilio.Device`, vendored in
// static/vendor/twilio-voice). The server is the record: every button posts to /desk/phone/…
// and the panel shows what the server answers; Twilio reports the same events to the server
// through its webhooks, and either report is enough.
// As in app.js, text from the server goes on the page with textContent only.
"use strict";

(function () {
  const panel = document.getElementById("phone");
  if (!panel) return;
  const $ = (id) => document.getElementById(id);
  const texts = {};
  Array.from($("phone-texts").content.querySelectorAll("[data-key]")).forEach((node) => {
    texts[node.dataset.key] = node.textContent;
  });
  const say = (key, seconds) => texts[key].replace("{s}", String(seconds));

  let device = null; // the SDK's Device, once a token was obtained
  let live = null; // the SDK Call being offered or talked on
  let liveEntry = null; // its queue entry
  let leaving = false; // hold or transfer: the browser leg ends but the talk goes on
  let resuming = null; // the entry whose caller comes back from hold: accept at once

  function post(url, data) {
    const body = new FormData();
    Object.entries(data || {}).forEach(([k, v]) => body.append(k, v));
    return fetch(url, {
      method: "POST", body, credentials: "same-origin",
      headers: { "X-CSRFToken": panel.dataset.csrf, Accept: "application/json" },
    }).then((response) => response.json().then((json) => {
      if (json.presence) show(json);
      showError(json.error || "");
      return json;
    }));
  }

  function showError(message) {
    $("phone-error").textContent = message;
    $("phone-error").hidden = !message;
  }

  // --- what the server says ------------------------------------------------------------------
  function show(state) {
    const presence = state.presence;
    const badge = $("presence-label");
    badge.textContent = presence.state_label + (presence.reason ? ` · ${presence.reason}` : "");
    badge.dataset.state = presence.state;
    panel.dataset.presence = presence.state;
    if (!numberShown) { // filled once; the agent's typing is not overwritten by the polls
      $("phone-number").value = presence.phone_number || "";
      numberShown = true;
    }
    const left = $("wrap-up-left");
    left.hidden = presence.wrap_up_seconds_left === null;
    if (!left.hidden) left.textContent = say("left", presence.wrap_up_seconds_left);
    const waiting = state.waiting || [];
    $("waiting-count").textContent = String(waiting.length);
    const list = $("waiting-list");
    list.replaceChildren();
    waiting.forEach((w) => {
      const li = document.createElement("li");
      li.className = "waiting-call";
      li.dataset.entry = String(w.entry);
      li.textContent = `${w.from || "—"} · ${say("waited", w.waited_seconds)}`;
      list.appendChild(li);
    });
    const target = $("call-transfer-to");
    const chosen = target.value;
    target.replaceChildren();
    (state.transfer_to || []).forEach((c) => {
      const option = document.createElement("option");
      option.value = String(c.id);
      option.textContent = `${c.name} (${c.role})`;
      target.appendChild(option);
    });
    if (chosen) target.value = chosen;
    panel.dataset.current = state.current ? String(state.current.entry) : "";
  }

  function poll() {
    fetch(panel.dataset.stateUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => (response.ok ? response.json() : null))
      .then((state) => { if (state) show(state); })
      .catch(() => {})
      .finally(() => setTimeout(poll, Number(panel.dataset.interval || 2000)));
  }

  const numberForm = $("phone-number-form");
  let numberShown = false;
  numberForm.addEventListener("submit", (event) => {
    event.preventDefault();
    post(numberForm.dataset.url, { phone_number: $("phone-number").value });
  });

  document.querySelectorAll("[data-presence]").forEach((button) => {
    button.addEventListener("click", () => {
      post(panel.dataset.presenceUrl, { state: button.dataset.presence, reason: $("break-reason").value });
    });
  });

  // --- the call bar ---------------------------------------------------------------------------
  const callUrl = (entry, step) => `${panel.dataset.callsUrl}${entry}/${step}`;

  function showBar(from, status) {
    $("call-bar").hidden = false;
    $("call-bar-from").textContent = from || "—";
    $("call-bar-status").textContent = texts[status];
    $("call-answer").hidden = status !== "ringing";
  }

  function hideBar() {
    $("call-bar").hidden = true;
    $("call-hold").setAttribute("aria-pressed", "false");
    $("call-mute").setAttribute("aria-pressed", "false");
  }

  function param(call, name) {
    const custom = call.customParameters;
    return custom && typeof custom.get === "function" ? custom.get(name) || "" : "";
  }

  function offered(call) {
    live = call;
    liveEntry = param(call, "entry");
    const from = param(call, "caller");
    call.on("accept", () => answered(call, from));
    call.on("disconnect", () => ended(call));
    call.on("cancel", () => ended(call));
    call.on("reject", () => ended(call));
    if (resuming && resuming === liveEntry) {
      resuming = null;
      call.accept();
      return;
    }
    showBar(from, "ringing");
  }

  function answered(call, from) {
    showBar(from, "talking");
    post(callUrl(liveEntry, "answered")).then(() => screenPop(param(call, "call_sid"), from));
  }

  function ended(call) {
    if (call !== live) return;
    const entry = liveEntry;
    live = null;
    if (leaving) { // held or transferred: the caller is still with us (or with a colleague)
      leaving = false;
      return;
    }
    hideBar();
    if (entry) post(callUrl(entry, "hangup"));
  }

  $("call-answer").addEventListener("click", () => { if (live) live.accept(); });
  $("call-hangup").addEventListener("click", () => { if (live) live.disconnect(); });
  $("call-mute").addEventListener("click", () => {
    if (!live) return;
    const on = !live.isMuted();
    live.mute(on);
    $("call-mute").setAttribute("aria-pressed", String(on));
  });
  $("call-hold").addEventListener("click", () => {
    const button = $("call-hold");
    const holding = button.getAttribute("aria-pressed") === "true";
    const entry = liveEntry;
    if (!entry) return;
    if (!holding) leaving = true; // Twilio ends the browser leg while the caller hears hold audio
    else resuming = entry; // Twilio rings the browser again; it is answered at once
    post(callUrl(entry, "hold"), { on: holding ? "0" : "1" }).then((json) => {
      if (json.error) { leaving = false; resuming = null; return; }
      button.setAttribute("aria-pressed", String(!holding));
      $("call-bar-status").textContent = texts[holding ? "talking" : "held"];
    });
  });
  $("call-transfer").addEventListener("click", () => {
    const to = $("call-transfer-to").value;
    if (!liveEntry) return;
    if (!to) { showError(texts.nobody); return; }
    leaving = true;
    post(callUrl(liveEntry, "transfer"), { to }).then((json) => {
      if (json.error) { leaving = false; return; }
      hideBar();
      liveEntry = null;
    });
  });

  // --- the screen pop: the caller's history, and the order form filled in ---------------------
  function screenPop(callSid, from) {
    const setValue = (id, value) => { const node = $(id); if (node) node.value = value; };
    setValue("f-phone", from);
    setValue("f-call-sid", callSid);
    setValue("f-channel", "phone");
    const calls = document.getElementById("calls");
    if (!calls) return;
    fetch(calls.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => (response.ok ? response.json() : { calls: [] }))
      .then((data) => {
        const pop = $("screen-pop");
        const call = (data.calls || []).find((c) => c.sid === callSid);
        pop.hidden = false;
        $("screen-pop-from").textContent = from;
        const history = $("screen-pop-history");
        history.replaceChildren();
        ((call && call.history) || []).forEach((past) => {
          const li = document.createElement("li");
          const link = document.createElement("a");
          link.href = past.url;
          link.target = "_blank"; // the desk stays: leaving it would end the call
          link.textContent = past.number;
          li.append(link, ` ${past.state} — ${past.content}`);
          history.appendChild(li);
        });
        if (call && call.earlier_calls_text) {
          const earlier = document.createElement("li");
          earlier.className = "earlier-calls";
          earlier.textContent = call.earlier_calls_text;
          history.prepend(earlier);
        }
        $("screen-pop-none").hidden = !(call && call.first_call);
        const content = $("f-content");
        if (content) content.focus();
      })
      .catch(() => {});
  }

  // While a call is live, saving the order must not reload the page (that would end the call).
  const orderForm = document.getElementById("order-form");
  if (orderForm) {
    orderForm.addEventListener("submit", (event) => {
      if (!live) return;
      event.preventDefault();
      fetch(orderForm.action, { method: "POST", body: new FormData(orderForm), credentials: "same-origin" })
        .then((response) => response.text().then((html) => ({ response, html })))
        .then(({ response, html }) => {
          const done = new URL(response.url).searchParams.get("done");
          const page = new DOMParser().parseFromString(html, "text/html");
          if (response.ok && done) {
            const saved = page.getElementById("last-saved");
            showSaved(saved ? saved.textContent : done, done);
            orderForm.querySelector("#f-content").value = "";
          } else {
            const error = page.getElementById("desk-error");
            showError(error ? error.textContent : String(response.status));
          }
        })
        .catch(() => {});
    });
  }

  function showSaved(text, number) {
    const note = $("screen-pop-saved");
    note.hidden = false;
    note.textContent = text;
    note.dataset.number = number;
  }

  // --- the browser phone ----------------------------------------------------------------------
  function startDevice() {
    if (panel.dataset.voice !== "on") {
      $("phone-device").hidden = false;
      $("phone-device").textContent = texts["no-device"];
      return;
    }
    fetch(panel.dataset.tokenUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => response.json().then((json) => ({ ok: response.ok, json })))
      .then(({ ok, json }) => {
        const hint = $("phone-device");
        if (!ok || !window.Twilio || !window.Twilio.Device) {
          hint.hidden = false;
          hint.textContent = json.error || texts["no-device"];
          return;
        }
        device = new window.Twilio.Device(json.token, { closeProtection: true });
        device.on("incoming", offered);
        device.on("error", () => { hint.hidden = false; hint.textContent = texts["device-error"]; });
        device.on("tokenWillExpire", () => {
          fetch(panel.dataset.tokenUrl, { credentials: "same-origin" })
            .then((response) => response.json())
            .then((fresh) => { if (fresh.token) device.updateToken(fresh.token); });
        });
        device.register();
      })
      .catch(() => {});
  }

  startDevice();
  poll();
})();

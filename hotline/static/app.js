// 12345 Hotline: keyboard shortcuts, live knowledge-base and classification suggestions, incoming-call polling.
// Plain JavaScript, no libraries. Everything received from the server is put on the page with
// textContent, never as HTML, so text typed by callers cannot run as script.
"use strict";

(function () {
  const $ = (selector, root) => (root || document).querySelector(selector);
  const $$ = (selector, root) => Array.from((root || document).querySelectorAll(selector));

  function typingIn(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  // Browsers apply `autofocus` at their next rendering step, which can come after the page is
  // ready for keys; a clerk who starts typing at once must not lose the first characters.
  const autofocus = $("[autofocus]");
  if (autofocus && !typingIn(document.activeElement)) autofocus.focus();

  // --- shortcuts on every page ------------------------------------------------------------------
  document.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      const form = event.target && event.target.form;
      if (form) {
        event.preventDefault();
        form.requestSubmit();
      }
      return;
    }
    if (typingIn(event.target) || event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.key === "/") {
      const search = $("#search-q");
      event.preventDefault();
      if (search) search.focus();
      else window.location.href = "/orders";
    } else if (event.key === "?") {
      const help = $("#shortcuts");
      if (help) {
        help.open = !help.open;
        if (help.open) help.querySelector("summary").focus();
      }
    }
  });

  // --- the order page: a suggested article fills the answer --------------------------------------
  $$(".article-choice").forEach((radio) => {
    radio.addEventListener("change", () => {
      const text = radio.form.querySelector(".answer-text");
      if (text && radio.checked) text.value = radio.dataset.answer || "";
    });
  });

  const form = $("#order-form");
  if (!form) return;

  // --- the agent desk ---------------------------------------------------------------------------
  const content = $("#f-content");
  const department = $("#f-department");
  const category = $("#f-category");

  function chooseDisposition(value, focus) {
    const radio = form.querySelector(`input[name="disposition"][value="${value}"]`);
    radio.checked = true;
    showSteps();
    if (focus) focus.focus();
    else radio.focus();
  }

  function showSteps() {
    const chosen = (form.querySelector('input[name="disposition"]:checked') || {}).value;
    $$(".step", form).forEach((step) => { step.hidden = step.dataset.step !== chosen; });
  }
  $$('input[name="disposition"]', form).forEach((r) => r.addEventListener("change", showSteps));
  showSteps();

  // Routing table: the category's usual department is suggested in the dispatch picker.
  let routed = "";
  function suggestDepartment() {
    const option = category.selectedOptions[0];
    const code = option ? option.dataset.department : "";
    const hint = $("#routing-hint");
    hint.hidden = !code;
    $("#routing-department").textContent = code || "";
    if (code && (!department.value || department.value === routed)) {
      department.value = code;
      routed = code;
    }
  }
  category.addEventListener("change", suggestDepartment);
  if (category.value) suggestDepartment();

  // Live knowledge-base suggestions while the agent types.
  const list = $("#kb-suggestions");
  const template = $("#kb-template");
  let timer = null;
  let asked = "";

  function useArticle(item) {
    $("#f-article").value = item.dataset.id;
    $("#f-answer").value = item.dataset.answer;
    $("#f-article-title").textContent = item.dataset.title;
    chooseDisposition("answer", $("#f-answer"));
  }

  function wireArticles() {
    $$(".kb-item", list).forEach((item, index) => {
      const button = $(".use-article", item);
      button.onclick = () => useArticle(item);
      button.onkeydown = (event) => {
        const step = event.key === "ArrowDown" ? 1 : event.key === "ArrowUp" ? -1 : 0;
        const buttons = $$(".use-article", list);
        if (step && buttons[index + step]) {
          event.preventDefault();
          buttons[index + step].focus();
        }
      };
    });
  }

  function showSuggestions(articles) {
    list.replaceChildren();
    articles.forEach((article, index) => {
      const item = template.content.firstElementChild.cloneNode(true);
      item.dataset.id = article.id;
      item.dataset.answer = article.answer;
      item.dataset.title = article.title;
      $(".kb-title", item).textContent = article.title;
      const snippet = $(".kb-snippet", item);
      (article.snippet || []).forEach(([text, marked]) => {
        if (marked) {
          const mark = document.createElement("mark");
          mark.textContent = text;
          snippet.appendChild(mark);
        } else {
          snippet.appendChild(document.createTextNode(text));
        }
      });
      $(".key", item).textContent = index === 0 ? "Alt+K" : "↓";
      list.appendChild(item);
    });
    wireArticles();
  }

  function askForSuggestions() {
    const text = content.value.trim();
    if (text === asked || text.length < 2) return;
    asked = text;
    const url = `${content.dataset.suggestUrl}?q=${encodeURIComponent(text)}`;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => (response.ok ? response.json() : { articles: [] }))
      .then((data) => { if (asked === text) showSuggestions(data.articles || []); })
      .catch(() => {});
  }
  content.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(askForSuggestions, 300);
  });
  wireArticles();

  // Learned classification: the top 3 (category, department, type) while the agent types. The
  // department of the first is preselected only when the server says it is confident enough;
  // a department the agent typed is never overwritten.
  const classify = $("#classify");
  const classifyList = $("#classify-list");
  const classifyTemplate = $("#classify-template");
  const typeSelect = $("#f-type");
  let classifyTimer = null;
  let classifyAsked = "";
  let preselected = "";

  function setDepartment(code) {
    department.value = code;
    preselected = code;
    routed = code;
  }

  function takeClassification(item) {
    category.value = item.dataset.category;
    if (item.dataset.type) typeSelect.value = item.dataset.type;
    suggestDepartment();
    if (item.dataset.department) setDepartment(item.dataset.department);
    classify.dataset.taken = item.dataset.category;
  }

  function showClassification(data) {
    const items = data.suggestions || [];
    classifyList.replaceChildren();
    $("#classify-empty").hidden = items.length > 0;
    items.forEach((s, index) => {
      const item = classifyTemplate.content.firstElementChild.cloneNode(true);
      item.dataset.category = s.category;
      item.dataset.department = s.department || "";
      item.dataset.type = s.type || "";
      $(".classify-category", item).textContent = s.category_name;
      $(".classify-confidence", item).textContent = `${Math.round(s.confidence * 100)}%`;
      $(".classify-department", item).textContent = s.department_name || "—";
      $(".classify-type", item).textContent = s.type_name || "—";
      $(".key", item).textContent = index === 0 ? "Alt+G" : "";
      $(".use-classification", item).addEventListener("click", () => takeClassification(item));
      classifyList.appendChild(item);
    });
    const hint = $("#suggest-hint");
    if (data.preselect && (!department.value || department.value === preselected)) {
      setDepartment(data.preselect);
    } else if (!data.preselect && preselected && department.value === preselected) {
      department.value = "";  // no longer confident: leave the choice to the agent
      preselected = "";
    }
    hint.hidden = !(preselected && department.value === preselected);
    $("#suggest-department").textContent = hint.hidden ? "" : (items[0] && items[0].department_name) || preselected;
    classify.dataset.version = String(data.version || "");
  }

  function askForClassification() {
    const text = content.value.trim();
    if (text === classifyAsked) return;
    classifyAsked = text;
    if (!text) { showClassification({ suggestions: [] }); return; }
    const url = `${classify.dataset.url}?q=${encodeURIComponent(text)}`;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => (response.ok ? response.json() : { suggestions: [] }))
      .then((data) => { if (classifyAsked === text) showClassification(data); })
      .catch(() => {});
  }
  if (classify) {
    content.addEventListener("input", () => {
      clearTimeout(classifyTimer);
      classifyTimer = setTimeout(askForClassification, 300);
    });
    if (content.value.trim()) askForClassification();
  }

  // Incoming calls: polled every few seconds; "new order from this call" fills the form.
  const calls = $("#calls");
  const callList = $("#calls-list");
  const callTemplate = $("#call-template");

  function takeCall(call) {
    $("#f-phone").value = call.from;
    $("#f-call-sid").value = call.sid;
    $("#f-channel").value = "phone";
    content.focus();
  }

  function showCalls(data) {
    const items = data.calls || [];
    $("#calls-empty").hidden = items.length > 0;
    callList.replaceChildren();
    items.forEach((call) => {
      const item = callTemplate.content.firstElementChild.cloneNode(true);
      item.dataset.sid = call.sid;
      $(".call-from", item).textContent = call.from;
      $(".call-time", item).textContent = call.started_at;
      $(".call-status", item).textContent = call.status;
      const history = $(".call-history", item);
      // "First call" only when nothing is known of the number: no order and no earlier call.
      const known = call.first_call ? $("#calls-history-none").textContent : call.earlier_calls_text;
      if (known) {
        const note = document.createElement("li");
        note.className = call.first_call ? "first-call" : "earlier-calls";
        note.textContent = known;
        history.appendChild(note);
      }
      call.history.forEach((past) => {
        const li = document.createElement("li");
        const link = document.createElement("a");
        link.href = past.url;
        link.textContent = past.number;
        li.append(link, ` ${past.state} — ${past.content}`);
        history.appendChild(li);
      });
      $(".take-call", item).addEventListener("click", () => takeCall(call));
      callList.appendChild(item);
    });
    calls.dataset.calls = String(items.length);
  }

  function pollCalls() {
    fetch(calls.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => (response.ok ? response.json() : { calls: [] }))
      .then(showCalls)
      .catch(() => {})
      .finally(() => setTimeout(pollCalls, Number(calls.dataset.interval || 3000)));
  }
  pollCalls();

  // Desk shortcuts (Alt + a letter; none of them is a browser shortcut).
  const deskKeys = {
    KeyN: () => content.focus(),
    KeyC: () => { const first = $(".take-call", callList); if (first) first.click(); },
    KeyK: () => { const first = $(".use-article", list); if (first) first.focus(); },
    KeyG: () => { const first = $(".classify-item", classifyList); if (first) takeClassification(first); },
    KeyS: () => chooseDisposition("save"),
    KeyJ: () => chooseDisposition("dispatch", department),
    KeyA: () => chooseDisposition("answer", $("#f-answer")),
    KeyI: () => chooseDisposition("instruction", form.querySelector('input[name="instruction_note"]')),
  };
  document.addEventListener("keydown", (event) => {
    if (!event.altKey || event.ctrlKey || event.metaKey || !deskKeys[event.code]) return;
    event.preventDefault();
    deskKeys[event.code]();
  });
})();

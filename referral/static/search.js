// Search page: "/" jumps to the search box; suggestions as the case manager types.
(function () {
  "use strict";
  var box = document.getElementById("q");
  var list = document.getElementById("q-suggestions");
  if (!box || !list) { return; }
  var active = -1, items = [], timer = null, latest = "";

  document.addEventListener("keydown", function (e) {
    var t = e.target.tagName;
    if (e.key === "/" && t !== "INPUT" && t !== "TEXTAREA" && t !== "SELECT") {
      e.preventDefault(); box.focus(); box.select();
    }
  });

  function close() {
    list.hidden = true; list.innerHTML = ""; items = []; active = -1;
    box.setAttribute("aria-expanded", "false"); box.removeAttribute("aria-activedescendant");
  }

  function show(suggestions) {
    list.innerHTML = ""; items = suggestions; active = -1;
    if (!suggestions.length) { close(); return; }
    suggestions.forEach(function (s, i) {
      var li = document.createElement("li");
      li.id = "q-option-" + i; li.setAttribute("role", "option");
      li.className = "suggestion " + s.kind;
      li.textContent = s.text;
      var kind = document.createElement("small");
      kind.textContent = {need: "need", concept: "topic", taxonomy: "category", service: "service", organization: "organization"}[s.kind] || s.kind;
      li.appendChild(kind);
      li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(i); });
      list.appendChild(li);
    });
    list.hidden = false; box.setAttribute("aria-expanded", "true");
  }

  function highlight(i) {
    var options = list.querySelectorAll("[role=option]");
    options.forEach(function (o) { o.setAttribute("aria-selected", "false"); });
    active = i;
    if (i >= 0 && options[i]) {
      options[i].setAttribute("aria-selected", "true");
      box.setAttribute("aria-activedescendant", options[i].id);
    } else {
      box.removeAttribute("aria-activedescendant");
    }
  }

  function choose(i) {
    box.value = items[i].text; close(); box.form.requestSubmit ? box.form.requestSubmit() : box.form.submit();
  }

  box.addEventListener("input", function () {
    clearTimeout(timer);
    var typed = box.value.trim();
    if (typed.length < 2) { close(); return; }
    timer = setTimeout(function () {
      latest = typed;
      fetch(box.dataset.suggest + "?q=" + encodeURIComponent(typed), {headers: {Accept: "application/json"}})
        .then(function (r) { return r.ok ? r.json() : {suggestions: []}; })
        .then(function (body) { if (latest === typed) { show(body.suggestions || []); } })
        .catch(close);
    }, 80);
  });

  box.addEventListener("keydown", function (e) {
    if (list.hidden) { return; }
    if (e.key === "ArrowDown") { e.preventDefault(); highlight(Math.min(active + 1, items.length - 1)); }
    else if (e.key === "ArrowUp") { e.preventDefault(); highlight(Math.max(active - 1, -1)); }
    else if (e.key === "Enter" && active >= 0) { e.preventDefault(); choose(active); }
    else if (e.key === "Escape") { close(); }
  });
  box.addEventListener("blur", function () { setTimeout(close, 100); });
})();

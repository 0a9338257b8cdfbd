// Behaviour every page may use, kept out of the markup so the Content-Security-Policy can forbid
// inline scripts: back links, print buttons and read-only fields that select themselves.
(function () {
  "use strict";
  document.querySelectorAll("a[data-back]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      if (window.history.length > 1) {
        event.preventDefault();
        window.history.back();
      }
    });
  });
  // Lists marked data-rows move focus between their rows' links with j and k (and the arrow
  // keys once a row link has focus); Enter follows the link as usual.
  document.querySelectorAll("[data-rows]").forEach(function (list) {
    var links = Array.prototype.slice.call(list.querySelectorAll("a[data-row-link]"));
    document.addEventListener("keydown", function (event) {
      var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName);
      if (typing || event.altKey || event.ctrlKey || event.metaKey || !links.length) { return; }
      var at = links.indexOf(document.activeElement);
      var down = event.key === "j" || (at >= 0 && event.key === "ArrowDown");
      var up = event.key === "k" || (at >= 0 && event.key === "ArrowUp");
      if (!down && !up) { return; }
      event.preventDefault();
      var next = at < 0 ? 0 : Math.max(0, Math.min(links.length - 1, at + (down ? 1 : -1)));
      links[next].focus();
    });
  });
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  document.querySelectorAll("input[data-select-on-focus]").forEach(function (field) {
    field.addEventListener("focus", function () { field.select(); });
  });
  // Copy buttons (hidden without scripts) copy the text of the element their data-copy names;
  // where the clipboard is refused, that text is selected for copying by hand.
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    var status = button.closest("section").querySelector("[role=status]");
    function select() {
      var range = document.createRange();
      range.selectNodeContents(source);
      window.getSelection().removeAllRanges();
      window.getSelection().addRange(range);
    }
    function say(message) { if (status) { status.textContent = message; } }
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = source.textContent.trim();
      if (!navigator.clipboard) {
        select();
        say("Selected: press Ctrl+C (or ⌘C) to copy.");
        return;
      }
      navigator.clipboard.writeText(text).then(function () {
        say(button.textContent.replace(/^Copy/, "Copied") + ".");
      }, function () {
        select();
        say("Selected: press Ctrl+C (or ⌘C) to copy.");
      });
    });
  });
}());

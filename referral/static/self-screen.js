// Self-screening on a tablet: one question at a time, large type, Back and Next.
(function () {
  "use strict";
  var form = document.getElementById("screening-form");
  if (!form) { return; }
  var steps = Array.prototype.slice.call(form.querySelectorAll("fieldset.question"));
  var back = document.getElementById("back"), next = document.getElementById("next"), finish = document.getElementById("finish");
  var at = 0;
  function show(i) {
    at = Math.max(0, Math.min(i, steps.length - 1));
    steps.forEach(function (s, j) { s.hidden = j !== at; });
    back.hidden = at === 0; next.hidden = at === steps.length - 1; finish.hidden = at !== steps.length - 1;
    var first = steps[at].querySelector("input"); if (first) { first.focus(); }
  }
  back.addEventListener("click", function () { show(at - 1); });
  next.addEventListener("click", function () { show(at + 1); });
  show(0);
})();

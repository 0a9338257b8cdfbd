// Copy buttons, tick-all boxes, and the count of services ticked for referral.
(function () {
  "use strict";
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var field = document.getElementById(button.getAttribute("data-copy"));
      field.select();
      var done = function () { button.textContent = "Copied"; };
      if (navigator.clipboard) {
        navigator.clipboard.writeText(field.value).then(done, function () { document.execCommand("copy"); done(); });
      } else { document.execCommand("copy"); done(); }
    });
  });

  document.querySelectorAll("input[data-tick-all]").forEach(function (all) {
    all.addEventListener("change", function () {
      var form = all.getAttribute("data-tick-all");
      document.querySelectorAll('input[type=checkbox][form="' + form + '"]').forEach(function (box) {
        box.checked = all.checked;
      });
    });
  });

  var count = document.getElementById("refer-count");
  if (count) {
    var boxes = document.querySelectorAll('input[form="refer"][name="service_id"]');
    var update = function () {
      var n = Array.prototype.filter.call(boxes, function (b) { return b.checked; }).length;
      count.textContent = n === 1 ? "1 service ticked" : n + " services ticked";
    };
    boxes.forEach(function (b) { b.addEventListener("change", update); });
    update();
  }
}());

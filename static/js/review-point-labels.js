/* Rubric admin: show a label field only for the points of each criterion's scale (lowest to highest score).
   Without JavaScript every point 0–10 is offered and the server ignores nothing: labels outside the scale are refused. */
(function () {
  "use strict";

  function field(prefix, name) {
    return document.querySelector('[name="' + prefix + name + '"]');
  }

  function update(group) {
    var prefix = group.dataset.prefix;
    var low = field(prefix, "scale_min"), high = field(prefix, "scale_max");
    if (!low || !high) { return; }
    var min = parseInt(low.value, 10), max = parseInt(high.value, 10);
    if (isNaN(min) || isNaN(max) || max <= min) { return; }
    group.querySelectorAll("[data-point]").forEach(function (row) {
      var point = parseInt(row.dataset.point, 10);
      var input = row.querySelector("input");
      row.hidden = (point < min || point > max) && !(input && input.value);
    });
  }

  function updateAll() {
    document.querySelectorAll("[data-review-point-labels]").forEach(function (group) {
      if (group.dataset.prefix.indexOf("__prefix__") === -1) { update(group); }
    });
  }

  document.addEventListener("input", function (event) {
    var name = event.target && event.target.name;
    if (name && /-scale_(min|max)$/.test(name)) { updateAll(); }
  });
  document.addEventListener("focusin", updateAll);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", updateAll);
  } else {
    updateAll();
  }
})();

/* Staff screens: wide tables (ranking, payments, ledger, donations) scroll sideways inside their own box, so no column
   is ever clipped. Each table gets a focusable, labelled scroll region (keyboard users scroll it with the arrow keys). */
(function () {
  "use strict";
  function wrap(table) {
    if (table.closest(".table-scroll") || table.closest("[data-no-table-scroll]")) { return; }
    var box = document.createElement("div");
    box.className = "table-scroll";
    box.setAttribute("role", "region");
    box.setAttribute("tabindex", "0");
    var caption = table.querySelector("caption");
    var heading = table.getAttribute("aria-label") || (caption && caption.textContent.trim());
    box.setAttribute("aria-label", heading || document.title.split("|")[0].trim() || "Table");
    table.parentNode.insertBefore(box, table);
    box.appendChild(table);
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("main table").forEach(wrap);
  });
})();

/* Staff screens: wide tables (ranking, payments, ledger, donations) scroll sideways inside their own box, so no column
   is ever clipped. Each table gets a focusable scroll box (keyboard users scroll it with the arrow keys). */
(function () {
  "use strict";
  function wrap(table) {
    if (table.closest(".table-scroll") || table.closest("[data-no-table-scroll]")) { return; }
    var box = document.createElement("div");
    box.className = "table-scroll";
    box.setAttribute("tabindex", "0");  // keyboard users scroll it with the arrow keys; the table inside keeps its caption
    table.parentNode.insertBefore(box, table);
    box.appendChild(table);
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("main table").forEach(wrap);
  });
})();

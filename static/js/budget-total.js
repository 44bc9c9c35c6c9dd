/* Live budget total and its difference from the amount requested, while the applicant types (amounts read by
   money.js, load it first). The server shows the same figures after each save, so this is only a help. */
(function () {
  "use strict";

  var parseCents = window.PortalMoney.parseCents, format = window.PortalMoney.formatCents;

  function setup(block) {
    var total = block.querySelector(".budget-total");
    var difference = block.querySelector(".budget-difference");
    var requestedCell = block.querySelector(".budget-requested");
    var status = block.querySelector(".budget-status");
    var timer = null;
    function update() {
      var cents = 0;
      block.querySelectorAll(".budget-amount").forEach(function (input) {
        var value = parseCents(input.value);
        if (value !== null) { cents += value; }
      });
      total.textContent = format(cents);
      if (!requestedCell || !difference) { return; }
      var requested = Math.round(parseFloat(requestedCell.getAttribute("data-amount")) * 100);
      var diff = cents - requested;
      difference.textContent = format(diff);
      var message = diff === 0 ? status.getAttribute("data-msg-matches")
        : status.getAttribute(diff > 0 ? "data-msg-more" : "data-msg-less").replace("{amount}", format(Math.abs(diff)));
      // Announce once the typing pauses, not at every keystroke.
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { status.textContent = message; }, 600);
    }
    block.addEventListener("input", update);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-budget]").forEach(setup);
  });
})();

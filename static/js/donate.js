// Progressive enhancement for the donate form: show the fee and the total as the donor chooses. The server recomputes both.
(function () {
  "use strict";
  document.querySelectorAll("form.donate-form").forEach(function (form) {
    var pct = parseFloat(form.dataset.feePercent || "0");
    var fixed = parseFloat(form.dataset.feeFixed || "0");
    var note = form.querySelector("#donate-fee-note");
    var custom = form.querySelector("input[name=custom_amount]");
    function gift() {
      var checked = form.querySelector("input[name=amount_choice]:checked");
      var value = checked && checked.value !== "other" ? checked.value : (custom ? custom.value : "");
      var n = parseFloat(value);
      return isNaN(n) ? 0 : n;
    }
    function cents(x) { return Math.round(x * 100) / 100; }
    function update() {
      var g = gift();
      if (!note || g <= 0) { return; }
      var cover = form.querySelector("input[name=cover_fee]");
      var monthly = form.querySelector("input[name=frequency][value=monthly]");
      var charged = cover && cover.checked ? Math.ceil(((g + fixed) / (1 - pct)) * 100) / 100 : g;
      var fee = cents(charged * pct + fixed);
      var text = cover && cover.checked
        ? "Your gift: " + charged.toFixed(2) + " " + form.dataset.currency + " (includes " + cents(charged - g).toFixed(2) + " for the processing fee)"
        : "Your gift: " + g.toFixed(2) + " " + form.dataset.currency + " (processing fee about " + fee.toFixed(2) + ")";
      if (monthly && monthly.checked) { text += ", every month"; }
      note.textContent = text + ".";
    }
    if (custom) {
      custom.addEventListener("focus", function () {
        var other = form.querySelector("input[name=amount_choice][value=other]");
        if (other) { other.checked = true; }
      });
    }
    form.addEventListener("input", update);
    form.addEventListener("change", update);
    update();
  });
})();

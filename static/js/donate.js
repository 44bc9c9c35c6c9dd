// Progressive enhancement for the donate form: show the fee and the total as the donor chooses. The server recomputes both.
(function () {
  "use strict";
  // The language's JavaScript catalogue (/jsi18n/, loaded before this file) translates; without it, English.
  var gettext = window.gettext || function (text) { return text; };
  var interpolate = window.interpolate || function (fmt, obj) {
    return fmt.replace(/%\((\w+)\)s/g, function (match, key) { return String(obj[key]); });
  };
  // Amounts the way the page's language writes them ("1,234.50"; "1 234,50" in French).
  function number(x) {
    return x.toLocaleString(document.documentElement.lang || undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }
  document.querySelectorAll("form.donate-form").forEach(function (form) {
    var pct = parseFloat(form.dataset.feePercent || "0");
    var fixed = parseFloat(form.dataset.feeFixed || "0");
    var note = form.querySelector("#donate-fee-note");
    // Only the example is replaced by the live figure; the rate ("2.9% + $0.30") stays visible.
    var live = note ? (note.querySelector(".donate-fee-live") || note) : null;
    var custom = form.querySelector("input[name=custom_amount]");
    function gift() {
      var checked = form.querySelector("input[name=amount_choice]:checked");
      var value = checked && checked.value !== "other" ? checked.value : (custom ? custom.value : "");
      // "1,000" is a thousand, not one: read what was typed the way the server does (money.js), when it is loaded.
      var c = window.PortalMoney ? window.PortalMoney.parseCents(value) : Math.round(parseFloat(value) * 100);
      return c === null || isNaN(c) ? 0 : c / 100;
    }
    function cents(x) { return Math.round(x * 100) / 100; }
    function update() {
      var g = gift();
      if (!note || g <= 0) { return; }
      var cover = form.querySelector("input[name=cover_fee]");
      var monthly = form.querySelector("input[name=frequency][value=monthly]");
      // Same rule as fund/donations/fees.py, in whole cents: the smallest charge whose net covers the gift.
      var giftC = Math.round(g * 100), fixedC = Math.round(fixed * 100);
      var feeC = function (c) { return Math.round(c * pct + fixedC); };
      var chargedC = giftC;
      if (cover && cover.checked) {
        chargedC = Math.floor((giftC + fixedC) / (1 - pct));
        while (chargedC - feeC(chargedC) < giftC) { chargedC += 1; }
      }
      var charged = chargedC / 100;
      var fee = feeC(chargedC) / 100;
      var every = monthly && monthly.checked;
      var text = cover && cover.checked
        ? interpolate(every
          ? gettext("Your gift: %(amount)s %(currency)s (includes %(fee)s for the processing fee), every month.")
          : gettext("Your gift: %(amount)s %(currency)s (includes %(fee)s for the processing fee)."),
          { amount: number(charged), currency: form.dataset.currency, fee: number(cents(charged - g)) }, true)
        : interpolate(every
          ? gettext("Your gift: %(amount)s %(currency)s (processing fee about %(fee)s), every month.")
          : gettext("Your gift: %(amount)s %(currency)s (processing fee about %(fee)s)."),
          { amount: number(g), currency: form.dataset.currency, fee: number(fee) }, true);
      live.textContent = text;
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

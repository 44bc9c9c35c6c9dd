/* Typed amounts read the way portal/money.py reads them: "28,800", "$28,800.00", " 28800 ", "28800.5", "28 800";
   "28.800,50" where the page's language writes a decimal comma. Garbage, negatives, misplaced thousands marks and
   more than two decimals read as null (the server explains why). Used by budget-total.js and donate.js. */
(function () {
  "use strict";

  var lang = document.documentElement.lang || "en";
  var formatter = new Intl.NumberFormat(lang, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  var localeDecimal = (formatter.formatToParts(1.5).filter(function (p) { return p.type === "decimal"; })[0] || {}).value;
  if (localeDecimal !== ",") { localeDecimal = "."; }

  /* Cents as an integer, or null when the text is not an amount we would accept. */
  function parseCents(text) {
    var s = (text || "").trim().replace(/^(USD|GBP|CAD|EUR|US\$|CA\$|C\$|[$£€])\s*/i, "")
      .replace(/\s*(USD|GBP|CAD|EUR|[$£€])$/i, "").trim();
    if (!s || /^[-\u2212(]|[-\u2212)]$/.test(s) || !/^[0-9.,\s\u00a0\u202f\u2009']+$/.test(s) || !/[0-9]/.test(s)) {
      return null;
    }
    var marks = s.replace(/[^.,]/g, ""), mark = null;
    if (marks.indexOf(".") !== -1 && marks.indexOf(",") !== -1) {
      mark = marks.charAt(marks.length - 1);
      if (marks.split(mark).length > 2) { return null; }
    } else if (marks.length === 1) {
      var after = s.length - s.indexOf(marks) - 1;
      mark = (after === 3 || marks === ",") ? (marks === localeDecimal ? marks : null) : marks;
    }
    var cut = mark ? s.lastIndexOf(mark) : -1;
    var whole = (cut === -1 ? s : s.slice(0, cut)).trim(), fraction = cut === -1 ? "" : s.slice(cut + 1).trim();
    var groups = whole.split(/[.,]|[\s\u00a0\u202f\u2009']+/);
    if (groups.length > 1 && (groups[0].length < 1 || groups[0].length > 3 ||
        groups.slice(1).some(function (g) { return g.length !== 3; }))) { return null; }
    whole = groups.join("");
    if (!/^[0-9]*$/.test(whole + fraction) || fraction.length > 2) { return null; }
    return parseInt(whole || "0", 10) * 100 + parseInt((fraction + "00").slice(0, 2), 10);
  }

  function formatCents(cents) { return formatter.format(cents / 100); }

  window.PortalMoney = { parseCents: parseCents, formatCents: formatCents };
})();

/* Running weighted total on the reviewer's scoring form. Same rule as grants/review/scoring.py:
   each score is put on 0–100 of its criterion's scale, weighted; "not applicable" is left out, never counted as zero. */
(function () {
  "use strict";
  var form = document.querySelector("[data-review-form]");
  var output = document.getElementById("review-running-total");
  if (!form || !output) { return; }

  function total() {
    var numerator = 0, denominator = 0;
    form.querySelectorAll(".review-criterion").forEach(function (block) {
      var checked = block.querySelector("input[type=radio]:checked");
      if (!checked || checked.value === "na") { return; }
      var weight = parseFloat(block.dataset.weight), low = parseFloat(block.dataset.min), high = parseFloat(block.dataset.max);
      var scaled = (parseFloat(checked.value) - low) / (high - low) * 100;
      numerator += weight * scaled;
      denominator += weight;
    });
    if (!denominator) { return "–"; }
    return (Math.round(numerator / denominator * 100) / 100).toFixed(2) + " / 100";
  }

  form.addEventListener("change", function () { output.textContent = total(); });
  output.textContent = total();
})();

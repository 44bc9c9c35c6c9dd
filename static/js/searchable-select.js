/* A long <select data-searchable-select> gets a search box above it that narrows its options as one types (the select
   stays the real field, so the form works the same without JavaScript). The box's label comes from
   data-search-label, translated on the server. */
(function () {
  "use strict";

  function enhance(select, index) {
    var id = (select.id || "searchable-select-" + index) + "-search";
    var label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = select.getAttribute("data-search-label") || "Search";
    var input = document.createElement("input");
    input.type = "search";
    input.id = id;
    input.autocomplete = "off";
    input.setAttribute("aria-controls", select.id);
    var options = Array.prototype.slice.call(select.options);
    input.addEventListener("input", function () {
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      options.forEach(function (option) {
        var text = option.textContent.toLowerCase();
        var match = !option.value || option.selected || words.every(function (w) { return text.indexOf(w) !== -1; });
        option.hidden = !match;
        option.disabled = !match;
      });
    });
    select.parentNode.insertBefore(label, select);
    select.parentNode.insertBefore(input, select);
  }

  document.querySelectorAll("select[data-searchable-select]").forEach(enhance);
})();

/* Progressive enhancement for the application form: live word counts, conditional questions,
   autosave every few seconds, and a deadline countdown. Everything works without it. Budget totals: budget-total.js. */
(function () {
  "use strict";
  // Messages come from the page (data-msg-*) or the language's JavaScript catalogue (/jsi18n/), else English.
  var gettext = window.gettext || function (text) { return text; };

  function countWords(text) {
    var stripped = text.replace(/<[^>]*>/g, " ").trim();
    return stripped ? stripped.split(/\s+/).length : 0;
  }

  function msg(form, name, fallback) {
    return (form && form.getAttribute("data-msg-" + name)) || fallback;
  }

  function setupWordCounts(root) {
    root.querySelectorAll("[data-word-limit]").forEach(function (field) {
      var limit = parseInt(field.getAttribute("data-word-limit"), 10);
      var output = root.querySelector('[data-word-count-for="' + field.id + '"]');
      if (!output) {
        output = document.createElement("p");
        output.className = "word-count";
        output.setAttribute("aria-live", "polite");
        field.insertAdjacentElement("afterend", output);
      }
      function update() {
        var n = countWords(field.value);
        output.textContent = n + " / " + limit + " " + msg(root, "words", gettext("words")) +
          (n > limit ? " (" + msg(root, "over", gettext("over the limit")) + ")" : "");
        output.classList.toggle("word-count-over", n > limit);
      }
      field.addEventListener("input", update);
      update();
    });
  }

  function currentAnswer(form, key) {
    var inputs = form.querySelectorAll('[name="q_' + key + '"]');
    var values = [];
    inputs.forEach(function (input) {
      if ((input.type === "radio" || input.type === "checkbox")) {
        if (input.checked) { values.push(input.value.trim().toLowerCase()); }
      } else { values.push((input.value || "").trim().toLowerCase()); }
    });
    return values;
  }

  function setupConditions(form) {
    var conditional = form.querySelectorAll("[data-show-if-key]");
    if (!conditional.length) { return; }
    function update() {
      conditional.forEach(function (block) {
        var key = block.getAttribute("data-show-if-key");
        var wanted = (block.getAttribute("data-show-if-value") || "").trim().toLowerCase();
        if (!form.querySelector('[name="q_' + key + '"]')) { return; }  // the question is on another step
        block.hidden = currentAnswer(form, key).indexOf(wanted) === -1;
      });
    }
    form.addEventListener("change", update);
    update();
  }

  function setupAutosave(form) {
    var url = form.getAttribute("data-autosave-url");
    var status = form.querySelector(".autosave-status");
    if (!url || !window.fetch) { return; }
    var dirty = false, busy = false;
    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("change", function () { dirty = true; });
    function save() {
      if (!dirty || busy) { return; }
      dirty = false; busy = true;
      var data = new FormData(form);
      form.querySelectorAll('input[type="file"]').forEach(function (input) { data.delete(input.name); });
      fetch(url, { method: "POST", body: data, credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
        .then(function (response) {
          return response.json().then(function (body) { return { status: response.status, body: body }; });
        })
        .then(function (result) {
          if (result.body.saved) {
            status.textContent = msg(form, "saved", gettext("Draft saved automatically at")) + " " + result.body.saved_at + ".";
          } else if (result.status === 401) {
            dirty = true;
            status.innerHTML = "";
            status.append(msg(form, "signed-out", gettext("You have been signed out. Your text is still on this page:")) + " ");
            var link = document.createElement("a");
            link.href = result.body.login_url; link.textContent = msg(form, "sign-in", gettext("sign in in a new tab")); link.target = "_blank";
            status.append(link, msg(form, "then-save", gettext(", then come back here and press Save draft.")));
          } else if (result.body.error) { dirty = true; status.textContent = result.body.error; }  // kept; tried again
        })
        .catch(function () { dirty = true; status.textContent = msg(form, "failed", gettext("Could not save automatically; please press Save draft.")); })
        .finally(function () { busy = false; });
    }
    window.setInterval(save, 4000);
  }

  function setupCountdowns() {
    document.querySelectorAll("[data-countdown-for]").forEach(function (el) {
      var deadline = new Date(el.getAttribute("data-countdown-for"));
      if (isNaN(deadline)) { return; }
      var local = deadline.toLocaleString(undefined, { dateStyle: "full", timeStyle: "short" });
      function update() {
        var ms = deadline - new Date();
        if (ms <= 0) { el.textContent = "(" + msg(el, "closed", gettext("closed")) + ")"; return; }
        var days = Math.floor(ms / 86400000), hours = Math.floor((ms % 86400000) / 3600000),
            minutes = Math.floor((ms % 3600000) / 60000);
        el.textContent = "(" + msg(el, "your-time", gettext("your time")) + ": " + local + "; " +
          (days ? days + " " + msg(el, "days", gettext("days")) + " " : "") + hours + " h " + minutes + " min " + msg(el, "left", gettext("left")) + ")";
      }
      update();
      window.setInterval(update, 60000);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form.application-form").forEach(function (form) {
      setupWordCounts(form);
      setupConditions(form);
      setupAutosave(form);
    });
    setupCountdowns();
  });
})();

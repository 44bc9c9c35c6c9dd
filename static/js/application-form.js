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

  /* Text typed but not yet saved is kept in this browser (localStorage, one entry per application and field) until a
     save succeeds, so a session that runs out, a crash or a closed tab never costs it: the page offers it back. */
  function draftKeeper(form) {
    var prefix = "crf-draft:" + (form.getAttribute("data-draft-key") || "") + ":";
    var store = null;
    try { store = window.localStorage; } catch (e) { store = null; }
    function keepable(el) {
      return el && el.name && el.form === form && el.name !== "csrfmiddlewaretoken" &&
        (el.tagName === "TEXTAREA" || (el.tagName === "INPUT" && /^(text|number|date|email|url|tel)$/.test(el.type)));
    }
    function fields() { return Array.prototype.filter.call(form.elements, keepable); }
    function get(name) { try { return store ? store.getItem(prefix + name) : null; } catch (e) { return null; } }
    function remove(name) { try { if (store) { store.removeItem(prefix + name); } } catch (e) { /* nothing kept */ } }
    return {
      keep: function (el) {
        if (!store || !keepable(el)) { return; }
        try { store.setItem(prefix + el.name, el.value); } catch (e) { /* full or refused: the page still has it */ }
      },
      snapshot: function () {
        var values = {};
        fields().forEach(function (el) { values[el.name] = el.value; });
        return values;
      },
      // After a save: forget what was saved (not what was typed while the save was on its way).
      clearSaved: function (values) {
        Object.keys(values).forEach(function (name) { if (get(name) === values[name]) { remove(name); } });
      },
      clearAll: function () { fields().forEach(function (el) { remove(el.name); }); },
      kept: function () {
        return fields().filter(function (el) {
          var value = get(el.name);
          return value !== null && value !== el.value;
        }).map(function (el) { return { field: el, value: get(el.name) }; });
      }
    };
  }

  function offerKeptText(form, keeper) {
    var kept = keeper.kept();
    if (!kept.length) { return; }
    var box = document.createElement("div");
    box.className = "notice draft-kept";
    box.setAttribute("role", "alert");
    var text = document.createElement("p");
    text.textContent = msg(form, "kept", "We kept text you had not saved on this device.");
    var restore = document.createElement("button");
    restore.type = "button"; restore.className = "button";
    restore.textContent = msg(form, "restore", "Restore it");
    var discard = document.createElement("button");
    discard.type = "button"; discard.className = "button button-secondary";
    discard.textContent = msg(form, "discard", "Discard it");
    box.append(text, restore, discard);
    form.insertAdjacentElement("afterbegin", box);
    restore.addEventListener("click", function () {
      kept.forEach(function (item) {
        if (item.field.hasAttribute("data-rich-text") && window.richTextLoad) {
          window.richTextLoad(item.field, item.value);
        } else { item.field.value = item.value; }
        item.field.dispatchEvent(new Event("input", { bubbles: true }));
      });
      box.remove();
    });
    discard.addEventListener("click", function () { keeper.clearAll(); box.remove(); });
  }

  function setupAutosave(form) {
    var url = form.getAttribute("data-autosave-url");
    var csrfUrl = form.getAttribute("data-csrf-url");
    var status = form.querySelector(".autosave-status");
    if (!url || !window.fetch) { return; }
    var keeper = draftKeeper(form);
    var edits = 0, savedEdits = 0, busy = false, signedOut = false, leaving = false;
    function unsaved() { return edits !== savedEdits; }
    function edited(event) { edits += 1; keeper.keep(event.target); }
    form.addEventListener("input", edited);
    form.addEventListener("change", edited);
    form.addEventListener("submit", function () { leaving = true; keeper.clearAll(); });
    window.addEventListener("beforeunload", function (event) {
      if (leaving || !unsaved()) { return; }
      event.preventDefault();
      event.returnValue = "";  // older browsers need it to ask
    });

    function setTokens(token) {
      document.querySelectorAll('input[name="csrfmiddlewaretoken"]').forEach(function (input) { input.value = token; });
    }
    // Signing in again (here or in another tab) gives the session a new CSRF token: fetch it, or learn we are out.
    function refreshToken() {
      if (!csrfUrl) { return Promise.resolve(false); }
      return fetch(csrfUrl, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (response.status !== 200) { return false; }
          return response.json().then(function (body) { setTokens(body.token); return true; });
        })
        .catch(function () { return false; });
    }
    function showSignedOut() {
      if (signedOut) { return; }  // said once; a live region repeating itself every few seconds would be noise
      signedOut = true;
      status.textContent = "";
      var link = document.createElement("a");
      link.href = form.getAttribute("data-login-url");
      link.target = "_blank";
      link.rel = "noopener";
      link.textContent = msg(form, "sign-in", "Sign in again in a new tab");
      status.append(msg(form, "signed-out", "You have been signed out. What you typed is kept on this device.") + " ",
        link, " " + msg(form, "then-back", "then come back to this tab: we save your text as soon as you are signed in."));
    }
    function post() {
      var data = new FormData(form);
      form.querySelectorAll('input[type="file"]').forEach(function (input) { data.delete(input.name); });
      return fetch(url, {
        method: "POST", body: data, credentials: "same-origin",
        headers: { "X-Requested-With": "fetch", Accept: "application/json" }
      });
    }
    function attempt(values, retry) {
      return post().then(function (response) {
        if (response.status === 403 && retry) {
          // A CSRF refusal: the token is stale (signed in again) or the session is gone. Fetch the token and retry once.
          return refreshToken().then(function (ok) { return ok ? attempt(values, false) : showSignedOut(); });
        }
        if (response.status === 401 || response.status === 403 || /\/accounts\/login\//.test(response.url || "")) {
          return showSignedOut();
        }
        return response.json().then(function (body) {
          if (body.saved) {
            keeper.clearSaved(values);
            signedOut = false;
            status.textContent = msg(form, "saved", "Draft saved automatically at") + " " + body.saved_at + ".";
            return true;
          }
          if (body.error) { status.textContent = body.error; }
          return false;
        });
      });
    }
    function save() {
      if (busy || !unsaved()) { return; }
      busy = true;
      var at = edits, values = keeper.snapshot();
      attempt(values, true)
        .then(function (saved) { if (saved === true) { savedEdits = at; } })
        .catch(function () {
          if (!signedOut) { status.textContent = msg(form, "failed", "Could not save automatically; we will try again."); }
        })
        .finally(function () { busy = false; });
    }
    window.setInterval(save, 4000);
    // Back from signing in in another tab: save at once.
    document.addEventListener("visibilitychange", function () { if (!document.hidden && signedOut) { save(); } });
    offerKeptText(form, keeper);
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

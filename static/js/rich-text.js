/* The "formatted text" questions of the application form: a Trix editor (static/vendor/trix-*) on each
   textarea[data-rich-text], with our own toolbar (templates/grants/includes/rich_text_toolbar.html): bold, italic,
   links and lists, every button reachable with the keyboard. No files or images. The textarea stays the form field
   (hidden; the editor writes its HTML into it), so saving, autosave and the page without JavaScript are unchanged.
   The server sanitises what is stored (portal/sanitize.py). Trix's own <style> element carries the page's CSP nonce
   (<meta name="trix-csp-nonce">). */
(function () {
  "use strict";

  var counter = 0;

  function mirrorPressed(toolbar) {
    toolbar.querySelectorAll("button[data-trix-attribute]").forEach(function (button) {
      button.setAttribute("aria-pressed", button.hasAttribute("data-trix-active") ? "true" : "false");
    });
  }

  function enhance(textarea, template) {
    counter += 1;
    var id = textarea.id || "rich-text-" + counter;
    var label = document.querySelector('label[for="' + id + '"]');
    var toolbar = template.content.firstElementChild.cloneNode(true);
    toolbar.id = id + "-toolbar";
    var linkInput = toolbar.querySelector("[data-trix-input]");
    var linkLabel = toolbar.querySelector("[data-rich-text-link-label]");
    linkInput.id = id + "-link";
    linkLabel.setAttribute("for", linkInput.id);
    linkInput.setAttribute("form", id + "-no-form");  // the link address is never posted with the answers

    var editor = document.createElement("trix-editor");
    editor.id = id + "-editor";
    editor.className = "trix-content rich-text-editor";
    editor.setAttribute("input", id);
    editor.setAttribute("toolbar", toolbar.id);
    editor.setAttribute("role", "textbox");
    editor.setAttribute("aria-multiline", "true");
    if (label) {
      if (!label.id) { label.id = id + "-label"; }
      editor.setAttribute("aria-labelledby", label.id);
      label.addEventListener("click", function () { editor.focus(); });
    }
    ["aria-describedby", "aria-invalid", "aria-required"].forEach(function (name) {
      if (textarea.hasAttribute(name)) { editor.setAttribute(name, textarea.getAttribute(name)); }
    });

    textarea.hidden = true;
    textarea.insertAdjacentElement("afterend", toolbar);
    toolbar.insertAdjacentElement("afterend", editor);

    // Trix acts on mousedown; a button pressed with Enter or Space only gets a click (detail 0): pass it on.
    toolbar.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-trix-attribute], button[data-trix-action]");
      if (button && event.detail === 0) {
        button.dispatchEvent(new MouseEvent("mousedown", { bubbles: true, cancelable: true }));
      }
    });
    editor.addEventListener("trix-selection-change", function () { mirrorPressed(toolbar); });
    editor.addEventListener("trix-change", function () {
      mirrorPressed(toolbar);
      // Word counts and autosave listen to the textarea.
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    });
    // No files or images: refuse them whether dropped, pasted or picked.
    editor.addEventListener("trix-file-accept", function (event) { event.preventDefault(); });
    editor.addEventListener("trix-attachment-add", function (event) { event.attachment.remove(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var template = document.getElementById("rich-text-toolbar");
    if (!template || !window.customElements || !window.Trix) { return; }
    document.querySelectorAll("textarea[data-rich-text]").forEach(function (textarea) { enhance(textarea, template); });
    // The error summary links to the (now hidden) textarea: take the reader to its editor instead.
    document.addEventListener("click", function (event) {
      var link = event.target.closest('a[href^="#"]');
      var editor = link && document.getElementById(link.getAttribute("href").slice(1) + "-editor");
      if (editor && editor.tagName === "TRIX-EDITOR") { event.preventDefault(); editor.focus(); }
    });
  });

  // Lets the restore-kept-text offer (application-form.js) put text back into an editor.
  window.richTextLoad = function (textarea, html) {
    var editor = document.querySelector('trix-editor[input="' + textarea.id + '"]');
    if (editor && editor.editor) { editor.editor.loadHTML(html); } else { textarea.value = html; }
  };
})();

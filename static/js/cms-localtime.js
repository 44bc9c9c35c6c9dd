/* Show <time data-localtime datetime="...Z"> in the visitor's own time zone. Without JS the server text (the fund's
   time zone, with its abbreviation) stays. */
(function () {
  "use strict";
  if (!window.Intl || !Intl.DateTimeFormat) { return; }
  var lang = document.documentElement.lang || undefined;
  var format = new Intl.DateTimeFormat(lang, {
    weekday: "long", year: "numeric", month: "long", day: "numeric", hour: "numeric", minute: "2-digit", timeZoneName: "short"
  });
  document.querySelectorAll("time[data-localtime]").forEach(function (el) {
    var when = new Date(el.getAttribute("datetime"));
    if (isNaN(when.getTime())) { return; }
    el.setAttribute("title", el.textContent.trim());
    el.textContent = format.format(when);
    var note = el.parentNode && el.parentNode.querySelector(".localtime-note");
    if (note) { note.hidden = false; }
  });
})();

// Annual statements screen: while a run is queued or running, poll its progress and update the table in place.
(function () {
  "use strict";
  var table = document.querySelector("[data-statement-progress]");
  if (!table || !window.fetch) return;
  var url = table.getAttribute("data-statement-progress");
  function active() {
    return table.querySelector('tr[data-status="queued"], tr[data-status="running"]') !== null;
  }
  function update(runs) {
    runs.forEach(function (run) {
      var row = table.querySelector('tr[data-run="' + run.id + '"]');
      if (!row) return;
      row.setAttribute("data-status", run.status);
      row.querySelector('[data-field="status"]').textContent = run.status_label;
      row.querySelector('[data-field="count"]').textContent = run.done + " / " + run.total;
      row.querySelector("progress").value = run.percent;
    });
  }
  function poll() {
    if (!active()) return;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { runs: [] }; })
      .then(function (data) { update(data.runs); })
      .catch(function () {})
      .then(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 3000);
})();

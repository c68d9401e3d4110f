// Refreshes the contest leaderboards every 10 seconds while the page is open.
(function () {
  "use strict";
  var root = document.querySelector("[data-leaderboard-url]");
  if (!root || !window.fetch) return;
  function cell(text) { var td = document.createElement("td"); td.textContent = text; return td; }
  function fill(name, rows, columns) {
    var body = root.querySelector("[data-board=" + name + "]");
    if (!rows.length) return;
    body.textContent = "";
    rows.forEach(function (row) {
      var tr = document.createElement("tr");
      columns(row).forEach(function (v) { tr.appendChild(cell(v)); });
      body.appendChild(tr);
    });
  }
  function refresh() {
    if (document.hidden) return;
    fetch(root.getAttribute("data-leaderboard-url"), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return;
        fill("persons", data.persons, function (r) { return [r.rank, r.name, r.unit, r.score, Math.round(r.seconds) + " 秒"]; });
        fill("units", data.units, function (r) { return [r.rank, r.unit, r.participants, r.average.toFixed(2)]; });
      });
  }
  setInterval(refresh, 10000);
})();

// cmteb leaderboard page: tabs, sortable columns and a model filter. Inlined into index.html;
// no dependencies.
(function () {
  "use strict";

  function showTab(name) {
    var buttons = document.querySelectorAll(".tabs button");
    var found = false;
    buttons.forEach(function (b) { if (b.dataset.tab === name) { found = true; } });
    if (!found) { name = buttons[0].dataset.tab; }
    buttons.forEach(function (b) { b.setAttribute("aria-selected", String(b.dataset.tab === name)); });
    document.querySelectorAll(".panel").forEach(function (p) { p.hidden = p.id !== "tab-" + name; });
  }

  function cellKey(row, index) {
    var cell = row.children[index];
    var value = cell ? cell.getAttribute("data-value") : null;
    return value === null ? "" : value;
  }

  // Numbers compare numerically, text alphabetically; missing values always sort last.
  // "num" columns sort highest first on the first click, "rank" and text columns lowest first.
  function sortTable(table, index, th) {
    var kind = th.dataset.type;
    var numeric = kind === "num" || kind === "rank";
    var current = th.getAttribute("aria-sort");
    var dir;
    if (current) {
      dir = current === "descending" ? "ascending" : "descending";
    } else {
      dir = kind === "num" ? "descending" : "ascending";
    }
    table.querySelectorAll("thead th").forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", dir);
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = cellKey(a, index), y = cellKey(b, index);
      if (x === "" || y === "") { return (x === "") - (y === ""); }
      var c = numeric ? parseFloat(x) - parseFloat(y) : x.localeCompare(y);
      return dir === "ascending" ? c : -c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }

  // Keep the rows whose model name contains the filter text (case-insensitive), in every table.
  function filterRows(text) {
    var wanted = text.trim().toLowerCase();
    document.querySelectorAll("tbody tr[data-model]").forEach(function (row) {
      row.hidden = wanted !== "" && row.dataset.model.toLowerCase().indexOf(wanted) < 0;
    });
  }

  document.querySelectorAll(".tabs button").forEach(function (b) {
    b.addEventListener("click", function () {
      showTab(b.dataset.tab);
      history.replaceState(null, "", "#" + b.dataset.tab);
    });
  });
  document.querySelectorAll("table.sortable").forEach(function (table) {
    table.querySelectorAll("thead th").forEach(function (th, index) {
      th.addEventListener("click", function () { sortTable(table, index, th); });
    });
  });
  var filter = document.getElementById("model-filter");
  if (filter) {
    filter.addEventListener("input", function () { filterRows(filter.value); });
    filterRows(filter.value);
  }
  showTab(decodeURIComponent(location.hash.slice(1)) || "overview");
})();

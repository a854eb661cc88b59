// cmteb leaderboard page: tabs and sortable columns. Inlined into index.html; no dependencies.
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
  function sortTable(table, index, th) {
    var numeric = th.dataset.type === "num";
    var dir = th.getAttribute("aria-sort") === "descending" ? "ascending" : "descending";
    if (!numeric && !th.hasAttribute("aria-sort")) { dir = "ascending"; }
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
  showTab(decodeURIComponent(location.hash.slice(1)) || "overview");
})();

// nhi site: sortable and filterable tables, and search over data/search.js. No dependencies; every
// value is inserted as text (textContent), never as HTML.
(function () {
  "use strict";

  function param(name) {
    var match = new RegExp("[?&]" + name + "=([^&#]*)").exec(window.location.search);
    if (!match) return "";
    try { return decodeURIComponent(match[1].replace(/\+/g, " ")); } catch (e) { return ""; }
  }

  function cellValue(row, index) {
    var cell = row.cells[index];
    if (!cell) return "";
    var sort = cell.getAttribute("data-sort");
    return sort !== null ? sort : cell.textContent.trim();
  }

  function makeSortable(table) {
    var headers = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(headers, function (th, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      var numeric = th.getAttribute("data-type") === "num";
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(headers, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = cellValue(a, index), y = cellValue(b, index);
          var c = numeric ? (parseFloat(x) || 0) - (parseFloat(y) || 0) : x.localeCompare(y, undefined, { numeric: true });
          return ascending ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  }

  function makeFilter(input) {
    var table = document.getElementById(input.getAttribute("data-filter"));
    if (!table) return;
    var counter = document.querySelector('[data-count-for="' + table.id + '"]');
    function apply() {
      var terms = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      var rows = table.tBodies[0].rows, shown = 0;
      for (var i = 0; i < rows.length; i++) {
        var text = rows[i].textContent.toLowerCase();
        var match = terms.every(function (t) { return text.indexOf(t) !== -1; });
        rows[i].hidden = !match;
        if (match) shown++;
      }
      if (counter) counter.textContent = terms.length ? shown + " of " + rows.length + " shown" : rows.length + " in all";
    }
    input.addEventListener("input", apply);
    var initial = param("filter");
    if (initial && !document.querySelector("[data-filter-used]")) {
      input.value = initial;
      input.setAttribute("data-filter-used", "");
    }
    apply();
  }

  function score(entry, terms, query) {
    var id = entry[1].toLowerCase(), name = entry[2].toLowerCase(), rest = entry[3].toLowerCase();
    var all = id + " " + name + " " + rest + " " + entry[0];
    for (var i = 0; i < terms.length; i++) if (all.indexOf(terms[i]) === -1) return -1;
    if (id === query) return 100;
    if (id.indexOf(query) === 0) return 80;
    if (id.indexOf(query) !== -1) return 60;
    if (name.indexOf(query) !== -1) return 40;
    return 10;
  }

  function search() {
    var input = document.getElementById("search-q");
    var list = document.getElementById("search-results");
    var status = document.getElementById("search-status");
    var index = window.NHI_SEARCH;
    if (!input || !list || !index) return;
    function run() {
      var query = input.value.trim().toLowerCase();
      list.textContent = "";
      if (!query) { status.textContent = index.length + " identities, owners and systems to search."; return; }
      var terms = query.split(/\s+/);
      var hits = [];
      for (var i = 0; i < index.length; i++) {
        var s = score(index[i], terms, query);
        if (s >= 0) hits.push([s, index[i]]);
      }
      hits.sort(function (a, b) { return b[0] - a[0] || (a[1][1] < b[1][1] ? -1 : a[1][1] > b[1][1] ? 1 : 0); });
      status.textContent = hits.length === 0 ? "No match." : hits.length + (hits.length === 1 ? " match" : " matches") + (hits.length > 100 ? ", the first 100 shown." : ".");
      hits.slice(0, 100).forEach(function (hit) {
        var e = hit[1];
        var li = document.createElement("li");
        var kind = document.createElement("span");
        kind.className = "badge";
        kind.textContent = e[0];
        var title = document.createElement(e[4] ? "a" : "span");
        title.className = "title";
        if (e[4]) title.href = e[4];
        title.textContent = e[1];
        li.appendChild(kind);
        li.appendChild(document.createTextNode(" "));
        li.appendChild(title);
        if (e[2]) { li.appendChild(document.createTextNode(" — " + e[2])); }
        if (e[3]) { var sub = document.createElement("div"); sub.className = "sub"; sub.textContent = e[3]; li.appendChild(sub); }
        list.appendChild(li);
      });
    }
    input.value = param("q");
    input.addEventListener("input", run);
    document.getElementById("search-form").addEventListener("submit", function (ev) { ev.preventDefault(); run(); });
    run();
  }

  document.querySelectorAll("table.sortable").forEach(makeSortable);
  document.querySelectorAll("input[data-filter]").forEach(makeFilter);
  var siteQ = document.getElementById("site-q");
  if (siteQ && document.getElementById("search-q")) siteQ.value = param("q");
  search();
})();

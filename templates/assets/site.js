// nhi site: sortable and filterable tables, search over data/search.js, and the picture of an identity's
// blast radius. No dependencies; every value is inserted as text (textContent), never as HTML.
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

  // The folder of each kind's pages: an entry of data/search.js is [kind, id, name, details].
  var PAGES = { identity: "identities/", team: "owners/", person: "owners/", system: "systems/" };

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
        var title = document.createElement("a");
        title.className = "title";
        title.href = PAGES[e[0]] + e[1] + ".html";
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

  // The picture of an identity's blast radius, drawn from the page's own table (the blast-radius table, or the
  // Access table when the radius is the identity's own access): the identity in the middle, each reached
  // system around it (the most critical first, at most 32, and up to 12 identities), coloured by criticality,
  // a solid line labelled with the level for its own access, a dashed one for a longer path. Without
  // JavaScript the table is the whole content.
  var CRIT = { critical: 4, high: 3, medium: 2, low: 1 }, LEVEL = { admin: 3, write: 2, read: 1 };
  function badge(cell, prefix) {
    if (!cell) return "";
    var b = cell.className.indexOf(prefix) !== -1 ? cell : cell.querySelector('[class*="' + prefix + '"]');
    if (!b) return "";
    var m = new RegExp("\\b" + prefix + "(\\w+)").exec(b.className);
    return m ? m[1] : "";
  }
  function clip(s, max) { return s.length <= max ? s : s.slice(0, max - 1) + "\u2026"; }
  function blastPicture() {
    // The picture goes under the section's first paragraph; the identity's id is the page's first code.
    var heading = document.getElementById("h-blast"), lede = document.querySelector("h1 + .lede code");
    var holder = heading && heading.nextElementSibling;
    if (!holder || holder.tagName !== "P" || !lede) return;
    var own = !document.getElementById("blast");
    var table = document.getElementById(own ? "access" : "blast");
    if (!table || !table.tBodies[0]) return;
    var systems = [], identities = [], seen = {};
    Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
      var link = row.cells[0] && row.cells[0].querySelector("a");
      if (!link) return;
      var node = { label: link.textContent, href: link.getAttribute("href") };
      if (row.classList.contains("i")) { identities.push(node); return; }
      node.level = badge(row.cells[1], "level-");
      node.crit = badge(row.cells[own ? 4 : 2], "crit-");
      node.via = row.classList.contains("v") || !node.level;
      var before = seen[node.label];
      if (before) { if ((LEVEL[node.level] || 0) > (LEVEL[before.level] || 0)) before.level = node.level; return; }
      seen[node.label] = node;
      systems.push(node);
    });
    systems.sort(function (a, b) {
      return (CRIT[b.crit] || 0) - (CRIT[a.crit] || 0) || (LEVEL[b.level] || 0) - (LEVEL[a.level] || 0) || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0);
    });
    var total = systems.length + identities.length;
    var nodes = systems.slice(0, 32).concat(identities.slice(0, 12).map(function (n) { n.identity = true; n.via = true; return n; }));
    if (!nodes.length) return;
    var NS = "http://www.w3.org/2000/svg", n = nodes.length;
    var h = n <= 12 ? 320 : n <= 24 ? 440 : 560, w = 760, cx = w / 2, cy = h / 2, rx = w / 2 - 190, ry = h / 2 - 40;
    function el(name, attrs, text) {
      var e = document.createElementNS(NS, name);
      for (var k in attrs) e.setAttribute(k, attrs[k]);
      if (text !== undefined) e.textContent = text;
      return e;
    }
    var root = lede.textContent;
    var svg = el("svg", { "class": "blast", viewBox: "0 0 " + w + " " + h, role: "group", "aria-labelledby": "blast-title" });
    svg.appendChild(el("title", { id: "blast-title" }, "Blast radius of " + root + ": " + systems.length + " system(s), " + identities.length + " identit(ies) in the table"));
    var labels = [];
    nodes.forEach(function (node, k) {
      var angle = -Math.PI / 2 + 2 * Math.PI * k / n, x = cx + rx * Math.cos(angle), y = cy + ry * Math.sin(angle);
      var edge = node.via ? "via" : node.level;
      svg.appendChild(el("line", { "class": "edge edge-" + edge, x1: cx, y1: cy, x2: x.toFixed(1), y2: y.toFixed(1) }));
      if (!node.via) svg.appendChild(el("text", { "class": "edge-label", x: ((cx + x) / 2).toFixed(1), y: ((cy + y) / 2).toFixed(1), "text-anchor": "middle" }, node.level));
      var anchor = x < cx - 5 ? "end" : x > cx + 5 ? "start" : "middle";
      var dx = anchor === "end" ? -12 : anchor === "start" ? 12 : 0, dy = anchor === "middle" ? (y < cy ? -12 : 20) : 4;
      var a = el("a", { href: node.href });
      a.appendChild(el("circle", { "class": "node " + (node.identity ? "identity" : "crit-" + (node.crit || "none")), cx: x.toFixed(1), cy: y.toFixed(1), r: 8 }));
      a.appendChild(el("text", { x: (x + dx).toFixed(1), y: (y + dy).toFixed(1), "text-anchor": anchor }, clip(node.label, 28)));
      labels.push(a);
    });
    labels.forEach(function (a) { svg.appendChild(a); });
    svg.appendChild(el("circle", { "class": "node root", cx: cx, cy: cy, r: 13 }));
    svg.appendChild(el("text", { "class": "root-label", x: cx, y: cy + 30, "text-anchor": "middle" }, clip(root, 32)));
    var figure = document.createElement("figure");
    figure.className = "blast-figure";
    figure.appendChild(svg);
    var caption = document.createElement("figcaption");
    caption.textContent = "What this identity reaches, coloured by criticality: a solid line is its own access (labelled with the level), a dashed line a longer path (see the table)." + (total > n ? " " + (total - n) + " more are in the table only." : "");
    figure.appendChild(caption);
    holder.parentNode.insertBefore(figure, holder.nextSibling);
  }

  // The header of a document page: the search box and the section links, written from this one list
  // instead of into each of 100,000 pages (the section pages carry the same links in their HTML).
  var SECTIONS = [["index", "Dashboard"], ["identities", "Identities"], ["owners", "Owners"], ["systems", "Systems"], ["findings", "Findings"], ["exceptions", "Exceptions"], ["compliance", "Compliance"], ["graph", "Graph"], ["drift", "Drift"], ["trends", "Trends"], ["downloads", "Downloads"]];

  function navigation() {
    var nav = document.querySelector("body > header nav.site-nav[data-root]");
    if (!nav) return;
    var root = nav.getAttribute("data-root"), current = nav.getAttribute("data-current");
    var form = document.createElement("form");
    form.setAttribute("role", "search");
    form.setAttribute("action", root + "search.html");
    var input = document.createElement("input");
    input.name = "q";
    input.type = "search";
    input.placeholder = "Search";
    input.setAttribute("aria-label", "Search identities, owners and systems");
    form.appendChild(input);
    nav.parentNode.insertBefore(form, nav);
    nav.textContent = "";
    SECTIONS.forEach(function (s) {
      if (s[0] === "trends" && !nav.hasAttribute("data-trends")) return;
      var a = document.createElement("a");
      a.setAttribute("href", root + s[0] + ".html");
      a.textContent = s[1];
      if (s[0] === current) a.setAttribute("aria-current", "page");
      nav.appendChild(a);
    });
  }

  navigation();
  document.querySelectorAll("table.sortable").forEach(makeSortable);
  document.querySelectorAll("input[data-filter]").forEach(makeFilter);
  var siteQ = document.querySelector("body > header input[name=q]");
  if (siteQ && document.getElementById("search-q")) siteQ.value = param("q");
  search();
  blastPicture();
})();

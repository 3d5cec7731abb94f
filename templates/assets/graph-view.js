// nhi graph view: draws the identity/system graph of data/graph.js (window.NHI_GRAPH) as SVG with a small
// deterministic force layout. Large registries are shown as the neighbourhood of one node.
(function () {
  "use strict";
  var data = window.NHI_GRAPH;
  var svg = document.getElementById("graph-svg");
  if (!data || !svg) return;
  var NS = "http://www.w3.org/2000/svg";
  var MAX_NODES = 250;
  var nodes = data.nodes, edges = data.edges;
  var status = document.getElementById("graph-status");
  var focusInput = document.getElementById("graph-focus");
  var depthInput = document.getElementById("graph-depth");
  var allButton = document.getElementById("graph-all");

  var byId = {};
  nodes.forEach(function (n, i) { byId[n.k + ":" + n.id] = i; if (!(n.id in byId)) byId[n.id] = i; });
  var adjacent = nodes.map(function () { return []; });
  edges.forEach(function (e, i) { adjacent[e[0]].push(i); adjacent[e[1]].push(i); });

  var suggest = document.getElementById("graph-suggest");
  if (suggest && nodes.length <= 5000) {
    nodes.forEach(function (n) { var o = document.createElement("option"); o.value = n.id; suggest.appendChild(o); });
  }
  allButton.disabled = nodes.length > MAX_NODES;
  if (allButton.disabled) allButton.title = "More than " + MAX_NODES + " nodes: centre on one instead";

  function neighbourhood(start, depth) {
    var seen = {}, order = [start], frontier = [start];
    seen[start] = true;
    for (var d = 0; d < depth && order.length < MAX_NODES; d++) {
      var next = [];
      frontier.forEach(function (n) {
        adjacent[n].forEach(function (ei) {
          var e = edges[ei], other = e[0] === n ? e[1] : e[0];
          if (!seen[other] && order.length < MAX_NODES) { seen[other] = true; order.push(other); next.push(other); }
        });
      });
      frontier = next;
    }
    return order;
  }

  function layout(ids, width, height) {
    var n = ids.length, pos = {}, k = Math.sqrt((width * height) / Math.max(n, 1)) * 0.6;
    ids.forEach(function (id, i) {
      var a = (2 * Math.PI * i) / Math.max(n, 1), r = Math.min(width, height) * 0.38 * (i === 0 && n > 1 ? 0 : 1);
      pos[id] = { x: width / 2 + r * Math.cos(a), y: height / 2 + r * Math.sin(a) };
    });
    var local = edges.filter(function (e) { return e[0] in pos && e[1] in pos; });
    var temperature = width / 8;
    for (var step = 0; step < 250; step++) {
      var disp = {};
      ids.forEach(function (id) { disp[id] = { x: 0, y: 0 }; });
      for (var i = 0; i < n; i++) {
        for (var j = i + 1; j < n; j++) {
          var a = pos[ids[i]], b = pos[ids[j]], dx = a.x - b.x, dy = a.y - b.y;
          var dist = Math.max(Math.sqrt(dx * dx + dy * dy), 0.01), force = (k * k) / dist;
          disp[ids[i]].x += (dx / dist) * force; disp[ids[i]].y += (dy / dist) * force;
          disp[ids[j]].x -= (dx / dist) * force; disp[ids[j]].y -= (dy / dist) * force;
        }
      }
      local.forEach(function (e) {
        var a = pos[e[0]], b = pos[e[1]], dx = a.x - b.x, dy = a.y - b.y;
        var dist = Math.max(Math.sqrt(dx * dx + dy * dy), 0.01), force = (dist * dist) / k;
        disp[e[0]].x -= (dx / dist) * force; disp[e[0]].y -= (dy / dist) * force;
        disp[e[1]].x += (dx / dist) * force; disp[e[1]].y += (dy / dist) * force;
      });
      ids.forEach(function (id) {
        var p = pos[id], gx = width / 2 - p.x, gy = height / 2 - p.y, g = Math.sqrt(gx * gx + gy * gy) / k * 0.45;
        disp[id].x += gx * g; disp[id].y += gy * g;
      });
      ids.forEach(function (id) {
        var d = disp[id], len = Math.max(Math.sqrt(d.x * d.x + d.y * d.y), 0.01), p = pos[id];
        p.x += (d.x / len) * Math.min(len, temperature);
        p.y += (d.y / len) * Math.min(len, temperature);
        p.x = Math.min(width - 140, Math.max(30, p.x));
        p.y = Math.min(height - 20, Math.max(20, p.y));
      });
      temperature *= 0.985;
    }
    return { pos: pos, edges: local };
  }

  function el(name, attrs) {
    var e = document.createElementNS(NS, name);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    return e;
  }

  function draw(ids, focus) {
    var width = svg.clientWidth || 1000, height = svg.clientHeight || 640;
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    var defs = el("defs", {});
    var marker = el("marker", { id: "arrow", viewBox: "0 0 10 10", refX: "18", refY: "5", markerWidth: "6", markerHeight: "6", orient: "auto-start-reverse" });
    marker.appendChild(el("path", { d: "M 0 0 L 10 5 L 0 10 z", fill: "currentColor", opacity: "0.6" }));
    defs.appendChild(marker);
    svg.appendChild(defs);
    var result = layout(ids, width, height), pos = result.pos;
    result.edges.forEach(function (e) {
      var a = pos[e[0]], b = pos[e[1]];
      var line = el("line", { x1: a.x.toFixed(1), y1: a.y.toFixed(1), x2: b.x.toFixed(1), y2: b.y.toFixed(1), "class": "gedge " + (e[3] || e[2]), "marker-end": "url(#arrow)" });
      var title = el("title", {});
      title.textContent = nodes[e[0]].id + " → " + nodes[e[1]].id + " (" + (e[3] || e[2]) + ")";
      line.appendChild(title);
      svg.appendChild(line);
    });
    ids.forEach(function (id) {
      var n = nodes[id], p = pos[id];
      var cls = n.k === "i" ? "gi" : "crit-" + (n.c || "none");
      var group = el("a", { "class": "gnode" + (id === focus ? " focus" : "") });
      group.setAttribute("href", (n.k === "i" ? "identities/" : "systems/") + n.id + ".html");
      var shape = n.k === "i"
        ? el("circle", { cx: p.x.toFixed(1), cy: p.y.toFixed(1), r: id === focus ? 10 : 7, "class": cls })
        : el("circle", { cx: p.x.toFixed(1), cy: p.y.toFixed(1), r: id === focus ? 12 : 9, "class": cls });
      var label = el("text", { x: (p.x + 12).toFixed(1), y: (p.y + 4).toFixed(1) });
      label.textContent = n.id;
      var title = el("title", {});
      title.textContent = (n.k === "i" ? "identity " : "system ") + n.id + (n.l ? " — " + n.l : "");
      group.appendChild(title);
      group.appendChild(shape);
      group.appendChild(label);
      svg.appendChild(group);
    });
  }

  function show(focusId) {
    var depth = parseInt(depthInput.value, 10) || 2;
    if (focusId === null) {
      var all = nodes.map(function (_, i) { return i; });
      draw(all, -1);
      status.textContent = "Showing all " + nodes.length + " nodes and " + edges.length + " edges.";
      return;
    }
    var start = byId[focusId];
    if (start === undefined) { status.textContent = "No identity or system with id “" + focusId + "”."; return; }
    var ids = neighbourhood(start, depth);
    draw(ids, start);
    status.textContent = "Showing " + ids.length + " node(s) within " + depth + " step(s) of " + nodes[start].id +
      (ids.length >= MAX_NODES ? " (capped at " + MAX_NODES + ")." : ".");
  }

  document.getElementById("graph-controls").addEventListener("submit", function (ev) {
    ev.preventDefault();
    show(focusInput.value.trim());
  });
  allButton.addEventListener("click", function () { show(null); });

  var match = /[?&]focus=([^&#]*)/.exec(window.location.search);
  var initial = match ? decodeURIComponent(match[1]) : "";
  if (initial) { focusInput.value = initial; show(initial); }
  else if (nodes.length === 0) { status.textContent = "The registry has no identities or systems."; }
  else if (nodes.length <= MAX_NODES) { show(null); }
  else {
    var top = 0;
    nodes.forEach(function (n, i) { if (n.k === "i" && (n.s || 0) > (nodes[top].s || 0)) top = i; });
    focusInput.value = nodes[top].id;
    show(nodes[top].id);
  }
})();

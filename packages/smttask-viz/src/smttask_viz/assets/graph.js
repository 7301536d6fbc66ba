// smttask-viz: pan, zoom, search and details for one task graph page. No network, no dependencies.
(function () {
  "use strict";
  var root = document.getElementById("smttask-root");
  var canvas = document.getElementById("smttask-canvas");
  var svg = canvas.querySelector("svg.smttask-graph");
  var viewport = svg.querySelector("#viewport");
  var details = document.getElementById("smttask-details");
  var search = document.getElementById("smttask-search");
  var matchesLabel = document.getElementById("smttask-matches");
  var data = JSON.parse(document.getElementById("smttask-data").textContent);
  var contentW = parseFloat(svg.getAttribute("data-width")) || 1;
  var contentH = parseFloat(svg.getAttribute("data-height")) || 1;
  var view = { x: 0, y: 0, k: 1 };
  var nodeEls = {};
  Array.prototype.forEach.call(svg.querySelectorAll("g.node"), function (el) { nodeEls[el.getAttribute("data-id")] = el; });
  var edgeEls = Array.prototype.slice.call(svg.querySelectorAll("g.edge"));
  var selected = null;

  function apply() {
    viewport.setAttribute("transform", "translate(" + view.x + "," + view.y + ") scale(" + view.k + ")");
    svg.classList.toggle("far", view.k < 0.55);      // level of detail: names only
    svg.classList.toggle("farther", view.k < 0.28);  // shapes only
  }

  function fitBox(x0, y0, x1, y1, maxK) {
    var w = canvas.clientWidth || 800, h = canvas.clientHeight || 600, pad = 24;
    var k = Math.min((w - 2 * pad) / Math.max(x1 - x0, 1), (h - 2 * pad) / Math.max(y1 - y0, 1), maxK || 1.4);
    view.k = Math.max(k, 0.01);
    view.x = (w - (x1 - x0) * view.k) / 2 - x0 * view.k;
    view.y = (h - (y1 - y0) * view.k) / 2 - y0 * view.k;
    apply();
  }

  function fit() { fitBox(0, 0, contentW, contentH); }

  function zoomAt(factor, cx, cy) {
    var k = Math.min(Math.max(view.k * factor, 0.01), 6);
    view.x = cx - (cx - view.x) * k / view.k;
    view.y = cy - (cy - view.y) * k / view.k;
    view.k = k;
    apply();
  }

  function nodeBox(el) {
    var t = el.transform.baseVal.consolidate().matrix, r = el.querySelector("rect.box");
    return [t.e, t.f, t.e + r.width.baseVal.value, t.f + r.height.baseVal.value];
  }

  // --- details ------------------------------------------------------------------------
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }

  function table(rows) {
    var t = el("table");
    rows.forEach(function (row) {
      var tr = el("tr");
      tr.appendChild(el("td", row[0]));
      var td = el("td");
      td.appendChild(el("code", row[1]));
      tr.appendChild(td);
      t.appendChild(tr);
    });
    return t;
  }

  function entries(obj) { return Object.keys(obj || {}).map(function (k) { return [k === "" ? "(result)" : k, obj[k]]; }); }

  function showDetails(id) {
    var d = data.nodes[id];
    details.textContent = "";
    if (!d) return;
    details.appendChild(el("h2", d.name));
    details.appendChild(el("div", d.kind + (d.module ? " · " + d.module : "")));
    details.appendChild(el("div", d.state, d.failed ? "failed" : "smttask-state"));
    if (d.failure) details.appendChild(el("div", d.failure, "failed"));
    var facts = [["key", d.key]];
    if (d.record) facts.push(["record", d.record + (d.failed ? " (failed)" : "")]);
    if (d.in_memory) facts.push(["memory", "result in memory"]);
    details.appendChild(el("h3", "Task"));
    details.appendChild(table(facts));
    details.appendChild(el("h3", "Inputs"));
    details.appendChild(table(entries(d.inputs)));
    details.appendChild(el("h3", "Output files"));
    var outs = entries(d.outputs);
    details.appendChild(outs.length ? table(outs) : el("p", "none stored", "smttask-hint"));
    if (d.members) {
      details.appendChild(el("h3", d.members.length + " tasks"));
      var shown = d.members.slice(0, 300);
      var varying = function (e) { return / different values$/.test((d.inputs || {})[e[0]] || ""); };
      details.appendChild(table(shown.map(function (m) {  // each member by the inputs that tell it apart
        return [m.key.slice(0, 12) + "…", m.state + (m.record ? " " + m.record : "") + " · " +
          entries(m.inputs).filter(varying).map(function (e) { return e[0] + "=" + e[1]; }).join(", ")];
      })));
      if (d.members.length > shown.length) details.appendChild(el("p", (d.members.length - shown.length) + " more not listed", "smttask-hint"));
    }
  }

  function select(id) {
    if (selected && nodeEls[selected]) nodeEls[selected].classList.remove("selected");
    edgeEls.forEach(function (e) { e.classList.remove("hl"); });
    selected = id;
    if (!id || !nodeEls[id]) { details.textContent = ""; details.appendChild(el("p", "Click a task to see its details.", "smttask-hint")); return; }
    nodeEls[id].classList.add("selected");
    edgeEls.forEach(function (e) {
      if (e.getAttribute("data-source") === id || e.getAttribute("data-target") === id) e.classList.add("hl");
    });
    showDetails(id);
  }

  // --- search ---------------------------------------------------------------------------
  function runSearch(query) {
    var q = (query || "").trim().toLowerCase(), found = [];
    Object.keys(nodeEls).forEach(function (id) {
      var hit = q !== "" && (data.nodes[id].search || "").indexOf(q) >= 0;
      nodeEls[id].classList.toggle("match", hit);
      if (hit) found.push(id);
    });
    svg.classList.toggle("searching", q !== "");
    matchesLabel.textContent = q === "" ? "" : found.length + (found.length === 1 ? " match" : " matches");
    return found;
  }

  function showMatches(found) {
    if (!found.length) return;
    var b = [Infinity, Infinity, -Infinity, -Infinity];
    found.forEach(function (id) {
      var n = nodeBox(nodeEls[id]);
      b = [Math.min(b[0], n[0]), Math.min(b[1], n[1]), Math.max(b[2], n[2]), Math.max(b[3], n[3])];
    });
    fitBox(b[0] - 40, b[1] - 40, b[2] + 40, b[3] + 40, 1.2);
    if (found.length === 1) select(found[0]);
  }

  search.addEventListener("input", function () { runSearch(search.value); });
  search.addEventListener("keydown", function (e) {
    if (e.key === "Enter") showMatches(runSearch(search.value));
    if (e.key === "Escape") { search.value = ""; runSearch(""); }
  });

  // --- pan and zoom ----------------------------------------------------------------------
  var drag = null;
  canvas.addEventListener("pointerdown", function (e) {
    if (e.button !== 0) return;
    drag = { x: e.clientX, y: e.clientY, vx: view.x, vy: view.y, moved: false, target: e.target };
    canvas.setPointerCapture(e.pointerId);
  });
  canvas.addEventListener("pointermove", function (e) {
    if (!drag) return;
    var dx = e.clientX - drag.x, dy = e.clientY - drag.y;
    if (!drag.moved && Math.abs(dx) + Math.abs(dy) < 4) return;
    drag.moved = true;
    canvas.classList.add("dragging");
    view.x = drag.vx + dx;
    view.y = drag.vy + dy;
    apply();
  });
  canvas.addEventListener("pointerup", function (e) {
    if (!drag) return;
    var was = drag;
    drag = null;
    canvas.classList.remove("dragging");
    if (!was.moved) {
      var node = was.target && was.target.closest ? was.target.closest("g.node") : null;
      select(node ? node.getAttribute("data-id") : null);
    }
  });
  canvas.addEventListener("wheel", function (e) {
    e.preventDefault();
    var r = canvas.getBoundingClientRect();
    zoomAt(Math.exp(-e.deltaY * 0.0015), e.clientX - r.left, e.clientY - r.top);
  }, { passive: false });
  root.querySelector(".smttask-bar").addEventListener("click", function (e) {
    var action = e.target.getAttribute && e.target.getAttribute("data-action");
    var w = canvas.clientWidth / 2, h = canvas.clientHeight / 2;
    if (action === "zoom-in") zoomAt(1.4, w, h);
    if (action === "zoom-out") zoomAt(1 / 1.4, w, h);
    if (action === "fit") fit();
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "/" && document.activeElement !== search) { e.preventDefault(); search.focus(); }
    if (e.key === "Escape" && document.activeElement !== search) select(null);
  });
  window.addEventListener("resize", fit);

  fit();
  window.smttaskGraph = { select: select, search: runSearch, fit: fit, view: view, ready: true };
})();

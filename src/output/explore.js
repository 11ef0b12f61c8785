// chargecov's map explorer: pan and zoom (wheel, drag, buttons, keys),
// layer toggles, the metric selector, a click panel with an area's
// facts, search by name or id, and table rows that zoom to their area.
// Plain DOM, no libraries; the map is the inline SVG #map, its layers
// inside #viewport; the facts come from the JSON in #map-data.
(function () {
  "use strict";
  var svg = document.getElementById("map");
  var view = document.getElementById("viewport");
  if (!svg || !view) return;
  var dataEl = document.getElementById("map-data");
  var data = dataEl ? JSON.parse(dataEl.textContent) : null;
  var vb = svg.viewBox.baseVal;
  var W = Number(svg.getAttribute("data-map-width")) || vb.width;
  var H = vb.height;
  var MIN = 1, MAX = 96;
  var state = { k: 1, x: 0, y: 0 };

  function apply() {
    view.setAttribute("transform", "translate(" + state.x.toFixed(2) + " " +
      state.y.toFixed(2) + ") scale(" + state.k.toFixed(4) + ")");
    svg.setAttribute("data-zoom", state.k.toFixed(4));
    // Markers sized in CSS by 1 / --k keep their size on screen.
    view.style.setProperty("--k", String(state.k));
  }
  function clamp() {
    state.k = Math.min(MAX, Math.max(MIN, state.k));
    state.x = Math.min(W / 2, Math.max(W / 2 - W * state.k, state.x));
    state.y = Math.min(H / 2, Math.max(H / 2 - H * state.k, state.y));
  }
  function zoomAt(factor, cx, cy) {
    var k = Math.min(MAX, Math.max(MIN, state.k * factor));
    var f = k / state.k;
    state.x = cx - (cx - state.x) * f;
    state.y = cy - (cy - state.y) * f;
    state.k = k;
    clamp();
    apply();
  }
  function toMap(clientX, clientY) {
    var m = svg.getScreenCTM();
    if (!m) return { x: W / 2, y: H / 2 };
    var p = svg.createSVGPoint();
    p.x = clientX;
    p.y = clientY;
    return p.matrixTransform(m.inverse());
  }
  function pxPerUnit() {
    var m = svg.getScreenCTM();
    return m ? m.a : 1;
  }
  function reset() {
    state = { k: 1, x: 0, y: 0 };
    apply();
  }
  function fit(box) {
    var k = Math.min(W / Math.max(box.width * 1.4, 1e-3), H / Math.max(box.height * 1.4, 1e-3));
    state.k = Math.min(MAX, Math.max(MIN, k));
    state.x = W / 2 - state.k * (box.x + box.width / 2);
    state.y = H / 2 - state.k * (box.y + box.height / 2);
    clamp();
    apply();
  }
  function pan(dx, dy) {
    state.x += dx;
    state.y += dy;
    clamp();
    apply();
  }

  svg.addEventListener("wheel", function (e) {
    e.preventDefault();
    var p = toMap(e.clientX, e.clientY);
    zoomAt(Math.exp(-e.deltaY * 0.002), p.x, p.y);
  }, { passive: false });

  var drag = null, dragged = false;
  svg.addEventListener("pointerdown", function (e) {
    if (e.button !== 0) return;
    drag = { x: e.clientX, y: e.clientY, sx: state.x, sy: state.y };
    dragged = false;
  });
  window.addEventListener("pointermove", function (e) {
    if (!drag) return;
    var s = pxPerUnit();
    var dx = e.clientX - drag.x, dy = e.clientY - drag.y;
    if (!dragged && Math.abs(dx) + Math.abs(dy) < 4) return;
    dragged = true;
    svg.classList.add("dragging");
    state.x = drag.sx + dx / s;
    state.y = drag.sy + dy / s;
    clamp();
    apply();
  });
  window.addEventListener("pointerup", function () {
    drag = null;
    svg.classList.remove("dragging");
  });
  svg.addEventListener("keydown", function (e) {
    var step = 0.15 * W;
    var handled = true;
    switch (e.key) {
      case "+": case "=": zoomAt(1.5, W / 2, H / 2); break;
      case "-": case "_": zoomAt(1 / 1.5, W / 2, H / 2); break;
      case "0": reset(); break;
      case "ArrowLeft": pan(step, 0); break;
      case "ArrowRight": pan(-step, 0); break;
      case "ArrowUp": pan(0, step); break;
      case "ArrowDown": pan(0, -step); break;
      case "Escape": closePanel(); break;
      default: handled = false;
    }
    if (handled) e.preventDefault();
  });
  function button(id, f) {
    var b = document.getElementById(id);
    if (b) b.addEventListener("click", f);
  }
  button("zoom-in", function () { zoomAt(1.5, W / 2, H / 2); });
  button("zoom-out", function () { zoomAt(1 / 1.5, W / 2, H / 2); });
  button("zoom-reset", reset);

  // Layers: a checkbox per drawn layer hides the layer and its legend.
  document.querySelectorAll("input[data-layer]").forEach(function (box) {
    box.addEventListener("change", function () {
      var id = box.getAttribute("data-layer");
      var layer = document.getElementById(id);
      if (layer) layer.style.display = box.checked ? "" : "none";
      document.querySelectorAll('.legend-block[data-key="' + id + '"]').forEach(function (b) {
        b.hidden = !box.checked;
      });
    });
  });

  var panel = document.getElementById("panel");
  function closePanel() {
    if (panel) {
      panel.hidden = true;
      panel.removeAttribute("data-id");
    }
    var h = document.getElementById("highlight");
    if (h) h.parentNode.removeChild(h);
  }
  button("panel-close", closePanel);
  if (!data) return;

  var areaLayer = document.getElementById("areas");
  var paths = areaLayer ? areaLayer.getElementsByTagName("path") : [];

  // The metric selector recolours the areas and swaps the legend.
  var select = document.getElementById("metric");
  function showMetric(k) {
    var codes = data.metrics[k].codes;
    for (var i = 0; i < paths.length; i++) {
      paths[i].setAttribute("class", "a m" + k + "c" + codes.charAt(i));
    }
    svg.setAttribute("data-metric", data.metrics[k].key);
    document.querySelectorAll('.legend-block[data-key^="metric:"]').forEach(function (b) {
      b.hidden = b.getAttribute("data-key") !== "metric:" + data.metrics[k].key;
    });
  }
  if (select) {
    select.addEventListener("change", function () { showMetric(Number(select.value)); });
  }
  showMetric(0);

  function km(m) {
    return m === null || m === undefined ? "—" : (m / 1000).toFixed(2) + " km";
  }
  function esc(s) {
    return String(s).replace(/[&<>"]/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c];
    });
  }
  function open(i) {
    var a = data.areas[i];
    if (!a || !panel) return;
    var rows = [
      ["covered", a.covered ? "yes" : "NO"],
      ["group", a.group],
      ["stations inside", a.inside + " (" + a.qualifying + " qualifying)"],
      ["nearest qualifying from the centre", km(a.nearest_m) + (a.nearest_id ? " (" + a.nearest_id + ")" : "")],
      ["nearest qualifying from the area", km(a.boundary_m) + (a.boundary_id ? " (" + a.boundary_id + ")" : "")],
      ["holds here up to", a.strongest_kw === null ? "—" : a.strongest_kw + " kW"],
      ["size", a.km2 === null ? null : a.km2.toFixed(1) + " km²"],
      ["population", a.population === null ? null : Math.round(a.population).toLocaleString("en")]
    ];
    (data.radii || []).forEach(function (r) {
      if (a.within && a.within[r] !== undefined) {
        rows.push(["surface within " + r + " km", (100 * a.within[r]).toFixed(1) + " %"]);
      }
    });
    if (a.worst) {
      rows.push(["worst-served point", a.worst[1].toFixed(5) + ", " + a.worst[0].toFixed(5) +
        ": " + km(a.worst[2]) + (a.worst[3] ? "" : " (not proven)")]);
    }
    if (a.gap_km2 !== null) rows.push(["gap", a.gap_km2.toFixed(2) + " km²"]);
    if (a.sites && a.sites.length) rows.push(["suggested site", a.sites.join(", ")]);
    var html = '<h3 id="panel-title">' + esc(a.name || a.id) + "</h3><p>" + esc(a.id) + "</p><table>";
    rows.forEach(function (r) {
      if (r[1] !== null && r[1] !== undefined) {
        html += "<tr><th>" + esc(r[0]) + "</th><td>" + esc(r[1]) + "</td></tr>";
      }
    });
    document.getElementById("panel-body").innerHTML = html + "</table>";
    panel.hidden = false;
    panel.setAttribute("data-id", a.id);
    var old = document.getElementById("highlight");
    if (old) old.parentNode.removeChild(old);
    var h = paths[i].cloneNode(false);
    h.setAttribute("id", "highlight");
    h.removeAttribute("class");
    view.appendChild(h);
  }
  function pick(i) {
    if (!paths[i]) return;
    fit(paths[i].getBBox());
    open(i);
  }
  svg.addEventListener("click", function (e) {
    if (dragged) return;
    var t = e.target;
    if (t && t.parentNode === areaLayer) {
      open(Array.prototype.indexOf.call(paths, t));
    }
  });

  // Search by name or id (substring, case-insensitive; any script).
  var search = document.getElementById("search");
  var results = document.getElementById("search-results");
  function find(q) {
    q = q.trim().toLowerCase();
    var found = [];
    if (!q) return found;
    for (var i = 0; i < data.areas.length && found.length < 12; i++) {
      var a = data.areas[i];
      if (a.id.toLowerCase().indexOf(q) >= 0 || (a.name && a.name.toLowerCase().indexOf(q) >= 0)) {
        found.push(i);
      }
    }
    return found;
  }
  if (search && results) {
    search.addEventListener("input", function () {
      var found = find(search.value);
      results.innerHTML = found.map(function (i) {
        var a = data.areas[i];
        return '<li data-i="' + i + '">' + esc(a.name || a.id) + " <small>" + esc(a.id) +
          (a.group ? " · " + esc(a.group) : "") + "</small></li>";
      }).join("") || (search.value.trim() ? "<li class=\"none\">no area matches</li>" : "");
      results.hidden = !search.value.trim();
    });
    search.addEventListener("keydown", function (e) {
      if (e.key === "Enter") {
        var found = find(search.value);
        if (found.length) pick(found[0]);
        results.hidden = true;
      }
    });
    results.addEventListener("click", function (e) {
      var li = e.target.closest("li[data-i]");
      if (li) {
        pick(Number(li.getAttribute("data-i")));
        results.hidden = true;
      }
    });
  }

  // Table rows zoom to their area.
  document.querySelectorAll("tr[data-i]").forEach(function (tr) {
    tr.addEventListener("click", function () {
      pick(Number(tr.getAttribute("data-i")));
      svg.scrollIntoView({ block: "nearest" });
    });
  });
  window.chargecovMap = { zoomAt: zoomAt, reset: reset, open: open, pick: pick, find: find, showMetric: showMetric, state: function () { return state; } };
})();

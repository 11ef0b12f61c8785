// Driven by tests/browser.rs: acts on the report as a person would (wheel,
// keys, buttons, clicks at screen positions, the selector, the search box,
// a table row, a layer checkbox) and writes what it saw into
// <pre id="selftest"> as JSON, for `chromium --dump-dom` to hand back.
(function () {
  "use strict";
  var out = {};
  function zoom() { return Number(document.getElementById("map").getAttribute("data-zoom") || "1"); }
  function transform() { return document.getElementById("viewport").getAttribute("transform"); }
  function panel() {
    var p = document.getElementById("panel");
    return { hidden: p.hidden, id: p.getAttribute("data-id"),
             title: (document.getElementById("panel-title") || {}).textContent || null,
             text: p.textContent };
  }
  try {
    var svg = document.getElementById("map");
    var r = svg.getBoundingClientRect();
    out.initialTransform = transform();
    svg.dispatchEvent(new WheelEvent("wheel", { deltaY: -400, clientX: r.left + r.width / 2,
      clientY: r.top + r.height / 2, bubbles: true, cancelable: true }));
    out.wheelTransform = transform();
    out.wheelZoom = zoom();
    svg.dispatchEvent(new KeyboardEvent("keydown", { key: "0", bubbles: true }));
    out.resetZoom = zoom();
    svg.dispatchEvent(new KeyboardEvent("keydown", { key: "+", bubbles: true }));
    out.keyZoom = zoom();
    document.getElementById("zoom-out").click();
    out.buttonZoom = zoom();
    svg.dispatchEvent(new KeyboardEvent("keydown", { key: "0", bubbles: true }));

    // Click the target area where it is drawn: a point inside its fill,
    // found on a grid over its box, hit-tested by the browser.
    var target = JSON.parse(document.getElementById("selftest-target").textContent);
    var data = JSON.parse(document.getElementById("map-data").textContent);
    var index = data.areas.findIndex(function (a) { return a.id === target.id; });
    var path = document.getElementById("areas").getElementsByTagName("path")[index];
    var box = path.getBBox(), ctm = path.getScreenCTM(), hit = null;
    for (var gy = 1; gy < 20 && !hit; gy++) {
      for (var gx = 1; gx < 20 && !hit; gx++) {
        var p = svg.createSVGPoint();
        p.x = box.x + box.width * gx / 20;
        p.y = box.y + box.height * gy / 20;
        if (!path.isPointInFill(p)) continue;
        var s = p.matrixTransform(ctm);
        var el = document.elementFromPoint(s.x, s.y);
        if (el === path) hit = { x: s.x, y: s.y, el: el };
      }
    }
    out.hitFound = !!hit;
    if (hit) {
      hit.el.dispatchEvent(new MouseEvent("click", { clientX: hit.x, clientY: hit.y, bubbles: true }));
    }
    out.clickPanel = panel();
    document.getElementById("panel-close").click();
    out.closedPanel = panel();

    // The metric selector recolours: the computed fill of the target.
    var select = document.getElementById("metric");
    out.metrics = Array.prototype.map.call(select.options, function (o) { return o.getAttribute("data-key"); });
    out.fillBefore = getComputedStyle(path).fill;
    select.value = String(out.metrics.indexOf(target.metric));
    select.dispatchEvent(new Event("change", { bubbles: true }));
    out.fillAfter = getComputedStyle(path).fill;
    out.metricShown = svg.getAttribute("data-metric");
    out.legendShown = Array.prototype.filter.call(document.querySelectorAll(".legend-block"),
      function (b) { return !b.hidden; }).map(function (b) { return b.getAttribute("data-key"); });

    // Search by a (CJK) name: the result list, then Enter.
    var search = document.getElementById("search");
    search.value = target.name;
    search.dispatchEvent(new Event("input", { bubbles: true }));
    out.searchResults = Array.prototype.map.call(document.querySelectorAll("#search-results li[data-i]"),
      function (li) { return data.areas[Number(li.getAttribute("data-i"))].id; });
    search.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
    out.searchPanel = panel();
    out.searchZoom = zoom();

    // A table row zooms to its area.
    svg.dispatchEvent(new KeyboardEvent("keydown", { key: "0", bubbles: true }));
    var row = document.querySelector("#uncovered-table tr[data-i]");
    row.click();
    out.rowId = data.areas[Number(row.getAttribute("data-i"))].id;
    out.rowPanel = panel();
    out.rowZoom = zoom();

    // Layer toggles hide the layer.
    var box2 = document.querySelector('input[data-layer="stations"]');
    box2.click();
    out.stationsDisplay = getComputedStyle(document.getElementById("stations")).display;

    // For the screenshot: the panel of the target, at the top of the page.
    document.querySelectorAll("body > *").forEach(function (e) {
      if (e.id !== "map-section" && e.tagName !== "SCRIPT") e.style.display = "none";
    });
    document.querySelectorAll("#map-section > h2, #toolbar").forEach(function (e) { e.style.display = "none"; });
    window.chargecovMap.open(index);
    var title = document.getElementById("panel-title");
    title.style.fontSize = "48px";
    var range = document.createRange();
    range.selectNodeContents(title);
    var t = range.getBoundingClientRect();
    out.titleRect = { x: t.left, y: t.top, width: t.width, height: t.height };
  } catch (e) {
    out.error = String(e && e.stack || e);
  }
  var pre = document.createElement("pre");
  pre.id = "selftest";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();

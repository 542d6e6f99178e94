/* The dashboard's behaviour: draw the Vega-Lite charts (specs built by leadpact.charts), tick the countdowns
   to due times every second, and redo both after htmx swaps in a fresh live part (on a stream event). */
(function () {
  "use strict";

  function drawCharts(root) {
    if (typeof vegaEmbed !== "function") return;
    root.querySelectorAll(".chart[data-spec]:not([data-drawn])").forEach(function (el) {
      el.setAttribute("data-drawn", "1");
      var spec;
      try { spec = JSON.parse(el.getAttribute("data-spec")); } catch (e) { return; }
      vegaEmbed(el, spec, { actions: false, renderer: "svg" }).catch(function (err) {
        el.textContent = "chart unavailable: " + err;
      });
    });
  }

  // Charts drawn before a live refresh, by id: a chart whose spec did not change keeps its drawing (no
  // flicker, no redraw); the others are drawn again.
  var drawn = {};

  function keepCharts(root) {
    drawn = {};
    root.querySelectorAll(".chart[data-drawn]").forEach(function (el) {
      drawn[el.id] = { spec: el.getAttribute("data-spec"), el: el };
    });
  }

  function reuseCharts(root) {
    root.querySelectorAll(".chart[data-spec]:not([data-drawn])").forEach(function (el) {
      var old = drawn[el.id];
      if (old && old.spec === el.getAttribute("data-spec")) el.replaceWith(old.el);
    });
    drawn = {};
  }

  function two(n) { return (n < 10 ? "0" : "") + n; }

  // 3 min 07 s, 2 h 05 min 09 s, 3 d 4 h
  function span(ms) {
    var s = Math.floor(Math.abs(ms) / 1000);
    var d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
    s = s % 60;
    if (d > 0) return d + " d " + h + " h";
    if (h > 0) return h + " h " + two(m) + " min " + two(s) + " s";
    return m + " min " + two(s) + " s";
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll(".countdown[data-due]").forEach(function (el) {
      var due = Date.parse(el.getAttribute("data-due"));
      var start = Date.parse(el.getAttribute("data-start") || "") || due;
      if (isNaN(due)) return;
      var left = due - now;
      var share = due > start ? left / (due - start) : 0;
      var state = left < 0 ? "late" : share > 0.5 ? "ok" : share > 0.2 ? "soon" : "near";
      el.textContent = left < 0 ? span(left) + " late" : span(left) + " left";
      el.className = "countdown cd-" + state;
    });
  }

  function liveDot(ok) {
    var dot = document.getElementById("live-dot");
    if (dot) dot.className = "dot " + (ok ? "on" : "off");
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawCharts(document);
    tick();
    setInterval(tick, 1000);
    document.body.addEventListener("htmx:beforeSwap", function (e) { keepCharts(e.detail.target); });
    document.body.addEventListener("htmx:afterSwap", function (e) {
      reuseCharts(e.target);
      drawCharts(e.target);
      tick();
    });
    document.body.addEventListener("htmx:sseOpen", function () { liveDot(true); });
    document.body.addEventListener("htmx:sseError", function () { liveDot(false); });
  });
})();

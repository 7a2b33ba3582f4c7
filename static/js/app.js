/* The app's main script: draws the Plotly charts when they are about to be
 * seen, and shows htmx errors to the user instead of failing silently (a
 * request that cannot reach the server: static/js/offline.js).
 * Pages embed figures as (templates/_partials/_chart.html)
 *   <div class="chart-plot" id="X" data-chart-src="plotly.js URL" …></div>
 *   <script type="application/json" data-chart-for="X">…</script>
 */
(function () {
  "use strict";

  /* --- charts ------------------------------------------------------------
   * plotly.js (about 310 KB even compressed) is loaded only on pages with a
   * chart, and only when the first chart comes within LOOKAHEAD of the
   * viewport; the charts are then drawn one per task, so taps on tiles,
   * filters and links are answered in between. The same happens to charts
   * an htmx swap brings in. On a touch screen a chart is static apart from
   * its hover labels (no drag, no zoom, no "double-click to zoom back out"),
   * so a swipe over it scrolls the page; with a mouse the x axis zooms.
   */
  var LOOKAHEAD = "300px 0px";
  var plotlyLoading = null;
  var drawQueue = [];
  var drawing = false;
  var chartObserver = null;

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = src;
      script.async = false;  // run in the order added: the locale before plotly.js
      script.onload = resolve;
      script.onerror = function () { reject(new Error("could not load " + src)); };
      document.head.appendChild(script);
    });
  }

  function loadPlotly(box) {
    if (!plotlyLoading) {
      var locale = box.getAttribute("data-chart-locale-src");
      plotlyLoading = Promise.all([
        locale ? loadScript(locale) : Promise.resolve(),
        loadScript(box.getAttribute("data-chart-src"))
      ]);
    }
    return plotlyLoading;
  }

  function isTouchScreen() {
    return window.matchMedia("(hover: none), (pointer: coarse)").matches;
  }

  function chartConfig(box, touch) {
    var config = { responsive: true, displaylogo: false, displayModeBar: false,
                   scrollZoom: false, doubleClick: touch ? false : "reset",
                   showAxisDragHandles: !touch, showTips: !touch };
    var locale = box.getAttribute("data-chart-locale");
    if (locale) { config.locale = locale; }
    return config;
  }

  function chartLayout(layout, touch, box) {
    // The page's font (app.css: Chinese fonts first on Chinese pages), so a
    // chart's digits match the text around it.
    layout.font = Object.assign({}, layout.font, { family: window.getComputedStyle(box).fontFamily });
    // Value axes carry ticks computed on the server, so only x (a date or
    // category axis) may zoom, and only with a mouse.
    Object.keys(layout).forEach(function (key) {
      if (/^[xy]axis\d*$/.test(key)) {
        layout[key].fixedrange = touch || key.charAt(0) === "y" || layout[key].type !== "date";
      }
    });
    layout.dragmode = touch ? false : "zoom";
    return layout;
  }

  function drawChart(block) {
    var box = document.getElementById(block.getAttribute("data-chart-for"));
    if (!box || !box.isConnected) { return Promise.resolve(); }
    var figure = JSON.parse(block.textContent);
    var touch = isTouchScreen();
    return window.Plotly.newPlot(box, figure.data || [], chartLayout(figure.layout || {}, touch, box),
                                 chartConfig(box, touch))
      .then(function () { box.setAttribute("data-chart-drawn", ""); });
  }

  function drawNext() {
    var block = drawQueue.shift();
    if (!block) { drawing = false; return; }
    drawChart(block).catch(function (error) { console.error(error); })
      .then(function () { window.setTimeout(drawNext, 0); });  // one chart per task
  }

  function queueChart(block) {
    var box = document.getElementById(block.getAttribute("data-chart-for"));
    loadPlotly(box).then(function () {
      drawQueue.push(block);
      if (!drawing) { drawing = true; window.setTimeout(drawNext, 0); }
    }, function (error) { console.error(error); });
  }

  function onChartsSeen(entries) {
    entries.forEach(function (entry) {
      if (!entry.isIntersecting) { return; }
      chartObserver.unobserve(entry.target);
      queueChart(entry.target.chartBlock);
    });
  }

  function watchCharts(root) {
    var blocks = (root || document).querySelectorAll("script[data-chart-for]");
    if (!blocks.length) { return; }
    chartObserver = chartObserver || new IntersectionObserver(onChartsSeen, { rootMargin: LOOKAHEAD });
    blocks.forEach(function (block) {
      var box = document.getElementById(block.getAttribute("data-chart-for"));
      if (!box || box.chartBlock === block) { return; }
      box.chartBlock = block;
      chartObserver.observe(box);
    });
  }

  function forgetChart(element) {
    if (chartObserver && element.chartBlock) { chartObserver.unobserve(element); }
    if (window.Plotly && element.classList && element.classList.contains("js-plotly-plot")) {
      window.Plotly.purge(element);
    }
  }

  /* --- chart data tables -------------------------------------------------
   * A chart's data table is served once, in its <noscript>; the "Show data
   * table" toggle next to it gets a copy when first opened. (innerHTML is
   * the table's markup whether the noscript was parsed as text, as on a
   * page, or as elements, as in an htmx swap.) */
  function fillDataTable(event) {
    var details = event.target;
    if (!details.classList || !details.classList.contains("chart-data") ||
        !details.open || details.hasAttribute("data-filled")) { return; }
    var source = details.parentNode.querySelector("noscript");
    if (!source) { return; }
    details.setAttribute("data-filled", "");
    details.insertAdjacentHTML("beforeend", source.innerHTML);
  }

  /* --- htmx errors -------------------------------------------------------- */
  function showError(message) {
    var flash = document.getElementById("flash");
    if (!flash) { return; }
    var p = document.createElement("p");
    p.className = "flash flash-error";
    p.textContent = message;
    flash.replaceChildren(p);
  }

  // Forms answer 422 (errors next to the fields) and 409 (someone else
  // changed the object) with the form again: let htmx swap those in.
  if (window.htmx) {
    window.htmx.config.responseHandling = [
      { code: "204", swap: false },
      { code: "[23]..", swap: true },
      { code: "409", swap: true },
      { code: "422", swap: true },
      { code: "[45]..", swap: false, error: true },
      { code: "...", swap: false }
    ];
  }

  document.addEventListener("toggle", fillDataTable, true);  // toggle does not bubble
  document.addEventListener("DOMContentLoaded", function () { watchCharts(document); });
  document.addEventListener("htmx:afterSettle", function (event) { watchCharts(event.target); });
  document.addEventListener("htmx:beforeCleanupElement", function (event) { forgetChart(event.target); });
  // htmx does not swap 4xx/5xx answers: say what happened instead of doing nothing.
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var message = xhr.getResponseHeader("X-Error-Message");
    showError(message ? decodeURIComponent(message) : document.body.getAttribute("data-error-text") || ("Error " + xhr.status));
  });
})();

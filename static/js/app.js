/* The app's only script: draws every Plotly chart from its figure JSON on page
 * load and after every htmx swap, and shows htmx errors to the user instead of
 * failing silently. Pages embed figures as
 *   <div id="X"></div><script type="application/json" data-chart-for="X">…</script>
 */
(function () {
  "use strict";

  function drawCharts(root) {
    if (!window.Plotly) { return; }
    var blocks = (root || document).querySelectorAll("script[data-chart-for]");
    blocks.forEach(function (block) {
      var target = document.getElementById(block.getAttribute("data-chart-for"));
      if (!target) { return; }
      var figure = JSON.parse(block.textContent);
      var config = Object.assign({ responsive: true, displaylogo: false, displayModeBar: false }, figure.config || {});
      window.Plotly.react(target, figure.data || [], figure.layout || {}, config);
    });
  }

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

  document.addEventListener("DOMContentLoaded", function () { drawCharts(document); });
  document.addEventListener("htmx:afterSettle", function (event) { drawCharts(event.target); });
  // htmx does not swap 4xx/5xx answers: say what happened instead of doing nothing.
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var message = xhr.getResponseHeader("X-Error-Message");
    showError(message ? decodeURIComponent(message) : document.body.getAttribute("data-error-text") || ("Error " + xhr.status));
  });
  document.addEventListener("htmx:sendError", function () {
    showError(document.body.getAttribute("data-offline-text") || "Network error");
  });
})();

/* Field forms on the factory page: next-action quick picks and the optional
 * geolocation check-in. Both only help: without this script (or without a
 * position) the forms work and a visit is logged all the same.
 * Runs on load and after every htmx swap, since the forms come back that way.
 */
(function () {
  "use strict";

  function isoDate(date) {
    var m = String(date.getMonth() + 1).padStart(2, "0");
    var d = String(date.getDate()).padStart(2, "0");
    return date.getFullYear() + "-" + m + "-" + d;
  }

  function setUpQuickPicks(root) {
    root.querySelectorAll("[data-quick-picks]").forEach(function (box) {
      var input = document.getElementById(box.getAttribute("data-quick-picks"));
      if (!input || box.dataset.ready) { return; }
      box.dataset.ready = "1";
      box.hidden = false;
      box.querySelectorAll("button[data-days]").forEach(function (button) {
        button.addEventListener("click", function () {
          var day = new Date();
          day.setDate(day.getDate() + Number(button.getAttribute("data-days")));
          input.value = isoDate(day);
          box.querySelectorAll("button").forEach(function (b) { b.setAttribute("aria-pressed", String(b === button)); });
        });
      });
    });
  }

  function setUpCheckIn(root) {
    if (!("geolocation" in navigator)) { return; }
    root.querySelectorAll("[data-checkin-form]").forEach(function (form) {
      var box = form.querySelector("[data-checkin]");
      if (!box || box.dataset.ready) { return; }
      box.dataset.ready = "1";
      box.hidden = false;
      var toggle = box.querySelector("[data-checkin-toggle]");
      var status = box.querySelector("[data-checkin-status]");
      var fields = ["latitude", "longitude", "accuracy"].map(function (name) {
        return form.querySelector("input[name='" + name + "']");
      });
      function clear() { fields.forEach(function (f) { f.value = ""; }); }
      toggle.addEventListener("change", function () {
        clear();
        if (!toggle.checked) { status.textContent = ""; return; }
        status.textContent = status.getAttribute("data-text-wait");
        navigator.geolocation.getCurrentPosition(function (position) {
          if (!toggle.checked) { return; }
          var c = position.coords;
          fields[0].value = c.latitude.toFixed(6);
          fields[1].value = c.longitude.toFixed(6);
          fields[2].value = Math.round(c.accuracy);
          status.textContent = status.getAttribute("data-text-ok").replace("%(m)s", Math.round(c.accuracy));
        }, function () {
          clear();
          toggle.checked = false;
          status.textContent = status.getAttribute("data-text-no");
        }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
      });
    });
  }

  function setUp(root) { setUpQuickPicks(root); setUpCheckIn(root); }

  document.addEventListener("DOMContentLoaded", function () { setUp(document); });
  document.addEventListener("htmx:afterSettle", function () { setUp(document); });
})();

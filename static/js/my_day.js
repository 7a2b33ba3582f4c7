/* My day: one visit form open at a time. Opening the form on an item (htmx
 * swaps it into that item's slot) empties every other item's slot, so the
 * page never holds two forms with the same field ids. Without this script
 * each item's "Log a visit" is a plain link to the factory page's form.
 */
(function () {
  "use strict";

  document.addEventListener("htmx:afterSwap", function (event) {
    var slot = event.detail.target;
    if (!slot || !slot.hasAttribute || !slot.hasAttribute("data-visit-slot")) { return; }
    document.querySelectorAll("[data-visit-slot]").forEach(function (other) {
      if (other !== slot) { other.replaceChildren(); }
    });
    var first = slot.querySelector("input[name='purpose']");
    if (first) { first.focus({ preventScroll: true }); }
    slot.scrollIntoView({ block: "nearest" });
  });
})();

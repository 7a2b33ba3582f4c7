/* My day: one form open at a time. Opening a form on an item (htmx swaps
 * the factory page's visit or stage form into that item's slot) empties
 * every other item's slot, so the page never holds two forms with the same
 * ids. Without this script each item's action is a plain link to the form
 * on the factory page.
 */
(function () {
  "use strict";

  document.addEventListener("htmx:afterSwap", function (event) {
    var slot = event.detail.target;
    if (!slot || !slot.hasAttribute || !slot.hasAttribute("data-form-slot")) { return; }
    document.querySelectorAll("[data-form-slot]").forEach(function (other) {
      if (other !== slot) { other.replaceChildren(); }
    });
    var first = slot.querySelector("input[name='purpose'], #next-stage-button");
    if (first) { first.focus({ preventScroll: true }); }
    slot.scrollIntoView({ block: "nearest" });
  });
})();

// The intake form: choosing what a complaint is about picks the urgency the
// category suggests (data-severity), until the filer picks one themself.
// Without JavaScript the server applies the same suggestion.
(function () {
  "use strict";
  var chosenByHand = false;
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.form || !input.form.classList.contains("intake")) { return; }
    if (input.name === "severity") { chosenByHand = true; return; }
    if (input.name !== "category" || chosenByHand) { return; }
    var suggested = input.form.querySelector(
      'input[name="severity"][value="' + input.getAttribute("data-severity") + '"]');
    if (suggested) { suggested.checked = true; }
  });
})();

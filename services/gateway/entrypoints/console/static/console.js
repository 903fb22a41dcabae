// The console's own script (the page's Content-Security-Policy allows scripts from here only, none
// inline): the print button, and printing the one-time notice as soon as it is shown after intake.
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }
  ready(function () {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
    if (document.body.classList.contains("autoprint")) {
      window.print();
    }
  });
})();

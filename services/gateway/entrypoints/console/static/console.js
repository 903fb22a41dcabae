// The console's own script (the page's Content-Security-Policy allows scripts from here only, none
// inline): the print button, printing the one-time notice as soon as it is shown after intake, and
// an upload's progress bar; logging out deletes the agent's page kept for offline use (agent-sw.js).
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
    // an upload's progress (htmx reports the request's bytes sent) on the form's <progress>
    document.body.addEventListener("htmx:xhr:progress", function (event) {
      var form = event.target.closest("[data-upload-progress]");
      var bar = form && document.getElementById(form.getAttribute("data-upload-progress"));
      if (bar && event.detail.lengthComputable) {
        bar.value = Math.round((event.detail.loaded / event.detail.total) * 100);
      }
    });
    var logout = document.querySelector("form[action='/console/logout']");
    if (logout && window.caches) {
      logout.addEventListener("submit", function (event) {
        event.preventDefault();
        caches.delete("bianmin-agent-v1").then(function () { logout.submit(); }, function () { logout.submit(); });
      });
    }
    if (document.body.classList.contains("autoprint")) {
      window.print();
    }
  });
})();

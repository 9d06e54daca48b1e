// Ask before a form that cannot be taken back is sent: every form with data-confirm shows its
// text in the browser's confirmation dialog, and is sent only when the user says yes. A file
// (not inline script): the pages' Content-Security-Policy allows script from 'self' only.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-confirm")) return;
    if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
  }, true);
})();

// Ask before a form that cannot be taken back is sent: every form with data-confirm (or whose
// chosen option has one) shows its text in the browser's confirmation dialog, and is sent only
// when the user says yes. A file
// (not inline script): the pages' Content-Security-Policy allows script from 'self' only.
(function () {
  "use strict";
  // A choice that cannot be taken back (an ending stage) asks too: the chosen option's
  // data-confirm, when the form has none of its own.
  function question(form) {
    if (form.hasAttribute("data-confirm")) return form.getAttribute("data-confirm");
    var chosen = form.querySelector("option[data-confirm]:checked");
    return chosen ? chosen.getAttribute("data-confirm") : null;
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    var text = question(form);
    if (text !== null && !window.confirm(text)) event.preventDefault();
  }, true);
})();

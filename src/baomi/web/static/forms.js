// Small helpers for the pages' forms, in a file because the Content-Security-Policy allows
// script from 'self' only (no inline script, no javascript: links).
(function () {
  "use strict";
  // "Go back" on an error page: a link with data-back returns to the page the form was on.
  document.addEventListener("click", function (event) {
    var link = event.target instanceof Element ? event.target.closest("a[data-back]") : null;
    if (!link || window.history.length < 2) return;
    event.preventDefault();
    window.history.back();
  });
})();

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

  // File pickers in the page's language: the native control's words ("Choose file / No file
  // chosen") follow the browser's language, so each file input gets a label styled as a button
  // with the page's words (<body data-file-choose / data-file-none>) and a span for the chosen
  // names; the input stays in the form (visually hidden), so `required` and submitting work.
  function enhance(input, n) {
    var words = document.body.dataset;
    if (!input.id) input.id = "file-picker-" + n;
    var button = document.createElement("label");
    button.htmlFor = input.id;
    button.className = "button picker";
    button.textContent = words.fileChoose;
    var chosen = document.createElement("span");
    chosen.className = "chosen muted";
    chosen.textContent = words.fileNone;
    input.classList.add("picked");
    input.after(button, " ", chosen);
    input.addEventListener("change", function () {
      var names = Array.prototype.map.call(input.files, function (f) { return f.name; });
      chosen.textContent = names.length ? names.join(", ") : words.fileNone;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll('input[type="file"]').forEach(enhance);
  });
})();

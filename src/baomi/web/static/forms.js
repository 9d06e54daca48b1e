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
    restore();
  });

  // What was typed survives a refusal. A form's refusal comes back as a redirect to its page
  // with ?error= or ?manage_error= (POST-redirect-GET), or as the page answered with the
  // refusal, and the page is drawn anew, its fields empty: a long incident description was gone
  // for a mistyped time. While a form is sent, what it sends (not passwords, files, hidden
  // fields or one-time codes) waits in this tab's sessionStorage; the next page takes it out at
  // once and, when it is the same page with an error, puts it back into the same form (its
  // action, the how-many-th with that action).
  var KEY = "baomi.typed";
  var KEPT = { "text": 1, "textarea": 1, "search": 1, "email": 1, "tel": 1, "url": 1,
               "number": 1, "date": 1, "datetime-local": 1, "checkbox": 1, "radio": 1,
               "select-one": 1, "select-multiple": 1 };

  function kept(el) {  // never a password, a file, a hidden field or a one-time code
    return el.name && KEPT[el.type] && !el.disabled && el.autocomplete !== "one-time-code";
  }

  function actionOf(form) {
    return form.getAttribute("action") || "";
  }

  function formsWith(action) {
    return Array.prototype.filter.call(document.forms, function (f) {
      return actionOf(f) === action;
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || event.defaultPrevented) return;
    if ((form.getAttribute("method") || "get").toLowerCase() !== "post") return;
    var fields = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!kept(el)) return;
      if (el.type === "checkbox" || el.type === "radio") {
        if (el.checked) fields.push([el.name, el.value]);
      } else if (el.type === "select-multiple") {
        Array.prototype.forEach.call(el.selectedOptions, function (o) {
          fields.push([el.name, o.value]);
        });
      } else {
        fields.push([el.name, el.value]);
      }
    });
    try {
      window.sessionStorage.setItem(KEY, JSON.stringify({
        path: window.location.pathname,
        action: actionOf(form),
        index: formsWith(actionOf(form)).indexOf(form),
        fields: fields
      }));
    } catch (e) { /* storage refused: the form is sent as before */ }
  });

  function restore() {
    var typed;
    try {
      typed = JSON.parse(window.sessionStorage.getItem(KEY) || "null");
      window.sessionStorage.removeItem(KEY);
    } catch (e) { return; }
    if (!typed || typed.path !== window.location.pathname) return;
    var query = new URLSearchParams(window.location.search);
    var redirected = query.has("error") || query.has("manage_error");
    // a form answered with its page and the refusal, not a redirect (the public request page)
    var answered = new URL(typed.action || window.location.href, window.location.href)
      .pathname === window.location.pathname && document.querySelector("[role=alert]");
    if (!redirected && !answered) return;
    var form = formsWith(typed.action)[typed.index];
    if (!form) return;
    var values = {};
    typed.fields.forEach(function (f) { (values[f[0]] = values[f[0]] || []).push(f[1]); });
    var used = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!kept(el)) return;
      var mine = values[el.name] || [];
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = mine.indexOf(el.value) >= 0;
      } else if (el.type === "select-multiple") {
        Array.prototype.forEach.call(el.options, function (o) {
          o.selected = mine.indexOf(o.value) >= 0;
        });
      } else if (el.name in values) {
        var n = used[el.name] || 0;  // several fields of one name: in their order
        if (n < mine.length) el.value = mine[n];
        used[el.name] = n + 1;
      }
    });
  }
})();

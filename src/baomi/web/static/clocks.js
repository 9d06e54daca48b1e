// Live deadline clocks: every element with data-due (ISO time) shows the time left, or how long
// it is overdue, and updates each second. Elements with data-done are left alone.
(function () {
  "use strict";
  function fmt(seconds) {
    var s = Math.abs(Math.round(seconds));
    var d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600);
    var m = Math.floor((s % 3600) / 60), r = s % 60;
    var parts = [];
    if (d) parts.push(d + "d");
    parts.push(String(h).padStart(2, "0") + ":" + String(m).padStart(2, "0") + ":" + String(r).padStart(2, "0"));
    return parts.join(" ");
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-due]").forEach(function (el) {
      if (el.hasAttribute("data-done")) return;
      var left = (Date.parse(el.getAttribute("data-due")) - now) / 1000;
      var late = el.hasAttribute("data-immediate") ? left <= 0 : left < 0;
      el.textContent = (late ? el.getAttribute("data-late") : el.getAttribute("data-left")) + " " + fmt(left);
      el.classList.toggle("overdue", late);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { tick(); setInterval(tick, 1000); });
})();

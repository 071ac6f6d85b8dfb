(function () {
  "use strict";
  var form = document.getElementById("filters");
  var table = document.getElementById("office-table");
  if (!form || !table) { return; }
  var offices = Array.prototype.slice.call(table.querySelectorAll("tbody.office"));
  var shown = document.getElementById("shown");
  var template = shown.getAttribute("data-template");
  var group = shown.getAttribute("data-group") || "";

  function grouped(n) {
    var s = String(n);
    return s.replace(/\B(?=(\d{3})+(?!\d))/g, group);
  }
  function text(b) {
    if (b._t === undefined) {
      var c = b.rows[0].cells;
      b._t = (c[0].textContent + " " + c[1].textContent).toLowerCase();
    }
    return b._t;
  }
  function value(field) { return form.elements[field] ? form.elements[field].value : ""; }
  function apply() {
    var v = value("verdict"), r = value("rule"), m = value("movable"), ch = value("changes");
    var q = value("q").trim().toLowerCase(), n = 0;
    offices.forEach(function (b) {
      var ok = (!v || b.getAttribute("data-verdict") === v) &&
        (!r || (" " + b.getAttribute("data-rules") + " ").indexOf(" " + r + " ") >= 0) &&
        (!m || (m === "yes") === (b.getAttribute("data-can-start") === "1")) &&
        (!ch || (" " + (b.getAttribute("data-changes") || "") + " ").indexOf(" " + ch + " ") >= 0) &&
        (!q || text(b).indexOf(q) >= 0);
      b.hidden = !ok;
      if (ok) { n++; }
    });
    shown.textContent = template.replace("{count}", grouped(n));
  }
  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (e) { e.preventDefault(); });

  function chooseFilter(name, val) {
    if (!form.elements[name]) { return; }
    form.reset();
    form.elements[name].value = val;
    apply();
    document.getElementById("offices").scrollIntoView();
    form.elements[name].focus();
  }
  document.querySelectorAll("[data-filter-rule]").forEach(function (a) {
    a.addEventListener("click", function (e) { e.preventDefault(); chooseFilter("rule", a.getAttribute("data-filter-rule")); });
  });
  document.querySelectorAll("[data-filter-changes]").forEach(function (a) {
    a.addEventListener("click", function (e) { e.preventDefault(); chooseFilter("changes", a.getAttribute("data-filter-changes")); });
  });

  var heads = Array.prototype.slice.call(table.querySelectorAll("thead th[data-sort]"));
  heads.forEach(function (th) {
    var button = th.querySelector("button");
    button.addEventListener("click", function () {
      var key = th.getAttribute("data-sort"), numeric = th.classList.contains("num");
      var current = th.getAttribute("aria-sort");
      var down = current === "none" ? numeric : current === "ascending";  // numbers: largest first
      heads.forEach(function (other) { other.setAttribute("aria-sort", "none"); });
      th.setAttribute("aria-sort", down ? "descending" : "ascending");
      offices.sort(function (a, b) {
        var x, y;
        if (key === "office") { x = text(a); y = text(b); }
        else { x = a.getAttribute("data-" + key); y = b.getAttribute("data-" + key); }
        if (numeric) {
          x = x === "" ? -1 : +x; y = y === "" ? -1 : +y;
          return down ? y - x : x - y;
        }
        return down ? (x < y ? 1 : x > y ? -1 : 0) : (x < y ? -1 : x > y ? 1 : 0);
      });
      offices.forEach(function (b) { table.appendChild(b); });
    });
  });

  // The details of an office are kept as text (in <noscript>) until opened: light for
  // ten thousand offices; without JavaScript they are ordinary HTML.
  document.addEventListener("toggle", function (e) {
    var d = e.target;
    if (!d.open || d.getAttribute("data-shown")) { return; }
    var n = d.querySelector("noscript");
    if (n) { n.insertAdjacentHTML("afterend", n.textContent); }
    d.setAttribute("data-shown", "1");
  }, true);
  apply();
}());

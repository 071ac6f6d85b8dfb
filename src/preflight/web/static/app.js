// Conveniences on top of the server-rendered page; everything works without this file.
// Data is only ever put into the page with textContent or .value, never as HTML.
(function () {
  "use strict";

  var form = document.getElementById("check-form");
  var area = document.getElementById("snapshot");
  if (!form || !area) return;

  document.querySelectorAll(".js-only").forEach(function (el) { el.hidden = false; });

  // The verdict has focus after a check (autofocus does it too; this covers browsers that skip it).
  var verdict = document.getElementById("verdict");
  if (verdict && document.activeElement !== verdict) verdict.focus();

  // Hints only where they apply: keyboard shortcuts and dragging need a mouse and a keyboard.
  var finePointer = window.matchMedia && window.matchMedia("(hover: hover) and (pointer: fine)").matches;
  if (finePointer) {
    var keys = document.querySelector(".hint-keys");
    if (keys) {
      if (/Mac|iPhone|iPad/.test(navigator.platform || "")) keys.textContent = keys.getAttribute("data-mac");
      keys.hidden = false;
    }
    var drop = document.querySelector(".hint-drop");
    if (drop) drop.hidden = false;
  }

  // A report that no longer belongs to the text says so, the moment the text changes.
  var pane = document.getElementById("report");
  var staleText = document.querySelector(".stale-text");
  var checked = area.value;
  function markStale() {
    if (!verdict || !pane) return;
    var stale = area.value !== checked;
    pane.classList.toggle("stale", stale);
    if (staleText) staleText.hidden = !stale;
  }
  area.addEventListener("input", markStale);

  // A chosen or dropped file goes into the box, so what is checked is what is shown.
  var fileName = document.querySelector(".file-name");
  function loadFile(file) {
    if (!file) return;
    file.text().then(function (text) {
      area.value = text;
      if (fileName) fileName.textContent = (fileName.getAttribute("data-template") || "{name}").replace("{name}", file.name);
      markStale();
      area.focus();
    });
  }
  var fileInput = form.querySelector("input[type=file]");
  if (fileInput) {
    fileInput.addEventListener("change", function () {
      var file = fileInput.files && fileInput.files[0];
      if (file) { loadFile(file); fileInput.value = ""; }
    });
  }
  ["dragenter", "dragover"].forEach(function (name) {
    area.addEventListener(name, function (event) { event.preventDefault(); area.classList.add("dragging"); });
  });
  ["dragleave", "dragend"].forEach(function (name) {
    area.addEventListener(name, function () { area.classList.remove("dragging"); });
  });
  area.addEventListener("drop", function (event) {
    if (!event.dataTransfer || !event.dataTransfer.files.length) return;
    event.preventDefault();
    area.classList.remove("dragging");
    loadFile(event.dataTransfer.files[0]);
  });

  // Ctrl+Enter (Cmd+Enter) checks.
  area.addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
      event.preventDefault();
      if (form.requestSubmit) form.requestSubmit(); else form.submit();
    }
  });

  // From an error or a finding to its line in the box: the line is selected and scrolled to.
  document.querySelectorAll("a.goto").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      var line = parseInt(link.getAttribute("data-line"), 10) || 1;
      var lines = area.value.split("\n");
      var start = 0;
      for (var i = 0; i < line - 1 && i < lines.length; i++) start += lines[i].length + 1;
      var end = start + (lines[line - 1] || "").length;
      area.focus({ preventScroll: true });
      area.setSelectionRange(start, end);
      var lineHeight = parseFloat(window.getComputedStyle(area).lineHeight) || 18;
      area.scrollTop = Math.max(0, (line - 3) * lineHeight);
      area.scrollIntoView({ block: "nearest" });
    });
  });

  var actions = document.querySelector(".actions");
  if (!actions) return;
  var statusLine = actions.querySelector(".action-status");
  function say(message) { if (statusLine) statusLine.textContent = message; }

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    return new Promise(function (resolve, reject) {
      var scratch = document.createElement("textarea");
      scratch.value = text;
      scratch.setAttribute("readonly", "");
      scratch.className = "offscreen";
      document.body.appendChild(scratch);
      scratch.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      document.body.removeChild(scratch);
      if (ok) resolve(); else reject(new Error("copy"));
    });
  }

  actions.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-action]");
    if (!button) return;
    var action = button.getAttribute("data-action");
    if (action === "copy") {
      var source = button.getAttribute("data-source");
      var done = source === "report-markdown" ? "data-copied-markdown" : "data-copied-text";
      copyText(document.getElementById(source).textContent).then(
        function () { say(actions.getAttribute(done)); },
        function () {
          say(actions.getAttribute("data-copy-failed"));
          var details = document.querySelector("details.as-text");
          if (details) details.open = true;
        }
      );
    } else if (action === "download") {
      // The exact report shown (not a re-check of the box, which may have been edited since).
      event.preventDefault();
      var json = document.getElementById("report-json").textContent;
      var url = URL.createObjectURL(new Blob([json], { type: "application/json" }));
      var anchor = document.createElement("a");
      anchor.href = url;
      anchor.download = button.getAttribute("data-filename") || "preflight.json";
      document.body.appendChild(anchor);
      anchor.click();
      document.body.removeChild(anchor);
      setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
    } else if (action === "print") {
      window.print();
    }
  });
})();

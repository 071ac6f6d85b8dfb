// Small conveniences on top of the server-rendered page; everything works without this file.
// Data is only ever put into the page with textContent or .value, never as HTML.
(function () {
  "use strict";

  var form = document.getElementById("check-form");
  var area = document.getElementById("snapshot");
  if (!form || !area) return;

  document.querySelectorAll(".js-only").forEach(function (el) { el.hidden = false; });

  var actions = document.querySelector(".actions");
  var statusLine = actions ? actions.querySelector(".action-status") : null;
  function say(message) { if (statusLine) statusLine.textContent = message; }

  // Examples: load the text into the box without reloading the page.
  document.querySelectorAll("a[data-example]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      fetch(link.getAttribute("data-example"), { headers: { Accept: "text/plain" } })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.text();
        })
        .then(function (text) {
          area.value = text;
          area.scrollTop = 0;
          area.focus();
          area.setSelectionRange(0, 0);
        })
        .catch(function () { window.location.href = link.href; });
    });
  });

  // A chosen or dropped file goes into the box, so what is checked is what is shown.
  function loadFile(file) {
    if (!file) return;
    file.text().then(function (text) { area.value = text; area.focus(); });
  }
  var fileInput = form.querySelector("input[type=file]");
  if (fileInput) {
    fileInput.addEventListener("change", function () {
      var file = fileInput.files && fileInput.files[0];
      if (file) file.text().then(function (text) { area.value = text; fileInput.value = ""; area.focus(); });
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

  // Jump from an error to its line in the box.
  document.querySelectorAll("a.goto").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      var line = parseInt(link.getAttribute("data-line"), 10) || 1;
      var lines = area.value.split("\n");
      var start = 0;
      for (var i = 0; i < line - 1 && i < lines.length; i++) start += lines[i].length + 1;
      var end = start + (lines[line - 1] || "").length;
      area.focus();
      area.setSelectionRange(start, end);
      var lineHeight = parseFloat(window.getComputedStyle(area).lineHeight) || 18;
      area.scrollTop = Math.max(0, (line - 3) * lineHeight);
    });
  });

  if (!actions) return;

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
      var text = document.getElementById("report-text").textContent;
      copyText(text).then(
        function () { say(actions.getAttribute("data-copied")); },
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
      anchor.download = button.getAttribute("data-filename") || "preflight-report.json";
      document.body.appendChild(anchor);
      anchor.click();
      document.body.removeChild(anchor);
      setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
    } else if (action === "print") {
      window.print();
    }
  });
})();

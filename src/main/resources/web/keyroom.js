// Keyroom web UI: small progressive enhancements. Every page works without this script.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  // Workroom create flow: show the "new key" field only when "Add a new key…" is chosen.
  function syncPick(select) {
    var box = select.parentElement.querySelector(".new-secret");
    if (box) {
      box.hidden = select.value !== "new";
    }
  }
  document.querySelectorAll("select.secret-pick").forEach(function (s) {
    syncPick(s);
    s.addEventListener("change", function () { syncPick(s); });
  });
  // Values shown once and commands to paste: a Copy button (the value is also selectable by hand).
  function selectText(el) {
    var range = document.createRange();
    range.selectNodeContents(el);
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
  }
  document.querySelectorAll("button[data-copy]").forEach(function (b) {
    var target = document.getElementById(b.getAttribute("data-copy"));
    if (!target) {
      return;
    }
    var label = b.firstChild;
    b.hidden = false;
    b.addEventListener("click", function () {
      function said(text) { label.nodeValue = text; }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(target.textContent).then(function () { said("Copied"); },
          function () { selectText(target); said("Selected: press Ctrl+C"); });
      } else {
        selectText(target);
        said("Selected: press Ctrl+C");
      }
    });
  });
  // Focus the first field with an error message, or the alert itself, for keyboard and screen-reader users.
  var err = document.querySelector(".alert-error[role=alert]");
  if (err && !document.querySelector("[autofocus]")) {
    err.setAttribute("tabindex", "-1");
    err.focus();
  }
})();

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
  // Focus the first field with an error message, or the alert itself, for keyboard and screen-reader users.
  var err = document.querySelector(".alert-error[role=alert]");
  if (err && !document.querySelector("[autofocus]")) {
    err.setAttribute("tabindex", "-1");
    err.focus();
  }
})();

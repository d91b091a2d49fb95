// Disables the submit buttons of a form marked data-busy once it is sent, so
// a slow import or a Confirm is not submitted twice by a second click. The
// buttons come back when the browser shows the page again from its history.
(function () {
  "use strict";

  function setBusy(form, busy) {
    form.setAttribute("aria-busy", busy ? "true" : "false");
    form.querySelectorAll("button[type=submit]").forEach(function (button) {
      button.disabled = busy;
    });
  }

  document.querySelectorAll("form[data-busy]").forEach(function (form) {
    form.addEventListener("submit", function () {
      // Deferred, so the browser reads the form before its buttons change.
      window.setTimeout(function () {
        setBusy(form, true);
      }, 0);
    });
  });

  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-busy]").forEach(function (form) {
      setBusy(form, false);
    });
  });
})();

// "Copy link" buttons: <button data-copy="#field" data-copy-status="#status">.
// Delegated from the document so that buttons swapped in by htmx work too.
(function () {
  "use strict";

  function say(button, text) {
    var status = button.dataset.copyStatus && document.querySelector(button.dataset.copyStatus);
    if (status) {
      status.textContent = text;
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) {
      return;
    }
    var field = document.querySelector(button.dataset.copy);
    if (!field) {
      return;
    }
    var done = function () {
      button.textContent = "Copied";
      say(button, "The link is on your clipboard.");
    };
    var fallback = function () {
      // No clipboard API (an insecure origin, say): select it for Ctrl+C.
      field.focus();
      field.select();
      say(button, "Press Ctrl+C (⌘C on a Mac) to copy the selected link.");
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, fallback);
    } else {
      fallback();
    }
  });
})();

// What htmx does not do by itself on the portal's pages (no inline script: the CSP).
//
// - A swap whose request was sent to the sign-in page (the session ended) loads the
//   sign-in page instead of swapping it into a table.
// - A request that fails says so in words, in the page's alert region, instead of
//   nothing happening; the next successful swap clears it.
(function () {
  "use strict";

  var FAILED = {
    403: "Your role cannot do that.",
    404: "That is no longer here (another user may have changed it). Reload the page.",
  };
  var OTHER_FAILURE =
    "The request failed on our side (error {status}). Reload the page and try again.";
  var UNREACHABLE =
    "The portal cannot be reached. Check your connection; the board keeps retrying.";

  function say(text) {
    var region = document.getElementById("htmx-error");
    if (!region) {
      return;
    }
    region.textContent = text;
    region.hidden = !text;
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    var login = document.body.dataset.loginUrl;
    if (login && xhr && xhr.responseURL) {
      var landed = new URL(xhr.responseURL);
      if (landed.pathname === login) {
        event.detail.shouldSwap = false;
        window.location.assign(landed.pathname + "?next=" + encodeURIComponent(window.location.pathname + window.location.search));
      }
    }
  });
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    say(FAILED[status] || OTHER_FAILURE.replace("{status}", status));
  });
  document.addEventListener("htmx:sendError", function () {
    say(UNREACHABLE);
  });
  document.addEventListener("htmx:afterSwap", function () {
    say("");
  });
})();

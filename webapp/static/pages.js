// Corridor Atlas text pages: the Copy button beside the embed snippet on a feature page.
// Without JavaScript the button stays hidden and the snippet can be selected by hand.
"use strict";

(function () {
  function copyFrom(button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    var status = button.parentNode.querySelector(".copy-status");
    function done(message) {
      if (status) {
        status.textContent = message;
      }
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(source.value).then(
        function () { done("Copied."); },
        function () { done("Could not copy; select the text and copy it."); }
      );
      return;
    }
    source.focus();
    source.select();
    try {
      done(document.execCommand("copy") ? "Copied." : "Selected; press Ctrl+C to copy.");
    } catch (err) {
      done("Selected; press Ctrl+C to copy.");
    }
  }

  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { copyFrom(button); });
  });
})();

// Corridor Atlas text pages: the Copy button beside the embed snippet on a feature page.
// Without JavaScript the button stays hidden and the snippet can be selected by hand.
// Its messages come translated from the page (data-copied, data-copy-failed, data-selected),
// since text pages do not load the map's catalogue; English if an attribute is missing.
"use strict";

(function () {
  function copyFrom(button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    var status = button.parentNode.querySelector(".copy-status");
    function done(key, fallback) {
      if (status) {
        status.textContent = button.getAttribute(key) || fallback;
      }
    }
    function copied() { done("data-copied", "Copied."); }
    function selected() { done("data-selected", "Selected; press Ctrl+C to copy."); }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(source.value).then(
        copied,
        function () { done("data-copy-failed", "Could not copy; select the text and copy it."); }
      );
      return;
    }
    source.focus();
    source.select();
    try {
      if (document.execCommand("copy")) {
        copied();
      } else {
        selected();
      }
    } catch (err) {
      selected();
    }
  }

  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { copyFrom(button); });
  });
})();

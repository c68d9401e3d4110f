// 党建云's mark in the admin sidebar shows the name "党建云", but Wagtail's
// sidebar names the link "仪表板" (aria-label) only: a person using speech
// input who says what they see would not reach it (WCAG 2.5.3 Label in Name,
// axe label-content-name-mismatch). Wagtail renders the sidebar after load,
// so the name is added whenever the link (re)appears.
(function () {
  "use strict";
  function nameBranding() {
    document.querySelectorAll("a.sidebar-custom-branding").forEach(function (link) {
      var shown = link.textContent.trim();
      var label = link.getAttribute("aria-label") || "";
      if (shown && label.indexOf(shown) === -1) {
        link.setAttribute("aria-label", shown + " " + label);
      }
    });
  }
  new MutationObserver(nameBranding).observe(document.documentElement, {
    childList: true,
    subtree: true
  });
  document.addEventListener("DOMContentLoaded", nameBranding);
})();

// Accessible names Wagtail's admin leaves out, found by axe-core in the
// browser tests (dangjian/disclosure/tests/test_browser_dashboard.py).
// Wagtail renders these parts with script after load, so the names are
// added whenever they (re)appear.
(function () {
  "use strict";
  // 党建云's mark in the sidebar shows the name "党建云", but Wagtail names
  // the link "仪表板" only: a person using speech input who says what they
  // see would not reach it (WCAG 2.5.3 Label in Name).
  function nameBranding() {
    document.querySelectorAll("a.sidebar-custom-branding").forEach(function (link) {
      var shown = link.textContent.trim();
      var label = link.getAttribute("aria-label") || "";
      if (shown && label.indexOf(shown) === -1) {
        link.setAttribute("aria-label", shown + " " + label);
      }
    });
  }
  // A rich text field (Draftail) is a role="textbox" without a name: its
  // field label points at the hidden input that holds the value.
  function nameRichText() {
    document.querySelectorAll("input[type=hidden][id]").forEach(function (input) {
      var label = document.querySelector('label[for="' + input.id + '"]');
      var box = label && input.parentNode.querySelector('[contenteditable="true"][role="textbox"]');
      if (!box || box.hasAttribute("aria-labelledby") || box.hasAttribute("aria-label")) return;
      if (!label.id) label.id = input.id + "-label";
      box.setAttribute("aria-labelledby", label.id);
    });
  }
  function nameAll() {
    nameBranding();
    nameRichText();
  }
  new MutationObserver(nameAll).observe(document.documentElement, {
    childList: true,
    subtree: true
  });
  document.addEventListener("DOMContentLoaded", nameAll);
})();

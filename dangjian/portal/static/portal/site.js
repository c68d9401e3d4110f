// Small behaviours of the public site, kept out of the HTML so that the
// Content-Security-Policy can forbid inline script (see settings.py).
(function () {
  "use strict";
  // <select data-autosubmit>: choosing an option submits its form.
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("select[data-autosubmit]") && el.form) {
      el.form.submit();
    }
  });
  // <input data-select-on-click>: one click selects the whole text to copy.
  document.addEventListener("click", function (event) {
    var el = event.target;
    if (el.matches && el.matches("input[data-select-on-click]")) {
      el.select();
    }
  });
})();

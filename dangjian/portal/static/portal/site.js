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
  // Elder mode switch: shown only with script (the mode is kept in the
  // browser, see elder.js); the choice is remembered for a year.
  function showElderState() {
    var on = document.documentElement.classList.contains("elder");
    document.querySelectorAll("[data-elder-toggle]").forEach(function (b) {
      b.hidden = false;
      b.setAttribute("aria-pressed", on ? "true" : "false");
      b.textContent = on ? "标准模式" : "长辈模式";
    });
  }
  function setElder(on) {
    document.documentElement.classList.toggle("elder", on);
    try {
      window.localStorage.setItem("dj-elder", on ? "1" : "0");
    } catch (e) { /* storage blocked: the cookie remembers it */ }
    document.cookie = "dj-elder=" + (on ? "1" : "0") +
      ";path=/;max-age=31536000;samesite=lax";
    showElderState();
  }
  showElderState();
  // The site navigation scrolls sideways on a phone: bring the current
  // section into view (on the knowledge base it is off the right edge).
  function showCurrentSection() {
    var current = document.querySelector('.site-nav a[aria-current="page"]');
    var row = current && current.closest("ul");
    if (!row || row.scrollWidth <= row.clientWidth) return;
    var offset = current.getBoundingClientRect().left - row.getBoundingClientRect().left;
    row.scrollLeft += offset - (row.clientWidth - current.offsetWidth) / 2;
  }
  showCurrentSection();
  document.addEventListener("click", function (event) {
    var el = event.target;
    if (el.closest && el.closest("[data-elder-toggle]")) {
      setElder(!document.documentElement.classList.contains("elder"));
    }
  });
})();

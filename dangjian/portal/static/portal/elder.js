// Elder mode (适老化): the visitor's choice lives in the browser
// (localStorage, a cookie as fallback), never on the server, so a shared
// page cache holds one copy of each page. Loaded in <head> without defer:
// the class is on <html> before the first paint.
(function () {
  "use strict";
  var stored = null;
  try {
    stored = window.localStorage.getItem("dj-elder");
  } catch (e) { /* storage blocked */ }
  if (stored === null) {
    var m = /(?:^|;\s*)dj-elder=([01])/.exec(document.cookie);
    stored = m ? m[1] : "0";
  }
  if (stored === "1") {
    document.documentElement.classList.add("elder");
  }
})();

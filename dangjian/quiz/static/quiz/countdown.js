// The countdown of a challenge: ticks every second and, when time is up,
// ends the challenge with the form marked data-on-timeout (the server
// grades what was answered in time either way).
(function () {
  "use strict";
  var clock = document.querySelector(".quiz-countdown[data-seconds-left]");
  if (!clock) return;
  var deadline = Date.now() + 1000 * parseInt(clock.getAttribute("data-seconds-left"), 10);
  function tick() {
    var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    clock.textContent = Math.floor(left / 60) + " 分 " + (left % 60) + " 秒";
    clock.classList.toggle("low", left < 30);
    if (left <= 0) {
      var end = document.querySelector("form[data-on-timeout]");
      if (end) end.submit();
      return;
    }
    setTimeout(tick, 1000);
  }
  tick();
})();

/* Study tracking: heartbeats while the page is visible, video progress.
   The server measures time itself; this only says "still here" and where
   the player is. Without JavaScript the "我已学完" button does the same. */
(function () {
  "use strict";
  var article = document.querySelector("article[data-beat]");
  if (!article) return;
  var url = article.getAttribute("data-beat");
  var status = document.getElementById("study-status");
  var video = document.querySelector("video.study-video");
  var done = status && status.getAttribute("data-completed") === "1";
  var INTERVAL = 10000;

  function csrf() {
    var m = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    if (m) return decodeURIComponent(m[1]);
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function show(data) {
    if (!status || !data) return;
    if (data.completed) {
      if (!done) {
        status.innerHTML = '<strong class="done-text">已学完</strong>，积分已记入学习档案。';
        var form = document.querySelector(".progress-card form");
        if (form) form.remove();
      }
      done = true;
      status.setAttribute("data-completed", "1");
    } else {
      var s = document.getElementById("study-seconds");
      if (s) s.textContent = Math.floor(data.seconds);
    }
  }

  function send() {
    var body = new URLSearchParams();
    if (video) body.set("position", String(video.currentTime || 0));
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf(), "Content-Type": "application/x-www-form-urlencoded" },
      body: body.toString(),
    }).then(function (r) { return r.ok ? r.json() : null; })
      .then(show)
      .catch(function () {});
  }

  // One beat at a time: a video's end fires "pause" and "ended" together,
  // and two beats racing each other would both try to complete the reading.
  // A beat asked for while one is in flight is sent after it (with the
  // player's position then); several asked for meanwhile make one.
  var inFlight = null;
  var queued = null;
  function beat() {
    if (!inFlight) {
      inFlight = send().then(function () { inFlight = null; });
      return inFlight;
    }
    if (!queued) {
      queued = inFlight.then(function () { queued = null; return beat(); });
    }
    return queued;
  }

  var timer = null;
  function start() { if (!timer) timer = setInterval(function () { if (!document.hidden) beat(); }, INTERVAL); }
  function stop() { if (timer) { clearInterval(timer); timer = null; } }
  document.addEventListener("visibilitychange", function () { if (document.hidden) { beat(); stop(); } else { start(); } });
  if (video) {
    video.addEventListener("ended", beat);
    video.addEventListener("pause", beat);
  }
  window.studyBeat = beat;
  start();
})();

// Progressive enhancement of the answer form: one question per screen,
// answers saved to the server as they are given, a countdown that submits
// when time is up. Without this script the form still works on one page.
(function () {
  "use strict";
  var form = document.getElementById("quiz-form");
  if (!form || !window.fetch) return;
  var questions = Array.prototype.slice.call(form.querySelectorAll(".quiz-question"));
  var nav = form.querySelector(".quiz-nav");
  var progress = document.querySelector(".quiz-progress");
  var progressText = document.querySelector(".quiz-progress-text");
  var savedText = document.querySelector(".quiz-saved");
  var bar = document.querySelector(".quiz-bar i");
  var submit = form.querySelector(".quiz-submit");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var current = 0;
  var pending = {};
  var timer = null;
  // Saves on their way to the server. An earlier save can answer after a
  // later one was sent, so "已保存" is shown only when none is left.
  var inFlight = 0;

  function answerOf(fieldset) {
    var type = fieldset.getAttribute("data-type");
    if (type === "fill") {
      return Array.prototype.map.call(fieldset.querySelectorAll("input[type=text]"), function (i) { return i.value; });
    }
    return Array.prototype.filter.call(fieldset.querySelectorAll("input"), function (i) { return i.checked; })
      .map(function (i) { return parseInt(i.value, 10); });
  }

  function answered(fieldset) {
    var a = answerOf(fieldset);
    return a.some(function (v) { return typeof v === "number" || (v && v.trim()); });
  }

  function show(index) {
    current = Math.max(0, Math.min(questions.length - 1, index));
    questions.forEach(function (q, i) { q.classList.toggle("current", i === current); });
    var done = questions.filter(answered).length;
    progressText.textContent = "第 " + (current + 1) + " / " + questions.length + " 题 · 已答 " + done + " 题";
    bar.style.width = (100 * done / questions.length) + "%";
    nav.querySelector("[data-step='-1']").disabled = current === 0;
    var next = nav.querySelector("[data-step='1']");
    next.hidden = current === questions.length - 1;
    submit.hidden = current !== questions.length - 1;
    window.scrollTo(0, 0);
  }

  function save() {
    timer = null;
    var body = pending;
    pending = {};
    if (!Object.keys(body).length) return;
    savedText.textContent = "保存中…";
    inFlight += 1;
    var settled = false;
    function settle() {
      if (!settled) { settled = true; inFlight -= 1; }
    }
    fetch(form.getAttribute("data-save-url"), {
      method: "PUT",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ answers: body })
    }).then(function (r) {
      return r.json().then(function (data) {
        settle();
        if (r.ok) {
          if (!inFlight && !timer) savedText.textContent = "已保存";
          return;
        }
        savedText.textContent = data.detail || "保存失败";
        if (data.code === "time_up" || data.code === "finished") form.submit();
      });
    }).catch(function () {
      settle();
      // Offline: keep the answers and try again with the next change.
      Object.keys(body).forEach(function (k) { if (!(k in pending)) pending[k] = body[k]; });
      savedText.textContent = "网络中断，答案将在恢复后保存";
    });
  }

  form.addEventListener("change", function (event) {
    var fieldset = event.target.closest(".quiz-question");
    if (!fieldset) return;
    pending[fieldset.getAttribute("data-position")] = answerOf(fieldset);
    savedText.textContent = "待保存…";
    if (timer) clearTimeout(timer);
    timer = setTimeout(save, 300);
    show(current);
  });
  nav.addEventListener("click", function (event) {
    var step = event.target.getAttribute("data-step");
    if (!step) return;
    save();
    show(current + parseInt(step, 10));
  });
  form.addEventListener("submit", function () { submit.disabled = true; });

  form.classList.add("quiz-paged");
  nav.hidden = false;
  progress.hidden = false;
  show(0);

  var clock = document.querySelector(".quiz-timer");
  if (clock) {
    var deadline = Date.now() + 1000 * parseInt(clock.getAttribute("data-seconds-left"), 10);
    var tick = function () {
      var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      clock.textContent = Math.floor(left / 60) + " 分 " + (left % 60) + " 秒";
      clock.classList.toggle("low", left < 30);
      if (left <= 0) { save(); form.submit(); return; }
      setTimeout(tick, 1000);
    };
    tick();
  }
})();

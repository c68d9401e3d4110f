// Operator console: results while typing, arrow keys to choose, Enter to copy
// the standard answer. Plain JavaScript, no framework.
(function () {
  "use strict";
  var root = document.querySelector(".kb-console");
  if (!root) return;
  var input = document.getElementById("kb-q");
  var list = document.getElementById("kb-hits");
  var detail = document.getElementById("kb-detail");
  var status = document.getElementById("kb-status");
  var searchUrl = root.dataset.searchUrl;
  var clickUrl = root.dataset.clickUrl; // ".../click/0/0"
  var csrf = root.querySelector("input[name=csrfmiddlewaretoken]").value;
  var hits = [];
  var selected = -1;
  var logId = null;
  var timer = null;
  var seq = 0;

  function text(el, value) { el.textContent = value; return el; }

  function render(data) {
    hits = data.hits;
    logId = data.log;
    list.innerHTML = "";
    var msg = "共 " + data.total + " 条";
    if (data.suggestion) msg += " · 您是不是要找：" + data.suggestion;
    if (!data.total && data.did_you_mean) msg += " · 最接近的问题：" + data.did_you_mean;
    text(status, msg);
    hits.forEach(function (hit, i) {
      var li = document.createElement("li");
      li.setAttribute("role", "option");
      li.id = "kb-hit-" + i;
      // title and snippet are escaped by the server; only <mark> is markup.
      li.innerHTML = '<div class="title">' + hit.title + '</div><div class="kb-snippet">' +
        hit.snippet + '</div><div class="unit"></div>';
      text(li.querySelector(".unit"), hit.unit);
      li.addEventListener("click", function () { select(i); });
      li.addEventListener("dblclick", function () { select(i); copy(); });
      list.appendChild(li);
    });
    select(hits.length ? 0 : -1);
  }

  function select(i) {
    selected = i;
    Array.prototype.forEach.call(list.children, function (li, j) {
      li.setAttribute("aria-selected", j === i ? "true" : "false");
    });
    detail.innerHTML = "";
    if (i < 0) {
      detail.appendChild(text(document.createElement("p"), input.value ? "没有找到相关答复。" : "选择左侧条目查看答复口径。"));
      return;
    }
    var hit = hits[i];
    list.children[i].scrollIntoView({ block: "nearest" });
    detail.appendChild(text(document.createElement("h2"), "")).innerHTML = hit.title;
    detail.appendChild(text(document.createElement("pre"), hit.answer));
    var meta = document.createElement("p");
    meta.className = "muted";
    text(meta, hit.unit + (hit.contact ? " · " + hit.contact : ""));
    detail.appendChild(meta);
    var a = document.createElement("a");
    a.href = hit.url + (logId ? "?log=" + logId : "");
    a.target = "_blank";
    text(a, "打开条目页");
    detail.appendChild(a);
  }

  function copy() {
    if (selected < 0) return;
    var hit = hits[selected];
    var done = function () {
      text(status, "已复制答复口径：" + hit.title.replace(/<[^>]+>/g, ""));
      status.className = "kb-copied";
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(hit.answer).then(done, fallback);
    } else {
      fallback();
    }
    function fallback() {
      var area = document.createElement("textarea");
      area.value = hit.answer;
      document.body.appendChild(area);
      area.select();
      try { document.execCommand("copy"); } catch (e) { /* ignored */ }
      area.remove();
      input.focus();
      done();
    }
    if (logId) {
      fetch(clickUrl.replace(/0\/0$/, logId + "/" + hit.id), {
        method: "POST", headers: { "X-CSRFToken": csrf }, credentials: "same-origin"
      });
    }
  }

  function search() {
    var q = input.value.trim();
    var mine = ++seq;
    status.className = "muted";
    if (!q) { hits = []; list.innerHTML = ""; text(status, ""); select(-1); return; }
    fetch(searchUrl + "?q=" + encodeURIComponent(q), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) { if (mine === seq) render(data); })
      .catch(function () { text(status, "检索暂时不可用，请稍后再试。"); });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(search, 120);
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "ArrowDown" && hits.length) {
      e.preventDefault(); select(Math.min(selected + 1, hits.length - 1));
    } else if (e.key === "ArrowUp" && hits.length) {
      e.preventDefault(); select(Math.max(selected - 1, 0));
    } else if (e.key === "Enter" && selected >= 0) {
      e.preventDefault(); copy();
    } else if (e.key === "Escape") {
      input.focus(); input.select();
    }
  });
})();

// Votes without a page reload, and a results chart that follows the tally.
// Without JavaScript the forms post to the server and the page reloads.
(function () {
  "use strict";

  function csrfToken() {
    var m = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    if (m) return decodeURIComponent(m[1]);
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function setText(selector, value) {
    document.querySelectorAll(selector).forEach(function (el) { el.textContent = value; });
  }

  function refreshCounts(url) {
    return fetch(url, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return;
        data.candidates.forEach(function (c) { setText('[data-votes="' + c.id + '"]', c.votes); });
        return data;
      });
  }

  function leftText(n) {
    return n > 0 ? "今天还可投给TA " + n + " 票" : "今天投给TA的票已用完";
  }

  // The outcome of a tap goes beside the button that was tapped (on a phone
  // the top of the page is off-screen), with the sign-in choices when the
  // visitor has not signed in.
  function showNote(form, ok, text, signIn) {
    var me = document.getElementById("vt-me");
    var note = form.parentNode.querySelector(".vt-note");
    if (!note) return;
    note.className = "vt-note" + (ok ? " ok" : "");
    note.textContent = "";
    var p = document.createElement("p");
    p.textContent = text;
    note.appendChild(p);
    if (signIn) {
      var links = document.createElement("p");
      links.className = "vt-sign-in";
      var login = document.createElement("a");
      login.className = "button";
      login.href = me.dataset.login + encodeURIComponent("#" + form.parentNode.id);
      login.textContent = "党员登录";
      links.appendChild(login);
      if (me.dataset.verify) {
        var sms = document.createElement("a");
        sms.className = "button secondary";
        sms.href = me.dataset.verify;
        sms.textContent = "手机号验证码";
        links.appendChild(sms);
      }
      note.appendChild(links);
    }
  }

  function initVoting() {
    var me = document.getElementById("vt-me");
    if (!me) return;
    var campaign = parseInt(me.dataset.campaign, 10);
    document.querySelectorAll("form.vt-vote").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var button = form.querySelector("button");
        if (button.disabled) return;
        button.disabled = true;
        var body = {
          campaign: campaign,
          candidate: parseInt(form.elements.candidate.value, 10),
          idempotency_key: form.elements.idempotency_key.value
        };
        if (form.elements.captcha_token) {
          body.captcha_token = form.elements.captcha_token.value;
          body.captcha_answer = form.elements.captcha_answer.value;
        }
        fetch(me.dataset.voteUrl, {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
          body: JSON.stringify(body)
        }).then(function (r) {
          return r.json().then(function (data) { return { status: r.status, data: data }; });
        }).then(function (res) {
          var d = res.data;
          if (res.status === 201 || res.status === 200) {
            showNote(form, true, "投票成功！今日还可投 " + d.remaining_today + " 票");
            setText("#vt-remaining", d.remaining_today);
            if (d.remaining_total !== null) setText("#vt-remaining-total", d.remaining_total);
            setText('[data-left="' + body.candidate + '"]', leftText(d.remaining_for_candidate_today));
            // A fresh key for the next vote for this candidate.
            form.elements.idempotency_key.value = body.idempotency_key.split("~")[0] + "~" + Date.now();
            button.disabled = d.remaining_for_candidate_today === 0;
            if (d.remaining_today === 0) {
              document.querySelectorAll("form.vt-vote button").forEach(function (b) { b.disabled = true; });
            }
            refreshCounts(me.dataset.results);
          } else if (res.status === 429 && d.code === "captcha_required") {
            form.submit();  // The server-rendered page shows the captcha.
          } else {
            showNote(form, false, d.detail || "投票失败，请稍后再试", d.code === "voter_required");
            // A page opened before (another tab) still offered the vote: the
            // figures beside the button now say what the refusal said.
            if (res.status === 409 && d.limit === "per_candidate") {
              setText('[data-left="' + body.candidate + '"]', leftText(0));
            } else if (res.status === 409 && d.limit === "per_day") {
              setText("#vt-remaining", 0);
            }
            button.disabled = res.status === 409 && d.limit !== "per_day" ? true : false;
          }
        }).catch(function () {
          showNote(form, false, "网络异常，请重试（不会重复计票）");
          button.disabled = false;
        });
      });
    });
  }

  function initChart() {
    var chart = document.getElementById("vt-chart");
    if (!chart || !chart.dataset.live) return;
    function tick() {
      fetch(chart.dataset.url, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data) return;
          var top = Math.max.apply(null, data.candidates.map(function (c) { return c.votes; }).concat([1]));
          data.candidates.forEach(function (c) {
            var li = chart.querySelector('li[data-id="' + c.id + '"]');
            if (!li) return;
            li.querySelector(".vt-count").textContent = c.votes;
            li.querySelector(".vt-bar span").style.width = (c.votes * 100 / top) + "%";
            chart.appendChild(li);  // keeps the list in ranking order
          });
          setText("#vt-total", data.total);
          setText("#vt-updated", new Date(data.updated_at).toLocaleTimeString("zh-CN", { hour12: false }) + " 更新");
        });
    }
    setInterval(tick, 5000);
  }

  document.addEventListener("DOMContentLoaded", function () { initVoting(); initChart(); });
})();

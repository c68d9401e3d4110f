// The intake console's live suggestions: while the operator types, the
// route API's domain, type and unit, the knowledge base's matching entries,
// and the caller's earlier tickets (looked up by the number's keyed hash).
(function () {
  "use strict";
  var form = document.querySelector("form.tickets-intake");
  if (!form) return;
  var text = form.querySelector("[name=text]");
  var phone = form.querySelector("[name=caller_phone]");
  var out = form.querySelector("[data-suggestion]");
  var accept = form.querySelector("[data-accept]");
  var kbList = form.querySelector("[data-kb]");
  var history = form.querySelector("[data-history]");
  var csrf = form.querySelector("[name=csrfmiddlewaretoken]").value;
  var last = null;
  var timer = null;

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function item(list, label, href) {
    var li = document.createElement("li");
    if (href) { var a = document.createElement("a"); a.href = href; a.textContent = label; li.appendChild(a); }
    else li.textContent = label;
    list.appendChild(li);
    return li;
  }

  function route() {
    var value = text.value.trim();
    if (value.length < 4) return;
    out.textContent = "正在分析诉求…";
    fetch(form.dataset.routeUrl, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ text: value })
    }).then(function (r) { return r.ok ? r.json() : null; }).then(function (data) {
      if (!data) { out.textContent = "暂时无法给出建议，请人工判断。"; return; }
      last = data;
      var unit = data.unit ? data.unit.name : "（无对应单位，请人工派单）";
      out.textContent = "领域：" + (data.domain || "—") + "　类型：" + (data.type || "—") +
        "　承办单位：" + unit + "　置信度：" + data.confidence.toFixed(2);
      accept.hidden = false;
    });
    fetch(form.dataset.kbUrl + "?limit=5&q=" + encodeURIComponent(value.slice(0, 200)), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; }).then(function (data) {
        clear(kbList);
        if (!data || !data.hits.length) { item(kbList, "没有匹配的知识条目。"); return; }
        data.hits.forEach(function (h) {
          var li = item(kbList, h.title.replace(/<[^>]*>/g, "") + "（" + h.unit + "，编号 " + h.id + "）", h.url);
          var use = document.createElement("button");
          use.type = "button"; use.textContent = "引用答复";
          use.addEventListener("click", function () {
            form.querySelector("[name=kb_entry_id]").value = h.id;
            form.querySelector("[name=answer_from_kb]").checked = true;
            form.querySelector("[name=message_type]").value = "咨询";
          });
          li.appendChild(document.createTextNode(" "));
          li.appendChild(use);
        });
      });
  }

  function lookup() {
    var value = phone.value.replace(/\D/g, "");
    if (value.length < 5) return;
    fetch(form.dataset.historyUrl + "?phone=" + encodeURIComponent(value), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; }).then(function (rows) {
        clear(history);
        if (!rows || !rows.length) { item(history, "没有此前的工单。"); return; }
        rows.forEach(function (t) { item(history, t.number + " " + t.type + " · " + t.status_label, t.url); });
      });
  }

  text.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(route, 400); });
  phone.addEventListener("change", lookup);
  accept.addEventListener("click", function () {
    if (!last) return;
    form.querySelector("[name=domain]").value = last.domain;
    form.querySelector("[name=message_type]").value = last.type;
    if (last.unit) form.querySelector("[name=unit_id]").value = String(last.unit.id);
  });
  if (text.value) route();
})();

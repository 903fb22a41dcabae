// A village agent's phone view (/console/agent/), offline first. Every form marked data-offline is
// kept on the device before it is sent: IndexedDB ("bianmin-agent", store "outbox"), one entry per
// form with its own Idempotency-Key, shown as 待同步 until the console has answered. It is sent on
// reconnect (the "online" event), on load, every minute while there is signal, and with 立即同步;
// one sync at a time per page, and the key makes a repeat (an answer lost on the way back, two
// tabs) create nothing new: sent exactly once. The answers:
//   201            → 已同步 (kept a day to show, with the case number)
//   4xx (refused)  → 有冲突, with the API's reason; kept until the agent puts it back in the form
//                    (to correct and send anew) or deletes it — never dropped by itself
//   no answer, 5xx, a login or a page token that expired → stays 待同步, tried again later
// Entries belong to the user who filled them: another login on the same phone does not send them.
// The page itself and its assets are kept by the service worker (agent-sw.js).
(function () {
  "use strict";
  var root = document.getElementById("agent");
  if (!root || !window.indexedDB) return;
  var USER = root.getAttribute("data-user");
  var DB = "bianmin-agent", STORE = "outbox", DAY = 24 * 3600 * 1000;
  var WORDS = { pending: "待同步", conflict: "有冲突", synced: "已同步" };
  var syncing = null;

  function $(sel, el) { return (el || document).querySelector(sel); }

  function open() {
    return new Promise(function (resolve, reject) {
      var r = indexedDB.open(DB, 1);
      r.onupgradeneeded = function () { r.result.createObjectStore(STORE, { keyPath: "key" }); };
      r.onsuccess = function () { resolve(r.result); };
      r.onerror = function () { reject(r.error); };
    });
  }
  function withStore(mode, fn) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(STORE, mode), req = fn(t.objectStore(STORE));
        t.oncomplete = function () { db.close(); resolve(req && req.result); };
        t.onerror = t.onabort = function () { db.close(); reject(t.error); };
      });
    });
  }
  function all() {
    return withStore("readonly", function (s) { return s.getAll(); }).then(function (rows) {
      return (rows || []).filter(function (e) { return e.user === USER; })
        .sort(function (a, b) { return a.created < b.created ? -1 : 1; });
    });
  }
  function put(entry) { return withStore("readwrite", function (s) { return s.put(entry); }); }
  function remove(key) { return withStore("readwrite", function (s) { return s.delete(key); }); }

  function newKey() {
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    return "agent-" + Array.prototype.map.call(b, function (x) { return (x < 16 ? "0" : "") + x.toString(16); }).join("");
  }
  // times on the county's wall clock (the page says its offset), whatever the phone's time zone:
  // the server reads a datetime-local value as the county's
  var OFFSET = parseInt(root.getAttribute("data-utc-offset") || "0", 10) * 60000;
  function p2(n) { return (n < 10 ? "0" : "") + n; }
  function county(d) { return new Date(d.getTime() + OFFSET); }
  function localNow() {
    var d = county(new Date());
    return d.getUTCFullYear() + "-" + p2(d.getUTCMonth() + 1) + "-" + p2(d.getUTCDate()) + "T" + p2(d.getUTCHours()) + ":" + p2(d.getUTCMinutes());
  }
  function zh(t) {  // 2026年12月8日 09:30
    var d = county(t);
    return d.getUTCFullYear() + "年" + (d.getUTCMonth() + 1) + "月" + d.getUTCDate() + "日 " + p2(d.getUTCHours()) + ":" + p2(d.getUTCMinutes());
  }
  function fillNow(form) {
    (form || document).querySelectorAll("input[data-now]").forEach(function (i) { i.value = localNow(); });
  }
  function csrf() { var i = $("input[name=csrf]"); return i ? i.value : ""; }
  function say(text) { $("#net").textContent = text; }
  function showNet() { say(navigator.onLine ? "在线" : "离线：表单保存在本机，有信号后自动提交"); }

  // --- the list of what the device keeps ---------------------------------------------------------
  function summary(e) {
    var name = e.fields.filter(function (f) { return f[0] === "name"; })[0];
    return e.label + (name ? "：" + name[1] : "");
  }
  function render() {
    return all().then(function (entries) {
      var list = $("#outbox-list");
      list.textContent = "";
      entries.forEach(function (e) {
        var li = document.createElement("li");
        li.className = "queued " + e.state;
        li.setAttribute("data-key", e.key);
        var state = document.createElement("span");
        state.className = "queue-state " + e.state;
        state.textContent = WORDS[e.state];
        li.appendChild(state);
        li.appendChild(document.createTextNode(" " + summary(e) + " "));
        var when = document.createElement("span");
        when.className = "hint";
        when.textContent = "填写于" + zh(new Date(e.created)) + (e.words ? " · " + e.words : "");
        li.appendChild(when);
        if (e.state === "conflict") {
          li.appendChild(button("放回表单修改", function () { restore(e); }));
          li.appendChild(button("删除", function () {
            if (window.confirm("删除这份未提交的表单？")) remove(e.key).then(render);
          }));
        }
        list.appendChild(li);
      });
      $("#outbox-empty").hidden = entries.length > 0;
    });
  }
  function button(text, onClick) {
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = text;
    b.addEventListener("click", onClick);
    return b;
  }
  function restore(e) {
    var form = document.getElementById(e.form);
    if (!form) { say("表单不在本页，无法放回"); return; }
    form.reset();
    e.fields.forEach(function (f) {
      form.querySelectorAll("[name='" + f[0] + "']").forEach(function (el) {
        if (el.type === "checkbox" || el.type === "radio") { if (el.value === f[1]) el.checked = true; }
        else el.value = f[1];
      });
    });
    var details = form.closest("details");
    if (details) details.open = true;
    showItem();
    remove(e.key).then(render);  // it is in the form now; sent again, it gets a key of its own
    form.querySelector("input, select").focus();
  }

  // --- keeping a form, then sending it ---------------------------------------------------------
  function keep(form) {
    var fields = [];
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrf" && typeof value === "string") fields.push([name, value]);
    });
    var entry = {
      key: newKey(), user: USER, form: form.id, label: form.getAttribute("data-label") || "表单",
      action: form.getAttribute("action"), fields: fields, state: "pending", words: "",
      created: new Date().toISOString()
    };
    return put(entry).then(function () {
      form.reset();
      fillNow(form);
      showItem();
      return render();
    });
  }

  function send(e) {
    var body = new URLSearchParams();
    e.fields.forEach(function (f) { body.append(f[0], f[1]); });
    body.append("csrf", csrf());  // this page's token: the one kept may be of an older page
    return fetch(e.action, {
      method: "POST", body: body, credentials: "same-origin", redirect: "manual",
      headers: { "Accept": "application/json", "Idempotency-Key": e.key }
    }).then(function (res) {
      if (res.type === "opaqueredirect" || res.status === 0) {
        return { go: false, entry: e, words: "登录已过期：请重新登录，表单仍在本机" };
      }
      var json = (res.headers.get("content-type") || "").indexOf("json") >= 0;
      if (!json) return { go: false, entry: e, words: "未能提交（" + res.status + "），请刷新页面后同步" };
      return res.json().then(function (answer) {
        if (res.status === 201 && answer.ok) {
          e.state = "synced";
          e.words = answer.words + (answer.case_number ? "，案件号 " + answer.case_number : "");
          e.synced = new Date().toISOString();
          return { go: true, entry: e };
        }
        if (res.status >= 500 || res.status === 429 || answer.code === "idempotency_conflict") {
          return { go: false, entry: e, words: answer.words || "服务暂不可用，稍后重试" };
        }
        e.state = "conflict";
        e.words = answer.words;
        return { go: true, entry: e };
      });
    }, function () {
      return { go: false, entry: e, words: "" };  // no signal: it waits
    });
  }

  function sync() {
    if (syncing) return syncing;
    syncing = all().then(function (entries) {
      var pending = entries.filter(function (e) { return e.state === "pending"; });
      var step = function (i) {
        if (i >= pending.length) return null;
        return send(pending[i]).then(function (r) {
          if (!r.go) { r.entry.words = r.words; return put(r.entry); }
          return put(r.entry).then(function () { return step(i + 1); });
        });
      };
      return step(0);
    }).then(render, render).then(function () {
      syncing = null;
      showNet();
    });
    return syncing;
  }

  function prune() {
    return all().then(function (entries) {
      var old = entries.filter(function (e) { return e.state === "synced" && Date.now() - Date.parse(e.synced) > DAY; });
      return Promise.all(old.map(function (e) { return remove(e.key); }));
    });
  }

  // --- the delegation form: only the chosen item's materials ------------------------------------
  function showItem() {
    var select = $("#item_code");
    if (!select) return;
    document.querySelectorAll("fieldset[data-item]").forEach(function (fs) {
      var on = fs.getAttribute("data-item") === select.value;
      fs.hidden = !on;
      fs.querySelectorAll("input").forEach(function (i) { i.disabled = !on; });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!$("[role=alert]")) fillNow();  // a page kept offline: the time is now, not the page's
    showItem();
    var select = $("#item_code");
    if (select) select.addEventListener("change", showItem);
    document.querySelectorAll("form[data-offline]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        keep(form).then(sync);
      });
    });
    $("#sync-now").addEventListener("click", function () { say("正在同步…"); sync(); });
    window.addEventListener("online", function () { showNet(); sync(); });
    window.addEventListener("offline", showNet);
    setInterval(function () { if (navigator.onLine) sync(); }, 60000);
    showNet();
    prune().then(render).then(sync);
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register("/console/agent/sw.js", { scope: "/console/agent/" }).catch(function () {});
    }
  });
})();

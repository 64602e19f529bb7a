// The cadre's reports, kept on the phone until the server has them (issue 29, point 5).
// Every report made on a cadre page goes into a queue in IndexedDB (photos included) with its
// own idempotency key, and is sent at once; without a network it waits and is sent when the
// network returns (each exactly once: the server answers a key it has seen with the report it
// made). What waits is listed on screen; a report the server refuses (the household is no longer
// assigned, a date out of range) stays listed with the server's message until it is dismissed.
(function () {
  "use strict";
  var DB = "anju-cadre", STORE = "reports";

  function open() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB, 1);
      request.onupgradeneeded = function () { request.result.createObjectStore(STORE, { keyPath: "key" }); };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }
  function tx(mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(STORE, mode), result;
        result = work(t.objectStore(STORE));
        t.oncomplete = function () { resolve(result && result.result !== undefined ? result.result : result); };
        t.onerror = function () { reject(t.error); };
      });
    });
  }
  function all() {  // in the order the reports were made
    return tx("readonly", function (s) { return s.getAll(); }).then(function (items) {
      return (items || []).sort(function (a, b) { return a.made - b.made; });
    });
  }
  function put(item) { return tx("readwrite", function (s) { s.put(item); }); }
  function drop(key) { return tx("readwrite", function (s) { s.delete(key); }); }

  function newKey() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2);
  }

  var sending = false;
  function sendAll() {
    if (sending) { return Promise.resolve(); }
    sending = true;
    return all().then(function (items) {
      var chain = Promise.resolve();
      items.filter(function (i) { return !i.refused; }).forEach(function (item) {
        chain = chain.then(function () { return sendOne(item); });
      });
      return chain;
    }).catch(function () { return null; }).then(function () { sending = false; return show(); });
  }

  function sendOne(item) {
    var body = new FormData();
    item.fields.forEach(function (pair) { body.append(pair[0], pair[1]); });
    item.files.forEach(function (f) { body.append(f.field, f.blob, f.name); });
    body.append("key", item.key);
    return fetch(item.url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-Anju-Queue": "1", "Accept": "application/json" }
    }).then(function (response) {
      var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      if (!json) {  // the login page: the session lapsed while offline
        item.note = "请重新登录，登录后自动发送。";
        return put(item);
      }
      return response.json().then(function (answer) {
        if (answer.ok) { item.sent = true; return drop(item.key).then(function () { return item; }); }
        item.refused = true;
        item.note = answer.message;
        return put(item);
      });
    }).catch(function () {  // no network: it waits
      item.note = "等待网络，有信号时自动发送。";
      return put(item);
    }).then(function () { return item; });
  }

  function show() {
    var box = document.querySelector("[data-queue]");
    if (!box) { return Promise.resolve(); }
    return all().then(function (items) {
      var list = box.querySelector("ul");
      list.textContent = "";
      box.hidden = items.length === 0;
      box.querySelector("[data-queue-count]").textContent = String(items.length);
      items.forEach(function (item) {
        var li = document.createElement("li");
        li.setAttribute("data-testid", "queued-report");
        var text = document.createElement("span");
        text.textContent = item.household + " · " + item.kind + " · " + item.visited +
          (item.photos ? " · 照片 " + item.photos + " 张" : "") + "：" + (item.note || "等待发送");
        if (item.refused) { li.className = "bad"; }
        li.appendChild(text);
        if (item.refused) {
          var dismiss = document.createElement("button");
          dismiss.type = "button";
          dismiss.className = "link";
          dismiss.textContent = "删除这条报告";
          dismiss.addEventListener("click", function () { drop(item.key).then(show); });
          li.appendChild(document.createTextNode(" "));
          li.appendChild(dismiss);
        }
        list.appendChild(li);
      });
    });
  }

  function queue(form) {
    var fields = [], files = [], photos = 0;
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.disabled) { return; }
      if (el.type === "file") {
        Array.prototype.forEach.call(el.files, function (f) {
          files.push({ field: el.name, blob: f, name: f.name });
          photos += 1;
        });
      } else if ((el.type !== "checkbox" && el.type !== "radio") || el.checked) {
        fields.push([el.name, el.value]);
      }
    });
    var kind = form.querySelector("select[name=kind]");
    var item = {
      key: newKey(), url: form.action, fields: fields, files: files, photos: photos,
      household: form.getAttribute("data-household") || "",
      kind: kind ? kind.options[kind.selectedIndex].text : "",
      visited: (form.querySelector("[name=visited_on]") || {}).value || "",
      note: "正在发送……", made: Date.now()
    };
    return put(item).then(function () { return item; });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!("indexedDB" in window)) { return; }
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register("/cadres/sw.js", { scope: "/cadres/" }).then(function () {
        return navigator.serviceWorker.ready;
      }).then(function (registration) {
        var links = Array.prototype.map.call(document.querySelectorAll("[data-keep-offline]"),
          function (a) { return a.href; });
        if (links.length && registration.active) { registration.active.postMessage({ keep: links }); }
      }).catch(function () { return null; });
    }
    var form = document.querySelector("form[data-offline-form]");
    if (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var status = document.querySelector("[data-offline-status]");
        queue(form).then(function (item) {
          form.reset();
          return sendOne(item);
        }).then(function (item) {
          if (item.sent) { window.location.href = "/cadres/"; return null; }
          if (status) {
            status.hidden = false;
            status.className = item.refused ? "bad" : "muted";
            status.textContent = item.refused ? item.note :
              "没有网络：报告已保存在手机上，有信号时自动发送，不会重复。";
          }
          return show();
        });
      });
    }
    window.addEventListener("online", sendAll);
    setInterval(function () { if (navigator.onLine) { sendAll(); } }, 30000);
    sendAll();
  });
})();

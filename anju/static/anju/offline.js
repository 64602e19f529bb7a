// What is entered on a field page, kept on the phone until the server has it (issue 29, point 5):
// the assistance cadre's reports and the township clerk's visit sheets. A form marked
// data-offline-form goes into a queue in IndexedDB (photos included) with its own idempotency
// key, and is sent at once; without a network it waits and is sent when the network returns
// (each exactly once: the server answers a key it has seen with what it made). What waits is
// listed on screen; something the server refuses (the household is no longer assigned, a date
// out of range) stays listed with the server's message until it is dismissed.
// Each entry belongs to the user who made it: only theirs is shown and sent. At logout the queue,
// the kept pages and the service workers are deleted (after a warning if something is unsent):
// a phone may be shared.
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
        t.oncomplete = function () { db.close(); resolve(result && result.result !== undefined ? result.result : result); };
        t.onerror = function () { db.close(); reject(t.error); };
      });
    });
  }
  function user() {
    var box = document.querySelector("[data-offline-user]");
    return box ? box.getAttribute("data-offline-user") : "";
  }
  function all() {  // this user's entries, in the order they were made
    var me = user();
    return tx("readonly", function (s) { return s.getAll(); }).then(function (items) {
      return (items || []).filter(function (i) { return me && i.user === me; })
        .sort(function (a, b) { return a.made - b.made; });
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
    // This page's CSRF token, not the one kept with the entry: after a new login the old one
    // no longer passes.
    var token = document.querySelector("input[name=csrfmiddlewaretoken]");
    item.fields.forEach(function (pair) {
      body.append(pair[0], pair[0] === "csrfmiddlewaretoken" && token ? token.value : pair[1]);
    });
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
          dismiss.textContent = "删除这条" + (box.getAttribute("data-queue-noun") || "记录");
          dismiss.addEventListener("click", function () { drop(item.key).then(show); });
          li.appendChild(document.createTextNode(" "));
          li.appendChild(dismiss);
        }
        list.appendChild(li);
      });
    });
  }

  // What the list says about an entry: the cadre's report by its kind; a visit sheet by the
  // number of houses ticked.
  function summary(form) {
    var kind = form.querySelector("select[name=kind]");
    if (kind) { return kind.options[kind.selectedIndex].text; }
    var rows = form.querySelectorAll("[data-offline-row]"), ticked = 0;
    Array.prototype.forEach.call(rows, function (row) {
      if (row.querySelector("input[type=checkbox]:checked")) { ticked += 1; }
    });
    return "回访 " + ticked + " 户";
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
    var item = {
      key: newKey(), url: form.action, fields: fields, files: files, photos: photos,
      user: user(), household: form.getAttribute("data-household") || "",
      kind: summary(form),
      visited: (form.querySelector("[name=visited_on]") || {}).value || "",
      note: "正在发送……", made: Date.now()
    };
    return put(item).then(function () { return item; });
  }

  // Logout: the kept pages, this phone's queue and the service workers go. Unsent entries are
  // lost with them, so the user is asked first.
  function forget() {
    var jobs = [];
    if (window.caches) {
      jobs.push(caches.keys().then(function (names) {
        return Promise.all(names.filter(function (n) { return n.indexOf("anju-") === 0; })
          .map(function (n) { return caches.delete(n); }));
      }));
    }
    jobs.push(new Promise(function (resolve) {
      var request = indexedDB.deleteDatabase(DB);
      request.onsuccess = request.onerror = request.onblocked = function () { resolve(); };
    }));
    if (navigator.serviceWorker && navigator.serviceWorker.getRegistrations) {
      jobs.push(navigator.serviceWorker.getRegistrations().then(function (found) {
        return Promise.all(found.map(function (r) { return r.unregister(); }));
      }));
    }
    return Promise.all(jobs).catch(function () { return null; });
  }

  function guardLogout() {
    var form = document.querySelector("form[action$='/accounts/logout/']");
    if (!form) { return; }
    form.addEventListener("submit", function (event) {
      if (form.getAttribute("data-forgotten") === "1") { return; }
      event.preventDefault();
      all().catch(function () { return []; }).then(function (items) {
        var unsent = items.filter(function (i) { return !i.refused; }).length;
        if (unsent && !window.confirm("手机上还有 " + unsent +
            " 条记录没有发送，退出后将从手机上删除，不能恢复。\n确定现在退出吗？（不退出：等有信号发送后再退出）")) {
          return null;
        }
        return forget().then(function () {
          form.setAttribute("data-forgotten", "1");
          form.submit();
        });
      });
    });
  }

  function done(form) {
    return form.getAttribute("data-offline-done") || "/cadres/";
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!("indexedDB" in window)) { return; }
    guardLogout();
    var worker = document.querySelector("[data-offline-worker]");
    if ("serviceWorker" in navigator && worker) {
      navigator.serviceWorker.register(worker.getAttribute("data-offline-worker"),
        { scope: worker.getAttribute("data-offline-scope") }).then(function () {
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
          return sendOne(item);
        }).then(function (item) {
          if (item.sent) { window.location.href = done(form); return null; }
          if (item.refused && form.hasAttribute("data-offline-errors-inline")) {
            // Refused at once, with the network up: the page itself shows which row is wrong
            // (nothing was saved; the form is posted again and answered as a page).
            return drop(item.key).then(function () { form.submit(); });
          }
          form.reset();
          if (status) {
            status.hidden = false;
            status.className = item.refused ? "bad" : "muted";
            status.textContent = item.refused ? item.note :
              "没有网络：已保存在手机上，有信号时自动发送，不会重复。";
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

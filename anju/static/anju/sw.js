// The field pages without a network: the assistance cadre's pages (served as /cadres/sw.js,
// scope /cadres/) and the township clerk's visit entry (served as /households/visits/sw.js,
// scope /households/visits/); the same script, its scope read from its registration.
// Pages and static files are fetched from the network when there is one and kept; without one
// the kept copy is shown. What is entered is not queued here but by offline.js on the page
// (IndexedDB), which sends it when the network returns; this worker never sends a POST of its
// own. At logout everything kept is deleted (offline.js, and the Clear-Site-Data header).
"use strict";
var SCOPE = new URL(self.registration.scope).pathname;
var CACHE = "anju-offline-v2:" + SCOPE;

self.addEventListener("install", function (event) {
  self.skipWaiting();
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.addAll([SCOPE, "/static/anju/app.css", "/static/anju/offline.js",
      "/static/anju/geo.js"]).catch(function () { return null; });
  }));
});

self.addEventListener("activate", function (event) {
  // Older copies of this scope's cache go (another scope's worker keeps its own).
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) {
      return n !== CACHE && (n.slice(-SCOPE.length - 1) === ":" + SCOPE || n === "anju-cadre-v1");
    }).map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

function keep(request, response) {
  // Only a page or file that really loaded (not the login page a lapsed session leads to).
  if (response && response.ok && !response.redirected && response.type === "basic") {
    var copy = response.clone();
    caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
  }
  return response;
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  // Pages only (a photo, a PDF or a download is never kept on the phone), and our static files.
  var page = url.pathname.indexOf(SCOPE) === 0 && request.mode === "navigate";
  if (!page && url.pathname.indexOf("/static/") !== 0) { return; }
  event.respondWith(fetch(request).then(function (response) {
    return keep(request, response);
  }).catch(function () {
    // The page asked for (a village's sheet is its own page: the query counts), else the
    // scope's first page; a static file by its path. Vary (Cookie, Accept-Language) is ignored:
    // the copies are this user's, and deleted at logout.
    return caches.open(CACHE).then(function (cache) {
      return cache.match(request, { ignoreSearch: !page, ignoreVary: true }).then(function (found) {
        return found || (page ? cache.match(SCOPE, { ignoreVary: true }) : undefined);
      });
    }).then(function (found) {
      return found || new Response("", { status: 504, statusText: "offline" });
    });
  }));
});

// A page asks for the pages it links to be kept (the cadre's households, a township's villages),
// for a visit without signal.
self.addEventListener("message", function (event) {
  var urls = (event.data && event.data.keep) || [];
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return Promise.all(urls.map(function (u) {
      if (new URL(u, self.location.href).pathname.indexOf(SCOPE) !== 0) { return null; }
      return fetch(u, { credentials: "same-origin" }).then(function (response) {
        if (response.ok && !response.redirected) { return cache.put(u, response); }
        return null;
      }).catch(function () { return null; });
    }));
  }));
});

// The assistance cadre's pages without a network (served as /cadres/sw.js, scope /cadres/).
// Pages and static files are fetched from the network when there is one and kept; without one
// the kept copy is shown. Reports are not queued here but by offline.js on the page (IndexedDB),
// which sends them when the network returns; this worker never sends a POST of its own.
"use strict";
var CACHE = "anju-cadre-v1";

self.addEventListener("install", function (event) {
  self.skipWaiting();
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.addAll(["/cadres/", "/static/anju/app.css", "/static/anju/offline.js",
      "/static/anju/geo.js"]).catch(function () { return null; });
  }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n !== CACHE; }).map(function (n) {
      return caches.delete(n);
    }));
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
  var page = url.pathname.indexOf("/cadres/") === 0 && url.pathname.indexOf("/cadres/photos/") !== 0;
  if (!page && url.pathname.indexOf("/static/") !== 0) { return; }
  event.respondWith(fetch(request).then(function (response) {
    return keep(request, response);
  }).catch(function () {
    return caches.match(request, { ignoreSearch: true }).then(function (found) {
      return found || (request.mode === "navigate" ? caches.match("/cadres/") : undefined) ||
        new Response("", { status: 504, statusText: "offline" });
    });
  }));
});

// The list page asks for the assigned households' pages to be kept, for a visit without signal.
self.addEventListener("message", function (event) {
  var urls = (event.data && event.data.keep) || [];
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return Promise.all(urls.map(function (u) {
      return fetch(u, { credentials: "same-origin" }).then(function (response) {
        if (response.ok && !response.redirected) { return cache.put(u, response); }
        return null;
      }).catch(function () { return null; });
    }));
  }));
});

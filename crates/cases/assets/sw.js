// Keeps the grid worker's report page on the phone so it opens without signal. Only the page, its
// script and its style sheet are cached (network first, the cached copy when there is no network); reports go to
// the API directly and wait in localStorage, never here.
var CACHE = "xz-m-2";
var PAGES = ["/m/", "/m/app.js", "/m/app.css"];

function keep(req, res) {
  if (res && res.ok && !res.redirected && res.type === "basic") {
    var copy = res.clone();
    caches.open(CACHE).then(function (c) { c.put(req, copy); });
  }
  return res;
}

self.addEventListener("install", function (e) {
  e.waitUntil(Promise.all(PAGES.map(function (p) {
    return fetch(p, { credentials: "same-origin" }).then(function (r) { return keep(p, r); }).catch(function () {});
  })).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (e) {
  e.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n !== CACHE; }).map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (e) {
  var url = new URL(e.request.url);
  if (e.request.method !== "GET" || url.origin !== self.location.origin || PAGES.indexOf(url.pathname) < 0) return;
  e.respondWith(fetch(e.request).then(function (r) { return keep(url.pathname, r); }).catch(function () {
    return caches.match(url.pathname).then(function (hit) { return hit || Response.error(); });
  }));
});

/* pamilu service worker (served by pwa.views.service_worker at /sw.js, scope "/").
 *
 * - the app shell (static files, hashed names in production) is cached at install and
 *   served cache-first;
 * - the kapolsek's home and the report form are fetched network-first (4 s), cached
 *   when they come back as a signed-in page, and served from the cache without a link;
 *   the cache holds one user's pages (see cachePage: a shared phone);
 * - the offline queue (pamilu/js/outbox.js, shared with the page) is delivered on
 *   Background Sync ("pamilu-outbox") and when a page asks.
 */
"use strict";
importScripts("{{ idb }}", "{{ outbox }}");

var VERSION = "{{ version }}";
var SHELL_CACHE = "pamilu-shell-" + VERSION;
var PAGE_CACHE = "pamilu-pages";
var SHELL = {{ shell_json|safe }};
var PAGES = {{ pages_json|safe }};
var HOME = "{{ home }}";
var PAGES_HOME = "{{ pages_home }}";
var NETWORK_TIMEOUT_MS = 4000;

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(SHELL_CACHE).then(function (cache) { return cache.addAll(SHELL); })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("pamilu-shell-") === 0 && name !== SHELL_CACHE;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function isSignedInPage(response) {
  // A redirect (to the login page) or an error is never cached as the page.
  return response && response.ok && !response.redirected && response.type === "basic";
}

// The page cache holds one user's pages (a shared phone): a page is cached only with the
// user it was rendered for (its #pamilu-offline data-user), and a page of another user
// than the recorded owner (the outbox's meta "pagesOwner") first empties the cache. One
// page at a time, so that two of them never race on the owner.
var caching = Promise.resolve();

function pageUser(text) {
  var match = /id="pamilu-offline"[^>]*?data-user="(\d+)"/.exec(text);
  return match ? match[1] : null;
}

function cachePage(url, response) {
  var box = self.pamiluOutbox;
  var put = function () {
    return response.clone().text().then(function (text) {
      var user = pageUser(text);
      if (!user) { return; }  // not a signed-in page: never cached
      return box.getMeta("pagesOwner").then(function (owner) {
        if (owner !== undefined && owner !== null && String(owner) === user) { return; }
        return caches.delete(PAGE_CACHE).then(function () { return box.setMeta("pagesOwner", user); });
      }).then(function () {
        return caches.open(PAGE_CACHE).then(function (cache) { return cache.put(url, response); });
      });
    }).catch(function () { /* not cached: the next visit tries again */ });
  };
  caching = caching.then(put, put);
  return caching;
}

function pageKey(url) {
  var path = new URL(url).pathname;
  return path === HOME ? PAGES_HOME : path;
}

function networkFirst(request) {
  var key = pageKey(request.url);
  var network = fetch(request).then(function (response) {
    if (isSignedInPage(response) && PAGES.indexOf(key) !== -1) {
      var copy = response.clone();
      cachePage(key, copy);
    }
    return response;
  });
  var timeout = new Promise(function (resolve) {
    setTimeout(resolve, NETWORK_TIMEOUT_MS, null);
  });
  var fallback = function () {
    return caches.open(PAGE_CACHE).then(function (cache) { return cache.match(key); });
  };
  return Promise.race([network.catch(function () { return null; }), timeout]).then(function (first) {
    if (first) { return first; }
    return fallback().then(function (cached) {
      return cached || network;  // nothing cached: wait for the network (or its error)
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (SHELL.indexOf(url.pathname) !== -1) {
    event.respondWith(caches.match(url.pathname).then(function (hit) {
      return hit || fetch(request);
    }));
    return;
  }
  if (request.mode === "navigate" && PAGES.indexOf(pageKey(request.url)) !== -1) {
    event.respondWith(networkFirst(request));
  }
});

// Warm the page cache after sign-in (a page asks; the install may have run signed out).
function warmPages() {
  return Promise.all(PAGES.map(function (path) {
    return fetch(path, { credentials: "same-origin" }).then(function (response) {
      if (isSignedInPage(response)) { return cachePage(path, response); }
    }).catch(function () { /* no link: keep what is cached */ });
  }));
}

self.addEventListener("message", function (event) {
  var data = event.data || {};
  var done;
  if (data.type === "warm") { done = warmPages(); }
  if (data.type === "deliver") { done = self.pamiluOutbox.deliverAll({ force: true }); }
  if (data.type === "wipe") {
    done = caches.delete(PAGE_CACHE).then(function () { return self.pamiluOutbox.wipe(data.user); });
  }
  if (done) {
    event.waitUntil(done.then(function () {
      if (event.source) { event.source.postMessage({ type: data.type + ":done" }); }
    }));
  }
});

self.addEventListener("sync", function (event) {
  if (event.tag === "pamilu-outbox") {
    event.waitUntil(self.pamiluOutbox.deliverAll({ force: true }).then(function (result) {
      // Still waiting for a link: reject so the browser schedules another sync.
      if (result && result.retry) { throw new Error("pamilu: outbox waits for a link"); }
    }));
  }
});

/* Clamshell service worker. /sw.js prefixes `self.CLAMSHELL` with:
   version  - changes whenever this file or a cached static file changes;
   precache - static files and the offline page, cached at install;
   pages    - the patient's pages and today's plan: fetched network first, kept for offline;
   linked   - patterns of pages a kept page links to that must open offline too (the
              questionnaires due on Today): fetched again each time the linking page is,
              since their saved answers change, and network first when opened;
   offline  - the page shown when a page is neither online nor cached.
   Exercise pictures (the drawings at /illustrations/..., versioned URLs, and the clinic's
   photos and video posters at /today/media/<id>/<hash>.jpg, content-hashed) are cached the
   first time they are seen, and those named in a cached page are fetched with it, so today's
   plan shows its pictures offline. Videos (.mp4, .webm) are never cached: they are fetched
   from the network when played, with Range requests the browser makes itself.
   Only GET requests are handled: logs and questionnaire answers are queued by the pages
   themselves (js/today.js, js/questionnaire.js). */
"use strict";

var CONFIG = self.CLAMSHELL;
var CACHE = "clamshell-" + CONFIG.version;
var NETWORK_TIMEOUT_MS = 5000;

function isCacheable(response) {
  // A redirect means the patient is signed out: never keep the sign-in page as "today".
  return response && response.ok && !response.redirected && response.type === "basic";
}

var PICTURE = /\/(?:illustrations\/[a-z0-9-]+\/[a-z]+\.svg\?v=[0-9a-f]+|today\/media\/[0-9a-f-]+\/[0-9a-f]+\.jpg)/g;

function isPicture(url) {
  if (url.pathname.indexOf("/illustrations/") === 0) return true;
  return url.pathname.indexOf("/today/media/") === 0 && /\.jpg$/.test(url.pathname);
}

var LINKED = CONFIG.linked.map(function (source) { return new RegExp(source, "g"); });

function isLinkedPage(url) {
  return CONFIG.linked.some(function (source) { return new RegExp("^" + source + "$").test(url.pathname); });
}

function unique(urls) {
  return urls.filter(function (url, i) { return urls.indexOf(url) === i; });
}

// The pictures a page shows, fetched into the cache unless already there.
function cachePictures(cache, html) {
  var urls = (html.match(PICTURE) || []).map(function (url) { return url.replace(/&amp;/g, "&"); });
  return Promise.all(unique(urls).map(function (url) {
    return cache.match(url).then(function (hit) {
      if (hit) return;
      return fetch(url).then(function (picture) { if (isCacheable(picture)) return cache.put(url, picture); });
    }).catch(function () {});
  }));
}

// The linked pages a page names (today's questionnaires), fetched afresh into the cache.
function cacheLinkedPages(cache, html) {
  var urls = [];
  LINKED.forEach(function (pattern) { urls = urls.concat(html.match(pattern) || []); });
  return Promise.all(unique(urls).map(function (url) {
    return fetch(url, { credentials: "same-origin" }).then(function (page) {
      if (isCacheable(page)) return cache.put(url, page);
    }).catch(function () {});
  }));
}

// Whatever a kept page needs to open offline: its pictures and, for one of CONFIG.pages, the
// pages it links to (a linked page's own links are not followed: it names itself).
function cacheWhatPageNeeds(cache, response, key) {
  var type = response.headers.get("Content-Type") || "";
  if (type.indexOf("text/html") === -1) return Promise.resolve();
  return response.text().then(function (html) {
    var linked = CONFIG.pages.indexOf(key) !== -1 ? cacheLinkedPages(cache, html) : null;
    return Promise.all([cachePictures(cache, html), linked]);
  });
}

function cachePages(cache) {
  return Promise.all(CONFIG.pages.map(function (url) {
    return fetch(url, { credentials: "same-origin" })
      .then(function (response) {
        if (!isCacheable(response)) return;
        return cacheWhatPageNeeds(cache, response.clone(), url).then(function () { return cache.put(url, response); });
      })
      .catch(function () {});
  }));
}

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      return cache.addAll(CONFIG.precache).then(function () { return cachePages(cache); });
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (key) {
        return key.indexOf("clamshell-") === 0 && key !== CACHE;
      }).map(function (key) { return caches.delete(key); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function withTimeout(promise, ms) {
  return new Promise(function (resolve, reject) {
    var timer = setTimeout(function () { reject(new Error("timeout")); }, ms);
    promise.then(function (value) { clearTimeout(timer); resolve(value); },
      function (error) { clearTimeout(timer); reject(error); });
  });
}

function networkFirst(request, key) {
  var network = fetch(request);
  return withTimeout(network, NETWORK_TIMEOUT_MS).then(function (response) {
    if (isCacheable(response)) {
      var copy = response.clone();
      var scan = response.clone();
      caches.open(CACHE).then(function (cache) {
        cache.put(key, copy);
        return cacheWhatPageNeeds(cache, scan, key);
      }).catch(function () {});
    }
    return response;
  }).catch(function () {
    return caches.match(key).then(function (cached) {
      if (cached) return cached;
      // A slow network is still better than nothing when the cache is empty.
      return network.catch(function () {
        if (request.mode === "navigate") return caches.match(CONFIG.offline);
        return Response.error();
      });
    });
  });
}

function cacheFirst(request) {
  return caches.match(request).then(function (cached) {
    return cached || fetch(request).then(function (response) {
      if (isCacheable(response)) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
      }
      return response;
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (CONFIG.pages.indexOf(url.pathname) !== -1 || isLinkedPage(url)) {
    event.respondWith(networkFirst(request, url.pathname));
  } else if (CONFIG.precache.indexOf(url.pathname) !== -1 || url.pathname.indexOf("/static/") === 0 || isPicture(url)) {
    event.respondWith(cacheFirst(request));
  } else if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(function () { return caches.match(CONFIG.offline); }));
  }
});

/* Clamshell service worker. /sw.js prefixes `self.CLAMSHELL` with:
   version  - changes whenever this file or a cached static file changes;
   precache - static files and the offline page, cached at install;
   pages    - the patient's pages and today's plan: fetched network first, kept for offline;
   linked   - patterns of pages a kept page links to that must open offline too (the
              questionnaires due on Today): fetched again each time the linking page is,
              since their saved answers change, and network first when opened;
   signIn   - patterns of the sign-in and sign-out forms: sending one makes the worker forget
              every patient page it kept (see forgetPatient);
   signedOut - where the server sends a patient whose session ended (see isSignedOutLanding);
   offline  - the page shown when a page is neither online nor cached.
   Exercise pictures (the drawings at /illustrations/..., versioned URLs, and the clinic's
   photos and video posters at /today/media/<id>/<hash>.jpg, content-hashed) are cached the
   first time they are seen, and those named in a cached page are fetched with it, so today's
   plan shows its pictures offline. Videos (.mp4, .webm) are never cached: they are fetched
   from the network when played, with Range requests the browser makes itself.
   Only GET requests are handled: logs and questionnaire answers are queued by the pages
   themselves (js/today.mjs, js/questionnaire.js). */
"use strict";

var CONFIG = self.CLAMSHELL;
var CACHE = "clamshell-" + CONFIG.version;
var NETWORK_TIMEOUT_MS = 5000;

// --- Whose pages are kept ------------------------------------------------------------------
// What the worker keeps besides the static files is one patient's: their Today, History, plan,
// questionnaires and exercise photos. On a family phone another patient (or a member of
// staff) may sign in next; if their first page is slow the worker falls back to what it kept,
// and would show them the previous patient's Today, where the sets they tap join that
// patient's queue and are later filed as theirs. So the moment a sign-in or sign-out form is
// sent, before the network answers, the worker forgets every kept page that is not public:
// a slow or failed page can then only fall back to the offline page. Keeping each patient's
// pages apart and serving them only to their patient was weighed and not chosen: the worker
// cannot tell whom a slow sign-in signed in (the session cookie is not readable here, and the
// answer that would say is what has not come), and the pages kept would serve nobody: a
// sign-in ends the previous patient's session on this browser, so they must sign in again,
// online, which keeps their pages afresh. Their waiting sets and answers are in the
// pages' localStorage, not here, and are left alone: they are sent when that patient signs in
// again. Only a form sent (a POST) counts: opening a personal link just shows its form, and
// a patient who opens her own link offline keeps her offline Today.
var SIGN_IN = CONFIG.signIn.map(function (source) { return new RegExp("^" + source + "$"); });

function isSignInOrOut(url) {
  return SIGN_IN.some(function (pattern) { return pattern.test(url.pathname); });
}

// The server says a patient's session has ended (her link renewed or revoked, her sessions
// ended by her therapist after a lost phone, the 90 days run out) in two ways: a patient page
// redirects to the one-time link request with `next` naming it, and the plan API refuses with
// 401 or 403. Either way, the pages kept for her must go too, or a lost or shared phone would
// still show her exercises offline to whoever holds it. Her sets waiting in the pages'
// localStorage stay: they go out when she signs in again. A 403 because her clinic's account
// is suspended is taken the same way: nothing is shown offline meanwhile, and the pages are
// kept again at her first visit once it is resumed (her session still holds).
function isSignedOutLanding(url) {
  if (url.pathname !== CONFIG.signedOut) return false;
  var next = new URL(url.searchParams.get("next") || "/", self.location.origin).pathname;
  return CONFIG.pages.indexOf(next) !== -1 || isLinkedPage(new URL(next, self.location.origin));
}

function isRefused(response) {
  return response.status === 401 || response.status === 403;
}

// The same for everyone on the phone: kept across a sign-in.
function isPublic(url) {
  return CONFIG.precache.indexOf(url.pathname) !== -1 || url.pathname.indexOf("/static/") === 0 ||
    url.pathname.indexOf("/illustrations/") === 0;
}

// Counts the sign-ins seen: a page asked for before one (the previous patient's, answering
// late) is not kept after it.
var generation = 0;
// Every read and write of a kept page waits for the last forgetting to finish.
var forgetting = Promise.resolve();

function forgetPatient() {
  generation += 1;
  forgetting = forgetting.then(function () {
    // Every version's cache: a new worker installed but not yet in charge kept pages too.
    return caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) { return name.indexOf("clamshell-") === 0; })
        .map(function (name) {
          return caches.open(name).then(function (cache) {
            return cache.keys().then(function (requests) {
              return Promise.all(requests.filter(function (request) {
                return !isPublic(new URL(request.url));
              }).map(function (request) { return cache.delete(request); }));
            });
          });
        }));
    });
  }).catch(function () {});
  return forgetting;
}

// Keep a response fetched during generation `since`, unless someone signed in or out since.
function keep(cache, key, response, since) {
  return forgetting.then(function () {
    if (since === generation) return cache.put(key, response);
  });
}

function kept(key) {
  return forgetting.then(function () { return caches.match(key); });
}

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
function cachePictures(cache, html, since) {
  var urls = (html.match(PICTURE) || []).map(function (url) { return url.replace(/&amp;/g, "&"); });
  return Promise.all(unique(urls).map(function (url) {
    return cache.match(url).then(function (hit) {
      if (hit) return;
      return fetch(url).then(function (picture) {
        if (isCacheable(picture)) return keep(cache, url, picture, since);
      });
    }).catch(function () {});
  }));
}

// The linked pages a page names (today's questionnaires), fetched afresh into the cache.
function cacheLinkedPages(cache, html, since) {
  var urls = [];
  LINKED.forEach(function (pattern) { urls = urls.concat(html.match(pattern) || []); });
  return Promise.all(unique(urls).map(function (url) {
    return fetch(url, { credentials: "same-origin" }).then(function (page) {
      if (isCacheable(page)) return keep(cache, url, page, since);
    }).catch(function () {});
  }));
}

// Whatever a kept page needs to open offline: its pictures and, for one of CONFIG.pages, the
// pages it links to (a linked page's own links are not followed: it names itself).
function cacheWhatPageNeeds(cache, response, key, since) {
  var type = response.headers.get("Content-Type") || "";
  if (type.indexOf("text/html") === -1) return Promise.resolve();
  return response.text().then(function (html) {
    var linked = CONFIG.pages.indexOf(key) !== -1 ? cacheLinkedPages(cache, html, since) : null;
    return Promise.all([cachePictures(cache, html, since), linked]);
  });
}

function cachePages(cache) {
  var since = generation;
  return Promise.all(CONFIG.pages.map(function (url) {
    return fetch(url, { credentials: "same-origin" })
      .then(function (response) {
        if (!isCacheable(response)) return;
        return cacheWhatPageNeeds(cache, response.clone(), url, since).then(function () {
          return keep(cache, url, response, since);
        });
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
  var since = generation;
  var network = fetch(request);
  return withTimeout(network, NETWORK_TIMEOUT_MS).then(function (response) {
    if (isRefused(response)) return forgetPatient().then(function () { return response; });
    if (isCacheable(response)) {
      var copy = response.clone();
      var scan = response.clone();
      caches.open(CACHE).then(function (cache) {
        return Promise.all([keep(cache, key, copy, since), cacheWhatPageNeeds(cache, scan, key, since)]);
      }).catch(function () {});
    }
    return response;
  }).catch(function () {
    return kept(key).then(function (cached) {
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
  var since = generation;
  return kept(request).then(function (cached) {
    return cached || fetch(request).then(function (response) {
      if (isCacheable(response)) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { return keep(cache, request, copy, since); })
          .catch(function () {});
      }
      return response;
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST" && isSignInOrOut(url)) {
    // Forget before the network answers; the form itself goes to the server untouched.
    event.waitUntil(forgetPatient());
    return;
  }
  if (request.method !== "GET") return;
  if (request.mode === "navigate" && isSignedOutLanding(url)) {
    var answered = fetch(request);
    // Only when the server really answered: offline, nothing says her session ended.
    event.waitUntil(answered.then(function () { return forgetPatient(); }, function () {}));
    event.respondWith(answered.catch(function () { return caches.match(CONFIG.offline); }));
    return;
  }
  if (CONFIG.pages.indexOf(url.pathname) !== -1 || isLinkedPage(url)) {
    event.respondWith(networkFirst(request, url.pathname));
  } else if (CONFIG.precache.indexOf(url.pathname) !== -1 || url.pathname.indexOf("/static/") === 0 || isPicture(url)) {
    event.respondWith(cacheFirst(request));
  } else if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(function () { return caches.match(CONFIG.offline); }));
  }
});

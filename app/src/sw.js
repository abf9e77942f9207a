// The field app's service worker: the app shell (page, script, style, manifest, icon) is
// cached at install, so the app opens with no network. The API is never cached here: the
// records live in WatermelonDB. build.mjs fills in the version and the file list.
const VERSION = '__VERSION__';
const SHELL = ['__SHELL__'];
const CACHE = `gridwork-app-${VERSION}`;

// Fetched past the browser's HTTP cache: a new build's worker must not keep the previous
// build's script, which the HTTP cache may still hold for minutes after a deploy.
self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE)
    .then((cache) => cache.addAll(SHELL.map((url) => new Request(url, { cache: 'reload' }))))
    .then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith('gridwork-app-') && k !== CACHE)
      .map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

// The shell from the cache first (a phone on a weak signal opens at once); the page itself
// from the network when it answers, so an online phone sees a new build's page.
self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin
      || !url.pathname.startsWith('/app/')) return;
  if (event.request.mode === 'navigate') {
    event.respondWith(fetch(event.request).catch(() => caches.match('./', { cacheName: CACHE })));
    return;
  }
  event.respondWith(caches.match(event.request, { cacheName: CACHE })
    .then((hit) => hit || fetch(event.request)));
});

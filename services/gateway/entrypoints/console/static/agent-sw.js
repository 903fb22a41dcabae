// The agent's pages offline (served as /console/agent/sw.js: its scope is /console/agent/). The page
// is fetched from the network while there is signal and a copy kept; without signal the copy is
// shown, and its script (agent.js) shows and sends what the device keeps. The console's assets are
// kept at install. Posts never pass here: agent.js keeps a form before it sends it. Logging out
// deletes the copy (console.js).
"use strict";
var CACHE = "bianmin-agent-v1";
var PAGE = "/console/agent/";
var ASSETS = [
  "/console/static/console.css",
  "/console/static/htmx.min.js",
  "/console/static/console.js",
  "/console/static/agent.js"
];
var OFFLINE = "<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>无信号 · 便民</title>" +
  "<p>无信号，且本机没有保存代办页面。请在有信号时打开一次“代办”页面。</p></html>";

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (c) { return c.addAll(ASSETS); }).then(function () {
    return self.skipWaiting();
  }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(self.clients.claim());
});

self.addEventListener("fetch", function (event) {
  var req = event.request;
  if (req.method !== "GET") return;
  var url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (req.mode === "navigate" && url.pathname === PAGE) {
    event.respondWith(fetch(req).then(function (res) {
      if (res.ok && !res.redirected) {
        var copy = res.clone();
        caches.open(CACHE).then(function (c) { return c.put(PAGE, copy); });
      }
      return res;
    }, function () {
      return caches.open(CACHE).then(function (c) { return c.match(PAGE); }).then(function (hit) {
        return hit || new Response(OFFLINE, { headers: { "Content-Type": "text/html; charset=utf-8" } });
      });
    }));
    return;
  }
  if (url.pathname.indexOf("/console/static/") === 0) {
    event.respondWith(caches.open(CACHE).then(function (c) {
      return fetch(req).then(function (res) {
        if (res.ok) c.put(req, res.clone());
        return res;
      }, function () {
        return c.match(req).then(function (hit) { return hit || Response.error(); });
      });
    }));
  }
});

// veche's live stream in the browser: keeps a page's event stream alive across venue Wi-Fi
// and a phone's sleep, so that it shows the meeting as it is without being reloaded.
//
// The htmx SSE extension opens the stream through htmx.createEventSource and listens to it.
// Here that hook hands it a DurableSource instead: it looks like one EventSource to the
// extension, and behind it opens a new one whenever the browser's gave up (an answer other
// than 200, such as the server's 503 when it holds as many streams as it may), went quiet
// for longer than the server's heartbeat (a connection that died while the phone slept), or
// when the device comes back online or the page becomes visible again.
// A new EventSource sends no Last-Event-ID of its own, so the address carries the last id
// seen: the server replays what the page missed, or sends a resync, on which every live
// fragment re-fetches itself. The page is never reloaded.
// An event may also arrive while the fragment it asks for cannot be fetched (the stream
// outlived the Wi-Fi): the page then resyncs itself once it is back online.
"use strict";

(() => {
  if (!window.htmx || !htmx.createEventSource) return;
  const openEventSource = htmx.createEventSource;
  const FIRST_WAIT_MS = 1000;
  const LONGEST_WAIT_MS = 60000;
  const CHECK_EVERY_MS = 5000;

  class DurableSource {
    constructor(url) {
      this.url = url;
      this.lastEventId = "";
      this.heartbeatMs = 15000; // until the first heartbeat says how often they come
      this.listeners = [];
      this.onopen = null;
      this.onerror = null;
      this.ended = false;
      this.wait = FIRST_WAIT_MS;
      this.timer = null;
      this.behind = false; // a live fragment failed to re-fetch: resync when that can work
      this.connect();
    }

    get readyState() {
      if (this.ended) return EventSource.CLOSED;
      // While it reconnects it is CONNECTING to the extension, which would otherwise open
      // an EventSource of its own beside this one.
      return this.source && this.source.readyState === EventSource.OPEN
        ? EventSource.OPEN
        : EventSource.CONNECTING;
    }

    address() {
      if (!this.lastEventId) return this.url;
      const join = this.url.includes("?") ? "&" : "?";
      return `${this.url}${join}last_event_id=${encodeURIComponent(this.lastEventId)}`;
    }

    connect() {
      clearTimeout(this.timer);
      this.timer = null;
      if (this.source) this.source.close();
      const source = openEventSource(this.address());
      this.source = source;
      this.seenAt = Date.now();
      const seen = (event) => {
        this.seenAt = Date.now();
        this.lastEventId = event.lastEventId;
      };
      source.addEventListener("heartbeat", (event) => {
        seen(event);
        const seconds = Number(JSON.parse(event.data).seconds);
        if (seconds > 0) this.heartbeatMs = seconds * 1000;
        this.catchUp();
      });
      source.addEventListener("resync", (event) => {
        seen(event);
        this.behind = false;
      });
      for (const entry of this.listeners) source.addEventListener(entry.type, entry.wrapped);
      source.onopen = (event) => {
        this.seenAt = Date.now();
        this.wait = FIRST_WAIT_MS;
        if (this.onopen) this.onopen(event);
        this.catchUp();
      };
      source.onerror = (event) => {
        if (source !== this.source) return;
        if (this.onerror) this.onerror(event);
        // CONNECTING: the browser tries again by itself, sending Last-Event-ID.
        if (source.readyState === EventSource.CLOSED) this.later();
      };
    }

    // The browser gave up: try again after a wait that doubles up to a minute, spread at
    // random so that a hall of phones refused together does not come back together.
    later() {
      if (this.ended || this.timer) return;
      const wait = this.wait * (0.5 + Math.random());
      this.wait = Math.min(this.wait * 2, LONGEST_WAIT_MS);
      this.timer = setTimeout(() => this.connect(), wait);
    }

    // Hand the extension a resync of our own, as if the server had sent one: every live
    // fragment re-fetches. Should one fail again, it is marked behind again.
    catchUp() {
      if (!this.behind || !navigator.onLine) return;
      this.behind = false;
      const resync = new MessageEvent("resync", {
        data: JSON.stringify({ type: "resync" }),
        lastEventId: this.lastEventId,
      });
      for (const entry of this.listeners) {
        if (entry.type === "resync") entry.listener(resync);
      }
    }

    // Reconnect now if the stream looks open but has missed its heartbeats (it died while
    // the device slept) or, when the device is just back, if the browser gave up on it (else
    // the wait that backs off from a refusal stands).
    check(justBack) {
      if (this.ended) return;
      const quiet = Date.now() - this.seenAt > 2.5 * this.heartbeatMs;
      const state = this.source.readyState;
      if ((state === EventSource.OPEN && quiet) || (state === EventSource.CLOSED && justBack)) {
        this.connect();
      }
    }

    // The extension's listeners, kept to be added to each EventSource opened after this one.
    addEventListener(type, listener) {
      if (this.listeners.some((e) => e.type === type && e.listener === listener)) return;
      const wrapped = (event) => {
        this.seenAt = Date.now();
        this.lastEventId = event.lastEventId;
        listener(event);
      };
      this.listeners.push({ type, listener, wrapped });
      this.source.addEventListener(type, wrapped);
    }

    removeEventListener(type, listener) {
      const index = this.listeners.findIndex((e) => e.type === type && e.listener === listener);
      if (index < 0) return;
      this.source.removeEventListener(type, this.listeners[index].wrapped);
      this.listeners.splice(index, 1);
    }

    close() {
      this.ended = true;
      clearTimeout(this.timer);
      this.source.close();
      sources.delete(this);
    }
  }

  const sources = new Set();
  htmx.createEventSource = (url) => {
    const source = new DurableSource(url);
    sources.add(source);
    return source;
  };
  // A live fragment that could not be fetched (no network, or a proxy saying the server is
  // out of reach) leaves its page behind the stream. A refusal (403 after a logout) does not:
  // fetching again would be refused again.
  const fellBehind = (event) => {
    if (!event.detail.elt.closest("[sse-connect]")) return;
    const status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (status !== 0 && status < 502) return;
    for (const source of sources) source.behind = true;
  };
  document.addEventListener("htmx:sendError", fellBehind);
  document.addEventListener("htmx:responseError", fellBehind);
  const backAgain = () => {
    for (const source of sources) {
      source.catchUp();
      source.check(true);
    }
  };
  window.addEventListener("online", backAgain);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") backAgain();
  });
  // A phone's page may sleep and wake with neither event: look now and then while shown.
  setInterval(() => {
    if (document.visibilityState !== "visible") return;
    for (const source of sources) source.check(false);
  }, CHECK_EVERY_MS);
})();

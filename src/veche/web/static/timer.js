// The speaking timer: counts down from the start and the limit the server gives.
// Display only: who speaks, and for how long, is decided on the server.
"use strict";

(() => {
  function clock(seconds) {
    const shown = Math.abs(seconds);
    const text = `${Math.floor(shown / 60)}:${String(shown % 60).padStart(2, "0")}`;
    return seconds < 0 ? `+${text}` : text;
  }

  function show(timer) {
    // Count by the server's clock: shift ours by the difference seen when the timer arrived.
    if (timer.dataset.offset === undefined) {
      timer.dataset.offset = String(Date.parse(timer.dataset.serverNow) - Date.now());
    }
    const now = Date.now() + Number(timer.dataset.offset);
    const elapsed = Math.floor((now - Date.parse(timer.dataset.startedAt)) / 1000);
    const left = Number(timer.dataset.limitSeconds) - elapsed;
    const face = timer.querySelector("[data-clock]");
    if (face && face.textContent !== clock(left)) face.textContent = clock(left);
    timer.classList.toggle("over", left < 0);
  }

  function tick() {
    for (const timer of document.querySelectorAll("[data-countdown]")) show(timer);
  }

  document.addEventListener("DOMContentLoaded", tick);
  document.addEventListener("htmx:afterSwap", tick);
  setInterval(tick, 250);
})();

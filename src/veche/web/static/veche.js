// veche's own script: small conveniences on top of server-rendered pages and htmx.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // An access card's QR code carries the code after '#': fill it in, never sent to a server log.
  const codeField = document.querySelector("[data-code-from-hash]");
  if (codeField && window.location.hash.length > 1) {
    codeField.value = decodeURIComponent(window.location.hash.slice(1));
    history.replaceState(null, "", window.location.pathname);
  }
  for (const button of document.querySelectorAll("[data-print]")) {
    button.addEventListener("click", () => window.print());
  }
  for (const link of document.querySelectorAll("[data-back]")) {
    link.addEventListener("click", (event) => {
      if (history.length > 1) {
        event.preventDefault();
        history.back();
      }
    });
  }
});

// Live fragments: a swap replaces the elements inside; keep keyboard focus on the same control.
function focusKey(element) {
  if (element.id) return `#${CSS.escape(element.id)}`;
  if (element.getAttribute("href")) return `a[href="${CSS.escape(element.getAttribute("href"))}"]`;
  if (element.form && element.form.getAttribute("action")) {
    return `form[action="${CSS.escape(element.form.getAttribute("action"))}"] button`;
  }
  return "";
}
document.addEventListener("htmx:beforeSwap", (event) => {
  const active = document.activeElement;
  const inside = active && active !== document.body && event.detail.target.contains(active);
  event.detail.target.dataset.focusKey = inside ? focusKey(active) : "";
});
document.addEventListener("htmx:afterSwap", (event) => {
  const key = event.detail.target.dataset.focusKey;
  const again = key ? event.detail.target.querySelector(key) : null;
  if (again) again.focus();
});

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
  fillClientKeys();
  findReceipts();
});

// A ballot's client key is made here, in the voter's browser, never by the server: the
// receipt is derived from it, so only this device can tell which receipt is its own. The
// key stays in the form, so sending the same confirmation again gets the same receipt.
// The cast button waits for the key; without scripts it stays disabled (the page says why).
function fillClientKeys() {
  for (const field of document.querySelectorAll("input[data-client-key]")) {
    if (!field.value) {
      const bytes = new Uint8Array(24);
      crypto.getRandomValues(bytes);
      field.value = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    }
    for (const button of field.form.querySelectorAll("[data-needs-client-key]")) {
      button.disabled = false;
    }
  }
}

// The bulletin board's search, in the page: the receipt typed is looked for among the rows
// already here and is never sent anywhere, so it reaches no URL, no server log, no history.
function findReceipts() {
  const search = document.querySelector("[data-board-search]");
  if (!search) return;
  const field = search.querySelector("input");
  const status = document.querySelector("[data-board-status]");
  const find = () => {
    const wanted = field.value.replace(/\s+/g, "").toLowerCase();
    for (const row of document.querySelectorAll("tr.mine")) {
      row.classList.remove("mine");
      row.removeAttribute("id");
    }
    if (!wanted) {
      status.className = "";
      status.textContent = "";
      return;
    }
    const row = document.querySelector(`tr[data-receipt="${CSS.escape(wanted)}"]`);
    status.className = row ? "done" : "error";
    status.textContent = row ? status.dataset.found : status.dataset.missing;
    if (row) {
      row.classList.add("mine");
      row.id = "mine";
      row.scrollIntoView({ block: "center" });
    }
  };
  search.querySelector("[data-board-find]").addEventListener("click", find);
  field.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      find();
    }
  });
  search.hidden = false;
}

// Live fragments: a swap replaces the elements inside; keep keyboard focus on the same control.
function focusKey(element) {
  if (element.id) return `#${CSS.escape(element.id)}`;
  if (element.getAttribute("href")) return `a[href="${CSS.escape(element.getAttribute("href"))}"]`;
  if (element.form && element.form.getAttribute("action")) {
    return `form[action="${CSS.escape(element.form.getAttribute("action"))}"] button`;
  }
  return "";
}
// A fragment the event stream pushes (sse-swap) is swapped without htmx:beforeSwap, and its
// htmx:afterSwap has no detail.target: its message's htmx:sseBeforeMessage comes first (its
// detail is the message), and both fire on the fragment itself.
function swapTarget(event) {
  return event.type === "htmx:sseBeforeMessage" ? event.target : event.detail.target || event.target;
}
function rememberFocus(event) {
  const target = swapTarget(event);
  const active = document.activeElement;
  const inside = active && active !== document.body && target.contains(active);
  target.dataset.focusKey = inside ? focusKey(active) : "";
}
document.addEventListener("htmx:beforeSwap", rememberFocus);
document.addEventListener("htmx:sseBeforeMessage", rememberFocus);
document.addEventListener("htmx:afterSwap", (event) => {
  const target = swapTarget(event);
  const key = target.dataset.focusKey;
  const again = key ? target.querySelector(key) : null;
  if (again) again.focus();
});

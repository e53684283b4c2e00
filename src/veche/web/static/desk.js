// The secretary's desk: the door's field ready for the next card, and searches for a form's
// choice that look the name up in place.
"use strict";

// Back at the door after a card, the address ends in #door, so that the message beside the
// field is in view. Going to #door moves the focus to the page, after autofocus: so once the
// page has loaded, the field is focused again here, in place.
window.addEventListener("load", () => {
  const wanted = document.querySelector("[autofocus]");
  if (wanted && document.activeElement !== wanted) wanted.focus({ preventScroll: true });
});

// The names are fetched as they are typed (htmx, on the search field); Enter fetches them
// at once instead of sending the search form, which would reload the desk. Without scripts,
// Enter sends that form and the desk comes back with the names found.
document.addEventListener("keydown", (event) => {
  const field = event.target;
  if (event.key !== "Enter" || !(field instanceof HTMLInputElement)) return;
  if (!field.matches("[data-pick-search]") || typeof htmx === "undefined") return;
  event.preventDefault();
  htmx.trigger(field, "find");
});

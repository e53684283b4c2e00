// The chair's console: the new-poll form by kind, and the live panel's disclosures kept open.
"use strict";

// The new-poll form shows the fields of the kind of poll chosen. Those of other kinds are
// hidden and disabled, so that they are not sent; without this script the form shows them
// all and the server leaves aside what the kind does not take.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form[data-poll-form]");
  if (!form) return;
  const kind = form.querySelector("[data-poll-kind]");
  const method = form.querySelector("select[name=method]");
  // The method offered first fits the kind (ranked ballots for an election, one mark for a
  // choice) until the chair picks one.
  let methodPicked = false;
  method.addEventListener("change", () => {
    methodPicked = true;
  });
  const show = () => {
    for (const part of form.querySelectorAll("[data-kinds]")) {
      const shown = part.dataset.kinds.split(" ").includes(kind.value);
      part.hidden = !shown;
      for (const field of part.querySelectorAll("input, select, textarea")) {
        field.disabled = !shown;
      }
    }
    const fitting = method.getAttribute(`data-default-${kind.value}`);
    if (fitting && !methodPicked) method.value = fitting;
  };
  for (const note of form.querySelectorAll("[data-script-note]")) note.hidden = true;
  kind.addEventListener("change", show);
  show();
});

// A live panel is fetched again on every ballot and check-in: a result's rounds the chair
// opened stay open.
// A pushed fragment fires htmx:sseBeforeMessage in place of htmx:beforeSwap (see veche.js).
function rememberOpenDetails(event) {
  const target = swapTarget(event);
  const open = target.querySelectorAll("details[id][open]");
  target.dataset.openDetails = Array.from(open, (d) => d.id).join(" ");
}
document.addEventListener("htmx:beforeSwap", rememberOpenDetails);
document.addEventListener("htmx:sseBeforeMessage", rememberOpenDetails);
document.addEventListener("htmx:afterSwap", (event) => {
  const target = swapTarget(event);
  for (const id of (target.dataset.openDetails || "").split(" ")) {
    const again = id ? document.getElementById(id) : null;
    if (again && target.contains(again)) again.open = true;
  }
});

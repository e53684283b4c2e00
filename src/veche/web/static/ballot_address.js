// A page that answers a ballot's form (the review of a ballot, or the ballot sent back to be
// changed) takes the ballot page's address in the browser's history: Back from the receipt,
// or a reload, then asks for the ballot page again, which says whether a vote is left, where
// the browser would offer to send the form once more ("Confirm form resubmission").
"use strict";

(() => {
  const address = document.currentScript?.dataset.address;
  if (address && address !== window.location.pathname) {
    history.replaceState(null, "", address);
  }
})();

// The delegate's pages: keeping a receipt (copied, printed, saved), finding it on the bulletin
// board from the receipt page's link, and a signal when a vote opens.
"use strict";

(() => {
  // The receipt page's link to the board carries the receipt after '#': browsers never send
  // that part to a server, so it is looked up here, among the rows the board already holds.
  const RECEIPT_IN_ADDRESS = /^#receipt=([0-9a-f]{8,64})$/i;
  const SIGNAL_SETTING = "veche.voteSignal";

  function selectReceipt() {
    const code = document.getElementById("receipt");
    if (!code) return;
    const range = document.createRange();
    range.selectNodeContents(code);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function keepReceipt() {
    const actions = document.querySelector("[data-receipt-actions]");
    if (!actions) return;
    const status = actions.querySelector("[data-copy-status]");
    actions.querySelector("[data-copy-receipt]").addEventListener("click", async () => {
      try {
        // Undefined where the page is not served over HTTPS: then the receipt is selected.
        await navigator.clipboard.writeText(actions.dataset.receipt);
        status.textContent = status.dataset.copied;
      } catch {
        selectReceipt();
        status.textContent = status.dataset.notCopied;
      }
    });
    actions.querySelector("[data-save-receipt]").addEventListener("click", () => {
      // Made here, from what the page holds: the receipt is not asked of the server again.
      const file = new Blob([actions.dataset.fileText], { type: "text/plain;charset=utf-8" });
      const link = document.createElement("a");
      link.href = URL.createObjectURL(file);
      link.download = actions.dataset.fileName;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 1000);
    });
    actions.hidden = false;
  }

  function lookUpOnBoard() {
    const found = RECEIPT_IN_ADDRESS.exec(window.location.hash);
    if (!found) return;
    const kept = document.querySelector("[data-receipt-kept]");
    if (kept) {
      // Voting is still open: the address keeps the receipt for a reload once it closes.
      kept.hidden = false;
      return;
    }
    const search = document.querySelector("[data-board-search]");
    if (!search) return;
    search.querySelector("input").value = found[1].toLowerCase();
    search.querySelector("[data-board-find]").click(); // veche.js marks the row and says so
    // Looked up: the receipt leaves the address, and so this page's entry in the history.
    history.replaceState(null, "", window.location.pathname + window.location.search);
  }

  // Two short tones; a sound needs the page to have been touched first (browsers refuse it
  // before), which is when the audio context is made.
  function chime(audio) {
    if (!audio || audio.state !== "running") return;
    const start = audio.currentTime;
    for (const [offset, pitch] of [
      [0, 880],
      [0.22, 1175],
    ]) {
      const tone = audio.createOscillator();
      const volume = audio.createGain();
      tone.frequency.value = pitch;
      volume.gain.setValueAtTime(0.0001, start + offset);
      volume.gain.exponentialRampToValueAtTime(0.3, start + offset + 0.02);
      volume.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.18);
      tone.connect(volume).connect(audio.destination);
      tone.start(start + offset);
      tone.stop(start + offset + 0.2);
    }
  }

  function signalOpenVotes() {
    const region = document.querySelector("[data-vote-signal]");
    const polls = document.getElementById("polls");
    if (!region || !polls) return;
    const setting = document.querySelector("[data-signal-setting]");
    const wanted = setting.querySelector("[data-signal-sound]");
    try {
      wanted.checked = localStorage.getItem(SIGNAL_SETTING) !== "off";
    } catch {
      // Storage refused (a private window): the box stays as the page sent it.
    }
    wanted.addEventListener("change", () => {
      try {
        localStorage.setItem(SIGNAL_SETTING, wanted.checked ? "on" : "off");
      } catch {
        // Not remembered: it holds for this page.
      }
    });
    setting.hidden = false;

    let audio = null;
    let touched = false;
    const wake = () => {
      touched = true;
      const Context = window.AudioContext || window.webkitAudioContext;
      if (!audio && Context) audio = new Context();
      if (audio && audio.state === "suspended") audio.resume();
    };
    for (const type of ["pointerdown", "keydown"]) {
      document.addEventListener(type, wake, { capture: true, passive: true });
    }

    // The votes open when the page was loaded are known; only one opening later is signalled.
    const openNow = () => Array.from(polls.querySelectorAll("[data-open-poll]"));
    let known = new Set(openNow().map((poll) => poll.dataset.openPoll));
    document.addEventListener("htmx:afterSwap", (event) => {
      if (swapTarget(event) !== polls) return;
      const open = openNow();
      const opened = open.filter((poll) => !known.has(poll.dataset.openPoll));
      known = new Set(open.map((poll) => poll.dataset.openPoll));
      if (open.length === 0) {
        region.textContent = "";
        region.classList.remove("flash");
      }
      if (opened.length === 0) return;
      region.textContent = opened
        .map((poll) => region.dataset.opened.replace("{title}", poll.dataset.title))
        .join(" ");
      region.classList.add("flash");
      if (touched && wanted.checked) {
        chime(audio);
        if (navigator.vibrate) navigator.vibrate([200, 100, 200]);
      }
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    keepReceipt();
    lookUpOnBoard();
    signalOpenVotes();
  });
})();

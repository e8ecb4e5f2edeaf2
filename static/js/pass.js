// The waiting page works without this script: it states the wait, and the button goes ahead
// once the wait is over. With it, the page moves on by itself, as soon as either
//  - the browser has found the work the server asked for: a nonce such that
//    SHA-256("harbor-pass/v1:" + challenge + ":" + nonce) begins with `bits` zero bits
//    (hashcash), computed with the browser's own SHA-256 (crypto.subtle); or
//  - the wait is over.
// Where crypto.subtle is missing (a page not served over HTTPS or from an onion or local
// address, or an old browser), no work is tried: we do not ship a SHA-256 of our own, and
// the page simply moves on when the wait is over.
(function () {
  "use strict";
  var form = document.getElementById("pass-form");
  if (!form) { return; }
  var challenge = form.getAttribute("data-pass-challenge") || "";
  var bits = parseInt(form.getAttribute("data-pass-bits"), 10) || 0;
  var wait = parseInt(form.getAttribute("data-pass-wait"), 10) || 0;
  var status = document.getElementById("pass-status");
  var work = form.querySelector('input[name="work"]');
  var button = form.querySelector('button[type="submit"]');
  var sent = false;

  function go(nonce) {
    if (sent) { return; }
    sent = true;
    if (nonce !== null) { work.value = nonce; }
    if (button) { button.disabled = true; }
    form.submit();
  }

  // A press of the button sends the page as it is; nothing more may go after it.
  form.addEventListener("submit", function () {
    sent = true;
    if (button) { button.disabled = true; }
  });

  function say(text) {
    if (!status || !text) { return; }
    status.textContent = text;
    status.hidden = false;
  }

  var deadline = Date.now() + wait * 1000;
  (function tick() {
    if (sent) { return; }
    if (Date.now() >= deadline) { go(null); return; }
    setTimeout(tick, Math.min(1000, deadline - Date.now()));
  })();

  var subtle = window.crypto && window.crypto.subtle;
  if (!subtle || !window.TextEncoder || !challenge || bits < 1) {
    say(form.getAttribute("data-text-waiting"));
    return;
  }
  say(form.getAttribute("data-text-working"));

  var encoder = new TextEncoder();
  var prefix = "harbor-pass/v1:" + challenge + ":";
  var next = 0;
  var BATCH = 512;

  function enough(digest) {
    var bytes = new Uint8Array(digest);
    var need = bits;
    for (var i = 0; need > 0; i++) {
      if (need >= 8) {
        if (bytes[i] !== 0) { return false; }
        need -= 8;
      } else {
        return (bytes[i] >> (8 - need)) === 0;
      }
    }
    return true;
  }

  function batch() {
    if (sent) { return; }
    var nonces = [];
    var jobs = [];
    for (var i = 0; i < BATCH; i++) {
      var nonce = (next++).toString(36);
      nonces.push(nonce);
      jobs.push(subtle.digest("SHA-256", encoder.encode(prefix + nonce)));
    }
    Promise.all(jobs).then(function (digests) {
      for (var j = 0; j < digests.length; j++) {
        if (enough(digests[j])) { go(nonces[j]); return; }
      }
      setTimeout(batch, 0);
    }, function () {
      // The browser refused to hash (it happens outside secure contexts): just wait.
      say(form.getAttribute("data-text-waiting"));
    });
  }
  batch();
})();

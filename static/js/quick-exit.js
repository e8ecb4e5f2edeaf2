// Quick exit: the link works without this script. With it, the click and a
// double press of Escape replace this page and its history entry with a
// neutral site, so the Back button does not lead here.
//
// Only the current history entry can be replaced. When earlier pages of this
// visit are in the tab's history (the Navigation API lists them), the script
// first goes back to the first of them and replaces that one instead, so Back
// leads to wherever the person was before Harbor. A mark in sessionStorage,
// honoured for a few seconds only, tells that page to leave at once.
(function () {
  "use strict";
  var body = document.body;
  var url = body.getAttribute("data-exit-url");
  if (!url) { return; }
  document.documentElement.classList.add("has-js");
  var MARK = "harbor-leaving";

  function blank() {
    document.title = "";
    body.textContent = "";
  }

  function leave(event) {
    if (event) { event.preventDefault(); }
    blank();
    var nav = window.navigation;
    try {
      if (nav && nav.currentEntry && nav.currentEntry.index > 0) {
        var first = nav.entries()[0];
        window.sessionStorage.setItem(MARK, String(Date.now()));
        nav.traverseTo(first.key).finished.catch(function () { window.location.replace(url); });
        return;
      }
    } catch (e) {
      // No Navigation API or no storage: replace this entry only.
    }
    window.location.replace(url);
  }

  try {
    var mark = window.sessionStorage.getItem(MARK);
    if (mark !== null) {
      window.sessionStorage.removeItem(MARK);
      if (Date.now() - Number(mark) < 10000) {
        blank();
        window.location.replace(url);
        return;
      }
    }
  } catch (e) {
    // Storage refused: nothing was marked.
  }

  var link = document.getElementById("quick-exit");
  if (link) { link.addEventListener("click", leave); }
  var last = 0;
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    var now = Date.now();
    if (now - last < 1500) { leave(event); }
    last = now;
  });
})();

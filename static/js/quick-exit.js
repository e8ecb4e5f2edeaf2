// Quick exit: the link works without this script. With it, the click and a
// double press of Escape replace this page and its history entry with a
// neutral site, so the Back button does not lead here.
(function () {
  "use strict";
  var body = document.body;
  var url = body.getAttribute("data-exit-url");
  if (!url) { return; }
  document.documentElement.classList.add("has-js");
  function leave(event) {
    if (event) { event.preventDefault(); }
    document.title = "";
    body.textContent = "";
    window.location.replace(url);
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

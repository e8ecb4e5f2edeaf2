// Small helps on the reporter's pages. Every page works without this script.
//  - A send leaves no way back to a page that would ask the browser to send the form again:
//    when a form or button marked data-history-replace is sent, this page's history entry
//    first becomes that address (a plain page of Harbor), so Back after the send shows it.
//  - A page marked data-close-after closes by itself after that many seconds
//    (location.replace, so Back does not lead to it; without a script a meta refresh does it).
//  - An error summary at the top of a page takes the focus, so it is read first.
//  - A text box marked data-limit says how many characters are left near its limit,
//    politely, to a screen reader too.
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var by = event.submitter;
    var url = (by && by.getAttribute("data-history-replace")) || form.getAttribute("data-history-replace");
    if (url && window.history && window.history.replaceState) {
      window.history.replaceState(null, "", url);
    }
  });

  var summary = document.getElementById("form-errors");
  if (summary) { summary.focus(); }

  var closing = document.querySelector("[data-close-after]");
  if (closing) {
    var after = parseInt(closing.getAttribute("data-close-after"), 10);
    var target = closing.getAttribute("data-close-url");
    if (after > 0 && target) {
      setTimeout(function () { window.location.replace(target); }, after * 1000);
    }
  }

  var boxes = document.querySelectorAll("textarea[data-limit]");
  Array.prototype.forEach.call(boxes, function (box) {
    var limit = parseInt(box.getAttribute("data-limit"), 10);
    var output = document.getElementById(box.getAttribute("data-counter"));
    if (!limit || !output) { return; }
    var near = Math.floor(limit * 0.9);
    var left = output.getAttribute("data-text-left") || "";
    var over = output.getAttribute("data-text-over") || "";
    var last = "";
    function show() {
      // Characters as the server counts them: a pair of surrogates (an emoji) is one.
      var n = box.value.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, "_").length;
      var text = "";
      if (n > limit) {
        text = over.replace("%(n)s", (n - limit).toLocaleString());
      } else if (n >= near) {
        text = left.replace("%(n)s", (limit - n).toLocaleString());
      }
      if (text !== last) {
        output.textContent = text;
        output.hidden = !text;
        last = text;
      }
    }
    box.addEventListener("input", show);
    show();
  });
})();

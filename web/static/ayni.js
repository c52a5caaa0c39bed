// Progressive enhancements. Every page works without this file; it only makes some
// things quicker when JavaScript runs.
(function () {
  "use strict";

  // A refused form: move focus to its error summary, so that screen readers announce it.
  var summary = document.querySelector(".error-summary");
  if (summary) {
    summary.focus();
  }

  // The case form: refresh the preview a moment after typing stops. The Preview button
  // does the same without JavaScript; this asks the server the same question.
  var form = document.querySelector("form.case-form");
  var body = form && form.querySelector("#body");
  if (!body || !window.fetch || !window.DOMParser || !window.AbortController) {
    return;
  }
  var timer = null;
  var pending = null;
  function refresh() {
    var data = new URLSearchParams(new FormData(form));
    data.set("intent", "preview");
    if (pending) {
      pending.abort();
    }
    pending = new AbortController();
    fetch(form.action, { method: "POST", body: data, credentials: "same-origin", signal: pending.signal })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) {
          return;
        }
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("preview");
        var current = document.getElementById("preview");
        if (!fresh) {
          return;
        }
        if (current) {
          current.replaceWith(fresh);
        } else {
          form.querySelector(".actions").before(fresh);
        }
      })
      .catch(function () { /* offline or aborted: the Preview button still works */ });
  }
  body.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 1500);
  });
})();

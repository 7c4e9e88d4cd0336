// The job page's progress bar: asks the job's status every second until it is done or failed (no page reload).
(function () {
  "use strict";
  var box = document.getElementById("kkmp-job");
  if (!box) { return; }
  var bar = document.getElementById("kkmp-job-bar");
  function show(s) {
    var pct = Math.max(0, Math.min(100, s.percent || 0));
    bar.style.width = pct + "%";
    bar.setAttribute("aria-valuenow", pct);
    bar.textContent = pct + "%";
    document.getElementById("kkmp-job-status").textContent = s.status_label;
    document.getElementById("kkmp-job-count").textContent = s.total ? "(" + s.done + " / " + s.total + ")" : "";
    document.getElementById("kkmp-job-summary").textContent = s.summary || "";
    document.getElementById("kkmp-job-error").textContent = s.error || "";
    box.setAttribute("data-status", s.status);
    if (s.status === "done" || s.status === "failed") {
      bar.classList.remove("active");
      // An import's table of refused rows is drawn by the page itself: show it once the job has ended.
      if (s.error_rows > 0 && !document.getElementById("kkmp-job-errors")) { window.location.reload(); }
    }
    if (s.has_result) {
      document.getElementById("kkmp-job-download").classList.remove("hidden");
    }
  }
  function poll() {
    fetch(box.getAttribute("data-status-url"), {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) {
        if (!s) { return; }
        show(s);
        if (s.status === "queued" || s.status === "running") { window.setTimeout(poll, 1000); }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  bar.style.width = (bar.getAttribute("aria-valuenow") || 0) + "%";
  var state = box.getAttribute("data-status");
  if (state === "queued" || state === "running") { window.setTimeout(poll, 500); }
}());

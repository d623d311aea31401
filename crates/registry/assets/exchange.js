// The import job page: while the job is queued or writing, the page reloads itself every two
// seconds so its progress and, at the end, its outcome show without a click.
(function () {
  var s = document.getElementById("job-status");
  if (s && s.getAttribute("data-running") === "true") {
    setTimeout(function () { window.location.reload(); }, 2000);
  }
})();

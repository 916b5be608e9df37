// Polls a permission-checked progress URL and fills the <progress> bar; reloads when the job ends.
(function () {
  "use strict";
  function watch(box) {
    var bar = box.querySelector("progress");
    var text = box.querySelector(".job-progress-text");
    if (box.dataset.status === "done" || box.dataset.status === "failed") { return; }
    function tick() {
      fetch(box.dataset.progressUrl, { credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          if (data.total) { bar.max = data.total; }
          bar.value = Math.min(data.processed || 0, bar.max);
          text.textContent = data.phase + (data.total ? "：" + (data.processed || 0).toLocaleString() + " / " + data.total.toLocaleString() : "");
          if (data.done) { window.location.reload(); } else { window.setTimeout(tick, 1000); }
        })
        .catch(function () { window.setTimeout(tick, 3000); });
    }
    tick();
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-progress-url]").forEach(watch);
  });
})();

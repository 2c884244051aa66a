// Follows background work (a recalculation or a what-if) on its page: asks for
// its progress every second and updates the page; reloads once it has
// finished (to show what it made) or its worker has fallen silent (to offer
// marking it failed). Without JavaScript the page's Refresh link does the same.
(function () {
  "use strict";
  var box = document.querySelector("[data-progress-url]");
  if (!box) { return; }
  var url = box.getAttribute("data-progress-url");
  var bar = box.querySelector("progress");

  function show(progress) {
    ["sentence", "percent"].forEach(function (name) {
      var element = box.querySelector('[data-field="' + name + '"]');
      if (element) { element.textContent = progress[name]; }
    });
    bar.value = progress.percent;
    bar.textContent = progress.percent + "%";
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
      .then(function (progress) {
        show(progress);
        if (progress.active && !progress.stale) { window.setTimeout(poll, 1000); } else { window.location.reload(); }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }

  window.setTimeout(poll, 1000);
}());

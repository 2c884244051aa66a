// The day a page is printed, on paper: "Printed from <address> on 30 November 2026". The server cannot
// write it (a cached page keeps the moment it was rendered), so the reader's clock gives it, in UK time,
// when the page loads and again just before printing (a page left open past midnight).
(function () {
  "use strict";
  var day = new Intl.DateTimeFormat("en-GB", {day: "numeric", month: "long", year: "numeric",
                                              timeZone: "Europe/London"});
  function stamp() {
    var printedOn = document.getElementById("printed-on");
    if (!printedOn) return;
    printedOn.textContent = " on " + day.format(new Date());
    printedOn.hidden = false;
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", stamp);
  else stamp();
  window.addEventListener("beforeprint", stamp);
})();

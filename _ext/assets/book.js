// The book's page script (inlined into every page by _ext/book_site.py).
// * A link to a folded entry (an erratum on the errata page) opens it.
// * Before printing, folded entries and solution dropdowns open; folded code stays folded.
(function () {
  "use strict";
  function openTarget() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    var target = id && document.getElementById(id);
    if (!target) return;
    var section = target.closest("section") || target;
    var entry = section.querySelector(":scope > details.bp-entry");
    if (entry) entry.open = true;
    for (var d = target.closest("details"); d; d = d.parentElement.closest("details")) {
      d.open = true;
    }
  }
  function openForPrint() {
    document.querySelectorAll("details.bp-entry, details.toggle-details").forEach(function (d) {
      d.open = true;
    });
  }
  window.addEventListener("hashchange", openTarget);
  window.addEventListener("beforeprint", openForPrint);
  window.bookOpenForPrint = openForPrint;
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", openTarget);
  } else {
    openTarget();
  }
})();

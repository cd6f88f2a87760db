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
  // The "On this page" button of the article header (shown from 1200 to 1439 px by book.css)
  // does what the navigation bar's does: the theme listens to the first one only.
  function forwardContentsButton() {
    var own = document.querySelector(".bd-header-article button.secondary-toggle");
    var theme = document.querySelector(".bd-header button.secondary-toggle");
    if (own && theme && own !== theme) {
      own.addEventListener("click", function () {
        theme.click();
      });
    }
  }
  window.addEventListener("hashchange", openTarget);
  window.addEventListener("beforeprint", openForPrint);
  window.bookOpenForPrint = openForPrint;
  function init() {
    openTarget();
    forwardContentsButton();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();

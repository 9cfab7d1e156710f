// Small enhancements on every page; everything works without them.
// - On a narrow screen the main menu folds behind a "Menu" button.
// - A form's error summary gets the focus, so screen reader and keyboard users start there.
// - After htmx swaps in new content, a status message in it is announced and the focus moves to
//   the element the server marked with data-kansen-focus.
(function () {
  "use strict";
  document.documentElement.classList.add("kansen-js");

  function setUpMenu() {
    var button = document.querySelector(".kansen-menu-button");
    var nav = document.getElementById("main-menu");
    if (!button || !nav) return;
    button.hidden = false;
    nav.classList.add("kansen-nav--closed");
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") === "true";
      button.setAttribute("aria-expanded", open ? "false" : "true");
      nav.classList.toggle("kansen-nav--closed", open);
      if (!open) {
        var first = nav.querySelector("a");
        if (first) first.focus();
      }
    });
  }

  function focusErrorSummary() {
    var summary = document.querySelector(".kansen-error-summary");
    if (summary) summary.focus();
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpMenu();
    focusErrorSummary();
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.target;
    if (!target || !target.querySelector || !target.isConnected) return;
    var focus = target.querySelector("[data-kansen-focus]") || (target.matches("[data-kansen-focus]") ? target : null);
    if (focus) focus.focus();
  });
})();

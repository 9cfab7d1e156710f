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

  // A wide table scrolls inside its own box; when it does and holds nothing focusable, the box
  // itself takes the focus (so keyboard users can scroll it) and is named after the table.
  function scrollableTables(root) {
    root.querySelectorAll("main table").forEach(function (table) {
      var box = table.parentElement;
      if (!box.classList.contains("kansen-table-scroll")) {
        box = document.createElement("div");
        box.className = "kansen-table-scroll";
        table.parentNode.insertBefore(box, table);
        box.appendChild(table);
      }
      var focusable = table.querySelector("a[href], button, input, select, textarea");
      if (box.scrollWidth > box.clientWidth + 1 && !focusable && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        var caption = table.querySelector("caption");
        box.setAttribute("aria-label", caption ? caption.textContent.trim() : document.title);
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpMenu();
    focusErrorSummary();
    scrollableTables(document);
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.target;
    if (!target || !target.querySelector || !target.isConnected) return;
    var focus = target.querySelector("[data-kansen-focus]") || (target.matches("[data-kansen-focus]") ? target : null);
    if (focus) focus.focus();
  });
})();

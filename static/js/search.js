// The search page without JavaScript is a plain GET form. htmx (hx-get on the form) updates the
// facets and results in place when a filter is ticked or the sort changes, and keeps the address
// shareable. This file adds suggestions while typing (titles, buyers, competencies, CPV labels)
// and folds the filters away on a narrow screen.
(function () {
  "use strict";
  var toggle = document.querySelector(".kansen-facets__toggle");
  if (toggle && window.matchMedia && window.matchMedia("(max-width: 48rem)").matches) {
    toggle.open = false;
  }
  document.addEventListener("htmx:afterSwap", function () {
    var fresh = document.querySelector(".kansen-facets__toggle");
    if (fresh && toggle && !toggle.open) fresh.open = false;
    toggle = fresh;
  });

  var box = document.querySelector("[data-suggest-url]");
  var list = document.getElementById("search-suggestions");
  if (!box || !list || !window.fetch) return;
  var timer;
  box.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      if (box.value.trim().length < 2) return;
      fetch(box.dataset.suggestUrl + "?q=" + encodeURIComponent(box.value), {
        headers: { Accept: "application/json" },
      })
        .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
        .then(function (data) {
          list.replaceChildren.apply(list, data.suggestions.map(function (s) {
            var option = document.createElement("option");
            option.value = s.text;
            return option;
          }));
        })
        .catch(function () {});
    }, 150);
  });
})();

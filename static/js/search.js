// Progressive enhancement of the search page: without JavaScript the form submits as usual.
// With it, ticking a filter or changing the sort updates the results in place and keeps the
// address shareable; typing suggests titles, buyers, competencies and CPV labels.
(function () {
  "use strict";
  var form = document.querySelector("[data-search-form]");
  if (!form || !window.fetch || !window.history) return;

  function url() {
    var params = new URLSearchParams(new FormData(form));
    params.delete("page");
    Array.from(params.keys()).forEach(function (k) { if (!params.get(k)) params.delete(k); });
    var query = params.toString();
    return form.action + (query ? "?" + query : "");
  }

  function load(target, push) {
    var focused = document.activeElement && document.activeElement.id;
    fetch(target)
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var fresh = page.querySelector(".search-layout");
        var layout = form.querySelector(".search-layout");
        if (!fresh || !layout) { window.location = target; return; }
        layout.innerHTML = fresh.innerHTML;
        if (push) history.pushState({}, "", target);
        var again = focused && document.getElementById(focused);
        if (again) again.focus();
      })
      .catch(function () { window.location = target; });
  }

  form.addEventListener("change", function (e) {
    if (e.target.matches("input[type=checkbox], select")) load(url(), true);
  });
  window.addEventListener("popstate", function () { window.location.reload(); });

  var box = form.querySelector("[data-suggest-url]");
  var list = document.getElementById("search-suggestions");
  var timer;
  if (box && list) {
    box.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        if (box.value.trim().length < 2) return;
        fetch(box.dataset.suggestUrl + "?q=" + encodeURIComponent(box.value))
          .then(function (r) { return r.json(); })
          .then(function (data) {
            list.innerHTML = "";
            data.suggestions.forEach(function (s) {
              var option = document.createElement("option");
              option.value = s.text;
              list.appendChild(option);
            });
          });
      }, 150);
    });
  }
})();

// CPV type-ahead: fills the shared <datalist> with codes matching what is typed (Dutch or
// English labels) from /api/v1/cpv/. Without JavaScript the datalist still offers the
// divisions and groups, and the server understands codes and words.
(function () {
  "use strict";
  var list = document.getElementById("cpv-options");
  if (!list || !window.fetch) return;
  var timer = null;
  var lastQuery = "";
  function fill(rows) {
    var keep = document.createDocumentFragment();
    rows.forEach(function (row) {
      var option = document.createElement("option");
      option.value = row.code + " " + row.label;
      keep.appendChild(option);
    });
    list.replaceChildren(keep);
  }
  function lookup(query) {
    if (query === lastQuery) return;
    lastQuery = query;
    fetch("/api/v1/cpv/?limit=30&q=" + encodeURIComponent(query), {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) { return response.ok ? response.json() : []; })
      .then(fill)
      .catch(function () {});
  }
  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches('input[data-typeahead="cpv-options"]')) return;
    var query = input.value.trim();
    if (query.length < 2 || /^\d{8}\s/.test(query)) return;
    clearTimeout(timer);
    timer = setTimeout(function () { lookup(query); }, 200);
  });
})();

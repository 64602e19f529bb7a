// The region picker's search box (anju/regions/picker.py): shown only with JavaScript; typing a
// name or its pinyin initials ("xqz" -> 新桥镇) keeps only the matching places in the list and
// selects the first match. Without JavaScript the select alone works.
(function () {
  "use strict";
  function setUp(root) {
    var search = root.querySelector("[data-region-search]");
    var select = root.querySelector("select");
    if (!search || !select || root.dataset.ready) return;
    root.dataset.ready = "1";
    search.hidden = false;
    search.addEventListener("input", function () {
      var query = search.value.trim().toLowerCase().replace(/\s+/g, "");
      var first = null;
      Array.prototype.forEach.call(select.options, function (option) {
        if (!option.value) return;
        var path = option.textContent.replace(/\s+/g, "");
        var py = (option.getAttribute("data-py") || "");
        var words = py.split(" ");
        var hit = !query || path.indexOf(query) !== -1 || py.replace(/ /g, "").indexOf(query) !== -1 ||
          words.some(function (w) { return w.indexOf(query) === 0; });
        option.hidden = !hit;
        if (hit && first === null) first = option;
      });
      if (query && first) select.value = first.value;
    });
  }
  function all() {
    document.querySelectorAll("[data-region-picker]").forEach(setUp);
  }
  document.addEventListener("DOMContentLoaded", all);
  document.addEventListener("htmx:afterSwap", all);
})();

// Optional client-side filter for the navigation. The page works without
// it; with JavaScript enabled a box above the navigation narrows the list
// to operations and definitions whose name, path or operationId match.
(function () {
  "use strict";
  var slot = document.getElementById("search-slot");
  if (!slot) return;
  document.documentElement.setAttribute("data-js", "on");
  var input = document.createElement("input");
  input.type = "search";
  input.placeholder = "Filter operations and types";
  input.setAttribute("aria-label", "Filter operations and types");
  slot.appendChild(input);
  var groups = Array.prototype.slice.call(document.querySelectorAll("nav.side details"));
  var entries = groups.map(function (d) {
    return Array.prototype.slice.call(d.querySelectorAll("li")).map(function (li) {
      return { li: li, text: (li.textContent + " " + (li.getAttribute("data-k") || "")).toLowerCase() };
    });
  });
  input.addEventListener("input", function () {
    var q = input.value.trim().toLowerCase();
    groups.forEach(function (d, i) {
      var hits = 0;
      entries[i].forEach(function (e) {
        var show = !q || e.text.indexOf(q) >= 0;
        e.li.hidden = !show;
        if (show) hits++;
      });
      d.open = !!q && hits > 0;
      d.parentNode.hidden = !!q && hits === 0;
    });
  });
})();

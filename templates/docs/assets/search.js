// Optional search for the page. The page works without it; with
// JavaScript enabled a box above the navigation narrows the list to the
// operations and definitions that match, and lists every match (by
// summary, description, parameter or field name) with a link. The words
// come from search-index.js, prebuilt by `cargo xtask docs`: nothing is
// fetched from anywhere else.
(function () {
  "use strict";
  var slot = document.getElementById("search-slot");
  if (!slot) return;
  document.documentElement.setAttribute("data-js", "on");
  var input = document.createElement("input");
  input.type = "search";
  input.placeholder = "Search operations, types, fields";
  input.setAttribute("aria-label", "Search operations, types and fields");
  slot.appendChild(input);
  var results = document.createElement("ol");
  results.id = "search-results";
  results.hidden = true;
  slot.appendChild(results);

  var groups = Array.prototype.slice.call(document.querySelectorAll("nav.side details"));
  var entries = groups.map(function (d) {
    return Array.prototype.slice.call(d.querySelectorAll("li")).map(function (li) {
      var a = li.querySelector("a");
      return {
        li: li,
        href: a ? a.getAttribute("href") : "",
        text: (li.textContent + " " + (li.getAttribute("data-k") || "")).toLowerCase()
      };
    });
  });

  // The index, unpacked on first use: the word list and its postings.
  var index = null;
  function load() {
    if (index) return index;
    var raw = window.DOCS_SEARCH;
    if (!raw) return null;
    index = { e: raw.e, w: raw.w.split(" "), p: raw.p.split(" ") };
    return index;
  }

  // Entries (by number) with a word that starts with `term`.
  function lookup(ix, term) {
    var lo = 0, hi = ix.w.length;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (ix.w[mid] < term) lo = mid + 1; else hi = mid;
    }
    var found = {};
    for (var i = lo; i < ix.w.length && ix.w[i].lastIndexOf(term, 0) === 0; i++) {
      ix.p[i].split(".").forEach(function (n) { found[parseInt(n, 36)] = true; });
    }
    return found;
  }

  // Entries that have every term of the query, titles that hold the query first.
  function search(q) {
    var ix = load();
    if (!ix) return [];
    var terms = q.split(/[^a-z0-9]+/).filter(function (t) { return t.length > 0; });
    if (!terms.length) return [];
    var hits = null;
    terms.forEach(function (t) {
      var found = lookup(ix, t);
      if (hits === null) { hits = found; return; }
      Object.keys(hits).forEach(function (k) { if (!found[k]) delete hits[k]; });
    });
    var list = Object.keys(hits || {}).map(Number).sort(function (a, b) { return a - b; });
    var titled = [], rest = [];
    list.forEach(function (n) {
      (ix.e[n][1].toLowerCase().indexOf(q) >= 0 ? titled : rest).push(ix.e[n]);
    });
    return titled.concat(rest);
  }

  function show(found) {
    while (results.firstChild) results.removeChild(results.firstChild);
    found.slice(0, 50).forEach(function (e) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = "#" + e[0];
      a.textContent = e[1];
      li.appendChild(a);
      var small = document.createElement("small");
      small.textContent = " " + e[2] + (e[3] ? " · " + e[3] : "");
      li.appendChild(small);
      results.appendChild(li);
    });
    if (found.length > 50) {
      var more = document.createElement("li");
      more.textContent = (found.length - 50) + " more: add a word to narrow";
      results.appendChild(more);
    }
    results.hidden = !input.value.trim();
    if (!found.length && input.value.trim()) {
      var none = document.createElement("li");
      none.textContent = "No match";
      results.appendChild(none);
    }
  }

  input.addEventListener("input", function () {
    var q = input.value.trim().toLowerCase();
    var found = q ? search(q) : [];
    var linked = {};
    found.forEach(function (e) { linked["#" + e[0]] = true; });
    groups.forEach(function (d, i) {
      var hits = 0;
      entries[i].forEach(function (e) {
        var show = !q || e.text.indexOf(q) >= 0 || !!linked[e.href];
        e.li.hidden = !show;
        if (show) hits++;
      });
      d.open = !!q && hits > 0;
      d.parentNode.hidden = !!q && hits === 0;
    });
    show(found);
  });
})();

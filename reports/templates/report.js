// govscan report: filters and sorting of the targets x indicators matrix (progressive
// enhancement: without script the matrix is complete, grouped by region).
(function () {
  "use strict";
  var form = document.getElementById("filters");
  var table = document.getElementById("matrix");
  if (!form || !table) { return; }
  form.hidden = false;
  var rows = Array.prototype.slice.call(table.querySelectorAll("tr.t"));
  var groups = Array.prototype.slice.call(table.querySelectorAll("tbody.grp"));
  var flat = document.createElement("tbody");
  flat.className = "flat";
  table.appendChild(flat);
  var order = rows.slice();
  function val(id) { return document.getElementById(id).value; }
  // the indicator of each status column, from the header (cells carry only "s-<status>")
  var inds = Array.prototype.map.call(table.querySelectorAll("thead th[data-ind]"),
    function (th) { return th.getAttribute("data-ind"); });
  function statuses(row) {
    var out = {};
    var cells = row.querySelectorAll("td[class^='s-']");
    for (var k = 0; k < cells.length && k < inds.length; k++) {
      var st = cells[k].className.slice(2);
      if (st !== "none") { out[inds[k]] = st; }
    }
    return out;
  }
  function matches(row) {
    var region = val("f-region"), level = val("f-level");
    var ind = val("f-indicator"), st = val("f-status");
    if (region && row.getAttribute("data-region") !== region) { return false; }
    if (level && row.getAttribute("data-level") !== level) { return false; }
    var s = statuses(row);
    if (ind && !(ind in s)) { return false; }
    if (st) {
      if (ind) { return s[ind] === st; }
      return Object.keys(s).some(function (k) { return s[k] === st; });
    }
    return true;
  }
  function apply() {
    var sort = val("f-sort");
    if (sort === "region") {
      flat.hidden = true;
      order.forEach(function (r) { r.__home.appendChild(r); });
      groups.forEach(function (g) { g.hidden = false; });
    } else {
      var sorted = rows.slice();
      sorted.sort(function (a, b) {
        if (sort === "name") {
          return a.getAttribute("data-name").localeCompare(b.getAttribute("data-name"));
        }
        var d = parseFloat(a.getAttribute("data-share")) - parseFloat(b.getAttribute("data-share"));
        return sort === "share-asc" ? d : -d;
      });
      sorted.forEach(function (r) { flat.appendChild(r); });
      groups.forEach(function (g) { g.hidden = true; });
      flat.hidden = false;
    }
    var shown = 0;
    rows.forEach(function (r) { var ok = matches(r); r.hidden = !ok; if (ok) { shown++; } });
    groups.forEach(function (g) {
      if (sort === "region") { g.hidden = !g.querySelector("tr.t:not([hidden])"); }
    });
    var out = document.getElementById("f-count");
    out.value = (out.getAttribute("data-template") || "{n}/{total}")
      .replace("{n}", shown).replace("{total}", rows.length);
  }
  rows.forEach(function (r) { r.__home = r.parentNode; });
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  apply();
}());

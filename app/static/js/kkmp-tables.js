/* On a phone every table scrolls inside its own box instead of widening the page: a table that is not yet in
   Bootstrap's .table-responsive gets one (FAB's lists already have it; our own pages did not). */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var tables = document.querySelectorAll("table.table");
    for (var i = 0; i < tables.length; i++) {
      var table = tables[i], parent = table.parentNode;
      if (parent.classList && parent.classList.contains("table-responsive")) { continue; }
      var box = document.createElement("div");
      box.className = "table-responsive kkmp-table-box";
      parent.insertBefore(box, table);
      box.appendChild(table);
    }
  });
})();

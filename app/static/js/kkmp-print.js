/* The one way to print: every [data-kkmp-print] button prints the page (a phone has no Ctrl+P).
   A receipt on roll paper (body[data-kkmp-roll="80"|"58"]) gets a page exactly as long as the receipt, so a PDF or
   a thermal printer does not feed a Letter-sized sheet; CSS alone cannot say "as long as the content". */
(function () {
  "use strict";

  function fitRoll() {
    var roll = document.body && document.body.getAttribute("data-kkmp-roll");
    var paper = document.querySelector(".kkmp-paper");
    if (!roll || !paper) { return; }
    var margin = roll === "58" ? 2 : 3;
    var mm = Math.ceil(paper.getBoundingClientRect().height * 25.4 / 96) + 2 * margin + 4;
    var style = document.getElementById("kkmp-roll-page") || document.createElement("style");
    style.id = "kkmp-roll-page";
    style.textContent = "@page { size: " + roll + "mm " + mm + "mm; margin: " + margin + "mm; }";
    document.head.appendChild(style);
  }

  document.addEventListener("DOMContentLoaded", function () {
    fitRoll();
    var buttons = document.querySelectorAll("[data-kkmp-print]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].addEventListener("click", function () { fitRoll(); window.print(); });
    }
  });
  window.addEventListener("beforeprint", fitRoll);
})();

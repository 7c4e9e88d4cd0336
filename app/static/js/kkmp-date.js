/* One date picker for every date field (inputs with class kkmp-date-input), on FAB's bundled
   bootstrap-datepicker: dd/mm/yyyy shown, dd/mm/yyyy or ISO typed or pasted, Indonesian names, and a title that
   jumps to the months of the year and then to the years (a 1990 birth date is three clicks away, not 400).
   What the person typed is never thrown away: the server reads the text with the same rules
   (app/core/dates.py parse_date) and answers a wrong date with a message on the field. */
(function ($) {
  "use strict";
  if (!$ || !$.fn.datepicker) { return; }

  $.fn.datepicker.dates.id = {
    days: ["Minggu", "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu"],
    daysShort: ["Min", "Sen", "Sel", "Rab", "Kam", "Jum", "Sab"],
    daysMin: ["Mg", "Sn", "Sl", "Rb", "Km", "Jm", "Sb"],
    months: ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
      "November", "Desember"],
    monthsShort: ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"],
    today: "Hari ini",
    clear: "Kosongkan",
    format: "dd/mm/yyyy",
    titleFormat: "MM yyyy",
    weekStart: 1
  };

  var DMY = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/, ISO = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  /* The picker keeps its dates as UTC midnights. */
  function readDate(text) {
    var t = $.trim(text || ""), m = DMY.exec(t), y, mo, d;
    if (m) { d = +m[1]; mo = +m[2]; y = +m[3]; } else {
      m = ISO.exec(t);
      if (!m) { return null; }
      y = +m[1]; mo = +m[2]; d = +m[3];
    }
    var day = new Date(Date.UTC(y, mo - 1, d));
    return (day.getUTCFullYear() === y && day.getUTCMonth() === mo - 1 && day.getUTCDate() === d) ? day : null;
  }

  function showDate(day) {
    return pad(day.getUTCDate()) + "/" + pad(day.getUTCMonth() + 1) + "/" + day.getUTCFullYear();
  }

  function setUp(input) {
    var $input = $(input);
    if ($input.data("datepicker")) { return; }
    var meta = document.querySelector("meta[name=kkmp-lang]");
    var lang = ((meta && meta.content) || "id").slice(0, 2);
    var options = {
      format: {
        toDisplay: function (day) { return showDate(day); },
        toValue: function (text) { return readDate(text) || new Date(NaN); }
      },
      language: $.fn.datepicker.dates[lang] ? lang : "id",
      weekStart: 1,
      autoclose: true,
      todayHighlight: true,
      todayBtn: "linked",
      clearBtn: true,
      forceParse: false,     // never wipe a date the picker cannot read: the server explains instead
      showOnFocus: false,    // typing stays undisturbed; the calendar button (or Alt+Down) opens the picker
      maxViewMode: 3,
      orientation: "bottom auto",
      keyboardNavigation: false
    };
    // An empty birth date opens on the years: nobody is born this month.
    if (!$input.val() && /birth|lahir/.test(input.name)) { options.startView = 2; }
    $input.datepicker(options);
    $input.on("show", function () {
      $(".datepicker .datepicker-switch").attr("title", lang === "en" ? "Choose the month or the year"
        : "Klik untuk memilih bulan atau tahun");
    });
    // A pasted ISO or d/m/yyyy date is shown the way every page shows dates, once it is a real date.
    $input.on("change blur", function () {
      var day = readDate($input.val());
      if (day && $input.val() !== showDate(day)) { $input.val(showDate(day)); }
    });
    $input.on("keydown", function (e) {
      if (e.altKey && e.key === "ArrowDown") { $input.datepicker("update").datepicker("show"); e.preventDefault(); }
    });
    $input.closest(".kkmp-date").find(".kkmp-date-open").attr({role: "button", tabindex: "0",
      title: lang === "en" ? "Choose a date" : "Pilih tanggal"});
  }

  $(function () { $("input.kkmp-date-input").each(function () { setUp(this); }); });
  // Boxes added later (a list's search filters are copied in when chosen) are set up when first used.
  $(document).on("focusin", "input.kkmp-date-input", function () { setUp(this); });
  $(document).on("click keydown", ".kkmp-date-open", function (e) {
    if (e.type === "keydown" && e.key !== "Enter" && e.key !== " ") { return; }
    var $input = $(this).closest(".kkmp-date").find("input.kkmp-date-input");
    if (!$input.length) { return; }
    setUp($input[0]);
    $input.datepicker("update");  // from the text as it is now, however it got there
    $input.datepicker("show");
    e.preventDefault();
  });
})(window.jQuery);

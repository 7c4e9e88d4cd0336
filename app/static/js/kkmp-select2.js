/* Our select2 settings, loaded after FAB's select2 on every page.
 *
 * 1. select2 speaks English by default ("Please enter 1 or more characters", "No results found"): every picker
 *    of the Indonesian interface gets Indonesian messages (our own wording), unless the page is in English.
 * 2. The scope picker of the user form (class kkmp-region-picker): the regions the acting user may grant,
 *    searched on the server (app/security/views.py scope_lookup).
 */
(function ($) {
  if (!$ || !$.fn || !$.fn.select2) { return; }
  var me = document.currentScript;
  var lang = ((me && me.getAttribute("data-locale")) || "id").toLowerCase();
  if (lang.indexOf("en") !== 0) {
    $.fn.select2.defaults.set("language", {
      errorLoading: function () { return "Daftar tidak dapat dimuat. Coba lagi."; },
      inputTooLong: function (a) { return "Terlalu panjang: hapus " + (a.input.length - a.maximum) + " huruf."; },
      inputTooShort: function (a) {
        return "Ketik paling sedikit " + (a.minimum - a.input.length) + " huruf untuk mencari.";
      },
      loadingMore: function () { return "Memuat lebih banyak..."; },
      maximumSelected: function (a) { return "Paling banyak " + a.maximum + " pilihan."; },
      noResults: function () { return "Tidak ditemukan."; },
      searching: function () { return "Mencari..."; },
      removeAllItems: function () { return "Hapus semua pilihan"; },
      removeItem: function () { return "Hapus pilihan"; }
    });
  }
  $(function () {
    $("select.kkmp-region-picker").each(function () {
      var $s = $(this);
      $s.select2({
        width: "100%", minimumInputLength: 1, allowClear: true,
        placeholder: $s.data("placeholder"),
        ajax: {
          url: $s.data("lookup"), dataType: "json", delay: 250,
          data: function (p) { return {q: p.term, page: p.page || 1}; },
          processResults: function (data) { return data; }
        }
      });
    });
  });
})(window.jQuery);

"""Issue 11.6: the Sudin's city report opens on what its form says it shows.

The form's month select opens on "Setahun penuh"; the figures must then be those of the whole (running) year in
the city's own time zone, not of the current month only, and the period line must say so."""
import re
from datetime import datetime, timezone

from app.core.dates import WIB
from app.core.formatting import tanggal


def _table(html):
    body = html.split('id="kkmp-report-konsolidasi"', 1)[1]
    return re.findall(r"<td[^>]*>([^<]*)</td>", body)


def test_the_city_report_opens_on_the_whole_running_year_as_its_form_says(login):
    s = login("sudin.jakbar")
    today = datetime.now(timezone.utc).astimezone(WIB).date()
    opened = s.get("/laporan-konsolidasi/").get_data(as_text=True)
    whole_year = s.get(f"/laporan-konsolidasi/?kota=31.73&tahun={today.year}&bulan=").get_data(as_text=True)
    this_month = s.get(f"/laporan-konsolidasi/?kota=31.73&tahun={today.year}&bulan={today.month}").get_data(
        as_text=True)
    assert re.search(r'<option value=""\s+selected>Setahun penuh</option>', opened)
    assert _table(opened) == _table(whole_year)
    assert _table(opened) != _table(this_month), "the demo's year has postings outside the current month"
    assert f"Tahun {today.year} (1 Januari sampai {tanggal(today)})" in opened
    # a month asked for is the month shown, and the select says so
    assert re.search(rf'<option value="{today.month}"\s+selected>', this_month)

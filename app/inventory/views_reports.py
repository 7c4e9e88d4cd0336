"""Inventory reports (issue 15 §8) on screen and as streamed xlsx/CSV: items below minimum with a restock
suggestion, the daily and weekly sales recap per gerai, sales per member for the year (the basis of SHU jasa
usaha) and gross margin per item. The stock card and the stock position are the model lists of views.py.

Every query is an ORM statement, so the cooperative scope of the session applies to it; screens show the first
``PAGE`` rows after the keyset ``setelah`` (the last key of the page before), exports stream every row."""
from datetime import timedelta

from flask import Response, abort, g, request, stream_with_context
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access, permission_name
from flask_babel import gettext

from app.cooperatives.services import user_today
from app.core.dates import parse_date
from app.core.formatting import tanggal
from app.extensions import db

from . import reports

PAGE = 200
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _period(default_days):
    today = user_today(db.session, g.user)
    end = parse_date(request.args.get("sampai", "")) or today
    start = parse_date(request.args.get("dari", "")) or (end - timedelta(days=default_days))
    if start > end:
        start, end = end, start
    return start, min(end, start + timedelta(days=400))


class InventoryReportView(BaseView):
    route_base = "/persediaan/laporan"
    class_permission_name = "InvReport"
    default_view = "below_minimum"

    def _out(self, name, title, headers, rows, fmt, template, **kwargs):
        if fmt in ("xlsx", "csv"):
            if fmt == "csv":
                from app.core.csv_export import csv_chunks

                response = Response(stream_with_context(csv_chunks(headers, rows)),
                                    content_type="text/csv; charset=utf-8")
            else:
                from app.core.xlsx import stream_xlsx

                response = Response(stream_with_context(stream_xlsx(title, headers, rows, sheet_name=name[:31])),
                                    mimetype=XLSX)
            response.headers["Content-Disposition"] = f"attachment; filename={name}.{fmt}"
            return response
        if fmt:
            abort(404)
        return self.render_template("inventory/report.html", title=title, headers=headers, rows=list(rows),
                                    name=name, args=request.args, **kwargs)

    def _session(self):
        from app.extensions import db

        return db.session

    @expose("/stok-minimum")
    @expose("/stok-minimum.<fmt>")
    @has_access
    @permission_name("list")
    def below_minimum(self, fmt=None):
        from app.cooperatives.models import Cooperative
        from sqlalchemy import select

        from .models import Item

        session = self._session()
        stmt = reports.below_minimum().order_by(Item.id)
        after = request.args.get("setelah", "")
        if after.isdigit():
            stmt = stmt.where(Item.id > int(after))
        if not fmt:
            stmt = stmt.limit(PAGE)
        names = dict(session.execute(select(Cooperative.id, Cooperative.name)).all()) if not fmt else None
        rows = session.execute(stmt).all()
        if names is None:
            ids = {r[2] for r in rows}
            names = dict(session.execute(select(Cooperative.id, Cooperative.name).where(Cooperative.id.in_(ids)))
                         .all()) if ids else {}
        out = [(names.get(r[2], ""), r[1], r[3], r[4], r[5]) for r in rows]
        headers = [gettext("Koperasi"), gettext("Barang"), gettext("Stok"), gettext("Stok minimum"),
                   gettext("Saran belanja")]
        return self._out("stok-minimum", gettext("Barang di bawah stok minimum"), headers, out, fmt,
                         "inventory/report.html", next_key=rows[-1][0] if len(rows) == PAGE and not fmt else None)

    @expose("/rekap-penjualan")
    @expose("/rekap-penjualan.<fmt>")
    @has_access
    @permission_name("list")
    def sales_recap(self, fmt=None):
        weekly = request.args.get("per") == "pekan"
        start, end = _period(7 * 8 if weekly else 30)
        if weekly:
            start -= timedelta(days=start.weekday())
        rows = self._session().execute(reports.sales_recap(start, end)).all()
        if weekly:
            rows = reports.week_rows(rows)
        out = [(day, name, count, total) for day, _loc, name, _coop, count, total in rows]
        headers = [gettext("Pekan mulai") if weekly else gettext("Tanggal"), gettext("Gerai"),
                   gettext("Transaksi"), gettext("Penjualan")]
        title = gettext("Rekap penjualan per gerai %(a)s s.d. %(b)s", a=tanggal(start),
                        b=tanggal(end))
        return self._out("rekap-penjualan", title, headers, out if fmt else out[:PAGE * 5], fmt,
                         "inventory/report.html", period=(start, end), weekly=weekly, money={3})

    @expose("/penjualan-anggota")
    @expose("/penjualan-anggota.<fmt>")
    @has_access
    @permission_name("list")
    def per_member(self, fmt=None):
        from app.members.models import Member

        try:
            year = int(request.args.get("tahun") or user_today(db.session, g.user).year)
        except ValueError:
            year = user_today(db.session, g.user).year
        from datetime import date

        stmt = reports.sales_per_member(date(year, 1, 1), date(year, 12, 31))
        after = request.args.get("setelah", "")
        if after:
            stmt = stmt.where(Member.member_number > after)
        if not fmt:
            stmt = stmt.limit(PAGE)
        rows = self._session().execute(stmt).all()
        out = [(r[1] or "", r[2], r[4], r[5]) for r in rows]
        headers = [gettext("Nomor anggota"), gettext("Nama"), gettext("Transaksi"), gettext("Pembelian")]
        return self._out("penjualan-anggota", gettext("Pembelian anggota di gerai tahun %(y)d", y=year), headers,
                         out, fmt, "inventory/report.html", year=year, money={3},
                         next_key=rows[-1][1] if len(rows) == PAGE and not fmt else None)

    @expose("/margin")
    @expose("/margin.<fmt>")
    @has_access
    @permission_name("list")
    def margin(self, fmt=None):
        start, end = _period(30)
        rows = self._session().execute(reports.gross_margin(start, end)).all()
        out = [(r[1], r[3], r[4], r[5], r[6]) for r in rows]
        headers = [gettext("Barang"), gettext("Jumlah"), gettext("Penjualan"), gettext("Harga pokok penjualan"),
                   gettext("Laba kotor")]
        title = gettext("Laba kotor per barang %(a)s s.d. %(b)s", a=tanggal(start),
                        b=tanggal(end))
        return self._out("margin", title, headers, out if fmt else out[:PAGE * 5], fmt, "inventory/report.html",
                         period=(start, end), money={2, 3, 4})

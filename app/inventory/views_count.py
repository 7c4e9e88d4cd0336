"""Stok opname screens: the list, opening a count, the count sheet (print and xlsx), entering the first and
second counts, and the Pengurus's approval. Every step is one service call and one commit."""
from flask import Response, abort, flash, g, redirect, request, stream_with_context, url_for
from flask_appbuilder import expose
from flask_appbuilder.security.decorators import has_access, permission_name
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.cooperatives.services import picker_choices, user_today
from app.core.dates import date_error, local_today, parse_date
from app.core.errors import DomainError, refusal_message
from app.core.formatting import tanggal
from app.core.interface import KkmpInterface
from app.core.scope import TenantScopeError
from app.core.views import KkmpModelView, commit_or_refuse

from . import services
from .models import Location, StockCount, StockCountLine
from .views import LABELS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class StockCountView(KkmpModelView):
    datamodel = KkmpInterface(StockCount)
    class_permission_name = "InvStockCount"
    route_base = "/persediaan/opname"
    include_route_methods = {"list", "show", "export_xlsx", "export_csv", "open", "sheet", "sheet_xlsx",
                             "enter", "approve"}
    list_title = show_title = _l("Stok opname")
    list_columns = ["cooperative", "number", "count_date", "location", "status_label", "approved_by"]
    show_columns = ["cooperative", "number", "count_date", "location", "status_label", "note", "created_by",
                    "approved_by", "approved_at", "journal_number"]
    search_columns = ["count_date", "status"]
    order_columns = ["count_date"]
    base_order = ("id", "desc")
    label_columns = dict(LABELS, count_date=_l("Tanggal opname"), approved_by=_l("Disetujui oleh"),
                         approved_at=_l("Disetujui pada"))
    url_filters = {"koperasi": "cooperative_id", "lokasi": "location_id"}
    cooperative_picker = staticmethod(picker_choices)

    def _count(self, pk):
        count = self.datamodel.get(pk, self._base_filters)
        if count is None:
            abort(404)
        return count

    def _lines(self, count):
        return self.datamodel.session.execute(select(StockCountLine).where(StockCountLine.count_id == count.id)
                                              .order_by(StockCountLine.id)).unique().scalars().all()

    @expose("/buka", methods=["GET", "POST"])
    @has_access
    @permission_name("count")
    def open(self):
        session = self.datamodel.session
        locations = session.execute(select(Location).where(Location.active.is_(True)).order_by(Location.name)
                                    .limit(200)).scalars().all()
        values = {k: (request.form.get(k) or "").strip() for k in ("location", "count_date", "note")}
        if not values["count_date"]:
            coop = locations[0].cooperative if locations else None
            day = local_today(coop) if coop else user_today(self.datamodel.session, g.user)
            values["count_date"] = tanggal(day)
        error = None
        if request.method == "POST":
            day = parse_date(values["count_date"])
            if day is None:
                error = date_error(gettext("Tanggal opname"))
            else:
                try:
                    count = services.do_open_count(session, location=values["location"], count_date=day,
                                                   note=values["note"], acting_user=g.user)
                    session.commit()
                    flash(gettext("Stok opname %(n)s dibuka; cetak lembar hitung lalu isi hasilnya.",
                                  n=count.number), "success")
                    return redirect(url_for(".enter", pk=count.id))
                except (DomainError, TenantScopeError) as e:
                    session.rollback()
                    error = refusal_message(e)
        return self.render_template("inventory/count_open.html", values=values, locations=locations,
                                    error=error), (422 if error else 200)

    @expose("/hitung/<int:pk>", methods=["GET", "POST"])
    @has_access
    @permission_name("count")
    def enter(self, pk):
        """The count: book quantity, first count, and a second count where the first differs."""
        session = self.datamodel.session
        count = self._count(pk)
        error = None
        if request.method == "POST":
            second = request.form.get("round") == "2"
            prefix = "second_" if second else "first_"
            counts = {k[len(prefix):]: v for k, v in request.form.items() if k.startswith(prefix)}
            try:
                services.do_enter_counts(session, count=count, counts=counts, second=second, acting_user=g.user)
                session.commit()
                flash(gettext("Hasil hitung tersimpan."), "success")
                return redirect(url_for(".enter", pk=pk))
            except (DomainError, TenantScopeError) as e:
                session.rollback()
                error = refusal_message(e)
                count = self._count(pk)
        sm = self.appbuilder.sm
        return self.render_template("inventory/count_enter.html", count=count, lines=self._lines(count),
                                    error=error, can_approve=sm.has_access("can_approve",
                                                                           self.class_permission_name)), \
            (422 if error else 200)

    @expose("/setujui/<int:pk>", methods=["POST"])
    @has_access
    @permission_name("approve")
    def approve(self, pk):
        session = self.datamodel.session
        count = self._count(pk)
        _done, refused = commit_or_refuse(session, lambda: services.do_approve_count(
            session, count=count, acting_user=g.user), url_for(".enter", pk=pk))
        if refused:
            return refused
        flash(gettext("Stok opname %(n)s disetujui; selisihnya dibukukan.", n=count.number), "success")
        return redirect(url_for(".enter", pk=pk))

    @expose("/lembar/<int:pk>")
    @has_access
    @permission_name("show")
    def sheet(self, pk):
        """The printable count sheet: every item with an empty box for the counted quantity."""
        count = self._count(pk)
        return self.render_template("inventory/count_sheet.html", count=count, lines=self._lines(count))

    @expose("/lembar/<int:pk>.xlsx")
    @has_access
    @permission_name("show")
    def sheet_xlsx(self, pk):
        from app.core.xlsx import stream_xlsx

        count = self._count(pk)
        headers = [gettext("Barang"), gettext("Satuan"), gettext("Stok buku"), gettext("Hitungan pertama"),
                   gettext("Hitungan kedua"), gettext("Selisih")]
        rows = ([line.item.name, str(line.item.unit_label), line.book_quantity, line.first_count,
                 line.second_count, line.difference] for line in self._lines(count))
        title = gettext("Lembar stok opname %(n)s %(loc)s %(d)s", n=count.number, loc=count.location.name,
                        d=tanggal(count.count_date))
        response = Response(stream_with_context(stream_xlsx(title, headers, rows, sheet_name="Opname")),
                            mimetype=XLSX)
        response.headers["Content-Disposition"] = f"attachment; filename=opname-{count.id}.xlsx"
        return response

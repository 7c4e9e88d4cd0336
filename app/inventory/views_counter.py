"""Sales: the list, the fast counter screen (kasir), the printed receipt, the void, and the daily LPG logbook.

The counter is one page: the barcode box has the focus, a scan (or an item picked by name) adds a line, Enter on
the paid box completes the sale, and the receipt (58/80 mm) opens at once. The page asks the server for nothing
but the item search and the member picker, and posts the whole sale as JSON to the API's own service.
"""
import os

from flask import abort, flash, g, jsonify, make_response, redirect, request, send_file, url_for
from flask_appbuilder import expose
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.security.decorators import has_access, has_access_api, permission_name
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.cooperatives.services import picker_choices, user_today
from app.core.dates import local_today, parse_date
from app.core.errors import DomainError, NotFound, refusal_message
from app.core.interface import KkmpInterface
from app.core.nik import mask_nik
from app.core.scope import TenantScopeError
from app.core.views import KkmpModelView, NikRevealMixin, commit_or_refuse

from . import services
from .models import LPG_SEGMENTS, PAYMENT_METHODS, Item, Location, Sale, SaleLine
from .views import LABELS

RECEIPT_SIZES = {"80": "80 mm", "58": "58 mm"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class OwnSalesOfClerk(BaseFilter):
    """A Petugas sees the sales they made themselves (issue 15: "sees stock and their own sales"); every other
    role sees the sales of its scope."""

    name = "own sales"
    arg_name = None

    def apply(self, query, value):
        user = getattr(g, "user", None)
        names = {r.name for r in getattr(user, "roles", None) or []}
        if names and names <= CLERK_ROLES:
            return query.filter(Sale.created_by == user.username)
        return query


CLERK_ROLES = {"Petugas"}


def sale_payload(session, data, acting_user):
    """Run ``do_sell`` from the JSON the counter screen and the API send (the one translation of that shape)."""
    from app.core.errors import ValidationFailed

    if not isinstance(data, dict):
        raise ValidationFailed(gettext("Kirim JSON."), "lines")
    day = data.get("sale_date")
    if day not in (None, ""):
        parsed = parse_date(day) if isinstance(day, str) else None
        if parsed is None:
            raise ValidationFailed(gettext("sale_date harus tanggal YYYY-MM-DD."), "sale_date")
        day = parsed
    else:
        day = None
    lines = data.get("lines")
    if isinstance(lines, list):
        for line in lines:
            if isinstance(line, dict) and isinstance(line.get("quantity"), float) \
                    and line["quantity"] != int(line["quantity"]):
                line["quantity"] = repr(line["quantity"])
    return services.do_sell(session, location=data.get("location_id"), member=data.get("member_id"), lines=lines,
                            paid=data.get("paid"), idempotency_key=data.get("idempotency_key"),
                            payment_method=data.get("payment_method") or "tunai", sale_date=day,
                            buyer_nik=data.get("buyer_nik"), buyer_segment=data.get("buyer_segment"),
                            buyer_nib=data.get("buyer_nib"), acting_user=acting_user, api=True)


class SaleView(NikRevealMixin, KkmpModelView):
    """Sales. The LPG 3 kg buyer's NIK shows masked everywhere; its full value only through the audited reveal
    (POST, ``can_reveal_nik``: Pengurus, Sekretaris and Sudin, as for members)."""

    datamodel = KkmpInterface(Sale)
    class_permission_name = "InvSale"
    route_base = "/persediaan/penjualan"
    include_route_methods = {"list", "show", "export_xlsx", "export_csv", "counter", "counter_post", "items",
                             "members", "receipt", "void", "lpg_logbook", "reveal_nik"}
    list_title = show_title = _l("Penjualan")
    show_template = "inventory/sale_show.html"
    list_columns = ["cooperative", "number", "sale_date", "location", "buyer_label", "total", "payment_label",
                    "status_label"]
    show_columns = ["cooperative", "number", "sale_date", "location", "buyer_label", "total", "paid", "change",
                    "payment_label", "segment_label", "buyer_nik_masked", "lpg_tubes", "status_label",
                    "journal_number", "void_reason", "created_by"]
    search_columns = ["number", "sale_date", "total"]
    order_columns = ["sale_date", "number", "total"]
    base_order = ("id", "desc")
    base_filters = [["id", OwnSalesOfClerk, None]]
    label_columns = LABELS
    url_filters = {"koperasi": "cooperative_id", "lokasi": "location_id"}
    cooperative_picker = staticmethod(picker_choices)

    def _get_show_widget(self, pk, item, **kwargs):
        g.kkmp_sale = item
        return super()._get_show_widget(pk, item, **kwargs)

    def render_template(self, template, **kwargs):
        item = g.pop("kkmp_sale", None)
        if template == self.show_template and item is not None:
            lines = self.datamodel.session.execute(select(SaleLine).where(SaleLine.sale_id == item.id)
                                                   .order_by(SaleLine.line_no)).scalars().all()
            sm = self.appbuilder.sm
            kwargs.update(sale=item, lines=lines,
                          can_void=sm.has_access("can_void", self.class_permission_name),
                          can_reveal=bool(item.nik) and sm.has_access("can_reveal_nik", self.class_permission_name))
        return super().render_template(template, **kwargs)

    @expose("/nik/<int:pk>", methods=["POST"])
    @has_access
    @permission_name("reveal_nik")
    def reveal_nik(self, pk):
        """The LPG buyer's full NIK, after the audit row (a sale without a buyer NIK has nothing to reveal)."""
        sale = self.datamodel.get(pk, self._base_filters)
        if sale is None or not sale.nik:
            abort(404)
        from app.core.nik import reveal_nik

        nik = reveal_nik(self.datamodel.session, sale, "nik")
        response = make_response(self.render_template("kkmp/nik_reveal.html", item=sale, nik=nik,
                                                      back=url_for(".show", pk=pk)))
        response.headers["Cache-Control"] = "no-store"
        return response

    # -- the counter -----------------------------------------------------------------------------------------------

    @expose("/kasir")
    @has_access
    @permission_name("sell")
    def counter(self):
        import uuid

        session = self.datamodel.session
        locations = session.execute(select(Location).where(Location.active.is_(True), Location.kind == "gerai")
                                    .order_by(Location.name).limit(200)).scalars().all()
        wanted = request.args.get("lokasi", "")
        location = next((l for l in locations if str(l.id) == wanted), locations[0] if locations else None)
        return self.render_template("inventory/counter.html", locations=locations, location=location,
                                    key=uuid.uuid4().hex, segments=LPG_SEGMENTS, payments=PAYMENT_METHODS,
                                    items_url=url_for(".items"), members_url=url_for(".members"),
                                    post_url=url_for(".counter_post"))

    @expose("/kasir/simpan", methods=["POST"])
    @has_access_api
    @permission_name("sell")
    def counter_post(self):
        """The counter's JSON post (CSRF-protected like every form): 201 with the sale and its receipt URL, or 422
        with the reason."""
        session = self.datamodel.session
        data = request.get_json(silent=True)
        try:
            sale = sale_payload(session, data, g.user)
            # Read before the commit expires the row: the answer then needs no second SELECT of it.
            sale_id, number, total, change = sale.id, sale.number, sale.total, sale.change
            session.commit()
        except IntegrityError:
            session.rollback()
            sale = services.find_sale(session, _coop_of_location(session, data), (data or {}).get("idempotency_key"))
            if sale is None:
                return jsonify(message=gettext("Tidak tersimpan karena bentrok dengan transaksi lain; coba "
                                               "lagi.")), 409
            sale_id, number, total, change = sale.id, sale.number, sale.total, sale.change
        except (DomainError, TenantScopeError) as e:
            session.rollback()
            return jsonify(message=refusal_message(e), field=getattr(e, "field", None)), \
                404 if isinstance(e, NotFound) else 422
        return jsonify(id=sale_id, number=number, total=str(total), change=str(change),
                       receipt_url=url_for(".receipt", pk=sale_id, ukuran=request.args.get("ukuran", "58"))), 201

    @expose("/kasir/barang")
    @has_access
    @permission_name("sell")
    def items(self):
        """Items of the location's cooperative by barcode (exact) or name (starts with / contains), with today's
        prices and the stock on hand there: [{id, name, unit, whole, barcode, member_price, public_price, stock}]."""
        from .models import StockBalance

        session = self.datamodel.session
        q = (request.args.get("q") or "").strip()[:60]
        location = session.get(Location, int(request.args["lokasi"])) if request.args.get("lokasi", "").isdigit() \
            else None
        if location is None or not q:
            return jsonify(results=[])
        day = local_today(location.cooperative)
        stmt = select(Item).where(Item.cooperative_id == location.cooperative_id, Item.active.is_(True))
        exact = session.execute(stmt.where(Item.barcode == q)).scalars().all()
        found = exact or session.execute(stmt.where(Item.name.ilike(f"%{q}%")).order_by(Item.name).limit(15)
                                         ).scalars().all()
        stock = dict(session.execute(select(StockBalance.item_id, StockBalance.quantity).where(
            StockBalance.location_id == location.id, StockBalance.item_id.in_([i.id for i in found]))).all()) \
            if found else {}
        out = []
        for item in found:
            price = services.price_row(session, item, day)
            out.append({"id": item.id, "name": item.name, "unit": str(item.unit_label), "whole": item.whole_units,
                        "barcode": item.barcode or "", "lpg": item.category == "lpg_3kg",
                        "member_price": str(price.member_price) if price else None,
                        "public_price": str(price.public_price) if price else None,
                        "stock": str(stock.get(item.id, 0))})
        response = jsonify(results=out, exact=bool(exact))
        response.headers["Cache-Control"] = "no-store"
        return response

    @expose("/kasir/anggota")
    @has_access
    @permission_name("sell")
    def members(self):
        """The member picker of the counter: the member register's own lookup (active members, never by NIK),
        without giving the clerk the register itself."""
        from app.members.services import lookup

        try:
            page = int(request.args.get("page", 1))
        except ValueError:
            page = 1
        response = jsonify(lookup(self.datamodel.session, request.args.get("q", ""), page, active_only=True,
                                  nik_search=False))
        response.headers["Cache-Control"] = "no-store"
        return response

    # -- receipt and void ------------------------------------------------------------------------------------------

    @expose("/struk/<int:pk>")
    @has_access
    @permission_name("receipt")
    def receipt(self, pk):
        from app.savings.terbilang import terbilang_title

        sale = self.datamodel.get(pk, self._base_filters)
        if sale is None:
            abort(404)
        size = request.args.get("ukuran", "58")
        size = size if size in RECEIPT_SIZES else "58"
        lines = self.datamodel.session.execute(select(SaleLine).where(SaleLine.sale_id == sale.id)
                                               .order_by(SaleLine.line_no)).scalars().all()
        html = self.render_template("inventory/sale_receipt.html", sale=sale, lines=lines, size=size,
                                    sizes=RECEIPT_SIZES, words=terbilang_title(sale.total),
                                    nik=mask_nik(sale.nik) if sale.nik else "")
        response = make_response(html)
        response.headers["Cache-Control"] = "no-store"
        return response

    @expose("/batal/<int:pk>", methods=["POST"])
    @has_access
    @permission_name("void")
    def void(self, pk):
        session = self.datamodel.session
        sale = self.datamodel.get(pk, self._base_filters)
        if sale is None:
            abort(404)
        _done, refused = commit_or_refuse(session, lambda: services.do_void_sale(
            session, sale=sale, reason=request.form.get("reason"), acting_user=g.user), url_for(".show", pk=pk))
        if refused:
            return refused
        flash(gettext("Penjualan %(n)s dibatalkan; stok dan jurnal dibalik.", n=sale.number), "success")
        return redirect(url_for(".show", pk=pk))

    # -- LPG logbook -----------------------------------------------------------------------------------------------

    @expose("/logbook-lpg.xlsx")
    @has_access
    @permission_name("lpg_logbook")
    def lpg_logbook(self):
        """The pangkalan's daily logbook: every LPG 3 kg sale of a day (default: today), NIK masked."""
        from app.core.xlsx import write_xlsx

        from .models import LPG_SEGMENT_LABELS

        session = self.datamodel.session
        day = parse_date(request.args.get("tanggal", "")) or user_today(session, g.user)
        rows = session.execute(select(Sale).where(Sale.sale_date == day, Sale.lpg_tubes > 0)
                               .order_by(Sale.cooperative_id, Sale.id)).unique().scalars().all()
        headers = ["Koperasi", "Tanggal", "Nomor", "NIK pembeli", "Segmen", "Tabung", "Total", "Status"]
        data = ([s.cooperative.name, s.sale_date, s.number, mask_nik(s.nik), str(LPG_SEGMENT_LABELS.get(
            s.buyer_segment, "")), s.lpg_tubes, s.total, str(s.status_label)] for s in rows)
        path = write_xlsx(f"Logbook LPG 3 kg {day:%d/%m/%Y}", headers, data, sheet_name="Logbook LPG")
        response = send_file(path, as_attachment=True, download_name=f"logbook-lpg-{day:%Y-%m-%d}.xlsx",
                             mimetype=XLSX)
        response.call_on_close(lambda: os.remove(path))
        return response


def _coop_of_location(session, data):
    location = session.get(Location, int(data["location_id"])) if isinstance(data, dict) and str(
        data.get("location_id", "")).isdigit() else None
    return location.cooperative_id if location is not None else None


